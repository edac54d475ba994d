"""How a connection lives and ends, as data: read from ``x-msgen-connection`` on a channel.

A document (or an overlay beside it) declares, on the channel, what the generated client does on
its own so that a connection lasts and ends well::

    x-msgen-connection:
      keepalive: {message: KeepAlive, interval: 5}     # sent after 5 s without outbound traffic
      ping: {message: ping, pong: pong, id: /ping_event/event_id}   # answered at once
      ready: Begin                                     # the server's "session ready" message
      close: {message: Terminate, final: Termination, timeout: 5}
      errors: {message: Error, code: /error_code, reason: /error}
      closeCodes:
        "1011": {reason: "no audio received in time", retry: true}
        "4001": {reason: "not authorized", retry: false}
      setup: [Configure]                               # replayed after a reconnection
      openEnums: [model, language]                     # connect keywords whose values grow
      commaLists: [keyterm]                            # sequences written a,b (not repeated)
      credentials: {apiKey: TokenAuth, token: BearerAuth}

Messages are named by their key, ``name`` or tag value (the sent ones among this side's outbound
messages, the awaited ones among its inbound messages); fields by JSON pointers into the message's
payload. ``ping.id`` copies the ping's field to the pong's top-level field of the same name;
``ping.copy`` maps pong pointers to ping pointers for any other shape. Without ``openEnums``, a
string enum keyword named like a model, language or voice accepts other strings too.
``credentials`` says which security scheme ``connect(api_key=...)`` and ``connect(token=...)``
fill (by default: a bearer scheme takes ``token``, the first other one ``api_key``). Every problem
is located (in the overlay that wrote it, when one did).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from msgen.model.extensions import conforms
from msgen.model.ir import Channel, Message, SecurityScheme
from msgen.model.media import FieldPath, _Reader
from msgen.reading.loader import Node
from msgen.reading.problems import Problems

#: The extension's key on a channel.
KEY = "x-msgen-connection"

_POINTER = {"type": "string", "pattern": "^(/[^/]+)+$"}
_MESSAGE = {"type": "string", "minLength": 1}
_SECONDS = {"type": "number", "exclusiveMinimum": 0, "maximum": 3600}
_NAMES = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}


def _object(properties: Mapping[str, object], required: tuple[str, ...] = ()) -> dict[str, object]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(required),
        "additionalProperties": False,
    }


#: The extension's JSON Schema: its shape is checked before its meaning.
SCHEMA: dict[str, object] = _object(
    {
        "keepalive": _object({"message": _MESSAGE, "interval": _SECONDS}, ("message", "interval")),
        "ping": _object(
            {
                "message": _MESSAGE,
                "pong": _MESSAGE,
                "id": _POINTER,
                "copy": {
                    "type": "object",
                    "propertyNames": _POINTER,
                    "additionalProperties": _POINTER,
                },
            },
            ("message", "pong"),
        ),
        "ready": _MESSAGE,
        "close": _object(
            {"message": _MESSAGE, "final": {"type": ["string", "null"]}, "timeout": _SECONDS}
        ),
        "errors": _object(
            {"message": _MESSAGE, "code": _POINTER, "reason": _POINTER}, ("message",)
        ),
        "closeCodes": {
            "type": "object",
            "propertyNames": {"pattern": "^[1-4][0-9]{3}$"},
            "additionalProperties": _object(
                {"reason": {"type": "string"}, "retry": {"type": "boolean"}}, ("retry",)
            ),
        },
        "setup": _NAMES,
        "openEnums": _NAMES,
        "commaLists": _NAMES,
        "credentials": _object({"apiKey": _MESSAGE, "token": _MESSAGE}),
    }
)

#: Close codes a client may reconnect after when the document says nothing about them: going
#: away, no status, abnormal closure, server error, restart, try again later, bad gateway.
RETRYABLE: tuple[int, ...] = (1001, 1005, 1006, 1011, 1012, 1013, 1014)

#: Connect keywords whose enums grow (models, languages, voices) when ``openEnums`` is absent.
_GROWING = re.compile(r"(^|_)(model|language|voice|lang)s?(_ids?|_codes?)?$")


@dataclass(frozen=True)
class Keepalive:
    message: Message
    interval: float


@dataclass(frozen=True)
class Ping:
    message: Message
    pong: Message
    #: (pong pointer, ping pointer): the pong carries the ping's values there.
    copy: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Closing:
    #: What this side sends on leaving (None: it only closes the socket).
    message: Message | None
    #: The peer's last message after it (None: the peer closes the socket).
    final: Message | None
    timeout: float = 5.0


@dataclass(frozen=True)
class ErrorFrame:
    message: Message
    code: FieldPath | None
    reason: FieldPath | None


@dataclass(frozen=True)
class CloseCode:
    code: int
    reason: str
    retry: bool


@dataclass(frozen=True)
class Behaviour:
    keepalive: Keepalive | None = None
    ping: Ping | None = None
    ready: Message | None = None
    close: Closing | None = None
    errors: ErrorFrame | None = None
    close_codes: tuple[CloseCode, ...] = ()
    setup: tuple[Message, ...] = ()
    #: Python names of connect keywords that take strings beyond their enum (None: by name).
    open_enums: tuple[str, ...] | None = None
    #: Wire names of query parameters whose sequences are written comma-joined.
    comma_lists: tuple[str, ...] = ()
    #: The security scheme keys ``api_key=`` and ``token=`` fill ("" when none).
    api_key: str = ""
    token: str = ""

    def retryable(self, code: int) -> bool:
        declared = next((c for c in self.close_codes if c.code == code), None)
        return declared.retry if declared is not None else code in RETRYABLE


def grows(name: str) -> bool:
    """A keyword named like a set of names that grows (models, languages, voices)."""
    return bool(_GROWING.search(name.lower()))


def credentials(
    security: tuple[SecurityScheme, ...], behaviour: Behaviour | None
) -> tuple[SecurityScheme | None, SecurityScheme | None]:
    """The schemes ``api_key=`` and ``token=`` fill: as declared, else a bearer scheme takes the
    token and the first other scheme the key."""
    by_key = {s.key: s for s in security}
    if behaviour is not None and (behaviour.api_key or behaviour.token):
        return by_key.get(behaviour.api_key), by_key.get(behaviour.token)
    token = next((s for s in security if s.kind == "bearer"), None)
    key = next((s for s in security if s.kind != "bearer"), None)
    return key, token


def read(channel: Channel, node: Node, problems: Problems) -> Behaviour | None:
    """The behaviour ``node`` (the extension's value) declares for ``channel``; None after
    errors."""
    if not conforms(node, SCHEMA, KEY, problems):
        return None
    return _resolve(_Reader(channel, node, problems), node.value)


def _resolve(r: _Reader, data: dict[str, Any]) -> Behaviour | None:
    keepalive = ping = close = errors = None
    if "keepalive" in data:
        message = _sent(r, data["keepalive"]["message"], "keepalive", "message")
        if message is not None:
            keepalive = Keepalive(message, float(data["keepalive"]["interval"]))
    if "ping" in data:
        ping = _ping(r, data["ping"])
    ready = _awaited(r, data["ready"], "ready") if "ready" in data else None
    if "close" in data:
        spec = data["close"]
        sent = _sent(r, spec["message"], "close", "message") if "message" in spec else None
        final = _awaited(r, spec["final"], "close", "final") if spec.get("final") else None
        close = Closing(sent, final, float(spec.get("timeout", 5.0)))
    if "errors" in data:
        spec = data["errors"]
        message = _awaited(r, spec["message"], "errors", "message")
        if message is not None:
            code = r.field(message, spec["code"], "errors", "code") if "code" in spec else None
            why = r.field(message, spec["reason"], "errors", "reason") if "reason" in spec else None
            errors = ErrorFrame(message, code, why)
    codes = tuple(
        CloseCode(int(k), str(v.get("reason", "")), bool(v["retry"]))
        for k, v in sorted(data.get("closeCodes", {}).items())
    )
    setup = tuple(
        m
        for i, name in enumerate(data.get("setup", []))
        if (m := _sent(r, name, "setup", str(i))) is not None
    )
    names = {p.py_name for p in r.channel.connection.all}
    wires = {p.wire_name for p in r.channel.connection.query}
    for i, name in enumerate(data.get("openEnums", [])):
        if name not in names:
            r.error(
                f"openEnums: {name!r} is no connect keyword of this channel", "openEnums", str(i)
            )
    for i, name in enumerate(data.get("commaLists", [])):
        if name not in wires:
            r.error(
                f"commaLists: {name!r} is no query parameter of this channel", "commaLists", str(i)
            )
    given = data.get("credentials", {})
    schemes = {s.key for s in r.channel.connection.security}
    for which in ("apiKey", "token"):
        if which in given and given[which] not in schemes:
            known = ", ".join(sorted(schemes)) or "none"
            r.error(
                f"credentials: {given[which]!r} is no security scheme of this channel's servers "
                f"(its schemes: {known})",
                "credentials",
                which,
            )
    if not r.ok:
        return None
    return Behaviour(
        keepalive=keepalive,
        ping=ping,
        ready=ready,
        close=close,
        errors=errors,
        close_codes=codes,
        setup=setup,
        open_enums=tuple(data["openEnums"]) if "openEnums" in data else None,
        comma_lists=tuple(data.get("commaLists", ())),
        api_key=str(given.get("apiKey", "")),
        token=str(given.get("token", "")),
    )


def _sent(r: _Reader, name: str, *path: str) -> Message | None:
    message = r.message(name, *path, direction="outbound")
    if message is not None and message.binary:
        r.error(f"{name!r} is a binary message: the client cannot make one up", *path)
        return None
    if message is not None and any(f.required and not f.is_discriminator for f in message.fields):
        needs = ", ".join(
            f.wire_name for f in message.fields if f.required and not f.is_discriminator
        )
        r.error(f"{name!r} needs values ({needs}): the client sends it on its own", *path)
        return None
    return message


def _awaited(r: _Reader, name: str, *path: str) -> Message | None:
    return r.message(name, *path, direction="inbound")


def _ping(r: _Reader, data: dict[str, Any]) -> Ping | None:
    ping = _awaited(r, data["message"], "ping", "message")
    pong = r.message(data["pong"], "ping", "pong", direction="outbound")
    if ping is None or pong is None:
        return None
    copy = dict(data.get("copy", {}))
    if "id" in data:
        copy.setdefault("/" + data["id"].rsplit("/", 1)[-1], data["id"])
    for to, source in copy.items():
        r.field(ping, source, "ping", "copy" if "copy" in data else "id")
        r.field(pong, to, "ping", "copy" if "copy" in data else "id")
    return Ping(ping, pong, tuple(sorted(copy.items())))
