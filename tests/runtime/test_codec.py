"""Unit tests of msgen.runtime.codec, the static DSP every generated package's codec includes:
mu-law, one-shot and streaming resampling, framing, base64 payloads and WAV files; A-law, L16,
wire formats, streaming conversions to and from them, and the framing rules for sending.

Imported directly, without rendering a package. The generated package's own tests cover its
bindings (media frames to PCM and back) and real speech through sox and espeak-ng.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Literal

import numpy as np
import numpy.typing as npt
import pytest
import soxr  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from msgen.runtime import codec
from msgen.runtime.codec import (
    Audio,
    Chunker,
    CodecError,
    Decoder,
    Encoder,
    Framer,
    Resampler,
    WireFormat,
    alaw_decode,
    alaw_encode,
    l16_to_pcm,
    payload_to_ulaw,
    pcm_to_l16,
    read_wav,
    resample,
    split_frames,
    ulaw_decode,
    ulaw_encode,
    ulaw_to_payload,
    write_wav,
)

RATES = (8000, 16000, 24000, 44100, 48000)
PAIRS = [(a, b) for a in RATES for b in RATES if a != b]
ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = bytes(range(256))
pcm16 = st.binary(max_size=4000).map(lambda b: b[: len(b) // 2 * 2])


@pytest.fixture(scope="module")
def audioop() -> Iterator[ModuleType]:
    """The reference codec: CPython's audioop up to 3.12, the audioop-lts backport from 3.13."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = pytest.importorskip("audioop", reason="neither audioop nor audioop-lts")
    yield module


