"""Specs built for real, imported, and exercised: generic features beyond the Twilio frames."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import OUTSIDE, ROOT, SPEC, run_generated_tests, run_msgen

CHAT = ROOT / "tests" / "fixtures" / "chat" / "chat.yaml"
EVENTS = ROOT / "tests" / "fixtures" / "events" / "events-2.6.json"
PAYLOADS = ROOT / "tests" / "fixtures" / "payloads" / "payloads.yaml"


def many_messages_spec(count: int) -> str:
    """A JSON spec with ``count`` messages each way on one channel (``type`` discriminator)."""
    messages = {}
    for direction in ("in", "out"):
        for i in range(count):
            messages[f"{direction}{i}"] = {
                "payload": {
                    "type": "object",
                    "required": ["type", "n"],
                    "properties": {
                        "type": {"const": f"{direction}-{i}"},
                        "n": {"type": "integer", "minimum": i},
                        "note": {"type": "string", "maxLength": i + 1},
                    },
                },
                "examples": [{"payload": {"type": f"{direction}-{i}", "n": i}}],
            }
    refs = {
        d: [{"$ref": f"#/channels/bus/messages/{d}{i}"} for i in range(count)]
        for d in ("in", "out")
    }
    spec = {
        "asyncapi": "3.0.0",
        "info": {"title": "Busy Bus", "version": "1"},
        "channels": {
            "bus": {
                "address": "/bus",
                "messages": {k: {"$ref": f"#/components/messages/{k}"} for k in messages},
            }
        },
        "operations": {
            "take": {
                "action": "receive",
                "channel": {"$ref": "#/channels/bus"},
                "messages": refs["in"],
            },
            "give": {
                "action": "send",
                "channel": {"$ref": "#/channels/bus"},
                "messages": refs["out"],
            },
        },
        "components": {"messages": messages},
    }
    return json.dumps(spec, indent=1)


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:

    out = tmp_path_factory.mktemp("chat")
    result = run_msgen("build", CHAT, "--out", out, "--package", "chat_relay_fn")
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out))
    return importlib.import_module("chat_relay_fn")


@pytest.mark.parametrize(
    ("spec", "extra", "fewer"),
    [
        (CHAT, [], False),
        (EVENTS, [], True),
        (OUTSIDE, [], False),
        (OUTSIDE, ["--side", "application"], True),
        (PAYLOADS, [], False),
        (PAYLOADS, ["--models", "msgspec"], False),
        (PAYLOADS, ["--models", "pydantic"], False),
    ],
    ids=[
        "chat-3.1-multifile",
        "events-2.6-json-allof",
        "outside-2.6",
        "outside-2.6-application-side",
        "payloads",
        "payloads-msgspec",
        "payloads-pydantic",
    ],
)
def test_generated_tests_pass(tmp_path: Path, spec: Path, extra: list[str], fewer: bool) -> None:
    """``fewer`` where another run already takes the same templates to full depth."""
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out, *extra)
    assert built.returncode == 0, built.stderr
    result = run_generated_tests(out, fewer=fewer)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout


def test_reply_messages_flow_the_other_way(chat: ModuleType) -> None:
    assert isinstance(chat.decode_inbound('{"kind":"ping","nonce":3}'), chat.Ping)
    assert isinstance(chat.decode_outbound('{"kind":"pong"}'), chat.Pong)
    with pytest.raises(chat.FrameError):
        chat.decode_inbound('{"kind":"pong"}')


def test_optional_nullable_field_keeps_null_apart_from_absent(chat: ModuleType) -> None:
    absent = chat.decode_inbound('{"kind":"join","user":{"id":1,"name":"A"}}')
    null = chat.decode_inbound('{"kind":"join","user":{"id":1,"name":"A"},"since":null}')
    assert absent.since is chat.UNSET
    assert null.since is None
    assert "since" not in json.loads(chat.encode(absent))
    assert json.loads(chat.encode(null))["since"] is None


def test_type_lists_and_one_of(chat: ModuleType) -> None:
    assert chat.decode_inbound('{"kind":"ping","nonce":"x"}').nonce == "x"
    assert chat.decode_inbound('{"kind":"ping","nonce":2.0}').nonce == 2
    error = chat.decode_outbound(
        '{"kind":"error","id":"e","code":1000,"detail":{"id":1,"name":"A"}}'
    )
    assert isinstance(error.detail, chat.User)
    with pytest.raises(chat.FrameError) as caught:
        chat.decode_outbound('{"kind":"error","id":"e","code":1000,"detail":{"id":-1,"name":"A"}}')
    assert caught.value.path == "$.detail.id"


def test_all_of_merges_properties_and_keeps_extras(chat: ModuleType) -> None:
    text = '{"kind":"error","code":4001,"id":"e1","extra":[1,2]}'
    frame = chat.decode_outbound(text)
    assert (frame.id, frame.code, frame.extras) == ("e1", 4001, {"extra": [1, 2]})
    assert json.loads(chat.encode(frame)) == json.loads(text)


def test_forbidden_extras_and_nested_paths(chat: ModuleType) -> None:
    with pytest.raises(chat.FrameError) as caught:
        chat.decode_outbound('{"kind":"presence","users":[{"id":1,"name":"A","x":1}]}')
    assert str(caught.value) == "$.users[0].x: is not allowed here (unknown property)"
    with pytest.raises(chat.FrameError) as caught:
        chat.decode_outbound('{"kind":"presence","users":[],"counts":{"a":-1}}')
    assert caught.value.path == "$.counts.a"


def test_unique_items_and_bounds(chat: ModuleType) -> None:
    user = {"id": 1, "name": "A"}
    with pytest.raises(chat.FrameError, match="unique"):
        chat.decode_outbound(json.dumps({"kind": "presence", "users": [user, user]}))
    with pytest.raises(chat.FrameError, match="at most 500"):
        chat.decode_inbound(json.dumps({"kind": "say", "text": "x" * 501}))


def test_construct_and_encode_in_spec_order(chat: ModuleType) -> None:
    frame = chat.Said(text="hi", from_=chat.User(id=1, name="A"), at=1.5)
    assert chat.encode(frame) == '{"kind":"said","text":"hi","from":{"id":1,"name":"A"},"at":1.5}'
    with pytest.raises(chat.FrameError):
        chat.encode(chat.Said(text="hi", from_=chat.User(id=-1, name="A")))


def test_multi_channel_document_gets_one_subpackage_per_channel(tmp_path: Path) -> None:

    out = tmp_path / "out"
    assert run_msgen("build", OUTSIDE, "--out", out, "--package", "twilio_outside").returncode == 0
    sys.path.insert(0, str(out))
    try:
        pkg = importlib.import_module("twilio_outside")
        relay: Any = pkg.conversation_relay
        media: Any = pkg.media_streams
        assert isinstance(
            relay.decode_inbound('{"type":"prompt","voicePrompt":"hi"}'), relay.Prompt
        )
        assert isinstance(
            media.decode_inbound('{"event":"connected","protocol":"Call","version":"1.0.0"}'),
            media.Connected,
        )
        # `dtmf` exists on both channels, with different discriminators.
        assert relay.Dtmf is not media.Dtmf
    finally:
        sys.path.remove(str(out))


def test_side_flag_swaps_2x_directions(tmp_path: Path) -> None:
    peer = run_msgen("validate", OUTSIDE)
    application = run_msgen("validate", OUTSIDE, "--side", "application")
    assert "media-streams: 6 in, 3 out" in peer.stdout
    assert "media-streams: 3 in, 6 out" in application.stdout


def test_dozens_of_messages_on_one_channel(tmp_path: Path) -> None:
    spec = tmp_path / "bus.json"
    spec.write_text(many_messages_spec(30))
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out)
    assert built.returncode == 0, built.stderr
    sys.path.insert(0, str(out))
    try:
        bus: Any = importlib.import_module("busy_bus")
        assert len(bus.InboundFrame.__args__) == 30
        assert bus.decode_outbound('{"type":"out-29","n":29}').n == 29
    finally:
        sys.path.remove(str(out))
    result = run_generated_tests(out, fewer=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_discriminator_keyword_implies_the_schema_name(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_msgen("build", EVENTS, "--out", out).returncode == 0
    sys.path.insert(0, str(out))
    try:
        events: Any = importlib.import_module("market_events")
        trade = events.decode_inbound('{"type":"Trade","symbol":"ACME","price":1.5,"size":2}')
        assert (type(trade).__name__, trade.size) == ("Trade", 2)
        with pytest.raises(events.FrameError) as caught:
            events.decode_inbound('{"type":"Trades","symbol":"ACME","price":1.5,"size":2}')
        assert caught.value.path == "$.type"
    finally:
        sys.path.remove(str(out))


def test_side_flag_swaps_3x_directions_and_application_is_the_default() -> None:
    default = run_msgen("validate", SPEC)
    application = run_msgen("validate", SPEC, "--side", "application")
    peer = run_msgen("validate", SPEC, "--side", "peer")
    # msgen chose the side, and says why; asked for, it says nothing of it.
    reading = (
        "msgen: specs/twilio-media-streams.yaml: read as the application side, the AsyncAPI 3.x"
        " default (its servers are not a vendor's hosts, so its message names decide nothing)\n"
    )
    assert reading in default.stdout
    assert default.stdout.replace(reading, "") == application.stdout
    assert ": 6 in, 3 out" in application.stdout
    assert ": 3 in, 6 out" in peer.stdout


@pytest.fixture(scope="module", params=["dataclasses", "msgspec", "pydantic"])
def zoo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The payloads fixture built with each backend, under its own import name."""
    models = request.param
    out = tmp_path_factory.mktemp(f"zoo-{models}")
    name = f"payload_zoo_{models}"
    result = run_msgen("build", PAYLOADS, "--out", out, "--package", name, "--models", models)
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out))
    return importlib.import_module(name)


