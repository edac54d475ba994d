# msgen: section head
"""Serve calls with picows, for many calls per process: same arguments as ``server.serve``.

picows parses frames in C and hands them over in a plain callback, with no task per connection;
on a real-time echo under uvloop it uses about half the CPU per call of a plain websockets server
(see the project's server benchmark). Needs ``pip install picows``; run it under uvloop
(``uvloop.run(main())``) for the best figures.

Callbacks run eagerly: each starts inside picows's callback and becomes a task only if it has
to wait, so a callback that returns without waiting costs no task. Until its first wait it runs
outside any task: ``asyncio.current_task()`` is ``None`` there, and ``asyncio.timeout()``
raises; use ``asyncio.wait_for`` or start a task of your own for such code.

The same port answers plain HTTP ``GET /healthz`` and ``GET /metrics`` (see ``serving``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Generator, Mapping
from typing import Any, Final

from picows import (
    WSCloseCode,
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)

from .handler import Call, Driver, Handler
from .security import CHECKS, SCHEMES, Upgrade, admit, configure
from .serving import Calls, Server, http_answer
from .session import Session

__all__ = ["serve"]

log = logging.getLogger(__name__)

_Coro = Coroutine[Any, Any, None]
_TEXT: Final = WSMsgType.TEXT


class _Resume:
    """Awaiting this finishes a coroutine that was started by hand and is suspended on
    ``yielded``: the enclosing task waits for what the coroutine waits for."""

    __slots__ = ("_coro", "_yielded")

    def __init__(self, coro: _Coro, yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self._coro, self._yielded
        while True:
            try:
                sent = yield value
            except BaseException as exc:  # e.g. the task's cancellation: pass it on
                try:
                    value = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    value = coro.send(sent)
                except StopIteration:
                    return


class _Serial:
    """Runs one connection's coroutines one after another, each eagerly when nothing is
    waiting: most frames are handled to the end inside the picows callback."""

    __slots__ = ("_backlog", "_task")

    def __init__(self) -> None:
        self._backlog: deque[_Coro] = deque()
        self._task: asyncio.Task[None] | None = None

    def run(self, coro: _Coro) -> None:
        if self._task is not None:
            self._backlog.append(coro)
            return
        try:
            yielded = coro.send(None)
        except StopIteration:
            return
        except Exception:
            log.exception("call driver failed")
            return
        self._task = asyncio.ensure_future(self._finish(coro, yielded))

    async def _finish(self, coro: _Coro, yielded: Any) -> None:
        try:
            await _Resume(coro, yielded)
            while self._backlog:
                await self._backlog.popleft()
        except Exception:
            log.exception("call driver failed")
        finally:
            self._task = None


class _Link:
    """A picows transport as a ``Link``."""

    __slots__ = ("_transport", "closing")

    def __init__(self, transport: WSTransport) -> None:
        self._transport = transport
        self.closing = False

    # msgen: end
    async def send(self, text: str | bytes) -> None:
        if not self.closing:
            if isinstance(text, bytes):
                self._transport.send(WSMsgType.BINARY, text)
            else:
                self._transport.send(_TEXT, text.encode())

    # msgen: section tail
    async def close(self, code: int, reason: str) -> None:
        if not self.closing:
            self.closing = True
            self._transport.send_close(WSCloseCode(code), reason.encode())
            self._transport.disconnect()


class _Listener(WSListener):
    """One connection: frames to the driver, in order."""

    _link: _Link  # set on connection, before any frame

    def __init__(
        self, handler: Handler, session: Session, calls: Calls, path: str, headers: dict[str, str]
    ) -> None:
        self._handler = handler
        self._session = session
        self._calls = calls
        self._path = path
        self._headers = headers
        self._serial = _Serial()
        self._driver: Driver | None = None
        self._code: int | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        self._link = link = _Link(transport)
        call = Call(self._session, link, self._path, self._headers)
        self._driver = driver = Driver(self._handler, link, call, self._calls)
        self._serial.run(driver.open())

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        driver = self._driver
        assert driver is not None
        kind = frame.msg_type
        if kind is _TEXT:
            self._serial.run(driver.text(frame.get_payload_as_bytes()))
        elif kind is WSMsgType.BINARY:
            self._serial.run(driver.binary(frame.get_payload_as_bytes()))
        elif kind is WSMsgType.CLOSE:
            driver.closing = self._link.closing = True
            code = frame.get_close_code()
            self._code = code.value
            transport.send_close(code)
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self._driver is not None:
            self._serial.run(self._driver.finish(self._code))


async def serve(
    handler: Callable[[], Handler],
    host: str = "127.0.0.1",
    port: int = 8080,
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
    reuse_port: bool = False,
) -> Server:
    """Start serving calls; arguments as in ``server.serve``."""
    chosen = configure(SCHEMES, credentials, auth_token)
    calls = Calls(idle_timeout, metrics=metrics)

    def accept(request: WSUpgradeRequest) -> WSListener | WSUpgradeResponseWithListener:
        path = request.path.decode("latin-1")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return _answer(*http_answer(calls, path))
        if calls.draining:
            calls.refused["draining"] += 1
            return _answer(503, "text/plain; charset=utf-8", b"server draining\n")
        headers = {name.lower(): value for name, value in request.headers.items()}
        if chosen:
            refusal = admit(SCHEMES, CHECKS, chosen, Upgrade(headers, path, public_url))
            if refusal is not None:
                calls.refused[refusal.reason] += 1
                text = "text/plain; charset=utf-8"
                return _answer(refusal.status, text, refusal.body, dict(refusal.headers))
        return _Listener(handler(), calls.session(strict), calls, path, headers)

    server = await ws_create_server(
        accept, host, port, max_frame_size=max_frame_bytes, reuse_port=reuse_port
    )

    async def stop() -> None:
        server.close()
        await calls.close_all()
        await server.wait_closed()

    bound = server.sockets[0].getsockname()[1]
    return Server(bound, calls, stop, drain_timeout=drain_timeout, handle_signals=handle_signals)


def _answer(
    status: int, content_type: str, body: bytes, extra: Mapping[str, str] | None = None
) -> WSUpgradeResponseWithListener:
    """A plain HTTP answer instead of an upgrade."""
    headers = {"Content-Type": content_type, **(extra or {})}
    if status == 200:
        response = WSUpgradeResponse.create_ok_response(body, extra_headers=headers)
    else:
        response = WSUpgradeResponse.create_error_response(status, body, extra_headers=headers)
    return WSUpgradeResponseWithListener(response, None)
