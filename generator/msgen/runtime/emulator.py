"""The static parts of a package's ``emulator`` module: the call's clock and timeline, the
playback buffer, the checks of what the server sends, placing the call, and the command line.

``package/emulator.py.jinja`` keeps what the document decides (the docstrings naming messages and
the audio format, the frames the server may send, ``CallReport``, the frames the emulator sends
and the dispatch of those it receives) and includes these sections between those parts. What
follows a ``# msgen: end`` line stands in for the rendered parts, so the module imports,
type-checks and runs alone: ``Playback`` and the helpers can be tested directly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .codec import (
    FRAME_BYTES,
    ULAW_SILENCE,
    CodecError,
    read_wav,
    resample,
    ulaw_decode,
    ulaw_encode,
    write_wav,
)


def _credentials(url: str, secret: str) -> dict[str, str]:
    """Stands in for the rendered function: the upgrade headers that carry ``secret`` as the
    document's security scheme wants it."""
    return {}


#: Stands in for ``codec.WIRE_RATE``, the document's sample rate (here 8 kHz).
WIRE_RATE: Final = 8000

# msgen: section constants
#: Frame length in seconds, and in samples (one byte each).
FRAME_SECONDS = FRAME_BYTES / WIRE_RATE
#: With ``fast``: ping round trips after a frame (at most) while the server's answers keep
#: coming, and how long to wait for a pong before taking the server for one that ignores pings.
SETTLE_ROUNDS = 8
PONG_SECONDS = 5.0


