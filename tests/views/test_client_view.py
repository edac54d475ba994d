"""What the client, peer and their tests are told: keyword arguments, the example conversation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from support import ROOT, SPEC

from msgen.model.normalize import load
from msgen.views.client import ClientView
from msgen.views.frames import module_view
from msgen.views.session import SessionView

CHAT = ROOT / "tests" / "fixtures" / "chat" / "chat.yaml"


def view_of(spec: Path) -> ClientView:
    channel = load(spec).api.channels[0]
    return ClientView(channel, SessionView(channel, module_view(channel)))


def test_the_twilio_conversation_is_one_call_in_lifecycle_order() -> None:
    steps = view_of(SPEC).conversation
    assert [(s.action, s.message.tag) for s in steps] == [
        ("send", "connected"),
        ("send", "start"),
        ("send", "media"),
        ("send", "media"),
        ("send", "media"),
        ("send", "dtmf"),
        ("send", "dtmf"),
        ("expect", "media"),
        ("expect", "mark"),
        ("send", "mark"),
        ("expect", "clear"),
        ("send", "stop"),
    ]
    frames = [json.loads(s.wire) for s in steps]
    numbers = [f["sequenceNumber"] for f in frames if "sequenceNumber" in f]
    assert numbers == [str(n) for n in range(1, 9)]
    assert len({f["streamSid"] for f in frames if "streamSid" in f}) == 1
    mark, echo = frames[8], frames[9]
    assert echo["mark"]["name"] == mark["mark"]["name"]
    assert [s.echo for s in steps].index(True) == 9


def test_without_a_lifecycle_the_peer_speaks_first() -> None:
    steps = view_of(CHAT).conversation
    actions = [s.action for s in steps]
    assert actions == sorted(actions, reverse=True)  # every send, then every expect
    assert {s.message.class_name for s in steps} >= {"Join", "Said"}


def test_keyword_arguments_and_their_samples() -> None:
    view = view_of(CHAT)
    room, token = view.params
    assert (room.signature, room.expect, room.sample) == ("room_id: str", "str", "roomId value/1 é")
    assert token.signature == "token: str | None = None"
    assert view.arguments("required") == "{'room_id': 'roomId value/1 é', }"
    (case,) = view.expected_urls
    assert (case.server, case.arguments) == ("url", "{}")
    assert case.url == "ws://127.0.0.1:9/rooms/roomId%20value%2F1%20%C3%A9"


def test_headers_get_plain_ascii_samples_and_docs_get_telling_values() -> None:
    view = view_of(SPEC)
    (signature,) = view.header_params
    assert signature.sample == "X-Twilio-Signature value 1"
    assert view.example_arguments == 'twilio_signature="..."'


def test_a_plain_text_example_is_sent_as_its_text() -> None:
    steps = view_of(ROOT / "tests" / "fixtures" / "connection" / "connection.yaml").conversation
    assert [(s.action, s.wire) for s in steps] == [
        ("send", '{"kind":"hello"}'),
        ("expect", '{"kind":"bye"}'),
        ("expect", "Good morning"),
    ]


PLAIN_AND_BINARY = """
asyncapi: 3.0.0
info: {title: Feed, version: '1'}
channels:
  c:
    address: /
    messages:
      note: {contentType: text/plain, payload: {}}
      audio: {contentType: audio/l16}
      ask: {payload: {type: object}}
operations:
  hear:
    action: receive
    channel: {$ref: '#/channels/c'}
    messages: [%s]
  say:
    action: send
    channel: {$ref: '#/channels/c'}
    messages: [$ref: '#/channels/c/messages/ask']
"""


def test_the_frame_no_received_message_accepts(write_spec: Callable[..., Path]) -> None:
    def bad(*received: str) -> tuple[str, int] | None:
        refs = ", ".join(f"$ref: '#/channels/c/messages/{r}'" for r in received)
        return view_of(write_spec(PLAIN_AND_BINARY % refs)).bad_frame

    assert bad("ask") == ("'not a frame of this document'", 1007)
    assert bad("ask", "audio") == ("'not a frame of this document'", 1007)
    # Any text is a plain-text message: a binary frame breaks the protocol, unless audio takes it.
    assert bad("note") == ("b'not a frame of this document'", 1003)
    assert bad("note", "audio") is None
