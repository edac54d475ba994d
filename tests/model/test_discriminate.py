"""Telling messages apart: the tag property, the candidates tried by structure, overlap warnings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support import SPEC as TWILIO
from support import run_msgen

from msgen.model.discriminate import _word_end, disjoint, kinds
from msgen.model.ir import (
    AnyType,
    ArrayType,
    BytesType,
    Field,
    IntegerType,
    JsonConstant,
    LiteralType,
    MapType,
    NullType,
    NumberType,
    ObjectType,
    RefType,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.model.normalize import load
from msgen.model.schema import validator
from msgen.reading.problems import SpecError


def obj(name: str, *fields: tuple[str, TypeNode, bool], extras: str = "forbid") -> ObjectType:
    return ObjectType(
        name,
        tuple(Field(w, w, t, required) for w, t, required in fields),
        extras,  # type: ignore[arg-type]
    )


CONST_A = LiteralType(("a",))
CONST_B = LiteralType(("b",))


def test_kinds_and_literals() -> None:
    assert disjoint(StringType(), IntegerType(), {})
    assert not disjoint(IntegerType(), NumberType(), {})
    assert disjoint(CONST_A, CONST_B, {})
    assert not disjoint(LiteralType(("a", "b")), CONST_B, {})
    assert disjoint(LiteralType((1.0,)), LiteralType((2,)), {})
    assert not disjoint(LiteralType((1.0,)), LiteralType((1,)), {})
    assert disjoint(LiteralType((JsonConstant("[1]"),)), LiteralType((JsonConstant("[2]"),)), {})
    assert disjoint(CONST_A, StringType(pattern="^b"), {})
    assert disjoint(CONST_A, StringType(min_length=2), {})
    assert not disjoint(CONST_A, StringType(max_length=2), {})
    assert disjoint(LiteralType((5,)), IntegerType(maximum=4), {})
    assert disjoint(UnionType((StringType(), NullType())), IntegerType(), {})
    assert not disjoint(UnionType((StringType(), NullType())), AnyType(), {})
    assert not disjoint(ArrayType(StringType()), ArrayType(IntegerType()), {})  # both accept []
    assert kinds(BytesType(), {}) == {"bytes"}


def test_objects_apart_by_a_required_property() -> None:
    a = obj("A", ("type", CONST_A, True))
    b = obj("B", ("type", CONST_B, True))
    optional_b = obj("B", ("type", CONST_B, False), extras="keep")
    assert disjoint(a, b, {})
    assert disjoint(a, optional_b, {})  # a frame of A has type "a", which B refuses
    forbids = obj("C", ("x", StringType(), False))
    assert disjoint(obj("D", ("y", StringType(), True)), forbids, {})
    keeps = obj("C", ("x", StringType(), False), extras="keep")
    assert not disjoint(obj("D", ("y", StringType(), True)), keeps, {})
    assert disjoint(obj("D", ("y", StringType(), True)), MapType(IntegerType()), {})
    tree = obj("Tree", ("kind", CONST_A, True))
    assert disjoint(RefType("Tree"), b, {"Tree": tree})
    assert not disjoint(RefType("Unknown"), b, {})


SPEC = """
asyncapi: 3.0.0
info: {title: Tags, version: '1'}
channels:
  c:
    address: /
    messages:
%(messages)s
operations:
  in:
    action: receive
    channel: {$ref: '#/channels/c'}
