"""The static part of a package's ``client`` module: URL and header building, and the connection.

The template keeps what the document decides (the docstring, ``SERVERS``, ``ADDRESS``,
``_PLACES``, ``build_url``, ``build_headers`` and ``connect`` with their keyword arguments) and
includes these sections between them. Above the first section: the imports, and stand-ins for the
names the template renders; the rendered siblings are imported for type checking only, so that
this module imports alone and its URL and header building can be tested directly.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import json
import logging
import math
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _ws_connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, InvalidStatus

if TYPE_CHECKING:  # the package's rendered siblings (contracts: frames.pyi, session.pyi)
    from .frames import OutboundFrame
    from .session import Event, ProtocolError, Session, Violation
else:  # stand-ins, so that this module imports alone

    class ProtocolError(Exception):
        close_code = 1002

    @dataclass(frozen=True, slots=True)
    class Violation:
        error: ProtocolError


#: Stand-ins: the document's servers, the channel's address, and where each keyword goes.
SERVERS: Final[Mapping[str, ServerInfo]] = {}
ADDRESS: Final = ""
_PLACES: Final[dict[str, tuple[_Place, ...]]] = {}
#: Stand-in: the credential keywords (``api_key``, ``token``) and how each travels.
_CREDENTIALS: Final[dict[str, tuple[str, str, str]]] = {}

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
_Expect = Literal["str", "int", "float", "bool", "flag", "list", "any"]


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a keyword's value goes, and what it must be."""

    wire: str
    kind: _Kind
    expect: _Expect
    choices: tuple[Scalar, ...] = ()
    #: A sequence is written as one comma-joined value (``style: form, explode: false``).
    comma: bool = False


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
        case "flag":  # a boolean the document writes as the strings "true" and "false"
            return type(value) is bool or value in ("true", "false")
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
    return [",".join(out)] if many and place.comma else out


def _text(value: object) -> str:
    """How a value is written: booleans ``true``/``false``, integers as integers (an ``int``
    keyword refuses a float, so ``44100`` never becomes ``44100.0``), floats as Python writes
    them."""
    if type(value) is bool:
        return "true" if value else "false"
    return repr(value) if type(value) is float else str(value)


