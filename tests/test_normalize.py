"""The intermediate model: names, discriminators, directions and the media profile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support import OUTSIDE, SPEC

from msgen.normalize import load
from msgen.problems import SpecError

SPEC_HEAD = """
asyncapi: 3.0.0
info: {title: Tiny, version: '1'}
channels:
  c:
    address: /
    messages:
      a: {payload: {type: object, required: [kind], properties: {kind: {const: a}}}}
      b: {payload: {type: object, required: [kind], properties: {kind: {const: %s}}}}
operations:
  in:
    action: receive
    channel: {$ref: '#/channels/c'}
    messages: [{$ref: '#/channels/c/messages/a'}, {$ref: '#/channels/c/messages/b'}]
"""


def test_twilio_model() -> None:
    api = load(SPEC).api
    (channel,) = api.channels
    assert api.package == "twilio_media_streams"
    assert [m.class_name for m in channel.inbound.messages] == [
        "Connected",
        "Start",
        "InboundMedia",
        "Dtmf",
        "InboundMark",
        "Stop",
    ]
    assert [m.tag for m in channel.outbound.messages] == ["media", "mark", "clear"]
    assert channel.inbound.discriminator == channel.outbound.discriminator == "event"
    media = channel.media
    assert media is not None and media.lifecycle is not None and media.playback is not None
    assert (media.audio.sample_rate, media.inbound_payload_attr) == (8000, "media.payload")
    start = channel.inbound.messages[1].payload
    counter = next(f for f in start.fields if f.wire_name == "sequenceNumber")
    assert (counter.py_name, counter.type.counter) == ("sequence_number", True)  # type: ignore[union-attr]


def test_same_tag_once_per_direction_is_fine_but_twice_in_one_is_not(
    write_spec: Callable[..., Path],
) -> None:
    assert load(write_spec(SPEC_HEAD % "b")).api.channels[0].inbound.discriminator == "kind"
    with pytest.raises(SpecError, match="cannot be told apart"):
        load(write_spec(SPEC_HEAD % "a"))


def test_outside_document_has_two_channels_and_audio_on_one() -> None:
    built = load(OUTSIDE)
    media, relay = built.api.channels
    assert (media.module, relay.module) == ("media_streams", "conversation_relay")
    assert relay.inbound.discriminator == "type"
    assert media.media is not None and relay.media is None
    assert any("no examples" in w for w in built.warnings)


def test_strict_turns_warnings_into_errors() -> None:
    with pytest.raises(SpecError, match="no examples"):
        load(OUTSIDE, strict=True)


def test_an_example_that_does_not_match_is_a_warning_and_left_out(
    write_spec: Callable[[str], Path],
) -> None:
    text = (SPEC_HEAD % "b").replace(
        "a: {payload: {type: object, required: [kind], properties: {kind: {const: a}}}}",
        "a:\n        payload: {type: object, required: [kind], properties: {kind: {const: a}}}\n"
        "        examples: [{name: good, payload: {kind: a}}, {name: bad, payload: {kind: b}}]",
    )
    built = load(write_spec(text))
    message = built.api.channels[0].inbound.messages[0]
    assert [e.name for e in message.examples] == ["good"]
    (warning,) = [w for w in built.warnings if "does not match" in w]
    assert "/examples/1/payload/kind: warning: example 'bad' does not match the payload" in warning
    with pytest.raises(SpecError, match="example 'bad' does not match"):
        load(write_spec(text), strict=True)


def test_examples_that_are_not_a_list_are_a_warning(write_spec: Callable[[str], Path]) -> None:
    text = (SPEC_HEAD % "b").replace(
        "a: {payload: {type: object, required: [kind], properties: {kind: {const: a}}}}",
        "a: {payload: {type: object, required: [kind], properties: {kind: {const: a}}}, "
        "examples: {payload: {kind: a}}}",
    )
    built = load(write_spec(text))
    assert built.api.channels[0].inbound.messages[0].examples == ()
    assert any("message examples must be a list: ignored" in w for w in built.warnings)
