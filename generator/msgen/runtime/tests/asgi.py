"""The static part of every generated package's ASGI recipe tests: ``tests/test_asgi.py.jinja``
renders the imports (the package's ``asgi`` module, the server tests' helpers) and includes the
tests below.
"""

# mypy reads the dynamic base class ``namespace["Bot"]`` of one test as a type expression naming
# ``Bot``: the errors it makes of that line are not errors of the code.
# mypy: disable-error-code="valid-type,name-defined"

from __future__ import annotations

import asyncio
import contextlib
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from msgen.runtime import asgi
from msgen.runtime.tests.server import PATIENCE, UPGRADE, closed_with, http_get, run, until


# msgen: section recipes
def recipes() -> list[str]:
    """The code blocks (after ``::``) of the asgi module's docstring."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in [*(asgi.__doc__ or "").splitlines(), "end"]:
        if current is not None:
            if not line or line.startswith("    "):
                current.append(line)
                continue
            blocks.append(textwrap.dedent("\n".join(current)))
            current = None
        if line.endswith("::"):
            current = []
    return blocks


def load(source: str) -> dict[str, Any]:
    """Run a recipe as a module would; its names."""
    namespace: dict[str, Any] = {"__name__": "recipe"}
    exec(compile(source, "recipe.py", "exec"), namespace)
    namespace["media"].handle_signals = False  # the test process keeps its own signals
    return namespace


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """``app`` under uvicorn on a free loopback port: its ``127.0.0.1:port``."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, ws="websockets-sansio", lifespan="on", log_level="error"
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    async with asyncio.timeout(PATIENCE):
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


def test_the_docstring_has_a_fastapi_and_a_starlette_recipe() -> None:
    fastapi, starlette = recipes()
    assert "from fastapi import" in fastapi
    assert "from starlette.applications import Starlette" in starlette


def test_the_fastapi_route_gets_its_path_parameter_and_dependency_and_drains() -> None:
    namespace = load(recipes()[0])
    media: asgi.App = namespace["media"]
    made: list[Any] = []

    class Recording(namespace["Bot"]):  # type: ignore[misc]
        def __init__(self, tenant: str, greeting: str) -> None:
            super().__init__(tenant, greeting)
            made.append(self)

    namespace["Bot"] = Recording  # the route looks the class up when a call comes

    async def scenario() -> None:
        async with serving(namespace["app"]) as where:
            assert await http_get(f"http://{where}", "/ops/healthz") == (200, "ok: 0 call(s)\n")
            async with connect(f"ws://{where}/media/acme") as ws:
                await until(lambda: len(media.calls) == 1)
                assert [call.path for call in media.calls] == ["/media/acme"]
                status, text = await http_get(f"http://{where}", "/ops/metrics")
                assert status == 200
                assert "connections_active 1.0" in text
                await media.drain(0.1)
                assert await closed_with(ws) == 1001
            assert [(bot.tenant, bot.greeting) for bot in made] == [("acme", "hello")]
            assert (await http_get(f"http://{where}", "/ops/healthz"))[0] == 503
            with pytest.raises(InvalidStatus) as caught:
                await connect(f"ws://{where}/media/acme")
            assert caught.value.response.status_code == 503

    run(scenario())


def test_the_starlette_routes_serve_an_exact_path_and_a_mount() -> None:
    namespace = load(recipes()[1])
    media: asgi.App = namespace["media"]

    async def scenario() -> None:
        async with serving(namespace["app"]) as where:
            for path in ("/media", "/ops/", "/ops/anything"):
                async with connect(f"ws://{where}{path}"):
                    await until(lambda: len(media.calls) == 1)
                await until(lambda: len(media.calls) == 0)
            with pytest.raises(InvalidStatus) as caught:
                await connect(f"ws://{where}/elsewhere")
            assert caught.value.response.status_code == 403
            assert await http_get(f"http://{where}", "/ops/healthz") == (200, "ok: 0 call(s)\n")
            assert (await http_get(f"http://{where}", "/ops/nothing"))[0] == 404
            assert media.calls.ended == {1000: 3}

    run(scenario())


def test_an_app_without_a_handler_refuses_upgrades_with_404() -> None:
    async def scenario() -> None:
        async with serving(asgi.App(handle_signals=False)) as where:
            answer = await http_get(f"http://{where}", "/media", UPGRADE)
            assert answer == (404, "no handler for this path\n")

    run(scenario())
