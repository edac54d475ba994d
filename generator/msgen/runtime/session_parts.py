"""The static parts of a package's ``session`` module: its errors and events, the transition
table's index, ``Tally``, and the parts of ``Session`` that read the same for every document.

``package/session.py.jinja`` includes these sections between the parts it renders per document
(the states and transitions, the frames' classes and tags, the lifecycle and audio logic). What
follows a ``# msgen: end`` line stands in for those rendered parts, so the module imports,
type-checks and runs alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Literal


class FrameError(Exception):
    """Stands in for ``errors.FrameError``."""


class InboundFrame:
    """Stands in for the union of the document's inbound frame classes."""


class OutboundAudio:
    """Stands in for ``codec.OutboundAudio``."""

    def __init__(self, rate: int, sid: str) -> None:
        self.rate = rate

    def process(self, pcm: bytes) -> list[object]:
        return []

    def flush(self) -> list[object]:
        return []


def _text_inbound(data: str | bytes) -> InboundFrame:
    raise FrameError("no frames stand in here")


def decode_inbound(data: bytes) -> InboundFrame:
    raise FrameError("no frames stand in here")


# msgen: section errors
class SessionError(Exception):
    """Base of every error the session raises."""


class ProtocolError(SessionError):
    """The peer broke the protocol. ``close_code`` is the WebSocket close code to answer with;
    ``kind`` names the error in metrics."""

    close_code: int = 1008
    kind: str = "protocol_error"


class InvalidFrame(ProtocolError):
    """A text frame that is not JSON or not a frame of the spec, or a binary frame."""

    close_code = 1007
    kind = "invalid_frame"

    def __init__(self, message: str, *, close_code: int = 1007) -> None:
        super().__init__(message)
        self.close_code = close_code
        if close_code == 1003:
            self.kind = "binary_frame"


class UnexpectedFrame(ProtocolError):
    """A valid frame that the lifecycle does not allow in the current state."""

    kind = "unexpected_frame"


# msgen: section sequence_gap
class SequenceGap(ProtocolError):
    """A sequence number other than the next one: frames were lost, repeated or reordered."""

    kind = "sequence_gap"

    def __init__(self, expected: int, received: int) -> None:
        super().__init__(f"expected sequence number {expected}, got {received}")
        self.expected = expected
        self.received = received


# msgen: section unknown_mark
class UnknownMark(ProtocolError):
    """The echo of a mark that was never sent, was already resolved, or came out of order."""

    kind = "unknown_mark"

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"mark {name!r} {why}")
        self.name = name


# msgen: section usage
class UsageError(SessionError):
    """This side misused the session: a bug in the application, not in the peer."""


@dataclass(frozen=True, slots=True)
class Violation:
    """A protocol error reported instead of raised (lenient policy); the frame was dropped."""

    error: ProtocolError


# msgen: section mark_events
@dataclass(frozen=True, slots=True)
class MarkPlayed:
    """The peer played all audio sent before this mark."""

    name: str


@dataclass(frozen=True, slots=True)
class MarkCleared:
    """The audio before this mark will never play: dropped by ``clear``, or the call ended."""

    name: str
    reason: Literal["clear", "stop", "closed"]


# msgen: end
Event = InboundFrame | MarkPlayed | MarkCleared | Violation


class State(enum.Enum):
    NEW = "before any frame"
    STREAMING = "streaming"
    CLOSED = "closed"


TRANSITIONS: Final[dict[tuple[State, type[InboundFrame]], State]] = {}
_TAGS: Final[dict[type[InboundFrame], str]] = {}
_OUT_TAGS: Final[dict[type[object], str]] = {}

# msgen: section by_state
_Table = dict[State, dict[type[InboundFrame], State]]


def _by_state(transitions: dict[tuple[State, type[InboundFrame]], State]) -> _Table:
    """The table indexed by state first: one dict lookup per frame on the hot path."""
    table: _Table = {state: {} for state in State}
    for (state, kind), after in transitions.items():
        table[state][kind] = after
    return table


_STRICT: Final = _by_state(TRANSITIONS)


# msgen: end
class Tally:
    """Stands in for the rendered class around the code below."""

    # msgen: section tally_body
    __slots__ = ("errors", "marks", "received", "sent")

    def __init__(self) -> None:
        # Plain dicts holding every message from the start: ``+= 1`` on them costs a fifth of
        # what it costs on a ``Counter``, on the path of every frame.
        self.received: dict[str, int] = dict.fromkeys(_TAGS.values(), 0)
        self.sent: dict[str, int] = dict.fromkeys(_OUT_TAGS.values(), 0)
        self.errors: dict[str, int] = {}
        self.marks: dict[str, int] = {}


