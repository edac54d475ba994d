"""What every adapter shares to run a server: the calls in progress, graceful drain, signals,
and the answers to ``GET /healthz`` and ``GET /metrics``.

Drain, on SIGTERM or SIGINT or ``await server.drain()``: new calls are refused with HTTP 503
and ``/healthz`` answers 503, so load balancers stop sending calls; calls in progress run to
their natural end; those still open after ``drain_timeout`` seconds are closed with 1001 and a
reason, and their pending marks resolve as cleared; then the server stops listening and
``serve_forever`` returns, so the process can exit 0. A second signal during a drain closes the
remaining calls at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from .handler import GOING_AWAY
from .session import Session, Tally

if TYPE_CHECKING:
    from .handler import Call, Driver
    from .metrics import Exporter

__all__ = ["HEALTH_PATH", "METRICS_PATH", "Calls", "Server", "http_answer"]

log = logging.getLogger(__name__)

#: Plain HTTP GET paths every adapter answers.
HEALTH_PATH, METRICS_PATH = "/healthz", "/metrics"
#: Seconds to wait for calls closed at the drain timeout to finish their closing handshake.
CLOSE_TIMEOUT = 5.0
#: Seconds between two sweeps for idle calls (and two metric syncs across processes).
SWEEP_SECONDS = 1.0
_TEXT = "text/plain; charset=utf-8"


class Calls:
    """The calls in progress on one server, its counters, and whether it is draining.

    Calls silent for ``idle_timeout`` seconds are closed with 1001. With ``metrics`` the
    sessions count frames and errors in ``tally``; the adapters count the rest here.
    """

    def __init__(self, idle_timeout: float | None, *, metrics: bool = True) -> None:
        self.idle_timeout = idle_timeout
        self.tally = Tally() if metrics else None
        #: Calls ended, by close code (1006: the connection dropped without a close frame).
        self.ended: Counter[int] = Counter()
        #: Upgrades refused, by reason: ``signature``, ``credentials`` or ``draining``.
        self.refused: Counter[str] = Counter()
        #: Handler callbacks that raised, by callback name.
        self.handler_errors: Counter[str] = Counter()
        #: Set once a drain started: new calls are refused, health answers 503.
        self.draining = False
        self._drivers: set[Driver] = set()
        self._empty = asyncio.Event()
        self._empty.set()
        self._exporter: Exporter | None = None

    def session(self, strict: bool) -> Session:
        """A session for a new call, counting into this server's tally."""
        return Session(strict=strict, tally=self.tally)

    def add(self, driver: Driver) -> None:
        self._drivers.add(driver)
        self._empty.clear()

    def discard(self, driver: Driver, code: int) -> None:
        """``driver``'s call ended with close ``code``."""
        if driver in self._drivers:
            self._drivers.discard(driver)
            self.ended[code] += 1
            if not self._drivers:
                self._empty.set()

    def __len__(self) -> int:
        return len(self._drivers)

    def __iter__(self) -> Iterator[Call]:
        return iter([driver.call for driver in self._drivers])

    async def close_all(self, code: int = GOING_AWAY, reason: str = "server shutting down") -> None:
        await asyncio.gather(*(driver.close(code, reason) for driver in list(self._drivers)))

    async def drain(self, timeout: float) -> None:
        """Refuse new calls, wait up to ``timeout`` seconds for those in progress to end, then
        close the rest with 1001 and wait for them to finish closing."""
        self.draining = True
        if self._drivers:
            log.info("draining: waiting up to %g s for %d call(s) to end", timeout, len(self))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._empty.wait(), timeout)
        if self._drivers:
            log.warning("drain timeout: closing %d call(s) with %d", len(self), GOING_AWAY)
            await self.close_all(GOING_AWAY, "server shutting down: drain timeout")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._empty.wait(), CLOSE_TIMEOUT)
        log.info("drained")

    async def watch(self) -> None:
        """Forever: close idle calls, one sweep a second at most (cheaper than a timer per
        frame), and keep metrics shared across processes up to date."""
        timeout = self.idle_timeout
        period = SWEEP_SECONDS if timeout is None else min(timeout / 4, SWEEP_SECONDS)
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            self._export()  # other processes may answer the scrapes: copy from the start
        while True:
            await asyncio.sleep(period)
            if timeout is not None:
                limit = time.monotonic() - timeout
                for driver in [d for d in self._drivers if d.last_active < limit and not d.closing]:
                    log.info("closing a call idle for more than %s s", timeout)
                    await driver.close(GOING_AWAY, "idle timeout")
            self.sync_metrics()

    def sync_metrics(self) -> None:
        """Copy the counters into the Prometheus metrics, if they are exported."""
        if self._exporter is not None:
            self._exporter.sync()

    def health(self) -> tuple[int, bytes]:
        """The status and body ``/healthz`` answers: 200, or 503 while draining."""
        state = "draining" if self.draining else "ok"
        return (503 if self.draining else 200), f"{state}: {len(self)} call(s)\n".encode()

    def metrics(self) -> tuple[int, str, bytes]:
        """The status, content type and body ``/metrics`` answers (Prometheus text format)."""
        if self.tally is None:
            return 404, _TEXT, b"metrics are turned off\n"
        exporter = self._export()
        if exporter is None:
            return 501, _TEXT, b"install prometheus-client to export metrics\n"
        return 200, *exporter.render()

    def _export(self) -> Exporter | None:
        """The exporter, made on first use; ``None`` without prometheus_client or metrics."""
        if self._exporter is None and self.tally is not None:
            try:
                from .metrics import Exporter  # noqa: PLC0415 (prometheus_client is optional)
            except ImportError:
                return None
            self._exporter = Exporter(self)
        return self._exporter


