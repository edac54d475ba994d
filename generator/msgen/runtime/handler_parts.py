"""The static parts of a package's ``handler`` module: the call and the connection driver every
adapter uses.

``package/handler.py.jinja`` includes these sections between the parts it renders per document
(callbacks, lifecycle and playback helpers, docstrings naming messages). What follows a
``# msgen: end`` line stands in for those rendered parts, so the module imports and type-checks
alone; ``handler.pyi`` takes the classes from here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable, Coroutine, Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from .frames import OutboundFrame
    from .serving import Calls
    from .session import MarkCleared, MarkPlayed, ProtocolError, Session, State, Violation

# msgen: section constants
log = logging.getLogger(__name__)

#: WebSocket close codes the adapters use; 1006 stands for a connection lost without a close frame.
NORMAL, GOING_AWAY, ABNORMAL, INTERNAL_ERROR = 1000, 1001, 1006, 1011

#: How long a closing call waits for its spawned tasks to finish being cancelled.
TASK_GRACE_SECONDS = 5.0

_T = TypeVar("_T")
# msgen: end
_ENDED: frozenset[State] = frozenset()


class Link(Protocol):
    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class InboundAudio:
    """Stands in for ``codec.InboundAudio``: the frames here are PCM already."""

    def __init__(self, rate: int) -> None:
        self.rate = rate

    def process(self, frame: bytes) -> bytes:
        return frame

    def flush(self) -> bytes:
        return b""


class AudioStream:
    """Stands in for the rendered class around the code below."""

    # msgen: section audio_stream_init
    def __init__(self, rate: int, detach: Callable[[AudioStream], None]) -> None:
        self.rate = rate
        self._decoder = InboundAudio(rate)
        self._chunks: deque[bytes] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._ended = False
        self._detach = detach

    # msgen: end
    def _feed(self, frame: bytes) -> None:
        # msgen: section audio_stream
        pcm = self._decoder.process(frame)
        if pcm:
            self._chunks.append(pcm)
            self._wake()

    def _end(self) -> None:
        """The caller's audio ended: what the resampler holds comes last."""
        if not self._ended:
            tail = self._decoder.flush()
            if tail:
                self._chunks.append(tail)
            self._ended = True
            self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def close(self) -> None:
        """Stop listening: chunks not read yet are dropped and iteration ends."""
        self._chunks.clear()
        self._ended = True
        self._wake()
        self._detach(self)

    def __aiter__(self) -> AudioStream:
        return self

    async def __anext__(self) -> bytes:
        while not self._chunks:
            if self._ended:
                raise StopAsyncIteration
            self._wakeup = asyncio.get_running_loop().create_future()
            await self._wakeup
        return self._chunks.popleft()


# msgen: section playback
@dataclass(frozen=True, slots=True)
class PlayResult:
    """How audio queued with ``Call.play`` ended.

    ``played``: it played to the end (its mark came back). Otherwise it was cut short:
    ``reason`` is ``"clear"`` (``Call.interrupt``), ``"stop"`` (the stream stopped) or
    ``"closed"`` (the socket closed), and ``heard_ms`` is how much of it the caller heard, as
    estimated on the call's clock (see ``Session.played_ms``).
    """

    played: bool
    heard_ms: int
    duration_ms: int
    reason: Literal["played", "clear", "stop", "closed"]


