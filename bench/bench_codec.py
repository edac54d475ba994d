"""Benchmark of the generated codec helpers against audioop and pipecat's Twilio serializer.

Run in the benchmark venv (it holds pipecat-ai, which the project itself does not depend on):

    .bench/venv/bin/python bench/bench_codec.py

Each comparison times both sides in the same process on the same input, in several rounds, the
two sides taking turns within each round; its ratio is the median of the per-round ratios (see
``spread.py``). Every result is one line:

    BENCH <name> ratio=<median msgen/baseline> min=<..> median=<..> max=<..> rounds=<n>
        msgen_ms=<..> baseline_ms=<..> goal<=<max ratio> <status>

Times are CPU times, medians over the rounds. The two path comparisons process one minute of a
call frame by frame, as a server does 50 times a second, with per-call state on both sides
(resampler history), and report per-frame times too.

``resampler-latency-ms`` is not a timing: it feeds 20 ms chunks to each streaming resampler and
reports the most audio it ever held back, plus any delay of the audio it gave out (found by
cross-correlation with soxr VHQ's one-shot output), in ms, worst over 8 kHz to and from 16, 24,
44.1 and 48 kHz. Its ratio is ours over pipecat's, its goal an absolute 5 ms; it is the same in
every run, so it has one round.
"""

# Imports sit inside functions on purpose: the generated package is found through --package-dir
# at run time, and audioop warns of its deprecation as it is imported.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from spread import CLOCK_NAME, Spread, median, ratios, report, status, timed_rounds

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


def compare(
    name: str,
    times: dict[str, list[float]],
    goal: float,
    extra: str = "",
    unit: str = "ms",
) -> bool:
    """The line of a comparison timed by ``timed_rounds`` with sides ``msgen`` and ``baseline``."""
    scale = {"ms": 1e3, "us": 1e6}[unit]
    fields = (
        f"msgen_{unit}={median(times['msgen']) * scale:.3f} "
        f"baseline_{unit}={median(times['baseline']) * scale:.3f}{extra}"
    )
    return report(name, ratios(times["msgen"], times["baseline"]), fields, goal)


def bench_ulaw(rounds: int) -> list[bool]:
    import audioop

    from twilio_media_streams.codec import ulaw_decode, ulaw_encode

    pcm = speech_like(SECONDS, 8000)
    ulaw = audioop.lin2ulaw(pcm, 2)
    assert ulaw_encode(pcm) == ulaw and ulaw_decode(ulaw) == audioop.ulaw2lin(ulaw, 2)
    enc = timed_rounds(
        rounds,
        20,
        {"msgen": lambda: ulaw_encode(pcm), "baseline": lambda: audioop.lin2ulaw(pcm, 2)},
    )
    dec = timed_rounds(
        rounds,
        20,
        {"msgen": lambda: ulaw_decode(ulaw), "baseline": lambda: audioop.ulaw2lin(ulaw, 2)},
    )
    # One 20 ms frame, as a server decodes 50 times a second: per-call overhead dominates.
    frame = ulaw[8000:8160]
    assert ulaw_decode(frame) == audioop.ulaw2lin(frame, 2)
    one = timed_rounds(
        rounds,
        20000,
        {"msgen": lambda: ulaw_decode(frame), "baseline": lambda: audioop.ulaw2lin(frame, 2)},
        batch=200,
    )
    return [
        compare("ulaw-encode-vs-audioop", enc, 0.25, f" seconds={SECONDS}"),
        compare("ulaw-decode-vs-audioop", dec, 1.5, f" seconds={SECONDS}"),
        compare("ulaw-decode-frame-vs-audioop", one, 2.0, " bytes=160", unit="us"),
    ]


