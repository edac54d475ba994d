"""Named sections of runtime modules: what ``{{ runtime("module", "NAME") }}`` inserts."""

from __future__ import annotations

import ast
import re
from importlib.resources import files
from pathlib import Path

import pytest

from msgen import runtime

TEXT = """import x

# msgen: section first
def first() -> None:
    pass


class Stand:
    # msgen: section second

    def method(self) -> None:
        pass

    # msgen: end
    def standin(self) -> None:
        pass
"""


def test_a_section_runs_to_the_next_marker_without_surrounding_blank_lines() -> None:
    assert runtime._section("m", TEXT, "first") == (
        "def first() -> None:\n    pass\n\n\nclass Stand:"
    )
    assert runtime._section("m", TEXT, "second") == "    def method(self) -> None:\n        pass"


def test_an_unknown_section_is_an_error() -> None:
    with pytest.raises(LookupError, match="third"):
        runtime._section("m", TEXT, "third")


def test_every_section_a_template_includes_exists() -> None:
    templates = Path(str(files("msgen.templates")))
    included = {
        (module, name)
        for path in templates.rglob("*.jinja")
        for module, name in re.findall(
            r'runtime\("([\w.]+)", "(\w+)"\)', path.read_text(encoding="utf-8")
        )
    }
    assert included
    for module, name in included:
        assert runtime.included(module, name).strip()


def test_the_codec_pieces_are_the_module_below_its_marker() -> None:
    below = runtime.source("codec").partition(runtime.MARKER + "\n")[2]
    core, wav = runtime.included("codec"), runtime.included("codec", "wav")
    assert below == core + "\n\n" + runtime.SECTION + "wav\n" + wav + "\n"
    assert core.startswith("MIN_RATE: Final") and core.endswith("\n") and not core.endswith("\n\n")
    assert wav.startswith("# --- WAV") and not wav.endswith("\n")


def test_modules_without_a_marker_are_errors() -> None:
    with pytest.raises(LookupError, match="has no line"):
        runtime.included("serving")


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
    "emulator": (
        "constants",
        "refused",
        "report",
        "playback",
        "helpers",
        "clock",
        "drain",
        "run",
        "cli",
        "main",
    ),
}


@pytest.mark.parametrize("name", sorted(SECTIONED))
def test_sections_are_the_lines_between_markers(name: str) -> None:
    source = runtime.source(name)
    ast.parse(source)  # the module stands alone
    for part in SECTIONED[name]:
        text = runtime.included(name, part)
        assert text, part
        assert text == text.strip("\n")
        assert "# msgen:" not in text
        assert text in source


def test_a_section_ends_at_the_next_marker() -> None:
    head = runtime.included("server", "head")
    assert head.startswith("from __future__ import annotations")
    assert head.endswith("self._connection = connection")
    assert runtime.included("server", "tail").startswith("    async def close(")


def test_unknown_sections_are_refused() -> None:
    with pytest.raises(LookupError):
        runtime.included("server", "nowhere")


SECTIONS = {
    "client": ("types", "places", "url", "connection", "connect"),
    "peer": ("steps", "play"),
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


def test_an_unknown_client_section() -> None:
    with pytest.raises(LookupError, match="no line '# msgen: section nope'"):
        runtime.included("client", "nope")