class Playback:
    """Audio queued by ``Call.play``: ``await`` it for its ``PlayResult``.

    Await it in a task (``Call.spawn``), not in a callback: callbacks run one at a time, so the
    mark's echo would wait for the very callback waiting for it. ``mark`` names the mark sent
    behind the audio ("" if none was: the call was over, or interrupted while sending);
    ``start_ms`` is where the audio starts in the call's outbound audio (``Call.sent_ms``).
    """

    __slots__ = ("_result", "duration_ms", "mark", "start_ms")

    def __init__(self, mark: str, start_ms: int, duration_ms: int) -> None:
        self.mark = mark
        self.start_ms = start_ms
        self.duration_ms = duration_ms
        self._result: asyncio.Future[PlayResult] = asyncio.get_running_loop().create_future()

    @property
    def done(self) -> bool:
        """Whether it has played or been cut short."""
        return self._result.done()

    def result(self) -> PlayResult:
        """How it ended; ``asyncio.InvalidStateError`` while it is still playing."""
        return self._result.result()

    def __await__(self) -> Generator[Any, None, PlayResult]:
        return self._result.__await__()

    def _played(self) -> None:
        self._settle(PlayResult(True, self.duration_ms, self.duration_ms, "played"))

    def _cut(self, played_ms: int, reason: Literal["clear", "stop", "closed"]) -> None:
        """Cut short when playback had got to ``played_ms`` of the call's outbound audio."""
        heard = min(max(played_ms - self.start_ms, 0), self.duration_ms)
        self._settle(PlayResult(False, heard, self.duration_ms, reason))

    def _settle(self, result: PlayResult) -> None:
        if not self._result.done():
            self._result.set_result(result)


# msgen: end
class Call:
    """Stands in for the rendered class around the methods below."""

    # msgen: section call_init
    def __init__(self, session: Session, link: Link, path: str, headers: Mapping[str, str]) -> None:
        self.session = session
        self._link = link
        #: The path and headers (lower-case names) of the upgrade request.
        self.path = path
        self.headers = headers
        self._tasks: set[asyncio.Task[Any]] = set()
        #: A task was spawned since the last frame: it gets to start before the next one.
        self._spawned = False
        self._tasks_cancelled = False
        #: Called with a spawned task that raised (the adapter closes the call with 1011).
        self._on_task_error: Callable[[asyncio.Task[Any]], None] = _log_task_error
        # msgen: end
        self._streams: list[AudioStream] = []
        self._playing: dict[str, Playback] = {}
        self._interrupts = 0
        self._cut_ms = 0

    @property
    def ended(self) -> bool:
        return self.session.state in _ENDED

    # msgen: section call_tasks
    async def _flush(self) -> None:
        for text in self.session.data_to_send():
            await self._link.send(text)

    async def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Close the socket; ``on_close`` follows once it is closed."""
        await self._link.close(code, reason)

    def spawn(self, coroutine: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        """Run ``coroutine`` as a task of this call, cancelled (and awaited) when the call
        closes, before ``on_close``. It starts before the next frame is handled, so a task that
        opens ``audio()`` before awaiting anything misses no frame; at the end, a task woken by
        the end of ``audio()`` gets a turn before it is cancelled. If it raises, the error is
        logged and the call closed with 1011, as when a callback raises. Spawned once the call
        has closed (in ``on_close``), it is cancelled at once."""
        task = asyncio.ensure_future(coroutine)
        if self._tasks_cancelled:  # spawned from on_close: the call's tasks are over
            task.cancel()
            return task
        self._spawned = True
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._on_task_error(task)

    async def _cancel_tasks(self) -> None:
        self._tasks_cancelled = True
        if not self._tasks:
            return
        await asyncio.sleep(0)  # tasks woken by the end of the call's audio see it first
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=TASK_GRACE_SECONDS)

    async def send_frame(self, frame: OutboundFrame) -> None:
        """Send any outbound frame (validated; see ``Session.send_frame``)."""
        if self.ended:
            return
        self.session.send_frame(frame)
        await self._flush()

    # msgen: section call_audio
    # -- the caller's audio ------------------------------------------------------------------

    def audio(self, rate: int = 16000) -> AudioStream:
        """The caller's audio from the next media frame on, as PCM16 at ``rate`` Hz (any whole
        rate from 1 to 384 kHz): ``async for pcm in call.audio(16000)``. See ``AudioStream``.

        Each call makes a new stream with its own resampler; a stream opened once the call is
        over is empty.
        """
        stream = AudioStream(rate, self._detach)
        if self.ended:
            stream._end()
        else:
            self._streams.append(stream)
        return stream

    def _detach(self, stream: AudioStream) -> None:
        if stream in self._streams:
            self._streams.remove(stream)

    # msgen: section play
    async def play(self, audio: bytes | AsyncIterable[bytes], rate: int) -> Playback:
        """Play 16-bit mono PCM at ``rate`` Hz, with a mark behind it; ``await`` the returned
        ``Playback`` for how it ended (a ``PlayResult``: played, or cut short and how much the
        caller heard).

        ``audio`` is one buffer, or chunks as a speech engine streams them (an async iterable):
        they are sent as they come, as one continuous stream, and this returns once the last
        one is sent. ``interrupt`` stops the sending at the next chunk. Once the call is over,
        nothing is sent and the playback is already cut short.
        """
        start = self.sent_ms
        generation = self._interrupts
        if isinstance(audio, bytes | bytearray | memoryview):
            if not self.ended:
                self.session.send_audio(bytes(audio), rate)
        else:
            async for chunk in audio:
                if self.ended or self._interrupts != generation:
                    break
                self.session.send_audio(chunk, rate)
                await self._flush()
        if self.ended or self._interrupts != generation:
            playback = Playback("", start, self.sent_ms - start)
            if self.ended:
                playback._cut(self.played_ms, "closed")
            else:
                playback._cut(self._cut_ms, "clear")
            return playback
        mark = self.session.mark()
        playback = Playback(mark, start, self.sent_ms - start)
        self._playing[mark] = playback
        await self._flush()
        return playback

    # msgen: section call_progress
    @property
    def is_speaking(self) -> bool:
        """Whether audio sent is still playing."""
        return self.session.is_speaking

    @property
    def sent_ms(self) -> int:
        """Milliseconds of audio sent so far."""
        return self.session.sent_ms

    @property
    def played_ms(self) -> int:
        """How far playback has got, in ms of the audio sent (see ``Session.played_ms``)."""
        return self.session.played_ms

    # msgen: section call_mark
    async def mark(self, name: str | None = None) -> str:
        """Send a mark behind the audio sent so far; it resolves as played or cleared.

        Returns its name (``name``, or one made up); once the call is over nothing is sent and
        the name is returned as given ("" if none).
        """
        if self.ended:
            return name or ""
        name = self.session.mark(name)
        await self._flush()
        return name

    # msgen: end
    async def interrupt(self) -> int:
        """Barge-in: the caller stops hearing the audio not played yet."""
        # msgen: section call_interrupt
        if self.ended:
            return self.played_ms
        played = self._cut_ms = self.session.clear()
        self._interrupts += 1
        playing, self._playing = self._playing, {}
        for playback in playing.values():
            playback._cut(played, "clear")
        await self._flush()
        return played

    async def clear(self) -> int:
        """The protocol's name for ``interrupt``."""
        return await self.interrupt()

    def _settle(self, event: MarkPlayed | MarkCleared) -> None:
        playback = self._playing.pop(event.name, None)
        if playback is None:
            return  # a mark sent with ``mark``, or one ``interrupt`` already settled
        if isinstance(event, MarkPlayed):
            playback._played()
        else:
            playback._cut(self.played_ms, event.reason)

    @property
    def pending_marks(self) -> tuple[str, ...]:
        """Marks sent and not resolved yet, oldest first."""
        return self.session.pending_marks


