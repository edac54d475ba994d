"""The media profile as data: what makes a channel a media stream, read from ``x-msgen-media``.

A document (or an overlay beside it) declares, on the channel, how audio travels and how a call
runs, in one shape for every provider and speech service::

    x-msgen-media:
      audio: {encoding: mulaw, rate: 8000}          # or negotiated per call, see below
      receive: {message: media, payload: /media/payload, timestamp: /media/timestamp}
      send: {message: media, payload: /media/payload, frame: {ms: 20}}
      stream: {message: start, id: /streamSid, carry: /streamSid, call: /start/callSid,
               parameters: /start/customParameters}
      connected: connected
      start: start
      stop: stop                                    # null: the close ends the call
      dtmf: {message: dtmf, digit: /dtmf/digit}
      playback:
        mode: echo                                  # echo | ack | clock
        mark: {message: mark, name: /mark/name}
        played: {message: mark, name: /mark/name}
        clear: clear
        cleared: null

Messages are named by their key, ``name`` or tag value; fields by JSON pointers into the
message's payload, as they are on the wire. ``receive`` is the audio the party with the audio API
receives (the caller's voice for a telephony server, synthesized speech for a speech client),
``send`` what it sends. The profile is checked against the document's messages and every problem
is located (in the overlay that wrote it, when one did).

Without the extension, a channel shaped as Twilio Media Streams is read as if it declared the
profile above: that inference is the only place Twilio's field names appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from msgen.model.extensions import conforms
from msgen.model.ir import (
    BytesType,
    Channel,
    Field,
    IntegerType,
    LiteralType,
    Message,
    ObjectType,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.reading.loader import Node
from msgen.reading.problems import Direction, Location, Problems

#: The extension's key on a channel.
KEY = "x-msgen-media"

Encoding = Literal["mulaw", "alaw", "l16le", "l16be"]
PlaybackMode = Literal["echo", "ack", "clock"]
ENCODINGS: tuple[Encoding, ...] = ("mulaw", "alaw", "l16le", "l16be")

_POINTER = {"type": "string", "pattern": "^(/[^/]+)+$"}
_MESSAGE = {"type": "string", "minLength": 1}
_RATE = {"type": "integer", "minimum": 1000, "maximum": 384000}
_ENCODING = {"enum": ["mulaw", "alaw", "l16", "l16le", "l16be"]}


def _object(properties: Mapping[str, object], required: Iterable[str] = ()) -> dict[str, object]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(required),
        "additionalProperties": False,
    }


def _named(**fields: object) -> dict[str, object]:
    return _object({"message": _MESSAGE, **fields}, ["message", *fields])


#: The extension's JSON Schema: its shape is checked before its meaning.
SCHEMA: dict[str, object] = _object(
    {
        "audio": _object(
            {
                "encoding": _ENCODING,
                "byteOrder": {"enum": ["little", "big"]},
                "rate": _RATE,
                "rates": {"type": "array", "items": _RATE, "minItems": 1, "uniqueItems": True},
                "channels": {"type": "integer", "minimum": 1, "maximum": 8},
                "negotiated": _object(
                    {
                        "message": _MESSAGE,
                        "encoding": _POINTER,
                        "rate": _POINTER,
                        "encodings": {
                            "type": "object",
                            "additionalProperties": {"enum": list(ENCODINGS)},
                            "minProperties": 1,
                        },
                        "query": {"type": "string", "minLength": 1},
                    }
                ),
            }
        ),
        "receive": _object(
            {
                "message": _MESSAGE,
                "payload": _POINTER,
                "timestamp": _POINTER,
                "track": _object(
                    {"pointer": _POINTER, "value": {"type": "string"}}, ["pointer", "value"]
                ),
            },
            ["message"],
        ),
        "send": _object(
            {
                "message": _MESSAGE,
                "payload": _POINTER,
                "with": {
                    "type": "object",
                    "propertyNames": _POINTER,
                    "additionalProperties": {"type": ["string", "integer"]},
                },
                "frame": _object(
                    {
                        "ms": {"type": "integer", "minimum": 1, "maximum": 1000},
                        "exact": {"type": "boolean"},
                        "multipleOf": {"type": "integer", "minimum": 1},
                        "min": {"type": "integer", "minimum": 1},
                        "max": {"type": "integer", "minimum": 1},
                    }
                ),
            },
            ["message"],
        ),
        "stream": _object(
            {
                "message": _MESSAGE,
                "id": _POINTER,
                "carry": _POINTER,
                "call": _POINTER,
                "parameters": _POINTER,
            },
            ["message", "id"],
        ),
        "connected": _MESSAGE,
        "start": _MESSAGE,
        "stop": {"type": ["string", "null"], "minLength": 1},
        "dtmf": _object(
            {"message": _MESSAGE, "digit": _POINTER, "duration": _POINTER}, ["message", "digit"]
        ),
        "playback": _object(
            {
                "mode": {"enum": ["echo", "ack", "clock"]},
                "mark": _named(name=_POINTER),
                "played": _named(name=_POINTER),
                "clear": _MESSAGE,
                "cleared": {"type": ["string", "null"], "minLength": 1},
            },
            ["mode"],
        ),
    },
    ["audio", "receive", "send"],
)


# -- the profile, resolved against the channel's messages -------------------------------------


@dataclass(frozen=True)
class FieldPath:
    """A field of a message by its wire pointer, with the generated attributes that reach it."""

    message: Message
    pointer: str
    attrs: tuple[str, ...]
    type: TypeNode

    @property
    def dotted(self) -> str:
        return ".".join(self.attrs)


@dataclass(frozen=True)
class Audio:
    """The wire format: fixed (``encoding``, ``rate``), or chosen per call by ``negotiated``."""

    encoding: Encoding | None
    rate: int | None
    rates: tuple[int, ...]
    channels: int
    #: Where a call says its format: the start message's fields, and what each value means.
    encoding_field: FieldPath | None = None
    rate_field: FieldPath | None = None
    encodings: tuple[tuple[str, Encoding], ...] = ()
    #: The connect keyword (query parameter) that chooses the rate, for a client.
    rate_query: str = ""


@dataclass(frozen=True)
class AudioIn:
    message: Message
    #: The base64 field; None when the binary frame itself is the audio.
    payload: FieldPath | None
    timestamp: FieldPath | None = None
    track: FieldPath | None = None
    track_value: str = ""


@dataclass(frozen=True)
class Framing:
    """How sent audio must be cut: a duration per frame (``exact``: every frame that long, the
    last padded), or byte sizes (a multiple of ``multiple_of`` between ``min`` and ``max``)."""

    ms: int | None = None
    exact: bool = False
    multiple_of: int = 1
    min: int = 1
    max: int | None = None


@dataclass(frozen=True)
class AudioOut:
    message: Message
    payload: FieldPath | None
    #: Fields every audio frame repeats (the format, for some providers), with their values.
    constants: tuple[tuple[FieldPath, str | int], ...] = ()
    framing: Framing = Framing()


@dataclass(frozen=True)
class Stream:
    message: Message
    id: FieldPath
    #: The field outbound frames carry the stream id in (its pointer), "" when they carry none.
    carry: str = ""
    call: FieldPath | None = None
    parameters: FieldPath | None = None


@dataclass(frozen=True)
class Marker:
    message: Message
    name: FieldPath


@dataclass(frozen=True)
class PlaybackProfile:
    """``echo``: marks come back when played and every pending one on clear; ``ack``: marks come
    back only when played (a clear drops the rest, so they resolve as cleared locally); ``clock``:
    nothing comes back, a local playout clock (bytes sent over bytes per second) resolves them."""

    mode: PlaybackMode
    mark: Marker | None = None
    played: Marker | None = None
    clear: Message | None = None
    cleared: Message | None = None


@dataclass(frozen=True)
class Media:
    audio: Audio
    receive: AudioIn
    send: AudioOut
    stream: Stream | None = None
    connected: Message | None = None
    start: Message | None = None
    stop: Message | None = None
    dtmf: Marker | None = None
    dtmf_duration: FieldPath | None = None
    playback: PlaybackProfile | None = None
    #: Declared with the extension (False: inferred from a Twilio-shaped channel).
    declared: bool = True


# -- reading -----------------------------------------------------------------------------------


class _Reader:
    """Resolves the extension's names and pointers against one channel, reporting at ``node``."""

    def __init__(self, channel: Channel, node: Node, problems: Problems) -> None:
        self.channel = channel
        self.node = node
        self.problems = problems
        self.ok = True

    def where(self, *path: str) -> Location:
        node = self.node
        for step in path:
            child = node.get(step) if isinstance(node.value, dict) else None
            if child is None:
                break
            node = child
        return node.location

    def error(self, message: str, *path: str) -> None:
        self.ok = False
        self.problems.error(self.where(*path), message)

    def message(self, name: str, *path: str, direction: Direction | None = None) -> Message | None:
        unions = [
            u
            for u in (self.channel.inbound, self.channel.outbound)
            if direction in (None, u.direction)
        ]
        for attribute in ("key", "name", "tag"):
            found = [m for u in unions for m in u.messages if getattr(m, attribute) == name]
            if len(found) == 1:
                return found[0]
            if len(found) > 1 and direction is None:
                sides = " and ".join(sorted({m.direction for m in found}))
                self.error(
                    f"{name!r} names {sides} messages: name one direction's by its key", *path
                )
                return None
        known = sorted({m.key for u in unions for m in u.messages})
        self.error(f"no message {name!r} on this channel (its messages: {', '.join(known)})", *path)
        return None

    def field(self, message: Message, pointer: str, *path: str) -> FieldPath | None:
        node: TypeNode = message.payload
        attrs: list[str] = []
        for token in pointer.split("/")[1:]:
            wire = token.replace("~1", "/").replace("~0", "~")
            found = _field(node, wire)
            if found is None:
                self.error(
                    f"message {message.key!r} has no field {pointer!r} (no property {wire!r})",
                    *path,
                )
                return None
            attrs.append(found.py_name)
            node = found.type
        return FieldPath(message, pointer, tuple(attrs), node)


