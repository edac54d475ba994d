"""The peer's static code (``msgen.runtime.peer``): a tiny package in a temporary directory holds
the module beside minimal ``errors``, ``frames`` and ``wire`` siblings that honour its contracts
(``errors.pyi``, ``frames.pyi``, ``wire.pyi``), and scripts play over real WebSockets."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from msgen import runtime

SIBLINGS = {
    "__init__.py": "",
    "errors.py": "class FrameError(ValueError):\n    pass\n",
    "frames.py": """
from dataclasses import dataclass


@dataclass(frozen=True)
class Ping:
    n: int


@dataclass(frozen=True)
class Pong:
    n: int


InboundFrame = Ping
OutboundFrame = Pong
""",
    "wire.py": """
import json

from .errors import FrameError
from .frames import Ping, Pong


def _decode(data, key, cls):
    try:
        return cls(json.loads(data)[key])
    except (ValueError, KeyError, TypeError) as error:
        raise FrameError(f"not a {key}: {data!r}") from error


def decode_inbound(data):
    return _decode(data, "ping", Ping)


def decode_outbound(data):
    return _decode(data, "pong", Pong)


def encode(frame, *, check=True):
    return json.dumps({"ping" if isinstance(frame, Ping) else "pong": frame.n})
""",
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("peer")
    pkg = root / "scripted"
    pkg.mkdir()
    for name, text in SIBLINGS.items():
        (pkg / name).write_text(text)
    (pkg / "peer.py").write_text(runtime.source("peer"))
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("scripted.peer")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "scripted" or m.startswith("scripted.")]:
            del sys.modules[name]


def frames(peer: ModuleType) -> tuple[type, type]:
    module = sys.modules[peer.__name__.rpartition(".")[0] + ".frames"]
    return module.Ping, module.Pong


def test_the_sections_are_the_module_below_its_stand_ins() -> None:
    text = runtime.source("peer")
    steps, play = runtime.included("peer", "steps"), runtime.included("peer", "play")
    assert steps.startswith("@dataclass") and steps.endswith("Step = Send | Expect")
    assert play.startswith("def example_script()") and text.endswith(play + "\n")


def test_example_script(package: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    ping, pong = frames(package)
    examples = (("send", '{"ping": 1}'), ("expect", '{"pong": 1}'))
    monkeypatch.setattr(package, "EXAMPLES", examples)
    assert package.example_script() == [package.Send(ping(1)), package.Expect(pong(1))]


async def _client(url: str, replies: list[str], **headers: str) -> list[str]:
    """Receive a frame, send the replies, then receive until the peer closes; what was received."""
    async with connect(url + "/path?q=1", additional_headers=headers) as ws:
        got = [str(await ws.recv())]
        for reply in replies:
            await ws.send(reply)
        got += [str(message) async for message in ws]
    return got


def test_serve_plays_the_script_and_reports(package: ModuleType) -> None:
    ping, pong = frames(package)
    script = [package.Send(ping(1)), package.Expect(pong(1)), package.Send(ping(2))]

    async def main() -> tuple[list[str], Any]:
        async with await package.serve(script) as scripted:
            got = await _client(scripted.url, ['{"pong": 1}'], **{"X-Key": "v"})
            return got, await scripted.report()

    got, report = asyncio.run(main())
    assert got == ['{"ping": 1}', '{"ping": 2}']
    assert report.ok and report.error == ""
    assert report.path == "/path?q=1"
    assert report.headers["x-key"] == "v"
    assert report.received == [pong(1)]


@pytest.mark.parametrize(
    ("reply", "code", "error"),
    [
        ('{"pong": 2}', 1008, "step 2: expected Pong(n=1), got Pong(n=2)"),
        ("not json", 1007, "step 2: an invalid frame: not a pong"),
    ],
)
def test_serve_closes_on_a_wrong_frame(
    package: ModuleType, reply: str, code: int, error: str
) -> None:
    ping, pong = frames(package)
    script = [package.Send(ping(1)), package.Expect(pong(1))]

    async def main() -> tuple[int | None, Any]:
        async with await package.serve(script) as scripted, connect(scripted.url) as ws:
            await ws.recv()
            await ws.send(reply)
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            return ws.close_code, await scripted.report()

    closed, report = asyncio.run(main())
    assert closed == code
    assert not report.ok and report.error.startswith(error)


def test_serve_times_out(package: ModuleType) -> None:
    _, pong = frames(package)

    async def main() -> tuple[int | None, Any]:
        script = [package.Expect(pong(1))]
        async with (
            await package.serve(script, timeout=0.05) as scripted,
            connect(scripted.url) as ws,
        ):
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            return ws.close_code, await scripted.report()

    closed, report = asyncio.run(main())
    assert closed == 1001
    assert report.error == "no frame within 0.05 s (0 of 1 expected received)"


def test_dial_plays_against_a_server(package: ModuleType) -> None:
    ping, pong = frames(package)
    heard: list[str] = []

    async def server(ws: ServerConnection) -> None:
        heard.append(str(await ws.recv()))
        await ws.send('{"pong": 7}')
        await ws.wait_closed()

    async def main() -> Any:
        async with serve(server, "127.0.0.1", 0) as running:
            port = next(iter(running.sockets)).getsockname()[1]
            script = [package.Send(ping(7)), package.Expect(pong(7))]
            return await package.dial(f"ws://127.0.0.1:{port}", script, headers={"X-A": "b"})

    report = asyncio.run(main())
    assert heard == ['{"ping": 7}']
    assert report.ok and report.received == [pong(7)]
    assert report.headers == {"x-a": "b"}


def test_dial_reports_a_closed_connection(package: ModuleType) -> None:
    _, pong = frames(package)

    async def server(ws: ServerConnection) -> None:
        await ws.close(1011, "bye")

    async def main() -> Any:
        async with serve(server, "127.0.0.1", 0) as running:
            port = next(iter(running.sockets)).getsockname()[1]
            return await package.dial(f"ws://127.0.0.1:{port}", [package.Expect(pong(1))])

    report = asyncio.run(main())
    assert report.error.startswith("the connection closed first")