_EXPECTED: Final[dict[_Expect, str]] = {
    "str": "a string",
    "int": "an integer",
    "float": "a finite number",
    "bool": "a boolean",
    "flag": "a boolean (or 'true' or 'false')",
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
#: Close codes a connection may be reopened after unless the document says otherwise: going
#: away, no status, abnormal closure, server error, restart, try again later, bad gateway.
RETRYABLE: Final = frozenset({1001, 1005, 1006, 1011, 1012, 1013, 1014})
#: Query parameters whose values are credentials whatever the document calls them.
_SECRET_QUERY: Final = re.compile(
    r"^(?:access_?token|token|api_?key|key|secret|client_?secret|signature|sig|password|auth"
    r"|authorization|x-api-key|xi-api-key)$",
    re.IGNORECASE,
)


class ConnectionFailed(ConnectionError):
    """The connection could not start or did not end well: ``code`` (a close code, an HTTP status
    or the server's error code), ``reason``, and whether a new connection may succeed
    (``retryable``)."""

    def __init__(
        self, message: str, *, code: int | str | None = None, reason: str = "", retryable: bool
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.retryable = retryable


class ServerClosed(ConnectionFailed):
    """The server closed the connection with a code other than 1000."""


class ServerError(ConnectionFailed):
    """The server sent its error message (``frame``, delivered as an event too), with the code
    and reason it carries, then closed the connection."""

    def __init__(self, message: str, *, frame: object, **details: Any) -> None:
        super().__init__(message, **details)
        self.frame = frame


class HandshakeRefused(ConnectionFailed):
    """The server refused the upgrade (``status`` 401, 403, ...; ``body`` its answer). Never
    retried: a new attempt gets the same answer."""

    def __init__(self, message: str, *, status: int, body: str) -> None:
        super().__init__(message, code=status, reason=body, retryable=False)
        self.status = status
        self.body = body


class NotReady(ConnectionFailed):
    """The server did not say the session is ready in time."""


class KeepaliveFailed(ConnectionFailed):
    """A keepalive frame could not be sent: the connection is not kept alive any more."""


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Reopen a connection the server closed with a retryable code: up to ``max_attempts`` in a
    row, waiting ``backoff`` (first, most) seconds doubling each time, with ``jitter`` (a random
    half to all of it); give up after ``quick_failures`` connections in a row that each lasted less
    than ``quick`` seconds. ``refresh(attempt)`` (sync or async) returns connect keywords to change
    (``token=``, ``url=``, ...) before each attempt. Frames sent while the connection is down are
    kept up to ``buffer_bytes`` and sent after the setup frames once it is back; the rest are
    dropped and counted in ``Reconnected``."""

    max_attempts: int = 5
    backoff: tuple[float, float] = (0.5, 8.0)
    jitter: bool = True
    refresh: Callable[[int], Mapping[str, object] | Awaitable[Mapping[str, object]]] | None = None
    buffer_bytes: int = 1 << 20
    quick: float = 5.0
    quick_failures: int = 3

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        """The wait before attempt ``attempt`` (1, 2, ...)."""
        first, most = self.backoff
        top = min(most, first * 2.0 ** min(attempt - 1, 64))
        return top * (0.5 + draw() / 2) if self.jitter else top


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The connection was lost (``code``, ``reason``); attempt ``attempt`` starts in ``delay`` s."""

    attempt: int
    delay: float
    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Reconnected:
    """The connection is back: ``replayed`` frames sent again (setup, then those sent meanwhile),
    ``dropped`` frames (``dropped_bytes``) over the buffer's bound not sent."""

    attempt: int
    replayed: int
    dropped: int
    dropped_bytes: int


@dataclass(frozen=True, slots=True)
class UnknownFrame(Violation):
    """A frame the document does not describe (lenient policy): its ``data`` as received."""

    data: str | bytes = ""


@dataclass(frozen=True, slots=True)
class Life:
    """What the document declares about the connection's life (``x-msgen-connection``)."""

    keepalive: Callable[[], OutboundFrame] | None = None
    interval: float = 0.0
    ping: type | None = None
    #: The pong's fixed fields, and (pong pointer, ping pointer) pairs to copy.
    pong: Mapping[str, object] = field(default_factory=dict)
    pong_copy: tuple[tuple[str, str], ...] = ()
    decode: Callable[[str], OutboundFrame] | None = None
    ready: type | None = None
    close: Callable[[], OutboundFrame] | None = None
    final: type | None = None
    close_timeout: float = 5.0
    error: type | None = None
    error_code: str = ""
    error_reason: str = ""
    retry: Mapping[int, bool] = field(default_factory=dict)
    reasons: Mapping[int, str] = field(default_factory=dict)
    setup: tuple[type, ...] = ()

    def retryable(self, code: int | None) -> bool:
        if code is None:
            return False
        return self.retry.get(code, code in RETRYABLE)


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how one connection opens; ``secrets`` never appear in what is shown."""

    url: str
    headers: list[tuple[str, str]]
    secrets: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Target({redact(self.url, self.secrets)!r})"


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every secret, and the values of credential-like query parameters of a URL,
    replaced by ``***``."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, "***")
    parts = urlsplit(text) if text.startswith(("ws://", "wss://")) else None
    if parts is not None and parts.query:
        pairs = [pair.partition("=") for pair in parts.query.split("&")]
        query = "&".join(
            k + eq + ("***" if eq and _SECRET_QUERY.match(unquote(k)) else v) for k, eq, v in pairs
        )
        text = urlunsplit(parts._replace(query=query))
    return text


class _Redacting(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets' logger with the credentials taken out of every message."""

    def __init__(self, logger: logging.Logger, secrets: Sequence[str]) -> None:
        super().__init__(logger, {})
        self.secrets = tuple(secrets)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            text = str(msg) % args if args else str(msg)
            self.logger.log(level, "%s", redact(text, self.secrets), **kwargs)


def _credential_headers(
    given: Mapping[str, object], schemes: Mapping[str, tuple[str, str, str]]
) -> tuple[list[tuple[str, str]], dict[str, str], list[str]]:
    """Headers, query parameters and the secrets the credentials ``given`` make."""
    headers, query, secrets = [], {}, []
    for keyword, (kind, name, scheme) in schemes.items():
        value = given.get(keyword)
        if value is None:
            continue
        if not isinstance(value, str) or not value or "\r" in value or "\n" in value:
            raise ParameterError(f"{keyword}: a credential is a non-empty string on one line")
        secrets.append(value)
        if kind == "basic":
            value = base64.b64encode(value.encode()).decode()
            secrets.append(value)
        if kind == "query":
            query[name] = value
        elif kind == "header":
            headers.append((name, value))
        else:
            headers.append((name, f"{scheme} {value}"))
    return headers, query, secrets


def _pointer(document: object, pointer: str) -> object:
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            document = document.get(token)
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            return None
    return document


def _put(document: dict[str, object], pointer: str, value: object) -> None:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        document = document.setdefault(token, {})  # type: ignore[assignment]
    document[tokens[-1]] = value


@dataclass(slots=True)
class _End:
    """The reader's last word: the close (iteration ends or raises) or a failure."""

    error: BaseException


class Connection:
    """One open connection: ``send`` frames, receive events (``recv`` or ``async for``).

    Besides the frames, iteration yields ``Reconnecting``/``Reconnected`` (with ``reconnect=``)
    and, with the lenient policy, ``UnknownFrame``. It ends when the connection closes normally
    and raises ``ServerClosed``, ``ServerError``, ``KeepaliveFailed`` or the session's
    ``ProtocolError`` otherwise; a failure raises on the next ``send`` too.
    """

    def __init__(
        self,
        dial: Callable[[Mapping[str, object]], Target],
        new_session: Callable[[], Session],
        *,
        life: Life = Life(),
        reconnect: Reconnect | None = None,
        open_timeout: float | None = 10.0,
        max_size: int | None = 1 << 20,
        close_timeout: float = 2.0,
        strict: bool = True,
    ) -> None:
        self._dial = dial
        self._new_session = new_session
        self._life = life
        self._reconnect = reconnect
        self._options: dict[str, Any] = {
            "open_timeout": open_timeout,
            "max_size": max_size,
            "close_timeout": close_timeout,
        }
        self._strict = strict
        #: The protocol state of the current socket; its send helpers queue frames that the next
        #: ``send`` or ``flush`` writes.
        self.session = new_session()
        self._target = dial({})
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._up = asyncio.Event()
        self._ready = asyncio.Event()
        self._final = asyncio.Event()
        self._failure: BaseException | None = None
        #: The server's error message, raised when the connection then closes.
        self._error: ServerError | None = None
        self._ended = False
        self._leaving = False
        self._last_sent = time.monotonic()
        self._opened_at = time.monotonic()
        self._quick = 0
        self._setup: list[str | bytes] = []
        self._audio_started = False
        self._buffer: list[str | bytes] = []
        self._buffered = 0
        self._dropped = (0, 0)
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._connection: ClientConnection | None = None

    def __repr__(self) -> str:
        return f"<Connection {self._shown}>"

    @property
    def url(self) -> str:
        """The URL connected to, the credentials given as ``api_key``/``token`` hidden."""
        url = self._target.url
        for secret in sorted(self._target.secrets, key=len, reverse=True):
            url = url.replace(quote(secret, safe=""), "***")
        return url

    @property
    def _shown(self) -> str:
        """The URL as messages show it: credentials and credential-like query values hidden."""
        return redact(self._target.url, self._target.secrets)

    @property
    def close_code(self) -> int | None:
        """The close code, once the connection is closed."""
        return self._connection.close_code if self._connection is not None else None

    async def _open(self, changes: Mapping[str, object]) -> ClientConnection:
        target = self._target = self._dial(changes) if changes else self._target
        logger = _Redacting(logging.getLogger("websockets.client"), target.secrets)
        try:
            return await _ws_connect(
                target.url, additional_headers=target.headers, logger=logger, **self._options
            )
        except InvalidStatus as refused:
            status = refused.response.status_code
            body = redact(refused.response.body.decode(errors="replace")[:500], target.secrets)
            raise HandshakeRefused(
                f"{self._shown}: the server refused the connection: HTTP {status} {body}".rstrip(),
                status=status,
                body=body,
            ) from None

    async def start(self, *, wait_ready: bool = False, ready_timeout: float = 10.0) -> None:
        """Open the socket and start reading (``connect`` calls it)."""
        self._connection = await self._open({})
        self._opened_at = self._last_sent = time.monotonic()
        self._up.set()
        self._tasks.append(asyncio.create_task(self._read()))
        if self._life.keepalive is not None and self._life.interval > 0:
            self._tasks.append(asyncio.create_task(self._keep_alive()))
        ready = self._life.ready is not None
        if wait_ready and ready and not await self._until(self._ready, ready_timeout):
            await self.close()
            if isinstance(self._failure, Exception):
                raise self._failure
            raise NotReady(
                f"{self._shown}: the session was not ready within {ready_timeout} s", retryable=True
            )

    async def _until(self, event: asyncio.Event, timeout: float) -> bool:
        """Wait for ``event`` until ``timeout`` or the reader's end; True if it is set."""
        waiter = asyncio.ensure_future(event.wait())
        reader = self._tasks[0]
        await asyncio.wait({waiter, reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        return event.is_set()

    # -- sending -----------------------------------------------------------------------------

    async def send(self, frame: OutboundFrame) -> None:
        """Send one frame, checked against the document (``FrameError`` if it is not valid)."""
        self._raise_failure()
        self.session.send_frame(frame)
        await self._flush_sent(type(frame))

    async def _flush_sent(self, kind: type) -> None:
        """Write what sending a ``kind`` frame queued, kept as setup to send again after a
        reconnection: a declared setup message, else anything sent before the first audio."""
        data = self.session.data_to_send()
        if self._life.setup:
            if issubclass(kind, self._life.setup):
                self._setup.extend(data)
        elif not self._audio_started:
            if any(isinstance(item, bytes) for item in data):
                self._audio_started = True
            else:
                self._setup.extend(data)
        await self._write_all(data)

    async def flush(self) -> None:
        """Write what the session's send helpers queued."""
        self._raise_failure()
        await self._write_all(self.session.data_to_send())

    async def _write_all(self, data: Sequence[str | bytes]) -> None:
        async with self._lock:
            for item in data:
                await self._write(item)

    async def _write(self, data: str | bytes) -> None:
        if not self._up.is_set() or self._connection is None:
            self._keep(data)
            return
        try:
            await self._connection.send(data)
        except ConnectionClosed:
            if self._reconnect is None or self._leaving:
                raise
            self._keep(data)
        self._last_sent = time.monotonic()

    def _keep(self, data: str | bytes) -> None:
        size = len(data.encode() if isinstance(data, str) else data)
        bound = self._reconnect.buffer_bytes if self._reconnect else 0
        if self._buffered + size > bound:
            self._dropped = (self._dropped[0] + 1, self._dropped[1] + size)
            return
        self._buffer.append(data)
        self._buffered += size

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _fail(self, error: BaseException) -> None:
        if self._failure is None:
            self._failure = error
        self._queue.put_nowait(_End(error))

    async def _keep_alive(self) -> None:
        interval = self._life.interval
        make = self._life.keepalive
        assert make is not None
        while not self._leaving:
            idle = time.monotonic() - self._last_sent
            if idle < interval:
                await asyncio.sleep(interval - idle)
                continue
            if not self._up.is_set():
                await self._up.wait()
                continue
            try:
                self.session.send_frame(make())
                await self.flush()
            except ConnectionClosed:
                await asyncio.sleep(interval)  # the reader reports the close
            except Exception as error:
                self._fail(
                    KeepaliveFailed(
                        f"{self._shown}: a keepalive could not be sent: {error}", retryable=True
                    )
                )
                raise  # ends the task; ``close`` collects it

    # -- receiving ---------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            await self._reading()
        except Exception as error:
            self._fail(error)  # a ``refresh`` that raised, a bug: the iteration raises it
            raise

    async def _reading(self) -> None:
        while True:
            socket = self._connection
            assert socket is not None
            try:
                data = await socket.recv()
            except ConnectionClosed as closed:
                self._up.clear()
                self._queue_events(self.session.close())
                if await self._closed(closed):
                    continue
                return
            try:
                events = self._receive(data)
            except ProtocolError as error:
                await socket.close(
                    error.close_code, str(error).encode()[:120].decode(errors="ignore")
                )
                self.session.close()
                self._fail(error)
                return
            for event in events:
                await self._react(event, data)
                self._queue.put_nowait(event)
                if self._life.error is not None and isinstance(event, self._life.error):
                    self._error = self._error_frame(event, data)

    def _receive(self, data: str | bytes) -> list[object]:
        if isinstance(data, str):
            events = self.session.receive(data)
        else:
            events = self.session.receive_binary(data)
        if self._strict:
            return list(events)
        return [UnknownFrame(e.error, data) if isinstance(e, Violation) else e for e in events]

    def _queue_events(self, events: list[Event]) -> None:
        for event in events:
            self._queue.put_nowait(event)

    async def _react(self, event: object, data: str | bytes) -> None:
        life = self._life
        if life.ready is not None and isinstance(event, life.ready):
            self._ready.set()
        if life.final is not None and isinstance(event, life.final):
            self._final.set()
        if life.ping is not None and isinstance(event, life.ping) and life.decode is not None:
            pong = dict(life.pong)
            frame = json.loads(data)
            for to, source in life.pong_copy:
                _put(pong, to, _pointer(frame, source))
            with contextlib.suppress(ConnectionClosed):
                self.session.send_frame(life.decode(json.dumps(pong)))
                await self.flush()

    def _error_frame(self, event: object, data: str | bytes) -> ServerError:
        frame = json.loads(data) if isinstance(data, str) else {}
        code = _pointer(frame, self._life.error_code) if self._life.error_code else None
        why = _pointer(frame, self._life.error_reason) if self._life.error_reason else None
        number = code if isinstance(code, int) else None
        retryable = self._life.retryable(number)
        return ServerError(
            f"{self._shown}: the server reported an error: {code} {why or ''}".rstrip(),
            frame=event,
            code=code if isinstance(code, int | str) else None,
            reason=str(why or ""),
            retryable=retryable,
        )

    async def _closed(self, closed: ConnectionClosed) -> bool:
        """The socket closed: True when a new one took its place."""
        received = closed.rcvd
        code = received.code if received is not None else 1006
        reason = received.reason if received is not None else ""
        if self._leaving and (isinstance(closed, ConnectionClosedOK) or self._error is None):
            self._queue.put_nowait(
                _End(ConnectionClosedOK(closed.rcvd, closed.sent, closed.rcvd_then_sent))
            )
            return False
        if self._error is not None:  # the server said why before it closed
            error, self._error = self._error, None
            closing = f"{code} {reason}".rstrip()
            error.args = (f"{error.args[0]} (then closed {closing})",)
            self._fail(error)
            return False
        if isinstance(closed, ConnectionClosedOK):
            self._queue.put_nowait(_End(closed))
            return False
        retryable = self._life.retryable(code)
        why = reason or self._life.reasons.get(code, "")
        lost = ServerClosed(
            f"{self._shown}: the server closed the connection: {code} {why}".rstrip(),
            code=code,
            reason=why,
            retryable=retryable,
        )
        if self._reconnect is None or not retryable:
            self._fail(lost)
            return False
        return await self._again(lost)

    async def _again(self, lost: ServerClosed) -> bool:
        policy = self._reconnect
        assert policy is not None
        lived = time.monotonic() - self._opened_at
        self._quick = self._quick + 1 if lived < policy.quick else 0
        self.session = self._new_session()
        attempt = 0
        while True:
            attempt += 1
            if attempt > policy.max_attempts or self._quick >= policy.quick_failures:
                lost.args = (f"{lost.args[0]} (gave up after {attempt - 1} attempts)",)
                self._fail(lost)
                return False
            delay = policy.delay(attempt)
            code = lost.code if isinstance(lost.code, int) else None
            self._queue.put_nowait(Reconnecting(attempt, delay, code, lost.reason))
            await asyncio.sleep(delay)
            changes: Mapping[str, object] = {}
            if policy.refresh is not None:
                got = policy.refresh(attempt)
                changes = await got if inspect.isawaitable(got) else got
            try:
                socket = await self._open(changes)
            except HandshakeRefused as refused:
                self._fail(refused)
                return False
            except (OSError, TimeoutError):
                self._quick += 1
                continue
            self._connection = socket
            self._opened_at = self._last_sent = time.monotonic()
            again = [*self._setup, *self._buffer]
            try:
                for data in again:
                    await socket.send(data)
            except ConnectionClosed:
                continue
            dropped = self._dropped
            self._buffer, self._buffered, self._dropped = [], 0, (0, 0)
            self._queue.put_nowait(Reconnected(attempt, len(again), *dropped))
            self._up.set()
            return True

    async def recv(self) -> Event:
        """The next event; once the connection is closed and every event is delivered, raises
        websockets' ``ConnectionClosedOK`` (a normal close) or the failure."""
        if self._ended and self._queue.empty():
            raise self._failure or ConnectionClosedOK(None, None)
        item = await self._queue.get()
        if isinstance(item, _End):
            self._ended = True
            self._queue.put_nowait(item)  # every later call raises it too
            raise item.error
        return item  # type: ignore[return-value]

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.recv()
            except ConnectionClosedOK:
                return

    # -- ending ------------------------------------------------------------------------------

    async def finish(self) -> None:
        """Leave: send the closing message, let the reader deliver what arrives until the final
        message, the server's close or the timeout, then close (``async with`` does this)."""
        if self._leaving:
            return
        life = self._life
        if self._reconnect is not None and self._tasks and not self._tasks[0].done():
            await self._until(self._up, life.close_timeout)  # a reconnection under way
        self._leaving = True
        if life.close is not None and self._up.is_set() and self._failure is None:
            with contextlib.suppress(ConnectionClosed, Exception):
                self.session.send_frame(life.close())
                await self.flush()
            done = self._final if life.final is not None else asyncio.Event()
            await self._until(done, life.close_timeout)
        await self.close()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (the closing handshake, bounded)."""
        self._leaving = True
        for task in self._tasks[1:]:
            task.cancel()
        if self._connection is not None:
            await self._connection.close(code, reason)
        if self._tasks:
            reader = self._tasks[0]
            await asyncio.wait({reader}, timeout=self._options["close_timeout"])
            if not reader.done():
                reader.cancel()
                self._queue.put_nowait(_End(ConnectionClosedOK(None, None)))
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.session.close()
        self._up.clear()


# msgen: section connect
def _target(
    values: Mapping[str, object],
    *,
    server: str | None,
    url: str | None,
    extra_query: Mapping[str, QueryValue] | None,
    extra_headers: Mapping[str, str] | None,
    credentials: Mapping[str, object],
    schemes: Mapping[str, tuple[str, str, str]],
) -> Target:
    """The URL and headers for these keyword values and credentials, and what to hide."""
    more_headers, more_query, secrets = _credential_headers(credentials, schemes)
    query: dict[str, QueryValue] = {**(extra_query or {}), **more_query}
    headers = _headers(values, extra_headers) + more_headers
    for name, value in headers:
        if _SECRET_QUERY.match(name):
            secrets += [value, value.partition(" ")[2]]
    return Target(_url(server, url, values, query), headers, tuple(s for s in secrets if s))


def _dialer(
    values: Mapping[str, object],
    *,
    server: str | None,
    url: str | None,
    extra_query: Mapping[str, QueryValue] | None,
    extra_headers: Mapping[str, str] | None,
    credentials: Mapping[str, object],
) -> Callable[[Mapping[str, object]], Target]:
    """Makes the target for the connect keywords, changed by a reconnection's ``refresh``."""

    def dial(changes: Mapping[str, object]) -> Target:
        known = {*values, *credentials, "server", "url"}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ParameterError(f"refresh: no connect keyword {', '.join(unknown)}")
        now = {**values, **credentials, "server": server, "url": url, **changes}
        picked, to = now.pop("server"), now.pop("url")
        given = {k: now.pop(k) for k in credentials}
        return _target(
            now,
            server=picked if isinstance(picked, str) else None,
            url=to if isinstance(to, str) else None,
            extra_query=extra_query,
            extra_headers=extra_headers,
            credentials=given,
            schemes=_CREDENTIALS,
        )

    return dial


@contextlib.asynccontextmanager
async def _connect(
    dial: Callable[[Mapping[str, object]], Target],
    new_session: Callable[[], Session],
    *,
    life: Life,
    reconnect: Reconnect | None,
    wait_ready: bool,
    ready_timeout: float,
    open_timeout: float | None,
    max_size: int | None,
    close_timeout: float,
    strict: bool,
) -> AsyncIterator[Connection]:
    conn = Connection(
        dial,
        new_session,
        life=life,
        reconnect=reconnect,
        open_timeout=open_timeout,
        max_size=max_size,
        close_timeout=close_timeout,
        strict=strict,
    )
    await conn.start(wait_ready=wait_ready, ready_timeout=ready_timeout)
    try:
        yield conn
    except BaseException:
        await conn.close()
        raise
    await conn.finish()
