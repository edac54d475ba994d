"""The static part of every generated package's ``Call`` tests: ``tests/test_call.py.jinja``
renders the imports (from the package by its name), and the handlers whose callbacks and
docstrings name the document's messages; it includes these sections between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pytest
import uvicorn

from msgen.runtime import picows_server, server
from msgen.runtime.asgi import App
from msgen.runtime.codec import (
    FRAME_BYTES,
    ULAW_SILENCE,
    Resampler,
    read_wav,
    resample,
    ulaw_decode,
    ulaw_encode,
)
from msgen.runtime.handler_parts import Call, Handler, Playback, PlayResult
from msgen.runtime.tests.rendered import WIRE_RATE, CallReport, Emulator

# Stand-ins for what the template renders from the document.
ADAPTERS = ["websockets", "picows", "asgi"]
SPEECH_TEXT = "Thank you for calling. Please hold while I find your booking."
REPLY_RATE = 24000
HOLD_MS = 2


class Listener(Handler):
    made: ClassVar[list[Listener]] = []
    arrivals: list[tuple[float, int]]


class Speaker(Handler):
    clips: ClassVar[list[bytes]] = []
    made: ClassVar[list[Speaker]] = []
    playbacks: list[Playback]
    results: list[PlayResult]
    interrupted_at: int | None

    async def speak(self, call: Call) -> None:
        pass


# msgen: section harness
def run(coroutine: Coroutine[Any, Any, CallReport]) -> CallReport:
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: run make test (it installs espeak-ng)")
    return path


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few seconds of espeak-ng speech, as it writes it (22050 Hz)."""
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run([need("espeak-ng"), "-w", str(path), SPEECH_TEXT], check=True)
    return path


# msgen: section serving
@pytest.fixture(scope="module")
def reply(speech_wav: Path) -> bytes:
    """A bot's reply: the same speech as 16-bit PCM at 24 kHz, as a speech engine gives it."""
    audio = read_wav(speech_wav)
    return resample(audio.pcm, audio.rate, REPLY_RATE)


def samples(pcm: bytes) -> npt.NDArray[np.float64]:
    return np.frombuffer(pcm, "<i2").astype(np.float64)


@contextlib.asynccontextmanager
async def serving(adapter: str, handler: Callable[[], Handler]) -> AsyncIterator[str]:
    """``handler`` served on a free loopback port by one of the adapters: its ws:// URL."""
    if adapter == "asgi":
        config = uvicorn.Config(
            App(handler), host="127.0.0.1", port=0, ws="websockets-sansio", log_level="error"
        )
        asgi_server = uvicorn.Server(config)
        task = asyncio.ensure_future(asgi_server.serve())
        async with asyncio.timeout(5):
            while not asgi_server.started:
                await asyncio.sleep(0.01)
        try:
            yield f"ws://127.0.0.1:{asgi_server.servers[0].sockets[0].getsockname()[1]}/"
        finally:
            asgi_server.should_exit = True
            await task
        return
    serve = server.serve if adapter == "websockets" else picows_server.serve
    async with await serve(handler, "127.0.0.1", 0, handle_signals=False) as running:
        yield f"ws://127.0.0.1:{running.port}/"


async def call(
    adapter: str, handler: Callable[[], Handler], audio: bytes, **options: Any
) -> CallReport:
    async with serving(adapter, handler) as url:
        return await Emulator(url, audio, **options).run()


# msgen: section latency
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_each_20_ms_of_speech_reaches_the_stream_within_25_ms(adapter: str, caller: bytes) -> None:
    """Real time. Frame ``i`` has reached the stream once the stream covers its end, but for
    the resampler's hold; measured from when the emulator sent it."""
    report = run(call(adapter, Listener, caller[:WIRE_RATE]))
    (bot,) = Listener.made
    times = np.array([t for t, _ in bot.arrivals])
    totals = np.array([n for _, n in bot.arrivals])
    latencies = []
    for i, sent_at in enumerate(report.sent_at):
        needed = 16 * (20 * (i + 1) - HOLD_MS)
        latencies.append(times[np.searchsorted(totals, needed)] - sent_at)
    assert len(latencies) == 50
    # Typically a millisecond or two; the bound leaves room for a busy machine.
    assert max(latencies) <= 0.025, f"latencies (s): {sorted(latencies)[-5:]}"