# msgen: section refused
class CallRefused(Exception):
    """The server refused the WebSocket upgrade; ``cause`` says why, as far as can be told.

    ``signature``: a 403 whose body names a signature header (the adapters say so);
    ``credentials``: a 401, or a 403 naming what was missing or invalid;
    ``path``: a 404, or a 403 without that (frameworks answer 403 to a WebSocket on a path with no
    route); ``draining``: a 503; ``other``: anything else.
    """

    def __init__(self, status: int, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        text = body.decode("utf-8", "replace").strip()
        if status == 403 and "Signature" in text:
            self.cause = "signature"
            why = "the signature was refused: check --auth-token and the URL the server signs"
        elif status == 401 or (status == 403 and text.startswith(("invalid ", "missing "))):
            self.cause = "credentials"
            why = f"the credentials were refused ({text}): check --auth-token"
        elif status in (403, 404):
            self.cause = "path"
            why = "no WebSocket route at this path, most likely: check the URL's path"
        elif status == 503:
            self.cause = "draining"
            why = "the server is draining or unavailable: try again, or another instance"
        else:
            self.cause = "other"
            why = "the server refused the upgrade"
        detail = f": {text[:200]}" if text else ""
        super().__init__(f"HTTP {status}{detail}; {why}")


@dataclass(frozen=True, slots=True)
class MarkEcho:
    """A mark the emulator echoed: after its audio played, or at once because of a clear."""

    name: str
    cleared: bool
    at_ms: int


# msgen: end
@dataclass
class CallReport:
    """Stands in for the rendered report around the code below (its fields' comments and the
    end of ``summary`` name messages and the audio format)."""

    stream_sid: str
    call_sid: str
    account_sid: str
    media_frames: int = 0
    sent_at: list[float] = field(default_factory=list)
    audio_received: bytes = b""
    recording: bytes = b""
    marks: list[MarkEcho] = field(default_factory=list)
    clears: int = 0
    rejected: list[str] = field(default_factory=list)
    duration_ms: int = 0
    completed: bool = False
    closed_by: str = ""
    close_code: int | None = None
    close_reason: str = ""

    # msgen: section report
    @property
    def ok(self) -> bool:
        """The call completed, the server then closed with 1000, and nothing was rejected."""
        return (
            self.completed
            and (self.closed_by, self.close_code) == ("server", 1000)
            and not self.rejected
        )

    def summary(self) -> str:
        """A few lines for a person."""
        heard = sum(1 for b in self.recording if b != ULAW_SILENCE) * 1000 // WIRE_RATE
        lines = [
            f"call {self.call_sid} stream {self.stream_sid}: {self.duration_ms / 1000:.2f} s, "
            f"{self.media_frames} media frames sent",
            f"received {len(self.audio_received) * 1000 // WIRE_RATE} ms of audio; "
            f"about {heard} ms of it non-silent on the caller's side; {self.clears} clear(s)",
        ]
        for mark in self.marks:
            state = "cleared" if mark.cleared else "played"
            lines.append(f"mark {mark.name!r} {state} at {mark.at_ms / 1000:.2f} s")
        lines.extend(f"rejected: {problem}" for problem in self.rejected)
        code = "no close frame" if self.close_code is None else f"code {self.close_code}"
        reason = f" ({self.close_reason})" if self.close_reason else ""
        # msgen: end
        when = "after stop" if self.completed else "before stop: the call was cut short"
        if self.closed_by == "network":
            lines.append(f"the connection dropped {when}, without a close frame")
        else:
            lines.append(f"closed by the {self.closed_by} with {code}{reason}, {when}")
        return "\n".join(lines)


class Playback:
    """Twilio's playback buffer on the call's clock (in samples): audio plays in order at real
    time from when it arrives; a mark is reached once all audio before it has played."""

    def __init__(self) -> None:
        self._queue: deque[bytes | str] = deque()
        self._cursor = 0
        #: Everything played so far, mu-law, sample ``i`` heard at time ``i``.
        self.timeline = bytearray()

    # msgen: section playback
    @property
    def idle(self) -> bool:
        """Nothing left to play."""
        return not self._queue

    @property
    def end(self) -> int:
        """When the audio buffered now will have played."""
        return self._cursor + sum(len(x) for x in self._queue if isinstance(x, bytes))

    def advance(self, now: int) -> list[str]:
        """Play up to ``now``; return the marks reached, in order."""
        reached: list[str] = []
        while self._queue:
            head = self._queue[0]
            if isinstance(head, str):
                reached.append(head)
                self._queue.popleft()
                continue
            room = now - self._cursor
            if room <= 0:
                break
            piece = head[:room]
            if len(self.timeline) < self._cursor:
                self.timeline.extend(bytes([ULAW_SILENCE]) * (self._cursor - len(self.timeline)))
            self.timeline += piece
            self._cursor += len(piece)
            if len(piece) == len(head):
                self._queue.popleft()
            else:
                self._queue[0] = head[len(piece) :]
        return reached

    def audio(self, data: bytes, now: int) -> list[str]:
        """Queue audio arriving at ``now``; returns marks reached meanwhile."""
        reached = self.advance(now)
        if not self._queue:
            self._cursor = max(self._cursor, now)
        if data:
            self._queue.append(data)
        return reached

    def mark(self, name: str, now: int) -> list[str]:
        """Queue a mark arriving at ``now``; returns the marks to echo now (this one if idle)."""
        reached = self.advance(now)
        if self._queue:
            self._queue.append(name)
            return reached
        return [*reached, name]

    def clear(self, now: int) -> tuple[list[str], list[str]]:
        """Drop the buffer at ``now``: (marks reached before, pending marks to echo at once)."""
        reached = self.advance(now)
        pending = [x for x in self._queue if isinstance(x, str)]
        self._queue.clear()
        return reached, pending

    def finish(self, now: int) -> bytes:
        """The timeline up to ``now`` (trailing silence included)."""
        self.advance(now)
        if len(self.timeline) < now:
            self.timeline.extend(bytes([ULAW_SILENCE]) * (now - len(self.timeline)))
        return bytes(self.timeline)


# msgen: end
def load_audio(path: str | os.PathLike[str]) -> bytes:
    """Stands in for the rendered function (its docstring names the audio format)."""
    audio = read_wav(path)
    pcm = audio.pcm if audio.rate == WIRE_RATE else resample(audio.pcm, audio.rate, WIRE_RATE)
    return ulaw_encode(pcm)


# msgen: section helpers
def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _wss(url: str) -> str:
    """The URL as Twilio would sign it: always ``wss://``."""
    return "wss://" + url.split("://", 1)[-1]


def _extra_properties(value: Any, known: Mapping[str, Any], path: str) -> list[str]:
    found = []
    for key, item in value.items():
        if key not in known:
            found.append(f"{path}.{key}")
        elif isinstance(item, dict) and isinstance(known[key], dict):
            found.extend(_extra_properties(item, known[key], f"{path}.{key}"))
    return found


# msgen: end
class Emulator:
    """Stands in for the rendered class around the methods below."""

    # msgen: section clock
    def __init__(
        self,
        url: str,
        audio: bytes,
        *,
        dtmf: Sequence[tuple[str, float]] = (),
        parameters: Mapping[str, str] | None = None,
        fast: bool = False,
        auth_token: str | None = None,
        linger: float = 2.0,
    ) -> None:
        self.url = url
        self.audio = audio
        self.dtmf = sorted(dtmf, key=lambda press: press[1])
        self.parameters = dict(parameters or {})
        self.fast = fast
        self.auth_token = auth_token
        self.linger = linger
        self.report = CallReport(stream_sid=_sid("MZ"), call_sid=_sid("CA"), account_sid=_sid("AC"))
        self.playback = Playback()
        self._sequence = 0
        self._received = 0
        self._started = 0.0
        self._virtual = 0
        self._ended = 0
        self._pings = True
        self._lock = asyncio.Lock()

    # -- the clock -------------------------------------------------------------------------------

    def _now(self) -> int:
        """The call's clock in samples: wall time since start, or stream time with ``fast``
        (the audio sent, moved on only once the server has settled)."""
        if self.fast:
            return self._virtual
        elapsed = asyncio.get_running_loop().time() - self._started
        return int(elapsed * WIRE_RATE)

    async def _settle(self, ws: ClientConnection) -> None:
        """With ``fast``: wait until the server has read what was sent and answered it.

        A pong comes back once the server has read everything before its ping; its answers
        follow once its handler has had a turn. So: ping round trips until one, after the
        first, brings nothing new (at most ``SETTLE_ROUNDS``).
        """
        for round_ in range(SETTLE_ROUNDS):
            if not self._pings:
                await asyncio.sleep(0)  # let the replies in
                return
            heard = self._received
            pong = await ws.ping()
            try:
                await asyncio.wait_for(pong, PONG_SECONDS)
            except TimeoutError:
                self._pings = False  # a server that ignores pings: as fast as it takes frames
                return
            await asyncio.sleep(0)  # the receiver takes what came before the pong
            if round_ > 0 and self._received == heard:
                return

    # -- sending ---------------------------------------------------------------------------------

    # msgen: end
    async def _echo(self, ws: ClientConnection, names: list[str], *, cleared: bool) -> None:
        """Stands in for the rendered method: records the marks (the real one echoes them)."""
        at_ms = self._now() * 1000 // WIRE_RATE
        self.report.marks.extend(MarkEcho(name, cleared, at_ms) for name in names)

    async def _stream(self, ws: ClientConnection) -> None:
        """Stands in for the rendered method that sends the call's frames."""
        await self._drain(ws)
        self._ended = self._now()
        self.report.completed = True

    # msgen: section drain
    async def _drain(self, ws: ClientConnection) -> None:
        """Stay on the line until the bot's audio has played and it has gone quiet, for at most
        ``linger`` seconds of the call's clock."""
        if self.fast:
            for _ in range(round(self.linger / FRAME_SECONDS)):
                heard = self._received
                self._virtual += FRAME_BYTES
                await self._settle(ws)
                await self._echo(ws, self.playback.advance(self._now()), cleared=False)
                if self.playback.idle and self._received == heard:
                    return
            return
        deadline = asyncio.get_running_loop().time() + self.linger
        while asyncio.get_running_loop().time() < deadline:
            heard = self._received
            await asyncio.sleep(FRAME_SECONDS)
            await self._echo(ws, self.playback.advance(self._now()), cleared=False)
            if self.playback.idle and self._received == heard:
                return

    # -- receiving -------------------------------------------------------------------------------

    def _reject(self, code: int, problem: str) -> None:
        self.report.rejected.append(f"{code} {problem}")

    async def _receive(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):  # however the call ends, the report stands
            await self._receive_frames(ws)

    # msgen: end
    async def _receive_frames(self, ws: ClientConnection) -> None:
        """Stands in for the rendered method: takes every frame, checks none."""
        async for _ in ws:
            self._received += 1

    # msgen: section run
    # -- the call --------------------------------------------------------------------------------

    async def run(self) -> CallReport:
        """Place the call and return what happened; ``CallRefused`` if the upgrade fails."""
        headers = {} if self.auth_token is None else _credentials(self.url, self.auth_token)
        try:
            ws = await connect(
                self.url, additional_headers=headers, compression=None, max_size=None
            )
        except InvalidStatus as exc:
            raise CallRefused(exc.response.status_code, bytes(exc.response.body)) from None
        async with ws:
            receiver = asyncio.ensure_future(self._receive(ws))
            try:
                await self._stream(ws)
                # Twilio closes about a millisecond after stop; give the server a moment first.
                await asyncio.wait_for(asyncio.shield(receiver), timeout=1.0)
            except (ConnectionClosed, TimeoutError):
                pass
            await ws.close()
            await receiver
        protocol = ws.protocol
        report = self.report
        ended = self._ended or self._now()  # the server may have hung up before stop
        report.duration_ms = ended * 1000 // WIRE_RATE
        report.recording = self.playback.finish(ended)
        if protocol.close_rcvd is not None and (
            protocol.close_sent is None or protocol.close_rcvd_then_sent
        ):
            report.closed_by = "server"
        else:
            report.closed_by = "emulator" if protocol.close_sent is not None else "network"
        if protocol.close_rcvd is not None:
            report.close_code = protocol.close_rcvd.code
            report.close_reason = protocol.close_rcvd.reason
        return report


# msgen: section cli
def _press(text: str) -> tuple[str, float]:
    digit, _, seconds = text.partition("@")
    if digit not in set("0123456789*#") or len(digit) != 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected DIGIT@SECONDS, DIGIT one of 0-9 * #")
    try:
        return digit, float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected DIGIT@SECONDS") from None


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=VALUE")
    return name, value


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    # msgen: end
    parser = argparse.ArgumentParser(prog="python -m package.emulator")
    # msgen: section main
    parser.add_argument("url", help="the server's WebSocket URL, ws:// or wss://")
    parser.add_argument("--play", required=True, help="WAV file spoken by the caller")
    parser.add_argument("--record", help="write what the caller heard to this WAV file")
    parser.add_argument("--dtmf", type=_press, action="append", default=[], metavar="DIGIT@SECONDS")
    parser.add_argument(
        "--param", type=_parameter, action="append", default=[], metavar="NAME=VALUE"
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="faster than real time: each frame goes out once the server has answered the one "
        "before (a ping round trip); the report stays on the call's timeline, as in real time, "
        "for a bot that answers at once (one that waits on a speech engine or the network "
        "answers later in the call than in real time)",
    )
    parser.add_argument(
        "--linger",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how long to wait for the bot's audio after the input, on the call's "
        "clock (default 2)",
    )
    parser.add_argument(
        "--auth-token",
        default=os.environ.get("TWILIO_AUTH_TOKEN"),
        help="sign the upgrade like Twilio (default: $TWILIO_AUTH_TOKEN)",
    )
    args = parser.parse_args(argv)
    try:
        audio = load_audio(args.play)
    except CodecError as exc:
        parser.error(str(exc))
    seconds = len(audio) / WIRE_RATE
    for digit, at in args.dtmf:
        if not 0 <= at < seconds:
            parser.error(f"--dtmf {digit}@{at}: the input lasts {seconds:.2f} s")
    emulator = Emulator(
        args.url,
        audio,
        dtmf=args.dtmf,
        parameters=dict(args.param),
        fast=args.fast,
        auth_token=args.auth_token,
        linger=args.linger,
    )
    try:
        report = asyncio.run(emulator.run())
    except (CallRefused, InvalidHandshake, OSError) as exc:
        print(f"call failed: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    if args.record:
        write_wav(args.record, ulaw_decode(report.recording), WIRE_RATE)
        print(f"recorded {len(report.recording) / WIRE_RATE:.2f} s to {args.record}")
    return 0 if report.ok else 1
