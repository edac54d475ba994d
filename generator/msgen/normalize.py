"""Build the intermediate model from a read document: names, discriminators, examples, media."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from pathlib import Path

from jsonschema.exceptions import best_match

from msgen import __version__, names
from msgen.asyncapi import Document, RawChannel, RawMessage, Side, read
from msgen.connection import Connections
from msgen.ir import (
    Api,
    AudioFormat,
    Channel,
    Direction,
    Example,
    Field,
    FrameUnion,
    Lifecycle,
    LiteralType,
    MediaProfile,
    Message,
    ObjectType,
    Playback,
    StringType,
    TypeNode,
)
from msgen.loader import Node, Workspace
from msgen.problems import Problems, SpecError, report
from msgen.schema import SchemaConverter, check_schema, inline, validator

#: Names every generated frames module defines itself.
RESERVED = frozenset(
    {
        "Any",
        "ClassVar",
        "Literal",
        "FrameError",
        "InboundFrame",
        "OutboundFrame",
        "dataclass",
        "field",
        "decode_inbound",
        "decode_outbound",
        "encode",
    }
)
_MULAW = ("audio/x-mulaw", "audio/pcmu", "audio/basic")


@dataclasses.dataclass(frozen=True)
class Built:
    """The model plus the per-message JSON Schemas the generated tests embed."""

    api: Api
    schemas: dict[str, object]
    warnings: tuple[str, ...]


def load(
    path: Path,
    *,
    package: str | None = None,
    side: Side | None = None,
    strict: bool = False,
) -> Built:
    """Parse, validate and normalise a spec; raises SpecError listing every problem. ``side``
    None means the version's default (``asyncapi.default_side``)."""
    problems = Problems()
    workspace = Workspace(problems)
    root = workspace.root(path)
    document = read(root, problems, side)
    if not document.channels:
        problems.raise_if_errors()  # a document that could not be read yields only follow-on noise
    api, schemas = _api(document, root, problems, package)
    problems.raise_if_errors(strict=strict)
    return Built(api, schemas, tuple(str(w) for w in report(problems.warnings)))


def _api(
    document: Document, root: Node, problems: Problems, package: str | None
) -> tuple[Api, dict[str, object]]:
    pkg = package or names.package(document.info.title)
    channels = [c for c in document.channels if c.operations]
    if not channels:
        problems.error(root.location, "no channel has an operation: nothing to generate")
    schemas: dict[str, object] = {}
    built = []
    modules: set[str] = set()
    connections = Connections(root, document.version, problems)
    for raw in channels:
        module = "" if len(channels) == 1 else names.unique(names.snake(raw.key), modules)
        channel = _channel(raw, module, problems, schemas)
        built.append(dataclasses.replace(channel, connection=connections.of([raw])))
    api = Api(
        title=document.info.title,
        version=document.info.version,
        description=document.info.description,
        asyncapi_version=document.version,
        package=pkg,
        distribution=pkg.replace("_", "-"),
        spec_name=root.source.path.name,
        sources=_sources(root),
        msgen_version=__version__,
        channels=tuple(built),
        side=document.side,
    )
    return api, schemas


def _sources(root: Node) -> tuple[tuple[str, str], ...]:
    """(path relative to the spec's folder, sha256) of every file read, the spec first."""
    base = root.source.path.parent
    out = [(root.source.path.name, root.source.sha256)]
    others = [s for s in root.workspace.files.values() if s is not root.source]
    for source in sorted(others, key=lambda s: s.path.as_posix()):
        out.append((Path(os.path.relpath(source.path, base)).as_posix(), source.sha256))
    return tuple(out)


DIRECTIONS: tuple[Direction, ...] = ("inbound", "outbound")


