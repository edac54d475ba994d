"""The document layer: AsyncAPI 2.0.0 to 2.6.0 and 3.x read into one neutral shape (channels,
operations).

Version quirks end here. ``Side`` says which party the generated code plays; each version has its
default (``default_side``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from msgen.reading import keys
from msgen.reading.fields import VERSIONS_2, VERSIONS_3
from msgen.reading.loader import Merged, Node, merge_patch, unescape
from msgen.reading.problems import Direction, Problems, Role, Side, SpecError

__all__ = ["SUPPORTED", "Document", "Role", "Side", "default_side", "read"]

SUPPORTED = (*VERSIONS_2, *VERSIONS_3)


def default_side(version: str) -> Side:
    """2.x: "peer", the document describes the party the generated code talks to, as vendors'
    documents do (its ``subscribe`` is what the generated code receives). 3.x: "application", the
    generated code is the document's application (its ``receive`` operations are what it
    receives). The other side flips both readings."""
    return "application" if version in VERSIONS_3 else "peer"


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
    #: The party the generated code plays (the one asked for, else inferred, else the version's
    #: default).
    side: Side
    #: How the side was chosen, in a sentence a user can check ("" when asked for).
    reading: str = ""
    #: Whether the generated code, read this way, is a client or a server (``role``).
    role: Role = "server"


def read(root: Node, problems: Problems, side: Side | None = None) -> Document:
    """Read the version-neutral document; problems are recorded, not raised."""
    nothing = Document("", Info("", "", ""), (), root, side or "peer")
    if not isinstance(root.value, dict):
        problems.error(root.location, "an AsyncAPI document must be a mapping")
        return nothing
    version_node = root.get("asyncapi")
    if version_node is None:
        problems.error(root.location, "missing `asyncapi` version field")
        return nothing
    version = _version(version_node, problems)
    if version is None:
        return nothing
    keys.check(root, version, problems)
    info = _info(root, problems)
    asked = side
    side = side or default_side(version)
    channels = _channels(root, problems, side, version)
    reading = ""
    if asked is None:
        flip, reading = _inferred(root, channels, side)
        if flip:
            side = "application" if side == "peer" else "peer"
            # The same document read the other way round: its problems are the ones seen already.
            channels = _channels(root, Problems(), side, version)
    return Document(version, info, channels, root, side, reading, _role(root, channels))


def _channels(root: Node, problems: Problems, side: Side, version: str) -> tuple[RawChannel, ...]:
    if version in VERSIONS_3:
        return _channels_v3(root, problems, side)
    return _channels_v2(root, problems, side)


# -- which party the generated code plays -------------------------------------------------------

_PARTY_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _party(*texts: object) -> str:
    """ "client" or "server" when the texts name exactly one of the two parties as a word."""
    words = {w.lower() for t in texts if isinstance(t, str) for w in _PARTY_WORDS.findall(t)}
    named = words & {"client", "server"}
    return named.pop() if len(named) == 1 else ""


def _concrete_hosts(root: Node) -> list[str]:
    """The hosts of the document's servers that name a real machine (no ``{variable}``, no
    local or example host): a vendor's servers, which the generated code connects to."""
    servers = root.get("servers")
    out = []
    for _, node in servers.items() if servers is not None else ():
        value = node.deref().value if node.is_ref else node.value
        if not isinstance(value, dict):
            continue
        url = str(value.get("url") or value.get("host") or "")
        host = url.partition("://")[2] or url
        host = host.split("/")[0].split(":")[0].lower()
        local = host in ("localhost", "127.0.0.1") or host.endswith(("example.com", ".local"))
        if host and "{" not in host and not local:
            out.append(host)
    return out


