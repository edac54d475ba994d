"""The static part of every generated package's codec tests: ``tests/test_codec.py.jinja``
renders the imports (from the package by its name), the frame helper ``inbound_frame``, and the
tests that name frame classes; it includes these sections between them.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess
import warnings
import wave
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pytest
import soxr  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from msgen.runtime.codec import (
    _SATURATION_RANGE,
    FRAME_BYTES,
    MAX_RATE,
    MIN_RATE,
    ULAW_SILENCE,
    Audio,
    CodecError,
    Framer,
    Resampler,
    _plan,
    _weights,
    payload_to_ulaw,
    read_wav,
    resample,
    split_frames,
    ulaw_decode,
    ulaw_encode,
    ulaw_to_payload,
    write_wav,
)
from msgen.runtime.tests.rendered import (
    COMMON_RATES,
    InboundAudio,
    InboundMedia,
    OutboundAudio,
    media_to_pcm,
    pcm_to_media,
)
from msgen.runtime.wire import decode_inbound

# msgen: section helpers
STREAM_SID = "MZ" + "0123456789abcdef" * 2
ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = bytes(range(256))
OTHER_RATES = [r for r in (*COMMON_RATES, 11025, 22050, 96000) if r != 8000]
SPEECH_TEXT = (
    "Thank you for calling. Your call may be recorded for quality and training purposes. "
    "Please say or enter your account number, followed by the pound key. "
    "I can help you check a balance, pay a bill, or speak with an agent."
)


def samples(pcm: bytes) -> npt.NDArray[np.int64]:
    return np.frombuffer(pcm, dtype="<i2").astype(np.int64)


def snr_db(reference: npt.NDArray[np.int64], test: npt.NDArray[np.int64]) -> float:
    noise = np.sum((reference - test).astype(np.float64) ** 2)
    return float(10 * np.log10(np.sum(reference.astype(np.float64) ** 2) / noise))


def lowpass(x: npt.NDArray[np.int64], rate: int, cutoff: float) -> npt.NDArray[np.float64]:
    spectrum = np.fft.rfft(x.astype(np.float64))
    spectrum[np.fft.rfftfreq(x.size, 1 / rate) > cutoff] = 0
    return np.fft.irfft(spectrum, x.size)


# msgen: end
def inbound_frame(payload: str, chunk: int = 1, timestamp: int | None = None) -> InboundMedia:
    at = 20 * (chunk - 1) if timestamp is None else timestamp
    media = {"track": "inbound", "chunk": str(chunk), "timestamp": str(at), "payload": payload}
    frame = decode_inbound(json.dumps({"event": "media", "streamSid": STREAM_SID, "media": media}))
    assert isinstance(frame, InboundMedia)
    return frame


# msgen: section codec
# --- external references ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def audioop() -> Iterator[ModuleType]:
    """CPython's audioop, the reference; it left the standard library in Python 3.13."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = pytest.importorskip("audioop", reason="audioop was removed in Python 3.13")
    yield module


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: run make test (it installs sox, libsox-fmt-all, espeak-ng)")
    return path


def sox(*args: str | Path) -> None:
    subprocess.run([need("sox"), "-D", *map(str, args)], check=True, capture_output=True)


RAW_S16 = ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-c", "1", "-r", "8000")
RAW_ULAW = ("-t", "raw", "-e", "u-law", "-b", "8", "-c", "1", "-r", "8000")


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """About 12 s of synthetic speech as 8 kHz mono PCM16, converted by sox (no dither)."""
    tmp = tmp_path_factory.mktemp("speech")
    subprocess.run(
        [need("espeak-ng"), "-w", str(tmp / "speech.wav"), SPEECH_TEXT],
        check=True,
        capture_output=True,
    )
    sox(
        tmp / "speech.wav",
        "-r",
        "8000",
        "-c",
        "1",
        "-b",
        "16",
        "-e",
        "signed-integer",
        tmp / "8k.wav",
    )
    with wave.open(str(tmp / "8k.wav"), "rb") as w:  # stdlib reader, independent of read_wav
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        pcm = w.readframes(w.getnframes())
    assert len(pcm) > 2 * 8000 * 5, "espeak-ng produced less than 5 s of speech"
    assert np.sqrt(np.mean(samples(pcm) ** 2.0)) > 1000, "speech is too quiet to test with"
    return pcm


def sox_encode(pcm: bytes, tmp_path: Path) -> bytes:
    (tmp_path / "in.s16").write_bytes(pcm)
    sox(*RAW_S16, tmp_path / "in.s16", *RAW_ULAW, tmp_path / "out.ul")
    return (tmp_path / "out.ul").read_bytes()


def sox_rounding_differs(x: npt.NDArray[np.int16]) -> npt.NDArray[np.bool_]:
    """Inputs whose code differs between SoX and the G.711 reference code (audioop).

    Both apply the same 14-bit G.711 encoder, but reduce the 16-bit sample to 14 bits
    differently: the reference shifts right by two bits (rounds down, ``x >> 2``), SoX rounds
    to nearest, halves up (``(x + 2) >> 2``, its SOX_SAMPLE_TO_SIGNED(14) macro). The two
    differ only when ``x % 4`` is 2 or 3 and the next 14-bit value starts a new quantisation
    interval, i.e. just below each of the 254 decision levels: SoX then gives the next code up.
    """
    x32 = x.astype(np.int32)
    down = ((x32 >> 2) << 2).astype(np.int16)
    up = np.minimum(down.astype(np.int32) + 4, 32764).astype(np.int16)
    next_code_differs = np.frombuffer(ulaw_encode(down.tobytes()), np.uint8) != np.frombuffer(
        ulaw_encode(up.tobytes()), np.uint8
    )
    return np.asarray((x32 % 4 >= 2) & next_code_differs)


