"""The telephony providers' documents in specs/: each builds a package, alone or with its overlay.

Vendored documents (Vonage, Plivo, Exotel, Wavix) are public documents by others, kept unedited
beside a PROVENANCE file; what they get wrong is corrected by an Overlay 1.0 document beside them.
Written documents (Telnyx, SignalWire, Bandwidth) were written from the providers' documentation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from support import ROOT, run_generated_tests, run_msgen

from msgen.model.ir import Message
from msgen.model.normalize import Built, load
from msgen.output import write_tree
from msgen.reading.problems import Side
from msgen.render import render

SPECS = ROOT / "specs"
VALIDATE = ROOT / "tools" / "asyncapi" / "validate.mjs"


@dataclass(frozen=True)
class Provider:
    name: str
    spec: Path
    #: None for the documents written here.
    overlay: Path | None = None
    side: Side | None = None

    @property
    def overlays(self) -> list[Path]:
        return [self.overlay] if self.overlay else []

    def build(self) -> Built:
        return load(self.spec, overlays=self.overlays, side=self.side)


def _vendored(name: str, file: str, side: Side | None = None) -> Provider:
    return Provider(name, SPECS / name / file, SPECS / name / "overlay.yaml", side)


VENDORED = [
    _vendored("vonage", "vonage-asyncapi.yml"),
    _vendored("plivo", "plivo-asyncapi.yml"),
    _vendored("exotel", "exotel-asyncapi.yml"),
    # Written from Wavix's side: its `send` is what the customer's server receives.
    _vendored("wavix", "wavix-asyncapi.yaml", side="peer"),
]
WRITTEN = [
    Provider("telnyx", SPECS / "telnyx" / "telnyx-media-streaming.yaml"),
    Provider("signalwire", SPECS / "signalwire" / "signalwire-stream.yaml"),
    Provider("bandwidth", SPECS / "bandwidth" / "bandwidth-stream.yaml"),
]
ALL = VENDORED + WRITTEN

#: SHA-256 of the vendored documents as published: they are never edited, only overlaid.
PUBLISHED = {
    "vonage": "8eb5b548e0d90d3c018ac811f04decd522582819cb9472643ad1b82fbcb32a43",
    "plivo": "cbbdc0cf7a46a90cf0dfb3f46eb8fff65381a1c276d47277d0a64e88110aa821",
    "exotel": "f48c5cffc22712993bd2e81f901e994ab5d719ec09deff9c500317df6ff23e62",
    "wavix": "2a013c54074fab7655cb325c921da58e7f680ebe4fce693d6828767347660824",
}

#: Warnings msgen still gives for a vendored document once its overlay is applied, with why they
#: are acceptable. None today: the overlays leave nothing to warn about.
ACCEPTED_WARNINGS: dict[str, list[str]] = {"vonage": [], "plivo": [], "exotel": [], "wavix": []}

#: An overlay action's description cites where its fact comes from.
SOURCE_TAG = re.compile(r"\[(DOC|OFFICIAL-CODE|3P|UNCERTAIN)\b|AsyncAPI 2\.6")


def _ids(providers: list[Provider]) -> list[str]:
    return [p.name for p in providers]


def _messages(built: Built) -> list[Message]:
    return [m for channel in built.api.channels for m in channel.messages]


def _schema_of(built: Built, message: Message) -> dict[str, Any]:
    (channel,) = built.api.channels
    schema = built.schemas[f"{channel.module}:{message.class_name}"]
    assert isinstance(schema, dict)
    return schema


def _by_name(built: Built, name: str) -> Message:
    (found,) = [m for m in _messages(built) if m.name == name]
    return found


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# ---------------------------------------------------------------------------------------------
# Every document
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ALL, ids=_ids(ALL))
def test_it_builds_and_renders_a_package(provider: Provider) -> None:
    built = provider.build()
    files = render(built)
    package = built.api.package
    assert f"{package}/__init__.py" in files
    assert any(name.startswith("tests/") for name in files)
    # Every message is told apart by a required tag, never by structure alone.
    for channel in built.api.channels:
        for union in (channel.inbound, channel.outbound):
            assert union.fallback == (), [m.name for m in union.fallback]
            for message in union.text:
                assert message.tag and message.tag_required, message.name


@pytest.mark.parametrize("provider", ALL, ids=_ids(ALL))
def test_every_example_matches_its_schema(provider: Provider) -> None:
    built = provider.build()
    for message in _messages(built):
        if message.binary:
            continue
        assert message.examples, f"{provider.name}: {message.name} has no example"
        validator = Draft7Validator(_schema_of(built, message))
        for example in message.examples:
            errors = [e.message for e in validator.iter_errors(json.loads(example.wire))]
            assert not errors, f"{provider.name}: {message.name}/{example.name}: {errors}"


# ---------------------------------------------------------------------------------------------
# Vendored documents and their overlays
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", VENDORED, ids=_ids(VENDORED))
def test_the_vendored_document_is_the_published_one(provider: Provider) -> None:
    digest = hashlib.sha256(provider.spec.read_bytes()).hexdigest()
    assert digest == PUBLISHED[provider.name], "vendored documents are never edited: overlay them"
    provenance = (provider.spec.parent / "PROVENANCE").read_text(encoding="utf-8")
    for needed in ("repository: https://github.com/", "path: ", "commit: ", "asyncapi: "):
        assert needed in provenance
    assert provider.spec.name in provenance


@pytest.mark.parametrize("provider", VENDORED, ids=_ids(VENDORED))
def test_the_overlay_is_well_formed_and_every_action_says_why(provider: Provider) -> None:
    assert provider.overlay is not None
    overlay = _yaml(provider.overlay)
    assert overlay["overlay"] == "1.0.0"
    assert set(overlay["info"]) == {"title", "version"}
    assert overlay["extends"] == provider.spec.name
    for action in overlay["actions"]:
        assert action["target"].startswith("$")
        assert ("update" in action) != (action.get("remove") is True), action["target"]
        assert SOURCE_TAG.search(action.get("description", "")), action["target"]


@pytest.mark.parametrize("provider", VENDORED, ids=_ids(VENDORED))
def test_only_the_accepted_warnings_remain_after_the_overlay(provider: Provider) -> None:
    assert list(provider.build().warnings) == ACCEPTED_WARNINGS[provider.name]


def test_vonage_overlay_adds_dtmf_and_24khz() -> None:
    vonage = VENDORED[0]
    before = load(vonage.spec)
    assert "WebsocketDtmfEvent" not in [m.name for m in _messages(before)]
    built = vonage.build()
    dtmf = _by_name(built, "WebsocketDtmfEvent")
    assert dtmf.direction == "inbound"
    assert (dtmf.tag, dtmf.tag_required) == ("websocket:dtmf", True)
    assert {"digit": "5", "duration": 260, "event": "websocket:dtmf"} in [
        json.loads(e.wire) for e in dtmf.examples
    ]
    connected = _schema_of(built, _by_name(built, "WebsocketConnectedEvent"))
    assert "audio/l16;rate=24000" in connected["properties"]["content-type"]["enum"]
    # externalDocs moved out of `info`, where 2.6 ignores it.
    assert any("externalDocs" in w for w in before.warnings)


def test_exotel_overlay_makes_frames_tagged_and_adds_auth() -> None:
    exotel = VENDORED[2]
    before = load(exotel.spec)
    assert any("can match the same frame" in w for w in before.warnings)
    assert all(not m.tag_required for m in _messages(before))
    built = exotel.build()
    for message in _messages(built):
        assert message.tag_required, message.name
        assert "event" in _schema_of(built, message)["required"]
    start = _schema_of(built, _by_name(built, "start"))
    assert start["properties"]["sequence_number"]["type"] == ["string", "integer"]
    overlay = _yaml(SPECS / "exotel" / "overlay.yaml")
    (components,) = [a["update"] for a in overlay["actions"] if a["target"] == "$.components"]
    basic = components["securitySchemes"]["exotelBasic"]
    assert (basic["type"], basic["scheme"]) == ("http", "basic")


def test_plivo_overlay_gives_every_message_an_example_with_numeric_counters() -> None:
    built = VENDORED[1].build()
    for message in _messages(built):
        for example in message.examples:
            frame = json.loads(example.wire)
            if "sequenceNumber" in frame:
                assert isinstance(frame["sequenceNumber"], int)
    media = json.loads(_by_name(built, "media").examples[0].wire)
    assert isinstance(media["media"]["chunk"], int)
    assert isinstance(media["media"]["timestamp"], str)
    start = json.loads(_by_name(built, "start").examples[0].wire)
    assert "streamId" in start["start"] and "streamId" not in start


def test_wavix_overlay_makes_the_audio_examples_base64() -> None:
    built = VENDORED[3].build()
    for message in _messages(built):
        for example in message.examples:
            media = json.loads(example.wire).get("media")
            if media:
                base64.b64decode(media["payload"], validate=True)


@pytest.mark.parametrize("provider", VENDORED, ids=_ids(VENDORED))
def test_vendored_package_generated_tests_pass(tmp_path: Path, provider: Provider) -> None:
    built = provider.build()
    out = tmp_path / "out"
    write_tree(out, render(built, "dataclasses", out.name))
    result = run_generated_tests(out, fewer=True)
    assert result.returncode == 0, result.stdout[-4000:]


# ---------------------------------------------------------------------------------------------
# Documents written from the providers' documentation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", WRITTEN, ids=_ids(WRITTEN))
def test_the_official_parser_accepts_it(provider: Provider) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the AsyncAPI parser check needs Node.js (>= 18)")
    if not (VALIDATE.parent / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail("tools/asyncapi/node_modules is missing: run `make node-deps`")
    result = subprocess.run(
        [node, str(VALIDATE), str(provider.spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": error:" not in result.stdout and ": warning:" not in result.stdout, result.stdout


@pytest.mark.parametrize("provider", WRITTEN, ids=_ids(WRITTEN))
def test_msgen_gives_no_warning(provider: Provider) -> None:
    assert provider.build().warnings == ()


@pytest.mark.parametrize("provider", WRITTEN, ids=_ids(WRITTEN))
def test_examples_match_the_schemas_as_written(provider: Provider) -> None:
    """Draft-07 against the document itself (local `$ref`s resolved), not msgen's reading."""
    spec = _yaml(provider.spec)
    uri = f"urn:msgen:{provider.name}"
    registry: Registry = Registry().with_resource(
        uri, Resource(contents=spec, specification=DRAFT7)
    )
    for key, message in spec["components"]["messages"].items():
        for field in ("name", "title", "summary", "description", "payload", "examples"):
            assert message.get(field), f"{key} lacks {field}"
        ref = message["payload"]["$ref"]
        validator = Draft7Validator({"$ref": f"{uri}{ref}"}, registry=registry)
        for example in message["examples"]:
            errors = [e.message for e in validator.iter_errors(example["payload"])]
            assert not errors, f"{key}/{example['name']}: {errors}"