def bench_alaw(rounds: int) -> list[bool]:
    import audioop

    from twilio_media_streams.codec import alaw_decode, alaw_encode

    pcm = speech_like(SECONDS, 8000)
    alaw = audioop.lin2alaw(pcm, 2)
    assert alaw_encode(pcm) == alaw and alaw_decode(alaw) == audioop.alaw2lin(alaw, 2)
    enc = timed_rounds(
        rounds,
        20,
        {"msgen": lambda: alaw_encode(pcm), "baseline": lambda: audioop.lin2alaw(pcm, 2)},
    )
    dec = timed_rounds(
        rounds,
        20,
        {"msgen": lambda: alaw_decode(alaw), "baseline": lambda: audioop.alaw2lin(alaw, 2)},
    )
    return [
        compare("alaw-encode-vs-audioop", enc, 0.25, f" seconds={SECONDS}"),
        compare("alaw-decode-vs-audioop", dec, 1.5, f" seconds={SECONDS}"),
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
        # One media frame per chunk, as pipecat sends, and as the session's send_audio does:
        # the default 160-byte framing would add a re-framing buffer neither side has live.
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

    inbound = timed_rounds(rounds, 3, {"msgen": msgen_inbound, "baseline": pipecat_inbound})
    outbound = timed_rounds(rounds, 3, {"msgen": msgen_outbound, "baseline": pipecat_outbound})
    loop.close()

    def per_frame(times: dict[str, list[float]]) -> str:
        return (
            f" frames={frames} msgen_us_per_frame={median(times['msgen']) / frames * 1e6:.2f} "
            f"baseline_us_per_frame={median(times['baseline']) / frames * 1e6:.2f}"
        )

    return [
        compare("inbound-path-vs-pipecat", inbound, 0.5, per_frame(inbound)),
        compare("outbound-path-vs-pipecat", outbound, 0.5, per_frame(outbound)),
    ]


LATENCY_PAIRS = [(8000, r) for r in (16000, 24000, 44100, 48000)] + [
    (r, 8000) for r in (16000, 24000, 44100, 48000)
]


def band_limited(rate: int, seconds: int = 2, seed: int = 3) -> bytes:
    """Noise with nothing above 3.4 kHz at -20 dBFS: what every resampler here must carry."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rate * seconds)
    spectrum = np.fft.rfft(x)
    spectrum[np.fft.rfftfreq(x.size, 1 / rate) > 3400] = 0
    x = np.fft.irfft(spectrum, x.size)
    x *= 0.1 * 32767 / np.sqrt(np.mean(x**2))
    pcm: bytes = np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()
    return pcm


def stream_latency_ms(
    process: Callable[[bytes], bytes], flush: Callable[[], bytes], src: int, dst: int
) -> float:
    """Worst audio held back after a 20 ms chunk, plus the delay of what came out, in ms."""
    import soxr

    pcm = band_limited(src)
    step = src // 50 * 2
    pieces, held = [], 0.0
    sent = received = 0
    for i in range(0, len(pcm), step):
        out = process(pcm[i : i + step])
        pieces.append(out)
        sent += len(pcm[i : i + step]) // 2
        received += len(out) // 2
        held = max(held, 1000 * (sent / src - received / dst))
    got = np.frombuffer(b"".join(pieces) + flush(), "<i2").astype(np.float64)
    ideal = soxr.resample(np.frombuffer(pcm, "<i2").astype(np.float64), src, dst, "VHQ")
    n = min(got.size, ideal.size)
    correlation = np.fft.irfft(np.fft.rfft(got[:n], 2 * n) * np.conj(np.fft.rfft(ideal[:n], 2 * n)))
    lag = int(np.argmax(correlation))
    lag = lag - 2 * n if lag > n else lag  # negative: the output is early (it cannot be)
    return held + 1000 * max(lag, 0) / dst


def bench_latency() -> list[bool]:
    import soxr
    from pipecat.audio.resamplers.soxr_stream_resampler import SOXRStreamAudioResampler
    from twilio_media_streams.codec import Resampler

    loop = asyncio.new_event_loop()
    worst = {"msgen": (0.0, ""), "soxr_hq": (0.0, ""), "pipecat": (0.0, "")}
    for src, dst in LATENCY_PAIRS:
        ours = Resampler(src, dst)
        hq = soxr.ResampleStream(src, dst, 1, dtype="int16", quality="HQ")
        pipecat = SOXRStreamAudioResampler()

        def hq_process(chunk: bytes, hq: Any = hq) -> bytes:
            out: bytes = hq.resample_chunk(np.frombuffer(chunk, "<i2")).tobytes()
            return out

        def hq_flush(hq: Any = hq) -> bytes:
            out: bytes = hq.resample_chunk(np.zeros(0, "<i2"), last=True).tobytes()
            return out

        def pipecat_process(chunk: bytes, r: Any = pipecat, a: int = src, b: int = dst) -> bytes:
            out: bytes = loop.run_until_complete(r.resample(chunk, a, b))
            return out

        def pipecat_flush(r: Any = pipecat) -> bytes:
            out: bytes = loop.run_until_complete(r.flush())
            return out

        for name, ms in (
            ("msgen", stream_latency_ms(ours.process, ours.flush, src, dst)),
            ("soxr_hq", stream_latency_ms(hq_process, hq_flush, src, dst)),
            ("pipecat", stream_latency_ms(pipecat_process, pipecat_flush, src, dst)),
        ):
            if ms >= worst[name][0]:
                worst[name] = (ms, f"{src}->{dst}")
    loop.close()
    ours_ms, pipecat_ms = worst["msgen"][0], worst["pipecat"][0]
    ok = ours_ms <= 5.0
    ratio = Spread.of([ours_ms / pipecat_ms])
    print(
        f"BENCH resampler-latency-ms ratio={ratio.median:.3f} {ratio.fields()} "
        f"msgen_ms={ours_ms:.2f} soxr_hq_ms={worst['soxr_hq'][0]:.2f} pipecat_ms={pipecat_ms:.2f} "
        f"msgen_worst={worst['msgen'][1]} soxr_hq_worst={worst['soxr_hq'][1]} "
        f"pipecat_worst={worst['pipecat'][1]} goal_ms<=5 {status(ok)}",
        flush=True,
    )
    return [ok]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=7, help="rounds per comparison (the median ratio counts)"
    )
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
    print(f"BENCH-INFO python={sys.version.split()[0]} {versions} clock={CLOCK_NAME}", flush=True)
    results = (
        bench_ulaw(args.rounds)
        + bench_alaw(args.rounds)
        + bench_paths(args.rounds)
        + bench_latency()
    )
    print(f"BENCH-SUMMARY met={sum(results)} of {len(results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