# msgen: section reply
async def chunks(pcm: bytes, size: int = REPLY_RATE // 50 * 2) -> AsyncIterator[bytes]:
    """``pcm`` in 20 ms pieces, as a speech engine streams it."""
    for i in range(0, len(pcm), size):
        yield pcm[i : i + size]
        await asyncio.sleep(0)


class StreamingSpeaker(Speaker):
    async def speak(self, call: Call) -> None:
        playback = await call.play(chunks(self.clips[0]), REPLY_RATE)
        self.playbacks.append(playback)
        self.results = [await playback]


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("bot", [Speaker, StreamingSpeaker])
def test_a_24_khz_reply_reaches_the_caller_intact(
    adapter: str, bot: type[Speaker], reply: bytes
) -> None:
    Speaker.clips = [reply]
    # The caller stays on the line until the reply has played (0.2 s of input, then as long as
    # the reply lasts, on the call's clock).
    linger = len(reply) / (2 * REPLY_RATE) + 1.0
    quiet = bytes([ULAW_SILENCE]) * (WIRE_RATE // 5)
    report = run(call(adapter, bot, quiet, fast=True, linger=linger))
    (speaker,) = Speaker.made
    # Bit for bit what the streaming resampler makes of the reply, however it was cut.
    resampler = Resampler(REPLY_RATE, WIRE_RATE)
    expected = ulaw_encode(resampler.process(reply) + resampler.flush())
    assert report.audio_received == expected
    if bot is Speaker:
        assert expected in report.recording  # heard whole, without a gap
    else:  # chunks come as the bot makes them: everything in order, a gap where one is late
        silence = bytes([ULAW_SILENCE])
        assert report.recording.replace(silence, b"") == expected.replace(silence, b"")
    # Against the source, resampled both ways: what mu-law and the telephone band leave.
    heard = resample(ulaw_decode(expected), WIRE_RATE, REPLY_RATE)
    source = samples(resample(resample(reply, REPLY_RATE, WIRE_RATE), WIRE_RATE, REPLY_RATE))
    noise = np.sum((source - samples(heard)) ** 2)
    assert 10 * np.log10(np.sum(source**2) / noise) >= 30.0  # mu-law alone allows about 37
    (result,) = speaker.results
    assert result == PlayResult(True, result.duration_ms, result.duration_ms, "played")
    assert result.duration_ms == len(expected) * 1000 // WIRE_RATE
    assert [(m.name, m.cleared) for m in report.marks] == [(speaker.playbacks[0].mark, False)]


# msgen: section barge_in
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_barge_in_cuts_the_reply_and_settles_every_pending_playback(
    adapter: str, reply: bytes
) -> None:
    """Real time: ``*`` at 0.6 s interrupts a reply longer than the call's first second."""
    Speaker.clips = [reply[: REPLY_RATE * 2 * 3 // 2], reply[: REPLY_RATE * 2 // 2]]
    silence = bytes([ULAW_SILENCE]) * WIRE_RATE
    report = run(call(adapter, Speaker, silence, dtmf=[("*", 0.6)]))
    (speaker,) = Speaker.made
    first, second = speaker.results
    assert (first.played, first.reason, second.played, second.reason) == (
        False,
        "clear",
        False,
        "clear",
    )
    assert second.heard_ms == 0
    assert speaker.interrupted_at is not None
    # The key press went out after the frame it falls in; the clear came back right after.
    t = report.sent_at[30] - report.sent_at[0]
    assert abs(first.heard_ms - t * 1000) <= 60
    cut = round((t + FRAME_BYTES / WIRE_RATE) * WIRE_RATE)
    assert set(report.recording[cut:]) == {ULAW_SILENCE}, "audio after the barge-in"
    assert len(report.recording[:cut].replace(bytes([ULAW_SILENCE]), b"")) >= WIRE_RATE // 4
    assert report.clears == 1
    assert sorted((m.name, m.cleared) for m in report.marks) == sorted(
        (p.mark, True) for p in speaker.playbacks
    )
