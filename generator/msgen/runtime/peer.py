"""The static part of a package's ``peer`` module: the script's steps, and playing a script over a
WebSocket as a server (``serve``) or a client (``dial``).

The template keeps what the document decides (the docstring, the imports, ``EXAMPLES``) and
includes these sections around it. Above the first section: the imports, and a stand-in for
``EXAMPLES``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _ws_connect
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as _ws_serve
from websockets.exceptions import ConnectionClosed

from .errors import FrameError
from .frames import InboundFrame, OutboundFrame
from .wire import decode_inbound, decode_outbound, encode

#: Stand-in: the conversation of the document's examples, as (action, frame text).
EXAMPLES: Final[tuple[tuple[Literal["send", "expect"], str], ...]] = ()


# msgen: section steps
@dataclass(frozen=True, slots=True)
class Send:
    """The peer sends this frame."""

    frame: InboundFrame


@dataclass(frozen=True, slots=True)
class Expect:
    """The peer waits for the next frame and checks that it is this one as it goes on the wire
    (its encoding, so two messages with equal fields are still told apart)."""

    frame: OutboundFrame


Step = Send | Expect


# msgen: section play
def example_script() -> list[Step]:
    """``EXAMPLES`` as steps."""
    return [
        Send(decode_inbound(text)) if action == "send" else Expect(decode_outbound(text))
        for action, text in EXAMPLES
    ]


@dataclass
class Report:
    """What one connection did. ``ok``: the whole script ran and every frame matched."""

    #: The request's path and query, and its headers (lower-case names).
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    #: The frames received, in order.
    received: list[OutboundFrame] = field(default_factory=list)
    #: What went wrong first ("" if nothing).
    error: str = ""
    done: bool = False

    @property
    def ok(self) -> bool:
        return self.done and not self.error


async def _play(
    connection: ServerConnection | ClientConnection,
    script: Sequence[Step],
    report: Report,
    timeout: float,
) -> None:
    expected = sum(isinstance(step, Expect) for step in script)
    try:
        for number, step in enumerate(script, 1):
            if isinstance(step, Send):
                await connection.send(encode(step.frame))
                continue
            async with asyncio.timeout(timeout):
                data = await connection.recv()
            try:
                frame: OutboundFrame = decode_outbound(data)
            except FrameError as error:
                report.error = f"step {number}: an invalid frame: {error}"
                await connection.close(1007, "invalid frame")
                return
            report.received.append(frame)
            if encode(frame) != encode(step.frame):
                report.error = f"step {number}: expected {step.frame!r}, got {frame!r}"
                await connection.close(1008, "unexpected frame")
                return
        report.done = True
        await connection.close()
    except TimeoutError:
        got = len(report.received)
        report.error = f"no frame within {timeout} s ({got} of {expected} expected received)"
        await connection.close(1001, "timeout")
    except ConnectionClosed as closed:
        report.error = f"the connection closed first: {closed}"


class PeerServer:
    """A running scripted server; ``report()`` waits for the next connection to finish."""

    def __init__(
        self, url: str, reports: asyncio.Queue[Report], stop: Callable[[], Awaitable[None]]
    ) -> None:
        #: ``ws://127.0.0.1:<port>``: where a client connects.
        self.url = url
        self._reports = reports
        self._stop = stop

    async def report(self, timeout: float = 10.0) -> Report:
        async with asyncio.timeout(timeout):
            return await self._reports.get()

    async def close(self) -> None:
        await self._stop()

    async def __aenter__(self) -> PeerServer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def serve(
    script: Sequence[Step], host: str = "127.0.0.1", port: int = 0, *, timeout: float = 5.0
) -> PeerServer:
    """Serve ``script`` to every connection; port 0 picks a free port (see ``PeerServer.url``)."""
    reports: asyncio.Queue[Report] = asyncio.Queue()

    async def run(connection: ServerConnection) -> None:
        request = connection.request
        assert request is not None  # set once the handshake succeeded
        headers = {name.lower(): value for name, value in request.headers.raw_items()}
        report = Report(path=request.path, headers=headers)
        await _play(connection, script, report, timeout)
        await reports.put(report)

    server = await _ws_serve(run, host, port, compression=None)
    bound = next(iter(server.sockets)).getsockname()[1]

    async def stop() -> None:
        server.close()
        await server.wait_closed()

    return PeerServer(f"ws://{host}:{bound}", reports, stop)


async def dial(
    url: str,
    script: Sequence[Step],
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
) -> Report:
    """Connect to ``url`` (a server adapter) and play ``script``."""
    report = Report(path=url, headers={k.lower(): v for k, v in (headers or {}).items()})
    async with _ws_connect(url, additional_headers=headers, open_timeout=timeout) as connection:
        await _play(connection, script, report, timeout)
    return report
