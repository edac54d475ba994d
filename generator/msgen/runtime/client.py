"""The static part of a package's ``client`` module: URL and header building, and the connection.

The template keeps what the document decides (the docstring, ``SERVERS``, ``ADDRESS``,
``_PLACES``, ``build_url``, ``build_headers`` and ``connect`` with their keyword arguments) and
includes these sections between them. Above the first section: the imports, and stand-ins for the
names the template renders; the rendered siblings are imported for type checking only, so that
this module imports alone and its URL and header building can be tested directly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

if TYPE_CHECKING:  # the package's rendered siblings (contracts: frames.pyi, session.pyi)
    from .frames import OutboundFrame
    from .session import Event, ProtocolError, Session

#: Stand-ins: the document's servers, the channel's address, and where each keyword goes.
SERVERS: Final[Mapping[str, ServerInfo]] = {}
ADDRESS: Final = ""
_PLACES: Final[dict[str, tuple[_Place, ...]]] = {}

# msgen: section types
Scalar = str | int | float | bool
#: A query parameter's value: a scalar, or a sequence (the parameter repeated).
QueryValue = Scalar | Sequence[Scalar]


class ParameterError(ValueError):
    """A connection parameter the document does not allow (a wrong type, a value outside its
    ``enum``, a missing server variable), or a ``url=`` that is not a WebSocket URL."""


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """A server of the document: its URL template, with ``{variable}`` placeholders."""

    url: str
    #: The defaults the document gives its variables.
    defaults: Mapping[str, str] = field(default_factory=dict)


# msgen: section places
_ADDRESS_PATH, _, _ADDRESS_QUERY = ADDRESS.partition("?")

_Kind = Literal["variable", "path", "query", "header"]
_Expect = Literal["str", "int", "float", "bool", "list", "any"]


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a keyword's value goes, and what it must be."""

    wire: str
    kind: _Kind
    expect: _Expect
    choices: tuple[Scalar, ...] = ()


# msgen: section url
#: Characters a server variable may carry unencoded: it may hold a host, a port or a path.
_HOST_SAFE: Final = "/:@!$&'()*+,;="


def _is_scalar(value: object) -> bool:
    return type(value) in (str, int, bool) or (type(value) is float and math.isfinite(value))


def _fits(value: object, expect: _Expect) -> bool:
    match expect:
        case "str":
            return type(value) is str
        case "int":
            return type(value) is int
        case "float":
            return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
        case "bool":
            return type(value) is bool
        case "list":
            return isinstance(value, Sequence) and not isinstance(value, str)
    return _is_scalar(value) or (
        isinstance(value, Sequence) and not isinstance(value, str) and all(map(_is_scalar, value))
    )


def _chosen(value: object, choices: tuple[Scalar, ...]) -> bool:
    """``value`` is one of ``choices`` as JSON sees it (``True`` is not ``1``)."""
    return any(value == c and (type(value) is bool) == (type(c) is bool) for c in choices)


def _texts(name: str, value: object, place: _Place) -> list[str]:
    """A value checked against its place and written as text (a sequence: one text each)."""
    if not _fits(value, place.expect):
        raise ParameterError(f"{name}: {value!r} is not {_EXPECTED[place.expect]}")
    many = isinstance(value, Sequence) and not isinstance(value, str)
    items: Sequence[object] = value if many else [value]  # type: ignore[assignment]
    out = []
    for item in items:
        if not _is_scalar(item):
            raise ParameterError(f"{name}: {item!r} is not a string, number or boolean")
        if place.choices and not _chosen(item, place.choices):
            allowed = ", ".join(repr(c) for c in place.choices)
            raise ParameterError(f"{name}: {item!r} is not one of {allowed}")
        out.append(_text(item))
    return out


def _text(value: object) -> str:
    if type(value) is bool:
        return "true" if value else "false"
    return repr(value) if type(value) is float else str(value)


_EXPECTED: Final[dict[_Expect, str]] = {
    "str": "a string",
    "int": "an integer",
    "float": "a finite number",
    "bool": "a boolean",
    "list": "a sequence of values",
    "any": "a string, number, boolean or a sequence of them",
}


def _fill(template: str, texts: Mapping[str, str], safe: str, whose: str) -> str:
    """``{name}`` placeholders replaced by their text, percent-encoded but for ``safe``."""
    head, *rest = template.split("{")
    out = [head]
    for piece in rest:
        name, _, tail = piece.partition("}")
        if name not in texts:
            keyword = next(
                (k for k, places in _PLACES.items() if any(p.wire == name for p in places)), name
            )
            placeholder = "{" + name + "}"
            raise ParameterError(f"{whose} needs a value for {placeholder}: pass {keyword}=")
        out.append(quote(texts[name], safe=safe) + tail)
    return "".join(out)