def test_value_messages_wrap_any_json_value(zoo: ModuleType) -> None:
    assert zoo.decode_inbound("[1, 2]") == zoo.Numbers(value=[1, 2])
    assert zoo.decode_inbound('"abc"') == zoo.Word(value="abc")
    shape = zoo.decode_inbound('{"kind": "square", "side": 2}')
    assert shape == zoo.Shape(value=zoo.Square(kind="square", side=2))
    assert zoo.encode(shape) == '{"kind":"square","side":2}'
    # Not an array of naturals, not a word, not a shape...: "anything" takes it.
    assert zoo.decode_inbound("[-1]") == zoo.Anything(value=[-1])
    assert zoo.decode_outbound("null") == zoo.Nothing(value=None)


def test_binary_messages_travel_as_bytes(zoo: ModuleType) -> None:
    assert zoo.decode_inbound(b"\x00\x01") == zoo.AudioMessage(data=b"\x00\x01")
    assert zoo.decode_inbound(bytearray(b"ab")) == zoo.AudioMessage(data=b"ab")
    assert zoo.encode(zoo.Chunk(data=b"\xff")) == b"\xff"
    # encode refuses it (pydantic's models refuse it when built).
    with pytest.raises(ValueError, match="bytes"):
        zoo.encode(zoo.Chunk(data="text"))
    with pytest.raises(zoo.FrameError, match="expected a frame"):
        zoo.decode_inbound(42)


