"""The drain and the plain HTTP answers of ``msgen.runtime.serving``, on a tiny package: the
runtime modules copied beside minimal ``handler`` and ``session`` modules that honour their
contracts (handler.pyi, session.pyi)."""

from __future__ import annotations

import asyncio
import importlib
import sys
import textwrap
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from msgen import runtime

HANDLER = '''
import asyncio
import time

NORMAL, GOING_AWAY, ABNORMAL, INTERNAL_ERROR = 1000, 1001, 1006, 1011


class Call:
    session = None


class Driver:
    """A call that ends when told to, or when closed."""

    def __init__(self, calls):
        self.call = Call()
        self.closing = False
        self.last_active = time.monotonic()
        self.closed_with = None
        self._calls = calls
        calls.add(self)

    def end(self, code=NORMAL):
        self._calls.discard(self, code)

    async def close(self, code, reason):
        self.closing = True
        self.closed_with = code, reason
        await asyncio.sleep(0)
        self.end(code)
'''

SESSION = """
class Tally:
    def __init__(self):
        self.received, self.sent, self.errors, self.marks = {}, {}, {}, {}


class Session:
    def __init__(self, *, strict=True, tally=None):
        self.strict, self.tally = strict, tally
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("runtime")
    name = "served_package"
    folder = root / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "handler.py").write_text(textwrap.dedent(HANDLER))
    (folder / "session.py").write_text(textwrap.dedent(SESSION))
    for module in ("serving", "metrics"):
        (folder / f"{module}.py").write_text(runtime.source(module))
    sys.path.insert(0, str(root))
    try:
        yield name
    finally:
        sys.path.remove(str(root))
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]


@pytest.fixture(scope="module")
def serving(package: str) -> ModuleType:
    return importlib.import_module(f"{package}.serving")


@pytest.fixture(scope="module")
def handler(package: str, serving: ModuleType) -> ModuleType:
    return importlib.import_module(f"{package}.handler")


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 10))


def test_drain_refuses_new_calls_and_waits_for_those_in_progress(
    serving: ModuleType, handler: ModuleType
) -> None:
    async def scenario() -> None:
        calls = serving.Calls(None)
        driver = handler.Driver(calls)
        asyncio.get_running_loop().call_later(0.05, driver.end)
        drain = asyncio.ensure_future(calls.drain(5.0))
        await asyncio.sleep(0.01)
        assert calls.draining
        assert calls.health() == (503, b"draining: 1 call(s)\n")
        assert serving.http_answer(calls, "/healthz")[0] == 503
        started = asyncio.get_running_loop().time()
        await drain
        assert asyncio.get_running_loop().time() - started < 1.0
        assert driver.closed_with is None
        assert calls.ended == {1000: 1}
        assert len(calls) == 0

    run(scenario())


def test_drain_closes_the_rest_with_1001_at_the_timeout(
    serving: ModuleType, handler: ModuleType
) -> None:
    async def scenario() -> None:
        calls = serving.Calls(None)
        stays, leaves = handler.Driver(calls), handler.Driver(calls)
        asyncio.get_running_loop().call_later(0.01, leaves.end)
        await calls.drain(0.1)
        assert stays.closed_with == (1001, "server shutting down: drain timeout")
        assert leaves.closed_with is None
        assert calls.ended == {1000: 1, 1001: 1}
        assert len(calls) == 0

    run(scenario())


def test_server_drain_stops_and_serve_forever_returns(
    serving: ModuleType, handler: ModuleType
) -> None:
    async def scenario() -> None:
        stopped: list[bool] = []

        async def stop() -> None:
            stopped.append(True)

        calls = serving.Calls(None)
        driver = handler.Driver(calls)
        server = serving.Server(0, calls, stop, drain_timeout=0.05, handle_signals=False)
        forever = asyncio.ensure_future(server.serve_forever())
        await server.drain()
        await forever
        assert stopped == [True]
        assert driver.closed_with == (1001, "server shutting down: drain timeout")
        await server.close()  # idempotent
        assert stopped == [True]

    run(scenario())


def test_http_answer_health_metrics_and_not_found(serving: ModuleType) -> None:
    async def scenario() -> None:
        calls = serving.Calls(None)
        text = "text/plain; charset=utf-8"
        assert serving.http_answer(calls, "/healthz") == (200, text, b"ok: 0 call(s)\n")
        assert serving.http_answer(calls, "/healthz?probe=1")[0] == 200
        status, kind, body = serving.http_answer(calls, "/metrics")
        assert status == 200
        assert kind.startswith("text/plain")
        assert b"package_connections_active 0.0" in body
        status, _, body = serving.http_answer(calls, "/elsewhere")
        assert status == 404
        assert body.startswith(b"not found")
        off = serving.Calls(None, metrics=False)
        assert serving.http_answer(off, "/metrics")[:2] == (404, text)

    run(scenario())