def _field(node: TypeNode, wire: str) -> Field | None:
    if isinstance(node, ObjectType):
        return next((f for f in node.fields if f.wire_name == wire), None)
    return None


def _string_like(node: TypeNode) -> bool:
    return isinstance(node, StringType | LiteralType) or (
        isinstance(node, UnionType) and all(_string_like(v) for v in node.variants)
    )


def _scalar(node: TypeNode) -> bool:
    return (
        _string_like(node)
        or isinstance(node, IntegerType)
        or (isinstance(node, UnionType) and all(_scalar(v) for v in node.variants))
    )


def read(channel: Channel, node: Node, problems: Problems) -> Media | None:
    """The profile ``node`` (the extension's value) declares for ``channel``; None after errors."""
    if not conforms(node, SCHEMA, KEY, problems):
        return None
    return _resolve(_Reader(channel, node, problems), node.value)


def _resolve(r: _Reader, data: dict[str, Any]) -> Media | None:
    receive = _receive(r, data["receive"])
    send = _send(r, data["send"], receive)
    audio = _audio(r, data["audio"])
    stream = _stream(r, data.get("stream"))
    named = {
        k: r.message(data[k], k) if isinstance(data.get(k), str) else None
        for k in ("connected", "start", "stop")
    }
    dtmf = duration = None
    if "dtmf" in data:
        message = r.message(data["dtmf"]["message"], "dtmf", "message")
        if message is not None:
            digit = r.field(message, data["dtmf"]["digit"], "dtmf", "digit")
            dtmf = Marker(message, digit) if digit is not None else None
            if "duration" in data["dtmf"]:
                duration = r.field(message, data["dtmf"]["duration"], "dtmf", "duration")
    playback = _playback(r, data.get("playback"))
    if not r.ok or receive is None or send is None or audio is None:
        return None
    return Media(
        audio=audio,
        receive=receive,
        send=send,
        stream=stream,
        connected=named["connected"],
        start=named["start"],
        stop=named["stop"],
        dtmf=dtmf,
        dtmf_duration=duration,
        playback=playback,
    )


