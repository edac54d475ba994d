"""Telling the messages of one direction apart: frame type, tag property, structure.

The rules, in order (the generated decoders follow them, the README documents them):

1. The frame type: a binary frame is the direction's binary message (the first in document order;
   a build warning names the others, which no frame can reach), a text frame one of the others.
2. The tag property: the property that is a ``const`` or single-value ``enum`` string in the most
   text messages (ties: the first met). A frame whose tag has a known value decodes as that
   message (its exact errors if it does not match), required tag or not.
3. The ``discriminator`` keyword names a property whose value is the schema's components name:
   it makes a tag like rule 2 (applied by ``declared_tag`` before rule 2 counts).
4. Otherwise by structure: the candidates (untagged messages, and those whose tag is optional when
   the frame lacks the tag property) are tried in document order and the first whose schema
   accepts the frame wins, as JSON Schema's ``anyOf``. The build warns, once per candidate, naming
   the earlier ones that ``disjoint`` cannot prove apart. Messages sharing one tag value are tried
   (and warned about) the same way.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping

from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    BytesType,
    Field,
    FrameUnion,
    IntegerType,
    JsonConstant,
    JsonScalar,
    LiteralType,
    MapType,
    Message,
    NullType,
    NumberType,
    ObjectType,
    RefType,
    StringType,
    TypeNode,
    UnionType,
    json_kind,
)
from msgen.model.schema import python_pattern
from msgen.reading.problems import Direction, Problems

_ALL_KINDS = frozenset({"object", "array", "string", "number", "boolean", "null"})


def declared_tag(message: Message, problems: Problems) -> Message:
    """Apply the ``discriminator`` keyword: its property, unless already a constant, is fixed to
    the schema's components name (else the message's key). A property the schema does not
    declare, or that is not a string, cannot be a tag: the keyword is then ignored, with a
    warning. The property need not be required: rule 2 takes optional tags too."""
    payload = message.object
    if payload is None or not payload.declared_discriminator:
        return message
    name = payload.declared_discriminator
    field = next((f for f in payload.fields if f.wire_name == name), None)
    where = payload.location or message.location
    if field is None:
        problems.warning(
            where, f"discriminator {name!r} is not a property of message {message.key!r}: ignored"
        )
        return message
    if isinstance(field.type, LiteralType):
        return message
    if not isinstance(field.type, StringType):
        problems.warning(where, f"discriminator {name!r} is not a string property: ignored")
        return message
    tag = payload.schema_key or message.key
    fields = tuple(
        dataclasses.replace(f, type=LiteralType((tag,))) if f is field else f
        for f in payload.fields
    )
    return dataclasses.replace(message, payload=dataclasses.replace(payload, fields=fields))


def named_tag(message: Message) -> Message:
    """A property whose string enum is shared by several messages (``type: Finalize | CloseStream
    | KeepAlive``) holds one value equal to the end of this message's name (``ListenV1KeepAlive``):
    that value is the message's tag, as the document means. The property is fixed to it (the
    class fills it in, frames decode to this message), and the oracle is told, as for the
    ``discriminator`` keyword. Only a value that ends the name as a whole word counts, the longest
    if several do."""
    payload = message.object
    if payload is None or payload.declared_discriminator:
        return message
    name = message.name
    for field in payload.fields:
        values = field.type.values if isinstance(field.type, LiteralType) else ()
        if len(values) < 2 or not all(isinstance(v, str) for v in values):
            continue
        matches = [
            v
            for v in values
            if isinstance(v, str) and v and name.lower().endswith(v.lower()) and _word_end(name, v)
        ]
        if not matches:
            continue
        value = max(matches, key=len)
        fields = tuple(
            dataclasses.replace(f, type=LiteralType((value,))) if f is field else f
            for f in payload.fields
        )
        narrowed = dataclasses.replace(
            payload, fields=fields, declared_discriminator=field.wire_name
        )
        return dataclasses.replace(message, payload=narrowed)
    return message


def _word_end(name: str, value: str) -> bool:
    """``value`` ends ``name`` on a word boundary: the whole name, or after a lower-case letter
    or digit before an upper-case start (``ListenV1KeepAlive``), or after a separator."""
    if len(name) == len(value):
        return True
    before, first = name[-len(value) - 1], value[0]
    return not before.isalnum() or (first.isupper() and (before.islower() or before.isdigit()))


def _constant(field: Field) -> str | None:
    """The string a property is fixed to (``const`` or single-value ``enum``), if any."""
    t = field.type
    if isinstance(t, LiteralType) and len(t.values) == 1 and isinstance(t.values[0], str):
        return t.values[0]
    return None


def tag_property(messages: list[Message]) -> str:
    """The property fixed to one string in the most text messages; ties go to the first met."""
    counts: dict[str, int] = {}
    for message in messages:
        if message.binary:
            continue
        for f in message.fields:
            if _constant(f) is not None:
                counts[f.wire_name] = counts.get(f.wire_name, 0) + 1
    return max(counts, key=lambda name: counts[name], default="")


def frame_union(
    direction: Direction,
    messages: list[Message],
    operation_ids: tuple[str, ...],
    problems: Problems,
) -> FrameUnion:
    """The direction's union: messages tagged where they can be, and what the decoder tries."""
    messages = [named_tag(declared_tag(m, problems)) for m in messages]
    prop = tag_property(messages)
    out: list[Message] = []
    tags: dict[str, list[Message]] = {}
    for message in messages:
        field = next((f for f in message.fields if f.wire_name == prop), None)
        value = None if field is None or message.binary else _constant(field)
        if field is None or value is None:
            out.append(message)
            continue
        payload = message.object
        assert payload is not None
        if field.required:
            # A required tag is written by the class itself, never passed by the user.
            fields = tuple(
                dataclasses.replace(f, is_discriminator=True) if f is field else f
                for f in payload.fields
            )
            payload = dataclasses.replace(payload, fields=fields)
        tagged = dataclasses.replace(
            message, discriminator=prop, tag=value, tag_required=field.required, payload=payload
        )
        tags.setdefault(value, []).append(tagged)
        out.append(tagged)
    binaries = [m for m in out if m.binary]
    if len(binaries) > 1:
        others = ", ".join(repr(m.key) for m in binaries[1:])
        problems.warning(
            binaries[1].location,
            f"{direction} binary messages cannot be told apart: every binary frame decodes as "
            f"{binaries[0].key!r}, never as {others}",
        )
    text = [m for m in out if not m.binary]
    untagged = tuple(m for m in text if not m.tag)
    fallback = tuple(m for m in text if not m.tag or not m.tag_required)
    classes = _classes(out)
    if len(text) > 1:
        groups = [list(fallback)] + [ms for ms in tags.values() if len(ms) > 1]
        for group in groups:
            _warn_overlaps(direction, group, classes, problems)
    return FrameUnion(
        direction=direction,
        type_name=f"{direction.capitalize()}Frame",
        decode_name=f"decode_{direction}",
        discriminator=prop,
        messages=tuple(out),
        operation_ids=operation_ids,
        tags=tuple((value, tuple(ms)) for value, ms in tags.items()),
        untagged=untagged,
        fallback=fallback,
        binary=binaries[0] if binaries else None,
    )


