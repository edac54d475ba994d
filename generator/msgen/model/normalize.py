"""Build the intermediate model from a read document: names, discriminators, examples, media."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from jsonschema.exceptions import best_match

from msgen import __version__
from msgen.model import behaviour, media, names
from msgen.model.connection import Connections, is_path
from msgen.model.discriminate import frame_union, kinds
from msgen.model.ir import (
    AnyType,
    Api,
    AudioFormat,
    BytesType,
    Channel,
    Example,
    FrameUnion,
    Lifecycle,
    LiteralType,
    MediaProfile,
    Message,
    ObjectType,
    Playback,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.model.schema import SchemaConverter, check_schema, inline, validator
from msgen.reading import overlay
from msgen.reading.document import Document, RawChannel, RawMessage, read
from msgen.reading.fields import VERSIONS_2
from msgen.reading.loader import Node, Workspace, unescape
from msgen.reading.problems import Direction, Problems, Side, SpecError, report

#: Names the generated modules that use the frame classes define or import themselves: a class
#: the document would give one of them gets a suffix (``EventMessage``, ``SessionObject``).
#: tests/test_normalize.py checks the list against what the templates render.
RESERVED = frozenset(
    {
        # typing and the standard library, pydantic and msgspec, as the modules import them
        *("Annotated", "Any", "AsyncIterable", "AsyncIterator", "Awaitable", "BaseModel"),
        *("Callable", "ClassVar", "ConfigDict", "Coroutine", "Enum", "Field", "Final"),
        *("Generator", "Iterable", "Iterator", "Literal", "Mapping", "ModuleType", "Never"),
        *("NoReturn",),
        *("Protocol", "RootModel", "Self", "Sequence", "TYPE_CHECKING", "TypeAdapter"),
        *("TypeAlias", "TypeVar"),
        # websockets
        *("ClientConnection", "ConnectionClosed", "ConnectionClosedOK", "InvalidHandshake"),
        *("InvalidStatus", "ServerConnection"),
        # the package's own
        *("ADDRESS", "ALAW_SILENCE", "App", "Audio", "AudioStream", "COMMON_RATES", "Call"),
        *("CallRefused", "Chunker", "Decoder", "Encoder", "Encoding", "PONG_SECONDS"),
        *("SETTLE_ROUNDS", "WireFormat"),
        *("CallReport", "CodecError", "Connection", "Driver", "EVERY", "EXAMPLES", "Echo"),
        *("Emulator", "Event", "Expect", "F32Array", "FRAME_BYTES", "FRAME_SECONDS", "Frame"),
        *("FrameError", "Framer", "Handler", "InboundAudio", "InboundFrame", "InvalidFrame"),
        *("LENIENT_TRANSITIONS", "Link", "MAX_RATE", "MIN_RATE", "MarkCleared", "MarkEcho"),
        *("MarkPlayed", "OutboundAudio", "OutboundFrame", "ParameterError", "PeerServer"),
        *("PlayResult", "Playback", "ProtocolError", "QueryValue", "Report", "Resampler"),
        *("SERVERS", "Scalar", "Send", "SequenceGap", "Server", "ServerInfo", "Session"),
        *("SessionError", "State", "Step", "StreamMismatch", "TASK_GRACE_SECONDS"),
        *("TRANSITIONS", "Tally", "ULAW_SILENCE", "UNSET", "UnexpectedFrame", "UnknownMark"),
        *("Unset", "UsageError", "Violation", "WIRE_RATE"),
        *("PONG_SECONDS", "SETTLE_ROUNDS"),
        # the client's connection life
        *("ConnectionFailed", "HandshakeRefused", "KeepaliveFailed", "Life", "NotReady"),
        *("RETRYABLE", "Reconnect", "Reconnected", "Reconnecting", "ServerClosed"),
        *("ServerError", "Target", "UnknownFrame"),
    }
)
_MULAW = ("audio/x-mulaw", "audio/pcmu", "audio/basic")


@dataclasses.dataclass(frozen=True)
class Built:
    """The model plus the per-message JSON Schemas the generated tests embed."""

    api: Api
    schemas: dict[str, object]
    warnings: tuple[str, ...]
    #: Which party the generated code plays and why, when msgen chose it ("" when asked for).
    reading: str = ""


def load(
    path: Path,
    *,
    package: str | None = None,
    side: Side | None = None,
    strict: bool = False,
    overlays: Sequence[Path] = (),
) -> Built:
    """Parse, validate and normalise a spec, with ``overlays`` applied in order; raises
    SpecError listing every problem. ``side`` None lets msgen choose (``document.read``)."""
    problems = Problems()
    workspace = Workspace(problems)
    overlay.apply(workspace, path, list(overlays))
    root = workspace.root(path)
    document = read(root, problems, side)
    if not document.channels:
        problems.raise_if_errors()  # a document that could not be read yields only follow-on noise
    api, schemas = _api(document, root, problems, package)
    problems.raise_if_errors(strict=strict)
    warnings = tuple(str(w) for w in report(problems.warnings))
    return Built(api, schemas, warnings, document.reading)


def _api(
    document: Document, root: Node, problems: Problems, package: str | None
) -> tuple[Api, dict[str, object]]:
    titled = names.package_from_title(document.info.title, _first_host(root))
    pkg = package or titled
    channels = [c for c in document.channels if c.operations]
    if not channels:
        problems.error(root.location, "no channel has an operation: nothing to generate")
    schemas: dict[str, object] = {}
    sockets = _sockets(channels, root, document.version)
    modules = _module_names(sockets)
    default_type = root.value.get("defaultContentType") if isinstance(root.value, dict) else None
    context = _Context(problems, schemas, default_type if isinstance(default_type, str) else "")
    connections = Connections(root, document.version, problems)
    built = [
        _behaviour(
            group,
            dataclasses.replace(_channel(group, module, context), connection=connections.of(group)),
            problems,
        )
        for (_, group), module in zip(sockets, modules, strict=True)
    ]
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
        package_chosen=pkg != titled,
        role=document.role,
    )
    return api, schemas


@dataclasses.dataclass(frozen=True)
class _Context:
    problems: Problems
    #: Per message (``module:Class``): its JSON Schema for the generated tests' oracle.
    schemas: dict[str, object]
    #: The document's ``defaultContentType`` ("" when it has none).
    default_content_type: str


def _first_host(root: Node) -> str:
    """The host of the document's first server (its ``host``, or its ``url`` without scheme)."""
    servers = root.value.get("servers") if isinstance(root.value, dict) else None
    if not isinstance(servers, dict):
        return ""
    for server in servers.values():
        if isinstance(server, dict):
            where = server.get("host") or server.get("url")
            if isinstance(where, str):
                return where.split("://")[-1].split("/")[0].split(":")[0]
    return ""


