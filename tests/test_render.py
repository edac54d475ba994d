"""Rendering helpers: f-string escaping, formatting in memory, the command that renders again."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import OUTSIDE, SPEC

from msgen.model.normalize import load
from msgen.render import RenderError, _fstring, build_command, format_source


@given(st.text())
def test_fstring_escaping_round_trips(text: str) -> None:
    assert eval(f'f"{_fstring(text)}"') == text


def test_format_source_formats_python_and_leaves_other_files() -> None:
    assert format_source("a.py", "import os\nx=( 1,\n2 )\n") == "x = (1, 2)\n"
    assert format_source("a.md", "x=( 1 )\n") == "x=( 1 )\n"


def test_format_source_failure_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="ruff failed"):
        format_source("a.py", "def broken(:\n")


def test_build_command_names_only_options_that_change_the_output() -> None:
    """A package name and a side equal to the ones the document gives are left out, as is
    ``--strict``; paths are quoted for a shell."""
    same = load(SPEC, package="twilio_media_streams", side="application", strict=True).api
    assert build_command("specs/a b.yaml", "gen", same, "dataclasses") == (
        "msgen build 'specs/a b.yaml' --out gen"
    )
    other = load(OUTSIDE, package="calls", side="application").api
    assert build_command("x.yml", "out", other, "pydantic") == (
        "msgen build x.yml --out out --package calls --models pydantic --side application"
    )