def _channel(
    raw: RawChannel, module: str, problems: Problems, schemas: dict[str, object]
) -> Channel:
    taken = set(RESERVED)
    converter = SchemaConverter(problems, taken)
    picked: dict[Direction, list[RawMessage]] = {d: [] for d in DIRECTIONS}
    op_ids: dict[Direction, list[str]] = {d: [] for d in DIRECTIONS}
    for op in raw.operations:
        op_ids[op.direction].append(op.key)
        for raw_message in op.messages:
            if all(m.node.identity != raw_message.node.identity for m in picked[op.direction]):
                picked[op.direction].append(raw_message)
    # Class names first, so messages get the clean names and nested classes yield.
    wanted = [(d, m, _wanted_name(m)) for d in DIRECTIONS for m in picked[d]]
    counts: dict[str, int] = {}
    for _, _, name in wanted:
        counts[name] = counts.get(name, 0) + 1
    class_names: dict[tuple[Direction, int], str] = {}
    for direction, raw_message, name in wanted:
        # `media` both ways: InboundMedia and OutboundMedia.
        qualified = direction.capitalize() + name
        clash = counts[name] > 1 and not name.startswith(direction.capitalize())
        key = (direction, id(raw_message))
        class_names[key] = names.unique(qualified if clash else name, taken)
    unions: dict[Direction, FrameUnion] = {}
    for direction in DIRECTIONS:
        messages = []
        for raw_message in picked[direction]:
            name = class_names[(direction, id(raw_message))]
            message = _message(raw_message, direction, name, converter, problems, schemas, module)
            if message is not None:
                messages.append(message)
        unions[direction] = _union(direction, messages, tuple(op_ids[direction]), problems)
        for message in unions[direction].messages:
            if message.payload.declared_discriminator:
                # The keyword implies a constant the schema does not spell out: tell the oracle.
                schema_key = f"{module}:{message.class_name}"
                implied = {"properties": {message.discriminator: {"const": message.tag}}}
                schemas[schema_key] = {"allOf": [schemas[schema_key], implied]}
    channel = Channel(
        key=raw.key,
        address=raw.address,
        description=raw.description,
        module=module,
        inbound=unions["inbound"],
        outbound=unions["outbound"],
        media=None,
        location=raw.node.location,
    )
    return dataclasses.replace(channel, media=_media(channel))


def _wanted_name(message: RawMessage) -> str:
    name = message.node.value.get("name")
    return names.pascal(name if isinstance(name, str) and name else message.key)


def _message(
    raw: RawMessage,
    direction: Direction,
    class_name: str,
    converter: SchemaConverter,
    problems: Problems,
    schemas: dict[str, object],
    module: str,
) -> Message | None:
    node = raw.node
    for key in ("traits", "headers", "correlationId"):
        if node.get(key) is not None:
            problems.warning(node.child(key).location, f"message {key} are not supported: ignored")
    content_type = node.get("contentType")
    if content_type is not None and content_type.value not in ("application/json",):
        problems.warning(content_type.location, "only JSON messages are supported")
    payload_node = node.get("payload")
    if payload_node is None:
        problems.error(node.location, f"message {raw.key!r} has no payload")
        return None
    # 3.x multi-format schema object: {schemaFormat, schema}.
    target = payload_node.deref() if payload_node.is_ref else payload_node
    if isinstance(target.value, dict) and "schemaFormat" in target.value:
        fmt = target.value["schemaFormat"]
        if not str(fmt).startswith(("application/vnd.aai.asyncapi", "application/schema+json")):
            problems.error(
                target.child("schemaFormat").location, f"unsupported schemaFormat {fmt!r}"
            )
            return None
        schema_node = target.get("schema")
        if schema_node is None:
            problems.error(target.location, "multi-format schema without `schema`")
            return None
        payload_node = schema_node
    try:
        plain, origins = inline(payload_node)
    except SpecError as exc:
        problems.items.extend(exc.problems)
        return None
    if not check_schema(plain, origins, problems):
        return None
    payload = converter.payload(payload_node, class_name)
    if payload is None:
        return None
    examples = _examples(node, plain, problems)
    schemas[f"{module}:{class_name}"] = plain
    return Message(
        key=raw.key,
        class_name=class_name,
        direction=direction,
        discriminator="",
        tag="",
        payload=payload,
        title=_s(node.value.get("title")),
        summary=_s(node.value.get("summary")),
        description=_s(node.value.get("description")),
        examples=examples,
        location=node.location,
    )


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


def _examples(node: Node, schema: object, problems: Problems) -> tuple[Example, ...]:
    examples_node = node.get("examples")
    if examples_node is None:
        problems.warning(node.location, "message has no examples: only generated frames test it")
        return ()
    if not isinstance(examples_node.value, list):
        problems.warning(examples_node.location, "message examples must be a list: ignored")
        return ()
    check = validator(schema)
    out = []
    for i, example in enumerate(examples_node.elements()):
        payload = example.get("payload") if isinstance(example.value, dict) else None
        if payload is None:
            continue
        name = example.value.get("name")
        name = name if isinstance(name, str) else f"example{i + 1}"
        error = best_match(check.iter_errors(payload.value))
        if error is not None:
            # Examples are documentation: a wrong one costs its test, not the build.
            problems.warning(
                _at(payload, error.absolute_path).location,
                f"example {name!r} does not match the payload, so no test uses it: {error.message}",
            )
            continue
        wire = json.dumps(payload.value, separators=(",", ":"), ensure_ascii=False)
        out.append(Example(name=name, wire=wire, location=payload.location))
    return tuple(out)