# --- mu-law against the references ------------------------------------------------------------


def test_encode_matches_audioop_on_every_pcm16_value(audioop: ModuleType) -> None:
    assert ulaw_encode(ALL_PCM.tobytes()) == audioop.lin2ulaw(ALL_PCM.tobytes(), 2)


def test_decode_matches_audioop_on_every_code(audioop: ModuleType) -> None:
    # Long inputs take the table (short ones call audioop itself): exact, odd lengths too.
    for codes in (ALL_CODES * 40, ALL_CODES * 40 + b"\x00", ALL_CODES * 2 + ALL_CODES[:-1]):
        assert ulaw_decode(codes) == audioop.ulaw2lin(codes, 2)


def test_decode_matches_sox_on_every_code(tmp_path: Path) -> None:
    (tmp_path / "codes.ul").write_bytes(ALL_CODES)
    sox(*RAW_ULAW, tmp_path / "codes.ul", *RAW_S16, tmp_path / "codes.s16")
    assert ulaw_decode(ALL_CODES) == (tmp_path / "codes.s16").read_bytes()


def test_every_code_reencodes_to_itself_except_negative_zero() -> None:
    # 0x7F and 0xFF both decode to 0, which encodes to 0xFF (positive zero).
    reencoded = ulaw_encode(ulaw_decode(ALL_CODES))
    changed = {code: reencoded[code] for code in range(256) if reencoded[code] != code}
    assert changed == {0x7F: 0xFF}
    assert samples(ulaw_decode(bytes([0x7F, 0xFF]))).tolist() == [0, 0]


def test_sox_encoding_differs_from_reference_exactly_by_rounding(tmp_path: Path) -> None:
    ours = np.frombuffer(ulaw_encode(ALL_PCM.tobytes()), np.uint8)
    theirs = np.frombuffer(sox_encode(ALL_PCM.tobytes(), tmp_path), np.uint8)
    expected = sox_rounding_differs(ALL_PCM)
    assert np.array_equal(ours != theirs, expected)
    assert int(expected.sum()) == 508  # 254 decision levels x the two inputs x%4 == 2, 3
    # Where they differ, SoX's code is the next level up (towards +32767), never further.
    levels = np.unique(samples(ulaw_decode(ALL_CODES)))
    ours_v = samples(ulaw_decode(ours[expected].tobytes()))
    theirs_v = samples(ulaw_decode(theirs[expected].tobytes()))
    assert np.array_equal(np.searchsorted(levels, theirs_v), np.searchsorted(levels, ours_v) + 1)


# --- real speech ----------------------------------------------------------------------------


def test_speech_survives_mulaw_with_35_db_snr(speech: bytes) -> None:
    decoded = ulaw_decode(ulaw_encode(speech))
    assert len(decoded) == len(speech)
    assert snr_db(samples(speech), samples(decoded)) >= 35.0  # measured 37.3 dB


def test_speech_encoding_matches_sox_except_rounding(speech: bytes, tmp_path: Path) -> None:
    ours = np.frombuffer(ulaw_encode(speech), np.uint8)
    theirs = np.frombuffer(sox_encode(speech, tmp_path), np.uint8)
    expected = sox_rounding_differs(np.frombuffer(speech, "<i2"))
    differing = ours != theirs
    assert int(differing.sum()) == int(expected.sum())
    assert np.array_equal(differing, expected)
    # Speech has many samples near zero, where intervals are narrow: about 7% differ.
    assert differing.any()


@pytest.mark.parametrize("rate", OTHER_RATES)
def test_speech_resampled_up_and_back_keeps_the_telephone_band(speech: bytes, rate: int) -> None:
    back = resample(resample(speech, 8000, rate), rate, 8000)
    assert len(back) == len(speech)
    x, y = samples(speech), samples(back)
    # Whole band: what is lost is the 3.6-4 kHz edge the anti-alias filter removes (39.5 dB).
    assert snr_db(x, y) >= 36.0
    # Telephone band (up to 3.4 kHz): only rounding to 16 bits remains (measured ~80 dB).
    inband = lowpass(x, 8000, 3400)
    noise = lowpass(x - y, 8000, 3400)
    assert 10 * np.log10(np.sum(inband**2) / np.sum(noise**2)) >= 70.0


# --- streaming resampler -----------------------------------------------------------------

LIVE_PAIRS = [(8000, r) for r in (16000, 24000, 44100, 48000)] + [
    (r, 8000) for r in (16000, 24000, 44100, 48000)
]


def stream(resampler: Resampler, pcm: bytes, step: int) -> list[bytes]:
    """The output of every chunk of ``step`` bytes, then of ``flush``."""
    pieces = [resampler.process(pcm[i : i + step]) for i in range(0, len(pcm), step)]
    return [*pieces, resampler.flush()]