@pytest.mark.parametrize("provider", WRITTEN, ids=_ids(WRITTEN))
def test_it_names_its_sources_and_its_security(provider: Provider) -> None:
    spec = _yaml(provider.spec)
    assert spec["asyncapi"].startswith("3.0")
    assert spec["info"]["externalDocs"]["url"].startswith("https://")
    assert "Not verified on a live call" in spec["info"]["description"]
    schemes = spec["components"]["securitySchemes"]
    (server,) = spec["servers"].values()
    assert [s["$ref"].rsplit("/", 1)[1] for s in server["security"]] == list(schemes)


def test_telnyx_encodes_its_quirks() -> None:
    spec = _yaml(WRITTEN[0].spec)
    schemas = spec["components"]["schemas"]
    assert "stream_id" in schemas["StartPayload"]["required"]
    assert "stream_id" not in schemas["StartMetadata"]["properties"]
    for name in ("OutboundMediaPayload", "OutboundMarkPayload", "ClearPayload"):
        assert set(schemas[name]["properties"]) <= {"event", "media", "mark"}
        assert schemas[name]["additionalProperties"] is False
    assert schemas["SequenceNumber"]["type"] == "string"
    assert schemas["MediaFormat"]["required"] == ["encoding", "sample_rate", "channels"]
    assert "occurred_at" in schemas["DtmfPayload"]["properties"]
    assert "error" in spec["components"]["messages"]
    token = spec["components"]["securitySchemes"]["streamingAuthToken"]
    assert (token["type"], token["name"], token["in"]) == (
        "httpApiKey",
        "x-telnyx-streaming-auth-token",
        "header",
    )


