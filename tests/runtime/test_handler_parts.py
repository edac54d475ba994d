"""The static parts of ``handler``, imported directly: playback results, the call's tasks and
the driver's closing, against stand-ins for the rendered session and socket."""

from __future__ import annotations

import asyncio
from typing import Any

from msgen.runtime import handler_parts
from msgen.runtime.handler_parts import AudioStream, Call, Driver, Handler, Playback, PlayResult


def test_close_codes() -> None:
    assert (handler_parts.NORMAL, handler_parts.GOING_AWAY) == (1000, 1001)
    assert (handler_parts.ABNORMAL, handler_parts.INTERNAL_ERROR) == (1006, 1011)


def test_playback_settles_once_with_what_was_heard() -> None:
    async def main() -> None:
        played = Playback("m1", start_ms=100, duration_ms=500)
        assert not played.done
        played._played()
        played._cut(300, "clear")  # too late: already settled
        assert await played == PlayResult(True, 500, 500, "played")

        cut = Playback("m2", start_ms=100, duration_ms=500)
        cut._cut(350, "clear")
        assert cut.result() == PlayResult(False, 250, 500, "clear")
        early = Playback("", 100, 500)
        early._cut(50, "stop")
        late = Playback("", 100, 500)
        late._cut(900, "closed")
        assert (early.result().heard_ms, late.result().heard_ms) == (0, 500)

    asyncio.run(main())


class _Session:
    """Stands in for the rendered session: frames to send, a state, events to return."""

    def __init__(self) -> None:
        self.state = object()
        self.outbox: list[str] = []
        self.sent: list[Any] = []
        self.closed = False

    def data_to_send(self) -> list[str]:
        out, self.outbox = self.outbox, []
        return out

    def send_frame(self, frame: Any) -> None:
        self.sent.append(frame)
        self.outbox.append(f"frame {frame}")

    def close(self) -> list[Any]:
        self.closed = True
        return []


class _Link:
    def __init__(self) -> None:
        self.frames: list[str] = []
        self.closes: list[tuple[int, str]] = []

    async def send(self, text: str) -> None:
        self.frames.append(text)

    async def close(self, code: int, reason: str) -> None:
        self.closes.append((code, reason))


def _call() -> tuple[Call, _Session, _Link]:
    session, link = _Session(), _Link()
    return Call(session, link, "/media", {"host": "x"}), session, link  # type: ignore[arg-type]


def test_call_sends_what_the_session_queues() -> None:
    async def main() -> None:
        call, session, link = _call()
        await call.send_frame("f")  # type: ignore[arg-type]
        assert session.sent == ["f"]
        assert link.frames == ["frame f"]
        await call.close(4000, "bye")
        assert link.closes == [(4000, "bye")]

    asyncio.run(main())


def test_call_cancels_its_tasks_and_reports_a_failing_one() -> None:
    async def main() -> None:
        call, _, _ = _call()
        failed: list[asyncio.Task[Any]] = []
        call._on_task_error = failed.append

        async def forever() -> None:
            await asyncio.Event().wait()

        async def boom() -> None:
            raise RuntimeError("boom")

        waiting = call.spawn(forever())
        broken = call.spawn(boom())
        assert call._spawned
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # done callbacks run a turn after the task ends
        assert failed == [broken]
        await call._cancel_tasks()
        assert waiting.cancelled()
        late = call.spawn(forever())  # spawned once the call has closed: cancelled at once
        await asyncio.sleep(0)
        assert late.cancelled()

    asyncio.run(main())


class _Calls:
    def __init__(self) -> None:
        self.running: list[Driver] = []
        self.ended: list[tuple[Driver, int]] = []

    def add(self, driver: Driver) -> None:
        self.running.append(driver)

    def discard(self, driver: Driver, code: int) -> None:
        self.ended.append((driver, code))


class _Closing(Handler):
    def __init__(self) -> None:
        self.closed = 0

    async def on_close(self, call: Call) -> None:
        self.closed += 1


def test_driver_closes_once_and_finishes_once() -> None:
    async def main() -> None:
        call, session, link = _call()
        handler, calls = _Closing(), _Calls()
        driver = Driver(handler, link, call, calls)  # type: ignore[arg-type]
        assert calls.running == [driver]
        await driver.close(1008, "é" * 100)
        await driver.close(1000, "again")
        assert len(link.closes) == 1
        code, reason = link.closes[0]
        assert code == 1008
        assert len(reason.encode()) <= 120
        await driver.finish(1000)
        await driver.finish(1000)
        assert session.closed
        assert handler.closed == 1
        assert calls.ended == [(driver, 1008)]  # the code this side sent

    asyncio.run(main())


def test_driver_without_close_frame_counts_abnormal() -> None:
    async def main() -> None:
        call, _, link = _call()
        calls = _Calls()
        driver = Driver(Handler(), link, call, calls)  # type: ignore[arg-type]
        await driver.finish(None)
        assert calls.ended == [(driver, handler_parts.ABNORMAL)]

    asyncio.run(main())


def test_audio_stream_yields_what_it_is_fed_until_it_ends() -> None:
    async def main() -> None:
        detached: list[AudioStream] = []
        stream = AudioStream(16000, detached.append)
        stream._feed(b"ab")
        stream._feed(b"")  # nothing decoded: nothing queued
        stream._feed(b"cd")

        async def read() -> list[bytes]:
            return [chunk async for chunk in stream]

        reader = asyncio.ensure_future(read())
        await asyncio.sleep(0)
        stream._feed(b"ef")  # wakes the waiting reader
        stream._end()
        stream._end()
        assert await reader == [b"ab", b"cd", b"ef"]
        assert detached == []

        closed = AudioStream(8000, detached.append)
        closed._feed(b"lost")
        closed.close()
        assert [chunk async for chunk in closed] == []
        assert detached == [closed]

    asyncio.run(main())


def test_call_audio_streams_end_with_the_call() -> None:
    async def main() -> None:
        call, _, _ = _call()
        stream = call.audio(16000)
        assert call._streams == [stream]
        stream.close()
        assert call._streams == []

    asyncio.run(main())
