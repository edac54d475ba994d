"""The media profile as data (``x-msgen-media``): read from a document or an overlay, checked
against the channel's messages with located errors, and inferred for Twilio-shaped channels."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from support import ROOT, SPEC

from msgen.model.media import Media
from msgen.model.normalize import load
from msgen.reading.problems import SpecError

VONAGE = ROOT / "specs" / "vonage" / "vonage-asyncapi.yml"

TWILIO_PROFILE = {
    "audio": {"encoding": "mulaw", "rate": 8000, "channels": 1},
    "receive": {
        "message": "inboundMedia",
        "payload": "/media/payload",
        "timestamp": "/media/timestamp",
    },
    "send": {"message": "outboundMedia", "payload": "/media/payload", "frame": {"ms": 20}},
    "stream": {
        "message": "start",
        "id": "/streamSid",
        "carry": "/streamSid",
        "call": "/start/callSid",
        "parameters": "/start/customParameters",
    },
    "connected": "connected",
    "start": "start",
    "stop": "stop",
    "dtmf": {"message": "dtmf", "digit": "/dtmf/digit"},
    "playback": {
        "mode": "echo",
        "mark": {"message": "outboundMark", "name": "/mark/name"},
        "played": {"message": "inboundMark", "name": "/mark/name"},
        "clear": "clear",
    },
}


def _overlay(tmp_path: Path, target: str, profile: object) -> Path:
    path = tmp_path / "overlay.yaml"
    document = {
        "overlay": "1.0.0",
        "info": {"title": "media", "version": "1"},
        "actions": [{"target": target, "update": {"x-msgen-media": profile}}],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _profile(spec: Path, overlays: list[Path]) -> Media:
    (channel,) = [c for c in load(spec, overlays=overlays).api.channels if c.profile]
    assert channel.profile is not None
    return channel.profile


def _errors(spec: Path, overlay: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load(spec, overlays=[overlay])
    return [str(p) for p in caught.value.problems]


def test_twilio_is_inferred_as_the_profile_it_would_declare(tmp_path: Path) -> None:
    inferred = _profile(SPEC, [])
    assert not inferred.declared
    declared = _profile(SPEC, [_overlay(tmp_path, "$.channels.mediaStream", TWILIO_PROFILE)])
    assert declared.declared
    assert dataclasses.replace(inferred, declared=True) == declared


def test_the_inferred_profile_reaches_every_field_it_names() -> None:
    profile = _profile(SPEC, [])
    assert profile.receive.payload is not None and profile.receive.payload.dotted == "media.payload"
    assert profile.stream is not None and profile.stream.id.dotted == "stream_sid"
    assert profile.stream.carry == "/streamSid"
    assert profile.playback is not None and profile.playback.mode == "echo"
    assert profile.dtmf is not None and profile.dtmf.name.dotted == "dtmf.digit"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"audio": {"encoding": "opus", "rate": 8000}},
            "/actions/0/update/x-msgen-media/audio/encoding: x-msgen-media: 'opus' is not one of",
        ),
        (
            {"receive": {"message": "inboundMedia", "payloda": "/media/payload"}},
            "/actions/0/update/x-msgen-media/receive: x-msgen-media: Additional properties are not"
            " allowed ('payloda' was unexpected)",
        ),
        (
            {"receive": {"message": "nosuch", "payload": "/media/payload"}},
            "/actions/0/update/x-msgen-media/receive/message: no message 'nosuch' on this channel"
            " (its messages: ",
        ),
        (
            {"receive": {"message": "inboundMedia", "payload": "/media/nosuch"}},
            "/actions/0/update/x-msgen-media/receive/payload: message 'inboundMedia' has no field"
            " '/media/nosuch' (no property 'nosuch')",
        ),
        (
            {"receive": {"message": "inboundMedia"}},
            "receive message 'inboundMedia' is a text frame: 'payload' names its base64 field",
        ),
        (
            {"audio": {"encoding": "mulaw", "rate": 8000, "rates": [16000]}},
            "/actions/0/update/x-msgen-media/audio/rate: rate 8000 is not one of the rates [16000]",
        ),
        (
            {"audio": {"encoding": "mulaw", "byteOrder": "big", "rate": 8000}},
            "byteOrder applies to l16 audio, not mulaw",
        ),
        ({"audio": {"encoding": "mulaw"}}, "audio needs an encoding and a rate"),
        ({"playback": {"mode": "echo"}}, "playback mode 'echo' needs the 'mark' sent"),
        ({"stream": {"message": "start", "id": "/start/nosuch"}}, "has no field '/start/nosuch'"),
    ],
)
def test_a_wrong_profile_is_located_in_the_overlay_that_wrote_it(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    overlay = _overlay(tmp_path, "$.channels.mediaStream", {**TWILIO_PROFILE, **change})
    errors = _errors(SPEC, overlay)
    assert any(expected in e and e.split(":")[0].endswith("overlay.yaml") for e in errors), errors


def test_binary_audio_both_ways_with_exact_frames(tmp_path: Path) -> None:
    profile = {
        "audio": {
            "encoding": "l16",
            "byteOrder": "little",
            "rates": [8000, 16000, 24000],
            "rate": 16000,
        },
        "receive": {"message": "InboundAudioFrame"},
        "send": {"message": "OutboundAudioFrame", "frame": {"ms": 20, "exact": True}},
    }
    media = _profile(VONAGE, [_overlay(tmp_path, "$.channels['/']", profile)])
    assert media.audio.encoding == "l16le"
    assert media.receive.payload is None and media.send.payload is None
    assert media.send.framing.exact and media.send.framing.ms == 20
    assert media.receive.message.direction != media.send.message.direction


def test_a_binary_message_takes_no_payload_pointer(tmp_path: Path) -> None:
    profile = {
        "audio": {"encoding": "l16", "rate": 16000},
        "receive": {"message": "InboundAudioFrame", "payload": "/x"},
        "send": {"message": "OutboundAudioFrame"},
    }
    errors = _errors(VONAGE, _overlay(tmp_path, "$.channels['/']", profile))
    assert any("is a binary frame, the audio itself: no 'payload'" in e for e in errors), errors


TWO_CHANNELS = """\
asyncapi: 3.0.0
info: {title: Two, version: '1'}
channels:
  a:
    address: /s
    messages: {audio: {payload: {type: string, format: binary}}}
    x-msgen-media: &media
      audio: {encoding: l16, rate: 16000}
      receive: {message: audio}
      send: {message: reply}
  b:
    address: /s
    messages: {reply: {payload: {type: string, format: binary}}}
    x-msgen-media: *media
operations:
  r:
    action: receive
    channel: {$ref: '#/channels/a'}
    messages: [{$ref: '#/channels/a/messages/audio'}]
  s:
    action: send
    channel: {$ref: '#/channels/b'}
    messages: [{$ref: '#/channels/b/messages/reply'}]
"""


def test_one_socket_declares_its_profile_once(tmp_path: Path) -> None:
    spec = tmp_path / "two.yaml"
    spec.write_text(TWO_CHANNELS)
    with pytest.raises(SpecError) as caught:
        load(spec)
    (problem,) = caught.value.problems
    assert str(problem).endswith(
        "two.yaml:7:20: /channels/b/x-msgen-media: x-msgen-media is declared on more than one of"
        " the merged channels"
    )
    spec.write_text(TWO_CHANNELS.replace("    x-msgen-media: *media\n", ""))
    (channel,) = load(spec).api.channels
    assert channel.profile is not None and channel.profile.audio.encoding == "l16le"
