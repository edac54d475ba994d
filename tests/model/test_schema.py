"""Schema conversion: ECMA patterns, counters, warnings for what generated code cannot enforce."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    IntegerType,
    JsonConstant,
    LiteralType,
    MapType,
    NullType,
    NumberType,
    ObjectType,
    RefType,
    StringType,
    UnionType,
)
from msgen.model.schema import (
    COUNTER_PATTERNS,
    SchemaConverter,
    inline,
    intersect,
    python_pattern,
    validator,
)
from msgen.reading.loader import Workspace
from msgen.reading.problems import Problems


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


def test_nullable_and_type_lists_accept_null(write_spec: Callable[..., Path]) -> None:
    payload, problems = convert(
        write_spec,
        """
        type: object
        properties:
          a: {type: string, nullable: true}
          b: {type: [integer, 'null']}
          c: {type: string, nullable: false}
          d: {enum: [x, null], nullable: true}
        """,
    )
    assert isinstance(payload, ObjectType)
    a, b, c, d = (f.type for f in payload.fields)
    assert a == UnionType((StringType(), NullType()))
    assert b == UnionType((IntegerType(), NullType()))
    assert c == StringType()
    assert d == LiteralType(("x", None))
    assert not problems.items


def test_consts_and_enums_of_any_json_value(write_spec: Callable[..., Path]) -> None:
    payload, _ = convert(
        write_spec,
        """
        type: object
        properties:
          a: {const: {y: [1, 2.0], x: true}}
          b: {enum: [1, [1], {}]}
        """,
    )
    assert isinstance(payload, ObjectType)
    a, b = (f.type for f in payload.fields)
    assert a == LiteralType((JsonConstant('{"x":true,"y":[1,2]}'),))
    assert b == LiteralType((1, JsonConstant("[1]"), JsonConstant("{}")))


def test_a_payload_of_any_schema(write_spec: Callable[..., Path]) -> None:
    assert convert(write_spec, "type: array\nitems: {type: string}\n")[0] == ArrayType(StringType())
    assert convert(write_spec, "{}\n")[0] == AnyType()
    assert convert(write_spec, "const: ping\n")[0] == LiteralType(("ping",))
    nullable, _ = convert(write_spec, "type: object\nnullable: true\nproperties: {a: {}}\n")
    assert isinstance(nullable, UnionType)
    obj, null = nullable.variants
    # Never the message's own name: the message class wraps this value.
    assert (obj.class_name, null) == ("FrameValue", NullType())  # type: ignore[union-attr]


def test_a_tree_refers_back_to_its_class(write_spec: Callable[..., Path]) -> None:
    payload, problems = convert(
        write_spec,
        """
        $ref: '#/$defs/Node'
        $defs:
          Node:
            type: object
            properties:
              children: {type: array, items: {$ref: '#/$defs/Node'}}
              parent: {$ref: '#/$defs/Node'}
        """,
    )
    assert isinstance(payload, ObjectType)
    children, parent = (f.type for f in payload.fields)
    assert children == ArrayType(RefType("Frame"))
    assert parent == RefType("Frame")
    assert not problems.items


def test_recursion_through_a_union_unrolls_to_the_object(write_spec: Callable[..., Path]) -> None:
    payload, problems = convert(
        write_spec,
        """
        $ref: '#/$defs/Expr'
        $defs:
          Expr:
            oneOf: [{type: number}, {$ref: '#/$defs/Add'}]
          Add:
            type: object
            properties:
              left: {$ref: '#/$defs/Expr'}
        """,
    )
    assert isinstance(payload, UnionType)
    _, add = payload.variants
    assert isinstance(add, ObjectType)
    (left,) = add.fields
    assert left.type == UnionType((NumberType(), RefType("Add")), exclusive=True)
    assert not problems.items


def test_all_of(write_spec: Callable[..., Path]) -> None:
    text = """
        type: object
        properties:
          label:
            description: one member that says something stands for the whole
            allOf: [{$ref: '#/$defs/Label'}]
          short:
            allOf: [{$ref: '#/$defs/Label'}, {maxLength: 4, minLength: 1}]
          count:
            allOf: [{type: number, minimum: 1.5}, {type: integer, maximum: 9}]
          base:
            allOf:
              - {$ref: '#/$defs/Base'}
              - {required: [id]}
              - oneOf: [{required: [a]}, {required: [b]}]
        $defs:
          Label: {type: string, maxLength: 8}
          Base: {type: object, properties: {id: {type: string}}}
        """
    payload, problems = convert(write_spec, text)
    assert isinstance(payload, ObjectType)
    label, short, count, base = (f.type for f in payload.fields)
    assert label == StringType(max_length=8)
    assert short == StringType(min_length=1, max_length=4)
    assert count == IntegerType(minimum=2, maximum=9)
    assert isinstance(base, ObjectType) and base.fields[0].required
    (warning,) = problems.warnings
    assert warning.message.startswith("allOf member beside object members is not enforced")
    assert warning.location.pointer == "/properties/base/allOf/2"


def test_keywords_beside_all_of_that_are_not_enforced_warn(
    write_spec: Callable[..., Path],
) -> None:
    _, problems = convert(
        write_spec,
        """
        type: object
        properties:
          a: {allOf: [{description: a}], maxLength: 3}
          b: {allOf: [{type: object, properties: {x: {}}}], oneOf: [{required: [x]}]}
        """,
    )
    messages = sorted(p.message for p in problems.warnings)
    assert messages == [
        "'maxLength' without a type in allOf is not enforced",
        "oneOf beside allOf is not enforced",
    ]


def test_intersect() -> None:
    assert intersect(AnyType(), NullType()) == NullType()
    assert intersect(LiteralType(("a", "b")), LiteralType(("b",))) == LiteralType(("b",))
    assert intersect(LiteralType(("a",)), LiteralType(("b",))) is None
    assert intersect(StringType(pattern="a"), StringType(pattern="b")) is None
    assert intersect(IntegerType(), NumberType(exclusive_maximum=2.5)) == IntegerType(maximum=2)
    assert intersect(NumberType(maximum=3), NumberType(maximum=2.5)) == NumberType(maximum=2.5)
    assert intersect(ArrayType(StringType()), ArrayType(IntegerType())) is None
    assert intersect(BooleanType(), BooleanType()) == BooleanType()
    assert intersect(BooleanType(), NullType()) is None


def test_inline_keeps_recursive_targets_under_definitions(
    write_spec: Callable[..., Path],
) -> None:
    node = Workspace().root(
        write_spec(
            """
            $ref: '#/$defs/Node'
            $defs:
              Node:
                type: object
                nullable: true
                properties:
                  next: {$ref: '#/$defs/Node'}
                  skip: {type: integer, multipleOf: 2}
            """
        )
    )
    schema, _ = inline(node)
    node_schema = {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "next": {"$ref": "#/definitions/Node"},
                    "skip": {"type": "integer", "multipleOf": 2},
                },
            },
            {"type": "null"},
        ]
    }
    assert schema == {**node_schema, "definitions": {"Node": node_schema}}
    check = validator(schema)
    assert check.is_valid({"next": {"next": None}})
    assert not check.is_valid({"next": {"next": 1}})
    problems = Problems()
    converter = SchemaConverter(problems, set())
    converter.payload(node, "Frame")
    oracle, _ = inline(node, skip=converter.unenforced)
    assert "multipleOf" not in json.dumps(oracle)
    assert "multipleOf" in problems.warnings[0].message


def test_object_keywords_without_a_type_make_an_object_for_the_oracle_too(
    write_spec: Callable[..., Path],
) -> None:
    node = Workspace().root(
        write_spec(
            """
            properties:
              nullable: {type: string}
              default: {items: {type: integer}}
              loose: {minimum: 3}
            """
        )
    )
    schema, _ = inline(node)
    assert schema == {
        "type": "object",
        "properties": {
            "nullable": {"type": "string"},
            "default": {"type": "array", "items": {"type": "integer"}},
            "loose": {"minimum": 3},
        },
    }
    problems = Problems()
    converter = SchemaConverter(problems, set())
    payload = converter.payload(node, "Frame")
    assert isinstance(payload, ObjectType)
    assert [f.type for f in payload.fields] == [StringType(), ArrayType(IntegerType()), AnyType()]
    (warning,) = problems.warnings
    assert warning.message == "'minimum' without a type is not enforced"
    assert inline(node, skip=converter.unenforced)[0]["properties"]["loose"] == {}


def test_unknown_keywords_are_ignored_and_near_misses_named(
    write_spec: Callable[..., Path],
) -> None:
    _, problems = convert(
        write_spec,
        """
        type: object
        requried: [a]
        summary: an annotation JSON Schema does not define
        properties:
          a: {type: string, maxLenght: 3}
        """,
    )
    assert sorted(p.message for p in problems.warnings) == [
        "unknown schema keyword 'maxLenght', ignored; did you mean 'maxLength'?",
        "unknown schema keyword 'requried', ignored; did you mean 'required'?",
    ]


def test_a_required_name_without_a_schema_is_a_field_of_the_extras_type(
    write_spec: Callable[..., Path],
) -> None:
    payload, problems = convert(
        write_spec,
        """
        type: object
        required: [a, b]
        properties: {a: {type: string}}
        additionalProperties: {type: integer}
        """,
    )
    assert isinstance(payload, ObjectType)
    assert [(f.wire_name, f.type, f.required) for f in payload.fields] == [
        ("a", StringType(), True),
        ("b", IntegerType(), True),
    ]
    assert not problems.items


def test_all_of_members_that_restrict_extras_merge_for_the_oracle_too(
    write_spec: Callable[..., Path],
) -> None:
    node = Workspace().root(
        write_spec(
            """
            allOf:
              - {type: object, required: [a], properties: {a: {}}, additionalProperties: false}
              - {type: object, properties: {b: {}}, additionalProperties: false}
            """
        )
    )
    problems = Problems()
    converter = SchemaConverter(problems, set())
    payload = converter.payload(node, "Frame")
    assert isinstance(payload, ObjectType)
    assert ([f.wire_name for f in payload.fields], payload.extras) == (["a", "b"], "forbid")
    (warning,) = problems.warnings
    assert warning.message == (
        "additionalProperties in an allOf member applies to the merged object (all members' "
        "properties), as the document means; JSON Schema would read it member by member"
    )
    oracle = validator(inline(node, skip=converter.unenforced, merged=converter.merged)[0])
    assert oracle.is_valid({"a": 1, "b": 2})
    assert not oracle.is_valid({"a": 1, "c": 2})
    assert not validator(inline(node)[0]).is_valid({"a": 1, "b": 2})  # JSON Schema's reading
