"""The document layer: every supported version, the version field, sides, one line per problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import OUTSIDE, ROOT

from msgen.model.normalize import load
from msgen.reading.document import SUPPORTED, default_side, read
from msgen.reading.fields import VERSIONS_2
from msgen.reading.loader import Workspace
from msgen.reading.problems import Problems, SpecError

Write = Callable[..., Path]

V2 = """
asyncapi: {version}
info: {{title: Two, version: '1'}}
channels:
  /feed:
    subscribe:
      operationId: hear
      message:
        oneOf:
          - $ref: '#/components/messages/tick'
          - $ref: '#/components/messages/tock'
    publish:
      operationId: say
      message: {{$ref: '#/components/messages/ask'}}
components:
  messages:
    tick: {{payload: {{type: object, required: [t], properties: {{t: {{const: tick}}}}}}}}
    tock: {{payload: {{type: object, required: [t], properties: {{t: {{const: tock}}}}}}}}
    ask: {{payload: {{type: object, required: [t], properties: {{t: {{const: ask}}}}}}}}
"""

V3 = """
asyncapi: 3.0.0
info: {title: Three, version: '1'}
channels:
  room:
    address: /room
    messages:
      ask: {payload: {type: object, required: [t], properties: {t: {const: ask}}}}
      answer: {payload: {type: object, required: [t], properties: {t: {const: answer}}}}
      note: {payload: {type: object, required: [t], properties: {t: {const: note}}}}
operations:
  hear:
    action: receive
    channel: {$ref: '#/channels/room'}
    messages: [{$ref: '#/channels/room/messages/ask'}]
    reply:
      messages: [{$ref: '#/channels/room/messages/answer'}]
  tell:
    action: send
    channel: {$ref: '#/channels/room'}
    messages: [{$ref: '#/channels/room/messages/note'}]
