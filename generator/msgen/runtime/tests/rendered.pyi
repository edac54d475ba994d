# What the static tests use of the names a document decides (its frame classes, and the codec's
# bindings to them), as the Twilio Media Streams document renders them.
from typing import Final

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