def _at(node: Node, path: Iterable[str | int]) -> Node:
    """The deepest node along a JSON Schema error's path."""
    for step in path:
        if isinstance(node.value, dict) and str(step) in node.value:
            node = node.child(str(step))
        elif isinstance(node.value, list) and isinstance(step, int):
            node = node.child(step)
        else:
            break
    return node


def _declared_tag(message: Message, problems: Problems) -> Message:
    """Apply the ``discriminator`` keyword: its property, unless already a constant, must equal
    the schema's components name (else the message's name)."""
    payload = message.payload
    name = payload.declared_discriminator
    if not name:
        return message
    field = next((f for f in payload.fields if f.wire_name == name), None)
    if field is None or not field.required:
        problems.error(
            payload.location or message.location,
            f"discriminator {name!r} must be a required property of message {message.key!r}",
        )
        return message
    if isinstance(field.type, LiteralType):
        return message
    if not isinstance(field.type, StringType):
        problems.error(
            payload.location or message.location, f"discriminator {name!r} must be a string"
        )
        return message
    tag = payload.schema_key or message.key
    fields = tuple(
        dataclasses.replace(f, type=LiteralType((tag,))) if f is field else f
        for f in payload.fields
    )
    return dataclasses.replace(message, payload=dataclasses.replace(payload, fields=fields))


def _union(
    direction: Direction,
    messages: list[Message],
    operation_ids: tuple[str, ...],
    problems: Problems,
) -> FrameUnion:
    messages = [_declared_tag(m, problems) for m in messages]
    discriminator = _discriminator(messages, problems)
    tagged: list[Message] = []
    seen: dict[str, Message] = {}
    for message in messages:
        field = next((f for f in message.payload.fields if f.wire_name == discriminator), None)
        if field is None or not _single_tag(field):
            continue
        assert isinstance(field.type, LiteralType)
        tag = str(field.type.values[0])
        if tag in seen:
            problems.error(
                message.location,
                f"{direction} messages {seen[tag].key!r} and {message.key!r} share "
                f"{discriminator}={tag!r}: they cannot be told apart",
            )
            continue
        payload = dataclasses.replace(
            message.payload,
            fields=tuple(
                dataclasses.replace(f, is_discriminator=True) if f is field else f
                for f in message.payload.fields
            ),
        )
        tagged_message = dataclasses.replace(
            message, discriminator=discriminator, tag=tag, payload=payload
        )
        seen[tag] = tagged_message
        tagged.append(tagged_message)
    return FrameUnion(
        direction=direction,
        type_name=f"{direction.capitalize()}Frame",
        decode_name=f"decode_{direction}",
        discriminator=discriminator,
        messages=tuple(tagged),
        operation_ids=operation_ids,
    )


def _single_tag(field: Field) -> bool:
    return (
        field.required
        and isinstance(field.type, LiteralType)
        and len(field.type.values) == 1
        and isinstance(field.type.values[0], str)
    )


def _discriminator(messages: list[Message], problems: Problems) -> str:
    """The wire field every message fixes to one string: ``event``, ``type``…"""
    if not messages:
        return ""
    common: list[str] | None = None
    for message in messages:
        own = [f.wire_name for f in message.payload.fields if _single_tag(f)]
        common = own if common is None else [n for n in common if n in own]
    if common:
        return common[0]
    for message in messages:
        if not any(_single_tag(f) for f in message.payload.fields):
            problems.error(
                message.location,
                f"message {message.key!r} has no required property with a single constant "
                "string value (such as `event`), so it cannot be told apart from the others",
            )
            return ""
    problems.error(
        messages[0].location,
        "the messages share no discriminator: no property is a required single-value constant "
        "in all of them",
    )
    return ""


# -- media ------------------------------------------------------------------------------------


