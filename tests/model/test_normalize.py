"""The intermediate model: names, discriminators, directions and the media profile."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from support import OUTSIDE, ROOT, SPEC, run_generated_tests, run_msgen

from msgen.model.ir import LiteralType, StringType
from msgen.model.normalize import RESERVED, load
from msgen.reading.problems import SpecError

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


def test_a_tag_shared_by_two_messages_tries_them_in_order_and_warns(
    write_spec: Callable[..., Path],
) -> None:
    assert load(write_spec(SPEC_HEAD % "b")).api.channels[0].inbound.discriminator == "kind"
    built = load(write_spec(SPEC_HEAD % "a"))
    (union_tags,) = built.api.channels[0].inbound.tags
    assert [m.key for m in union_tags[1]] == ["a", "b"]
    assert any("'a' and 'b' can match the same frame" in w for w in built.warnings)


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


SOCKETS = """
asyncapi: 3.0.0
info: {title: WebSocket API, version: '1'}
defaultContentType: application/octet-stream
servers:
  main: {host: api.voice-vendor.com, protocol: wss}
  other: {host: eu.voice-vendor.com, protocol: wss}
channels:
  speakIn: {address: /v1/speak, messages: {text: {$ref: '#/components/messages/text'}}}
  speakOut: {address: /v1/speak, messages: {audio: {$ref: '#/components/messages/audio'}}}
  listen1: {address: /v1/listen, messages: {m: {$ref: '#/components/messages/text'}}}
  listen2: {address: '/v2/listen/{model}', messages: {m: {$ref: '#/components/messages/text'}}}
  elsewhere:
    address: /v1/speak
    servers: [{$ref: '#/servers/other'}]
    messages: {m: {$ref: '#/components/messages/text'}}
operations:
  a: {action: send, channel: {$ref: '#/channels/speakIn'}}
  b: {action: receive, channel: {$ref: '#/channels/speakOut'}}
  c: {action: send, channel: {$ref: '#/channels/listen1'}}
  d: {action: send, channel: {$ref: '#/channels/listen2'}}
  e: {action: send, channel: {$ref: '#/channels/elsewhere'}}
components:
  messages:
    text:
      contentType: application/json
      payload: {type: object, required: [text], properties: {text: {type: string}}}
    audio: {}
