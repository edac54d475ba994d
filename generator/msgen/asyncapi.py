"""The document layer: AsyncAPI 2.6 and 3.x read into one neutral shape (channels, operations).

Version quirks end here. ``Side`` answers the 2.x question of whose point of view
``publish``/``subscribe`` take; 3.x ``send``/``receive`` always speak for the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from msgen.ir import Direction
from msgen.loader import Node, unescape
from msgen.problems import Problems, SpecError

#: "peer" (default): the document describes the party the generated code talks to, as vendors'
#: documents do, so 2.x ``subscribe`` (what that party sends) is what the generated code receives.
#: "application": the document describes the generated code itself (AsyncAPI 2.x's literal
#: reading: ``publish`` is what it receives). Irrelevant for 3.x, whose actions are unambiguous.
Side = Literal["peer", "application"]

SUPPORTED = ("2.6.0", "3.0.0", "3.1.0")


@dataclass(frozen=True)
class Info:
    title: str
    version: str
    description: str


@dataclass(frozen=True)
class RawMessage:
    key: str
    node: Node


@dataclass(frozen=True)
class RawOperation:
    key: str
    direction: Direction
    node: Node
    messages: tuple[RawMessage, ...]


@dataclass(frozen=True)
class RawChannel:
    key: str
    address: str
    description: str
    node: Node
    operations: tuple[RawOperation, ...]


@dataclass(frozen=True)
class Document:
    version: str
    info: Info
    channels: tuple[RawChannel, ...]
    root: Node


def read(root: Node, problems: Problems, side: Side = "peer") -> Document:
    """Read the version-neutral document; problems are recorded, not raised."""
    if not isinstance(root.value, dict):
        problems.error(root.location, "an AsyncAPI document must be a mapping")
        return Document("", Info("", "", ""), (), root)
    version_node = root.get("asyncapi")
    version = version_node.value if version_node is not None else None
    if version_node is None:
        problems.error(root.location, "missing `asyncapi` version field")
        return Document("", Info("", "", ""), (), root)
    if not isinstance(version, str) or version not in SUPPORTED:
        problems.error(
            version_node.location,
            f"unsupported AsyncAPI version {version!r} (supported: {', '.join(SUPPORTED)})",
        )
        return Document(str(version), Info("", "", ""), (), root)
    info = _info(root, problems)
    channels = (
        _channels_v3(root, problems)
        if version.startswith("3.")
        else _channels_v2(root, problems, side)
    )
    return Document(version, info, channels, root)


def _text(node: Node | None, problems: Problems, what: str) -> str:
    if node is None:
        return ""
    if not isinstance(node.value, str):
        problems.error(node.location, f"{what} must be a string")
        return ""
    return node.value


def _mapping(node: Node | None, problems: Problems, what: str) -> list[tuple[str, Node]]:
    if node is None:
        return []
    if not isinstance(node.value, dict):
        problems.error(node.location, f"{what} must be a mapping")
        return []
    return list(node.items())


def _info(root: Node, problems: Problems) -> Info:
    info = root.get("info")
    if info is None or not isinstance(info.value, dict):
        problems.error((info or root).location, "missing `info` object")
        return Info("", "", "")
    title = _text(info.get("title"), problems, "info.title")
    if not title:
        problems.error(info.location, "info.title is required (it names the package)")
    return Info(
        title,
        _text(info.get("version"), problems, "info.version"),
        _text(info.get("description"), problems, "info.description"),
    )


def _deref(node: Node, problems: Problems) -> Node | None:
    try:
        return node.deref()
    except SpecError as exc:
        problems.items.extend(exc.problems)
        return None


def _message_key(node: Node, fallback: str) -> str:
    """A message's key: its components name when it is one, else where it sits."""
    parts = node.pointer.split("/")
    return unescape(parts[-1]) if len(parts) > 1 else fallback


# -- 3.x -----------------------------------------------------------------------------------------

_ACTIONS: dict[str, Direction] = {"receive": "inbound", "send": "outbound"}


def _channels_v3(root: Node, problems: Problems) -> tuple[RawChannel, ...]:
    channels: dict[str, Node] = {}
    for key, node in _mapping(root.get("channels"), problems, "channels"):
        target = _deref(node, problems)
        if target is None:
            continue
        if not isinstance(target.value, dict):
            problems.error(node.location, "a channel must be a mapping")
            continue
        channels[key] = node
    operations: dict[str, list[RawOperation]] = {key: [] for key in channels}
    for key, node in _mapping(root.get("operations"), problems, "operations"):
        op = _deref(node, problems)
        if op is None:
            continue
        if not isinstance(op.value, dict):
            problems.error(node.location, "an operation must be a mapping")
            continue
        action = op.get("action")
        if action is None or not isinstance(action.value, str) or action.value not in _ACTIONS:
            where = (action or op).location
            got = "missing" if action is None else repr(action.value)
            problems.error(where, f"operation action must be 'send' or 'receive' (got {got})")
            continue
        channel_ref = op.get("channel")
        if channel_ref is None or not channel_ref.is_ref:
            problems.error((channel_ref or op).location, "operation.channel must be a $ref")
            continue
        channel_node = _deref(channel_ref, problems)
        if channel_node is None:
            continue
        channel_key = next((k for k, n in channels.items() if _same(n, channel_node)), None)
        if channel_key is None:
            problems.error(channel_ref.location, "operation.channel must point into `channels`")
            continue
        chosen = _picked_messages(op, channel_node, channel_key, key, problems)
        if chosen is None:
            continue
        direction = _ACTIONS[action.value]
        operations[channel_key].append(RawOperation(key, direction, op, chosen))
        reply = op.get("reply")
        if reply is not None:
            _reply(reply, key, direction, channel_node, channels, operations, problems)
    out = []
    for key, node in channels.items():
        channel = node.deref()
        address = channel.get("address")
        out.append(
            RawChannel(
                key=key,
                address=_text(address, problems, "channel.address") if address else key,
                description=_text(channel.get("description"), problems, "description"),
                node=channel,
                operations=tuple(operations[key]),
            )
        )
    return tuple(out)