"""


def tags(write_spec: Write, text: str, side: str | None = None) -> tuple[list[str], list[str]]:
    built = load(write_spec(text), side=side)  # type: ignore[arg-type]
    (channel,) = built.api.channels
    return [m.tag for m in channel.inbound.messages], [m.tag for m in channel.outbound.messages]


@pytest.mark.parametrize("version", VERSIONS_2)
def test_every_2x_version_reads_like_2_6(write_spec: Write, version: str) -> None:
    built = load(write_spec(V2.format(version=version)))
    assert built.api.asyncapi_version == version
    (channel,) = built.api.channels
    assert [m.tag for m in channel.inbound.messages] == ["tick", "tock"]
    assert [m.tag for m in channel.outbound.messages] == ["ask"]
    assert built.api.side == "peer"


def test_the_supported_versions() -> None:
    assert SUPPORTED == (
        "2.0.0",
        "2.1.0",
        "2.2.0",
        "2.3.0",
        "2.4.0",
        "2.5.0",
        "2.6.0",
        "3.0.0",
        "3.1.0",
    )
    assert {default_side(v) for v in VERSIONS_2} == {"peer"}
    assert default_side("3.0.0") == default_side("3.1.0") == "application"


def test_2x_application_side_takes_the_literal_reading(write_spec: Write) -> None:
    assert tags(write_spec, V2.format(version="2.2.0"), "application") == (
        ["ask"],
        ["tick", "tock"],
    )


def test_3x_application_side_is_the_default_and_peer_flips_replies_too(write_spec: Write) -> None:
    assert tags(write_spec, V3) == (["ask"], ["answer", "note"])
    assert tags(write_spec, V3, "application") == (["ask"], ["answer", "note"])
    assert tags(write_spec, V3, "peer") == (["answer", "note"], ["ask"])


def test_the_side_used_is_recorded(write_spec: Write) -> None:
    spec = write_spec(V3)
    problems = Problems()
    root = Workspace(problems).root(spec)
    assert read(root, problems).side == "application"
    assert read(root, problems, "peer").side == "peer"
    assert load(spec, side="peer").api.side == "peer"


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        (
            "3.0",
            "`asyncapi: 3.0` is read as a number; write the version as a string: asyncapi: '3.0.0'",
        ),
        ("2.6", "asyncapi: '2.6.0'"),
        ("3", "asyncapi: '3.0.0'"),
        ("4.5", "asyncapi: a quoted version string"),
        ("'3.1'", "unsupported AsyncAPI version '3.1'; did you mean '3.1.0'?"),
        (
            "'1.2.0'",
            "unsupported AsyncAPI version '1.2.0' (supported: 2.0.0 to 2.6.0, 3.0.0 and 3.1.0)",
        ),
    ],
)
def test_the_version_field_explains_what_is_wrong(
    write_spec: Write, written: str, hint: str
) -> None:
    text = V3.replace("asyncapi: 3.0.0", f"asyncapi: {written}")
    with pytest.raises(SpecError) as caught:
        load(write_spec(text))
    (problem,) = caught.value.problems
    assert hint in problem.message
    assert problem.location.pointer == "/asyncapi"


def test_a_dangling_channel_message_is_recorded_once(write_spec: Write) -> None:
    # Operations name the channel's message entries, so the broken entry is reported by the
    # channel alone, not again by each operation that lists it.
    text = V3.replace(
        "      ask: {payload: {type: object, required: [t], properties: {t: {const: ask}}}}",
        "      ask: {$ref: '#/components/messages/gone'}",
    )
    problems = Problems()
    read(Workspace(problems).root(write_spec(text)), problems)
    (error,) = problems.errors
    assert error.location.pointer == "/channels/room/messages/ask/$ref"


def test_an_operation_may_name_the_message_itself_rather_than_the_channel_entry(
    write_spec: Write,
) -> None:
    text = V3.replace(
        "      note: {payload: {type: object, required: [t], properties: {t: {const: note}}}}",
        "      note: {$ref: '#/components/messages/note'}",
    ).replace("'#/channels/room/messages/note'", "'#/components/messages/note'")
    text += (
        "components:\n  messages:\n"
        "    note: {payload: {type: object, required: [t], properties: {t: {const: note}}}}\n"
    )
    assert tags(write_spec, text) == (["ask"], ["answer", "note"])


def test_a_null_3x_address_is_dynamic_and_the_channel_goes_by_its_key(write_spec: Write) -> None:
    built = load(write_spec(V3.replace("address: /room", "address: null")))
    assert built.api.channels[0].address == "room"


def test_a_2x_operation_without_message_is_a_warning(write_spec: Write) -> None:
    text = V2.format(version="2.6.0").replace(
        "      operationId: say\n      message: {$ref: '#/components/messages/ask'}\n",
        "      operationId: say\n",
    )
    built = load(write_spec(text))
    assert any(
        "operation has no `message`: nothing to generate for it" in w for w in built.warnings
    )
    assert [m.tag for m in built.api.channels[0].inbound.messages] == ["tick", "tock"]


def test_texts_of_another_type_are_warnings(write_spec: Write) -> None:
    text = V3.replace("info: {title: Three, version: '1'}", "info: {title: Three, version: 1.5}")
    text = text.replace("address: /room", "address: /room\n    description: [not, text]")
    built = load(write_spec(text))
    assert built.api.version == "1.5"
    assert any(
        "info.version is read as the number 1.5; quote it: '1.5'" in w for w in built.warnings
    )
    assert any(
        "/channels/room/description: warning: description must be a string: ignored" in w
        for w in built.warnings
    )
    assert built.api.channels[0].description == ""


def test_a_2_0_document_builds_into_a_working_package(
    write_spec: Write, build_package: Callable[..., ModuleType]
) -> None:
    package: Any = build_package(write_spec(V2.format(version="2.0.0")))
    assert type(package.decode_inbound('{"t":"tock"}')).__name__ == "Tock"
    assert package.encode(package.Ask()) == '{"t":"ask"}'


TRAITS_2 = """
asyncapi: 2.6.0
info: {title: Traits, version: '1'}
channels:
  /feed:
    subscribe:
      message:
        oneOf:
          - $ref: '#/components/messages/audio'
          - $ref: '#/components/messages/note'
components:
  messages:
    audio:
      name: sound
      traits: [{$ref: '#/components/messageTraits/binary'}]
    note:
      payload: {type: object, required: [t], properties: {t: {const: note}}}
      traits: [{$ref: '#/components/messageTraits/named'}, {examples: [{payload: {t: note}}]}]
  messageTraits:
    binary: {name: chunk, contentType: application/octet-stream}
    named: {name: remark, title: From the trait}
