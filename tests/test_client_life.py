"""The generated client's connection life over real loopback WebSockets: stand-in servers written
from the vendors' documented behaviour (an idle socket closed with 1011, results after the closing
message, a dropped connection, a refused handshake, application pings), with short intervals."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import ROOT
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from msgen.model.normalize import load
from msgen.output import write_tree
from msgen.render import render

DEEPGRAM = ROOT / "tests" / "fixtures" / "deepgram"
CONV = ROOT / "tests" / "model" / "connection_life.yaml"
CONV_LIFE = {
    "ping": {"message": "ping", "pong": "pong", "id": "/ping_event/event_id"},
    "ready": "begin",
    "close": {"message": "terminate", "final": "ended", "timeout": 2},
    "errors": {"message": "error", "code": "/code", "reason": "/message"},
    "closeCodes": {"4001": {"reason": "not authorized", "retry": False}},
    "setup": ["configure"],
}
SECRET = "sekret-Key_123"
END = json.dumps({"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": 1.5})


def _build(tmp: Path, name: str, spec: Path, overlays: list[Path]) -> None:
    built = load(spec, overlays=overlays, side="application", package=name)
    write_tree(tmp / name, render(built, "dataclasses", name))


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    tmp = tmp_path_factory.mktemp("life")
    _build(tmp, "dg_life", DEEPGRAM / "asyncapi.yml", [DEEPGRAM / "overlay.yaml"])
    overlay = tmp / "conv-overlay.yaml"
    overlay.write_text(
        json.dumps(
            {
                "overlay": "1.0.0",
                "info": {"title": "conv", "version": "1"},
                "actions": [
                    {"target": "$.channels.conv", "update": {"x-msgen-connection": CONV_LIFE}}
                ],
            }
        )
    )
    _build(tmp, "conv_life", CONV, [overlay])
    sys.path.insert(0, str(tmp / "dg_life"))
    sys.path.insert(0, str(tmp / "conv_life"))
    importlib.invalidate_caches()
    yield {
        "deepgram": importlib.import_module("dg_life.listen_v1.client"),
        "conv": importlib.import_module("conv_life.client"),
    }
    sys.path.remove(str(tmp / "dg_life"))
    sys.path.remove(str(tmp / "conv_life"))


@pytest.fixture
def deepgram(packages: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Deepgram's listen client with its keepalive every 0.2 s and a 1 s close timeout."""
    client = packages["deepgram"]
    quick = dataclasses.replace(client._LIFE, interval=0.2, close_timeout=1.0)
    monkeypatch.setattr(client, "_LIFE", quick)
    return client


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 20))


Handler = Callable[[ServerConnection], Awaitable[None]]


