# What the static runtime uses of a package's rendered ``session`` module (its type contract).
from collections.abc import Sequence

from .frames import OutboundFrame

class Tally:
    received: dict[str, int]
    sent: dict[str, int]
    errors: dict[str, int]
    marks: dict[str, int]

class ProtocolError(Exception):
    close_code: int

# What ``receive`` returns (a union of frames and the session's own events), opaque here.
class Event: ...

class Session:
    def __init__(self, *, strict: bool = ..., tally: Tally | None = ...) -> None: ...
    def receive(self, data: str | bytes) -> list[Event]: ...
    def receive_binary(self, data: bytes) -> list[Event]: ...
    def close(self) -> list[Event]: ...
    def send_frame(self, frame: OutboundFrame) -> None: ...
    def data_to_send(self) -> Sequence[str | bytes]: ...