def _warn_overlaps(
    direction: Direction,
    candidates: list[Message],
    classes: Mapping[str, ObjectType],
    problems: Problems,
) -> None:
    # One line per message, naming every earlier one it overlaps: n messages that all overlap
    # make n - 1 lines, not n * (n - 1) / 2.
    for i, second in enumerate(candidates):
        earlier = [f for f in candidates[:i] if not disjoint(f.payload, second.payload, classes)]
        if len(earlier) == 1:
            (first,) = earlier
            problems.warning(
                second.location,
                f"{direction} messages {first.key!r} and {second.key!r} can match the same "
                f"frame: such a frame decodes as {first.key!r}, the first in document order",
            )
        elif earlier:
            listed = ", ".join(repr(m.key) for m in earlier[:-1]) + f" and {earlier[-1].key!r}"
            problems.warning(
                second.location,
                f"{direction} message {second.key!r} can match the same frame as {listed}: "
                "such a frame decodes as the first of them in document order",
            )


def _classes(messages: list[Message]) -> dict[str, ObjectType]:
    found: dict[str, ObjectType] = {}

    def visit(node: TypeNode) -> None:
        match node:
            case ObjectType():
                if node.class_name in found:
                    return
                found[node.class_name] = node
                for f in node.fields:
                    visit(f.type)
                visit(node.extra_values)
            case ArrayType():
                visit(node.items)
            case MapType():
                visit(node.values)
            case UnionType():
                for v in node.variants:
                    visit(v)
            case _:
                pass

    for m in messages:
        visit(m.payload)
    return found


