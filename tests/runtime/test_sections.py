"""Named sections of a runtime module: ``runtime("client", "url")`` in a template."""

from __future__ import annotations

import pytest

from msgen import runtime

SECTIONS = {
    "client": ("types", "places", "url", "connection"),
    "peer": ("steps", "play"),
    "emulator": ("refused",),
}


@pytest.mark.parametrize("module", sorted(SECTIONS))
def test_sections_cover_the_module_below_the_first_marker(module: str) -> None:
    text = runtime.source(module)
    head = text.partition(runtime.SECTION)[0]
    names = [
        line[len(runtime.SECTION) :]
        for line in text.splitlines()
        if line.startswith(runtime.SECTION)
    ]
    assert tuple(names) == SECTIONS[module]
    parts = [runtime.included(module, name) for name in names]
    assert all(part and part == part.strip("\n") for part in parts)
    below = "".join(
        line
        for line in text[len(head) :].splitlines(keepends=True)
        if not line.startswith(runtime.SECTION)
    )
    assert [line for line in below.splitlines() if line] == [
        line for part in parts for line in part.splitlines() if line
    ]


def test_an_unknown_section() -> None:
    with pytest.raises(LookupError, match="no line '# msgen: section nope'"):
        runtime.included("client", "nope")
