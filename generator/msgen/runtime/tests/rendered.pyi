# What the static tests use of the names a document decides (its frame classes, and the codec's
# bindings to them), as the Twilio Media Streams document renders them.
from collections.abc import Mapping, Sequence
from typing import Final

from msgen.runtime.emulator import MarkEcho
from msgen.runtime.frames import InboundFrame, OutboundFrame
from msgen.runtime.session_parts import (
    MarkCleared,
    MarkPlayed,
    ProtocolError,
    State,
    Tally,
    Violation,
)

class InboundMediaChunk:
    track: str
    chunk: int
    timestamp: int
    payload: str

class InboundMedia:
    sequence_number: int
    stream_sid: str
    media: InboundMediaChunk

class OutboundMediaChunk:
    payload: str

class OutboundMedia:
    stream_sid: str
    media: OutboundMediaChunk

COMMON_RATES: Final[tuple[int, ...]]

def media_to_pcm(frame: InboundMedia, rate: int = ...) -> bytes: ...
def pcm_to_media(
    pcm: bytes, rate: int, stream_sid: str, *, frame_bytes: int | None = ...
) -> list[OutboundMedia]: ...

class InboundAudio:
    MAX_GAP_MS: Final[int]
    rate: Final[int]
    start_ms: int | None
    def __init__(self, rate: int = ...) -> None: ...
    def process(self, frame: InboundMedia) -> bytes: ...
    def process_payload(self, payload: str) -> bytes: ...
    def flush(self) -> bytes: ...
    def reset(self) -> None: ...

class OutboundAudio:
    rate: Final[int]
    stream_sid: Final[str]
    frame_bytes: Final[int | None]
    def __init__(self, rate: int, stream_sid: str, *, frame_bytes: int | None = ...) -> None: ...
    def process(self, pcm: bytes) -> list[OutboundMedia]: ...
    def flush(self, *, pad: bool = ...) -> list[OutboundMedia]: ...
    def clear(self) -> None: ...

# The session: its lifecycle errors, and the class as rendered around the static methods.
class StreamMismatch(ProtocolError): ...

Event = InboundFrame | MarkPlayed | MarkCleared | Violation

class Session:
    state: State
    stream_sid: str | None
    def __init__(self, *, strict: bool = ..., tally: Tally | None = ...) -> None: ...
    def receive(self, data: str | bytes) -> list[Event]: ...
    def receive_binary(self, data: bytes) -> list[Event]: ...
    def close(self) -> list[Event]: ...
    def data_to_send(self) -> list[str]: ...
    def send_frame(self, frame: OutboundFrame) -> None: ...
    def send_payload(self, payload: str) -> None: ...
    def send_ulaw(self, data: bytes) -> None: ...
    def send_audio(self, pcm: bytes, rate: int) -> None: ...
    def flush_audio(self) -> None: ...
    @property
    def sent_ms(self) -> int: ...
    @property
    def played_ms(self) -> int: ...
    @property
    def is_speaking(self) -> bool: ...
    def mark(self, name: str | None = None) -> str: ...
    def clear(self) -> int: ...
    @property
    def pending_marks(self) -> tuple[str, ...]: ...

# The emulator's model of the peer's playback buffer (times in samples).
class Playback:
    def advance(self, now: int) -> list[str]: ...
    def audio(self, data: bytes, now: int) -> list[str]: ...
    def mark(self, name: str, now: int) -> list[str]: ...
    def clear(self, now: int) -> tuple[list[str], list[str]]: ...

# The codec's rate, and the emulator's call and its report.
WIRE_RATE: Final[int]

class CallReport:
    stream_sid: str
    call_sid: str
    account_sid: str
    media_frames: int
    sent_at: list[float]
    audio_received: bytes
    recording: bytes
    marks: list[MarkEcho]
    clears: int
    rejected: list[str]
    duration_ms: int
    completed: bool
    closed_by: str
    close_code: int | None
    close_reason: str
    @property
    def ok(self) -> bool: ...
    def summary(self) -> str: ...

class Emulator:
    def __init__(
        self,
        url: str,
        audio: bytes,
        *,
        dtmf: Sequence[tuple[str, float]] = ...,
        parameters: Mapping[str, str] | None = ...,
        fast: bool = ...,
        auth_token: str | None = ...,
        linger: float = ...,
    ) -> None: ...
    async def run(self) -> CallReport: ...