def _picked_messages(
    op: Node, channel: Node, channel_key: str, op_key: str, problems: Problems
) -> tuple[RawMessage, ...] | None:
    """The operation's messages: all the channel's if none are listed; listed ones must be in it."""
    available = [m for _, m in _channel_messages(channel, problems)]
    messages_node = op.get("messages")
    if messages_node is None:
        return tuple(available)
    if not isinstance(messages_node.value, list):
        problems.error(messages_node.location, "messages must be a list of $refs")
        return None
    picked = []
    for ref in messages_node.elements():
        if not ref.is_ref:
            problems.error(ref.location, "messages items must be $refs")
            continue
        target = _deref(ref, problems)
        if target is None:
            continue
        match = next((m for m in available if _same(m.node, target)), None)
        if match is None:
            problems.error(
                ref.location,
                f"operation {op_key!r} names a message that channel {channel_key!r} lacks",
            )
            continue
        picked.append(match)
    return tuple(picked)


def _reply(
    reply_ref: Node,
    op_key: str,
    direction: Direction,
    channel: Node,
    channels: dict[str, Node],
    operations: dict[str, list[RawOperation]],
    problems: Problems,
) -> None:
    """A request/reply operation: the reply flows the other way, on its own or the same channel."""
    reply = _deref(reply_ref, problems)
    if reply is None or not isinstance(reply.value, dict):
        if reply is not None:
            problems.error(reply_ref.location, "reply must be a mapping")
        return
    target = channel
    channel_ref = reply.get("channel")
    if channel_ref is not None:
        resolved = _deref(channel_ref, problems)
        if resolved is None:
            return
        target = resolved
    key = next((k for k, n in channels.items() if _same(n, target)), None)
    if key is None:
        problems.error((channel_ref or reply).location, "reply.channel must point into `channels`")
        return
    chosen = _picked_messages(reply, target, key, f"{op_key} reply", problems)
    if chosen is not None:
        opposite: Direction = "outbound" if direction == "inbound" else "inbound"
        operations[key].append(RawOperation(f"{op_key}.reply", opposite, reply, chosen))


def _same(a: Node, b: Node) -> bool:
    da = a.deref() if a.is_ref else a
    db = b.deref() if b.is_ref else b
    return da.identity == db.identity


def _channel_messages(channel: Node, problems: Problems) -> list[tuple[str, RawMessage]]:
    out = []
    for key, node in _mapping(channel.get("messages"), problems, "channel.messages"):
        target = _deref(node, problems)
        if target is None:
            continue
        if not isinstance(target.value, dict):
            problems.error(node.location, "a message must be a mapping")
            continue
        out.append((key, RawMessage(_message_key(target, key), target)))
    return out


# -- 2.6 -----------------------------------------------------------------------------------------


def _channels_v2(root: Node, problems: Problems, side: Side) -> tuple[RawChannel, ...]:
    # AsyncAPI 2.x: `publish` = others send to the application; `subscribe` = the application sends.
    inbound_word = "publish" if side == "application" else "subscribe"
    out = []
    for address, node in _mapping(root.get("channels"), problems, "channels"):
        channel = _deref(node, problems)
        if channel is None:
            continue
        if not isinstance(channel.value, dict):
            problems.error(node.location, "a channel must be a mapping")
            continue
        operations = []
        for word in ("subscribe", "publish"):
            op_node = channel.get(word)
            if op_node is None:
                continue
            op = _deref(op_node, problems)
            if op is None or not isinstance(op.value, dict):
                if op is not None:
                    problems.error(op_node.location, f"{word} must be a mapping")
                continue
            direction: Direction = "inbound" if word == inbound_word else "outbound"
            op_id = _text(op.get("operationId"), problems, "operationId") or f"{address}.{word}"
            operations.append(RawOperation(op_id, direction, op, _v2_messages(op, problems)))
        for word in channel.value:
            if word not in (
                "subscribe",
                "publish",
                "description",
                "parameters",
                "bindings",
                "servers",
                "$ref",
            ) and not word.startswith("x-"):
                problems.warning(channel.child(word).location, f"channel field {word!r} ignored")
        out.append(
            RawChannel(
                key=address,
                address=address,
                description=_text(channel.get("description"), problems, "description"),
                node=channel,
                operations=tuple(operations),
            )
        )
    return tuple(out)


def _v2_messages(op: Node, problems: Problems) -> tuple[RawMessage, ...]:
    message = op.get("message")
    if message is None:
        problems.error(op.location, "operation has no `message`")
        return ()
    target = _deref(message, problems)
    if target is None:
        return ()
    one_of = target.get("oneOf")
    nodes = list(one_of.elements()) if one_of is not None else [message]
    if one_of is not None and not isinstance(one_of.value, list):
        problems.error(one_of.location, "message.oneOf must be a list")
        return ()
    out = []
    for i, node in enumerate(nodes):
        resolved = _deref(node, problems)
        if resolved is None:
            continue
        if not isinstance(resolved.value, dict):
            problems.error(node.location, "a message must be a mapping")
            continue
        out.append(RawMessage(_message_key(resolved, f"message{i + 1}"), resolved))
    return tuple(out)
