"""G.711 mu-law and A-law, L16, resampling (one-shot and streaming), wire formats and streaming
conversions to and from them, framing, base64 payloads and WAV files.

The static part of every generated package's ``codec`` module: ``package/codec.py.jinja``
renders the module's docstring, imports, the constants its document decides (``WIRE_RATE``,
``FRAME_BYTES``, ``COMMON_RATES``) and the bindings to its frame classes (``media_to_pcm``,
``pcm_to_media``, ``InboundAudio``, ``OutboundAudio``), and includes the code below the marker:
``{{ runtime("codec") }}`` up to the ``wav`` section, ``{{ runtime("codec", "wav") }}`` for it.
"""

from __future__ import annotations

import binascii
import functools
import importlib
import math
import os
import struct
import sys
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import soxr  # type: ignore[import-untyped]
from numpy.lib.stride_tricks import as_strided

# Stand-ins for what the template renders above the included code (here for 8 kHz mu-law).
FRAME_BYTES: Final = 160
ULAW_SILENCE: Final = 0xFF

# msgen: included below this line
MIN_RATE: Final = 1000
MAX_RATE: Final = 384000

# soxr "HQ": 20-bit precision, passband flat to about 3.6 kHz at 8 kHz and images/aliases below
# -100 dB, which is already past what 16-bit output can represent. "VHQ" (28-bit, double
# precision) costs more CPU per frame and its extra precision is rounded away when the result
# is stored as PCM16; the faster presets ("QQ", "LQ", "MQ") either alias audibly (QQ does no
# anti-alias filtering at all) or trade passband width. Processing is float32 so that the
# result is deterministic: soxr's int16 output adds random TPDF dither, which would make
# streamed and one-shot output differ.
_QUALITY: Final = "HQ"

_PCM16: Final = np.dtype("<i2")
_U16: Final = np.dtype("<u2")
_U32: Final = np.dtype("<u4")
_EMPTY_F32: Final = np.zeros(0, dtype=np.float32)

F32Array = npt.NDArray[np.float32]


class CodecError(ValueError):
    """Audio input the codec cannot interpret: odd PCM length, bad base64, bad WAV, bad rate."""


# --- G.711 mu-law --------------------------------------------------------------------------


def _build_encode_table() -> npt.NDArray[np.uint8]:
    """Code for every PCM16 value, indexed by the sample's bits read as uint16.

    Follows the G.711 reference (CCITT/Sun ``linear2ulaw``) on the sample shifted right by two
    bits (an arithmetic, flooring shift), exactly as ``audioop.lin2ulaw`` does.
    """
    pcm = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.int16).astype(np.int32)
    v14 = pcm >> 2
    mask = np.where(v14 < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(v14), 8159) + 33  # clip the magnitude, add the bias
    seg_ends = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
    seg = np.searchsorted(seg_ends, mag, side="left")
    uval = (np.minimum(seg, 7) << 4) | ((mag >> (seg + 1)) & 0xF)
    uval = np.where(seg >= 8, 0x7F, uval)  # out of range: the largest code
    return (uval ^ mask).astype(np.uint8)


def _build_decode_table() -> npt.NDArray[np.int16]:
    """PCM16 value of every mu-law code (G.711 reference ``ulaw2linear``)."""
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84).astype(_PCM16)


_ENCODE: Final[npt.NDArray[np.uint8]] = _build_encode_table()
_DECODE: Final[npt.NDArray[np.int16]] = _build_decode_table()
_DECODE_F32: Final[F32Array] = _DECODE.astype(np.float32)
# Two codes at a time: index = the pair of codes read as a little-endian uint16, value = the
# two samples as one little-endian uint32. Halves the lookups of bulk decoding.
_PAIRS: Final = np.arange(65536, dtype=np.uint32)
_DECODE_PAIRS: Final[npt.NDArray[np.uint32]] = (
    _DECODE.view(_U16)[_PAIRS & 0xFF].astype(np.uint32)
    | (_DECODE.view(_U16)[_PAIRS >> 8].astype(np.uint32) << 16)
).astype(_U32)


def _reference_codec() -> ModuleType | None:
    """CPython's audioop (or its audioop-lts backport), quietly: 3.12 warns on import. None on a
    big-endian machine, where its samples would not be little-endian, or when it is missing."""
    if sys.byteorder != "little":
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return importlib.import_module("audioop")
        except ImportError:
            return None


_AUDIOOP: Final = _reference_codec()
#: Up to this many codes (a frame or two), ``ulaw_decode`` calls audioop: numpy's per-call cost
#: would be more than the whole decoding. Longer inputs take the table, as fast per code.
_SMALL_DECODE: Final = 480


def _pcm_array(pcm: bytes) -> npt.NDArray[np.int16]:
    """View PCM16 bytes as samples; an odd byte count cannot be 16-bit audio."""
    if len(pcm) % 2:
        raise CodecError(f"PCM16 audio must have an even number of bytes, got {len(pcm)}")
    return np.frombuffer(pcm, _PCM16)  # positional: the keyword costs ~0.1 us a call


def ulaw_decode(data: bytes) -> bytes:
    """mu-law codes to PCM16 little-endian, two bytes per code."""
    if len(data) <= _SMALL_DECODE and _AUDIOOP is not None:
        decoded: bytes = _AUDIOOP.ulaw2lin(data, 2)
        return decoded
    # Every index is in its table: "wrap" never wraps, and skips the bound checks (a sixth of
    # the time on a minute of audio).
    pairs = len(data) // 2
    codes = np.frombuffer(data, dtype=_U16, count=pairs)
    out_pairs = _DECODE_PAIRS.take(codes, mode="wrap").tobytes()
    if len(data) % 2:
        last = np.frombuffer(data, dtype=np.uint8, offset=2 * pairs)
        out_pairs += _DECODE.take(last, mode="wrap").tobytes()
    return out_pairs


def ulaw_encode(pcm: bytes) -> bytes:
    """PCM16 little-endian to mu-law, one byte per sample (odd byte count: ``CodecError``)."""
    return _encode_samples(_pcm_array(pcm))


def _encode_samples(samples: npt.NDArray[np.int16]) -> bytes:
    return _ENCODE.take(samples.view(_U16)).tobytes()


# --- resampling ----------------------------------------------------------------------------


def _check_rate(rate: int) -> None:
    if type(rate) is not int or not MIN_RATE <= rate <= MAX_RATE:
        raise CodecError(
            f"unsupported sample rate {rate!r} Hz; supported: whole rates from {MIN_RATE} to "
            f"{MAX_RATE} Hz"
        )


_SATURATION_RANGE: Final = 1 << 17
"""Outputs the rounding table clips correctly: up to four times full scale either way. The
streaming filter's gain stays below 2.5 (its longest, for 384 to 1 kHz, rings the most)."""