def _audio(r: _Reader, data: dict[str, Any]) -> Audio | None:
    encoding: Encoding | None = None
    if "encoding" in data:
        raw = data["encoding"]
        if raw == "l16":
            raw = "l16be" if data.get("byteOrder") == "big" else "l16le"
        elif "byteOrder" in data and not raw.startswith("l16"):
            r.error(f"byteOrder applies to l16 audio, not {raw}", "audio", "byteOrder")
        encoding = raw
    rates = tuple(data.get("rates", ()))
    rate = data.get("rate")
    if rate is not None and rates and rate not in rates:
        r.error(f"rate {rate} is not one of the rates {list(rates)}", "audio", "rate")
    negotiated = data.get("negotiated")
    audio = Audio(encoding, rate, rates, data.get("channels", 1))
    if negotiated is None:
        if encoding is None or rate is None:
            r.error("audio needs an encoding and a rate, or how a call negotiates them", "audio")
            return None
        return audio
    message = r.message(negotiated["message"], "audio", "negotiated", "message")
    if message is None:
        return None
    fields = {
        key: r.field(message, negotiated[key], "audio", "negotiated", key)
        if key in negotiated
        else None
        for key in ("encoding", "rate")
    }
    if fields["encoding"] is not None and "encodings" not in negotiated:
        r.error(
            "a negotiated encoding needs 'encodings': what each wire value means",
            "audio",
            "negotiated",
        )
    if encoding is None and fields["encoding"] is None:
        r.error("audio needs an encoding, fixed or negotiated", "audio")
    if rate is None and fields["rate"] is None and "query" not in negotiated:
        r.error("audio needs a rate, fixed or negotiated", "audio")
    return Audio(
        encoding,
        rate,
        rates,
        audio.channels,
        encoding_field=fields["encoding"],
        rate_field=fields["rate"],
        encodings=tuple(negotiated.get("encodings", {}).items()),
        rate_query=negotiated.get("query", ""),
    )


