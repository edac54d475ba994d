"""Schema conversion: ECMA patterns, counters, warnings for what generated code cannot enforce."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.ir import LiteralType, MapType, ObjectType, StringType, UnionType
from msgen.loader import Workspace
from msgen.problems import Problems
from msgen.schema import COUNTER_PATTERNS, SchemaConverter, python_pattern, validator


def test_dollar_means_end_of_input() -> None:
    assert re.search(python_pattern("^[0-9]+$"), "12")
    assert not re.search(python_pattern("^[0-9]+$"), "12\n")
    assert re.search(python_pattern(r"^a\$$"), "a$")
    assert re.search(python_pattern("^[$]$"), "$")


def test_digits_are_ascii_as_in_ecma() -> None:
    assert not re.search(python_pattern(r"^\d$"), "٣")
    assert re.search(python_pattern(r"^\d$"), "3")


@given(st.from_regex(r"[a-z\[\]\\$^.*+?]{0,12}", fullmatch=True))
def test_translation_only_touches_unescaped_dollars_outside_classes(pattern: str) -> None:
    out = python_pattern(pattern)
    assert out.startswith("(?a)")
    assert out[4:].replace(r"\Z", "$").count("$") == pattern.count("$")


@pytest.mark.parametrize(("pattern", "low"), sorted(COUNTER_PATTERNS.items()))
@given(value=st.text(alphabet="0123456789\n+-a", max_size=6))
def test_counter_patterns_admit_exactly_canonical_integers(
    pattern: str, low: int, value: str
) -> None:
    canonical = value.isdigit() and str(int(value)) == value and int(value) >= low
    assert bool(re.search(python_pattern(pattern), value)) == canonical


def convert(write_spec: Callable[..., Path], text: str) -> tuple[object, Problems]:
    problems = Problems()
    node = Workspace().root(write_spec(text))
    return SchemaConverter(problems, set()).payload(node, "Frame"), problems


def test_counter_strings_are_flagged(write_spec: Callable[..., Path]) -> None:
    payload, _ = convert(
        write_spec, "type: object\nproperties:\n  n: {type: string, pattern: '^[1-9][0-9]*$'}\n"
    )
    assert isinstance(payload, ObjectType)
    assert payload.fields[0].type == StringType(
        pattern="^[1-9][0-9]*$", counter=True, counter_min=1
    )


def test_types_enums_maps_and_type_lists(write_spec: Callable[..., Path]) -> None:
    payload, problems = convert(
        write_spec,
        """
        type: object
        properties:
          e: {enum: [a, b, a]}
          m: {type: object, additionalProperties: {type: string}}
          u: {type: [string, 'null']}
        """,
    )
    assert isinstance(payload, ObjectType)
    e, m, u = (f.type for f in payload.fields)
    assert e == LiteralType(("a", "b"))
    assert isinstance(m, MapType)
    assert isinstance(u, UnionType)
    assert not problems.items


def test_unenforced_keywords_warn(write_spec: Callable[..., Path]) -> None:
    _, problems = convert(
        write_spec, "type: object\nproperties:\n  n: {type: integer, multipleOf: 3}\n"
    )
    (warning,) = problems.warnings
    assert "multipleOf" in warning.message
    assert warning.location.pointer == "/properties/n/multipleOf"


def test_shared_schemas_become_one_class(write_spec: Callable[..., Path]) -> None:
    payload, _ = convert(
        write_spec,
        """
        type: object
        properties:
          a: {$ref: '#/$defs/Label'}
          b: {$ref: '#/$defs/Label'}
        $defs:
          Label: {type: object, properties: {name: {type: string}}}
        """,
    )
    assert isinstance(payload, ObjectType)
    assert payload.fields[0].type is payload.fields[1].type


def test_validator_reads_patterns_as_ecma() -> None:
    check = validator({"type": "string", "pattern": "^a$"})
    assert check.is_valid("a")
    assert not check.is_valid("a\n")