def _channel_servers(raw: RawChannel, root: Node) -> frozenset[str]:
    """The names of the servers a channel is available on (all of them when it does not say)."""
    listed = raw.node.value.get("servers") if isinstance(raw.node.value, dict) else None
    if isinstance(listed, list) and listed:
        out = set()
        for item in listed:
            if isinstance(item, dict) and isinstance(item.get("$ref"), str):
                out.add(unescape(item["$ref"].rsplit("/", 1)[-1]))
            elif isinstance(item, str):
                out.add(item)
        return frozenset(out)
    servers = root.value.get("servers") if isinstance(root.value, dict) else None
    return frozenset(servers) if isinstance(servers, dict) else frozenset()


def _sockets(
    channels: list[RawChannel], root: Node, version: str
) -> list[tuple[str, list[RawChannel]]]:
    """Channels that share an address and servers are one WebSocket: grouped, in document order,
    each group with the address that names it.

    In 2.x a channel key that is not a path (``session.update``, ``Login``) names a stream on its
    servers' URL, not a path below it: channels so named on the same servers are one socket when
    those servers' URLs have a fixed path (no ``{variable}`` in the path part), named by its
    first server's path. Where the path is a variable (``{host}/{path}``) each channel may be a
    socket of its own, and stays one; without servers nothing says the channels share a URL.
    """
    groups: dict[tuple[str | None, frozenset[str]], tuple[str, list[RawChannel]]] = {}
    for raw in channels:
        servers = _channel_servers(raw, root)
        stream = version in VERSIONS_2 and not is_path(raw.address)
        paths = _server_paths(servers, root) if stream else None
        key = (None if paths is not None else raw.address, servers)
        groups.setdefault(key, (paths[0] if paths else raw.address, []))[1].append(raw)
    return list(groups.values())