def _payload(
    r: _Reader, message: Message, data: dict[str, Any], role: str
) -> tuple[bool, FieldPath | None]:
    pointer = data.get("payload")
    if pointer is None:
        if not message.binary:
            r.error(
                f"{role} message {message.key!r} is a text frame: 'payload' names its base64 field",
                role,
                "payload",
            )
            return False, None
        return True, None
    if message.binary:
        r.error(
            f"{role} message {message.key!r} is a binary frame, the audio itself: no 'payload'",
            role,
            "payload",
        )
        return False, None
    found = r.field(message, pointer, role, "payload")
    if found is not None and not isinstance(found.type, StringType | BytesType):
        r.error(
            f"{role} payload {pointer!r} must be a string field (base64 audio)", role, "payload"
        )
        return False, None
    return found is not None, found


def _receive(r: _Reader, data: dict[str, Any]) -> AudioIn | None:
    message = r.message(data["message"], "receive", "message")
    if message is None:
        return None
    ok, payload = _payload(r, message, data, "receive")
    timestamp = (
        r.field(message, data["timestamp"], "receive", "timestamp") if "timestamp" in data else None
    )
    track = None
    if "track" in data:
        track = r.field(message, data["track"]["pointer"], "receive", "track", "pointer")
    return (
        AudioIn(message, payload, timestamp, track, data.get("track", {}).get("value", ""))
        if ok
        else None
    )


def _send(r: _Reader, data: dict[str, Any], receive: AudioIn | None) -> AudioOut | None:
    direction: Direction | None = None
    if receive is not None:
        direction = "outbound" if receive.message.direction == "inbound" else "inbound"
    message = r.message(data["message"], "send", "message", direction=direction)
    if message is None:
        return None
    ok, payload = _payload(r, message, data, "send")
    constants = []
    for pointer, value in data.get("with", {}).items():
        found = r.field(message, pointer, "send", "with")
        if found is not None:
            if not _scalar(found.type):
                r.error(f"send field {pointer!r} is not a string or integer field", "send", "with")
            constants.append((found, value))
    frame = data.get("frame", {})
    framing = Framing(
        ms=frame.get("ms"),
        exact=frame.get("exact", False),
        multiple_of=frame.get("multipleOf", 1),
        min=frame.get("min", 1),
        max=frame.get("max"),
    )
    if framing.max is not None and framing.max < framing.min:
        r.error(f"frame max {framing.max} is below its min {framing.min}", "send", "frame")
    return AudioOut(message, payload, tuple(constants), framing) if ok else None


def _stream(r: _Reader, data: dict[str, Any] | None) -> Stream | None:
    if data is None:
        return None
    message = r.message(data["message"], "stream", "message")
    if message is None:
        return None
    found = {
        key: r.field(message, data[key], "stream", key) if key in data else None
        for key in ("id", "call", "parameters")
    }
    if found["id"] is None:
        return None
    return Stream(message, found["id"], data.get("carry", ""), found["call"], found["parameters"])


