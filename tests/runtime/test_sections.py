"""How templates include the static runtime: whole modules, the part below the marker, sections."""

from __future__ import annotations

import ast

import pytest

from msgen import runtime

#: Every module with sections, and the sections its templates include.
SECTIONED = {
    "server": ("head", "tail"),
    "picows_server": ("head", "tail"),
    "asgi": ("head", "tail"),
    "command": ("head", "supervise", "parser"),
    "metrics": ("head", "exporter", "totals", "tail"),
    "_runtime": ("head", "markers", "checks", "values"),
    "_runtime_dataclasses": ("unset", "parse"),
    "_runtime_msgspec": ("unset", "parse"),
    "_runtime_pydantic": ("unset", "parse", "types"),
}


@pytest.mark.parametrize("name", sorted(SECTIONED))
def test_sections_are_the_lines_between_markers(name: str) -> None:
    source = runtime.source(name)
    ast.parse(source)  # the module stands alone
    for part in SECTIONED[name]:
        text = runtime.section(name, part)
        assert text, part
        assert text == text.strip("\n")
        assert "# msgen:" not in text
        assert text in source


def test_a_section_ends_at_the_next_marker() -> None:
    head = runtime.section("server", "head")
    assert head.startswith("from __future__ import annotations")
    assert head.endswith("self._connection = connection")
    assert runtime.section("server", "tail").startswith("    async def close(")


def test_unknown_sections_are_refused() -> None:
    with pytest.raises(LookupError):
        runtime.section("server", "nowhere")
    assert runtime.include("server", "tail") == runtime.section("server", "tail")
