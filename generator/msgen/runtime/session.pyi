# What the static runtime uses of a package's rendered ``session`` module (its type contract).
import enum
from typing import Literal

from .frames import OutboundFrame

class ProtocolError(Exception):
    close_code: int
    kind: str

class Violation:
    error: ProtocolError
    def __init__(self, error: ProtocolError) -> None: ...

class MarkPlayed:
    name: str

class MarkCleared:
    name: str
    reason: Literal["clear", "stop", "closed"]

class State(enum.Enum):
    CLOSED = "closed"

class Tally:
    received: dict[str, int]
    sent: dict[str, int]
    errors: dict[str, int]
    marks: dict[str, int]

class Session:
    state: State
    def __init__(self, *, strict: bool = ..., tally: Tally | None = ...) -> None: ...
    def receive(self, data: str | bytes) -> list[object]: ...
    def receive_binary(self, data: bytes) -> list[object]: ...
    def close(self) -> list[object]: ...
    def data_to_send(self) -> list[str]: ...
    def send_frame(self, frame: OutboundFrame) -> None: ...
    def send_audio(self, pcm: bytes, rate: int) -> None: ...
    def mark(self, name: str | None = None) -> str: ...
    def clear(self) -> int: ...
    @property
    def is_speaking(self) -> bool: ...
    @property
    def sent_ms(self) -> int: ...
    @property
    def played_ms(self) -> int: ...
    @property
    def pending_marks(self) -> tuple[str, ...]: ...