def _inferred(root: Node, channels: tuple[RawChannel, ...], side: Side) -> tuple[bool, str]:
    """Whether to read the document the other way round than the version's default, and why.

    First the media profile (``x-msgen-media``): the audio it says the bot receives must be
    inbound. Then the parties the messages name (keys, names, titles, the operation's summary:
    "client", "server"), against the role the servers imply: concrete hosts are a vendor's
    servers, so the generated code is their client and receives the server's messages.
    """
    default = (
        f"read as the {side} side, the AsyncAPI {'3.x' if side == 'application' else '2.x'} default"
    )
    for channel in channels:
        media = channel.node.get("x-msgen-media")
        receive = (
            media.value.get("receive")
            if media is not None and isinstance(media.value, dict)
            else None
        )
        wanted = receive.get("message") if isinstance(receive, dict) else None
        if not isinstance(wanted, str):
            continue
        for op in channel.operations:
            for message in op.messages:
                value = message.node.value if isinstance(message.node.value, dict) else {}
                if wanted in (message.key, value.get("name"), value.get("messageId")):
                    flip = op.direction == "outbound"
                    return flip, (
                        f"read so that the generated code receives {wanted!r}, the audio its media"
                        " profile (x-msgen-media) says it receives"
                    )
    counts = _party_counts(channels)
    hosts = _concrete_hosts(root)
    if not any(counts.values()):
        return False, default + " (its messages do not say which party sends them)"
    received_from_clients, received_from_servers = _received(counts)
    if hosts:
        flip = received_from_clients > received_from_servers
        return flip, (
            f"read as the client of {hosts[0]}: the generated code sends the messages the document"
            " names as the client's and receives the server's"
        )
    if received_from_clients == received_from_servers:
        return False, default
    return (
        False,
        default + " (its servers are not a vendor's hosts, so its message names decide nothing)",
    )


def _party_counts(channels: tuple[RawChannel, ...]) -> dict[tuple[Direction, str], int]:
    """How many messages each direction holds that name the client or the server as a word (in
    their keys, names, titles, else the operation's summary)."""
    counts: dict[tuple[Direction, str], int] = {
        ("inbound", "client"): 0,
        ("inbound", "server"): 0,
        ("outbound", "client"): 0,
        ("outbound", "server"): 0,
    }
    for channel in channels:
        for op in channel.operations:
            summary = op.node.value if isinstance(op.node.value, dict) else {}
            for message in op.messages:
                value = message.node.value if isinstance(message.node.value, dict) else {}
                party = _party(
                    message.key, value.get("name"), value.get("title"), value.get("messageId")
                )
                party = party or _party(summary.get("summary"), summary.get("title"), op.key)
                if party:
                    counts[(op.direction, party)] += 1
    return counts


def _received(counts: dict[tuple[Direction, str], int]) -> tuple[int, int]:
    """How many received messages are named as the client's, and how many as the server's."""
    return (
        counts[("inbound", "client")] + counts[("outbound", "server")],
        counts[("inbound", "server")] + counts[("outbound", "client")],
    )


def _role(root: Node, channels: tuple[RawChannel, ...]) -> Role:
    """The part the generated code plays on the wire, as the document is read.

    "client" when it connects to the document's servers: they are a vendor's concrete hosts and
    the generated code does not receive more messages named as the client's than as the server's;
    or the document has no such hosts and every received message that names a party names the
    server (ElevenLabs' messages, with no servers at all). "server" otherwise: the document's
    servers stand for the one the generated code runs (``example.com``, a ``{variable}`` host,
    none), as in Twilio's Media Streams, where Twilio dials the customer's server; names on both
    sides (summaries saying "the server sends" and "sent to the server") decide nothing. A
    document can say it itself: ``x-msgen-role: client`` or ``server`` at its root.
    """
    said = root.value.get("x-msgen-role") if isinstance(root.value, dict) else None
    if said in ("client", "server"):
        return "client" if said == "client" else "server"
    from_clients, from_servers = _received(_party_counts(channels))
    if _concrete_hosts(root):
        return "server" if from_clients > from_servers else "client"
    return "client" if from_servers and not from_clients else "server"


