"""Playback bookkeeping (msgen.runtime.playout), imported as written: every mark resolves exactly
once, in each of the providers' ways of acknowledging playback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgen.runtime.playout import MarkCleared, MarkError, MarkPlayed, Mode, Playout

RATE = 8000


def test_echo_mode_resolves_cleared_marks_when_their_echo_arrives() -> None:
    p = Playout("echo", RATE)
    p.sent_audio(8000)
    p.mark("a")
    p.heard(4000)
    assert p.played_ms == 500 and p.is_speaking
    played, now = p.clear()
    assert (played, now) == (500, [])
    assert p.pending == ("a",)
    assert p.acknowledged("a") == MarkCleared("a", "clear")
    assert not p.is_speaking and p.pending == ()


def test_a_played_mark_makes_the_estimate_exact() -> None:
    p = Playout("echo", RATE)
    p.sent_audio(1600)
    p.mark("a")
    p.sent_audio(1600)
    assert p.acknowledged("a") == MarkPlayed("a")  # the provider played it before our clock did
    assert p.played_ms == 200 and p.play_end == 1600


def test_ack_mode_resolves_at_the_clear_and_ignores_a_late_ack() -> None:
    p = Playout("ack", RATE)
    p.sent_audio(800)
    p.mark("a")
    _, now = p.clear()
    assert now == [MarkCleared("a", "clear")]
    assert p.acknowledged("a") is None
    with pytest.raises(MarkError, match="is not pending"):
        p.acknowledged("a")


def test_clock_mode_resolves_marks_as_the_callers_audio_passes_them() -> None:
    p = Playout("clock", RATE)
    p.sent_audio(1600)  # 200 ms
    p.mark("a")
    p.sent_audio(1600)
    p.mark("b")
    assert p.heard(1599) == []
    assert p.heard(1) == [MarkPlayed("a")]
    assert p.heard(1600) == [MarkPlayed("b")]
    assert not p.is_speaking


def test_acknowledgements_out_of_order_or_unknown_are_errors() -> None:
    p = Playout("echo", RATE)
    p.mark("a")
    p.mark("b")
    with pytest.raises(MarkError, match="before 'a'"):
        p.acknowledged("b")
    with pytest.raises(MarkError, match="still pending"):
        p.mark("a")
    with pytest.raises(MarkError, match="never sent"):
        p.acknowledged("zz")


def test_the_end_resolves_every_pending_mark() -> None:
    p = Playout("echo", RATE)
    p.mark("a")
    p.clear()
    p.mark("b")
    assert p.end("stop") == [MarkCleared("a", "clear"), MarkCleared("b", "stop")]
    assert p.pending == ()


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(0, 4000)),
        st.tuples(st.just("hear"), st.integers(0, 4000)),
        st.tuples(st.just("mark"), st.just(0)),
        st.tuples(st.just("ack"), st.just(0)),
        st.tuples(st.just("clear"), st.just(0)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(mode=st.sampled_from(["echo", "ack", "clock"]), steps=_steps)
def test_every_mark_resolves_exactly_once_and_playback_never_runs_ahead(
    mode: Mode, steps: list[tuple[str, int]]
) -> None:
    """A provider that acknowledges the oldest pending mark whenever asked: however calls go,
    each mark resolves once, and playback is never past what was sent nor goes backwards
    except by a played mark making the estimate exact."""
    p = Playout(mode, RATE)
    resolved: list[str] = []
    sent_marks = 0
    for action, amount in steps:
        if action == "send":
            p.sent_audio(amount)
        elif action == "hear":
            resolved += [r.name for r in p.heard(amount)]
        elif action == "mark":
            sent_marks += 1
            p.mark(f"m{sent_marks}")
        elif action == "ack" and p.pending and mode != "clock":
            outcome = p.acknowledged(p.pending[0])
            if outcome is not None:
                resolved.append(outcome.name)
        elif action == "clear":
            _, now = p.clear()
            resolved += [r.name for r in now]
        assert 0 <= p.played_ms <= p.sent_ms
    resolved += [r.name for r in p.end("closed")]
    assert sorted(resolved) == sorted(f"m{i}" for i in range(1, sent_marks + 1))
