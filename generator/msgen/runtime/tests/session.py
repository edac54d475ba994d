"""The static part of every generated package's session tests: ``tests/test_session.py.jinja``
renders the imports (from the package by its name), the strategies and frames built from the
document's tags, and the tests naming frame classes; it includes these sections between them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.runtime.session_parts import (
    InvalidFrame,
    MarkCleared,
    MarkPlayed,
    ProtocolError,
    SequenceGap,
    UnknownMark,
    UsageError,
    Violation,
)
from msgen.runtime.tests.rendered import Playback, Session, StreamMismatch

# Stand-ins for what the template renders from the document (here for Twilio Media Streams).
_texts = st.text(max_size=40)
STREAM = "MZ" + "0123456789abcdef" * 2
OTHER_STREAM = "MZ" + "fedcba9876543210" * 2


def audio(frames: int) -> str:
    return base64.b64encode(b"\xff" * 160 * frames).decode()


PAYLOAD = audio(1)


class Peer:
    def __init__(self, stream: str = STREAM) -> None:
        self.stream = stream
        self.number = 0

    def frame(self, tag: str, **fields: Any) -> str:
        self.number += 1
        return json.dumps({"event": tag, "sequenceNumber": str(self.number), **fields})

    def media(self, payload: str = PAYLOAD) -> str:
        return self.frame("media", streamSid=self.stream, media={"payload": payload})

    def mark(self, name: str) -> str:
        return self.frame("mark", streamSid=self.stream, mark={"name": name})

    def stop(self) -> str:
        return self.frame("stop", streamSid=self.stream, stop={})


def streaming(strict: bool = True) -> tuple[Session, Peer]:
    return Session(strict=strict), Peer()


# msgen: section refused
def refused(frame: str | bytes) -> bool:
    """Whether the session refuses this frame from the peer (the spec's schemas refuse it)."""
    session = Session(strict=False)
    events = session.receive(frame) if isinstance(frame, str) else session.receive_binary(frame)
    return any(isinstance(e, Violation) for e in events)


@given(st.lists(_texts, max_size=8), st.booleans())
def test_arbitrary_text_gives_events_or_the_one_documented_error(
    texts: list[str], strict: bool
) -> None:
    session = Session(strict=strict)
    for text in texts:
        try:
            events = session.receive(text)
        except ProtocolError as exc:
            assert strict
            assert exc.close_code in (1003, 1007, 1008)
            continue
        assert isinstance(events, list)
        if not strict:
            assert all(
                not isinstance(e, Violation) or isinstance(e.error, ProtocolError) for e in events
            )


# msgen: end
@pytest.mark.parametrize("text", ["", "{", "[]", "null", '{"x": 1}'])
# msgen: section invalid
def test_invalid_frames_close_with_1007(text: str) -> None:
    if not refused(text):
        pytest.skip("a valid frame of this protocol")
    with pytest.raises(InvalidFrame) as caught:
        Session().receive(text)
    assert caught.value.close_code == 1007
    (violation,) = Session(strict=False).receive(text)
    assert isinstance(violation, Violation)
    assert isinstance(violation.error, InvalidFrame)


def test_binary_frames_close_with_1003() -> None:
    if not (refused(b"\x00\x01") and refused(b"{}")):
        pytest.skip("binary frames are valid in this protocol")
    with pytest.raises(InvalidFrame) as caught:
        Session().receive_binary(b"\x00\x01")
    assert caught.value.close_code == 1003
    (violation,) = Session(strict=False).receive_binary(b"{}")
    assert isinstance(violation, Violation)
    assert violation.error.close_code == 1003


# msgen: section streams
@pytest.mark.parametrize("strict", [True, False])
def test_a_frame_for_another_stream_is_refused(strict: bool) -> None:
    session, peer = streaming(strict)
    peer.stream = OTHER_STREAM
    if strict:
        with pytest.raises(StreamMismatch):
            session.receive(peer.media())
        return
    (violation,) = session.receive(peer.media())
    assert isinstance(violation, Violation)
    assert isinstance(violation.error, StreamMismatch)


def test_sequence_gaps_raise_when_strict() -> None:
    session, peer = streaming()
    peer.number += 2
    with pytest.raises(SequenceGap) as caught:
        session.receive(peer.media())
    assert (caught.value.expected, caught.value.received) == (2, 4)
    assert caught.value.close_code == 1008


# msgen: section marks
def test_marks_resolve_played_in_order() -> None:
    session, peer = streaming()
    session.send_payload(PAYLOAD)
    first = session.mark()
    second = session.mark("second")
    assert session.pending_marks == (first, "second")
    assert session.receive(peer.mark(first)) == [MarkPlayed(first)]
    assert session.receive(peer.mark(second)) == [MarkPlayed(second)]
    assert session.pending_marks == ()
    assert not session.is_speaking


def test_cleared_marks_resolve_as_cleared_though_their_echo_looks_played() -> None:
    session, peer = streaming()
    session.send_payload(audio(50))
    session.mark("a")
    session.receive(peer.media())
    assert session.is_speaking
    assert session.clear() == 20  # 20 ms had played when the caller interrupted
    assert not session.is_speaking
    assert session.played_ms == session.sent_ms
    assert session.receive(peer.mark("a")) == [MarkCleared("a", "clear")]


@pytest.mark.parametrize("strict", [True, False])
def test_unknown_duplicate_and_out_of_order_echoes_are_refused(strict: bool) -> None:
    session, peer = streaming(strict)
    session.mark("a")
    session.mark("b")
    for name in ["never-sent", "b"]:
        if strict:
            with pytest.raises(UnknownMark):
                session.receive(peer.mark(name))
        else:
            (violation,) = session.receive(peer.mark(name))
            assert isinstance(violation, Violation)
            assert isinstance(violation.error, UnknownMark)
    assert session.receive(peer.mark("a")) == [MarkPlayed("a")]


def test_mark_names_must_be_unique_while_pending() -> None:
    session, peer = streaming()
    session.mark("x")
    with pytest.raises(UsageError):
        session.mark("x")
    session.receive(peer.mark("x"))
    session.mark("x")


# msgen: section playback
_actions = st.lists(
    st.one_of(
        st.tuples(st.just("audio"), st.integers(1, 30)),
        st.tuples(st.just("mark"), st.none()),
        st.tuples(st.just("clear"), st.none()),
        st.tuples(st.just("tick"), st.integers(1, 40)),
    ),
    max_size=40,
)


@given(_actions)
def test_every_mark_resolves_exactly_once_against_twilio_playback(
    actions: list[tuple[str, int | None]],
) -> None:
    """Drive the session against the emulator's model of Twilio's playback buffer."""
    session, peer = streaming()
    twilio, now = Playback(), 0
    sent: list[str] = []
    resolved: dict[str, object] = {}
    echoes: list[tuple[str, bool]] = []

    def deliver() -> None:
        for name, _ in echoes:
            for event in session.receive(peer.mark(name)):
                if isinstance(event, (MarkPlayed, MarkCleared)):
                    assert event.name not in resolved, "resolved twice"
                    resolved[event.name] = event
        echoes.clear()

    for action, size in actions:
        if action == "audio":
            assert size is not None
            session.send_payload(audio(size))
            echoes.extend((n, False) for n in twilio.audio(b"\xff" * 160 * size, now))
        elif action == "mark":
            sent.append(session.mark())
            echoes.extend((n, False) for n in twilio.mark(sent[-1], now))
        elif action == "clear":
            session.clear()
            reached, pending = twilio.clear(now)
            echoes.extend([(n, False) for n in reached] + [(n, True) for n in pending])
        else:
            assert size is not None
            for _ in range(size):
                now += 160
                session.receive(peer.media())
                echoes.extend((n, False) for n in twilio.advance(now))
        played_by_twilio = {n for n, cleared in echoes if not cleared}
        deliver()
        for name in played_by_twilio:
            assert isinstance(resolved[name], MarkPlayed)
        session.data_to_send()
    for event in session.receive(peer.stop())[:-1]:
        assert isinstance(event, MarkCleared)
        resolved[event.name] = event
    assert set(resolved) == set(sent)
    assert session.pending_marks == ()
