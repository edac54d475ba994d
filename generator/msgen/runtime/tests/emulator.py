"""The static part of every generated package's emulator tests: ``tests/test_emulator.py.jinja``
renders the imports (from the package by its name), the echo bot's calls and the frames a
misbehaving server sends; it includes these sections after them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from msgen.runtime.codec import read_wav
from msgen.runtime.emulator import WIRE_RATE, Playback, load_audio

# Stands in for what the template renders: the package's import path.
PACKAGE = "package"


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