def _server_paths(servers: frozenset[str], root: Node) -> list[str] | None:
    """The URL paths of the named servers in document order; None when there are none, or when
    one is unknown or has a ``{variable}`` in its path."""
    declared = root.get("servers")
    if not servers or declared is None:
        return None
    paths = []
    for name, node in declared.items():
        if name not in servers:
            continue
        try:
            target = node.deref()
        except SpecError:  # reported where the servers are read
            return None
        if not isinstance(target.value, dict):
            return None
        url = target.value.get("url") or target.value.get("host")
        if not isinstance(url, str):
            return None
        _, found, rest = url.partition("://")
        path = (rest if found else url).split("?", 1)[0].partition("/")[2]
        if "{" in path:
            return None
        paths.append("/" + path)
    return paths if len(paths) == len(servers) else None


#: Names of the package's own modules, which a channel subpackage must not take.
_PACKAGE_MODULES = frozenset(
    {"errors", "frames", "wire", "session", "handler", "server", "asgi", "picows_server"}
    | {"codec", "emulator", "examples", "tests", "py", "typed"}
)


def _module_names(sockets: list[tuple[str, list[RawChannel]]]) -> list[str]:
    """A subpackage name per socket, as a person would pick it ("" for a single socket).

    The address's path segments without parameters, versions and generic words, minus the
    leading words every socket shares; versions come back where two would clash, then the
    channel key.
    """
    if len(sockets) == 1:
        return [""]
    wanted = [names.module(address) or names.module(g[0].key) for address, g in sockets]
    while all(len(w) > 1 for w in wanted) and len({w[0] for w in wanted}) == 1:
        wanted = [w[1:] for w in wanted]
    base = ["_".join(w) for w in wanted]
    versioned = [
        "_".join([name, *names.versions(address)]) if base.count(name) > 1 else name
        for name, (address, _) in zip(base, sockets, strict=True)
    ]
    taken = set(_PACKAGE_MODULES)
    final = []
    for name, (_, group) in zip(versioned, sockets, strict=True):
        chosen = name if name and versioned.count(name) == 1 else group[0].key
        final.append(names.unique(names.snake(chosen), taken))
    return final


def _sources(root: Node) -> tuple[tuple[str, str], ...]:
    """(path relative to the spec's folder, sha256) of every file read, the spec first."""
    base = root.source.path.parent
    out = [(root.source.path.name, root.source.sha256)]
    others = [s for s in root.workspace.files.values() if s is not root.source]
    for source in sorted(others, key=lambda s: s.path.as_posix()):
        out.append((Path(os.path.relpath(source.path, base)).as_posix(), source.sha256))
    return tuple(out)


DIRECTIONS: tuple[Direction, ...] = ("inbound", "outbound")