def test_plain_text_messages_are_their_text(zoo: ModuleType) -> None:
    assert zoo.decode_inbound("pause") == zoo.Command(value="pause")
    assert zoo.encode(zoo.Command(value="resume")) == "resume"
    # JSON comes first: the JSON string "pause" is a word.
    assert zoo.decode_inbound('"pause"') == zoo.Word(value="pause")


def test_trees(zoo: ModuleType) -> None:
    text = '{"label": "a", "children": [{"label": "b", "children": []}]}'
    tree = zoo.decode_inbound(text)
    assert tree.children[0] == zoo.Tree(label="b", children=[])
    assert json.loads(zoo.encode(tree)) == json.loads(text)
    bad = {"label": "a", "children": [{"label": "b", "children": [1]}]}
    with pytest.raises(zoo.FrameError) as caught:
        zoo.Tree.from_wire(bad)
    assert caught.value.path == "$.children[0].children[0]"
    # As a frame, "anything" (the last message) takes what no other message does.
    assert zoo.decode_inbound(json.dumps(bad)) == zoo.Anything(value=bad)
    expr = zoo.decode_inbound('{"op": "add", "left": {"num": 1}, "right": {"num": 2}}')
    assert expr.value.right == zoo.Num(num=2)


def test_tags_nullable_constants_and_wire_names(zoo: ModuleType) -> None:
    status = zoo.decode_outbound(
        '{"id": "a", "type": "status", "level": null, "origin": {"y": [1, 2], "x": 0.0}}'
    )
    assert (status.level, status.origin, status.TAG) == (None, {"y": [1, 2], "x": 0.0}, "status")
    with pytest.raises(zoo.FrameError) as caught:
        zoo.decode_outbound('{"id": "a", "type": "status", "level": 1, "origin": {"x": false}}')
    assert caught.value.path == "$.origin"
    note = zoo.decode_outbound('{"text": null, "1st-place": 2, "déjà vu": true, "class": "c"}')
    assert (note.n1st_place, note.deja_vu, note.class_, note.type) == (2, True, "c", None)
    assert json.loads(zoo.encode(note)) == {
        "text": None,
        "1st-place": 2,
        "déjà vu": True,
        "class": "c",
    }
    # The optional tag, when present, decides; without it, structure does.
    assert type(zoo.decode_outbound('{"type": "note", "text": "x"}')) is zoo.Note
    assert type(zoo.decode_outbound('{"finished": true}')) is zoo.Done