# msgen: end
class Session:
    """Stands in for the rendered class around the methods below."""

    def __init__(self, *, strict: bool = True, tally: Tally | None = None) -> None:
        self.strict = strict
        self.tally = tally
        self._received = tally.received if tally is not None else None
        self.state = State.NEW
        self._table = _STRICT
        self._next = self._table[self.state]
        self.stream_sid: str | None = None
        self._clock = 0
        self._sent = 0
        self._play_end = 0
        self._encoder: OutboundAudio | None = None
        self._marks: dict[str, int] = {}
        self._cleared: dict[str, None] = {}

    # msgen: section receive_head
    def receive(self, data: str | bytes) -> list[Event]:
        """Process the payload of one text frame (``str``, or its UTF-8 ``bytes``).

        Returns the events it means, in order. Strict policy: raises a ``ProtocolError``
        subclass instead of returning ``Violation``.
        """
        if self.state is State.CLOSED:
            raise UsageError("receive() after close()")
        try:
            frame: InboundFrame = _text_inbound(data)
        except FrameError as exc:
            return self._refuse(InvalidFrame(str(exc)))
        kind = type(frame)
        if self._received is not None:
            self._received[_TAGS[kind]] += 1
        after = self._next.get(kind)
        if after is None:
            where = self.state.value
            return self._refuse(UnexpectedFrame(f"a {_TAGS[kind]!r} frame is not allowed {where}"))
        # msgen: end
        return [frame]

    def receive_binary(self, data: bytes) -> list[Event]:
        # msgen: section receive_binary
        """Process the payload of one binary frame; as ``receive``."""
        if self.state is State.CLOSED:
            raise UsageError("receive_binary() after close()")
        try:
            frame: InboundFrame = decode_inbound(bytes(data))
        except FrameError as exc:
            return self._refuse(InvalidFrame(str(exc), close_code=1003))
        kind = type(frame)
        if self._received is not None:
            self._received[_TAGS[kind]] += 1
        after = self._next.get(kind)
        if after is None:
            where = self.state.value
            return self._refuse(UnexpectedFrame(f"a {_TAGS[kind]!r} frame is not allowed {where}"))
        if after is not self.state:
            self.state = after
            self._next = self._table[after]
        return [frame]

    # msgen: section refuse
    def _refuse(self, error: ProtocolError) -> list[Event]:
        if self.tally is not None:
            errors = self.tally.errors
            errors[error.kind] = errors.get(error.kind, 0) + 1
        if self.strict:
            raise error
        return [Violation(error)]

    # msgen: section mark_resolution
    def _echoed(self, name: str) -> MarkPlayed | MarkCleared | ProtocolError:
        if name in self._cleared:
            del self._cleared[name]
            self._count_marks("cleared", 1)
            return MarkCleared(name, "clear")
        position = self._marks.get(name)
        if position is None:
            return UnknownMark(name, "is not pending (never sent, or already resolved)")
        first = next(iter(self._marks))
        if first != name:
            return UnknownMark(name, f"was echoed before {first!r}, which was sent earlier")
        del self._marks[name]
        # Everything sent before the mark has played: playback is at ``position`` right now.
        self._play_end = self._clock + (self._sent - position)
        self._count_marks("played", 1)
        return MarkPlayed(name)

    def _resolve_all(self, reason: Literal["stop", "closed"]) -> list[MarkCleared]:
        resolved = [MarkCleared(name, "clear") for name in self._cleared]
        resolved += [MarkCleared(name, reason) for name in self._marks]
        self._cleared.clear()
        self._marks.clear()
        self._count_marks("cleared", len(resolved))
        return resolved

    def _count_marks(self, outcome: str, count: int) -> None:
        if self.tally is not None and count:
            marks = self.tally.marks
            marks[outcome] = marks.get(outcome, 0) + count

    # msgen: end
    def _sid(self) -> str:
        if self.state is not State.STREAMING or self.stream_sid is None:
            raise UsageError(f"cannot send {self.state.value}")
        return self.stream_sid

    def send_audio(self, pcm: bytes, rate: int) -> None:
        """Queue 16-bit mono PCM at ``rate`` Hz."""
        # msgen: section send_audio
        sid = self._sid()
        encoder = self._encoder
        if encoder is None or encoder.rate != rate:
            self.flush_audio()
            encoder = self._encoder = OutboundAudio(rate, sid)
        for frame in encoder.process(pcm):
            self._queue_media(frame)

    def flush_audio(self) -> None:
        """Queue the audio ``send_audio`` still holds in its resampler (the end of an utterance)."""
        if self._encoder is not None:
            for frame in self._encoder.flush():
                self._queue_media(frame)

    # msgen: end
    def _queue_media(self, frame: object) -> None:
        self._play_end = max(self._play_end, self._clock) + 1
        self._sent += 1
