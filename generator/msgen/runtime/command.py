"""The serve command: a handler served from the command line, on one process or several.

The package's ``command`` module: its template renders the docstring, the temporary folder's
prefix and the parser's ``prog``, all with the package's name.
"""

# msgen: section head
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

from .handler import Handler
from .security import SCHEMES, configure
from .serving import CLOSE_TIMEOUT, Server

__all__ = ["Options", "load_handler", "main"]

log = logging.getLogger(__name__)

#: A worker that exits within this many seconds of its start counts as failing to start.
QUICK_EXIT = 2.0
#: Failed starts in a row after which the supervisor gives up.
MAX_QUICK_EXITS = 5
_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


class ServeError(Exception):
    """A mistake on the command line, said in one line."""


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    target: str
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    auth_token: str | None = None
    #: (scheme key, secret) pairs: the secrets of the document's security schemes to check.
    credentials: tuple[tuple[str, str], ...] = ()
    public_url: str | None = None
    drain_timeout: float = 30.0
    idle_timeout: float | None = 30.0
    fast: bool = False
    strict: bool = True
    log_level: str = "info"


def load_handler(target: str) -> Callable[[], Handler]:
    """The handler factory ``module:attribute`` names; ``ServeError`` if there is none."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ServeError(f"{target!r}: expected module:Handler, e.g. bot:Bot")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: object = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise  # the module exists but imports something missing: its traceback says what
        raise ServeError(f"{target!r}: no module named {exc.name!r}") from None
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ServeError(f"{target!r}: {module_name} has no attribute {attribute!r}") from None
    if isinstance(found, type) and not issubclass(found, Handler):
        raise ServeError(f"{target!r}: {found.__name__} is not a Handler subclass")
    if not callable(found):
        raise ServeError(f"{target!r}: not a Handler subclass or a callable returning one")
    factory: Callable[[], Handler] = found
    return factory


async def _serve(options: Options, handler: Callable[[], Handler], reuse_port: bool) -> None:
    if options.fast:
        from .picows_server import serve  # noqa: PLC0415 (picows is optional)
    else:
        from .server import serve  # noqa: PLC0415
    server = await serve(
        handler,
        options.host,
        options.port,
        strict=options.strict,
        credentials=dict(options.credentials),
        auth_token=options.auth_token,
        public_url=options.public_url,
        idle_timeout=options.idle_timeout,
        drain_timeout=options.drain_timeout,
        reuse_port=reuse_port,
    )
    log.info(
        "serving %s on ws://%s:%d/ (pid %d)", options.target, options.host, server.port, os.getpid()
    )
    orphan = asyncio.ensure_future(_drain_if_orphaned(server)) if reuse_port else None
    async with server:
        await server.serve_forever()
    if orphan is not None:
        orphan.cancel()


async def _drain_if_orphaned(server: Server) -> None:
    """A worker whose supervisor died drains and exits rather than serve on unsupervised."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1.0)
    log.warning("the supervisor is gone: draining")
    await server.drain()


def _run(options: Options, handler: Callable[[], Handler], reuse_port: bool) -> None:
    if options.fast:
        import uvloop  # noqa: PLC0415 (optional, like picows)

        uvloop.run(_serve(options, handler, reuse_port))
    else:
        asyncio.run(_serve(options, handler, reuse_port))


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
    )


def _worker(options: Options) -> None:
    """One worker process: its own process group, so that a terminal's Ctrl-C reaches the
    supervisor only, which passes one SIGTERM on."""
    os.setpgid(0, 0)
    _logging(options.log_level)
    _run(options, load_handler(options.target), reuse_port=True)


def _reserve_port(host: str) -> socket.socket:
    """A bound (not listening) SO_REUSEPORT socket on a free port, held so the workers can
    bind the same port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    holder = socket.socket(family, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind((host, 0))
    return holder


class _Supervisor:
    """Runs ``options.workers`` workers until a signal, restarting any that dies."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, tuple[BaseProcess, float]] = {}
        self._signals: list[int] = []
        self._quick_exits = 0

    def _start(self, slot: int) -> None:
        process = self._context.Process(target=_worker, args=(self.options,), daemon=False)
        process.start()
        self._workers[slot] = (process, time.monotonic())

    def _signalled(self, number: int, frame: FrameType | None) -> None:
        self._signals.append(number)

    def _forward(self) -> None:
        for process, _ in self._workers.values():
            if process.pid is not None and process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._signalled)
        for slot in range(self.options.workers):
            self._start(slot)
        forwarded = 0
        deadline = float("inf")
        failed = False
        while self._workers:
            if len(self._signals) > forwarded:
                if forwarded == 0:
                    log.info("draining %d worker(s)", len(self._workers))
                    deadline = time.monotonic() + self.options.drain_timeout + CLOSE_TIMEOUT + 5
                forwarded = len(self._signals)
                self._forward()
            if time.monotonic() > deadline:
                log.error("workers still running past the drain timeout: killing them")
                for process, _ in self._workers.values():
                    process.kill()
                deadline = float("inf")
            for slot, (process, started) in list(self._workers.items()):
                if process.is_alive():
                    continue
                process.join()
                _mark_dead(process.pid)
                del self._workers[slot]
                if forwarded:
                    failed |= process.exitcode != 0
                    continue
                log.warning(
                    "worker %s exited with %s: restarting it", process.pid, process.exitcode
                )
                quick = time.monotonic() - started < QUICK_EXIT
                self._quick_exits = self._quick_exits + 1 if quick else 0
                if self._quick_exits >= MAX_QUICK_EXITS:
                    log.error("workers keep failing to start: giving up")
                    self._signals.append(signal.SIGTERM)
                    failed = True
                    continue
                self._start(slot)
            sentinels = [process.sentinel for process, _ in self._workers.values()]
            if sentinels:
                wait(sentinels, timeout=0.2)
        log.info("all workers stopped")
        return 1 if failed else 0


