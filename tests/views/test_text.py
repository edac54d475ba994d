"""Source text for arbitrary strings: docstrings that survive any text."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from msgen.views.text import docstring


@given(st.text(), st.sampled_from([0, 4, 8]))
def test_docstrings_are_valid_literals_keeping_the_words(text: str, indent: int) -> None:
    literal = docstring(text, indent)
    value = ast.literal_eval(literal)
    assert value.split() == " ".join(text.split()).split() or value.strip() == text.strip()
    lines = [line for line in literal.splitlines() if "\\" not in line]
    assert all(len(line) + indent <= 100 or " " not in line.strip() for line in lines)