"""


def test_channels_on_one_address_and_servers_are_one_socket(
    write_spec: Callable[..., Path],
) -> None:
    api = load(write_spec(SOCKETS)).api
    assert api.package == "voice_vendor"
    speak, listen1, listen2, elsewhere = api.channels
    assert speak.keys == ("speakIn", "speakOut")
    assert [m.class_name for m in speak.messages] == ["AudioMessage", "Text"]
    # Names from the address; versions only where two would clash; the key after that.
    assert [c.module for c in api.channels] == ["speak_in", "listen_v1", "listen_v2", "elsewhere"]
    assert elsewhere.keys == ("elsewhere",)
    (audio,) = speak.inbound.messages
    assert (audio.kind, audio.binary, audio.content_type) == (
        "binary",
        True,
        "application/octet-stream",
    )
    assert listen1.outbound.messages[0].kind == "object"
    assert listen2.address == "/v2/listen/{model}"


def test_one_socket_has_no_channel_subpackage(write_spec: Callable[..., Path]) -> None:
    text = SOCKETS.replace("/v1/listen", "/v1/speak").replace("'/v2/listen/{model}'", "/v1/speak")
    text = text.replace("    servers: [{$ref: '#/servers/other'}]\n", "")
    (channel,) = load(write_spec(text)).api.channels
    assert channel.module == ""
    assert channel.keys == ("speakIn", "speakOut", "listen1", "listen2", "elsewhere")


def test_message_kinds_and_names(write_spec: Callable[..., Path]) -> None:
    api = load(
        write_spec(
            """
            asyncapi: 3.0.0
            info: {title: Kinds, version: '1'}
            channels:
              c:
                address: /
                messages:
                  a: {messageId: firstOne, payload: {type: array}}
                  b: {title: Second Thing, contentType: text/plain}
                  c: {title: ThirdThing, contentType: 'application/vnd.x+json; v=1'}
                  d: {name: go, payload: {type: object}}
            operations:
              in: {action: receive, channel: {$ref: '#/channels/c'}}
            """
        )
    ).api
    a, b, c, d = api.channels[0].inbound.messages
    assert [(m.class_name, m.name, m.kind) for m in (a, b, c, d)] == [
        ("FirstOne", "firstOne", "value"),
        ("B", "b", "plain"),
        ("ThirdThing", "ThirdThing", "value"),
        ("Go", "go", "object"),
    ]
    assert b.payload == StringType()


def _names_beside_the_frames(package: Path) -> set[str]:
    """Capitalised names the modules using frame classes (and frames.py) define or import."""
    found: set[str] = set()
    for frames in package.rglob("frames.py"):
        folder = frames.parent
        classes = {
            n.name for n in ast.parse(frames.read_text()).body if isinstance(n, ast.ClassDef)
        }
        for module in folder.rglob("*.py"):
            tree = ast.parse(module.read_text())
            uses = module == frames or any(
                isinstance(n, ast.ImportFrom) and n.module == "frames" for n in tree.body
            )
            if not uses:
                continue
            for node in tree.body:
                if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    found.add(node.name)
                elif isinstance(node, ast.Assign):
                    found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    found.add(node.target.id)
                elif isinstance(node, ast.ImportFrom) and node.module != "frames":
                    found |= {a.asname or a.name for a in node.names}
        found -= classes
    return {name for name in found if name[:1].isupper()}


@pytest.mark.parametrize("models", ["dataclasses", "msgspec", "pydantic"])
def test_reserved_names_cover_what_the_modules_beside_the_frames_use(
    tmp_path: Path, models: str
) -> None:
    out = tmp_path / "out"
    assert run_msgen("build", SPEC, "--out", out, "--models", models).returncode == 0
    assert _names_beside_the_frames(out) <= RESERVED


def test_a_class_named_like_the_package_own_names_gets_a_suffix(
    write_spec: Callable[..., Path],
) -> None:
    text = """
    asyncapi: 3.0.0
    info: {title: Clash, version: '1'}
    channels:
      c:
        address: /
        messages:
          event:
            payload:
              type: object
              properties: {session: {$ref: '#/components/schemas/Session'}}
    operations:
      in: {action: receive, channel: {$ref: '#/channels/c'}}
    components:
      schemas:
        Session: {type: object, properties: {id: {type: string}}}
    """
    (message,) = load(write_spec(text)).api.channels[0].inbound.messages
    assert message.class_name == "EventMessage"
    (session,) = message.fields
    assert session.type.class_name == "SessionObject"  # type: ignore[union-attr]


STREAMS = ROOT / "tests" / "fixtures" / "streams" / "streams.yaml"


def test_2x_channels_named_like_events_on_a_fixed_url_are_one_socket() -> None:
    api = load(STREAMS).api
    streams, status = api.channels
    assert streams.keys == ("session.update", "session.updated", "audio.append", "error")
    assert (streams.connection.path, status.connection.path) == ("", "/status")
    assert (streams.module, status.module) == ("live", "status")
    assert [m.key for m in streams.outbound.messages] == ["sessionUpdate", "audioAppend"]
    inbound = streams.inbound
    assert [m.key for m in inbound.messages] == ["sessionUpdated", "error"]
    # The tag of most messages is the union's; a message tagged by another property is told
    # apart by its structure.
    assert inbound.discriminator == "type"
    assert [m.key for m in inbound.untagged] == ["error"]


@pytest.mark.parametrize(
    ("servers", "sockets"),
    [
        # A variable path: each channel may be a URL of its own.
        ("servers: {s: {url: '{host}/{path}', protocol: wss}}\n", 5),
        ("servers: {s: {url: 'wss://{host}/v1/ws?v={v}', protocol: wss}}\n", 1),
        ("", 5),  # no server: nothing says the channels share a URL
    ],
)
def test_named_2x_channels_share_a_socket_only_on_servers_with_a_fixed_path(
    write_spec: Callable[..., Path], servers: str, sockets: int
) -> None:
    text = STREAMS.read_text()
    start, end = text.index("servers:\n"), text.index("channels:\n")
    text = text[:start] + servers + text[end:]
    text = text.replace("  /status:\n    subscribe:\n", "  status:\n    subscribe:\n")
    assert len(load(write_spec(text)).api.channels) == sockets


def test_channels_named_like_events_build_one_package_that_passes_its_tests(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", STREAMS, "--out", out)
    assert built.returncode == 0, built.stderr
    # The stream is named after its server's path (/v1/live), the other socket after its own.
    assert sorted(p.name for p in (out / "realtime_streams").iterdir() if p.is_dir()) == [
        "live",
        "status",
    ]
    result = run_generated_tests(out, fewer=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_plain_text_message_carries_only_the_strings_its_schema_allows(
    write_spec: Callable[..., Path],
) -> None:
    text = (SPEC_HEAD % "b").replace(
        "a: {payload: {type: object, required: [kind], properties: {kind: {const: a}}}}",
        "a:\n        contentType: text/plain\n        payload: {}\n"
        "        examples: [{name: text, payload: hi}, {name: number, payload: 1}]",
    )
    built = load(write_spec(text))
    message = built.api.channels[0].inbound.messages[0]
    assert message.payload == StringType()
    assert [e.name for e in message.examples] == ["text"]
    assert any("example 'number' does not match" in w for w in built.warnings)
    typed = text.replace("payload: {}", "payload: {type: [string, integer], enum: [hi, 1]}")
    (message, _) = load(write_spec(typed)).api.channels[0].inbound.messages
    assert message.payload == LiteralType(("hi",))