def _build_saturated_ulaw() -> npt.NDArray[np.uint8]:
    """The mu-law code of ``y`` for every ``m = trunc(2 * y)`` with ``y`` in
    +-``_SATURATION_RANGE``, laid out for ``take(mode="wrap")``: entry ``m`` is ``m``'s, a
    negative ``m`` counting from the end.

    ``m`` alone fixes ``y`` rounded half away from zero: ``(m + 1) // 2`` from 0 up (``y`` is
    in ``[m / 2, (m + 1) / 2)``), ``m // 2`` below. So the table rounds as well as clipping and
    encoding.
    """
    span = np.arange(-2 * _SATURATION_RANGE, 2 * _SATURATION_RANGE)
    rounded = np.where(span >= 0, (span + 1) // 2, span // 2)
    saturated = np.clip(rounded, -32768, 32767).astype(_PCM16)
    return _ENCODE.take(np.roll(saturated, -2 * _SATURATION_RANGE).view(_U16))


_SATURATED_ULAW: Final[npt.NDArray[np.uint8]] = _build_saturated_ulaw()
_PCM16_MAX: Final = np.array(32767, dtype=np.float32)
_PCM16_MIN: Final = np.array(-32768, dtype=np.float32)


def _to_pcm16(samples: F32Array) -> npt.NDArray[np.int16]:
    """Round float samples (in place) to the nearest PCM16 value, clipping filter overshoot.

    Measured per 20 ms frame, two ufuncs that clip and a cast beat a lookup in a saturating
    table as ``_to_ulaw`` does (its index array is four times the size of the result), and
    ``np.clip``, whose per-call cost is several times theirs.
    """
    np.minimum(samples, _PCM16_MAX, out=samples)
    np.maximum(samples, _PCM16_MIN, out=samples)
    np.rint(samples, out=samples)
    return samples.astype(_PCM16)


def _to_ulaw(doubled: F32Array) -> bytes:
    """mu-law for filter outputs given at twice their value (see ``Resampler._double``),
    rounded and clipped: a cast, which truncates, and one lookup in ``_SATURATED_ULAW``.

    Measured per 20 ms frame, this beats rounding first, and beats clipping, casting and
    encoding one after the other.
    """
    return _SATURATED_ULAW.take(doubled.astype(np.intp), mode="wrap").tobytes()


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole PCM16 mono buffer (for files or complete utterances).

    The output has ``round(n * to_rate / from_rate)`` samples, aligned with the input (the
    filter delay is compensated). soxr does the work: its filter is longer and steeper than the
    streaming one, flat to 91% of the lower rate's band, and on a whole buffer it is faster.
    For audio that arrives in pieces use ``Resampler``: resampling pieces one by one would put
    discontinuities at every edge.
    """
    samples = _pcm_array(pcm)
    _check_rate(from_rate)
    _check_rate(to_rate)
    if from_rate == to_rate or not samples.size:
        return bytes(pcm)
    out: F32Array = soxr.resample(samples.astype(np.float32), from_rate, to_rate, quality=_QUALITY)
    return _to_pcm16(out).tobytes()


# --- streaming resampling ------------------------------------------------------------------

_HALF_WIDTH: Final = 16
"""Half the streaming filter's length, in samples at the lower rate: the audio ``Resampler``
holds back (2 ms at 8 kHz)."""

_KAISER_BETA: Final = 8.0
"""Shape of the filter's Kaiser window: at this length, about 80 dB of stopband attenuation."""

_ROW_OUTPUTS: Final = 16
"""Outputs computed per row of the block product (rounded to whole periods of the ratio)."""

_MAX_TABLE: Final = 1 << 20
"""Most coefficients kept for one pair of rates. Beyond it (rates whose ratio reduces to large
numbers, such as 44101 and 8000) the filter is evaluated for each output instead: slower, same
result."""

_BUFFER: Final = 8192
"""Initial input buffer of a streaming resampler, in samples; it grows for larger chunks."""

_CYCLES: Final = 8
"""Most chunk layouts a streaming resampler precomputes (see ``_Cycle``); past them, it takes
the general path."""

_LAP: Final = 16
"""Chunks in a lap of a ``_Cycle``, at most (whole periods of its layout). Each lap ends with
one copy of the samples still needed; longer laps would save little of it, and cost memory
and time to work out: from 8 to 16 kHz, a lap of 50 chunks would hold 25 KB of views and take
50 us, one of 16 holds 9 KB and takes 24 us."""


def _weights(
    offsets: npt.NDArray[np.float64], cutoff: float, half: float
) -> npt.NDArray[np.float64]:
    """Filter weights at ``offsets`` (output position minus input index, in input samples),
    one output per row; each row is scaled to a DC gain of exactly 1."""
    u = np.clip(offsets / half, -1.0, 1.0)
    window = np.i0(_KAISER_BETA * np.sqrt(1.0 - u * u)) / np.i0(_KAISER_BETA)
    taps = 2 * cutoff * np.sinc(2 * cutoff * offsets) * window
    weights = np.where(np.abs(offsets) < half, taps, 0.0)
    normalised: npt.NDArray[np.float64] = weights / weights.sum(axis=-1, keepdims=True)
    return normalised


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to resample between two rates: output ``j`` sits at input position ``j * down / up``
    and weighs the inputs ``floor(position) - left`` to ``floor(position) + right``."""

    up: int
    down: int
    left: int
    right: int
    cutoff: float
    half: float
    #: Block layout: rows of ``outputs`` outputs, ``step`` inputs apart and ``width`` inputs
    #: wide, weighted by ``table`` (``width`` x ``outputs``); ``None`` when it would be too big.
    outputs: int
    step: int
    width: int
    table: F32Array | None
    #: The loudest input (absolute PCM16 value) no output can take past full scale: 32767 over
    #: the filter's gain, the most any output weighs its inputs (0 without a table).
    quiet: int

    def direct(self, inputs: F32Array, first: int, count: int) -> F32Array:
        """Outputs ``first`` to ``first + count - 1`` evaluated one by one, without a table;
        ``inputs`` starts at input ``floor(position of first) - left``."""
        position = first * self.down % self.up + np.arange(count, dtype=np.int64) * self.down
        taps = np.arange(-self.left, self.right + 1)
        weights = _weights((position % self.up / self.up)[:, None] - taps, self.cutoff, self.half)
        index = (position // self.up)[:, None] + (taps + self.left)
        out: F32Array = np.einsum("ij,ij->i", inputs.take(index), weights).astype(np.float32)
        return out


@dataclass(frozen=True, slots=True)
class _Cycle:
    """A stream of ``count``-sample chunks, worked out once for one resampler: chunk ``k`` of
    a lap goes to ``inputs[k]``, and its outputs are ``outputs[k]``, a view of the block
    product of ``rows[k]`` and ``table`` written into ``products[k]``. After the last chunk of
    a lap, the samples still needed (``back``) move to the ``front`` of the buffer, where the
    lap started.

    Per 20 ms chunk this leaves numpy's own calls and next to no arithmetic, which matters at
    160 samples: the general path's bookkeeping costs about half as much as its block product.
    ``ends[k]`` and ``offsets[k]`` are the buffer's state before chunk ``k``, to go back to the
    general path at any chunk.
    """

    count: int
    produced: int
    table: F32Array
    inputs: tuple[F32Array, ...]
    rows: tuple[F32Array, ...]
    products: tuple[F32Array, ...]
    outputs: tuple[F32Array, ...]
    ends: tuple[int, ...]
    offsets: tuple[int, ...]
    front: F32Array
    back: F32Array


#: No cycle: the resampler takes the general path.
_IDLE: Final = _Cycle(-1, 0, _EMPTY_F32, (), (), (), (), (0,), (0,), _EMPTY_F32, _EMPTY_F32)


@functools.lru_cache(maxsize=32)
def _doubled(from_rate: int, to_rate: int) -> F32Array | None:
    """The filter's table at twice its gain (see ``Resampler._double``)."""
    table = _plan(from_rate, to_rate).table
    return None if table is None else table * np.float32(2)


@functools.lru_cache(maxsize=32)
def _plan(from_rate: int, to_rate: int) -> _Plan:
    """The filter for a pair of rates, shared by every resampler between them."""
    common = math.gcd(from_rate, to_rate)
    up, down = to_rate // common, from_rate // common
    lower = min(from_rate, to_rate)
    half = _HALF_WIDTH * from_rate / lower
    right = math.ceil(half)
    left = right - 1
    cutoff = 0.5 * lower / from_rate
    group = max(1, round(_ROW_OUTPUTS / up))
    outputs, step = group * up, group * down
    width = step + left + right
    table = None
    if width * outputs <= _MAX_TABLE:
        position = np.arange(outputs, dtype=np.int64) * down
        taps = np.arange(-left, right + 1)
        weights = _weights((position % up / up)[:, None] - taps, cutoff, half)
        dense = np.zeros((width, outputs))
        dense[(position // up)[:, None] + (taps + left), np.arange(outputs)[:, None]] = weights
        table = dense.astype(np.float32)
    quiet = 0
    if table is not None:
        gain = float(np.abs(table.astype(np.float64)).sum(axis=0).max())
        quiet = int(32767 / (gain * (1 + 1e-4)))  # the margin covers float32 rounding
    return _Plan(up, down, left, right, cutoff, half, outputs, step, width, table, quiet)


class Resampler:
    """Streaming PCM16 mono resampler for live audio: every chunk in gives its audio out.

    ``process`` each chunk as it arrives, ``flush`` at the end of the stream for the last
    samples, ``reset`` to drop the stream on a barge-in. Output ``j`` is the input at time
    ``j / to_rate`` filtered by a linear-phase Kaiser-windowed sinc, cut off at half the lower
    rate and flat to 85% of it (3.4 kHz at 8 kHz, the telephone band): the output stays aligned
    with the input, and each chunk returns everything but the last 2 ms at the lower rate,
    which wait for the samples after them. How a stream is cut into chunks does not change the
    output (up to float rounding: 1 in 32768 at most).

    The trade-off, measured on 20 ms chunks between 8 kHz and 16, 24, 44.1 and 48 kHz:

    ==========================================  ==============  ===========================
    design                                      held back       SNR against soxr VHQ (*)
    ==========================================  ==============  ===========================
    this filter, 16 samples each side at 8 kHz  2.0 ms          75-83 dB
    12 samples each side                        1.5 ms          58-61 dB
    24 samples each side                        3.0 ms          79-95 dB
    the same filter made minimum-phase          0.2-0.4 ms      8 dB: its phase differs
    soxr HQ, streaming                          73-175 ms       (reference quality)
    ==========================================  ==============  ===========================

    (*) on noise band-limited to 3.4 kHz at -20 dBFS. Images and aliases beyond 4.6 kHz (at
    8 kHz) are attenuated by more than 75 dB; a 6 kHz tone at 24 to 8 kHz leaves nothing.
    ``resample`` keeps soxr for whole buffers, where latency does not matter.

    Per chunk the work is one block product (a matrix product over overlapping rows of the
    input). From the second of a run of equal chunks, as a call's 20 ms frames are, where each
    chunk goes and which rows and outputs it has are precomputed (see ``_Cycle``): at 160
    samples numpy's per-call costs are most of the work, and working these out each time would
    add half as much again.
    """

    __slots__ = (
        "_buffer",
        "_cycle",
        "_cycles",
        "_end",
        "_gain",
        "_k",
        "_last",
        "_next",
        "_offset",
        "_peak",
        "_plan",
        "_received",
        "_rows",
        "_table",
        "from_rate",
        "to_rate",
    )

    def __init__(self, from_rate: int, to_rate: int) -> None:
        _check_rate(from_rate)
        _check_rate(to_rate)
        self.from_rate: Final = from_rate
        self.to_rate: Final = to_rate
        self._plan = _plan(from_rate, to_rate) if from_rate != to_rate else None
        self._table = None if self._plan is None else self._plan.table
        self._gain = 1  # of the outputs: 2 after ``_double``
        self._buffer = self._rows = _EMPTY_F32
        self._cycles: dict[tuple[int, int, int, int], _Cycle | None] = {}
        self._cycle = _IDLE  # with ``_k``, the next chunk of a stream of equal chunks
        self._k = 0
        self._peak = 0  # the loudest input the next chunk's outputs may weigh (see ``_pcm16``)
        if self._plan is not None:
            self._allocate(max(_BUFFER, 4 * (self._plan.width + self._plan.step)))
        self.reset()

    def _allocate(self, size: int) -> None:
        """A new input buffer, seen also as overlapping rows of the block product."""
        plan = self._plan
        assert plan is not None
        self._buffer = np.zeros(size, dtype=np.float32)
        self._cycles.clear()  # their views see the old buffer
        if plan.table is not None:
            rows = (size - plan.width) // plan.step + 1
            self._rows = as_strided(
                self._buffer, (rows, plan.width), (4 * plan.step, 4), writeable=False
            )

    def process(self, chunk: bytes) -> bytes:
        """Resample one chunk (odd byte count: ``CodecError``)."""
        samples = _pcm_array(chunk)
        if self._plan is None:
            return bytes(chunk)
        if _AUDIOOP is not None:
            return self._pcm16(chunk)
        out = self._step(samples)
        return b"" if out is None else _to_pcm16(out).tobytes()

    def _step(self, samples: npt.NDArray[np.int16]) -> F32Array | None:
        """``_tail``, then ``_pull``: the outputs that ``samples`` make ready. Per 20 ms chunk
        every call counts, so on the precomputed path this does their work itself."""
        cycle = self._cycle
        if samples.size == cycle.count:
            k = self._k
            np.copyto(cycle.inputs[k], samples)
            np.dot(cycle.rows[k], cycle.table, out=cycle.products[k])
            self._k = k + 1 if k + 1 < len(cycle.inputs) else self._lap_done()
            return cycle.outputs[k]
        np.copyto(self._tail(samples.size), samples)
        return self._pull()

    def _pcm16(self, pcm: bytes) -> bytes:
        """``process`` for whole PCM16 samples, with ``audioop`` (whose ``max`` costs next to
        nothing).

        The outputs of a chunk weigh its inputs and the ``left + right`` before them. When
        none of these is louder than ``plan.quiet``, no output can leave PCM16's range, and the
        clipping (a third of the rounding's cost) is skipped: most of a call is that quiet.
        """
        plan = self._plan
        assert plan is not None and _AUDIOOP is not None
        samples = np.frombuffer(pcm, _PCM16)
        out = self._step(samples)
        peak = _AUDIOOP.max(pcm, 2)
        window = peak if peak > self._peak else self._peak
        self._peak = peak if samples.size >= plan.left + plan.right else window
        if out is None:
            return b""
        if window > plan.quiet:
            return _to_pcm16(out).tobytes()
        np.rint(out, out=out)
        return out.astype(_PCM16).tobytes()

    def flush(self) -> bytes:
        """Return the audio held back, as if silence followed, and start afresh for a new stream."""
        out = self._drain()
        return b"" if out is None else _to_pcm16(out).tobytes()

    def _drain(self) -> F32Array | None:
        """The outputs held back, as if silence followed; then start afresh."""
        plan = self._plan
        if plan is None:
            return None
        self._leave()
        self._buffer[self._end : self._end + plan.width] = 0
        out = self._pull(last=True)
        self.reset()
        return out

    def _double(self) -> None:
        """Give every output at twice its value from now on, for ``_to_ulaw``: exact, as the
        scale is a power of two, and free, as it is in the filter's table."""
        assert self._plan is not None
        self._table = _doubled(self.from_rate, self.to_rate)
        self._gain = 2
        self._cycles.clear()
        self.reset()

    def reset(self) -> None:
        """Drop the stream so far without returning it (on ``clear`` or barge-in)."""
        plan = self._plan
        if plan is None:
            return
        self._received = self._next = self._offset = self._last = self._peak = 0
        self._cycle = _IDLE
        self._end = plan.left  # zeros: the silence before the stream
        self._buffer[: plan.left] = 0

    def _tail(self, count: int) -> F32Array:
        """Room for ``count`` new input samples at the end of the stream; the caller fills it,
        then calls ``_pull``."""
        cycle = self._cycle
        if count == cycle.count:
            return cycle.inputs[self._k]
        if cycle is not _IDLE:
            self._leave()
        elif count == self._last and self._enter(count):
            return self._cycle.inputs[0]
        self._last = count
        plan = self._plan
        assert plan is not None
        end = self._end
        if end + count + plan.width + plan.step > self._buffer.size:
            self._compact(count)
            end = self._end
        self._end = end + count
        self._received += count
        return self._buffer[end : end + count]

    def _enter(self, count: int) -> bool:
        """Take the precomputed path for a stream of ``count``-sample chunks, if it has one."""
        plan = self._plan
        assert plan is not None
        if self._table is None or count * plan.up % plan.down or self._received < plan.right:
            return False  # per chunk, a varying number of outputs, or none yet
        kept = self._end - self._offset
        key = (
            count,
            kept,
            self._next % plan.outputs,
            self._received * plan.up - self._next * plan.down,
        )
        if key in self._cycles:
            cycle = self._cycles[key]
        elif len(self._cycles) < _CYCLES:
            cycle = self._cycles[key] = self._lap(count, kept)
        else:
            cycle = None
        if cycle is None:
            return False
        self._buffer[:kept] = self._buffer[self._offset : self._end]
        self._cycle, self._k = cycle, 0
        return True

    def _lap(self, count: int, kept: int) -> _Cycle | None:
        """Work out, as ``_tail`` and ``_pull`` would, a lap of chunks from the front of the
        buffer: whole periods of its layout, up to ``_LAP`` chunks and as many as fit, which
        bring the stream back to where it started."""
        plan, table = self._plan, self._table
        assert plan is not None and table is not None
        produced = count * plan.up // plan.down
        period = plan.outputs // math.gcd(produced, plan.outputs)
        room = self._buffer.size - plan.width - plan.step - kept
        length = min(room // (count * period), max(1, _LAP // period)) * period
        if length <= 0:
            return None
        size, step = plan.outputs, plan.step
        first, end, offset = self._next % size, kept, 0
        products: dict[tuple[int, int], F32Array] = {}
        inputs: list[F32Array] = []
        rows: list[F32Array] = []
        blocks: list[F32Array] = []
        outputs: list[F32Array] = []
        ends, offsets = [end], [offset]
        for _ in range(length):
            inputs.append(self._buffer[end : end + count])
            end += count
            total = first + produced
            row = first // size
            count_rows = (total - 1) // size - row + 1
            start = offset // step
            rows.append(self._rows[start : start + count_rows])
            shape = (count_rows, first - row * size)
            if shape not in products:
                products[shape] = np.empty((count_rows, size), np.float32)
            block = products[shape]
            blocks.append(block)
            outputs.append(block.reshape(-1)[first - row * size : total - row * size])
            offset += (total // size - row) * step
            first = total
            ends.append(end)
            offsets.append(offset)
        assert end - offset == kept and first % size == self._next % size
        return _Cycle(
            count,
            produced,
            table,
            tuple(inputs),
            tuple(rows),
            tuple(blocks),
            tuple(outputs),
            tuple(ends),
            tuple(offsets),
            self._buffer[:kept],
            self._buffer[offset:end],
        )

    def _lap_done(self) -> int:
        """Start the next lap: the samples still needed go to the front. Returns its first chunk."""
        cycle = self._cycle
        np.copyto(cycle.front, cycle.back)
        length = len(cycle.inputs)
        self._received += length * cycle.count
        self._next += length * cycle.produced
        return 0

    def _leave(self) -> None:
        """Back to the general path, in the state the precomputed one has reached."""
        cycle, k = self._cycle, self._k
        if cycle is _IDLE:
            return
        self._end, self._offset = cycle.ends[k], cycle.offsets[k]
        self._received += k * cycle.count
        self._next += k * cycle.produced
        self._last = cycle.count
        self._cycle = _IDLE

    def _compact(self, count: int) -> None:
        """Move the samples still needed to the front, in a larger buffer if they do not fit."""
        plan = self._plan
        assert plan is not None
        kept = self._buffer[self._offset : self._end]
        need = kept.size + count + 2 * (plan.width + plan.step)
        if need > self._buffer.size:
            saved = kept.copy()
            self._allocate(2 * need)
            self._buffer[: saved.size] = saved
        else:
            self._buffer[: kept.size] = kept  # numpy copies overlapping ranges safely
        self._end -= self._offset
        self._offset = 0

    def _pull(self, *, last: bool = False) -> F32Array | None:
        """The outputs whose inputs have all arrived, or with ``last`` every output of the
        stream (``round(n * to_rate / from_rate)`` in all); ``None`` when there is none. The
        array is only valid until the next chunk."""
        cycle = self._cycle
        if cycle is not _IDLE:
            k = self._k
            np.dot(cycle.rows[k], cycle.table, out=cycle.products[k])
            self._k = k + 1 if k + 1 < len(cycle.inputs) else self._lap_done()
            return cycle.outputs[k]
        plan = self._plan
        assert plan is not None
        up, down, first = plan.up, plan.down, self._next
        if last:
            total = (2 * self._received * up + down) // (2 * down)
        else:
            ready = self._received - plan.right
            total = (ready * up - 1) // down + 1 if ready > 0 else 0
        count = total - first
        if count <= 0:
            return None
        offset, table = self._offset, self._table
        if table is None:
            out = plan.direct(self._buffer[offset:], first, count)
            if self._gain != 1:
                out *= self._gain
            self._offset = offset + total * down // up - first * down // up
        else:
            size = plan.outputs
            row = first // size
            rows = (total - 1) // size - row + 1
            start = offset // plan.step
            block = np.dot(self._rows[start : start + rows], table).ravel()
            out = block[first - row * size : total - row * size]
            self._offset = offset + (total // size - row) * plan.step
        self._next = total
        return out


# --- framing -------------------------------------------------------------------------------


def split_frames(ulaw: bytes, frame_bytes: int = FRAME_BYTES) -> tuple[list[bytes], bytes]:
    """Cut mu-law into full frames and the remainder that does not fill one.

    The remainder is returned rather than padded or dropped so the caller decides: keep it for
    the next call, pad it with ``ULAW_SILENCE``, or send it short (Twilio accepts any size).
    """
    _check_frame_bytes(frame_bytes)
    full = len(ulaw) - len(ulaw) % frame_bytes
    frames = [ulaw[i : i + frame_bytes] for i in range(0, full, frame_bytes)]
    return frames, ulaw[full:]


def _check_frame_bytes(frame_bytes: int) -> None:
    if frame_bytes <= 0:
        raise CodecError(f"frame size must be a positive number of bytes, got {frame_bytes}")


class Framer:
    """Turns chunks of any size into frames of exactly ``frame_bytes``, keeping the remainder.

    Sending Twilio evenly sized 20 ms frames keeps playback smooth and lets marks land on frame
    boundaries; TTS engines and resamplers hand out chunks of arbitrary size.
    """

    __slots__ = ("_buffer", "frame_bytes", "pad_byte")

    def __init__(self, frame_bytes: int = FRAME_BYTES, *, pad_byte: int = ULAW_SILENCE) -> None:
        _check_frame_bytes(frame_bytes)
        self.frame_bytes: Final = frame_bytes
        self.pad_byte: Final = pad_byte
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held back, waiting for enough data to fill a frame."""
        return len(self._buffer)

    def push(self, chunk: bytes) -> list[bytes]:
        """Add a chunk; return every frame that is now complete (possibly none)."""
        size = self.frame_bytes
        if not self._buffer and len(chunk) == size:
            return [bytes(chunk)]
        buffer = self._buffer
        buffer += chunk
        full = len(buffer) - len(buffer) % size
        if not full:
            return []
        frames = [bytes(buffer[i : i + size]) for i in range(0, full, size)]
        del buffer[:full]
        return frames

    def flush(self, pad: bool = False) -> list[bytes]:
        """Return the remainder as a last frame and empty the buffer.

        With ``pad=True`` the remainder is filled up to a full frame with ``pad_byte`` (mu-law
        silence by default); with ``pad=False`` it is returned short. An empty remainder gives
        ``[]`` either way.
        """
        if not self._buffer:
            return []
        rest = bytes(self._buffer)
        self._buffer.clear()
        if pad:
            rest += bytes([self.pad_byte]) * (self.frame_bytes - len(rest))
        return [rest]

    def clear(self) -> None:
        """Drop the remainder (e.g. when the call's playback is cleared)."""
        self._buffer.clear()


# --- base64 payloads -----------------------------------------------------------------------


def payload_to_ulaw(payload: str) -> bytes:
    """Decode a media payload; anything but strict, padded base64 is a ``CodecError``.

    Strict decoding catches truncated or corrupted frames instead of silently skipping the bad
    characters, as lenient base64 decoders do. ``binascii``'s strict mode still takes padding
    after a whole group ("AAAA="), so the length is checked too.
    """
    if len(payload) % 4 or payload.endswith("==="):
        raise CodecError(f"media payload is not valid base64: {len(payload)} characters")
    try:
        return binascii.a2b_base64(payload, strict_mode=True)
    except ValueError as exc:  # binascii.Error, or a non-ASCII str
        raise CodecError(f"media payload is not valid base64: {exc}") from None


def ulaw_to_payload(data: bytes) -> str:
    """Encode mu-law bytes as a media payload (standard base64, padded, no newline)."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")


# --- G.711 A-law ---------------------------------------------------------------------------


def _build_alaw_encode_table() -> npt.NDArray[np.uint8]:
    """A-law code for every PCM16 value, indexed by the sample's bits read as uint16.

    Follows the G.711 reference (CCITT/Sun ``linear2alaw``) on the sample shifted right by
    three bits (an arithmetic, flooring shift), exactly as ``audioop.lin2alaw`` does; even bits
    are inverted (``^ 0x55``), the sign bit is set for positive samples.
    """
    pcm = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.int16).astype(np.int32)
    v13 = pcm >> 3
    mask = np.where(v13 >= 0, 0xD5, 0x55)
    mag = np.where(v13 >= 0, v13, -v13 - 1)
    seg_ends = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])
    seg = np.searchsorted(seg_ends, mag, side="left")
    shift = np.where(seg < 2, 1, seg)
    aval = (np.minimum(seg, 7) << 4) | ((mag >> shift) & 0xF)
    aval = np.where(seg >= 8, 0x7F, aval)  # out of range: the largest code
    return (aval ^ mask).astype(np.uint8)


def _build_alaw_decode_table() -> npt.NDArray[np.int16]:
    """PCM16 value of every A-law code (G.711 reference ``alaw2linear``)."""
    a = np.arange(256, dtype=np.int32) ^ 0x55
    seg = (a & 0x70) >> 4
    t = ((a & 0x0F) << 4) + np.where(seg == 0, 8, 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(_PCM16)


_ALAW_ENCODE: Final[npt.NDArray[np.uint8]] = _build_alaw_encode_table()
_ALAW_DECODE: Final[npt.NDArray[np.int16]] = _build_alaw_decode_table()
_ALAW_DECODE_F32: Final[F32Array] = _ALAW_DECODE.astype(np.float32)
_ALAW_DECODE_PAIRS: Final[npt.NDArray[np.uint32]] = (
    _ALAW_DECODE.view(_U16)[_PAIRS & 0xFF].astype(np.uint32)
    | (_ALAW_DECODE.view(_U16)[_PAIRS >> 8].astype(np.uint32) << 16)
).astype(_U32)
ALAW_SILENCE: Final = 0xD5
"""The A-law code for silence (decodes to 8, the smallest positive step), used for padding."""


def alaw_decode(data: bytes) -> bytes:
    """A-law codes to PCM16 little-endian, two bytes per code (as ``ulaw_decode`` chooses:
    audioop for a frame or two, the table of pairs beyond)."""
    if len(data) <= _SMALL_DECODE and _AUDIOOP is not None:
        decoded: bytes = _AUDIOOP.alaw2lin(data, 2)
        return decoded
    pairs = len(data) // 2
    codes = np.frombuffer(data, dtype=_U16, count=pairs)
    out_pairs = _ALAW_DECODE_PAIRS.take(codes, mode="wrap").tobytes()
    if len(data) % 2:
        last = np.frombuffer(data, dtype=np.uint8, offset=2 * pairs)
        out_pairs += _ALAW_DECODE.take(last, mode="wrap").tobytes()
    return out_pairs


def alaw_encode(pcm: bytes) -> bytes:
    """PCM16 little-endian to A-law, one byte per sample (odd byte count: ``CodecError``)."""
    return _ALAW_ENCODE.take(_pcm_array(pcm).view(_U16)).tobytes()


# --- 16-bit linear PCM (L16) ---------------------------------------------------------------

_PCM16_BE: Final = np.dtype(">i2")


def _check_byte_order(byte_order: str) -> None:
    if byte_order not in ("little", "big"):
        raise CodecError(f"L16 byte order must be 'little' or 'big', got {byte_order!r}")


def l16_to_pcm(data: bytes, byte_order: Literal["little", "big"]) -> bytes:
    """L16 (16-bit signed linear PCM, ``byte_order``) to PCM16 little-endian. Little-endian
    is the same bytes; big-endian (network order, as in RTP) is byte-swapped. An odd byte
    count is a ``CodecError``."""
    _check_byte_order(byte_order)
    if len(data) % 2:
        raise CodecError(f"L16 audio must have an even number of bytes, got {len(data)}")
    if byte_order == "little":
        return bytes(data)
    return np.frombuffer(data, _PCM16_BE).astype(_PCM16).tobytes()


def pcm_to_l16(pcm: bytes, byte_order: Literal["little", "big"]) -> bytes:
    """PCM16 little-endian to L16 in ``byte_order`` (odd byte count: ``CodecError``)."""
    _check_byte_order(byte_order)
    samples = _pcm_array(pcm)
    return bytes(pcm) if byte_order == "little" else samples.astype(_PCM16_BE).tobytes()


# --- wire formats --------------------------------------------------------------------------

Encoding = Literal["mulaw", "alaw", "l16le", "l16be"]

_ENCODINGS: Final[tuple[Encoding, ...]] = ("mulaw", "alaw", "l16le", "l16be")

#: Names of encodings as documents and start frames spell them (compared case-insensitively,
#: with surrounding blanks dropped). A document's own spellings belong in its profile; this
#: holds the common ones: our names, RTP's (RFC 3551: PCMU, PCMA, L16) and MIME types.
_ENCODING_NAMES: Final[dict[str, Encoding]] = {
    "mulaw": "mulaw",
    "ulaw": "mulaw",
    "pcmu": "mulaw",
    "audio/x-mulaw": "mulaw",
    "audio/pcmu": "mulaw",
    "alaw": "alaw",
    "pcma": "alaw",
    "audio/x-alaw": "alaw",
    "audio/pcma": "alaw",
    "l16le": "l16le",
    "l16be": "l16be",
}

#: Names of 16-bit linear PCM that do not say the byte order: ``named`` needs ``byte_order``.
_L16_NAMES: Final = frozenset({"l16", "audio/l16", "pcm", "linear16", "pcm16", "slin"})


@dataclass(frozen=True, slots=True)
class WireFormat:
    """How audio travels on a connection: ``encoding`` at ``rate`` Hz, mono.

    ``encoding`` is ``"mulaw"`` or ``"alaw"`` (G.711, one byte per sample), ``"l16le"`` or
    ``"l16be"`` (16-bit signed linear PCM, little- or big-endian). ``decode`` gives PCM16
    little-endian mono at ``rate``, ``encode`` takes it; for another rate, see ``Decoder`` and
    ``Encoder``.
    """

    encoding: Encoding
    rate: int
    channels: int = 1

    def __post_init__(self) -> None:
        if self.encoding not in _ENCODINGS:
            raise CodecError(
                f"unknown wire encoding {self.encoding!r}; known: {', '.join(_ENCODINGS)}"
            )
        _check_rate(self.rate)
        if self.channels != 1:
            raise CodecError(f"only mono audio is supported, got {self.channels} channels")

    @classmethod
    def named(
        cls, name: str, rate: int, *, byte_order: Literal["little", "big"] | None = None
    ) -> WireFormat:
        """The format a document or a start frame names: ``"mulaw"``, ``"audio/x-mulaw"``,
        ``"PCMU"``, ``"alaw"``, ``"PCMA"``, ``"l16le"``, ..., case-insensitively. Names of L16
        that leave the byte order open (``"L16"``, ``"audio/l16"``, ``"linear16"``, ...) take
        it from ``byte_order``. Anything else is a ``CodecError`` listing what is accepted."""
        key = name.strip().lower()
        encoding = _ENCODING_NAMES.get(key)
        if encoding is None and key in _L16_NAMES:
            if byte_order is None:
                raise CodecError(f"audio encoding {name!r} needs a byte order ('little' or 'big')")
            _check_byte_order(byte_order)
            encoding = "l16le" if byte_order == "little" else "l16be"
        if encoding is None:
            accepted = ", ".join(sorted(_ENCODING_NAMES)) + "; with a byte order: "
            raise CodecError(
                f"unknown audio encoding {name!r}; accepted: {accepted}"
                + ", ".join(sorted(_L16_NAMES))
            )
        return cls(encoding, rate)

    @property
    def bytes_per_sample(self) -> int:
        """1 for G.711, 2 for L16."""
        return 2 if self.encoding in ("l16le", "l16be") else 1

    @property
    def bytes_per_second(self) -> int:
        return self.bytes_per_sample * self.rate * self.channels

    @property
    def silence(self) -> bytes:
        """One sample of silence on the wire: ``b"\\xff"`` mu-law, ``b"\\xd5"`` A-law,
        ``b"\\x00\\x00"`` L16. Repeat it to pad."""
        if self.encoding == "mulaw":
            return b"\xff"
        if self.encoding == "alaw":
            return bytes([ALAW_SILENCE])
        return b"\x00\x00"

    def decode(self, data: bytes) -> bytes:
        """Wire bytes to PCM16 little-endian mono at ``rate`` (odd L16 length: ``CodecError``)."""
        encoding = self.encoding
        if encoding == "mulaw":
            return ulaw_decode(data)
        if encoding == "alaw":
            return alaw_decode(data)
        return l16_to_pcm(data, "little" if encoding == "l16le" else "big")

    def encode(self, pcm: bytes) -> bytes:
        """PCM16 little-endian mono at ``rate`` to wire bytes (odd length: ``CodecError``)."""
        encoding = self.encoding
        if encoding == "mulaw":
            return ulaw_encode(pcm)
        if encoding == "alaw":
            return alaw_encode(pcm)
        return pcm_to_l16(pcm, "little" if encoding == "l16le" else "big")

    def samples(self, nbytes: int) -> int:
        """Whole samples in ``nbytes`` of wire audio."""
        return nbytes // (self.bytes_per_sample * self.channels)

    def ms(self, nbytes: int) -> float:
        """Duration of ``nbytes`` of wire audio, in ms."""
        return self.samples(nbytes) * 1000 / self.rate


# --- streaming conversions -----------------------------------------------------------------


class Decoder:
    """Wire audio in ``fmt`` to PCM16 at ``rate``, chunk by chunk, for one stream.

    Keeps the resampler's state across chunks (see ``Resampler``: everything but the last 2 ms
    at the lower rate comes out with each chunk, how the stream is cut does not change the
    output beyond float rounding), and for L16 a byte that splits a sample, until the next
    chunk brings the rest. ``flush`` at the end of the stream. For mu-law this is the
    conversion a package's ``InboundAudio`` does, by the same path.
    """

    __slots__ = ("_byte", "_resampler", "fmt", "rate")

    def __init__(self, fmt: WireFormat, rate: int) -> None:
        _check_rate(rate)
        self.fmt: Final = fmt
        self.rate: Final = rate
        self._resampler = Resampler(fmt.rate, rate) if rate != fmt.rate else None
        self._byte = b""  # L16: the first byte of a sample whose second has not come

    def process(self, data: bytes) -> bytes:
        """PCM16 at ``rate`` for one chunk of wire bytes."""
        encoding, resampler = self.fmt.encoding, self._resampler
        if encoding in ("mulaw", "alaw"):
            if resampler is None:
                return ulaw_decode(data) if encoding == "mulaw" else alaw_decode(data)
            if _AUDIOOP is not None:  # decoding in C, then a cast, beats one lookup in numpy
                if encoding == "mulaw":
                    return resampler._pcm16(_AUDIOOP.ulaw2lin(data, 2))
                return resampler._pcm16(_AUDIOOP.alaw2lin(data, 2))
            codes = np.frombuffer(data, dtype=np.uint8)
            table = _DECODE_F32 if encoding == "mulaw" else _ALAW_DECODE_F32
            table.take(codes, out=resampler._tail(codes.size), mode="wrap")  # no bound checks
            out = resampler._pull()
            return b"" if out is None else _to_pcm16(out).tobytes()
        if self._byte or len(data) % 2:
            data = self._byte + data
            cut = len(data) // 2 * 2
            self._byte, data = data[cut:], data[:cut]
        pcm = l16_to_pcm(data, "little" if encoding == "l16le" else "big")
        return pcm if resampler is None else resampler.process(pcm)

    def flush(self) -> bytes:
        """The audio still held back, at the end of the stream (a lone L16 byte is dropped:
        half a sample is not audio); then start afresh."""
        self._byte = b""
        return self._resampler.flush() if self._resampler is not None else b""

    def reset(self) -> None:
        """Forget the stream so far (e.g. after a gap)."""
        self._byte = b""
        if self._resampler is not None:
            self._resampler.reset()


class Encoder:
    """PCM16 at ``rate`` to wire audio in ``fmt``, chunk by chunk, for one stream.

    Keeps the resampler's state across chunks (2 ms at the lower rate held back); ``flush``
    when an utterance ends so nothing stays behind, ``clear`` on barge-in to drop it. mu-law
    rounds, clips and encodes the filter's output in one lookup, as a package's
    ``OutboundAudio`` does.
    """

    __slots__ = ("_resampler", "fmt", "rate")

    def __init__(self, fmt: WireFormat, rate: int) -> None:
        _check_rate(rate)
        self.fmt: Final = fmt
        self.rate: Final = rate
        self._resampler = Resampler(rate, fmt.rate) if rate != fmt.rate else None
        if self._resampler is not None and fmt.encoding == "mulaw":
            self._resampler._double()  # for ``_to_ulaw``

    def process(self, pcm: bytes) -> bytes:
        """Wire bytes for one chunk of PCM16 at ``rate`` (odd byte count: ``CodecError``)."""
        resampler = self._resampler
        if resampler is None:
            return self.fmt.encode(pcm)
        if self.fmt.encoding == "mulaw":
            out = resampler._step(_pcm_array(pcm))
            return b"" if out is None else _to_ulaw(out)
        return self.fmt.encode(resampler.process(pcm))

    def flush(self) -> bytes:
        """The audio still held back, at the end of an utterance; then start afresh."""
        resampler = self._resampler
        if resampler is None:
            return b""
        if self.fmt.encoding == "mulaw":
            out = resampler._drain()
            return b"" if out is None else _to_ulaw(out)
        return self.fmt.encode(resampler.flush())

    def clear(self) -> None:
        """Drop what the resampler holds without sending it (barge-in)."""
        if self._resampler is not None:
            self._resampler.reset()


# --- framing rules for sending -------------------------------------------------------------


class Chunker:
    """Cuts outgoing wire bytes into the frames a provider accepts, holding back the rest.

    - ``frame_bytes``: every frame exactly that size (Vonage: 20 ms each). ``flush`` sends the
      remainder filled up with ``pad`` (repeated; e.g. ``WireFormat.silence``), or short
      without ``pad``.
    - ``frame_bytes=None``: each ``push`` sends what it can at once, as one frame (several when
      over ``max_bytes``) whose size is a multiple of ``multiple_of`` from ``min_bytes`` to
      ``max_bytes`` (Exotel: multiples of 320, 3,200 to 100,000 bytes). ``flush`` sends the
      remainder, filled up with ``pad`` to the next size the rules allow, or short without it.
      Without rules every chunk goes out as it comes: the lowest latency.
    """

    __slots__ = (
        "_buffer",
        "_largest",
        "frame_bytes",
        "max_bytes",
        "min_bytes",
        "multiple_of",
        "pad",
    )

    def __init__(
        self,
        frame_bytes: int | None,
        multiple_of: int = 1,
        min_bytes: int = 1,
        max_bytes: int | None = None,
        pad: bytes = b"",
    ) -> None:
        if multiple_of < 1 or min_bytes < 1:
            raise CodecError(
                f"frame rules need multiple_of >= 1 and min_bytes >= 1, got {multiple_of} and "
                f"{min_bytes}"
            )
        largest = None if max_bytes is None else max_bytes - max_bytes % multiple_of
        if largest is not None and largest < max(min_bytes, multiple_of):
            raise CodecError(
                f"no frame size is a multiple of {multiple_of} from {min_bytes} to {max_bytes} "
                "bytes"
            )
        if frame_bytes is not None:
            _check_frame_bytes(frame_bytes)
            if (
                frame_bytes % multiple_of
                or frame_bytes < min_bytes
                or (max_bytes is not None and frame_bytes > max_bytes)
            ):
                raise CodecError(
                    f"frame size {frame_bytes} breaks the rules: a multiple of {multiple_of} from "
                    f"{min_bytes} to {max_bytes} bytes"
                )
        self.frame_bytes: Final = frame_bytes
        self.multiple_of: Final = multiple_of
        self.min_bytes: Final = min_bytes
        self.max_bytes: Final = max_bytes
        self.pad: Final = bytes(pad)
        self._largest = largest
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held back until more come or ``flush``."""
        return len(self._buffer)

    def push(self, data: bytes) -> list[bytes]:
        """Add wire bytes; return the frames the rules let out now (possibly none)."""
        buffer = self._buffer
        size = self.frame_bytes
        if size is not None:
            if not buffer and len(data) == size:
                return [bytes(data)]
            buffer += data
            full = len(buffer) - len(buffer) % size
            frames = [bytes(buffer[i : i + size]) for i in range(0, full, size)]
            del buffer[:full]
            return frames
        if not buffer and self._fits(len(data)):
            return [bytes(data)] if data else []
        buffer += data
        frames = []
        largest, step = self._largest, self.multiple_of
        start, left = 0, len(buffer)
        if largest is not None:
            while left > largest:
                frames.append(bytes(buffer[start : start + largest]))
                start += largest
                left -= largest
        take = left - left % step
        if take >= self.min_bytes:
            frames.append(bytes(buffer[start : start + take]))
            start += take
        del buffer[:start]
        return frames

    def _fits(self, n: int) -> bool:
        largest = self._largest
        return (
            n % self.multiple_of == 0 and n >= self.min_bytes and (largest is None or n <= largest)
        )

    def flush(self) -> list[bytes]:
        """The remainder as a last frame, filled up with ``pad`` to a size the rules allow (or
        short without ``pad``); ``[]`` when nothing is held."""
        if not self._buffer:
            return []
        rest = bytes(self._buffer)
        self._buffer.clear()
        if self.pad:
            if self.frame_bytes is not None:
                target = self.frame_bytes
            else:
                step = self.multiple_of
                target = max(-(-len(rest) // step) * step, -(-self.min_bytes // step) * step)
            need = target - len(rest)
            rest += (self.pad * (need // len(self.pad) + 1))[:need]
        return [rest]

    def clear(self) -> None:
        """Drop what is held back (barge-in)."""
        self._buffer.clear()


# msgen: section wav
# --- WAV -----------------------------------------------------------------------------------

_WAVE_PCM: Final = 1
_WAVE_MULAW: Final = 7
_WAVE_EXTENSIBLE: Final = 0xFFFE


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono PCM16 little-endian audio and its sample rate."""

    pcm: bytes
    rate: int


def read_wav(source: str | os.PathLike[str] | bytes) -> Audio:
    """Read a WAV file (a path, or the file's bytes) as mono PCM16 at the file's own rate.

    Accepts 16-bit PCM and 8-bit mu-law (format 7, which the standard ``wave`` module cannot
    read), plain or WAVE_FORMAT_EXTENSIBLE. Several channels are mixed down to mono by taking
    the mean of each sample frame, rounded down. A trailing partial sample frame is dropped.
    """
    data = source if isinstance(source, bytes) else _read_file(source)
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise CodecError("not a WAV file: missing RIFF/WAVE header")
    fmt: tuple[int, int, int, int] | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(body)
        elif chunk_id == b"data":
            if fmt is None:
                raise CodecError("WAV data chunk comes before its fmt chunk")
            return _wav_audio(body, *fmt)
        pos += 8 + size + (size & 1)  # chunks are padded to an even size
    raise CodecError("WAV file has no data chunk" if fmt else "WAV file has no fmt chunk")


def _read_file(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise CodecError(f"cannot read WAV file {os.fspath(path)!r}: {exc}") from exc


def _parse_fmt(body: bytes) -> tuple[int, int, int, int]:
    if len(body) < 16:
        raise CodecError(f"WAV fmt chunk too short ({len(body)} bytes)")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _WAVE_EXTENSIBLE:
        if len(body) < 40:
            raise CodecError("WAV extensible fmt chunk too short")
        (tag,) = struct.unpack_from("<H", body, 24)  # first two bytes of the sub-format GUID
    if channels < 1 or rate < 1:
        raise CodecError(f"WAV fmt has {channels} channels at {rate} Hz")
    return tag, channels, rate, bits


def _wav_audio(body: bytes, tag: int, channels: int, rate: int, bits: int) -> Audio:
    if tag == _WAVE_PCM and bits == 16:
        width = 2
        samples = np.frombuffer(body, dtype=_PCM16, count=len(body) // 2)
    elif tag == _WAVE_MULAW and bits == 8:
        width = 1
        samples = _DECODE[np.frombuffer(body, dtype=np.uint8)]
    else:
        raise CodecError(
            f"unsupported WAV encoding: format {tag}, {bits} bits "
            "(16-bit PCM and 8-bit mu-law are supported)"
        )
    frames = len(body) // (width * channels)
    samples = samples[: frames * channels]
    if channels > 1:
        mixed = samples.reshape(frames, channels).astype(np.int32).sum(axis=1) // channels
        samples = mixed.astype(_PCM16)
    return Audio(pcm=samples.tobytes(), rate=rate)


def write_wav(path: str | os.PathLike[str], pcm: bytes, rate: int, *, ulaw: bool = False) -> None:
    """Write mono PCM16 as a WAV file: 16-bit PCM, or 8-bit mu-law (format 7) if ``ulaw``.

    A mu-law file holds exactly what Twilio would carry, so it is handy for recording a call.
    """
    samples = _pcm_array(pcm)
    if rate < 1:
        raise CodecError(f"sample rate must be positive, got {rate}")
    if ulaw:
        body = _encode_samples(samples)
        fmt = struct.pack("<HHIIHHH", _WAVE_MULAW, 1, rate, rate, 1, 8, 0)
        extra = b"fact" + struct.pack("<II", 4, len(body))  # required for non-PCM formats
    else:
        body = bytes(pcm)
        fmt = struct.pack("<HHIIHH", _WAVE_PCM, 1, rate, rate * 2, 2, 16)
        extra = b""
    pad = b"\x00" * (len(body) & 1)
    chunks = (
        b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + extra
        + b"data"
        + struct.pack("<I", len(body))
        + body
        + pad
    )
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
