"""The static part of every generated package's deploy tests: ``tests/test_serve.py.jinja``
renders the imports (from the package by its name), the package's name, the caller's audio, and
the bot that marks each call with its worker's pid; it includes these sections between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidHandshake

from msgen.runtime.codec import FRAME_BYTES
from msgen.runtime.emulator import CallRefused
from msgen.runtime.tests.rendered import CallReport, Emulator
from msgen.runtime.tests.server import http_get, samples

# Stand-ins for what the template renders from the document.
PACKAGE = "package"
PATIENCE = 20.0
TONE = bytes([0x10, 0x90]) * 6000
PID_BOT = ""


# msgen: section processes
def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 90))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def child_env(*folders: Path) -> dict[str, str]:
    """The environment of a child process that imports this package (and ``folders``)."""
    root = Path(importlib.import_module(PACKAGE.partition(".")[0]).__file__ or "").parents[1]
    path = [str(root), *map(str, folders), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


@contextlib.contextmanager
def process(args: list[str], port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """A server process, once it answers on ``port``; killed if a test leaves it running."""
    child = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + PATIENCE
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            assert child.poll() is None, child.communicate()[1]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()


async def get(port: int, path: str) -> tuple[int, str]:
    """A GET on the server at ``port``, read strictly (see the server tests' ``http_get``)."""
    return await http_get(f"http://127.0.0.1:{port}", path)


async def until_healthy_with(port: int, calls: int) -> None:
    async with asyncio.timeout(PATIENCE):
        while await get(port, "/healthz") != (200, f"ok: {calls} call(s)\n"):
            await asyncio.sleep(0.02)


def command(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            f"{PACKAGE}.examples.echo:app",
            "--port",
            str(port),
            "--ws",
            "websockets-sansio",
            "--log-level",
            "warning",
        ]
    fast = ["--fast"] if server == "picows" else []
    return [sys.executable, "-m", f"{PACKAGE}.examples.echo", "--port", str(port), *fast]


@pytest.mark.parametrize("server", ["websockets", "picows", "uvicorn"])
def test_sigterm_lets_every_call_in_progress_complete(server: str) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/"

    async def scenario(child: subprocess.Popen[str]) -> None:
        calls = [asyncio.ensure_future(Emulator(url, TONE, linger=0.5).run()) for _ in range(4)]
        await until_healthy_with(port, 4)
        child.send_signal(signal.SIGTERM)
        async with asyncio.timeout(PATIENCE):
            while (await get(port, "/healthz"))[0] != 503:
                await asyncio.sleep(0.02)
        with pytest.raises(CallRefused) as caught:
            await Emulator(url, TONE, fast=True).run()
        assert (caught.value.status, caught.value.cause) == (503, "draining")
        reports: list[CallReport] = await asyncio.gather(*calls)
        for report in reports:
            assert report.ok, report.summary()
            assert report.media_frames == -(-len(TONE) // FRAME_BYTES)

    with process(command(server, port), port, child_env()) as child:
        run(scenario(child))
        assert child.wait(PATIENCE) == 0


# msgen: section workers
def test_workers_share_the_port_come_back_when_killed_and_count_every_call(tmp_path: Path) -> None:
    (tmp_path / "pid_bot.py").write_text(PID_BOT)
    port = free_port()
    url = f"ws://127.0.0.1:{port}/"
    args = [
        sys.executable,
        "-m",
        f"{PACKAGE}.serve",
        "pid_bot:PidEcho",
        "--port",
        str(port),
        "--workers",
        "2",
        "--drain-timeout",
        "2",
        "--log-level",
        "warning",
    ]
    clip = TONE[: 10 * FRAME_BYTES]

    async def served_by() -> int:
        report = await Emulator(url, clip, fast=True).run()
        assert report.ok, report.summary()
        (pid,) = {int(m.name[4:]) for m in report.marks if m.name.startswith("pid-")}
        return pid

    async def scenario(child: subprocess.Popen[str]) -> None:
        pids: set[int] = set()
        made = 0
        async with asyncio.timeout(PATIENCE):  # until both workers listen and take calls
            while len(pids) < 2:
                pids.update(await asyncio.gather(*(served_by() for _ in range(10))))
                made += 10
        assert len(pids) == 2
        await asyncio.sleep(1.5)  # every worker copies its counters once a second
        killed = pids.pop()
        os.kill(killed, signal.SIGKILL)
        async with asyncio.timeout(PATIENCE):
            while True:
                # Connections queued at the killed worker are reset.
                with contextlib.suppress(OSError, InvalidHandshake):
                    pid = await served_by()
                    made += 1
                    if pid not in (killed, *pids):
                        break
                await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)  # every worker copies its counters once a second
        status, text = await get(port, "/metrics")
        assert status == 200
        found = samples(text)
        # The killed worker's last second may be lost: all its calls were over a second before.
        assert found["connections_ended_total", (("code", "1000"),)] == made
        assert found["connections_active", ()] == 0

    with process(args, port, child_env(tmp_path)) as child:
        run(scenario(child))
        child.send_signal(signal.SIGTERM)
        assert child.wait(PATIENCE) == 0
