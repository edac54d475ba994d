"""The static part of every generated package's server tests: ``tests/test_server.py.jinja``
renders the imports (from the package by its name), the parametrizations naming the document's
messages, and the tests whose frames and handlers depend on the document (a call's opening frames,
marks); it includes these sections between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, ClassVar
from urllib.parse import urlsplit

import h11
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from msgen.runtime import picows_server, server
from msgen.runtime.asgi import App
from msgen.runtime.handler import Call, Handler
from msgen.runtime.metrics import PREFIX
from msgen.runtime.security import signature, verify_signature
from msgen.runtime.serving import Calls
from msgen.runtime.session import ProtocolError, Session, Violation

# msgen: section adapters
ADAPTERS = ["websockets", "picows", "asgi"]
TOKEN = "12345678901234567890123456789012"
#: Generous bound on anything a test waits for; a healthy run takes milliseconds.
PATIENCE = 5.0


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 30))


Drain = Callable[[float], Awaitable[None]]


@contextlib.asynccontextmanager
async def running(
    adapter: str, handler: Callable[[], Handler], **options: Any
) -> AsyncIterator[tuple[str, Calls, Drain]]:
    """A server on a free loopback port: its ws:// URL, its calls, and its drain."""
    options.setdefault("handle_signals", False)
    if adapter == "asgi":
        app = App(handler, **options)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, ws="websockets-sansio", lifespan="on", log_level="error"
        )
        asgi_server = uvicorn.Server(config)
        task = asyncio.ensure_future(asgi_server.serve())
        async with asyncio.timeout(PATIENCE):
            while not asgi_server.started:
                await asyncio.sleep(0.01)
        port = asgi_server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"ws://127.0.0.1:{port}/", app.calls, app.drain
        finally:
            asgi_server.should_exit = True
            await task
        return
    serve = server.serve if adapter == "websockets" else picows_server.serve
    async with await serve(handler, "127.0.0.1", 0, **options) as running_server:
        yield f"ws://127.0.0.1:{running_server.port}/", running_server.calls, running_server.drain


class Recorder(Handler):
    """Remembers what the adapter told it."""

    made: ClassVar[list[Recorder]] = []

    def __init__(self) -> None:
        self.violations: list[ProtocolError] = []
        self.closed = 0
        Recorder.made.append(self)

    async def on_violation(self, call: Call, event: Violation) -> None:
        self.violations.append(event.error)

    async def on_close(self, call: Call) -> None:
        self.closed += 1


@pytest.fixture(autouse=True)
def _fresh_recorders() -> None:
    Recorder.made = []


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(PATIENCE):
        while not condition():
            await asyncio.sleep(0.01)


async def closed_with(ws: ClientConnection) -> int | None:
    """Wait for the server to close the connection; the close code it sent."""
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(PATIENCE):
            while True:
                await ws.recv()
    return ws.close_code


def wss(url: str) -> str:
    return "wss://" + url.split("://", 1)[1]


