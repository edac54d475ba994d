"""The static part of every generated package's client tests: ``tests/test_client.py.jinja``
renders the imports (from the package by its name), the document's connection parameters and
the URLs and headers they give, the frames that break its protocol, and the callbacks naming its
messages; it includes these sections between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgen.runtime import peer, picows_server, server
from msgen.runtime.errors import FrameError
from msgen.runtime.frames import OutboundFrame
from msgen.runtime.handler_parts import Call, Handler
from msgen.runtime.tests import rendered_client as client
from msgen.runtime.tests.frames import DECODERS, MESSAGES, ORACLES, STRATEGIES, frame_of
from msgen.runtime.tests.rendered import Event

# Stand-ins for what the template renders from the document.
LOOPBACK = "ws://127.0.0.1:9"
REQUIRED: dict[str, Any] = {}
URL_REQUIRED: dict[str, Any] = {}
ROUND_TRIP: list[tuple[str, str, str]] = []


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 30))


def text(value: object) -> str:
    return str(value)


def expected(step: peer.Send) -> Event:
    return step.frame


# msgen: section address_pattern
def _address_pattern() -> re.Pattern[str]:
    """The address as a regular expression, a group per parameter, in the URL's form."""
    path = client.ADDRESS.partition("?")[0]
    segments = [s for s in path.split("/") if s]
    tail = "/" if path.endswith("/") and segments else ""
    pieces = re.split(r"\{([^{}]+)\}", "/" + "/".join(segments) + tail)
    names = pieces[1::2]
    source = "".join(
        re.escape(p) if i % 2 == 0 else f"(?P<p{names.index(p)}>[^/?#]*)"
        for i, p in enumerate(pieces)
    )
    return re.compile(source)


# msgen: section round_trip
def test_address_and_query_values_survive_the_url(values: dict[str, Any]) -> None:
    url = urlsplit(client.build_url(url=LOOPBACK, **{**URL_REQUIRED, **values}))
    pairs = parse_qsl(url.query, keep_blank_values=True)
    wires = {wire for _, wire, where in ROUND_TRIP if where == "query"}
    expected = [
        (wire, text(item))
        for name, wire, where in ROUND_TRIP
        if where == "query" and values[name] is not None
        for item in (values[name] if isinstance(values[name], list) else [values[name]])
    ]
    assert [pair for pair in pairs if pair[0] in wires] == expected
    found = _address_pattern().fullmatch(url.path)
    assert found is not None, url.path
    path, _, fixed = client.ADDRESS.partition("?")
    wanted = re.findall(r"\{([^{}]+)\}", path)
    # An address parameter in the address's own query: the key whose template value names it.
    keys = {template: key for key, template in parse_qsl(fixed)}
    for name, wire, where in ROUND_TRIP:
        if where == "path" and wire in wanted:
            assert unquote(found.group(f"p{wanted.index(wire)}")) == text(values[name])
        elif where == "path":
            assert dict(pairs)[keys["{" + wire + "}"]] == text(values[name])


# msgen: section sent
def sent(script: list[peer.Step]) -> list[OutboundFrame]:
    return [step.frame for step in script if isinstance(step, peer.Expect)]


# msgen: section conversation
def test_the_example_conversation_client_against_the_scripted_peer() -> None:
    async def scenario() -> None:
        script = peer.example_script()
        async with await peer.serve(script) as scripted:
            async with client.connect(url=scripted.url, **REQUIRED) as conn:
                for step in script:
                    if isinstance(step, peer.Expect):
                        await conn.send(step.frame)
                    else:
                        assert await conn.recv() == expected(step)
                rest = [event async for event in conn]
            report = await scripted.report()
        assert report.ok, report.error
        assert report.received == sent(script)
        assert rest == []

    run(scenario())


# msgen: section generated
def _drawn(data: st.DataObject, direction: str) -> list[Any]:
    """A frame of each message of a direction, built by hypothesis from its schema, as decoded."""
    frames = []
    for name, (where, _, kind) in MESSAGES.items():
        if where != direction:
            continue
        value = data.draw(STRATEGIES[name], label=name)
        if kind != "binary" and not ORACLES[name].is_valid(value):
            continue
        with contextlib.suppress(FrameError):
            frames.append(DECODERS[direction](frame_of(name, value)))
    return frames


@settings(max_examples=5)
@given(data=st.data())
def test_generated_frames_of_every_message_cross_a_real_socket_both_ways(
    data: st.DataObject,
) -> None:
    inbound, outbound = _drawn(data, "inbound"), _drawn(data, "outbound")
    script: list[peer.Step] = [peer.Send(f) for f in inbound] + [peer.Expect(f) for f in outbound]

    async def scenario() -> None:
        # msgen: section generated_client
        async with await peer.serve(script) as scripted:
            async with client.connect(url=scripted.url, **REQUIRED) as conn:
                for frame in outbound:
                    await conn.send(frame)
                received = [await conn.recv() for _ in inbound]
            report = await scripted.report()
        assert report.ok, report.error
        assert received == inbound
        # msgen: section generated_server
        served: list[Mirror] = []

        def handler() -> Mirror:
            served.append(Mirror(script))
            return served[-1]

        async with await server.serve(handler, "127.0.0.1", 0, handle_signals=False) as running:
            report = await peer.dial(f"ws://127.0.0.1:{running.port}/", script)
        assert report.ok, report.error
        assert served[0].error == ""
        # msgen: section generated_tail

    run(scenario())


# msgen: section mirror
class Mirror(Handler):
    """This side of the script on a server: checks each event in turn, answers with what follows."""

    def __init__(self, script: list[peer.Step]) -> None:
        self.steps = deque(script)
        self.error = ""
        self.closed = False

    async def on_open(self, call: Call) -> None:
        await self._answer(call)

    async def _answer(self, call: Call) -> None:
        while self.steps and isinstance(self.steps[0], peer.Expect):
            step = self.steps.popleft()
            assert isinstance(step, peer.Expect)
            await call.send_frame(step.frame)

    async def _next(self, call: Call, event: Event) -> None:
        step = self.steps.popleft() if self.steps else None
        if not isinstance(step, peer.Send) or expected(step) != event:
            self.error = self.error or f"got {event!r} for {step!r}"
        await self._answer(call)


# msgen: section adapter_conversation
@pytest.mark.parametrize("adapter", ["websockets", "picows"])
def test_the_example_conversation_server_adapter_against_the_scripted_peer(adapter: str) -> None:
    async def scenario() -> None:
        script = peer.example_script()
        made: list[Mirror] = []

        def handler() -> Mirror:
            made.append(Mirror(script))
            return made[-1]

        serve: Callable[..., Any] = server.serve if adapter == "websockets" else picows_server.serve
        async with await serve(handler, "127.0.0.1", 0, handle_signals=False) as running:
            report = await peer.dial(f"ws://127.0.0.1:{running.port}/", script)
            async with asyncio.timeout(5):
                while not (made and made[0].closed):
                    await asyncio.sleep(0.01)
        assert report.ok, report.error
        assert report.received == sent(script)
        (mirror,) = made
        assert mirror.error == ""
        assert not mirror.steps

    run(scenario())
