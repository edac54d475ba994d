"""Serve calls with the websockets library (asyncio): ``serve(handler, host, port)``.

The package's ``server`` module: its template renders the docstring, with the package's name, and
``_Link.send`` for the document's frames (``str``, or ``str | bytes`` with binary messages).
"""

# msgen: section head
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as _ws_serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .handler import Call, Driver, Handler
from .security import CHECKS, SCHEMES, Upgrade, admit, configure
from .serving import Calls, Server, http_answer

__all__ = ["serve"]

log = logging.getLogger(__name__)


class _Link:
    """A websockets connection as a ``Link``."""

    __slots__ = ("_connection",)

    def __init__(self, connection: ServerConnection) -> None:
        self._connection = connection

    # msgen: end
    async def send(self, text: str | bytes) -> None:
        with contextlib.suppress(ConnectionClosed):  # the peer is gone; ``finish`` follows
            await self._connection.send(text)

    # msgen: section tail
    async def close(self, code: int, reason: str) -> None:
        await self._connection.close(code, reason)


def _close_code(connection: ServerConnection) -> int | None:
    """The code of the first close frame, sent or received; ``None`` without one."""
    protocol = connection.protocol
    sent, received = protocol.close_sent, protocol.close_rcvd
    if received is not None and (sent is None or protocol.close_rcvd_then_sent):
        return received.code
    return None if sent is None else sent.code


def _respond(connection: ServerConnection, status: int, content_type: str, body: bytes) -> Response:
    """A plain HTTP answer: ``respond`` gives the status, Date and ``Connection: close``; its
    Content-Type and Content-Length (of an empty text) are replaced, as assigning a header of
    websockets' ``Headers`` adds one more."""
    response = connection.respond(HTTPStatus(status), "")
    headers = response.headers
    del headers["Content-Type"], headers["Content-Length"]
    headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(body))
    response.body = body
    return response


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
    """Start serving calls; each connection gets ``handler()`` (e.g. a ``Handler`` subclass).

    ``strict`` picks the session's policy. ``credentials`` maps the key of a security scheme
    the document declares to its secret (``auth_token``: the secret of its only scheme); an
    upgrade that satisfies none of the schemes given a secret is refused (see ``security``: 401
    without a credential, 403 with a wrong one). A signed URL is ``public_url`` (such as
    ``wss://bot.example.com``, as the peer sees it) plus the request path, or ``wss://`` plus
    the Host header. Frames over ``max_frame_bytes`` close the call with 1009; a call silent for
    ``idle_timeout`` seconds is closed with 1001. Port 0 picks a free port (``Server.port``).

    SIGTERM and SIGINT drain the server (``handle_signals=False`` leaves them alone): calls in
    progress get ``drain_timeout`` seconds to end. ``metrics=False`` stops counting frames
    (``/metrics`` then answers 404). ``reuse_port`` lets several processes share the port.
    """
    chosen = configure(SCHEMES, credentials, auth_token)
    calls = Calls(idle_timeout, metrics=metrics)

    def check(connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return _respond(connection, *http_answer(calls, request.path))
        if calls.draining:
            calls.refused["draining"] += 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "server draining\n")
        if not chosen:
            return None
        headers = {name.lower(): value for name, value in request.headers.raw_items()}
        refusal = admit(SCHEMES, CHECKS, chosen, Upgrade(headers, request.path, public_url))
        if refusal is None:
            return None
        calls.refused[refusal.reason] += 1
        response = connection.respond(HTTPStatus(refusal.status), refusal.body.decode())
        for name, value in refusal.headers:
            response.headers[name] = value
        return response

    async def run(connection: ServerConnection) -> None:
        request = connection.request
        assert request is not None  # set once the handshake succeeded
        link = _Link(connection)
        headers = {name.lower(): value for name, value in request.headers.raw_items()}
        call = Call(calls.session(strict), link, request.path, headers)
        driver = Driver(handler(), link, call, calls)
        try:
            await driver.open()
            async for message in connection:
                if isinstance(message, str):
                    await driver.text(message)
                else:
                    await driver.binary(message)
                if driver.closing:
                    break
        except ConnectionClosed:
            pass  # vanished mid-call: ``finish`` resolves what was pending
        finally:
            await driver.finish(_close_code(connection))

    server = await _ws_serve(
        run,
        host,
        port,
        process_request=check,
        max_size=max_frame_bytes,
        compression=None,
        reuse_port=reuse_port,
    )

    async def stop() -> None:
        server.close()
        await server.wait_closed()

    bound = next(iter(server.sockets)).getsockname()[1]
    return Server(bound, calls, stop, drain_timeout=drain_timeout, handle_signals=handle_signals)