def _marker(r: _Reader, data: dict[str, Any] | None, *path: str) -> Marker | None:
    if data is None:
        return None
    message = r.message(data["message"], *path, "message")
    if message is None:
        return None
    name = r.field(message, data["name"], *path, "name")
    return Marker(message, name) if name is not None else None


def _playback(r: _Reader, data: dict[str, Any] | None) -> PlaybackProfile | None:
    if data is None:
        return None
    mode: PlaybackMode = data["mode"]
    mark = _marker(r, data.get("mark"), "playback", "mark")
    played = _marker(r, data.get("played"), "playback", "played")
    clear = r.message(data["clear"], "playback", "clear") if "clear" in data else None
    cleared = r.message(data["cleared"], "playback", "cleared") if data.get("cleared") else None
    if mode != "clock" and (mark is None or played is None) and r.ok:
        r.error(
            f"playback mode {mode!r} needs the 'mark' sent and the 'played' message back",
            "playback",
        )
    return PlaybackProfile(mode, mark, played, clear, cleared)


# -- inference ---------------------------------------------------------------------------------


def infer(channel: Channel, node: Node, problems: Problems) -> Media | None:
    """The profile a Twilio-shaped channel (``channel.media``, found by its field names) would
    declare: the same data as the extension, so everything downstream reads one shape."""
    old = channel.media
    if old is None:
        return None

    def pointer(message: Message, dotted: str) -> str:
        node_type: TypeNode = message.payload
        wires = []
        for attr in dotted.split("."):
            found = next(f for f in node_type.fields if f.py_name == attr)  # type: ignore[union-attr]
            wires.append(found.wire_name)
            node_type = found.type
        return "/" + "/".join(wires)

    out = old.outbound_media
    chunk = next(
        f
        for f in out.fields
        if isinstance(f.type, ObjectType) and f.type.class_name == old.outbound_chunk_class
    )
    payload_field = next(f for f in chunk.type.fields if f.wire_name == "payload")  # type: ignore[union-attr]
    declared: dict[str, Any] = {
        "audio": {
            "encoding": "mulaw",
            "rate": old.audio.sample_rate,
            "channels": old.audio.channels,
        },
        "receive": {
            "message": old.inbound_media.key,
            "payload": pointer(old.inbound_media, old.inbound_payload_attr),
        },
        "send": {
            "message": out.key,
            "payload": f"/{chunk.wire_name}/{payload_field.wire_name}",
            "frame": {"ms": 20},
        },
    }
    timestamp = "media.timestamp"
    if _has(old.inbound_media, timestamp):
        declared["receive"]["timestamp"] = pointer(old.inbound_media, timestamp)
    lifecycle = old.lifecycle
    if lifecycle is not None:
        start = lifecycle.start
        declared["stream"] = {
            "message": start.key,
            "id": pointer(start, "stream_sid"),
            "carry": pointer(out, old.outbound_stream_attr),
            "call": pointer(start, "start.call_sid"),
            "parameters": pointer(start, "start.custom_parameters"),
        }
        declared["start"] = start.key
        declared["stop"] = lifecycle.stop.key
        if lifecycle.connected is not None:
            declared["connected"] = lifecycle.connected.key
        if lifecycle.dtmf is not None:
            declared["dtmf"] = {
                "message": lifecycle.dtmf.key,
                "digit": pointer(lifecycle.dtmf, "dtmf.digit"),
            }
    playback = old.playback
    if playback is not None:
        declared["playback"] = {
            "mode": "echo",
            "mark": {
                "message": playback.outbound_mark.key,
                "name": pointer(playback.outbound_mark, "mark.name"),
            },
            "played": {
                "message": playback.inbound_mark.key,
                "name": pointer(playback.inbound_mark, "mark.name"),
            },
            "clear": playback.clear.key,
        }
    media = _resolve(_Reader(channel, node, problems), declared)
    assert media is not None, "a Twilio-shaped channel yields a valid profile"
    return Media(**{**media.__dict__, "declared": False})


def _has(message: Message, dotted: str) -> bool:
    node_type: TypeNode = message.payload
    for attr in dotted.split("."):
        found = _field_by_attr(node_type, attr)
        if found is None:
            return False
        node_type = found.type
    return True


def _field_by_attr(node: TypeNode, attr: str) -> Field | None:
    if isinstance(node, ObjectType):
        return next((f for f in node.fields if f.py_name == attr), None)
    return None