"""


def test_2x_message_traits_are_merged_into_the_message_and_win(write_spec: Write) -> None:
    (channel,) = load(write_spec(TRAITS_2)).api.channels
    audio, note = channel.inbound.messages
    assert (audio.class_name, audio.binary) == ("Chunk", True)
    assert (note.class_name, note.title) == ("Remark", "From the trait")
    assert [e.wire for e in note.examples] == ['{"t":"note"}']


def test_3x_message_traits_are_merged_first_and_the_message_wins(write_spec: Write) -> None:
    text = V3.replace(
        "info: {title: Three, version: '1'}", "info: {title: Traits, version: '1'}"
    ).replace(
        "      note: {payload: {type: object, required: [t], properties: {t: {const: note}}}}",
        "      note:\n"
        "        name: note\n"
        "        payload: {type: object, required: [t], properties: {t: {const: note}}}\n"
        "        traits:\n"
        "          - {name: remark, title: From the trait}\n"
        "          - {examples: [{payload: {t: note}}]}",
    )
    (channel,) = load(write_spec(text)).api.channels
    note = channel.outbound.messages[-1]
    assert (note.class_name, note.title) == ("Note", "From the trait")
    assert [e.wire for e in note.examples] == ['{"t":"note"}']


@pytest.mark.parametrize(
    ("traits", "error"),
    [
        ("{name: x}", "message traits must be a list"),
        ("[plain]", "a message trait must be a mapping"),
    ],
)
def test_malformed_message_traits_are_errors(write_spec: Write, traits: str, error: str) -> None:
    text = TRAITS_2.replace(
        "traits: [{$ref: '#/components/messageTraits/binary'}]", f"traits: {traits}"
    )
    with pytest.raises(SpecError) as caught:
        load(write_spec(text))
    (problem,) = [p for p in caught.value.problems if p.level == "error"]
    assert problem.message == error
    assert problem.location.pointer.startswith("/components/messages/audio/traits")


def test_a_vendors_document_is_read_as_its_client_when_its_messages_name_the_parties() -> None:
    """Deepgram's 2.6 document writes publish/subscribe from the client's side: against the 2.x
    default, its servers (api.deepgram.com) and its message names (``...-client-...``,
    ``...-server-...``) make the generated code Deepgram's client."""
    spec = ROOT / "tests" / "fixtures" / "deepgram" / "asyncapi.yml"
    root = Workspace(Problems()).root(spec)
    document = read(root, Problems())
    assert document.side == "application"
    assert document.reading == (
        "read as the client of api.deepgram.com: the generated code sends the messages the"
        " document names as the client's and receives the server's"
    )
    listen = next(c for c in document.channels if c.key == "/v1/listen")
    outbound = [
        m.key for op in listen.operations if op.direction == "outbound" for m in op.messages
    ]
    assert all("-client-" in key for key in outbound), outbound


def test_an_explicit_side_is_kept_and_needs_no_reason() -> None:
    spec = ROOT / "tests" / "fixtures" / "deepgram" / "asyncapi.yml"
    document = read(Workspace(Problems()).root(spec), Problems(), "peer")
    assert (document.side, document.reading) == ("peer", "")


def test_the_media_profile_says_which_party_receives_the_audio(tmp_path: Path) -> None:
    spec = tmp_path / "audio.yaml"
    spec.write_text(
        "asyncapi: 3.0.0\n"
        "info: {title: Audio, version: '1'}\n"
        "channels:\n"
        "  s:\n"
        "    address: /s\n"
        "    messages: {caller: {payload: {type: string, format: binary}}}\n"
        "    x-msgen-media: {receive: {message: caller}}\n"
        "operations:\n"
        "  o: {action: send, channel: {$ref: '#/channels/s'},\n"
        "      messages: [{$ref: '#/channels/s/messages/caller'}]}\n"
    )
    document = read(Workspace(Problems()).root(spec), Problems())
    assert document.side == "peer"
    assert (
        "receives 'caller', the audio its media profile (x-msgen-media) says it receives"
        in document.reading
    )


def test_documents_that_say_nothing_keep_the_version_default() -> None:
    document = read(Workspace(Problems()).root(OUTSIDE), Problems())
    assert document.side == "peer"
    assert document.reading.startswith("read as the peer side, the AsyncAPI 2.x default")
