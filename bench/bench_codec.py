"""Benchmark of the generated codec helpers against audioop and pipecat's Twilio serializer.

Run in the benchmark venv (it holds pipecat-ai, which the project itself does not depend on):

    .bench/venv/bin/python bench/bench_codec.py

Each comparison times both sides in the same process on the same input, alternating, and keeps
the best of several rounds. Every result is one line:

    BENCH <name> ratio=<msgen/baseline> msgen_ms=<..> baseline_ms=<..> goal=<max ratio> <status>

The two path comparisons process one minute of a call frame by frame, as a server does 50 times
a second, with per-call state on both sides (resampler history), and report per-frame times too.
"""

# Imports sit inside functions on purpose: the generated package is found through --package-dir
# at run time, and audioop warns of its deprecation as it is imported.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import sys
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STREAM_SID = "MZ" + "0123456789abcdef" * 2
SECONDS = 60
FRAME_MS = 20


def speech_like(seconds: int, rate: int, seed: int = 7) -> bytes:
    """Deterministic voiced-speech stand-in: gliding harmonics, syllable envelope, pauses."""
    rng = np.random.default_rng(seed)
    t = np.arange(seconds * rate) / rate
    f0 = 125 + 35 * np.sin(2 * np.pi * 0.37 * t) + 10 * np.sin(2 * np.pi * 2.1 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = np.zeros_like(t)
    for k in range(1, 40):
        if k * 170 >= 0.45 * rate:
            break
        formant = np.exp(-(((k * 130 - 700) / 500) ** 2)) + 0.5 * np.exp(
            -(((k * 130 - 1800) / 700) ** 2)
        )
        voice += (0.2 + formant) / k * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    syllables = np.clip(np.sin(2 * np.pi * 3.7 * t), 0, None) ** 1.5
    words = (np.sin(2 * np.pi * 0.23 * t) + 0.3 * np.sin(2 * np.pi * 1.1 * t) > -0.6).astype(float)
    signal = voice * syllables * words + rng.normal(0, 0.01, t.size)
    signal *= 0.1 / np.sqrt(np.mean(signal**2))  # -20 dBFS RMS, like a telephone talker
    pcm: bytes = (np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm


def best_of(rounds: int, number: int, *sides: Callable[[], object]) -> list[float]:
    """Best time (s) of one call per side: ``number`` calls timed together, best of ``rounds``.

    The sides alternate within each round, so both see the same machine state.
    """
    best = [float("inf")] * len(sides)
    for _ in range(rounds):
        for i, side in enumerate(sides):
            gc.collect()
            side()  # warm caches (the lookup tables) as a server's steady state would
            start = time.perf_counter()
            for _ in range(number):
                side()
            best[i] = min(best[i], (time.perf_counter() - start) / number)
    return best


def report(name: str, msgen_s: float, base_s: float, goal: float, extra: str = "") -> bool:
    ratio = msgen_s / base_s
    ok = ratio <= goal
    print(
        f"BENCH {name} ratio={ratio:.3f} msgen_ms={msgen_s * 1e3:.3f} "
        f"baseline_ms={base_s * 1e3:.3f} goal={goal}{extra} {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def bench_ulaw(rounds: int) -> list[bool]:
    import audioop

    from twilio_media_streams.codec import ulaw_decode, ulaw_encode

    pcm = speech_like(SECONDS, 8000)
    ulaw = audioop.lin2ulaw(pcm, 2)
    assert ulaw_encode(pcm) == ulaw and ulaw_decode(ulaw) == audioop.ulaw2lin(ulaw, 2)
    enc = best_of(rounds, 20, lambda: ulaw_encode(pcm), lambda: audioop.lin2ulaw(pcm, 2))
    dec = best_of(rounds, 20, lambda: ulaw_decode(ulaw), lambda: audioop.ulaw2lin(ulaw, 2))
    return [
        report("ulaw-encode-vs-audioop", enc[0], enc[1], 0.25, f" seconds={SECONDS}"),
        report("ulaw-decode-vs-audioop", dec[0], dec[1], 1.5, f" seconds={SECONDS}"),
    ]


def inbound_texts(pcm8k: bytes) -> list[str]:
    """One minute of a call as Twilio sends it: media frames of 160 mu-law bytes."""
    import audioop

    ulaw = audioop.lin2ulaw(pcm8k, 2)
    texts = []
    for i in range(len(ulaw) // 160):
        payload = base64.b64encode(ulaw[i * 160 : (i + 1) * 160]).decode()
        media = {"track": "inbound", "chunk": str(i + 1), "timestamp": str(102 + 20 * i)}
        frame = {
            "event": "media",
            "sequenceNumber": str(i + 2),
            "media": {**media, "payload": payload},
        }
        texts.append(json.dumps({**frame, "streamSid": STREAM_SID}, separators=(",", ":")))
    return texts


def pipecat_serializer(loop: asyncio.AbstractEventLoop) -> Any:
    """A serializer for a 16 kHz pipeline, as pipecat's transport would set one up."""
    from pipecat.serializers.twilio import TwilioFrameSerializer

    params = TwilioFrameSerializer.InputParams(sample_rate=16000, auto_hang_up=False)
    serializer = TwilioFrameSerializer(STREAM_SID, params=params)
    # setup() only reads the pipeline's input rate, already given in params.
    loop.run_until_complete(serializer.setup(types.SimpleNamespace(audio_in_sample_rate=16000)))
    return serializer


def bench_paths(rounds: int) -> list[bool]:
    from pipecat.frames.frames import OutputAudioRawFrame
    from twilio_media_streams.codec import InboundAudio, OutboundAudio
    from twilio_media_streams.wire import decode_inbound, encode

    texts = inbound_texts(speech_like(SECONDS, 8000))
    frames = len(texts)
    loop = asyncio.new_event_loop()  # one loop, as in a server: its start-up is not timed

    def msgen_inbound() -> None:
        audio = InboundAudio(16000)
        for text in texts:
            audio.process(decode_inbound(text))

    def pipecat_inbound() -> None:
        serializer = pipecat_serializer(loop)

        async def run() -> None:
            for text in texts:
                await serializer.deserialize(text)

        loop.run_until_complete(run())

    pcm16k = speech_like(SECONDS, 16000, seed=11)
    step = 16000 * FRAME_MS // 1000 * 2
    chunks = [pcm16k[i : i + step] for i in range(0, len(pcm16k), step)]
    audio_frames = [OutputAudioRawFrame(audio=c, sample_rate=16000, num_channels=1) for c in chunks]

    def msgen_outbound() -> None:
        audio = OutboundAudio(16000, STREAM_SID)
        for chunk in chunks:
            for frame in audio.process(chunk):
                encode(frame, check=False)  # pipecat does not validate what it sends

    def pipecat_outbound() -> None:
        serializer = pipecat_serializer(loop)

        async def run() -> None:
            for frame in audio_frames:
                await serializer.serialize(frame)

        loop.run_until_complete(run())

    inbound = best_of(rounds, 1, msgen_inbound, pipecat_inbound)
    outbound = best_of(rounds, 1, msgen_outbound, pipecat_outbound)
    loop.close()

    def per_frame(times: list[float]) -> str:
        return (
            f" frames={frames} msgen_us_per_frame={times[0] / frames * 1e6:.2f} "
            f"baseline_us_per_frame={times[1] / frames * 1e6:.2f}"
        )

    return [
        report("inbound-path-vs-pipecat", inbound[0], inbound[1], 0.5, per_frame(inbound)),
        report("outbound-path-vs-pipecat", outbound[0], outbound[1], 0.5, per_frame(outbound)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds per comparison (best kept)")
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=ROOT / "generated",
        help="directory holding the generated twilio_media_streams package",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.package_dir))
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # audioop on 3.11/3.12
    try:
        from loguru import logger

        logger.remove()  # pipecat logs a banner at import
    except ImportError:
        pass
    from importlib.metadata import version

    versions = " ".join(f"{p}={version(p)}" for p in ("pipecat-ai", "numpy", "soxr"))
    print(f"BENCH-INFO python={sys.version.split()[0]} {versions}", flush=True)
    results = bench_ulaw(args.rounds) + bench_paths(args.rounds)
    print(f"BENCH-SUMMARY met={sum(results)} of {len(results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