@contextlib.asynccontextmanager
async def server(handler: Handler, **options: Any) -> Any:
    async with serve(handler, "127.0.0.1", 0, **options) as running:
        port = next(iter(running.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}"


async def _idle_closing(ws: ServerConnection, got: list[str | bytes], idle: float = 0.5) -> None:
    """Deepgram's rule: no message for ``idle`` s closes with 1011 (NET-0001); CloseStream sends
    the last results, then the server closes."""
    while True:
        try:
            data = await asyncio.wait_for(ws.recv(), idle)
        except TimeoutError:
            await ws.close(1011, "NET-0001")
            return
        got.append(data)
        if isinstance(data, str) and json.loads(data)["type"] == "CloseStream":
            await asyncio.sleep(0.1)
            await ws.send(END)
            await asyncio.sleep(0.1)
            await ws.send(END)
            await ws.close()
            return


def test_keepalive_keeps_the_socket_open_across_a_pause(deepgram: ModuleType) -> None:
    async def scenario() -> None:
        got: list[str | bytes] = []
        async with (
            server(lambda ws: _idle_closing(ws, got)) as url,
            deepgram.connect(url=url) as conn,
        ):
            await conn.send_listen_v1_media(data=b"\0\0" * 160)
            await asyncio.sleep(1.5)  # three times the idle limit
            await conn.send_listen_v1_media(data=b"\0\0" * 160)
            events = [e async for e in _until_closed(conn)]
        kept = [d for d in got if isinstance(d, str) and "KeepAlive" in d]
        assert len(kept) >= 3
        assert got[-1] == '{"type":"CloseStream"}'
        assert len(events) == 2 and all(type(e).__name__ == "ListenV1UtteranceEnd" for e in events)

    run(scenario)


async def _until_closed(conn: Any) -> Any:
    """Leave the block from within: the events the server still sends come through iteration."""
    reader = asyncio.ensure_future(_collect(conn))
    await conn.finish()
    for event in await reader:
        yield event


async def _collect(conn: Any) -> list[Any]:
    return [e async for e in conn]


def test_without_keepalive_the_idle_socket_is_closed_with_a_typed_error(
    deepgram: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deepgram, "_LIFE", dataclasses.replace(deepgram._LIFE, keepalive=None))

    async def scenario() -> None:
        async with (
            server(lambda ws: _idle_closing(ws, [])) as url,
            deepgram.connect(url=url) as conn,
        ):
            with pytest.raises(deepgram.ServerClosed) as caught:
                await conn.recv()
        assert caught.value.code == 1011 and caught.value.retryable
        assert caught.value.reason == "NET-0001"
        assert isinstance(caught.value, ConnectionError)

    run(scenario)


def test_leaving_the_block_delivers_the_results_after_the_closing_message(
    deepgram: ModuleType,
) -> None:
    async def scenario() -> None:
        got: list[str | bytes] = []
        events: list[Any] = []

        async def read(conn: Any) -> None:
            events.extend([e async for e in conn])

        async with server(lambda ws: _idle_closing(ws, got)) as url:
            async with deepgram.connect(url=url) as conn:
                reader = asyncio.create_task(read(conn))
                await conn.send_listen_v1_media(data=b"\1\0" * 160)
            await reader
        assert got[-1] == '{"type":"CloseStream"}'
        assert [type(e).__name__ for e in events] == ["ListenV1UtteranceEnd"] * 2
        assert conn.close_code == 1000

    run(scenario)


def test_a_dropped_connection_is_reopened_and_the_frames_sent_meanwhile_arrive(
    deepgram: ModuleType,
) -> None:
    async def scenario() -> None:
        sockets: list[list[str | bytes]] = []

        async def handler(ws: ServerConnection) -> None:
            got: list[str | bytes] = []
            sockets.append(got)
            if len(sockets) == 1:
                got.append(await ws.recv())
                await ws.close(1011, "server restart")
                return
            await _idle_closing(ws, got, idle=5)

        policy = deepgram.Reconnect(backoff=(0.3, 0.3), jitter=False)
        events: list[Any] = []
        async with server(handler) as url:
            async with deepgram.connect(url=url, reconnect=policy) as conn:
                reader = asyncio.create_task(_collect(conn))
                await conn.send_listen_v1_media(data=b"first")
                await asyncio.sleep(0.1)  # the server drops the connection
                for n in range(3):
                    await conn.send_listen_v1_media(data=b"meanwhile %d" % n)
            events = await reader
        assert sockets[0] == [b"first"]
        assert sockets[1][:3] == [b"meanwhile 0", b"meanwhile 1", b"meanwhile 2"]
        kinds = [type(e).__name__ for e in events]
        assert kinds[:2] == ["Reconnecting", "Reconnected"]
        assert events[0].code == 1011 and events[0].attempt == 1
        assert events[1].replayed == 3 and events[1].dropped == 0

    run(scenario)


def _refusing(status: int, seen: list[Request]) -> Callable[[Any, Request], Response]:
    def refuse(connection: Any, request: Request) -> Response:
        seen.append(request)
        return Response(status, "Unauthorized", Headers(), b'{"err_msg":"Invalid credentials."}')

    return refuse


def test_a_refused_handshake_is_a_typed_error_and_never_retried(deepgram: ModuleType) -> None:
    async def scenario() -> None:
        seen: list[Request] = []
        async with server(lambda ws: ws.wait_closed(), process_request=_refusing(401, seen)) as url:
            with pytest.raises(deepgram.HandshakeRefused) as caught:
                async with deepgram.connect(
                    url=url, api_key=SECRET, reconnect=deepgram.Reconnect()
                ):
                    pass
        assert caught.value.status == 401 and not caught.value.retryable
        assert "Invalid credentials" in caught.value.body
        assert len(seen) == 1
        assert seen[0].headers["Authorization"] == f"Token {SECRET}"
        assert SECRET not in str(caught.value)

    run(scenario)


def test_credentials_never_appear_in_reprs_urls_or_logs(
    deepgram: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        headers: list[str] = []

        async def handler(ws: ServerConnection) -> None:
            headers.append(ws.request.headers["Authorization"] if ws.request else "")
            await _idle_closing(ws, [])

        async with (
            server(handler) as url,
            deepgram.connect(url=url, token=SECRET, model="nova-9-future") as conn,
        ):
            shown = [repr(conn), str(conn), conn.url, repr(conn._target)]
            assert "model=nova-9-future" in conn.url
        assert headers == [f"Bearer {SECRET}"]
        assert all(SECRET not in text for text in shown)

    run(scenario)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "websockets.server")
    assert "> Authorization: ***" in ours  # websockets logged the client's handshake ...
    assert SECRET not in ours  # ... without the credential


def test_a_query_credential_is_hidden_in_shown_urls(packages: dict[str, ModuleType]) -> None:
    client = packages["deepgram"]
    shown = client.redact(f"wss://h/v1/listen?model=nova&token={SECRET}&keyterm=a", [])
    assert shown == "wss://h/v1/listen?model=nova&token=***&keyterm=a"


def test_keywords_are_written_as_the_server_expects(packages: dict[str, ModuleType]) -> None:
    client = packages["deepgram"]
    url = client.build_url(
        url="wss://h",
        interim_results=True,
        smart_format="false",
        model="nova-9",
        keyterm=["a", "b"],
    )
    assert "interim_results=true" in url and "smart_format=false" in url
    assert "model=nova-9" in url and "keyterm=a&keyterm=b" in url
    with pytest.raises(client.ParameterError):
        client.build_url(url="wss://h", interim_results="yes")


def test_pings_are_answered_and_ready_errors_and_the_final_message_are_honoured(
    packages: dict[str, ModuleType],
) -> None:
    client = packages["conv"]

    async def scenario() -> None:
        got: list[Any] = []

        async def handler(ws: ServerConnection) -> None:
            await asyncio.sleep(0.1)
            await ws.send('{"type":"begin"}')
            await ws.send('{"type":"ping","ping_event":{"event_id":42}}')
            got.append(json.loads(await ws.recv()))  # the pong
            got.append(json.loads(await ws.recv()))  # configure
            got.append(json.loads(await ws.recv()))  # terminate
            await ws.send('{"type":"text","text":"last words"}')
            await ws.send('{"type":"ended"}')
            with contextlib.suppress(ConnectionClosed):
                await ws.recv()

        async with server(handler) as url:
            async with client.connect(url=url, wait_ready=True, api_key=SECRET) as conn:
                reader = asyncio.create_task(_collect(conn))
                await asyncio.sleep(0.2)
                await conn.send_configure(speed=1.5)
            events = await reader
        assert got == [
            {"type": "pong", "event_id": 42},
            {"type": "configure", "speed": 1.5},
            {"type": "terminate"},
        ]
        names = [type(e).__name__ for e in events]
        assert names == ["Begin", "Ping", "Text", "Ended"]

    run(scenario)


def test_an_error_message_is_a_typed_error_and_a_late_ready_times_out(
    packages: dict[str, ModuleType],
) -> None:
    client = packages["conv"]

    async def scenario() -> None:
        async def failing(ws: ServerConnection) -> None:
            await ws.send('{"type":"error","code":4001,"message":"not authorized"}')
            await ws.close(4001, "not authorized")

        async with server(failing) as url, client.connect(url=url) as conn:
            with pytest.raises(client.ServerError) as caught:
                async for _ in conn:
                    pass
            with pytest.raises(client.ServerError):
                await conn.send_configure()
        assert caught.value.code == 4001 and not caught.value.retryable
        assert caught.value.reason == "not authorized"

        async with server(lambda ws: ws.wait_closed()) as url:
            with pytest.raises(client.NotReady):
                async with client.connect(url=url, wait_ready=True, ready_timeout=0.3):
                    pass

    run(scenario)


def test_the_lenient_client_yields_unknown_frames(packages: dict[str, ModuleType]) -> None:
    client = packages["conv"]

    async def scenario() -> None:
        async def handler(ws: ServerConnection) -> None:
            await ws.send('{"type":"brand-new","x":1}')
            await ws.close()

        async with server(handler) as url, client.connect(url=url, strict=False) as conn:
            events = [e async for e in conn]
        assert len(events) == 1 and isinstance(events[0], client.UnknownFrame)
        assert events[0].data == '{"type":"brand-new","x":1}'

    run(scenario)


def test_reconnection_gives_up_after_repeated_quick_failures(deepgram: ModuleType) -> None:
    async def scenario() -> None:
        opened: list[int] = []

        async def handler(ws: ServerConnection) -> None:
            opened.append(1)
            await ws.close(1011, "overloaded")

        policy = deepgram.Reconnect(backoff=(0.01, 0.02), quick=5.0, quick_failures=3)
        async with server(handler) as url, deepgram.connect(url=url, reconnect=policy) as conn:
            with pytest.raises(deepgram.ServerClosed, match="gave up") as caught:
                _ = [e async for e in conn]
        assert len(opened) == 3 and caught.value.retryable

    run(scenario)


def test_a_failing_keepalive_raises_on_the_connection(
    deepgram: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise RuntimeError("no frame")

    monkeypatch.setattr(deepgram, "_LIFE", dataclasses.replace(deepgram._LIFE, keepalive=broken))

    async def scenario() -> None:
        async with server(lambda ws: _idle_closing(ws, [], idle=5)) as url:
            async with deepgram.connect(url=url) as conn:
                await asyncio.sleep(0.5)
                with pytest.raises(deepgram.KeepaliveFailed, match="no frame"):
                    await conn.send_listen_v1_media(data=b"\0\0")
            with pytest.raises(deepgram.KeepaliveFailed):
                await conn.recv()

    run(scenario)


def test_setup_messages_are_replayed_after_a_reconnection(packages: dict[str, ModuleType]) -> None:
    client = packages["conv"]

    async def scenario() -> None:
        sockets: list[list[Any]] = []

        async def handler(ws: ServerConnection) -> None:
            got: list[Any] = []
            sockets.append(got)
            await ws.send('{"type":"begin"}')
            got.append(json.loads(await ws.recv()))
            if len(sockets) == 1:
                await ws.close(1012, "restart")
                return
            with contextlib.suppress(ConnectionClosed):
                while True:
                    got.append(json.loads(await ws.recv()))
                    if got[-1]["type"] == "terminate":
                        await ws.send('{"type":"ended"}')

        policy = client.Reconnect(backoff=(0.1, 0.1), jitter=False)
        async with server(handler) as url:
            async with client.connect(url=url, reconnect=policy) as conn:
                reader = asyncio.create_task(_collect(conn))
                await conn.send_configure(speed=2.0)
                await asyncio.sleep(0.5)
            events = await reader
        assert sockets[0] == [{"type": "configure", "speed": 2.0}]
        assert sockets[1] == [{"type": "configure", "speed": 2.0}, {"type": "terminate"}]
        kinds = [type(e).__name__ for e in events]
        assert kinds == ["Begin", "Reconnecting", "Reconnected", "Begin", "Ended"]

    run(scenario)


def test_refresh_gives_the_reconnection_new_credentials(deepgram: ModuleType) -> None:
    async def scenario() -> None:
        seen: list[str] = []

        async def handler(ws: ServerConnection) -> None:
            seen.append(ws.request.headers["Authorization"] if ws.request else "")
            if len(seen) == 1:
                await ws.close(1011, "token expired soon")
                return
            await _idle_closing(ws, [], idle=5)

        async def refresh(attempt: int) -> dict[str, object]:
            return {"token": f"fresh-{attempt}"}

        policy = deepgram.Reconnect(backoff=(0.05, 0.05), refresh=refresh)
        async with server(handler) as url:
            async with deepgram.connect(url=url, token="old", reconnect=policy) as conn:
                reader = asyncio.create_task(_collect(conn))
                await asyncio.sleep(0.3)
            events = await reader
        assert seen == ["Bearer old", "Bearer fresh-1"]
        assert [type(e).__name__ for e in events[:2]] == ["Reconnecting", "Reconnected"]

    run(scenario)


def test_a_refresh_that_raises_ends_the_iteration_with_its_error(deepgram: ModuleType) -> None:
    async def scenario() -> None:
        async def handler(ws: ServerConnection) -> None:
            await ws.close(1011, "bye")

        def refresh(attempt: int) -> dict[str, object]:
            raise LookupError("no token service")

        policy = deepgram.Reconnect(backoff=(0.01, 0.01), refresh=refresh)
        async with server(handler) as url, deepgram.connect(url=url, reconnect=policy) as conn:
            with pytest.raises(LookupError, match="no token service"):
                _ = [e async for e in conn]

    run(scenario)
