"""How a connection lives and ends, as data (``x-msgen-connection``): read from the document or an
overlay, checked against the channel's messages and security with located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ROOT

from msgen.model.behaviour import Behaviour, credentials, grows
from msgen.model.normalize import load
from msgen.reading.problems import SpecError
from msgen.views.client import ClientView
from msgen.views.frames import module_view
from msgen.views.session import SessionView

#: A conversational service's channel: ping/pong, a ready message, an error message, a terminal
#: message, a closing message, a setup message and an API key header.
CONV = Path(__file__).with_name("connection_life.yaml")
DEEPGRAM = ROOT / "tests" / "fixtures" / "deepgram"

DECLARED: dict[str, Any] = {
    "keepalive": {"message": "configure", "interval": 2},
    "ping": {"message": "ping", "pong": "pong", "id": "/ping_event/event_id"},
    "ready": "begin",
    "close": {"message": "terminate", "final": "ended", "timeout": 3},
    "errors": {"message": "error", "code": "/code", "reason": "/message"},
    "closeCodes": {"4001": {"reason": "not authorized", "retry": False}, "1013": {"retry": True}},
    "setup": ["configure"],
}


def _overlay(tmp_path: Path, declared: object, target: str = "$.channels.conv") -> Path:
    path = tmp_path / "overlay.yaml"
    document = {
        "overlay": "1.0.0",
        "info": {"title": "life", "version": "1"},
        "actions": [{"target": target, "update": {"x-msgen-connection": declared}}],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _behaviour(tmp_path: Path, declared: object) -> Behaviour:
    (channel,) = load(
        CONV, overlays=[_overlay(tmp_path, declared)], side="application"
    ).api.channels
    assert channel.behaviour is not None
    return channel.behaviour


def _errors(tmp_path: Path, declared: object) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load(CONV, overlays=[_overlay(tmp_path, declared)], side="application")
    return [str(p) for p in caught.value.problems]


def test_every_field_resolves_to_the_channel_s_messages(tmp_path: Path) -> None:
    b = _behaviour(tmp_path, DECLARED)
    assert b.keepalive is not None and b.keepalive.message.key == "configure"
    assert b.keepalive.interval == 2.0
    assert b.ping is not None and (b.ping.message.key, b.ping.pong.key) == ("ping", "pong")
    assert b.ping.copy == (("/event_id", "/ping_event/event_id"),)
    assert b.ready is not None and b.ready.key == "begin"
    assert b.close is not None and b.close.message is not None
    assert (b.close.message.key, b.close.final and b.close.final.key) == ("terminate", "ended")
    assert b.errors is not None and b.errors.code is not None and b.errors.code.dotted == "code"
    assert [m.key for m in b.setup] == ["configure"]
    assert not b.retryable(4001) and b.retryable(1013) and b.retryable(1011)
    assert not b.retryable(1000) and not b.retryable(4002)


def test_without_the_extension_a_channel_has_no_behaviour() -> None:
    (channel,) = load(CONV, side="application").api.channels
    assert channel.behaviour is None


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            {"keepalive": {"message": "configure"}},
            "/actions/0/update/x-msgen-connection/keepalive: x-msgen-connection: 'interval' is a"
            " required property",
        ),
        (
            {"keepalive": {"message": "configure", "interval": 0}},
            "/actions/0/update/x-msgen-connection/keepalive/interval: x-msgen-connection: 0 is"
            " less than or equal to the minimum of 0",
        ),
        (
            {"ready": "nosuch"},
            "/actions/0/update/x-msgen-connection/ready: no message 'nosuch' on this channel",
        ),
        (
            {"ready": "pong"},  # a message this side sends is not one it waits for
            "/actions/0/update/x-msgen-connection/ready: no message 'pong' on this channel",
        ),
        (
            {"keepalive": {"message": "pong", "interval": 1}},
            "/actions/0/update/x-msgen-connection/keepalive/message: 'pong' needs values"
            " (event_id): the client sends it on its own",
        ),
        (
            {"ping": {"message": "ping", "pong": "pong", "id": "/ping_event/nosuch"}},
            "/actions/0/update/x-msgen-connection/ping/id: message 'ping' has no field"
            " '/ping_event/nosuch'",
        ),
        (
            {"closeCodes": {"999": {"retry": True}}},
            "/actions/0/update/x-msgen-connection/closeCodes: x-msgen-connection: '999' does not"
            " match",
        ),
        (
            {"credentials": {"apiKey": "nosuch"}},
            "/actions/0/update/x-msgen-connection/credentials/apiKey: credentials: 'nosuch' is no"
            " security scheme of this channel's servers (its schemes: key)",
        ),
        (
            {"openEnums": ["nosuch"]},
            "/actions/0/update/x-msgen-connection/openEnums: openEnums: 'nosuch' is no connect"
            " keyword of this channel",
        ),
    ],
)
def test_problems_are_located_in_the_overlay(
    tmp_path: Path, declared: dict[str, Any], expected: str
) -> None:
    errors = _errors(tmp_path, declared)
    assert any(expected in e for e in errors), errors
    assert all("overlay.yaml:" in e for e in errors if "x-msgen-connection" in e)


def test_credentials_default_to_the_scheme_kinds(tmp_path: Path) -> None:
    (channel,) = load(CONV, side="application").api.channels
    key, token = credentials(channel.connection.security, None)
    assert key is not None and key.name == "xi-api-key" and token is None


def test_deepgram_overlay_declares_keepalive_close_and_token_credentials() -> None:
    built = load(
        DEEPGRAM / "asyncapi.yml", overlays=[DEEPGRAM / "overlay.yaml"], side="application"
    )
    listen = next(c for c in built.api.channels if c.key == "/v1/listen")
    b = listen.behaviour
    assert b is not None and b.keepalive is not None and b.close is not None
    assert b.keepalive.message.tag == "KeepAlive" and b.keepalive.interval == 5
    assert b.close.message is not None and b.close.message.tag == "CloseStream"
    assert b.close.final is None  # Deepgram closes the socket itself
    assert b.retryable(1011) and not b.retryable(1008)
    view = ClientView(listen, SessionView(listen, module_view(listen)))
    assert view.credentials == (
        ("api_key", "scheme", "Authorization", "Token"),
        ("token", "bearer", "Authorization", "Bearer"),
    )
    params = {p.py_name: p for p in view.params}
    assert params["interim_results"].annotation == 'bool | Literal["true", "false"] | None'
    assert params["interim_results"].expect == "flag"
    assert params["model"].annotation.endswith("| str | None") and params["model"].open
    assert params["encoding"].annotation.startswith("Literal[") and not params["encoding"].open


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("model", True),
        ("speech_model", True),
        ("language_code", True),
        ("voice_id", True),
        ("encoding", False),
        ("modelling", False),
    ],
)
def test_keywords_named_for_growing_sets(name: str, expected: bool) -> None:
    assert grows(name) is expected
