"""Serve calls from an ASGI application: Starlette, FastAPI, or any ASGI server alone.

The package's ``asgi`` module: its template renders the docstring, with the package's name, and
``_Link.send`` for the document's frames (``str``, or ``str | bytes`` with binary messages).
"""

# msgen: section head
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from typing import Any, Protocol

from .handler import Call, Driver, Handler
from .security import CHECKS, SCHEMES, Upgrade, admit, configure
from .serving import Calls, http_answer

__all__ = ["App", "WebSocketLike"]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Close code for a frame larger than ``max_frame_bytes``; the code of a close frame without one.
MESSAGE_TOO_BIG, NO_STATUS = 1009, 1005
_TEXT = [(b"content-type", b"text/plain; charset=utf-8")]


class WebSocketLike(Protocol):
    """A framework's WebSocket object, such as Starlette's and FastAPI's ``WebSocket``."""

    @property
    def scope(self) -> Scope: ...

    async def receive(self) -> Message: ...

    async def send(self, message: Message) -> None: ...


class _Link:
    """An ASGI WebSocket as a ``Link``."""

    __slots__ = ("_closed", "_send")

    def __init__(self, send: Send) -> None:
        self._send = send
        self._closed = False

    # msgen: end
    async def send(self, text: str | bytes) -> None:
        if self._closed:
            return
        try:
            key = "bytes" if isinstance(text, bytes) else "text"
            await self._send({"type": "websocket.send", key: text})
        except Exception:  # servers and frameworks differ on how they report a vanished client
            self._closed = True

    # msgen: section tail
    async def close(self, code: int, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": code, "reason": reason})


class App:
    """An ASGI app serving calls: ``handler()`` per WebSocket connection, options as in
    ``server.serve``; ``handler`` may be left out when routes call ``run_call``.

    ``calls`` holds the calls in progress. Lifespan startup (or the first call) starts the idle
    watcher, startup also takes over the signals; lifespan shutdown closes what is left.
    """

    def __init__(
        self,
        handler: Callable[[], Handler] | None = None,
        *,
        strict: bool = True,
        credentials: Mapping[str, str] | None = None,
        auth_token: str | None = None,
        public_url: str | None = None,
        max_frame_bytes: int = 65536,
        idle_timeout: float | None = 30.0,
        drain_timeout: float = 30.0,
        handle_signals: bool = True,
        metrics: bool = True,
    ) -> None:
        self.handler = handler
        self.strict = strict
        self.credentials = configure(SCHEMES, credentials, auth_token)
        self.public_url = public_url
        self.max_frame_bytes = max_frame_bytes
        self.drain_timeout = drain_timeout
        self.handle_signals = handle_signals
        self.calls = Calls(idle_timeout, metrics=metrics)
        self._watcher: asyncio.Task[None] | None = None
        self._draining: asyncio.Future[None] | None = None
        self._cutting: asyncio.Future[None] | None = None
        self._previous: dict[signal.Signals, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            await self._websocket(scope, receive, send, self.handler)
        elif kind == "http":
            await self._http(scope, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def run_call(self, websocket: WebSocketLike, handler: Handler) -> None:
        """Run one call on a framework's WebSocket, not accepted yet, with ``handler``; returns
        once the call has ended (or was refused: bad credentials, draining)."""
        await self._websocket(websocket.scope, websocket.receive, websocket.send, lambda: handler)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: object = None) -> AsyncIterator[None]:
        """The app's lifespan, for a framework's ``lifespan=`` (``app`` is not used)."""
        self.start()
        try:
            yield
        finally:
            await self.stop()

    def start(self) -> None:
        """Start the idle watcher and, with ``handle_signals``, take over SIGTERM and SIGINT."""
        self._watch()
        if self.handle_signals and threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._previous[sig] = signal.signal(
                    sig, lambda number, _frame: loop.call_soon_threadsafe(self._signalled, number)
                )

    async def stop(self) -> None:
        """Give the signals back, stop the watcher and close the calls still open with 1001."""
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        await self.calls.close_all()

    async def drain(self, timeout: float | None = None) -> None:
        """Drain the calls (see ``serving``); ``timeout`` overrides ``drain_timeout``."""
        await self.calls.drain(self.drain_timeout if timeout is None else timeout)

    def _signalled(self, number: int) -> None:
        sig = signal.Signals(number)
        if self._draining is None:
            log.info("%s: draining (up to %g s)", sig.name, self.drain_timeout)
            self._draining = asyncio.ensure_future(self._drain_then_pass_on(sig))
        else:
            log.warning("%s again: closing the remaining calls now", sig.name)
            self._cutting = asyncio.ensure_future(self.calls.close_all())

    async def _drain_then_pass_on(self, sig: signal.Signals) -> None:
        await self.drain()
        previous = self._previous.get(sig, signal.SIG_DFL)
        server = getattr(previous, "__self__", None)
        if server is not None and isinstance(getattr(server, "should_exit", None), bool):
            server.should_exit = True  # uvicorn: stop now, and exit 0 rather than re-raise
        elif callable(previous):
            previous(sig, None)
        else:
            signal.signal(sig, previous)
            signal.raise_signal(sig)

    def _watch(self) -> None:
        if self._watcher is None:
            self._watcher = asyncio.ensure_future(self.calls.watch())

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, send: Send) -> None:
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if scope["method"] in {"GET", "HEAD"}:
            status, content_type, body = http_answer(self.calls, path or "/")
        else:
            status, content_type, body = 405, "text/plain; charset=utf-8", b"GET only\n"
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        status: int,
        body: bytes,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Refuse an upgrade with an HTTP status where the server lets the app pick one
        (uvicorn does), else with the server's own (403)."""
        if "websocket.http.response" in (scope.get("extensions") or {}):
            more = [(name.lower().encode(), value.encode()) for name, value in extra]
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": status,
                    "headers": [*_TEXT, *more],
                }
            )
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008})

    async def _websocket(
        self, scope: Scope, receive: Receive, send: Send, handler: Callable[[], Handler] | None
    ) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        if query and "?" not in path:
            path += "?" + query
        if handler is None:
            log.error("a WebSocket reached an App without a handler; use App(handler) or run_call")
            await self._refuse(scope, send, 404, b"no handler for this path\n")
            return
        if self.calls.draining:
            self.calls.refused["draining"] += 1
            await self._refuse(scope, send, 503, b"server draining\n")
            return
        if self.credentials:
            upgrade = Upgrade(headers, path, self.public_url)
            refusal = admit(SCHEMES, CHECKS, self.credentials, upgrade)
            if refusal is not None:
                self.calls.refused[refusal.reason] += 1
                await self._refuse(scope, send, refusal.status, refusal.body, refusal.headers)
                return
        await send({"type": "websocket.accept"})
        self._watch()
        link = _Link(send)
        call = Call(self.calls.session(self.strict), link, path, headers)
        driver = Driver(handler(), link, call, self.calls)
        code: int | None = None
        try:
            await driver.open()
            while not driver.closing:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.disconnect":
                    # uvicorn reports a connection lost without a close frame as 1005
                    code = message.get("code") if message.get("code") != NO_STATUS else None
                    break
                if kind != "websocket.receive":
                    continue
                text = message.get("text")
                data = text if text is not None else message.get("bytes") or b""
                if len(data) > self.max_frame_bytes:
                    await driver.close(MESSAGE_TOO_BIG, "frame too big")
                elif text is not None:
                    await driver.text(text)
                else:
                    await driver.binary(data)
        except OSError:
            pass  # vanished mid-call
        finally:
            await driver.finish(code)