def test_signalwire_encodes_its_quirks() -> None:
    spec = _yaml(WRITTEN[1].spec)
    schemas = spec["components"]["schemas"]
    messages = spec["components"]["messages"]
    assert messages["connected"]["examples"][0]["payload"]["version"] == "0.2.0"
    assert schemas["DtmfPress"]["properties"]["duration"]["type"] == "integer"
    assert schemas["MediaFormat"]["properties"]["encoding"]["enum"] == [
        "audio/x-mulaw",
        "audio/x-L16",
    ]
    assert schemas["MediaFormat"]["properties"]["sampleRate"]["enum"] == [8000, 16000, 24000]
    assert re.fullmatch(schemas["Uuid"]["pattern"][1:-1], "7d56cc11-536d-4a45-b4fb-ed3d55be843b")
    assert spec["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_bandwidth_encodes_its_quirks() -> None:
    built = WRITTEN[2].build()
    (channel,) = built.api.channels
    assert channel.inbound.discriminator == channel.outbound.discriminator == "eventType"
    assert {m.tag for m in channel.inbound.messages} == {"start", "media", "stop"}
    assert {m.tag for m in channel.outbound.messages} == {"playAudio", "clear"}
    media = _schema_of(built, _by_name(built, "inboundMedia"))
    assert "payload" in media["required"] and "media" not in media["properties"]
    play = _schema_of(built, _by_name(built, "playAudio"))
    assert play["properties"]["media"]["required"] == ["contentType", "payload"]
    start = _schema_of(built, _by_name(built, "start"))
    assert "metadata" in start["required"]


@pytest.mark.parametrize("provider", WRITTEN, ids=_ids(WRITTEN))
def test_written_package_builds_with_the_cli_and_its_tests_pass(
    tmp_path: Path, provider: Provider
) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", provider.spec, "--out", out, "--strict")
    assert built.returncode == 0, built.stderr[-3000:]
    result = run_generated_tests(out, fewer=True)
    assert result.returncode == 0, result.stdout[-4000:]
