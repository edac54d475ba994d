"""Rendering helpers: docstrings that survive any text, headers, and formatting in memory."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.render import RenderError, _docstring, _fstring, format_source


@given(st.text(), st.sampled_from([0, 4, 8]))
def test_docstrings_are_valid_literals_keeping_the_words(text: str, indent: int) -> None:
    literal = _docstring(text, indent)
    value = ast.literal_eval(literal)
    assert value.split() == " ".join(text.split()).split() or value.strip() == text.strip()
    lines = [line for line in literal.splitlines() if "\\" not in line]
    assert all(len(line) + indent <= 100 or " " not in line.strip() for line in lines)


@given(st.text())
def test_fstring_escaping_round_trips(text: str) -> None:
    assert eval(f'f"{_fstring(text)}"') == text


def test_format_source_formats_python_and_leaves_other_files() -> None:
    assert format_source("a.py", "import os\nx=( 1,\n2 )\n") == "x = (1, 2)\n"
    assert format_source("a.md", "x=( 1 )\n") == "x=( 1 )\n"


def test_format_source_failure_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="ruff failed"):
        format_source("a.py", "def broken(:\n")