def _channel(group: list[RawChannel], module: str, context: _Context) -> Channel:
    problems = context.problems
    taken = set(RESERVED)
    converter = SchemaConverter(problems, taken, RESERVED)
    picked: dict[Direction, list[RawMessage]] = {d: [] for d in DIRECTIONS}
    op_ids: dict[Direction, list[str]] = {d: [] for d in DIRECTIONS}
    for raw in group:
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
        wanted_name = qualified if clash else name
        if wanted_name in RESERVED:
            wanted_name += "Message"
        class_names[key] = names.unique(wanted_name, taken)
    unions: dict[Direction, FrameUnion] = {}
    for direction in DIRECTIONS:
        messages = []
        for raw_message in picked[direction]:
            name = class_names[(direction, id(raw_message))]
            message = _message(raw_message, direction, name, converter, context, module)
            if message is not None:
                messages.append(message)
        unions[direction] = frame_union(direction, messages, tuple(op_ids[direction]), problems)
        for message in unions[direction].messages:
            declared = message.object.declared_discriminator if message.object else ""
            field = next((f for f in message.fields if f.wire_name == declared), None)
            if field is not None and isinstance(field.type, LiteralType):
                # The keyword implies a constant the schema may not spell out: tell the oracle.
                schema_key = f"{module}:{message.class_name}"
                implied = {"properties": {declared: {"const": field.type.values[0]}}}
                context.schemas[schema_key] = _with(context.schemas[schema_key], implied)
    first = group[0]
    channel = Channel(
        key=first.key,
        address=first.address,
        description=next((c.description for c in group if c.description), ""),
        module=module,
        inbound=unions["inbound"],
        outbound=unions["outbound"],
        media=None,
        location=first.node.location,
        keys=tuple(c.key for c in group),
    )
    channel = dataclasses.replace(channel, media=_media(channel))
    return dataclasses.replace(channel, profile=_profile(group, channel, problems))


def _profile(group: list[RawChannel], channel: Channel, problems: Problems) -> media.Media | None:
    """The channel's declared media profile, else the one a Twilio-shaped channel implies."""
    declared = [node for raw in group if (node := raw.node.get(media.KEY)) is not None]
    for extra in declared[1:]:
        problems.error(
            extra.location, f"{media.KEY} is declared on more than one of the merged channels"
        )
    if declared:
        return media.read(channel, declared[0], problems)
    return media.infer(channel, group[0].node, problems)


def _behaviour(group: list[RawChannel], channel: Channel, problems: Problems) -> Channel:
    """The channel with its declared connection behaviour (``x-msgen-connection``), if any."""
    declared = [node for raw in group if (node := raw.node.get(behaviour.KEY)) is not None]
    for extra in declared[1:]:
        problems.error(
            extra.location, f"{behaviour.KEY} is declared on more than one of the merged channels"
        )
    if not declared:
        return channel
    return dataclasses.replace(channel, behaviour=behaviour.read(channel, declared[0], problems))


def _with(schema: object, also: Mapping[str, object]) -> dict[str, object]:
    """``allOf [schema, also]``, the root's ``definitions`` kept at the root."""
    rest = dict(schema) if isinstance(schema, dict) else {"allOf": [schema]}
    definitions = rest.pop("definitions", None)
    out: dict[str, object] = {"allOf": [rest, also]}
    if definitions is not None:
        out["definitions"] = definitions
    return out


def _wanted_name(message: RawMessage) -> str:
    return names.pascal(_message_name(message))


def _message_name(message: RawMessage) -> str:
    """``name``, else ``messageId``, else an identifier-like ``title``, else the key."""
    value = message.node.value
    for key in ("name", "messageId"):
        text = value.get(key)
        if isinstance(text, str) and names.words(text):
            return text
    title = value.get("title")
    if isinstance(title, str) and re.fullmatch(r"[A-Za-z_][\w.-]*", title):
        return title
    return message.key


_JSON_TYPES = re.compile(r"application/json|text/json|[^/\s]+/[^/\s]+\+json", re.IGNORECASE)


def _media_type(content_type: str) -> str:
    return content_type.split(";", maxsplit=1)[0].strip().lower()


def _is_plain(content_type: str) -> bool:
    """A ``text/*`` content type other than JSON: the frame's text is the value."""
    media_type = _media_type(content_type)
    return media_type.startswith("text/") and not _JSON_TYPES.fullmatch(media_type)