def _path(base: str, placed: Mapping[str, str]) -> str:
    """The server's path, then the address's segments minus those the server's path already ends
    with, each filled in and percent-encoded."""
    left = [s for s in base.split("/") if s]
    right = [s for s in _ADDRESS_PATH.split("/") if s]
    overlap = next(
        (k for k in range(min(len(left), len(right)), 0, -1) if left[-k:] == right[:k]), 0
    )
    filled = []
    for segment in right[overlap:]:
        text = _fill(segment, placed, "", "the address")
        # A whole segment of dots would climb the path: written encoded, it is a name.
        filled.append(text.replace(".", "%2E") if text in (".", "..") else text)
    joined = "/" + "/".join(left + filled)
    return joined + "/" if filled and _ADDRESS_PATH.endswith("/") else joined


def _pairs(items: Mapping[str, object]) -> list[tuple[str, list[str]]]:
    return [
        (name, _texts(name, value, _Place(name, "query", "any")))
        for name, value in items.items()
        if value is not None
    ]


def _url(
    server: str | None,
    url: str | None,
    values: Mapping[str, object],
    extra_query: Mapping[str, QueryValue] | None,
) -> str:
    placed: dict[str, str] = {}
    query: list[tuple[str, list[str]]] = []
    for name, value in values.items():
        for place in _PLACES[name]:
            if value is None or place.kind == "header":
                continue
            texts = _texts(name, value, place)
            if place.kind == "query":
                query.append((place.wire, texts))
            elif place.kind == "path" and not texts[0]:
                raise ParameterError(f"{name}: an address parameter cannot be empty")
            else:
                placed[place.wire] = texts[0]
    if url is None:
        info = SERVERS.get(server or "")
        if info is None:
            known = ", ".join(repr(s) for s in SERVERS) or "none"
            raise ParameterError(f"no server {server!r} in the document (servers: {known})")
        given, whose = {**info.defaults, **placed}, f"server {server!r}"
        base, mark, fixed = info.url.partition("?")
        url = _fill(base, given, _HOST_SAFE, whose) + mark + _fill(fixed, given, "", whose)
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ParameterError(f"{url!r} is not a ws:// or wss:// URL")
    path = _path(parts.path, placed)
    query += _pairs(extra_query or {})
    encoded = "&".join(
        f"{quote(wire, safe='')}={quote(text, safe='')}" for wire, texts in query for text in texts
    )
    fixed = _fill(_ADDRESS_QUERY, placed, "", "the address")
    tail = "&".join(q for q in (parts.query, fixed, encoded) if q)
    return urlunsplit((parts.scheme, parts.netloc, path, tail, ""))


def _headers(
    values: Mapping[str, object], extra_headers: Mapping[str, str] | None
) -> list[tuple[str, str]]:
    out = []
    for name, value in values.items():
        for place in _PLACES[name]:
            if value is not None and place.kind == "header":
                out.append((place.wire, _texts(name, value, place)[0]))
    for wire, value in (extra_headers or {}).items():
        out.append((wire, _texts(wire, value, _Place(wire, "header", "str"))[0]))
    for wire, value in out:
        if "\r" in value or "\n" in value:
            raise ParameterError(f"header {wire}: a value cannot hold a line break")
    return out


# msgen: section connection
class Connection:
    """One open connection: ``send`` frames, receive events (``recv`` or ``async for``)."""

    def __init__(self, connection: ClientConnection, session: Session, url: str) -> None:
        self._connection = connection
        #: The protocol state; its send helpers queue frames that the next ``send`` or ``flush``
        #: writes.
        self.session = session
        #: The URL connected to.
        self.url = url
        self._events: deque[Event] = deque()
        self._closed: ConnectionClosed | None = None

    @property
    def close_code(self) -> int | None:
        """The close code, once the connection is closed."""
        return self._connection.close_code

    async def send(self, frame: OutboundFrame) -> None:
        """Send one frame, checked against the document (``FrameError`` if it is not valid)."""
        self.session.send_frame(frame)
        await self.flush()

    async def flush(self) -> None:
        """Write what the session's send helpers queued."""
        for data in self.session.data_to_send():
            await self._connection.send(data)

    async def recv(self) -> Event:
        """The next event; raises websockets' ``ConnectionClosed`` once the connection is closed
        and every event is delivered (the session's last ones included)."""
        while not self._events:
            if self._closed is not None:
                raise self._closed
            try:
                data = await self._connection.recv()
            except ConnectionClosed as closed:
                self._closed = closed
                self._events.extend(self.session.close())
                continue
            try:
                if isinstance(data, str):
                    events = self.session.receive(data)
                else:
                    events = self.session.receive_binary(data)
            except ProtocolError as error:
                await self._connection.close(
                    error.close_code, str(error).encode()[:120].decode(errors="ignore")
                )
                self.session.close()
                raise
            self._events.extend(events)
        return self._events.popleft()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.recv()
            except ConnectionClosedOK:
                return

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (the closing handshake)."""
        await self._connection.close(code, reason)
