"""The static parts of ``session``, imported directly: errors, the transition index, counting,
refusing under either policy and resolving mark echoes, on the module's stand-in session."""

from __future__ import annotations

import pytest

from msgen.runtime import session_parts
from msgen.runtime.session_parts import (
    InvalidFrame,
    MarkCleared,
    MarkPlayed,
    ProtocolError,
    SequenceGap,
    Session,
    State,
    Tally,
    UnexpectedFrame,
    UnknownMark,
    Violation,
)


def test_errors_carry_their_close_code_and_kind() -> None:
    assert (ProtocolError.close_code, ProtocolError.kind) == (1008, "protocol_error")
    invalid = InvalidFrame("not JSON")
    assert (invalid.close_code, invalid.kind) == (1007, "invalid_frame")
    binary = InvalidFrame("binary", close_code=1003)
    assert (binary.close_code, binary.kind) == (1003, "binary_frame")
    assert UnexpectedFrame("x").kind == "unexpected_frame"
    gap = SequenceGap(3, 5)
    assert (gap.expected, gap.received, str(gap)) == (3, 5, "expected sequence number 3, got 5")
    unknown = UnknownMark("m1", "is not pending")
    assert (unknown.name, str(unknown), unknown.close_code) == (
        "m1",
        "mark 'm1' is not pending",
        1008,
    )


def test_by_state_indexes_the_table_by_state_first() -> None:
    class Hello(session_parts.InboundFrame):
        pass

    table = session_parts._by_state({(State.NEW, Hello): State.STREAMING})
    assert table[State.NEW] == {Hello: State.STREAMING}
    assert table[State.CLOSED] == {}


def test_tally_starts_empty_for_the_stand_in_document() -> None:
    tally = Tally()
    assert (tally.received, tally.sent, tally.errors, tally.marks) == ({}, {}, {}, {})


def test_refuse_raises_when_strict_and_reports_when_lenient() -> None:
    tally = Tally()
    error = UnexpectedFrame("too early")
    with pytest.raises(UnexpectedFrame):
        Session(strict=True, tally=tally)._refuse(error)
    assert Session(strict=False, tally=tally)._refuse(error) == [Violation(error)]
    assert tally.errors == {"unexpected_frame": 2}


def test_receive_refuses_what_does_not_decode() -> None:
    session = Session(strict=False)
    [violation] = session.receive("{}")
    assert isinstance(violation, Violation)
    assert isinstance(violation.error, InvalidFrame)
    [violation] = session.receive_binary(b"\x00")
    assert isinstance(violation, Violation)
    assert violation.error.close_code == 1003


def test_mark_echoes_resolve_in_order_once() -> None:
    tally = Tally()
    session = Session(tally=tally)
    session._marks = {"a": 800, "b": 1600}
    session._clock, session._sent = 1000, 2400
    early = session._echoed("b")
    assert isinstance(early, UnknownMark)
    assert "before 'a'" in str(early)
    assert session._echoed("a") == MarkPlayed("a")
    assert session._play_end == 1000 + 2400 - 800  # playback is at the mark's position
    assert isinstance(session._echoed("a"), UnknownMark)  # already resolved
    session._cleared = {"c": None}
    assert session._echoed("c") == MarkCleared("c", "clear")
    assert tally.marks == {"played": 1, "cleared": 1}


def test_resolve_all_clears_every_pending_mark() -> None:
    tally = Tally()
    session = Session(tally=tally)
    session._cleared = {"a": None}
    session._marks = {"b": 1, "c": 2}
    assert session._resolve_all("stop") == [
        MarkCleared("a", "clear"),
        MarkCleared("b", "stop"),
        MarkCleared("c", "stop"),
    ]
    assert (session._cleared, session._marks) == ({}, {})
    assert session._resolve_all("closed") == []
    assert tally.marks == {"cleared": 3}