# -- the static overlap check -----------------------------------------------------------------


def _kind(value: JsonScalar | JsonConstant) -> str:
    """A constant's JSON kind, integer counted as number: JSON's 1 and 1.0 are one value."""
    kind = json_kind(value)
    return "number" if kind == "integer" else kind


def kinds(node: TypeNode, classes: Mapping[str, ObjectType]) -> frozenset[str]:
    """The JSON kinds (``object``, ``string``, ``number``...) a type may accept."""
    match node:
        case StringType():
            return frozenset({"string"})
        case IntegerType() | NumberType():
            return frozenset({"number"})
        case BooleanType():
            return frozenset({"boolean"})
        case NullType():
            return frozenset({"null"})
        case LiteralType():
            return frozenset(_kind(v) for v in node.values)
        case ArrayType():
            return frozenset({"array"})
        case MapType() | ObjectType() | RefType():
            return frozenset({"object"})
        case UnionType():
            return frozenset().union(*(kinds(v, classes) for v in node.variants))
        case BytesType():
            return frozenset({"bytes"})
        case AnyType():
            return _ALL_KINDS


def _resolve(node: TypeNode, classes: Mapping[str, ObjectType]) -> TypeNode:
    if isinstance(node, RefType):
        return classes.get(node.class_name, AnyType())
    return node


def _property(node: TypeNode, name: str) -> TypeNode | None:
    """The type a property ``name`` must have in an object type; None when it is forbidden."""
    if isinstance(node, MapType):
        return node.values
    if isinstance(node, ObjectType):
        field = next((f for f in node.fields if f.wire_name == name), None)
        if field is not None:
            return field.type
        return None if node.extras == "forbid" else node.extra_values
    return AnyType()


def _rejects(node: TypeNode, value: JsonScalar) -> bool:
    """``node`` certainly refuses the scalar ``value`` (checked where it is cheap)."""
    if isinstance(node, StringType) and isinstance(value, str):
        if node.min_length is not None and len(value) < node.min_length:
            return True
        if node.max_length is not None and len(value) > node.max_length:
            return True
        return node.pattern is not None and re.search(python_pattern(node.pattern), value) is None
    if isinstance(node, IntegerType | NumberType) and isinstance(value, int | float):
        if isinstance(value, bool):
            return True
        low, high = node.minimum, node.maximum
        return (low is not None and value < low) or (high is not None and value > high)
    return _kind(value) not in kinds(node, {})


def _json_key(value: object) -> str:
    if isinstance(value, JsonConstant):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value)


def disjoint(a: TypeNode, b: TypeNode, classes: Mapping[str, ObjectType], depth: int = 0) -> bool:
    """Whether no JSON value matches both types. Conservative: False when unsure.

    Types are apart when their JSON kinds differ, when literals share no value (or the other
    type refuses each of them), or, for objects, when a property one requires is forbidden by
    the other or has types that are apart.
    """
    if depth > 16:
        return False
    a, b = _resolve(a, classes), _resolve(b, classes)
    if not kinds(a, classes) & kinds(b, classes):
        return True
    if isinstance(a, UnionType):
        return all(disjoint(v, b, classes, depth + 1) for v in a.variants)
    if isinstance(b, UnionType):
        return all(disjoint(a, v, classes, depth + 1) for v in b.variants)
    if isinstance(b, LiteralType) and not isinstance(a, LiteralType):
        a, b = b, a
    if isinstance(a, LiteralType):
        if isinstance(b, LiteralType):
            return not {_json_key(v) for v in a.values} & {_json_key(v) for v in b.values}
        return all(not isinstance(v, JsonConstant) and _rejects(b, v) for v in a.values)
    if isinstance(a, ObjectType | MapType) and isinstance(b, ObjectType | MapType):
        for x, y in ((a, b), (b, a)):
            if not isinstance(x, ObjectType):
                continue
            for f in x.fields:
                if not f.required:
                    continue
                other = _property(y, f.wire_name)
                if other is None or disjoint(f.type, other, classes, depth + 1):
                    return True
    return False
