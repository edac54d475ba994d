"""Playback bookkeeping for one call, the same for every provider: what was sent, what played,
and when each mark resolves, as played or cleared, exactly once.

Sans-I/O and without timers: the call's clock is the caller's audio received so far (providers
stream it in real time), counted in samples at the wire rate. Queued audio ends at ``play_end`` on
that clock; ``played_ms`` is the estimate of how far playback has got, made exact whenever the
provider says a mark played.

How marks come back depends on the provider (the profile's ``playback.mode``):

- ``echo``: every mark is echoed once the audio before it has played, and ``clear`` makes the
  provider echo every pending mark at once (Twilio, Telnyx, SignalWire): those echoes resolve
  as cleared.
- ``ack``: a mark is acknowledged only when it played; ``clear`` drops the rest without a word
  (Plivo checkpoints, Vonage notifies): they resolve as cleared at the clear, and a late
  acknowledgement of one is ignored.
- ``clock``: nothing comes back (Bandwidth): a mark resolves as played when the clock passes the
  end of the audio before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["echo", "ack", "clock"]
Reason = Literal["clear", "stop", "closed"]


@dataclass(frozen=True, slots=True)
class MarkPlayed:
    """Everything sent before mark ``name`` has played."""

    name: str


@dataclass(frozen=True, slots=True)
class MarkCleared:
    """Mark ``name`` will never play: ``clear`` dropped its audio, or the call ended first."""

    name: str
    reason: Reason


Resolved = MarkPlayed | MarkCleared


class MarkError(Exception):
    """An acknowledgement that cannot be matched to a pending mark."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"mark {name!r} {why}")
        self.name = name


class Playout:
    """The playback state of one call; ``rate`` is the wire's samples per second."""

    def __init__(self, mode: Mode, rate: int) -> None:
        self.mode: Mode = mode
        self.rate = rate
        #: Caller audio received, in samples: the call's clock.
        self.clock = 0
        #: Audio sent, in samples.
        self.sent = 0
        #: Where the audio queued so far ends on the clock.
        self.play_end = 0
        #: Marks awaiting their resolution, in send order: name -> audio sent before it.
        self._marks: dict[str, int] = {}
        #: Marks dropped by ``clear`` whose echo is still due (``echo`` mode only).
        self._cleared: dict[str, None] = {}
        #: Marks resolved at a clear whose late acknowledgement is ignored (``ack`` mode).
        self._forgotten: set[str] = set()

    # -- the clock and the audio -----------------------------------------------------------

    def heard(self, samples: int) -> list[Resolved]:
        """``samples`` of caller audio arrived: the clock moves on. In ``clock`` mode, marks
        whose audio has played by now resolve."""
        self.clock += samples
        if self.mode != "clock" or not self._marks:
            return []
        done = self.clock - (self.play_end - self.sent)  # audio played by now, in samples sent
        out: list[Resolved] = []
        for name, position in list(self._marks.items()):
            if position > done:
                break
            del self._marks[name]
            out.append(MarkPlayed(name))
        return out

    def sent_audio(self, samples: int) -> None:
        """``samples`` of audio were sent: they play after what is queued."""
        self.play_end = max(self.play_end, self.clock) + samples
        self.sent += samples

    @property
    def sent_ms(self) -> int:
        return self.sent * 1000 // self.rate

    @property
    def played_ms(self) -> int:
        """How far playback has got, in ms of the audio sent (dropped audio counts as passed)."""
        return (self.sent - max(0, self.play_end - self.clock)) * 1000 // self.rate

    @property
    def is_speaking(self) -> bool:
        """Whether audio sent is still playing (by the estimate, or a mark is pending)."""
        return self.play_end > self.clock or bool(self._marks)

    @property
    def pending(self) -> tuple[str, ...]:
        """Marks sent and not resolved yet, oldest first."""
        return (*self._cleared, *self._marks)

    # -- marks -------------------------------------------------------------------------------

    def mark(self, name: str) -> None:
        """A mark was sent behind the audio sent so far."""
        if name in self._marks or name in self._cleared:
            raise MarkError(name, "is still pending")
        self._forgotten.discard(name)
        self._marks[name] = self.sent

    def acknowledged(self, name: str) -> Resolved | None:
        """The provider says mark ``name`` played (or, in ``echo`` mode after a clear, that it
        was dropped). None: a late acknowledgement of a mark already resolved at a clear."""
        if name in self._cleared:
            del self._cleared[name]
            return MarkCleared(name, "clear")
        position = self._marks.get(name)
        if position is None:
            if name in self._forgotten:
                self._forgotten.discard(name)
                return None
            raise MarkError(name, "is not pending (never sent, or already resolved)")
        first = next(iter(self._marks))
        if first != name:
            raise MarkError(name, f"was acknowledged before {first!r}, which was sent earlier")
        del self._marks[name]
        # Everything sent before the mark has played: playback is at ``position`` right now.
        self.play_end = self.clock + (self.sent - position)
        return MarkPlayed(name)

    def clear(self) -> tuple[int, list[Resolved]]:
        """A clear was sent: the provider drops what it has not played. Returns ``played_ms`` at
        this moment and the marks that resolve now (in ``echo`` mode they resolve when echoed)."""
        played = self.played_ms
        self.play_end = self.clock
        if self.mode == "echo":
            self._cleared.update(dict.fromkeys(self._marks))
            self._marks.clear()
            return played, []
        resolved: list[Resolved] = [MarkCleared(name, "clear") for name in self._marks]
        if self.mode == "ack":
            self._forgotten.update(self._marks)
        self._marks.clear()
        return played, resolved

    def end(self, reason: Literal["stop", "closed"]) -> list[MarkCleared]:
        """The call ended: every pending mark resolves as cleared."""
        resolved = [MarkCleared(name, "clear") for name in self._cleared]
        resolved += [MarkCleared(name, reason) for name in self._marks]
        self._cleared.clear()
        self._marks.clear()
        return resolved