# msgen: end


def _log_task_error(task: asyncio.Task[Any]) -> None:
    log.error("call task %s failed", task.get_name(), exc_info=task.exception())


class Handler:
    async def on_open(self, call: Call) -> None:
        """The connection is up."""

    async def on_close(self, call: Call) -> None:
        """The socket is closed."""


_Callback = Callable[[Call, Any], Awaitable[None]]
_CALLBACKS: dict[type[Any], str] = {}


# msgen: section driver
class Driver:
    """Runs one connection for an adapter: frames into the session, events to the handler.

    Adapters call ``open`` once the socket is up, ``text``/``binary`` per frame and ``finish``
    once it is closed, and stop reading when ``closing`` is set. ``calls`` (the server's)
    registers the call while it runs and counts how it ended.
    """

    def __init__(
        self, handler: Handler, link: Link, call: Call, calls: Calls | None = None
    ) -> None:
        self.call = call
        self._session = call.session
        self._handler = handler
        self._link = link
        self._calls = calls
        self.closing = False
        self._finished = False
        #: The close code this side sent, if it closed first.
        self.close_code: int | None = None
        self.last_active = time.monotonic()
        base = type(handler)
        # Only overridden callbacks are called: the defaults do nothing.
        self._callbacks: dict[type[Any], _Callback] = {
            kind: getattr(handler, name)
            for kind, name in _CALLBACKS.items()
            if getattr(base, name) is not getattr(Handler, name)
        }
        call._on_task_error = self._task_failed
        if calls is not None:
            calls.add(self)

    async def open(self) -> None:
        """The connection is up: ``on_open``, if the handler has one, before any frame."""
        handler = self._handler
        if type(handler).on_open is Handler.on_open:
            return
        try:
            await handler.on_open(self.call)
        except Exception:
            await self._failed(handler.on_open)

    async def text(self, data: str | bytes) -> None:
        """One text frame's payload."""
        self.last_active = time.monotonic()
        if self.closing:
            return
        if self.call._spawned:
            # Tasks spawned by the last callback start first: one opening ``call.audio()``
            # before it awaits anything hears this frame.
            self.call._spawned = False
            await asyncio.sleep(0)
        try:
            events = self._session.receive(data)
        except ProtocolError as exc:
            await self._fail(exc)
            return
        if len(events) == 1:  # the usual case, without the loop's own coroutine
            event = events[0]
            self._observe(event)
            callback = self._callbacks.get(type(event))
            if callback is not None:
                try:
                    await callback(self.call, event)
                except Exception:
                    await self._failed(callback)
        else:
            await self._dispatch(events)
        # msgen: end

    async def binary(self, data: bytes) -> None:
        """One binary frame's payload."""
        # msgen: section driver_binary
        self.last_active = time.monotonic()
        if self.closing:
            return
        try:
            events = self._session.receive_binary(data)
        except ProtocolError as exc:
            await self._fail(exc)
            return
        await self._dispatch(events)

    async def _fail(self, error: ProtocolError) -> None:
        log.info("protocol error, closing with %d: %s", error.close_code, error)
        await self._dispatch([Violation(error)])
        await self.close(error.close_code, str(error))

    def _observe(self, event: Any) -> None:
        """What the call itself makes of an event, before the handler's callback sees it."""
        # msgen: end

    # msgen: section driver_dispatch
    async def _dispatch(self, events: list[Any]) -> None:
        for event in events:
            self._observe(event)
            callback = self._callbacks.get(type(event))
            if callback is None:
                continue
            try:
                await callback(self.call, event)
            except Exception:
                await self._failed(callback)
                return

    async def _failed(self, callback: Callable[..., Awaitable[None]]) -> None:
        name = getattr(callback, "__name__", repr(callback))
        log.exception("handler %s failed", name)
        if self._calls is not None:
            self._calls.handler_errors[name] += 1
        await self.close(INTERNAL_ERROR, "handler error")

    def _task_failed(self, task: asyncio.Task[Any]) -> None:
        """A task from ``Call.spawn`` raised: as a failing callback, the call closes with 1011."""
        _log_task_error(task)
        if self._calls is not None:
            self._calls.handler_errors["spawned task"] += 1
        if not self.closing:
            self.call.spawn(self.close(INTERNAL_ERROR, "handler error"))

    async def close(self, code: int, reason: str) -> None:
        """Close the socket (idempotent); the reason is cut to what a close frame can carry."""
        if self.closing:
            return
        self.closing = True
        self.close_code = code
        await self._link.close(code, reason.encode()[:120].decode(errors="ignore"))

    async def finish(self, code: int | None = None) -> None:
        """The socket is closed, with ``code`` as the adapter saw it (``None``: no close frame):
        resolve what is pending, then ``on_close``; idempotent."""
        if self._finished:
            return
        self._finished = True
        self.closing = True
        await self._dispatch(self._session.close())
        # msgen: section driver_finish
        await self.call._cancel_tasks()
        try:
            await self._handler.on_close(self.call)
        except Exception:
            log.exception("handler on_close failed")
        if self._calls is not None:
            if self.close_code is not None:
                code = self.close_code
            self._calls.discard(self, ABNORMAL if code is None else code)