def _mark_dead(pid: int | None) -> None:
    """Drop a dead worker's gauges from the shared metrics (its counters stay counted)."""
    if pid is None or _MULTIPROC_DIR not in os.environ:
        return
    try:
        from prometheus_client import multiprocess  # noqa: PLC0415 (optional)
    except ImportError:
        return
    mark: Callable[[int], None] = multiprocess.mark_process_dead  # untyped
    mark(pid)


def supervise(options: Options) -> int:
    """Serve with ``options.workers`` processes; returns the exit status."""
    holder = None
    if options.port == 0:
        holder = _reserve_port(options.host)
        options = dataclasses.replace(options, port=holder.getsockname()[1])
    made = None
    if _MULTIPROC_DIR not in os.environ:
        # msgen: end
        made = tempfile.mkdtemp(prefix="package-metrics-")
        # msgen: section supervise
        os.environ[_MULTIPROC_DIR] = made
    try:
        return _Supervisor(options).run()
    finally:
        if holder is not None:
            holder.close()
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    # msgen: end
    parser = argparse.ArgumentParser(
        prog="python -m package.serve", description=__doc__.split("\n\n")[0]
    )
    # msgen: section parser
    parser.add_argument("target", metavar="module:Handler", help="the handler to serve")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any)")
    parser.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    _security_arguments(parser)
    parser.add_argument("--public-url", help="the wss:// URL the peer connects to, if proxied")
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long calls may go on after SIGTERM (default 30)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="close calls silent this long (default 30; 0: never)",
    )
    parser.add_argument("--fast", action="store_true", help="serve with picows on uvloop")
    parser.add_argument("--lenient", action="store_true", help="report protocol errors, go on")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    return parser


def _security_arguments(parser: argparse.ArgumentParser) -> None:
    """``--auth-token`` (the only scheme's secret) and ``--credential``, for the document's
    security schemes; none when it declares none."""
    if len(SCHEMES) == 1:
        (only,) = SCHEMES
        variable = f" (default: ${only.secret_env})" if only.secret_env else ""
        parser.add_argument(
            "--auth-token",
            default=os.environ.get(only.secret_env) if only.secret_env else None,
            help=f"check {only.name} with this secret{variable}",
        )
    if SCHEMES:
        keys = ", ".join(scheme.key for scheme in SCHEMES)
        parser.add_argument(
            "--credential",
            action="append",
            metavar="SCHEME=SECRET",
            help=f"check a security scheme ({keys}) with this secret; repeatable",
        )


def _credentials(given: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``--credential`` values as (scheme key, secret) pairs, then the secrets of the other
    schemes from their environment variables (with several schemes; one has ``--auth-token``)."""
    pairs: dict[str, str] = {}
    for item in given:
        key, sep, secret = item.partition("=")
        if not sep:
            raise ValueError(f"--credential {key!r}: expected SCHEME=SECRET")
        pairs[key] = secret
    if len(SCHEMES) > 1:
        for scheme in SCHEMES:
            found = os.environ.get(scheme.secret_env) if scheme.secret_env else None
            if found is not None:
                pairs.setdefault(scheme.key, found)
    return tuple(pairs.items())


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    cli = parser()
    args = cli.parse_args(argv)
    if args.workers < 1:
        cli.error("--workers must be at least 1")
    if args.drain_timeout < 0 or args.idle_timeout < 0:
        cli.error("timeouts cannot be negative")
    try:
        credentials = _credentials(getattr(args, "credential", None) or [])
        configure(SCHEMES, dict(credentials), getattr(args, "auth_token", None))
    except ValueError as exc:
        cli.error(str(exc))
    options = Options(
        target=args.target,
        host=args.host,
        port=args.port,
        workers=args.workers,
        auth_token=getattr(args, "auth_token", None),
        credentials=credentials,
        public_url=args.public_url,
        drain_timeout=args.drain_timeout,
        idle_timeout=args.idle_timeout or None,
        fast=args.fast,
        strict=not args.lenient,
        log_level=args.log_level,
    )
    _logging(options.log_level)
    try:
        handler = load_handler(options.target)
    except ServeError as exc:
        cli.error(str(exc))
    if options.workers > 1:
        return supervise(options)
    try:
        _run(options, handler, reuse_port=False)
    except OSError as exc:
        print(f"cannot serve on {options.host}:{options.port}: {exc}", file=sys.stderr)
        return 1
    return 0