def _version(node: Node, problems: Problems) -> str | None:
    """The ``asyncapi`` field, if it names a supported version."""
    value = node.value
    supported = f"supported: {VERSIONS_2[0]} to {VERSIONS_2[-1]}, {' and '.join(VERSIONS_3)}"
    if isinstance(value, str) and value in SUPPORTED:
        return value
    written = str(value)
    guess = next((v for v in SUPPORTED if v.startswith(f"{written}.")), "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads `asyncapi: 3.0` as the number 3.0; the field is a string.
        quoted = f"'{guess}'" if guess else "a quoted version string"
        problems.error(
            node.location,
            f"`asyncapi: {written}` is read as a number; write the version as a string: "
            f"asyncapi: {quoted} ({supported})",
        )
        return None
    hint = f"; did you mean {guess!r}?" if guess and isinstance(value, str) else ""
    problems.error(node.location, f"unsupported AsyncAPI version {value!r}{hint} ({supported})")
    return None


def _text(node: Node | None, problems: Problems, what: str) -> str:
    """A text field; any other value is ignored with a warning (texts never make code
    impossible; a missing title is an error of its own)."""
    if node is None:
        return ""
    if isinstance(node.value, int | float) and not isinstance(node.value, bool):
        # `version: 1.0` is a number in YAML: keep what it reads as, and say how to keep it exact.
        written = str(node.value)
        problems.warning(
            node.location, f"{what} is read as the number {written}; quote it: '{written}'"
        )
        return written
    if not isinstance(node.value, str):
        problems.warning(node.location, f"{what} must be a string: ignored")
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


def _with_traits(message: Node, problems: Problems, *, message_wins: bool) -> Node:
    """The message with its ``traits`` applied, each by JSON Merge Patch in the order listed.

    2.x merges each trait into the message, so a trait's field wins over the message's; 3.x merges
    the traits first and the message last, so the message's own fields win (the official parser
    reads both so). Traits cannot carry a payload, but may bring ``contentType``, ``name``,
    ``title``, descriptions and ``examples``, which the code and its tests use.
    """
    traits = message.get("traits")
    if traits is None:
        return message
    if not isinstance(traits.value, list):
        problems.error(traits.location, "message traits must be a list")
        return message
    merged: Node | None = None if message_wins else message
    for item in traits.elements():
        trait = _deref(item, problems)
        if trait is None:
            continue
        if not isinstance(trait.value, dict):
            problems.error(item.location, "a message trait must be a mapping")
            continue
        merged = merge_patch(merged, item, message)
    if message_wins:
        merged = merge_patch(merged, message, message)
    if not isinstance(merged, Merged):
        return message
    return Merged(message, {k: n for k, n in merged.parts.items() if k != "traits"})


def _message_key(node: Node, fallback: str) -> str:
    """A message's key: its components name when it is one, else where it sits."""
    parts = node.pointer.split("/")
    return unescape(parts[-1]) if len(parts) > 1 else fallback


# -- 3.x -----------------------------------------------------------------------------------------

_ACTIONS: dict[str, Direction] = {"receive": "inbound", "send": "outbound"}


def _opposite(direction: Direction) -> Direction:
    return "outbound" if direction == "inbound" else "inbound"


def _channels_v3(root: Node, problems: Problems, side: Side) -> tuple[RawChannel, ...]:
    return _Reader3(problems, side).read(root)


class _Reader3:
    """3.x channels and the operations that point at them; each channel's messages read once."""

    def __init__(self, problems: Problems, side: Side) -> None:
        self.problems = problems
        self.side = side
        self.channels: dict[str, Node] = {}
        self.operations: dict[str, list[RawOperation]] = {}
        #: Channel identity -> its message entries (as written) and what each resolved to.
        self.messages: dict[tuple[Path, str], list[tuple[Node, RawMessage | None]]] = {}

    def read(self, root: Node) -> tuple[RawChannel, ...]:
        problems = self.problems
        for key, node in _mapping(root.get("channels"), problems, "channels"):
            target = _deref(node, problems)
            if target is None:
                continue
            if not isinstance(target.value, dict):
                problems.error(node.location, "a channel must be a mapping")
                continue
            self.channels[key] = node
            self.operations[key] = []
        for key, node in _mapping(root.get("operations"), problems, "operations"):
            self._operation(key, node)
        out = []
        for key, node in self.channels.items():
            channel = node.deref()
            # A null address is unknown or dynamic (3.x): the channel goes by its key.
            address = channel.get("address")
            if address is not None and address.value is None:
                address = None
            out.append(
                RawChannel(
                    key=key,
                    address=_text(address, problems, "channel.address") if address else key,
                    description=_text(channel.get("description"), problems, "description"),
                    node=channel,
                    operations=tuple(self.operations[key]),
                )
            )
        return tuple(out)

    def _operation(self, key: str, node: Node) -> None:
        problems = self.problems
        op = _deref(node, problems)
        if op is None:
            return
        if not isinstance(op.value, dict):
            problems.error(node.location, "an operation must be a mapping")
            return
        action = op.get("action")
        if action is None or not isinstance(action.value, str) or action.value not in _ACTIONS:
            where = (action or op).location
            got = "missing" if action is None else repr(action.value)
            problems.error(where, f"operation action must be 'send' or 'receive' (got {got})")
            return
        channel_ref = op.get("channel")
        if channel_ref is None or not channel_ref.is_ref:
            problems.error((channel_ref or op).location, "operation.channel must be a $ref")
            return
        channel_node = _deref(channel_ref, problems)
        if channel_node is None:
            return
        channel_key = self._channel_key(channel_node)
        if channel_key is None:
            problems.error(channel_ref.location, "operation.channel must point into `channels`")
            return
        chosen = self._picked(op, channel_node, channel_key, key)
        if chosen is None:
            return
        # The document speaks for its application; the peer receives what it sends.
        direction = _ACTIONS[action.value]
        if self.side == "peer":
            direction = _opposite(direction)
        self.operations[channel_key].append(RawOperation(key, direction, op, chosen))
        reply = op.get("reply")
        if reply is not None:
            self._reply(reply, key, direction, channel_node)

    def _channel_key(self, target: Node) -> str | None:
        return next((k for k, n in self.channels.items() if _same(n, target)), None)

    def _entries(self, channel: Node) -> list[tuple[Node, RawMessage | None]]:
        """The channel's messages as written, each with what it resolved to (None: reported)."""
        if channel.identity in self.messages:
            return self.messages[channel.identity]
        entries: list[tuple[Node, RawMessage | None]] = []
        for key, node in _mapping(channel.get("messages"), self.problems, "channel.messages"):
            target = _deref(node, self.problems)
            if target is not None and not isinstance(target.value, dict):
                self.problems.error(node.location, "a message must be a mapping")
                target = None
            message = None
            if target is not None:
                merged = _with_traits(target, self.problems, message_wins=True)
                message = RawMessage(_message_key(target, key), merged)
            entries.append((node, message))
        self.messages[channel.identity] = entries
        return entries

    def _picked(
        self, op: Node, channel: Node, channel_key: str, op_key: str
    ) -> tuple[RawMessage, ...] | None:
        """The operation's messages: all the channel's if none are listed; listed ones must be
        in it. A listed ref names a channel's message entry, so a broken entry is reported once,
        by the channel."""
        entries = self._entries(channel)
        messages_node = op.get("messages")
        if messages_node is None:
            return tuple(m for _, m in entries if m is not None)
        if not isinstance(messages_node.value, list):
            self.problems.error(messages_node.location, "messages must be a list of $refs")
            return None
        picked = []
        for ref in messages_node.elements():
            if not ref.is_ref:
                self.problems.error(ref.location, "messages items must be $refs")
                continue
            try:
                hop = ref.ref_target()
            except SpecError as exc:
                self.problems.items.extend(exc.problems)
                continue
            entry = next((e for e in entries if e[0].identity == hop.identity), None)
            if entry is None:
                target = _deref(hop, self.problems)
                if target is None:
                    continue
                entry = next(
                    (e for e in entries if e[1] is not None and _same(e[1].node, target)), None
                )
            if entry is None:
                self.problems.error(
                    ref.location,
                    f"operation {op_key!r} names a message that channel {channel_key!r} lacks",
                )
            elif entry[1] is not None:
                picked.append(entry[1])
        return tuple(picked)

    def _reply(self, reply_ref: Node, op_key: str, direction: Direction, channel: Node) -> None:
        """A request/reply operation: the reply flows the other way, on its own or the same
        channel."""
        reply = _deref(reply_ref, self.problems)
        if reply is None or not isinstance(reply.value, dict):
            if reply is not None:
                self.problems.error(reply_ref.location, "reply must be a mapping")
            return
        target = channel
        channel_ref = reply.get("channel")
        if channel_ref is not None:
            resolved = _deref(channel_ref, self.problems)
            if resolved is None:
                return
            target = resolved
        key = self._channel_key(target)
        if key is None:
            where = (channel_ref or reply).location
            self.problems.error(where, "reply.channel must point into `channels`")
            return
        chosen = self._picked(reply, target, key, f"{op_key} reply")
        if chosen is not None:
            self.operations[key].append(
                RawOperation(f"{op_key}.reply", _opposite(direction), reply, chosen)
            )


def _same(a: Node, b: Node) -> bool:
    da = a.deref() if a.is_ref else a
    db = b.deref() if b.is_ref else b
    return da.identity == db.identity


# -- 2.x -----------------------------------------------------------------------------------------


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
        # Optional in 2.x: the operation exists, but carries nothing msgen could generate.
        problems.warning(op.location, "operation has no `message`: nothing to generate for it")
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
        merged = _with_traits(resolved, problems, message_wins=False)
        out.append(RawMessage(_message_key(resolved, f"message{i + 1}"), merged))
    return tuple(out)