def http_answer(calls: Calls, path: str) -> tuple[int, str, bytes]:
    """The answer to a plain HTTP GET on the server's port: status, content type and body."""
    path = path.partition("?")[0]
    if path == HEALTH_PATH:
        status, body = calls.health()
        return status, _TEXT, body
    if path == METRICS_PATH:
        return calls.metrics()
    return 404, _TEXT, b"not found: this port serves WebSocket calls, /healthz and /metrics\n"


class Server:
    """A running server: its port, the calls in progress, and how to drain or stop it.

    Use as ``async with await serve(...) as server: await server.serve_forever()``. With
    ``handle_signals`` SIGTERM and SIGINT start a drain (a second one closes the calls at once);
    the handlers are removed when the server closes.
    """

    def __init__(
        self,
        port: int,
        calls: Calls,
        stop: Callable[[], Awaitable[None]],
        *,
        drain_timeout: float = 30.0,
        handle_signals: bool = True,
    ) -> None:
        self.port = port
        self.calls = calls
        self.drain_timeout = drain_timeout
        self._stop = stop
        self._watcher = asyncio.ensure_future(calls.watch())
        self._closed = asyncio.Event()
        self._tasks: set[asyncio.Future[None]] = set()
        self._signals: list[signal.Signals] = []
        if handle_signals:
            self._install_signal_handlers()

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self._signalled, sig)
            except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
                log.debug("cannot handle %s here; drain with server.drain()", sig.name)
                return
            self._signals.append(sig)

    def _signalled(self, sig: signal.Signals) -> None:
        if not self.calls.draining:
            log.info("%s: draining (up to %g s)", sig.name, self.drain_timeout)
            self._spawn(self.drain())
        else:
            log.warning("%s again: closing the remaining calls now", sig.name)
            self._spawn(self.calls.close_all())

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> None:
        """Drain (see the module docstring), then stop; ``timeout`` overrides ``drain_timeout``."""
        await self.calls.drain(self.drain_timeout if timeout is None else timeout)
        await self.close()

    async def close(self) -> None:
        """Stop at once: refuse new calls, close every call with 1001, wait until they are gone."""
        if self._closed.is_set():
            return
        self.calls.draining = True
        self._watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watcher
        await self._stop()
        self.calls.sync_metrics()
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            loop.remove_signal_handler(sig)
        self._signals.clear()
        self._closed.set()

    async def serve_forever(self) -> None:
        """Wait until the server has stopped (after a drain, or ``close()``)."""
        await self._closed.wait()

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
