"""The emulator's static parts (``msgen.runtime.emulator``), imported as written: why an upgrade
was refused, the playback buffer's timeline, the checks of what the server sends, the command
line's arguments, and placing a call (against servers that refuse it, hang up or say nothing)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from msgen.runtime.codec import FRAME_BYTES, ULAW_SILENCE, write_wav
from msgen.runtime.emulator import (
    WIRE_RATE,
    CallRefused,
    CallReport,
    Emulator,
    MarkEcho,
    Playback,
    _extra_properties,
    _parameter,
    _press,
    _sid,
    _wss,
    main,
)

SILENT = bytes([ULAW_SILENCE])


@pytest.mark.parametrize(
    ("status", "body", "cause"),
    [
        (403, b"X-Twilio-Signature does not match", "signature"),
        (403, b"Forbidden", "path"),
        (404, b"", "path"),
        (503, b"draining", "draining"),
        (500, b"boom", "other"),
    ],
)
def test_the_cause_of_a_refusal(status: int, body: bytes, cause: str) -> None:
    refused = CallRefused(status, body)
    assert (refused.status, refused.body, refused.cause) == (status, body, cause)
    assert str(refused).startswith(f"HTTP {status}")


def test_the_message_quotes_the_body_briefly() -> None:
    assert str(CallRefused(404)) == (
        "HTTP 404; no WebSocket route at this path, most likely: check the URL's path"
    )
    assert str(CallRefused(500, b"  x" * 100 + b"\n")).startswith("HTTP 500: x  x")
    assert CallRefused(401, b"missing Authorization\n").cause == "credentials"
    assert CallRefused(403, b"invalid X-Api-Key\n").cause == "credentials"
    assert CallRefused(403, b"invalid X-Twilio-Signature\n").cause == "signature"
    assert len(str(CallRefused(500, b"y" * 1000))) < 260


@given(status=st.integers(100, 599), body=st.binary(max_size=300))
def test_any_refusal_has_a_cause_and_a_message(status: int, body: bytes) -> None:
    refused = CallRefused(status, body)
    assert refused.cause in ("signature", "credentials", "path", "draining", "other")
    assert str(refused).startswith(f"HTTP {status}")


def test_a_mark_echo_is_a_value() -> None:
    assert MarkEcho("m", False, 20) == MarkEcho("m", False, 20)
    with pytest.raises(AttributeError):
        MarkEcho("m", False, 20).name = "n"  # type: ignore[misc]


# -- the report ------------------------------------------------------------------------------


def test_the_report_is_ok_only_when_the_server_ends_a_completed_call() -> None:
    report = CallReport("MZ1", "CA1", "AC1", completed=True, closed_by="server", close_code=1000)
    assert report.ok
    assert not CallReport("MZ1", "CA1", "AC1", closed_by="server", close_code=1000).ok
    report.rejected.append("31951 invalid message")
    assert not report.ok
    assert not CallReport("MZ1", "CA1", "AC1", completed=True, closed_by="emulator").ok


def test_the_summary_tells_what_happened() -> None:
    report = CallReport(
        "MZ1",
        "CA1",
        "AC1",
        media_frames=50,
        audio_received=b"x" * WIRE_RATE,
        recording=SILENT * 4000 + b"x" * 4000,
        marks=[MarkEcho("a", False, 500), MarkEcho("b", True, 900)],
        clears=1,
        rejected=["31950 binary frame of 3 bytes"],
        duration_ms=1000,
        closed_by="network",
    )
    assert report.summary().splitlines()[:5] == [
        "call CA1 stream MZ1: 1.00 s, 50 media frames sent",
        "received 1000 ms of audio; about 500 ms of it non-silent on the caller's side; 1 clear(s)",
        "mark 'a' played at 0.50 s",
        "mark 'b' cleared at 0.90 s",
        "rejected: 31950 binary frame of 3 bytes",
    ]


# -- the playback buffer ----------------------------------------------------------------------


def test_audio_plays_in_real_time_from_when_it_arrives() -> None:
    playback = Playback()
    assert playback.idle and playback.end == 0
    assert playback.audio(b"a" * 100, now=50) == []
    assert not playback.idle and playback.end == 150
    playback.advance(100)
    assert playback.timeline == SILENT * 50 + b"a" * 50
    assert playback.finish(200) == SILENT * 50 + b"a" * 100 + SILENT * 50
    assert playback.idle


def test_audio_queued_behind_audio_plays_after_it() -> None:
    playback = Playback()
    playback.audio(b"a" * 100, now=0)
    playback.audio(b"b" * 100, now=10)  # arrives while the first still plays
    assert playback.end == 200
    assert playback.finish(200) == b"a" * 100 + b"b" * 100


def test_a_mark_is_reached_once_the_audio_before_it_has_played() -> None:
    playback = Playback()
    assert playback.mark("idle", now=0) == ["idle"]  # nothing buffered: echoed at once
    playback.audio(b"a" * 100, now=0)
    assert playback.mark("m1", now=10) == []
    playback.audio(b"b" * 100, now=20)
    assert playback.mark("m2", now=30) == []
    assert playback.advance(99) == []
    assert playback.advance(100) == ["m1"]
    assert playback.audio(b"", now=250) == ["m2"]
    assert playback.idle


def test_clear_drops_the_buffer_and_hands_back_the_pending_marks() -> None:
    playback = Playback()
    playback.audio(b"a" * 100, now=0)
    playback.mark("m1", now=0)
    playback.audio(b"b" * 100, now=0)
    playback.mark("m2", now=0)
    assert playback.clear(now=150) == (["m1"], ["m2"])
    assert playback.idle
    # Cleared audio is absent from the timeline: silence from the clear on.
    assert playback.finish(300) == b"a" * 100 + b"b" * 50 + SILENT * 150


def test_new_audio_after_a_gap_starts_when_it_arrives() -> None:
    playback = Playback()
    playback.audio(b"a" * 10, now=0)
    playback.audio(b"b" * 10, now=100)
    assert playback.finish(110) == b"a" * 10 + SILENT * 90 + b"b" * 10


_events = st.lists(
    st.one_of(
        st.tuples(st.just("audio"), st.integers(0, 400)),
        st.tuples(st.just("mark"), st.integers(0, 0)),
        st.tuples(st.just("clear"), st.integers(0, 0)),
    ),
    max_size=30,
)


@given(events=_events, gaps=st.lists(st.integers(0, 300), min_size=30, max_size=30))
def test_every_mark_comes_back_once_and_the_timeline_keeps_time(
    events: list[tuple[str, int]], gaps: list[int]
) -> None:
    playback = Playback()
    now, sent, returned = 0, list[str](), list[str]()
    for (kind, size), gap in zip(events, gaps, strict=False):
        now += gap
        if kind == "audio":
            returned += playback.audio(b"x" * size, now)
        elif kind == "mark":
            sent.append(f"m{len(sent)}")
            returned += playback.mark(sent[-1], now)
        else:
            reached, pending = playback.clear(now)
            returned += reached + pending
        assert playback.end >= now or playback.idle
    end = max(now, playback.end)
    returned += playback.advance(end)
    timeline = playback.finish(end)
    assert returned == sent  # in order, each once
    assert len(timeline) == end
    assert timeline.count(b"x") <= sum(size for kind, size in events if kind == "audio")


# -- what the server sends, the call's ids and URL ---------------------------------------------


def test_extra_properties_are_found_at_every_depth() -> None:
    known = {"event": None, "media": {"payload": None}, "mark": {"name": None}}
    frame = {"event": "media", "media": {"payload": "", "track": "x"}, "extra": 1, "mark": "m"}
    assert _extra_properties(frame, known, "$") == ["$.media.track", "$.extra"]
    assert _extra_properties({"event": "x"}, known, "$") == []


def test_ids_and_the_signed_url() -> None:
    sid = _sid("MZ")
    assert sid.startswith("MZ") and len(sid) == 34 and int(sid[2:], 16) >= 0
    assert _sid("CA") != _sid("CA")
    assert _wss("ws://host:8080/media?x=1") == "wss://host:8080/media?x=1"
    assert _wss("wss://host/") == "wss://host/"
    assert _wss("host/path") == "wss://host/path"


# -- the command line --------------------------------------------------------------------------


def test_key_presses_and_parameters_are_parsed() -> None:
    assert _press("5@1.5") == ("5", 1.5)
    assert _press("#@0") == ("#", 0.0)
    assert _parameter("a=b=c") == ("a", "b=c")
    assert _parameter("empty=") == ("empty", "")
    for bad in ("55@1", "x@1", "5", "5@soon"):
        with pytest.raises(argparse.ArgumentTypeError, match="DIGIT@SECONDS"):
            _press(bad)
    for bad in ("novalue", "=value"):
        with pytest.raises(argparse.ArgumentTypeError, match="NAME=VALUE"):
            _parameter(bad)


def test_a_key_press_after_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = tmp_path / "in.wav"
    write_wav(wav, b"\0\0" * WIRE_RATE, WIRE_RATE)  # one second
    with pytest.raises(SystemExit) as exit_:
        main(["ws://127.0.0.1:9/", "--play", str(wav), "--dtmf", "1@2"])
    assert exit_.value.code == 2
    assert "the input lasts 1.00 s" in capsys.readouterr().err


def test_an_unreadable_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = tmp_path / "in.wav"
    wav.write_bytes(b"not a wav file")
    with pytest.raises(SystemExit) as exit_:
        main(["ws://127.0.0.1:9/", "--play", str(wav)])
    assert exit_.value.code == 2


# -- placing the call --------------------------------------------------------------------------


def _call(handler: object, *, refuse: int | None = None, **options: object) -> CallReport:
    async def reject(_: ServerConnection, request: Request) -> Response | None:
        if refuse is None:
            return None
        return Response(refuse, "no", Headers(), b"X-Twilio-Signature does not match")

    async def run() -> CallReport:
        async with serve(handler, "127.0.0.1", 0, process_request=reject) as running:  # type: ignore[arg-type]
            port = next(iter(running.sockets)).getsockname()[1]
            audio = SILENT * FRAME_BYTES
            return await Emulator(f"ws://127.0.0.1:{port}/", audio, **options).run()  # type: ignore[arg-type]

    return asyncio.run(run())


def test_a_refused_upgrade_says_why() -> None:
    async def nothing(ws: ServerConnection) -> None:
        await ws.wait_closed()

    with pytest.raises(CallRefused) as refused:
        _call(nothing, refuse=403, auth_token="secret")
    assert refused.value.cause == "signature"


def test_who_closed_the_call() -> None:
    async def hang_up(ws: ServerConnection) -> None:
        await ws.close(1000, "done")

    report = _call(hang_up, fast=True, linger=0.04)
    assert (report.closed_by, report.close_code, report.close_reason) == ("server", 1000, "done")

    async def say_nothing(ws: ServerConnection) -> None:
        await ws.wait_closed()

    report = _call(say_nothing, fast=True, linger=0.04)
    assert report.completed and report.closed_by == "emulator" and report.close_code == 1000
    # With ``fast`` the caller lingers one frame of the call's clock: nothing plays, all is quiet.
    assert report.duration_ms == 20 and report.recording == SILENT * FRAME_BYTES
