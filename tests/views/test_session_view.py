"""What the session templates are told: which messages are special and what helpers are called."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml
from support import OUTSIDE, ROOT, SPEC

from msgen.model.normalize import load
from msgen.views.frames import module_view
from msgen.views.session import _OWN_CALLBACKS, SessionView


def view_of(spec: object, index: int = 0) -> SessionView:
    channel = load(spec).api.channels[index]  # type: ignore[arg-type]
    return SessionView(channel, module_view(channel))


def test_twilio_session_facts() -> None:
    view = view_of(SPEC)
    assert [m.tag for m in view.special] == ["media", "mark", "clear"]
    assert view.generic_out == ()
    assert [m.tag for m in view.plain_in] == ["connected", "start", "media", "dtmf", "stop"]
    assert view.stream == "stream_sid"
    assert view.fast_media
    assert not view.str_counter
    assert view.numbered == "(Start, InboundMedia, Dtmf, InboundMark, Stop)"
    assert view.params_field is not None and view.params_field.wire_name == "customParameters"
    assert view.media_timestamp == "media.timestamp"


def test_a_timestamp_without_a_counter_pattern_cannot_place_audio() -> None:
    # The 2.6 fixture's timestamp is a free-form string: gaps in it cannot be measured.
    assert view_of(OUTSIDE).media_timestamp == ""
    assert view_of(OUTSIDE, 1).media_timestamp == ""


def test_helper_names_step_aside_for_the_session_own() -> None:
    view = view_of(SPEC)
    mark_in = next(m for m in view.channel.inbound.messages if m.tag == "mark")
    clear = next(m for m in view.channel.outbound.messages if m.tag == "clear")
    assert view.callback(mark_in) == "on_mark"
    assert view.sender(clear) == "send_clear"
    assert view.params(clear, "stream_sid") == ""
    assert view.args(clear, "stream_sid") == "stream_sid=sid, "


def test_a_channel_without_audio_gets_only_generic_helpers() -> None:
    relay = view_of(OUTSIDE, 1)
    assert relay.lc is None and relay.pb is None and relay.stream == ""
    assert relay.special == ()
    assert [relay.sender(m) for m in relay.generic_out] == [
        "send_text",
        "send_play",
        "send_digits",
        "send_language",
        "send_end",
    ]
    text = relay.generic_out[0]
    assert relay.params(text, "").startswith("*, token: str, ")
    assert relay.having(relay.channel.inbound.messages, "digit") == "Dtmf"


def test_a_bot_imports_the_handler_api_and_events_from_the_package() -> None:
    assert view_of(SPEC).bot_exports == (
        ("asgi", ("App",)),
        ("handler", ("Call", "Handler", "AudioStream", "PlayResult", "Playback")),
        ("server", ("serve",)),
        ("session", ("MarkCleared", "MarkPlayed", "Violation")),
    )
    # Without audio there is no stream to listen to and nothing to play.
    assert view_of(OUTSIDE, 1).bot_names == ("App", "Call", "Handler", "serve", "Violation")


def test_a_frame_class_named_like_a_bot_export_yields_to_it(tmp_path: Path) -> None:
    spec = yaml.safe_load(SPEC.read_text())
    spec["components"]["messages"]["stop"]["name"] = "call"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    view = view_of(tmp_path / "spec.yaml")
    assert "CallMessage" in [m.class_name for m in view.channel.messages]
    assert "Call" in view.bot_names
    assert "Handler" in view.bot_names


def test_callbacks_of_messages_named_like_the_handler_own_get_a_suffix(
    write_spec: Callable[..., Path],
) -> None:
    handler = (ROOT / "templates" / "package" / "handler.py.jinja").read_text()
    assert set(re.findall(r"async def (on_\w+)\(", handler)) == _OWN_CALLBACKS
    events = "\n".join(
        f"      {name}: {{payload: {{type: object, required: [type], "
        f"properties: {{type: {{const: {name}}}}}}}}}"
        for name in ("open", "close", "match")
    )
    spec = write_spec(
        "asyncapi: 3.0.0\ninfo: {title: Feed, version: '1'}\n"
        f"channels:\n  feed:\n    address: /\n    messages:\n{events}\n"
        "operations:\n  hear: {action: receive, channel: {$ref: '#/channels/feed'}}\n"
    )
    view = view_of(spec)
    assert [view.callback(m) for m in view.channel.inbound.messages] == [
        "on_open_frame",
        "on_close_frame",
        "on_match",
    ]