@pytest.fixture(params=["audioop", "numpy"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs as is (audioop decodes short inputs and streams PCM16) and without audioop,
    as on a big-endian machine or where the backport is missing."""
    if request.param == "numpy":
        monkeypatch.setattr(codec, "_AUDIOOP", None)
    elif codec._AUDIOOP is None:
        pytest.skip("audioop is not importable")
    return str(request.param)


def samples(pcm: bytes) -> npt.NDArray[np.int64]:
    return np.frombuffer(pcm, dtype="<i2").astype(np.int64)


def snr_db(reference: npt.NDArray[np.float64], test: npt.NDArray[np.int64]) -> float:
    noise = np.sum((reference - test) ** 2)
    return float(10 * np.log10(np.sum(reference**2) / noise))


def noise(rate: int, seconds: float, seed: int = 1) -> bytes:
    """Noise band-limited to 3.4 kHz at about -20 dBFS: what the telephone band carries."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, round(rate * seconds))
    spectrum = np.fft.rfft(x)
    spectrum[np.fft.rfftfreq(x.size, 1 / rate) > 3400] = 0
    y = np.fft.irfft(spectrum, x.size)
    y *= 3277 / np.sqrt(np.mean(y**2))
    return np.round(y).astype("<i2").tobytes()


def stream(resampler: Resampler, pcm: bytes, cuts: list[int]) -> bytes:
    """The output of ``pcm`` cut at the byte offsets ``cuts``, then of ``flush``."""
    bounds = sorted({0, len(pcm), *(min(c // 2 * 2, len(pcm)) for c in cuts)})
    return b"".join(resampler.process(pcm[a:b]) for a, b in pairwise(bounds)) + resampler.flush()


# --- mu-law ---------------------------------------------------------------------------------


def test_encode_matches_audioop_on_every_pcm16_value(audioop: ModuleType) -> None:
    assert ulaw_encode(ALL_PCM.tobytes()) == audioop.lin2ulaw(ALL_PCM.tobytes(), 2)


def test_decode_matches_audioop_on_every_code(audioop: ModuleType, path: str) -> None:
    # Short inputs and long ones (the table of pairs), odd lengths too.
    for codes in (
        b"",
        ALL_CODES[:1],
        ALL_CODES,
        ALL_CODES[::-1] + ALL_CODES[:1],
        ALL_CODES * 40,
        ALL_CODES * 40 + b"\x00",
        bytes(np.arange(65536, dtype="<u2").view(np.uint8)),  # every pair of codes
    ):
        assert ulaw_decode(codes) == audioop.ulaw2lin(codes, 2), (path, len(codes))


@given(st.binary(max_size=3000))
def test_decode_matches_audioop_on_any_codes(audioop: ModuleType, codes: bytes) -> None:
    assert ulaw_decode(codes) == audioop.ulaw2lin(codes, 2)


def test_decode_follows_g711_without_audioop(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reference ulaw2linear, written out: the tables need no audioop to be right.
    monkeypatch.setattr(codec, "_AUDIOOP", None)
    expected = []
    for code in range(256):
        u = ~code & 0xFF
        t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
        expected.append(0x84 - t if u & 0x80 else t - 0x84)
    assert samples(ulaw_decode(ALL_CODES)).tolist() == expected
    assert samples(ulaw_decode(ALL_CODES * 3)).tolist() == expected * 3


def test_every_code_reencodes_to_itself_except_negative_zero() -> None:
    reencoded = ulaw_encode(ulaw_decode(ALL_CODES))
    assert {c: reencoded[c] for c in range(256) if reencoded[c] != c} == {0x7F: 0xFF}


@given(pcm16)
def test_encoding_is_idempotent_and_its_error_bounded(pcm: bytes) -> None:
    coded = ulaw_encode(pcm)
    decoded = ulaw_decode(coded)
    assert ulaw_encode(decoded) == coded
    x, y = samples(pcm), samples(decoded)
    assert np.all(np.abs(x - y) <= np.abs(x) / 32 + 8)  # mu-law: ~3% of the magnitude


@given(st.binary(max_size=1200), st.binary(max_size=1200))
def test_decode_is_per_byte(a: bytes, b: bytes) -> None:
    assert ulaw_decode(a + b) == ulaw_decode(a) + ulaw_decode(b)


@given(st.lists(st.floats(-(2.0**18), 2.0**18, width=32, exclude_max=True), max_size=300))
def test_doubled_outputs_round_half_away_clip_and_encode(values: list[float]) -> None:
    doubled = np.array(values, dtype=np.float32)
    y = doubled.astype(np.float64) / 2
    rounded = np.clip(np.sign(y) * np.floor(np.abs(y) + 0.5), -32768, 32767).astype("<i2")
    assert codec._to_ulaw(doubled) == ulaw_encode(rounded.tobytes())


# --- streaming resampling -------------------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_streaming_holds_back_2_ms_of_each_20_ms_chunk(src: int, dst: int, path: str) -> None:
    pcm = noise(src, 0.5)
    step = src // 50 * 2
    resampler = Resampler(src, dst)
    sent = received = 0
    for i in range(0, len(pcm), step):
        out = resampler.process(pcm[i : i + step])
        assert out, "every 20 ms chunk gives audio"
        sent += step // 2
        received += len(out) // 2
        held_ms = 1000 * (sent / src - received / dst)
        # the filter's half-length (2 ms at the lower rate), and a sample's rounding
        assert 0 <= held_ms <= 2.0 + 1000 / dst + 1000 / src
    assert received + len(resampler.flush()) // 2 == round(sent * dst / src)


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_streaming_matches_one_shot_soxr_in_the_telephone_band(src: int, dst: int) -> None:
    pcm = noise(src, 1.0)
    ours = samples(stream(Resampler(src, dst), pcm, list(range(0, len(pcm), src // 50 * 2))))
    one_shot = samples(resample(pcm, src, dst))
    vhq = soxr.resample(samples(pcm).astype(np.float64), src, dst, quality="VHQ")
    assert ours.size == one_shot.size == vhq.size == round(len(pcm) // 2 * dst / src)
    edge = dst // 20  # the first and last 50 ms, where the filters see different padding
    assert snr_db(vhq[edge:-edge], ours[edge:-edge]) >= 70.0  # documented: 75-83 dB
    assert snr_db(vhq[edge:-edge], one_shot[edge:-edge]) >= 80.0


@given(
    cuts=st.lists(st.integers(min_value=0, max_value=8000), max_size=12),
    pair=st.sampled_from(PAIRS),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None)
def test_streaming_output_does_not_depend_on_the_chunking(
    cuts: list[int], pair: tuple[int, int], seed: int
) -> None:
    src, dst = pair
    rng = np.random.default_rng(seed)
    pcm = rng.integers(-32768, 32768, src // 10).astype("<i2").tobytes()  # clips, too
    whole = samples(stream(Resampler(src, dst), pcm, []))
    chunked = samples(stream(Resampler(src, dst), pcm, cuts))
    assert chunked.size == whole.size == round(len(pcm) // 2 * dst / src)
    assert np.max(np.abs(chunked - whole), initial=0) <= 1  # float rounding: 1 in 32768


@given(
    runs=st.lists(st.tuples(st.sampled_from([1, 37, 160, 320, 441, 960]), st.integers(1, 12))),
    pair=st.sampled_from(PAIRS),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=30, deadline=None)
def test_runs_of_equal_chunks_match_the_whole_stream_with_and_without_audioop(
    runs: list[tuple[int, int]], pair: tuple[int, int], seed: int
) -> None:
    # Runs of equal chunks take the precomputed path; without audioop, the general rounding.
    sizes = [size for size, repeat in runs[:20] for _ in range(repeat)]
    rng = np.random.default_rng(seed)
    pcm = rng.integers(-32768, 32768, sum(sizes)).astype("<i2").tobytes()
    cuts = [2 * int(c) for c in np.cumsum(sizes)]
    whole = samples(stream(Resampler(*pair), pcm, []))
    chunked = samples(stream(Resampler(*pair), pcm, cuts))
    reference = codec._AUDIOOP
    try:
        codec._AUDIOOP = None  # type: ignore[misc]
        plain = samples(stream(Resampler(*pair), pcm, cuts))
    finally:
        codec._AUDIOOP = reference  # type: ignore[misc]
    assert chunked.size == whole.size == plain.size
    assert np.max(np.abs(chunked - whole), initial=0) <= 1
    assert np.max(np.abs(plain - whole), initial=0) <= 1


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_streaming_clips_overshoot_instead_of_wrapping(src: int, dst: int, path: str) -> None:
    period = src // 500
    square = np.where(np.arange(src // 5) % period < period // 2, 32767, -32768)
    out = samples(stream(Resampler(src, dst), square.astype("<i2").tobytes(), []))
    assert out.max() == 32767 and out.min() == -32768
    phase = (np.arange(out.size) * src / period / dst) % 1  # where in its period each output is
    high = (phase > 0.1) & (phase < 0.4)  # 0.2 ms or more from an edge
    low = (phase > 0.6) & (phase < 0.9)
    edge = dst // 100  # away from the silence before and after the stream
    assert np.all(out[edge:-edge][high[edge:-edge]] > 20000)  # clipped, never wrapped round
    assert np.all(out[edge:-edge][low[edge:-edge]] < -20000)


def test_resampler_reset_and_reuse_after_flush(path: str) -> None:
    pcm = noise(16000, 0.2)
    resampler = Resampler(16000, 8000)
    first = resampler.process(pcm) + resampler.flush()
    assert resampler.process(pcm) + resampler.flush() == first
    resampler.process(pcm[:1000])
    resampler.reset()
    assert resampler.process(pcm) + resampler.flush() == first
    assert len(first) == len(resample(pcm, 16000, 8000))


def test_same_rate_passes_through() -> None:
    pcm = b"\x01\x02\x03\x04"
    assert resample(pcm, 16000, 16000) == pcm
    resampler = Resampler(16000, 16000)
    assert resampler.process(pcm) == pcm and resampler.flush() == b""


# --- one-shot resampling --------------------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_one_shot_resampling_keeps_length_and_alignment(src: int, dst: int) -> None:
    t = np.arange(src // 2) / src
    tone = (np.sin(2 * np.pi * 440 * t) * 10000).astype("<i2").tobytes()
    out = samples(resample(tone, src, dst))
    assert out.size == round(src // 2 * dst / src)
    expected = np.sin(2 * np.pi * 440 * np.arange(out.size) / dst) * 10000
    edge = dst // 20
    assert np.max(np.abs(out[edge:-edge] - expected[edge:-edge])) < 20  # no delay, no drift


@pytest.mark.parametrize("rate", [0, -8000, 999, 400_000, 8000.0])
def test_unsupported_rates_are_errors(rate: int) -> None:
    with pytest.raises(CodecError, match="unsupported sample rate"):
        resample(b"\x00\x00", rate, 8000)
    with pytest.raises(CodecError, match="unsupported sample rate"):
        Resampler(8000, rate)


def test_odd_pcm_byte_count_is_an_error() -> None:
    for call in (
        lambda: ulaw_encode(b"\x00"),
        lambda: resample(b"\x00", 8000, 16000),
        lambda: Resampler(8000, 16000).process(b"\x00"),
        lambda: write_wav("unused.wav", b"\x00", 8000),
    ):
        with pytest.raises(CodecError, match="even number of bytes"):
            call()


def test_empty_input_gives_empty_output() -> None:
    assert ulaw_encode(b"") == ulaw_decode(b"") == resample(b"", 8000, 16000) == b""
    assert Resampler(8000, 16000).process(b"") == b""
    assert split_frames(b"") == ([], b"")
    assert ulaw_to_payload(b"") == "" and payload_to_ulaw("") == b""


# --- framing and base64 ---------------------------------------------------------------------


@given(st.lists(st.binary(max_size=500), max_size=20), st.integers(1, 400), st.booleans())
def test_framer_reassembles_any_chunking(chunks: list[bytes], size: int, pad: bool) -> None:
    framer = Framer(size)
    frames = [f for chunk in chunks for f in framer.push(chunk)]
    assert all(len(f) == size for f in frames) and framer.pending < size
    frames += framer.flush(pad=pad)
    data = b"".join(chunks)
    assert b"".join(frames)[: len(data)] == data
    assert b"".join(frames)[len(data) :] == (bytes([0xFF]) * (-len(data) % size) if pad else b"")
    full, rest = split_frames(data, size)
    assert full == frames[: len(full)] and b"".join(full) + rest == data


def test_bad_frame_sizes_are_errors() -> None:
    for size in (0, -160):
        with pytest.raises(CodecError, match="frame size"):
            Framer(size)
        with pytest.raises(CodecError, match="frame size"):
            split_frames(b"abc", size)


@given(st.binary(max_size=1000))
def test_base64_round_trip(data: bytes) -> None:
    assert payload_to_ulaw(ulaw_to_payload(data)) == data


@pytest.mark.parametrize("payload", ["A", "AAA", "AAAA=", "AA=A", "AAA===", "AB\nC", "Ä" * 4])
def test_payload_decoding_is_strict(payload: str) -> None:
    with pytest.raises(CodecError, match="not valid base64"):
        payload_to_ulaw(payload)


# --- WAV ------------------------------------------------------------------------------------


@given(pcm=pcm16, rate=st.integers(1, 384000), ulaw=st.booleans())
@settings(max_examples=50)
def test_wav_round_trip(
    tmp_path_factory: pytest.TempPathFactory, pcm: bytes, rate: int, ulaw: bool
) -> None:
    file = tmp_path_factory.mktemp("wav") / "a.wav"
    write_wav(file, pcm, rate, ulaw=ulaw)
    expected = ulaw_decode(ulaw_encode(pcm)) if ulaw else pcm
    assert read_wav(file) == Audio(pcm=expected, rate=rate)
    assert read_wav(file.read_bytes()) == Audio(pcm=expected, rate=rate)
    assert len(file.read_bytes()) % 2 == 0


def test_wav_mixes_channels_down_and_drops_a_partial_frame() -> None:
    data = np.array([100, 200, -100, -201, 32767, 32767, 3, 0, 5], dtype="<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 2, 16000, 64000, 4, 16)
    body = b"LIST" + struct.pack("<I", 3) + b"abc\x00"
    body += b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data))
    audio = read_wav(b"RIFF" + struct.pack("<I", 4 + len(body) + len(data)) + b"WAVE" + body + data)
    assert audio.rate == 16000
    assert samples(audio.pcm).tolist() == [150, -151, 32767, 1]  # the mean, rounded down


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a WAV file"),
        (b"RIFX\x00\x00\x00\x00WAVE", "not a WAV file"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no fmt chunk"),
    ],
)
def test_wav_errors(data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(CodecError, match=message):
        read_wav(data)
    with pytest.raises(CodecError, match="cannot read WAV file"):
        read_wav(tmp_path / "missing.wav")


# --- A-law ----------------------------------------------------------------------------------


def g711_linear2alaw(sample: int) -> int:
    """The reference ``linear2alaw`` (CCITT/Sun g711.c), one sample at a time, on PCM16 >> 3."""
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    seg = 0
    for end in (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF):
        if value <= end:
            break
        seg += 1
    if seg >= 8:
        return 0x7F ^ mask
    quant = (value >> 1) & 0x0F if seg < 2 else (value >> seg) & 0x0F
    return ((seg << 4) | quant) ^ mask


def g711_alaw2linear(code: int) -> int:
    """The reference ``alaw2linear`` (CCITT/Sun g711.c)."""
    code ^= 0x55
    t = (code & 0x0F) << 4
    seg = (code & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if code & 0x80 else -t


def test_alaw_encode_matches_audioop_on_every_pcm16_value(audioop: ModuleType) -> None:
    assert alaw_encode(ALL_PCM.tobytes()) == audioop.lin2alaw(ALL_PCM.tobytes(), 2)


def test_alaw_decode_matches_audioop_on_every_code(audioop: ModuleType, path: str) -> None:
    for codes in (
        b"",
        ALL_CODES[:1],
        ALL_CODES,
        ALL_CODES[::-1] + ALL_CODES[:1],
        ALL_CODES * 40,
        ALL_CODES * 40 + b"\x00",
        bytes(np.arange(65536, dtype="<u2").view(np.uint8)),  # every pair of codes
    ):
        assert alaw_decode(codes) == audioop.alaw2lin(codes, 2), (path, len(codes))


@given(st.binary(max_size=3000))
def test_alaw_decode_matches_audioop_on_any_codes(audioop: ModuleType, codes: bytes) -> None:
    assert alaw_decode(codes) == audioop.alaw2lin(codes, 2)


def test_alaw_follows_g711_without_audioop(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reference written out, sample by sample: the tables need no audioop to be right.
    monkeypatch.setattr(codec, "_AUDIOOP", None)
    encoded = [g711_linear2alaw(int(s)) for s in ALL_PCM]
    assert list(alaw_encode(ALL_PCM.tobytes())) == encoded
    decoded = [g711_alaw2linear(code) for code in range(256)]
    assert samples(alaw_decode(ALL_CODES)).tolist() == decoded
    assert samples(alaw_decode(ALL_CODES * 3)).tolist() == decoded * 3
    assert samples(alaw_decode(ALL_CODES * 3 + b"\x2a")).tolist() == [
        *decoded * 3,
        decoded[0x2A],
    ]


def test_every_alaw_code_reencodes_to_itself() -> None:
    assert alaw_encode(alaw_decode(ALL_CODES)) == ALL_CODES
    assert alaw_decode(bytes([codec.ALAW_SILENCE])) == struct.pack("<h", 8)


@given(pcm16)
def test_alaw_encoding_is_idempotent_and_its_error_bounded(pcm: bytes) -> None:
    once = alaw_decode(alaw_encode(pcm))
    assert alaw_decode(alaw_encode(once)) == once
    error = np.abs(samples(once) - samples(pcm))
    # Half a step of the segment: 8 in the first two, up to 512 in the last.
    assert np.all(error <= np.maximum(8, np.abs(samples(pcm)) // 32 + 8))


# --- L16 ------------------------------------------------------------------------------------


@given(pcm16)
def test_l16_round_trips_in_both_byte_orders(pcm: bytes) -> None:
    assert pcm_to_l16(pcm, "little") == pcm == l16_to_pcm(pcm, "little")
    big = pcm_to_l16(pcm, "big")
    assert big == np.frombuffer(pcm, "<i2").astype(">i2").tobytes()
    assert l16_to_pcm(big, "big") == pcm


def test_l16_errors() -> None:
    assert l16_to_pcm(b"\x01\x02", "big") == b"\x02\x01"
    for call in (l16_to_pcm, pcm_to_l16):
        with pytest.raises(CodecError, match="even number of bytes"):
            call(b"\x00\x00\x00", "little")
        with pytest.raises(CodecError, match="byte order"):
            call(b"", "network")  # type: ignore[arg-type]


# --- wire formats ---------------------------------------------------------------------------

ENCODINGS = ("mulaw", "alaw", "l16le", "l16be")
WIRE_RATES = (8000, 16000, 24000, 48000)


@pytest.mark.parametrize(
    ("name", "byte_order", "encoding"),
    [
        ("mulaw", None, "mulaw"),
        ("audio/x-mulaw", None, "mulaw"),
        ("PCMU", None, "mulaw"),
        (" ulaw ", None, "mulaw"),
        ("alaw", None, "alaw"),
        ("audio/x-alaw", None, "alaw"),
        ("PCMA", None, "alaw"),
        ("l16le", None, "l16le"),
        ("L16BE", "little", "l16be"),  # the name's own byte order wins
        ("audio/l16", "big", "l16be"),
        ("audio/L16", "little", "l16le"),
        ("linear16", "little", "l16le"),
    ],
)
def test_wire_format_names(
    name: str, byte_order: Literal["little", "big"] | None, encoding: str
) -> None:
    fmt = WireFormat.named(name, 16000, byte_order=byte_order)
    assert fmt == WireFormat(encoding, 16000)  # type: ignore[arg-type]


def test_wire_format_errors() -> None:
    with pytest.raises(CodecError, match=r"accepted: .*audio/x-mulaw.*pcma.*audio/l16"):
        WireFormat.named("opus", 48000)
    with pytest.raises(CodecError, match="needs a byte order"):
        WireFormat.named("audio/l16", 8000)
    with pytest.raises(CodecError, match="unknown wire encoding"):
        WireFormat("pcmu", 8000)  # type: ignore[arg-type]
    with pytest.raises(CodecError, match="unsupported sample rate"):
        WireFormat("mulaw", 7)
    with pytest.raises(CodecError, match="mono"):
        WireFormat("mulaw", 8000, channels=2)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_wire_format_sizes_silence_and_codec(encoding: str) -> None:
    fmt = WireFormat(encoding, 16000)  # type: ignore[arg-type]
    width = 1 if encoding in ("mulaw", "alaw") else 2
    assert fmt.bytes_per_sample == width
    assert fmt.bytes_per_second == 16000 * width
    assert fmt.samples(640) == 640 // width
    assert fmt.ms(640) == 40 / width
    assert len(fmt.silence) == width
    assert fmt.decode(fmt.silence * 3) in (b"\x00" * 6, struct.pack("<3h", 8, 8, 8))
    assert fmt.encode(b"\x00\x00" * 3) == fmt.silence * 3
    pcm = noise(16000, 0.1)
    assert fmt.decode(fmt.encode(pcm)) == {
        "mulaw": ulaw_decode(ulaw_encode(pcm)),
        "alaw": alaw_decode(alaw_encode(pcm)),
    }.get(encoding, pcm)
    assert {"mulaw": b"\xff", "alaw": b"\xd5"}.get(encoding, b"\x00\x00") == fmt.silence


# --- streaming conversions ------------------------------------------------------------------


def speech_like(rate: int, seconds: float, seed: int = 7) -> bytes:
    """Voiced-speech stand-in at about -20 dBFS: gliding harmonics under 3.4 kHz, syllables."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * rate)) / rate
    f0 = 125 + 35 * np.sin(2 * np.pi * 0.37 * t) + 10 * np.sin(2 * np.pi * 2.1 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(
        (0.2 + np.exp(-(((k * 130 - 700) / 500) ** 2))) / k * np.sin(k * phase + rng.uniform(0, 6))
        for k in range(1, 20)
    )
    envelope = 0.2 + np.clip(np.sin(2 * np.pi * 3.7 * t), 0, None) ** 1.5
    signal = voice * envelope
    signal *= 3277 / np.sqrt(np.mean(signal**2))
    pcm: bytes = np.round(signal).astype("<i2").tobytes()
    return pcm


def run(codec_: Decoder | Encoder, data: bytes, cuts: list[int]) -> bytes:
    """The output of ``data`` cut at the byte offsets ``cuts``, then of ``flush``."""
    bounds = sorted({0, len(data), *(min(c, len(data)) for c in cuts)})
    return b"".join(codec_.process(data[a:b]) for a, b in pairwise(bounds)) + codec_.flush()


@given(
    cuts=st.lists(st.integers(min_value=0, max_value=4800), max_size=10),
    encoding=st.sampled_from(ENCODINGS),
    wire=st.sampled_from(WIRE_RATES),
    rate=st.sampled_from(WIRE_RATES),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_decoder_output_does_not_depend_on_the_chunking(
    cuts: list[int], encoding: str, wire: int, rate: int, seed: int
) -> None:
    fmt = WireFormat(encoding, wire)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, fmt.bytes_per_sample * wire // 10, dtype=np.uint8).tobytes()
    whole = samples(run(Decoder(fmt, rate), data, []))
    chunked = samples(run(Decoder(fmt, rate), data, cuts))  # L16 cut inside samples too
    assert whole.size == chunked.size == round(fmt.samples(len(data)) * rate / wire)
    assert np.max(np.abs(chunked - whole), initial=0) <= 1
    if rate == wire:
        assert run(Decoder(fmt, rate), data, cuts) == fmt.decode(data)


@given(
    cuts=st.lists(st.integers(min_value=0, max_value=9600), max_size=10),
    encoding=st.sampled_from(ENCODINGS),
    wire=st.sampled_from(WIRE_RATES),
    rate=st.sampled_from(WIRE_RATES),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_encoder_output_does_not_depend_on_the_chunking(
    cuts: list[int], encoding: str, wire: int, rate: int, seed: int
) -> None:
    fmt = WireFormat(encoding, wire)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    pcm = rng.integers(-32768, 32768, rate // 10).astype("<i2").tobytes()  # clips, too
    whole = run(Encoder(fmt, rate), pcm, [])
    chunked = run(Encoder(fmt, rate), pcm, [c // 2 * 2 for c in cuts])
    assert len(whole) == len(chunked) == fmt.bytes_per_sample * round(len(pcm) // 2 * wire / rate)
    # A rounding difference of 1 in PCM16 moves a G.711 code by one step at most.
    a, b = samples(fmt.decode(whole)), samples(fmt.decode(chunked))
    assert np.all(np.abs(a - b) <= np.maximum(1, np.abs(a) // 16 + 16))
    if rate == wire:
        assert whole == chunked == fmt.encode(pcm)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("wire", WIRE_RATES)
@pytest.mark.parametrize("rate", WIRE_RATES)
def test_round_trip_keeps_speech(encoding: str, wire: int, rate: int, path: str) -> None:
    # PCM at ``rate`` -> wire -> PCM at ``rate``, in 20 ms chunks, aligned and the same length.
    fmt = WireFormat(encoding, wire)  # type: ignore[arg-type]
    pcm = speech_like(rate, 0.5)
    step = rate // 50 * 2
    wire_bytes = run(Encoder(fmt, rate), pcm, list(range(0, len(pcm), step)))
    back = run(Decoder(fmt, rate), wire_bytes, list(range(0, len(wire_bytes), wire // 50)))
    assert len(back) == len(pcm)
    if fmt.bytes_per_sample == 2 and rate == wire:
        assert back == pcm
        return
    # G.711 keeps about 38 dB on speech at -20 dBFS; resampling through a lower rate loses
    # nothing of this signal (under 3.4 kHz) but its first and last 2 ms (edges of the filter).
    edge = rate // 250
    reference = samples(pcm)[edge:-edge].astype(np.float64)
    got = samples(back)[edge:-edge]
    bound = 50.0 if fmt.bytes_per_sample == 2 else 33.0
    assert snr_db(reference, got) > bound


def test_encoder_clear_drops_what_the_resampler_holds() -> None:
    for encoding in ENCODINGS:
        encoder = Encoder(WireFormat(encoding, 8000), 16000)  # type: ignore[arg-type]
        assert encoder.process(speech_like(16000, 0.02))
        encoder.clear()
        assert encoder.flush() == b""
        decoder = Decoder(WireFormat(encoding, 8000), 16000)  # type: ignore[arg-type]
        decoder.process(b"\x01" * 161)
        decoder.reset()
        assert decoder.flush() == b""


def test_mulaw_encoder_matches_outbound_rounding() -> None:
    # The fused path (round, clip and encode in one lookup) gives what encoding the rounded
    # PCM16 gives, but at exact halves, which the noise here never hits.
    pcm = noise(16000, 0.5)
    fused = run(Encoder(WireFormat("mulaw", 8000), 16000), pcm, [640, 1280])
    resampler = Resampler(16000, 8000)
    plain = ulaw_encode(resampler.process(pcm[:640]) + resampler.process(pcm[640:1280]))
    plain += ulaw_encode(resampler.process(pcm[1280:]) + resampler.flush())
    assert fused == plain


# --- framing rules --------------------------------------------------------------------------

chunk_lists = st.lists(st.binary(min_size=0, max_size=700), max_size=20)


@given(
    chunks=chunk_lists, size=st.integers(1, 400), pad=st.sampled_from([b"", b"\xff", b"\x00\x00"])
)
def test_chunker_exact_frames(chunks: list[bytes], size: int, pad: bytes) -> None:
    if pad and size % len(pad):
        size *= len(pad)
    chunker = Chunker(size, pad=pad)
    frames = [f for c in chunks for f in chunker.push(c)]
    assert all(len(f) == size for f in frames)
    data = b"".join(chunks)
    assert chunker.pending == len(data) % size
    last = chunker.flush()
    assert chunker.pending == 0 and chunker.flush() == []
    out = b"".join(frames + last)
    assert out[: len(data)] == data
    if last and pad:
        assert len(last[0]) == size
        assert out[len(data) :] == (pad * size)[: len(out) - len(data)]
    else:
        assert out == data


@given(
    chunks=chunk_lists,
    multiple_of=st.sampled_from([1, 2, 32, 320]),
    min_count=st.integers(1, 10),
    max_count=st.one_of(st.none(), st.integers(0, 10)),
    pad=st.sampled_from([b"", b"\xd5", b"\x00\x00"]),
)
def test_chunker_sizes_by_rule(
    chunks: list[bytes], multiple_of: int, min_count: int, max_count: int | None, pad: bytes
) -> None:
    min_bytes = min_count * multiple_of - multiple_of // 2  # not always a multiple
    smallest = min_count * multiple_of  # the smallest frame the rules allow
    max_bytes = None if max_count is None else smallest + max_count * multiple_of
    chunker = Chunker(None, multiple_of, min_bytes, max_bytes, pad)
    frames = []
    for chunk in chunks:
        frames += chunker.push(chunk)
        assert chunker.pending < smallest  # nothing waits that could go

    def obeys(frame: bytes) -> bool:
        n = len(frame)
        return n % multiple_of == 0 and n >= min_bytes and (max_bytes is None or n <= max_bytes)

    assert all(obeys(f) for f in frames)
    last = chunker.flush()
    data = b"".join(chunks)
    out = b"".join(frames + last)
    assert out[: len(data)] == data
    if last and pad:
        assert obeys(last[0])
        assert out[len(data) :] == (pad * len(out))[: len(out) - len(data)]
    else:
        assert out == data


def test_chunker_without_rules_sends_every_chunk_at_once() -> None:
    chunker = Chunker(None)
    assert chunker.push(b"abc") == [b"abc"]
    assert chunker.push(b"") == []
    assert chunker.flush() == []
    exotel = Chunker(None, 320, 3200, 100_000, b"\x00")
    assert exotel.push(b"\x01" * 3000) == []
    assert [len(f) for f in exotel.push(b"\x01" * 250_000)] == [99_840, 99_840, 53_120]
    assert exotel.pending == 200
    exotel.clear()
    assert exotel.flush() == []


def test_chunker_errors() -> None:
    for args in [(0,), (None, 0), (None, 1, 0), (None, 320, 3200, 300), (160, 320), (100, 1, 200)]:
        with pytest.raises(CodecError):
            Chunker(*args)  # type: ignore[arg-type]
