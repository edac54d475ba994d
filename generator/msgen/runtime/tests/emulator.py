"""The static part of every generated package's emulator tests: ``tests/test_emulator.py.jinja``
renders the imports (from the package by its name), the echo bot's calls and the frames a
misbehaving server sends; it includes these sections after them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from msgen.runtime.asgi import App
from msgen.runtime.codec import FRAME_BYTES, ULAW_SILENCE, read_wav
from msgen.runtime.emulator import WIRE_RATE, Playback, load_audio
from msgen.runtime.handler import Handler
from msgen.runtime.tests.rendered import CallReport, Emulator

# Stand-ins for what the template renders: the package's import path, the echo example, helpers.
PACKAGE = "package"


class Echo(Handler):
    """Stands in for the echo example's handler."""


async def start(host: str, port: int, **options: Any) -> Any:
    """Stands in for the echo example's ``start``."""


def run(coroutine: Coroutine[Any, Any, CallReport]) -> CallReport:
    return asyncio.run(asyncio.wait_for(coroutine, 60))


# msgen: section echo
@pytest.fixture(scope="module")
def speech(speech_wav: Path) -> bytes:
    audio = load_audio(speech_wav)
    assert len(audio) > 3 * WIRE_RATE, "espeak-ng produced less than 3 s of speech"
    return audio


def padded(audio: bytes) -> bytes:
    """The audio as the emulator sends it: whole frames, the last one padded with silence."""
    frames = -(-len(audio) // FRAME_BYTES)
    return audio.ljust(frames * FRAME_BYTES, bytes([ULAW_SILENCE]))


def sounds(audio: bytes) -> bytes:
    """The audio without its digital silence, to compare what was heard regardless of when."""
    return audio.replace(bytes([ULAW_SILENCE]), b"")


def echo_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.endswith("examples.echo")]


@contextlib.asynccontextmanager
async def echo_server(adapter: str, **options: Any) -> AsyncIterator[str]:
    """The echo example on a free loopback port, on one of the adapters."""
    if adapter == "asgi":
        config = uvicorn.Config(
            App(Echo, **options),
            host="127.0.0.1",
            port=0,
            ws="websockets-sansio",
            log_level="error",
        )
        server = uvicorn.Server(config)
        task = asyncio.ensure_future(server.serve())
        async with asyncio.timeout(5):
            while not server.started:
                await asyncio.sleep(0.01)
        try:
            yield f"ws://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
        finally:
            server.should_exit = True
            await task
        return
    async with await start("127.0.0.1", 0, fast=adapter == "picows", **options) as server:
        yield f"ws://127.0.0.1:{server.port}/"


async def call(adapter: str, emulator_options: dict[str, Any], **server_options: Any) -> CallReport:
    async with echo_server(adapter, **server_options) as url:
        return await Emulator(url, **emulator_options).run()


@pytest.mark.parametrize("adapter", ["websockets", "picows", "asgi"])
def test_the_echo_comes_back_bit_exact_with_marks_in_order(
    adapter: str, speech: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    report = run(
        call(adapter, {"audio": speech, "fast": True, "parameters": {"FirstName": "Jane"}})
    )
    assert report.audio_received == padded(speech)
    frames = len(padded(speech)) // FRAME_BYTES
    assert report.media_frames == frames
    names = [f"echo-{n}" for n in range(1, frames // 50 + 1)]
    assert [(m.name, m.cleared) for m in report.marks] == [(name, False) for name in names]
    assert echo_logs(caplog) == [f"mark {name} played" for name in names]
    assert (report.closed_by, report.close_code) == ("server", 1000)
    assert report.rejected == []
    # Everything was heard, in order: the recording is the echo with silence wherever the
    # buffer ran dry.
    assert sounds(report.recording) == sounds(padded(speech))


def test_a_star_clears_the_pending_mark_which_is_reported_as_cleared(
    speech: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Real time: the mark after frame 50 is still playing when the ``*`` right after it arrives."""
    caplog.set_level(logging.INFO)
    clip = speech[: 80 * FRAME_BYTES]
    report = run(call("websockets", {"audio": clip, "dtmf": [("*", 1.0)]}))
    (mark,) = report.marks
    assert (mark.name, mark.cleared) == ("echo-1", True)
    assert 950 <= mark.at_ms <= 1050
    assert report.clears == 1
    assert echo_logs(caplog) == ["mark echo-1 cleared (clear)"]
    assert report.audio_received == clip
    # The cleared audio never reached the caller: the recording lacks the end of frame 50.
    assert len(sounds(report.recording)) < len(sounds(clip))
    assert len(report.recording) >= len(clip)


# msgen: section tail
def test_playback_echoes_marks_at_once_when_idle_and_after_their_audio_otherwise() -> None:
    playback = Playback()
    assert playback.mark("idle", 0) == ["idle"]
    assert playback.audio(b"\x01" * 160, 100) == []
    assert playback.mark("after", 120) == []
    assert playback.advance(259) == []
    assert playback.advance(260) == ["after"]
    assert playback.audio(b"\x02" * 160, 400) == []
    assert playback.mark("dropped", 400) == []
    assert playback.clear(480) == ([], ["dropped"])
    assert playback.idle
    timeline = playback.finish(600)
    assert timeline == b"\xff" * 100 + b"\x01" * 160 + b"\xff" * 140 + b"\x02" * 80 + b"\xff" * 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def child_env() -> dict[str, str]:
    """The environment of a child process that imports this package."""
    root = Path(importlib.import_module(PACKAGE.partition(".")[0]).__file__ or "").parents[1]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }


def test_the_command_lines(speech_wav: Path, tmp_path: Path) -> None:
    port = free_port()
    env = child_env()
    echo = subprocess.Popen(
        [sys.executable, "-m", f"{PACKAGE}.examples.echo", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            assert echo.poll() is None, echo.communicate()[1]
            assert time.monotonic() < deadline, "the echo example did not start"
            time.sleep(0.05)
        out = tmp_path / "heard.wav"
        args = [
            sys.executable,
            "-m",
            f"{PACKAGE}.emulator",
            f"ws://127.0.0.1:{port}/",
            "--play",
            str(speech_wav),
            "--record",
            str(out),
            "--fast",
            "--dtmf",
            "1@0.5",
            "--param",
            "FirstName=Jane",
        ]
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=60, check=False, env=env
        )
        assert done.returncode == 0, done.stderr + done.stdout
        assert "mark 'echo-1' played" in done.stdout
        assert "closed by the server with code 1000 (stream stopped), after stop" in done.stdout
        recorded = read_wav(out)
        assert recorded.rate == WIRE_RATE
        assert len(recorded.pcm) >= 2 * len(load_audio(speech_wav))
        bad = subprocess.run(
            [*args[:4], "--play", str(speech_wav), "--dtmf", "1@99"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=env,
        )
        assert bad.returncode == 2
        assert "the input lasts" in bad.stderr
    finally:
        echo.terminate()
        echo.wait(10)