def telephone_band(pcm: bytes, rate: int) -> bytes:
    """Speech with nothing above 3.4 kHz (what both resamplers must carry unchanged)."""
    x = lowpass(samples(pcm), rate, 3400)
    return np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()


@pytest.mark.parametrize(("src", "dst"), LIVE_PAIRS)
def test_streaming_holds_back_at_most_5_ms_of_each_20_ms_chunk(
    speech: bytes, src: int, dst: int
) -> None:
    pcm = speech[: 2 * 8000 * 2] if src == 8000 else resample(speech[: 2 * 8000 * 2], 8000, src)
    step = src // 50 * 2
    resampler = Resampler(src, dst)
    received = sent = 0
    for i in range(0, len(pcm), step):
        out = resampler.process(pcm[i : i + step])
        assert out, "every 20 ms chunk gives audio"
        sent += len(pcm[i : i + step]) // 2
        received += len(out) // 2
        held_ms = 1000 * (sent / src - received / dst)
        assert 0 <= held_ms <= 2.5  # the filter's half-length: 2 ms at 8 kHz, and rounding
    assert received + len(resampler.flush()) // 2 == round(sent * dst / src)


@pytest.mark.parametrize(("src", "dst"), LIVE_PAIRS)
def test_streaming_matches_soxr_vhq_in_the_telephone_band(
    speech: bytes, src: int, dst: int
) -> None:
    pcm = telephone_band(speech if src == 8000 else resample(speech, 8000, src), src)
    ours = samples(b"".join(stream(Resampler(src, dst), pcm, src // 50 * 2)))
    x = np.frombuffer(pcm, "<i2").astype(np.float64)
    reference = np.round(soxr.resample(x, src, dst, quality="VHQ")).astype(np.int64)
    assert ours.size == reference.size
    edge = dst // 20  # the first and last 50 ms, where the two filters see different padding
    assert snr_db(reference[edge:-edge], ours[edge:-edge]) >= 70.0  # measured 75-84 dB


def test_streaming_downsampling_leaves_no_alias_of_a_6_khz_tone() -> None:
    t = np.arange(24000) / 24000
    tone = (np.sin(2 * np.pi * 6000 * t) * 20000).astype("<i2").tobytes()  # would alias to 2 kHz
    out = samples(b"".join(stream(Resampler(24000, 8000), tone, 960)))
    level = np.sqrt(np.mean(out[400:-400] ** 2.0)) / (20000 / np.sqrt(2))
    assert level <= 10 ** (-60 / 20)  # measured: below one LSB


@given(
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=12),
    pair=st.sampled_from([*LIVE_PAIRS, (8000, 22050), (44101, 8000), (1000, 384000)]),
)
@settings(max_examples=60)
def test_streaming_output_does_not_depend_on_the_chunking(
    cuts: list[int], pair: tuple[int, int]
) -> None:
    src, dst = pair
    t = np.arange(src // 10) / src
    pcm = (np.sin(2 * np.pi * 300 * t) * 30000).astype("<i2").tobytes()  # near full scale
    whole = Resampler(src, dst)
    expected = samples(whole.process(pcm) + whole.flush())
    bounds = sorted({0, len(pcm), *(min(2 * c, len(pcm)) for c in cuts)})
    chunked = Resampler(src, dst)
    pieces = [chunked.process(pcm[a:b]) for a, b in pairwise(bounds)]
    got = samples(b"".join(pieces) + chunked.flush())
    assert got.size == expected.size == round(len(pcm) // 2 * dst / src)
    assert np.max(np.abs(got - expected), initial=0) <= 1  # float rounding may differ


@pytest.mark.parametrize(("src", "dst"), [*LIVE_PAIRS, (8000, 22050)])
def test_streaming_runs_of_20_ms_chunks_match_the_whole_stream(src: int, dst: int) -> None:
    # 3 s of 20 ms chunks: several laps of the precomputed path, left for a chunk of another
    # size and taken again, flushed in mid-lap; a reset first drops a stream in mid-lap.
    step = src // 50
    t = np.arange(3 * src) / src
    pcm = (np.sin(2 * np.pi * 300 * t) * 30000).astype("<i2")  # near full scale
    whole = Resampler(src, dst)
    expected = samples(whole.process(pcm.tobytes()) + whole.flush())
    chunked = Resampler(src, dst)
    for i in range(7):
        chunked.process(pcm[i * step : (i + 1) * step].tobytes())
    chunked.reset()
    sizes = [step] * 70 + [step // 3, step - step // 3] + [step] * 79
    pieces, at = [], 0
    for i, size in enumerate(sizes):
        pieces.append(chunked.process(pcm[at : at + size].tobytes()))
        at += size
        if i in (2, 75):
            assert chunked._cycle.count == step  # the precomputed path
    got = samples(b"".join(pieces) + chunked.flush())
    assert at == pcm.size and got.size == expected.size
    assert np.max(np.abs(got - expected)) <= 1  # float rounding may differ


@given(
    runs=st.lists(
        st.tuples(st.sampled_from([1, 37, 160, 320, 960]), st.integers(1, 12)), max_size=30
    ),
    pair=st.sampled_from([(8000, 16000), (16000, 8000), (8000, 48000), (24000, 8000)]),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=30, deadline=None)
def test_streaming_runs_of_any_equal_chunks_match_the_whole_stream(
    runs: list[tuple[int, int]], pair: tuple[int, int], seed: int
) -> None:
    # Runs of equal chunks take the precomputed path, each run from its own starting point,
    # until a resampler has worked out as many as it keeps; the output is the same throughout.
    sizes = [size for size, repeat in runs for _ in range(repeat)]
    rng = np.random.default_rng(seed)
    pcm = rng.integers(-32768, 32768, sum(sizes)).astype("<i2")
    whole = Resampler(*pair)
    expected = samples(whole.process(pcm.tobytes()) + whole.flush())
    chunked = Resampler(*pair)
    bounds = np.cumsum([0, *sizes])
    pieces = [chunked.process(pcm[a:b].tobytes()) for a, b in pairwise(bounds)]
    got = samples(b"".join(pieces) + chunked.flush())
    assert got.size == expected.size
    assert np.max(np.abs(got - expected), initial=0) <= 1


@pytest.mark.parametrize(("src", "dst"), LIVE_PAIRS)
def test_streaming_clips_overshoot_instead_of_wrapping(src: int, dst: int) -> None:
    # A full-scale square wave near 500 Hz: the filter rings past full scale after each edge.
    period = src // 500
    square = np.where(np.arange(src // 5) % period < period // 2, 32767, -32768)
    resampler = Resampler(src, dst)
    out = samples(resampler.process(square.astype("<i2").tobytes()) + resampler.flush())
    assert out.max() == 32767 and out.min() == -32768
    phase = (np.arange(out.size) * src / period / dst) % 1  # where in its period each output is
    high = (phase > 0.1) & (phase < 0.4)  # 0.2 ms or more from an edge
    low = (phase > 0.6) & (phase < 0.9)
    edge = dst // 100  # away from the silence before and after the stream
    assert np.all(out[edge:-edge][high[edge:-edge]] > 20000)  # clipped, never wrapped round
    assert np.all(out[edge:-edge][low[edge:-edge]] < -20000)


def hardest_input(
    src: int, dst: int, *, loud: bool = False
) -> tuple[npt.NDArray[np.int16], int, int]:
    """The input that drives one output furthest: the signs of the weights of the filter's
    loudest output, at ``plan.quiet`` (with ``loud``, full scale but for the last input it
    weighs). Returns the input, that output's index, and where that last input is."""
    plan = _plan(src, dst)
    assert plan.table is not None
    column = int(np.argmax(np.abs(plan.table.astype(np.float64)).sum(axis=0)))
    weights = plan.table[:, column]
    row = 20  # well after the silence before the stream
    first = row * plan.step - plan.left  # the input the row's first weight falls on
    last = int(np.flatnonzero(weights)[-1])
    level = np.where((np.arange(weights.size) < last) & loud, 32767, plan.quiet)
    x = np.zeros(first + weights.size + src // 50, dtype=np.int16)
    x[first : first + weights.size] = (level * np.sign(weights)).astype(np.int16)
    return x, row * plan.outputs + column, first + last


@pytest.mark.parametrize(("src", "dst"), LIVE_PAIRS)
def test_streaming_skips_clipping_only_where_no_output_can_overshoot(src: int, dst: int) -> None:
    # At plan.quiet, the hardest input takes an output to within 0.1% of full scale, unclipped.
    x, j, _ = hardest_input(src, dst)
    resampler = Resampler(src, dst)
    out = samples(resampler.process(x.tobytes()))
    plan = _plan(src, dst)
    assert plan.table is not None
    exact = plan.quiet * np.abs(plan.table.astype(np.float64)).sum(axis=0).max()
    assert 32700 < out[j] <= 32767 and abs(out[j] - exact) <= 1
    # Full scale in the chunk before and plan.quiet in the chunk that gives the output: its
    # inputs in the chunk before count, so it clips instead of wrapping round.
    x, j, last = hardest_input(src, dst, loud=True)
    chunked = Resampler(src, dst)
    first = chunked.process(x[:last].tobytes())
    assert len(first) // 2 <= j  # the output comes with the quiet chunk
    got = samples(first + chunked.process(x[last:].tobytes()) + chunked.flush())
    whole = Resampler(src, dst)
    expected = samples(whole.process(x.tobytes()) + whole.flush())
    assert got[j] == expected[j] == 32767
    assert np.max(np.abs(got - expected)) <= 1


@given(
    src=st.integers(min_value=MIN_RATE, max_value=MAX_RATE),
    dst=st.integers(min_value=MIN_RATE, max_value=MAX_RATE),
)
@settings(max_examples=40)
def test_the_streaming_filter_gain_stays_within_the_rounding_tables(src: int, dst: int) -> None:
    # Rounding to mu-law clips by table lookup, valid up to four times full scale.
    plan = _plan(src, dst)
    taps = np.arange(-plan.left, plan.right + 1)
    positions = np.linspace(0, 1, 65)[:, None]
    gain = np.abs(_weights(positions - taps, plan.cutoff, plan.half)).sum(axis=1).max()
    assert gain < 2.5 < _SATURATION_RANGE / 32768


@given(
    src=st.integers(min_value=MIN_RATE, max_value=MAX_RATE),
    dst=st.integers(min_value=MIN_RATE, max_value=MAX_RATE),
)
@settings(max_examples=40)
def test_streaming_converts_any_whole_rates(src: int, dst: int) -> None:
    freq = min(src, dst) / 8  # well inside the passband (85% of half the lower rate)
    seconds = 64 / min(src, dst) + 0.002
    pcm = (np.sin(2 * np.pi * freq * np.arange(round(src * seconds)) / src) * 10000).astype("<i2")
    resampler = Resampler(src, dst)
    out = samples(resampler.process(pcm.tobytes()) + resampler.flush())
    assert out.size == round(pcm.size * dst / src)
    expected = np.sin(2 * np.pi * freq * np.arange(out.size) / dst) * 10000
    edge = out.size // 4  # away from the zeros before and after the stream
    assert snr_db(expected[edge:-edge], out[edge:-edge]) >= 60.0


# --- resampling -----------------------------------------------------------------------------


def test_one_shot_resampling_length_and_alignment() -> None:
    t = np.arange(8000) / 8000
    tone = (np.sin(2 * np.pi * 440 * t) * 10000).astype("<i2")
    up = samples(resample(tone.tobytes(), 8000, 48000))
    assert up.size == 48000
    expected = np.sin(2 * np.pi * 440 * np.arange(48000) / 48000) * 10000
    assert np.max(np.abs(up[1000:-1000] - expected[1000:-1000])) < 20  # no delay, no drift


def test_downsampling_removes_what_8_khz_cannot_carry() -> None:
    t = np.arange(48000) / 48000
    tone = (np.sin(2 * np.pi * 6000 * t) * 20000).astype("<i2").tobytes()  # aliases to 2 kHz
    out = samples(resample(tone, 48000, 8000))
    assert np.sqrt(np.mean(out[800:-800] ** 2.0)) < 5  # under -75 dB of the input


def test_resampler_reset_and_reuse_after_flush() -> None:
    pcm = (np.arange(3200) % 200 * 100).astype("<i2").tobytes()
    resampler = Resampler(16000, 8000)
    first = resampler.process(pcm) + resampler.flush()
    second = resampler.process(pcm) + resampler.flush()
    assert first == second
    assert len(first) == len(resample(pcm, 16000, 8000))
    resampler.process(pcm)
    resampler.reset()
    assert resampler.process(pcm) + resampler.flush() == first


def test_same_rate_is_identity() -> None:
    pcm = b"\x01\x02\x03\x04"
    assert resample(pcm, 16000, 16000) == pcm
    resampler = Resampler(8000, 8000)
    assert resampler.process(pcm) == pcm
    assert resampler.flush() == b""


# --- framing --------------------------------------------------------------------------------


def test_split_frames() -> None:
    data = bytes(range(256)) * 2
    frames, rest = split_frames(data)
    assert [len(f) for f in frames] == [FRAME_BYTES] * 3
    assert b"".join(frames) + rest == data
    assert rest == data[480:]
    assert split_frames(b"") == ([], b"")
    assert split_frames(b"abc", 2) == ([b"ab"], b"c")


def test_framer_flush_pads_with_silence_or_returns_short() -> None:
    framer = Framer()
    assert framer.push(b"\x01" * 100) == []
    assert framer.pending == 100
    frames = framer.push(b"\x02" * 300)
    assert frames == [b"\x01" * 100 + b"\x02" * 60, b"\x02" * 160]
    assert framer.pending == 80
    assert framer.flush(pad=True) == [b"\x02" * 80 + bytes([ULAW_SILENCE]) * 80]
    assert framer.flush(pad=True) == []
    framer.push(b"\x03" * 10)
    assert framer.flush() == [b"\x03" * 10]
    framer.push(b"\x03" * 10)
    framer.clear()
    assert framer.pending == 0
    assert framer.flush() == []


@given(
    data=st.binary(max_size=2000),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=20),
    frame_bytes=st.sampled_from([1, 7, 160, 320]),
    pad=st.booleans(),
)
def test_framer_reassembles_any_chunking(
    data: bytes, cuts: list[int], frame_bytes: int, pad: bool
) -> None:
    bounds = sorted({0, len(data), *(min(c, len(data)) for c in cuts)})
    framer = Framer(frame_bytes)
    frames: list[bytes] = []
    for a, b in pairwise(bounds):
        frames += framer.push(data[a:b])
        assert framer.pending < frame_bytes
    assert all(len(f) == frame_bytes for f in frames)
    full, rest = split_frames(data, frame_bytes)
    assert frames == full
    last = framer.flush(pad)
    assert b"".join(frames + last)[: len(data)] == data
    if rest:
        assert last == [rest + bytes([ULAW_SILENCE]) * (frame_bytes - len(rest)) if pad else rest]
    else:
        assert last == []


# --- hypothesis: codec properties ------------------------------------------------------------


@given(st.binary(max_size=4000).map(lambda b: b[: len(b) // 2 * 2]))
def test_encode_decode_error_is_bounded_and_encoding_idempotent(pcm: bytes) -> None:
    codes = ulaw_encode(pcm)
    assert len(codes) == len(pcm) // 2
    decoded = ulaw_decode(codes)
    x, y = samples(pcm), samples(decoded)
    assert np.all(np.abs(x - y) <= np.abs(x) / 32 + 8)  # mu-law: ~3% of the magnitude
    assert ulaw_encode(decoded) == codes


@given(st.binary(max_size=1000))
def test_decode_is_per_byte(codes: bytes) -> None:
    one_by_one = b"".join(ulaw_decode(bytes([c])) for c in codes)
    assert ulaw_decode(codes) == one_by_one


@given(st.binary(max_size=1000))
def test_base64_round_trip(data: bytes) -> None:
    payload = ulaw_to_payload(data)
    assert payload == base64.b64encode(data).decode()
    assert payload_to_ulaw(payload) == data


BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


@given(st.one_of(st.text(alphabet="AB+/=\n Ä-_", max_size=12), st.text(max_size=20)))
def test_payload_decoding_is_strict(text: str) -> None:
    if BASE64.fullmatch(text):
        assert payload_to_ulaw(text) == base64.b64decode(text)
    else:
        with pytest.raises(CodecError, match="not valid base64"):
            payload_to_ulaw(text)


# --- WAV ------------------------------------------------------------------------------------


def test_wav_pcm16_round_trip_and_sox_agrees(tmp_path: Path) -> None:
    pcm = (np.arange(4000) * 37 % 65536 - 32768).astype("<i2").tobytes()
    write_wav(tmp_path / "a.wav", pcm, 24000)
    assert read_wav(tmp_path / "a.wav") == Audio(pcm=pcm, rate=24000)
    assert read_wav((tmp_path / "a.wav").read_bytes()) == Audio(pcm=pcm, rate=24000)
    with wave.open(str(tmp_path / "a.wav"), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        assert w.readframes(w.getnframes()) == pcm


@pytest.mark.parametrize("odd", [False, True])
def test_wav_mulaw_round_trip_and_sox_reads_it(tmp_path: Path, odd: bool) -> None:
    pcm = ALL_PCM[:: 7 if odd else 8].tobytes()
    write_wav(tmp_path / "u.wav", pcm, 8000, ulaw=True)
    assert read_wav(tmp_path / "u.wav") == Audio(pcm=ulaw_decode(ulaw_encode(pcm)), rate=8000)
    sox(tmp_path / "u.wav", *RAW_S16, tmp_path / "u.s16")
    assert (tmp_path / "u.s16").read_bytes() == ulaw_decode(ulaw_encode(pcm))


def test_wav_stereo_pcm16_is_mixed_down(tmp_path: Path) -> None:
    left = np.array([100, -100, 32767, -32768, 3, -3], dtype="<i2")
    right = np.array([200, -201, 32767, -32768, 0, 0], dtype="<i2")
    with wave.open(str(tmp_path / "st.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.column_stack([left, right]).astype("<i2").tobytes())
    audio = read_wav(tmp_path / "st.wav")
    assert audio.rate == 16000
    assert samples(audio.pcm).tolist() == [150, -151, 32767, -32768, 1, -2]  # mean, rounded down


def test_wav_stereo_mulaw_from_sox_is_mixed_down(tmp_path: Path) -> None:
    (tmp_path / "l.s16").write_bytes(ALL_PCM[::256].tobytes())
    (tmp_path / "r.s16").write_bytes(ALL_PCM[::-256].tobytes())
    sox(
        "-M",
        *RAW_S16,
        tmp_path / "l.s16",
        *RAW_S16,
        tmp_path / "r.s16",
        "-e",
        "u-law",
        tmp_path / "st.wav",
    )
    assert (tmp_path / "st.wav").read_bytes()[20:24] == b"\x07\x00\x02\x00"  # mu-law, stereo
    raw = ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L")
    sox(tmp_path / "st.wav", *raw, tmp_path / "st.s16")  # sox's own decoding of both channels
    both = samples((tmp_path / "st.s16").read_bytes()).reshape(-1, 2)
    assert both.shape == (256, 2)
    assert not np.array_equal(both[:, 0], both[:, 1])
    audio = read_wav(tmp_path / "st.wav")
    assert samples(audio.pcm).tolist() == ((both[:, 0] + both[:, 1]) // 2).tolist()
    assert audio.rate == 8000


def test_wav_extensible_three_channels_from_sox(tmp_path: Path) -> None:
    sox(
        "-n",
        "-r",
        "8000",
        "-c",
        "3",
        "-b",
        "16",
        "-e",
        "signed-integer",
        tmp_path / "x.wav",
        "synth",
        "0.05",
        "sine",
        "440",
        "sine",
        "880",
        "sine",
        "1320",
    )
    data = (tmp_path / "x.wav").read_bytes()
    assert data[20:22] == b"\xfe\xff"  # WAVE_FORMAT_EXTENSIBLE
    sox(
        tmp_path / "x.wav",
        "-t",
        "raw",
        "-e",
        "signed-integer",
        "-b",
        "16",
        "-L",
        tmp_path / "x.raw",
    )
    channels = samples((tmp_path / "x.raw").read_bytes()).reshape(-1, 3)
    audio = read_wav(data)
    assert samples(audio.pcm).tolist() == (channels.sum(axis=1) // 3).tolist()


def wav_header(tag: int, channels: int, rate: int, bits: int, data: bytes) -> bytes:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    body = (
        b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def test_wav_skips_unknown_chunks_and_drops_a_partial_frame() -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"LIST" + struct.pack("<I", 3) + b"abc\x00" + b"fmt " + struct.pack("<I", 16) + fmt
    body += b"data" + struct.pack("<I", 5) + b"\x01\x00\x02\x00\x03"
    audio = read_wav(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    assert audio == Audio(pcm=b"\x01\x00\x02\x00", rate=8000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a WAV file"),
        (b"RIFX\x00\x00\x00\x00WAVE", "not a WAV file"),
        (wav_header(1, 1, 8000, 8, b"\x80" * 4), "unsupported WAV encoding: format 1, 8 bits"),
        (wav_header(3, 1, 8000, 32, b"\x00" * 8), "unsupported WAV encoding: format 3"),
        (wav_header(1, 1, 8000, 16, b"")[:36], "no data chunk"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no fmt chunk"),
    ],
)
def test_wav_errors(data: bytes, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        read_wav(data)


def test_wav_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodecError, match="cannot read WAV file"):
        read_wav(tmp_path / "missing.wav")


# --- frame helpers --------------------------------------------------------------------------


def tone(rate: int, seconds: float, freq: float = 440.0) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * freq * t) * 8000).astype("<i2").tobytes()


def test_media_to_pcm_decodes_and_resamples() -> None:
    ulaw = ulaw_encode(tone(8000, 0.02))
    frame = inbound_frame(ulaw_to_payload(ulaw))
    assert media_to_pcm(frame) == ulaw_decode(ulaw)
    assert media_to_pcm(frame, 16000) == resample(ulaw_decode(ulaw), 8000, 16000)
    assert len(media_to_pcm(frame, 48000)) == 160 * 6 * 2


# msgen: section inbound_audio
def test_inbound_audio_streams_frames_like_the_resampler() -> None:
    ulaw = ulaw_encode(tone(8000, 1.0, 300))
    frames = [inbound_frame(ulaw_to_payload(f), i + 1) for i, f in enumerate(split_frames(ulaw)[0])]
    for rate in (16000, 44100):
        audio = InboundAudio(rate)
        pieces = [audio.process(f) for f in frames]
        assert all(pieces), "every frame gives audio at once"
        resampler = Resampler(8000, rate)
        expected = resampler.process(ulaw_decode(ulaw)) + resampler.flush()
        assert b"".join(pieces) + audio.flush() == expected
    plain = InboundAudio()
    assert plain.process(frames[0]) == ulaw_decode(ulaw[:160])
    assert plain.flush() == b""


# msgen: section timestamps
def test_inbound_audio_fills_timestamp_gaps_with_silence() -> None:
    ulaw = ulaw_encode(tone(8000, 0.2, 300))
    frames = split_frames(ulaw)[0]
    audio = InboundAudio()
    out = b"".join(
        audio.process(inbound_frame(ulaw_to_payload(f), i + 1))
        for i, f in enumerate(frames)
        if i not in (3, 4)  # 40 ms lost
    )
    assert len(out) == len(ulaw) * 2  # sample i is at i / 8000 s, as the timestamps say
    assert audio.start_ms == 0
    x = samples(out)
    assert not x[480:800].any()
    assert out[:960] == ulaw_decode(ulaw[:480]) and out[1600:] == ulaw_decode(ulaw[800:])
    # Jitter under half a frame adds nothing; frames are never dropped.
    late = InboundAudio()
    assert len(late.process(inbound_frame(ulaw_to_payload(frames[0]), 1))) == 320
    for at in (29, 15, 60):  # 9 ms late, then early: nothing to fill
        assert len(late.process(inbound_frame(ulaw_to_payload(frames[1]), 2, at))) == 320
    assert len(late.process(inbound_frame(ulaw_to_payload(frames[1]), 3, 90))) == 320 + 2 * 80


def test_inbound_audio_starts_at_its_first_frame() -> None:
    audio = InboundAudio(16000)
    assert audio.start_ms is None
    first = audio.process(inbound_frame(ulaw_to_payload(b"\x00" * 160), 251, 5000))
    assert audio.start_ms == 5000
    assert len(first) == 2 * (320 - 32)  # no silence for the 5 s before; 2 ms held back


def test_inbound_audio_caps_silence_for_a_corrupt_timestamp() -> None:
    audio = InboundAudio()
    audio.process(inbound_frame(ulaw_to_payload(b"\x00" * 160), 1, 0))
    out = audio.process(inbound_frame(ulaw_to_payload(b"\x00" * 160), 2, 10**9))
    assert len(out) == 2 * (InboundAudio.MAX_GAP_MS * 8 + 160)


# msgen: section outbound_audio
def test_outbound_audio_frames_a_stream_like_the_resampler() -> None:
    pcm = tone(24000, 1.0, 500)
    step = 24000 // 50 * 2
    audio = OutboundAudio(24000, STREAM_SID, frame_bytes=FRAME_BYTES)
    frames = [f for i in range(0, len(pcm), step) for f in audio.process(pcm[i : i + step])]
    frames += audio.flush()
    payloads = [payload_to_ulaw(f.media.payload) for f in frames]
    assert b"".join(payloads) == ulaw_encode(b"".join(stream(Resampler(24000, 8000), pcm, step)))
    assert {len(p) for p in payloads} == {160}  # 1 s is a whole number of frames
    assert audio.flush() == []


@pytest.mark.parametrize("rate", [16000, 24000, 44100, 48000])
def test_outbound_audio_rounds_and_clips_like_the_resampler(rate: int) -> None:
    # Speech-like noise near full scale, then a full-scale square wave whose overshoot clips:
    # mu-law straight from the filter's outputs is the resampler's PCM16, encoded.
    rng = np.random.default_rng(rate)
    noise = np.clip(rng.normal(0, 12000, rate // 2), -32768, 32767)
    square = np.where(np.arange(rate // 2) % (rate // 500) < rate // 1000, 32767, -32768)
    pcm = np.concatenate([noise, square]).astype("<i2").tobytes()
    step = rate // 50 * 2
    audio = OutboundAudio(rate, STREAM_SID)
    frames = [f for i in range(0, len(pcm), step) for f in audio.process(pcm[i : i + step])]
    ulaw = b"".join(payload_to_ulaw(f.media.payload) for f in [*frames, *audio.flush()])
    expected = ulaw_encode(b"".join(stream(Resampler(rate, 8000), pcm, step)))
    assert ulaw == expected
    assert {0x00, 0x80} <= set(ulaw)  # the codes of -32768 and 32767: clipped


def test_outbound_audio_flush_pad_and_clear() -> None:
    audio = OutboundAudio(8000, STREAM_SID, frame_bytes=FRAME_BYTES)
    assert audio.process(b"\x00\x00" * 100) == []
    (last,) = audio.flush(pad=True)
    assert payload_to_ulaw(last.media.payload) == bytes([ULAW_SILENCE]) * 160
    audio.process(b"\x10\x00" * 100)
    audio.clear()
    assert audio.flush() == []
    whole = OutboundAudio(8000, STREAM_SID)
    (frame,) = whole.process(b"\x10\x00" * 100)
    assert len(payload_to_ulaw(frame.media.payload)) == 100


def test_outbound_audio_holds_back_only_the_resamplers_two_ms() -> None:
    # The default sends each chunk's audio at once: every 20 ms chunk from 24 kHz gives a frame,
    # and all but the filter's 2 ms (16 codes at 8 kHz) of what went in has gone out.
    audio = OutboundAudio(24000, STREAM_SID)
    pcm = tone(24000, 0.2, 440)
    step = 24000 // 50 * 2
    sent = 0
    for i in range(0, len(pcm), step):
        (frame,) = audio.process(pcm[i : i + step])
        sent += len(payload_to_ulaw(frame.media.payload))
        assert (i + step) // 6 - sent == 16


# --- errors and empty input -----------------------------------------------------------------

ODD_PCM: list[Callable[[], object]] = [
    lambda: ulaw_encode(b"\x00\x00\x00"),
    lambda: resample(b"\x00", 8000, 16000),
    lambda: Resampler(8000, 16000).process(b"\x00"),
    lambda: pcm_to_media(b"\x00", 8000, STREAM_SID),
    lambda: OutboundAudio(16000, STREAM_SID).process(b"\x00\x00\x00"),
    lambda: write_wav("/nonexistent/never-written.wav", b"\x00", 8000),
]


@pytest.mark.parametrize("call", ODD_PCM)
def test_odd_pcm_byte_count_is_an_error(call: Callable[[], object]) -> None:
    with pytest.raises(CodecError, match="even number of bytes"):
        call()


@pytest.mark.parametrize("rate", [0, -8000, 999, 400_000, 8000.0])
def test_unsupported_rates_are_errors(rate: int) -> None:
    for call in (
        lambda: resample(b"", rate, 8000),
        lambda: resample(b"", 8000, rate),
        lambda: Resampler(rate, 8000),
        lambda: InboundAudio(rate),
        lambda: OutboundAudio(rate, STREAM_SID),
        lambda: media_to_pcm(inbound_frame(""), rate),
        lambda: pcm_to_media(b"", rate, STREAM_SID),
    ):
        with pytest.raises(CodecError, match=f"unsupported sample rate {rate}"):
            call()


@pytest.mark.parametrize(
    "payload",
    ["A", "AAA", "AA=A", "AAAA\n", "AA AA", "////+", "AAAÄ", "AA==AA==", "AAAA=", "AAAA===="],
)
def test_bad_base64_is_an_error(payload: str) -> None:
    with pytest.raises(CodecError, match="not valid base64"):
        payload_to_ulaw(payload)
    with pytest.raises(CodecError):
        InboundAudio().process(inbound_frame(payload))


def test_bad_frame_sizes_are_errors() -> None:
    for call in (
        lambda: Framer(0),
        lambda: split_frames(b"x", 0),
        lambda: pcm_to_media(b"", 8000, STREAM_SID, frame_bytes=0),
        lambda: OutboundAudio(8000, STREAM_SID, frame_bytes=-1),
    ):
        with pytest.raises(CodecError, match="frame size must be a positive"):
            call()


def test_codec_error_is_a_value_error() -> None:
    assert issubclass(CodecError, ValueError)


def test_empty_input_gives_empty_output() -> None:
    assert ulaw_encode(b"") == b""
    assert ulaw_decode(b"") == b""
    assert payload_to_ulaw("") == b""
    assert ulaw_to_payload(b"") == ""
    assert resample(b"", 8000, 48000) == b""
    resampler = Resampler(48000, 8000)
    assert resampler.process(b"") == b""
    assert resampler.flush() == b""
    assert media_to_pcm(inbound_frame(""), 16000) == b""
    assert InboundAudio(16000).process(inbound_frame("")) == b""
    assert OutboundAudio(16000, STREAM_SID).process(b"") == []
    assert OutboundAudio(16000, STREAM_SID).flush(pad=True) == []