"""


def spec(write_spec: Callable[..., Path], **payloads: str) -> Path:
    lines = "\n".join(f"      {name}: {{payload: {p}}}" for name, p in payloads.items())
    return write_spec(SPEC % {"messages": lines})


def test_the_tag_is_the_property_most_messages_fix(write_spec: Callable[..., Path]) -> None:
    path = spec(
        write_spec,
        a="{type: object, required: [kind], properties: {kind: {const: a}, op: {const: x}}}",
        b="{type: object, required: [op], properties: {op: {const: y}}}",
        c="{type: object, properties: {op: {enum: [z]}}}",
        d="{type: array}",
    )
    built = load(path)
    union = built.api.channels[0].inbound
    assert union.discriminator == "op"
    assert [(t, [m.key for m in ms]) for t, ms in union.tags] == [
        ("x", ["a"]),
        ("y", ["b"]),
        ("z", ["c"]),
    ]
    assert [m.key for m in union.untagged] == ["d"]
    assert [m.key for m in union.fallback] == ["a", "c", "d"]
    assert [(m.tag, m.tag_required) for m in union.messages] == [
        ("x", False),
        ("y", True),
        ("z", False),
        ("", False),
    ]
    assert not union.fast
    # a and c fall back by structure when "op" is missing: nothing tells them apart.
    (warning,) = [w for w in built.warnings if "can match the same frame" in w]
    assert warning.endswith(
        "inbound messages 'a' and 'c' can match the same frame: such a frame decodes as 'a', "
        "the first in document order"
    )


def test_ties_go_to_the_first_property_met(write_spec: Callable[..., Path]) -> None:
    path = spec(
        write_spec,
        a="{type: object, required: [t, k], properties: {t: {const: a}, k: {const: a}}}",
        b="{type: object, required: [k, t], properties: {k: {const: b}, t: {const: b}}}",
    )
    union = load(path).api.channels[0].inbound
    assert (union.discriminator, union.fast) == ("t", True)


def test_several_binary_messages_warn(write_spec: Callable[..., Path]) -> None:
    path = spec(
        write_spec,
        audio="{type: string, format: binary}",
        video="{type: string, contentEncoding: binary}",
    )
    built = load(path)
    union = built.api.channels[0].inbound
    assert union.binary is not None and union.binary.key == "audio"
    assert any(
        "inbound binary messages cannot be told apart: every binary frame decodes as 'audio', "
        "never as 'video'" in w
        for w in built.warnings
    )


def test_a_message_overlapping_several_earlier_ones_is_one_line(
    write_spec: Callable[..., Path],
) -> None:
    path = spec(
        write_spec,
        a="{type: object, properties: {t: {const: a}}}",
        b="{type: object, properties: {t: {const: b}}}",
        c="{type: object, properties: {t: {const: c}}}",
    )
    warnings = [w for w in load(path).warnings if "can match the same frame" in w]
    assert [w.split("warning: ")[1] for w in warnings] == [
        "inbound messages 'a' and 'b' can match the same frame: such a frame decodes as 'a', "
        "the first in document order",
        "inbound message 'c' can match the same frame as 'a' and 'b': such a frame decodes as "
        "the first of them in document order",
    ]


def says_media(prop: str, *more: str) -> str:
    """An object payload whose tag `event` is `media` and that requires ``prop``."""
    properties = f"properties: {{event: {{const: media}}, {prop}: {{}}}}"
    keywords = ", ".join(["type: object", f"required: [event, {prop}]", properties, *more])
    return f"{{{keywords}}}"


def test_messages_sharing_a_tag_value_warn_like_untagged_ones(
    write_spec: Callable[..., Path],
) -> None:
    # Both allow extra properties: a frame with a `media` and a `dtmf` matches both.
    path = spec(write_spec, media=says_media("media"), dtmf=says_media("dtmf"))
    built = load(path)
    union = built.api.channels[0].inbound
    assert [(t, [m.key for m in ms]) for t, ms in union.tags] == [("media", ["media", "dtmf"])]
    assert union.untagged == union.fallback == ()
    (warning,) = [w for w in built.warnings if "can match the same frame" in w]
    assert warning.endswith(
        "spec.yaml:8:13: /channels/c/messages/dtmf: warning: inbound messages 'media' and 'dtmf' "
        "can match the same frame: such a frame decodes as 'media', the first in document order"
    )
    with pytest.raises(SpecError) as caught:
        load(path, strict=True)
    assert warning in [str(p) for p in caught.value.problems]


def test_messages_sharing_a_tag_value_that_are_apart_do_not_warn(
    write_spec: Callable[..., Path],
) -> None:
    # `media` forbids the `dtmf` that `dtmf` requires: no frame matches both.
    media = says_media("media", "additionalProperties: false")
    built = load(spec(write_spec, media=media, dtmf=says_media("dtmf")))
    assert not [w for w in built.warnings if "can match the same frame" in w]


def twilio_with_a_shared_tag(folder: Path) -> Path:
    """The Twilio spec with `dtmf` saying `event: media`, as `media` does (examples included)."""
    text = TWILIO.read_text(encoding="utf-8")
    const = "          const: dtmf\n"
    assert text.count(const) == 1
    text = text.replace(const, "          const: media\n").replace(
        "            event: dtmf\n", "            event: media\n"
    )
    path = folder / "twilio.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_warns_for_messages_sharing_a_tag_value(tmp_path: Path) -> None:
    path = twilio_with_a_shared_tag(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines.count("    dtmf:") == 1
    line = lines.index("    dtmf:") + 2  # the message's mapping starts on the line after its key
    warning = (
        f"twilio.yaml:{line}:7: /components/messages/dtmf: warning: inbound messages "
        "'inboundMedia' and 'dtmf' can match the same frame: such a frame decodes as "
        "'inboundMedia', the first in document order\n"
    )
    built = run_msgen("build", path.name, "--out", "out", cwd=tmp_path)
    assert (built.returncode, built.stderr) == (0, warning)
    assert (tmp_path / "out").is_dir()
    strict = run_msgen("build", path.name, "--out", "strict", "--strict", cwd=tmp_path)
    assert (strict.returncode, strict.stdout, strict.stderr) == (2, "", warning)
    assert not (tmp_path / "strict").exists()


SHARED_ENUM = """\
asyncapi: 3.0.0
info: {title: Shared enum, version: '1'}
channels:
  c:
    address: /c
    messages:
      finalize: {name: ListenV1Finalize, payload: {$ref: '#/components/schemas/Finalize'}}
      keepAlive: {name: ListenV1KeepAlive, payload: {$ref: '#/components/schemas/KeepAlive'}}
      other: {name: Other, payload: {$ref: '#/components/schemas/Other'}}