def _media(channel: Channel) -> MediaProfile | None:
    """Audio is declared when the channel carries mu-law in a base64 field both ways."""
    declared = _declared_format(channel)
    inbound = _audio_field(channel.inbound.messages, declared is not None)
    outbound = _audio_field(channel.outbound.messages, declared is not None)
    if inbound is None or outbound is None:
        return None
    out_message, out_path = outbound
    if len(out_path) != 2:
        return None
    top = out_message.payload
    chunk_field = next(f for f in top.fields if f.py_name == out_path[0])
    assert isinstance(chunk_field.type, ObjectType)
    others = [f for f in top.user_fields if f is not chunk_field and f.required]
    chunk_others = [f for f in chunk_field.type.user_fields if f.py_name != out_path[1]]
    if len(others) != 1 or not isinstance(others[0].type, StringType) or chunk_others:
        return None
    rate, channels_count = declared or (8000, 1)
    return MediaProfile(
        audio=AudioFormat("audio/x-mulaw", rate, channels_count),
        inbound_media=inbound[0],
        inbound_payload_attr=".".join(inbound[1]),
        outbound_media=out_message,
        outbound_chunk_class=chunk_field.type.class_name,
        outbound_stream_attr=others[0].py_name,
        lifecycle=_lifecycle(channel),
        playback=_playback(channel),
    )


def _by_tag(messages: tuple[Message, ...], tag: str, *paths: str) -> Message | None:
    """The message with this tag, if it has every dotted attribute path given."""
    message = next((m for m in messages if m.tag == tag), None)
    if message is None or not all(_has_path(message.payload, p.split(".")) for p in paths):
        return None
    return message


def _has_path(obj: ObjectType, path: list[str]) -> bool:
    field = next((f for f in obj.fields if f.py_name == path[0]), None)
    if field is None:
        return False
    if len(path) == 1:
        return True
    return isinstance(field.type, ObjectType) and _has_path(field.type, path[1:])


def _lifecycle(channel: Channel) -> Lifecycle | None:
    inbound = channel.inbound.messages
    start = _by_tag(
        inbound,
        "start",
        "stream_sid",
        "start.call_sid",
        "start.account_sid",
        "start.custom_parameters",
        "sequence_number",
    )
    stop = _by_tag(inbound, "stop", "stream_sid", "sequence_number")
    if start is None or stop is None:
        return None
    return Lifecycle(
        connected=_by_tag(inbound, "connected"),
        start=start,
        stop=stop,
        dtmf=_by_tag(inbound, "dtmf", "dtmf.digit", "sequence_number"),
    )


def _playback(channel: Channel) -> Playback | None:
    inbound_mark = _by_tag(channel.inbound.messages, "mark", "mark.name", "sequence_number")
    outbound_mark = _by_tag(channel.outbound.messages, "mark", "stream_sid", "mark.name")
    clear = _by_tag(channel.outbound.messages, "clear", "stream_sid")
    if inbound_mark is None or outbound_mark is None or clear is None:
        return None
    label = next(f for f in outbound_mark.payload.fields if f.py_name == "mark")
    assert isinstance(label.type, ObjectType)
    return Playback(inbound_mark, outbound_mark, clear, label.type.class_name)


def _declared_format(channel: Channel) -> tuple[int, int] | None:
    """(rate, channels) from an object whose consts say ``encoding`` mu-law, ``sampleRate``..."""
    for obj in channel.objects:
        consts = {
            f.wire_name: f.type.values[0]
            for f in obj.fields
            if isinstance(f.type, LiteralType) and len(f.type.values) == 1
        }
        encoding = consts.get("encoding")
        if isinstance(encoding, str) and encoding.lower().startswith(_MULAW):
            rate = consts.get("sampleRate", 8000)
            count = consts.get("channels", 1)
            if isinstance(rate, int) and isinstance(count, int):
                return rate, count
    return None


def _audio_field(
    messages: tuple[Message, ...], format_declared: bool
) -> tuple[Message, tuple[str, ...]] | None:
    for message in messages:
        path = _find_audio(message.payload, format_declared, ())
        if path is not None:
            return message, path
    return None


def _find_audio(
    obj: ObjectType, format_declared: bool, prefix: tuple[str, ...]
) -> tuple[str, ...] | None:
    for f in obj.fields:
        t: TypeNode = f.type
        if isinstance(t, StringType) and f.required and _is_audio(t, format_declared):
            return (*prefix, f.py_name)
        if isinstance(t, ObjectType) and f.required:
            found = _find_audio(t, format_declared, (*prefix, f.py_name))
            if found is not None:
                return found
    return None


def _is_audio(t: StringType, format_declared: bool) -> bool:
    media_type = (t.content_media_type or "").lower()
    if media_type.startswith(_MULAW):
        return True
    base64 = t.content_encoding == "base64" or t.format == "byte"
    return format_declared and base64 and not media_type
