"""Rendering helpers: f-string escaping, and formatting in memory."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.render import RenderError, _fstring, format_source


@given(st.text())
def test_fstring_escaping_round_trips(text: str) -> None:
    assert eval(f'f"{_fstring(text)}"') == text


def test_format_source_formats_python_and_leaves_other_files() -> None:
    assert format_source("a.py", "import os\nx=( 1,\n2 )\n") == "x = (1, 2)\n"
    assert format_source("a.md", "x=( 1 )\n") == "x=( 1 )\n"


def test_format_source_failure_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="ruff failed"):
        format_source("a.py", "def broken(:\n")