operations:
  send:
    action: send
    channel: {$ref: '#/channels/c'}
    messages:
      - {$ref: '#/channels/c/messages/finalize'}
      - {$ref: '#/channels/c/messages/keepAlive'}
      - {$ref: '#/channels/c/messages/other'}
components:
  schemas:
    Type: {type: string, enum: [Finalize, CloseStream, KeepAlive]}
    Finalize:
      type: object
      required: [type]
      properties: {type: {$ref: '#/components/schemas/Type'}}
    KeepAlive:
      type: object
      required: [type]
      properties: {type: {$ref: '#/components/schemas/Type'}}
    Other:
      type: object
      required: [type]
      properties: {type: {$ref: '#/components/schemas/Type'}}
"""


def test_a_shared_enum_value_equal_to_the_messages_name_is_its_tag(tmp_path: Path) -> None:
    spec = tmp_path / "shared.yaml"
    spec.write_text(SHARED_ENUM)
    built = load(spec, side="application")
    (channel,) = built.api.channels
    tags = {m.name: m.tag for m in channel.outbound.messages}
    # "Other" ends with no value of the enum: it stays told apart by structure.
    assert tags == {"ListenV1Finalize": "Finalize", "ListenV1KeepAlive": "KeepAlive", "Other": ""}
    # The oracle learns the constant the name implies.
    oracle = validator(built.schemas[":ListenV1KeepAlive"])
    assert oracle.is_valid({"type": "KeepAlive"})
    assert not oracle.is_valid({"type": "Finalize"})


@pytest.mark.parametrize(
    ("name", "value", "ends"),
    [
        ("ListenV1KeepAlive", "KeepAlive", True),
        ("KeepAlive", "KeepAlive", True),
        ("listen_keep_alive", "keep_alive", True),
        ("ListenV1KeepAlive", "Alive", True),
        ("ListenV1Keepalive", "alive", False),
        ("SpeakV1Flush", "V1Flush", True),
        ("Unflush", "flush", False),
    ],
)
def test_a_tag_value_must_end_the_name_on_a_word(name: str, value: str, ends: bool) -> None:
    assert _word_end(name, value) is ends