#: The header lines of a WebSocket upgrade request, for ``http_get``.
UPGRADE = (
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


async def http_get(url: str, path: str, headers: str = "Connection: close\r\n") -> tuple[int, str]:
    """A GET on the server's port (``headers``: more header lines, such as ``UPGRADE``): the
    status and the body of an answer that is not an upgrade. The answer is read strictly (h11):
    every header once, a ``Content-Length`` that counts the body."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {where.netloc}\r\n{headers}\r\n".encode())
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target=path, headers=[("Host", where.netloc)]))
    client.send(h11.EndOfMessage())
    raw, body = b"", b""
    response: h11.Response | None = None
    async with asyncio.timeout(PATIENCE):
        while True:
            event = client.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                raw += data
                client.receive_data(data)
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            else:
                raise AssertionError(f"not an HTTP answer: {event!r} after {raw!r}")
    writer.close()
    assert response is not None
    lines = raw.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]
    names = [line.partition(b":")[0].strip().lower() for line in lines]
    assert len(names) == len(set(names)), f"a header sent twice: {raw!r}"
    length = dict(response.headers).get(b"content-length")
    assert length is not None and int(length) == len(body), raw
    return response.status_code, body.decode()


def read_metrics(url: str) -> str:
    """``/metrics`` read with ``urllib.request``, as a script would (in a thread: it blocks)."""
    where = urlsplit(url)
    with urllib.request.urlopen(f"http://{where.netloc}/metrics", timeout=PATIENCE) as answer:
        text: str = answer.read().decode()
        return text


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text as {(name without the package prefix, sorted labels): value}."""
    return {
        (sample.name.removeprefix(PREFIX + "_"), tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def refused(frame: str | bytes) -> bool:
    """Whether the session refuses this frame from the peer (the spec's schemas refuse it)."""
    session = Session(strict=False)
    events = session.receive(frame) if isinstance(frame, str) else session.receive_binary(frame)
    return any(isinstance(e, Violation) for e in events)


#: Frames the peer may not send, each for one test that needs one.
BAD_TEXT = next((t for t in ("not json", "{", "", "\x00") if refused(t)), None)
BAD_BINARY = b"\x00\x01" if refused(b"\x00\x01") else None


# msgen: section signing
def test_signatures_cover_the_url_with_and_without_its_default_port() -> None:
    url = "wss://bot.example.com/media"
    good = signature(url, TOKEN)
    assert verify_signature(url, good, TOKEN)
    assert verify_signature("wss://bot.example.com:443/media", good, TOKEN)
    assert not verify_signature(url, good, TOKEN[::-1])
    assert not verify_signature(url + "x", good, TOKEN)
    assert not verify_signature(url, None, TOKEN)
    assert not verify_signature(url, "", TOKEN)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_missing_and_forged_signatures_are_refused_with_403(adapter: str) -> None:
    async def scenario() -> None:
        async with running(adapter, Recorder, credentials=CREDENTIALS) as (url, calls, _):
            forged = signature(wss(url), "not the token")
            for headers in ({}, {SIGNATURE_HEADER: forged}, {SIGNATURE_HEADER: "abc="}):
                with pytest.raises(InvalidStatus) as caught:
                    await connect(url, additional_headers=headers)
                assert caught.value.response.status_code == 403
            assert Recorder.made == []
            good = upgrade_headers(url)
            assert (
                samples((await http_get(url, "/metrics"))[1])[
                    "upgrades_refused_total", (("reason", "signature"),)
                ]
                == 3
            )
            async with connect(url, additional_headers=good):
                await until(lambda: len(calls) == 1)

    run(scenario())


# msgen: end
SIGNATURE_HEADER = "X-Twilio-Signature"
CREDENTIALS = {"twilioSignature": TOKEN}
REFUSED: tuple[int, str] | None = (403, "invalid X-Twilio-Signature\n")


def upgrade_headers(url: str) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature(wss(url), TOKEN)}


# msgen: section http
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_plain_http_answers_carry_each_header_once_and_the_length_of_their_body(
    adapter: str,
) -> None:
    async def scenario() -> None:
        async with running(adapter, Recorder, credentials=CREDENTIALS) as (url, calls, drain):
            assert await http_get(url, "/healthz") == (200, "ok: 0 call(s)\n")
            status, text = await http_get(url, "/metrics")
            assert status == 200
            assert samples(text)["connections_active", ()] == 0
            assert f"{PREFIX}_connections_active 0.0" in await asyncio.to_thread(read_metrics, url)
            assert (await http_get(url, "/nowhere"))[0] == 404
            if REFUSED is not None:  # an upgrade without credentials
                assert await http_get(url, "/", UPGRADE) == REFUSED
            async with connect(url, additional_headers=upgrade_headers(url)):  # a call in progress
                await until(lambda: len(calls) == 1)
                draining = asyncio.ensure_future(drain(PATIENCE))
                await until(lambda: calls.draining)
                assert await http_get(url, "/healthz") == (503, "draining: 1 call(s)\n")
                assert await http_get(url, "/", UPGRADE) == (503, "server draining\n")
            await draining

    run(scenario())


# msgen: end
@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(("frame", "code"), [("not json", 1007), (b"\x00\x01", 1003)])
# msgen: section errors
def test_protocol_errors_close_with_their_code(adapter: str, frame: str | bytes, code: int) -> None:
    if not refused(frame):
        pytest.skip("a valid frame of this protocol")

    async def scenario() -> None:
        async with running(adapter, Recorder) as (url, calls, _):
            async with connect(url) as ws:
                await ws.send(frame)
                assert await closed_with(ws) == code
            (recorder,) = Recorder.made
            await until(lambda: recorder.closed == 1)
            assert [e.close_code for e in recorder.violations] == [code]
            assert len(calls) == 0

    run(scenario())


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_the_lenient_policy_reports_and_keeps_the_call_up(adapter: str) -> None:
    bad = [f for f in (BAD_TEXT, BAD_BINARY) if f is not None]
    if not bad:
        pytest.skip("every frame is valid in this protocol")

    async def scenario() -> None:
        async with running(adapter, Recorder, strict=False) as (url, calls, _):
            async with connect(url) as ws:
                for frame in bad:
                    await ws.send(frame)
                (recorder,) = Recorder.made
                await until(lambda: len(recorder.violations) == len(bad))
                assert len(calls) == 1
                await ws.ping()
            await until(lambda: recorder.closed == 1)
            assert len(calls) == 0

    run(scenario())


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_oversized_frames_close_with_1009(adapter: str) -> None:
    async def scenario() -> None:
        async with (
            running(adapter, Recorder, max_frame_bytes=1000) as (url, _, _),
            connect(url) as ws,
        ):
            await ws.send("x" * 5000)
            assert await closed_with(ws) == 1009

    run(scenario())


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_idle_calls_are_closed_with_1001(adapter: str) -> None:
    async def scenario() -> None:
        async with running(adapter, Recorder, idle_timeout=0.2) as (url, calls, _):
            async with connect(url) as ws:
                assert await closed_with(ws) == 1001
            await until(lambda: len(calls) == 0)

    run(scenario())


class Greeter(Recorder):
    async def on_open(self, call: Call) -> None:
        raise RuntimeError("a bug in on_open")


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_on_open_runs_when_the_socket_is_up_and_a_failing_one_closes_with_1011(
    adapter: str,
) -> None:
    async def scenario() -> None:
        async with running(adapter, Greeter) as (url, _, _):
            async with connect(url) as ws:
                assert await closed_with(ws) == 1011
            (recorder,) = Recorder.made
            await until(lambda: recorder.closed == 1)

    run(scenario())


class Failing(Recorder):
    async def on_violation(self, call: Call, event: Violation) -> None:
        raise RuntimeError("a bug in the handler")


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_failing_callback_closes_with_1011(adapter: str) -> None:
    bad = BAD_TEXT if BAD_TEXT is not None else BAD_BINARY
    if bad is None:
        pytest.skip("every frame is valid in this protocol")

    async def scenario() -> None:
        async with running(adapter, Failing, strict=False) as (url, _, _):
            async with connect(url) as ws:
                await ws.send(bad)
                assert await closed_with(ws) == 1011
            (recorder,) = Recorder.made
            await until(lambda: recorder.closed == 1)

    run(scenario())


# msgen: section drain
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_drain_refuses_new_calls_and_lets_calls_in_progress_end(adapter: str) -> None:
    async def scenario() -> None:
        async with running(adapter, Recorder) as (url, calls, drain):
            assert await http_get(url, "/healthz") == (200, "ok: 0 call(s)\n")
            ws = await connect(url)
            await until(lambda: len(calls) == 1)
            draining = asyncio.ensure_future(drain(PATIENCE))
            await until(lambda: calls.draining)
            assert await http_get(url, "/healthz") == (503, "draining: 1 call(s)\n")
            with pytest.raises(InvalidStatus) as caught:
                await connect(url)
            assert caught.value.response.status_code == 503
            await ws.ping()  # the call in progress goes on
            assert not draining.done()
            await ws.close()
            await draining
            (recorder,) = Recorder.made
            assert recorder.closed == 1
            assert calls.ended == {1000: 1}

    run(scenario())