def _is_binary(content_type: str, payload: Node | None) -> bool:
    """A message travels as a binary frame when its content type is neither JSON nor text, or
    when its payload is a binary string (``format: binary`` or ``contentEncoding: binary``)."""
    media_type = _media_type(content_type)
    if media_type and not _JSON_TYPES.fullmatch(media_type) and not _is_plain(media_type):
        return True
    target = payload.deref() if payload is not None and payload.is_ref else payload
    value = target.value if target is not None else None
    return (
        isinstance(value, dict)
        and value.get("type") == "string"
        and "binary" in (value.get("format"), value.get("contentEncoding"))
    )


def _message(
    raw: RawMessage,
    direction: Direction,
    class_name: str,
    converter: SchemaConverter,
    context: _Context,
    module: str,
) -> Message | None:
    problems = context.problems
    node = raw.node
    for key in ("headers", "correlationId"):
        if node.get(key) is not None:
            problems.warning(node.child(key).location, f"message {key} are not supported: ignored")
    type_node = node.get("contentType")
    content_type = type_node.value if type_node is not None else context.default_content_type
    if not isinstance(content_type, str):
        problems.error(node.child("contentType").location, "contentType must be a string")
        return None
    payload_node = node.get("payload")
    if payload_node is not None:
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
    binary = _is_binary(content_type, payload_node)
    plain_text = not binary and _is_plain(content_type)
    examples: tuple[Example, ...] = ()
    payload: TypeNode | None
    plain: object
    if binary:
        payload, plain = BytesType(), {}
    elif payload_node is None:
        # No payload: any JSON value (any text, for a plain-text message).
        payload, plain = (StringType(), {"type": "string"}) if plain_text else (AnyType(), {})
        examples = _examples(node, plain, problems)
    else:
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
        if plain_text and "string" not in kinds(payload, {}):
            problems.error(
                payload_node.location,
                f"a {content_type} message carries text: its payload must accept a string",
            )
            return None
        if converter.unenforced or converter.merged:
            # The schema as the generated code reads it: examples and tests are judged by it.
            plain, _ = inline(payload_node, skip=converter.unenforced, merged=converter.merged)
        if plain_text and kinds(payload, {}) != {"string"}:
            # The frame's text is the value: only what the schema allows of strings can travel.
            payload = _strings_of(payload)
            plain = _with(plain, {"type": "string"})
        examples = _examples(node, plain, problems)
    context.schemas[f"{module}:{class_name}"] = plain
    return Message(
        key=raw.key,
        name=_message_name(raw),
        class_name=class_name,
        direction=direction,
        payload=payload,
        binary=binary,
        plain=plain_text,
        content_type=content_type,
        discriminator="",
        tag="",
        tag_required=False,
        title=_s(node.value.get("title")),
        summary=_s(node.value.get("summary")),
        description=_s(node.value.get("description")),
        examples=examples,
        location=node.location,
    )


def _strings_of(node: TypeNode) -> TypeNode:
    """The string part of a type that accepts strings and more (``{}``, a union, a type list)."""
    match node:
        case AnyType():
            return StringType()
        case LiteralType():
            return LiteralType(tuple(v for v in node.values if isinstance(v, str)))
        case UnionType():
            parts = tuple(_strings_of(v) for v in node.variants if "string" in kinds(v, {}))
            return parts[0] if len(parts) == 1 else UnionType(parts, node.exclusive)
    return node


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
    top = out_message.object
    assert top is not None
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
    message = next((m for m in messages if m.tag == tag and m.tag_required), None)
    obj = message.object if message is not None else None
    if obj is None or not all(_has_path(obj, p.split(".")) for p in paths):
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
    label = next(f for f in outbound_mark.fields if f.py_name == "mark")
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
        obj = message.object
        path = None if obj is None else _find_audio(obj, format_declared, ())
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
