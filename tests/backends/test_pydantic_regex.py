"""ECMA patterns for pydantic's Rust engine: where a translation is given, Rust and the oracle's
Python translation accept the same strings."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from msgen.backends.pydantic.regex import rust_pattern
from msgen.model.schema import python_pattern

#: Pieces of patterns: literals, escapes, classes, anchors, and what Rust cannot read alike.
_ATOMS = st.sampled_from(
    (
        *("a", "b", "-", ".", "é", " ", "&", "~", "#", "{", "}", "^", "$"),
        *("\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\.", "\\-", "\\/", "\\u00e9", "\\x41"),
        *("[a-c]", "[^a]", "[\\d-]", "[\\w.]", "[^\\s]", "[\\b]", "[]a]"),
        *("(?=a)", "\\b"),
    )
)
_QUANTIFIERS = st.sampled_from(
    ("", "*", "+", "?", "*?", "+?", "{2}", "{1,2}", "{,2}", "{1,}", "*+")
)


def _pattern() -> st.SearchStrategy[str]:
    piece = st.tuples(_ATOMS, _QUANTIFIERS).map("".join)
    sequence = st.lists(piece, max_size=4).map("".join)
    return st.recursive(
        sequence,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: f"{p[0]}|{p[1]}"),
            st.tuples(st.sampled_from(["(", "(?:"]), inner, _QUANTIFIERS).map(
                lambda p: f"{p[0]}{p[1]}){p[2]}"
            ),
            st.tuples(inner, inner).map("".join),
        ),
        max_leaves=6,
    )


def _rust_accepts(pattern: str, text: str) -> bool:
    try:
        SchemaValidator(cs.str_schema(pattern=pattern)).validate_python(text)
    except ValidationError:
        return False
    return True


@given(_pattern(), st.lists(st.text(alphabet="ab-. é\n\t0_9xZA/&~#{}", max_size=6), max_size=8))
def test_translations_accept_what_the_oracle_accepts(pattern: str, texts: list[str]) -> None:
    try:
        python = re.compile(python_pattern(pattern))
    except re.error:
        assume(False)
    rust = rust_pattern(pattern)
    assume(rust is not None)
    assert rust is not None
    for text in texts:
        assert _rust_accepts(rust, text) == (python.search(text) is not None), (rust, text)


@pytest.mark.parametrize(
    ("pattern", "rust"),
    [
        ("^MZ[0-9a-fA-F]{32}$", "^MZ[0-9a-fA-F]{32}$"),
        ("^\\d+$", "^[0-9]+$"),
        ("[\\w.]", "[0-9A-Za-z_.]"),
        ("\\u00e9", "\\x{00e9}"),
        ("a{}", "a\\{\\}"),
    ],
)
def test_translations(pattern: str, rust: str) -> None:
    assert rust_pattern(pattern) == rust


@pytest.mark.parametrize("pattern", ["(?=a)", "(?<x>a)", "\\bx", "a{,2}", "a*+", "[]a]", "\\1"])
def test_what_rust_cannot_read_alike_is_left_to_python(pattern: str) -> None:
    assert rust_pattern(pattern) is None
