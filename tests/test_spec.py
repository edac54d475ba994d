"""Checks of specs/twilio-media-streams.yaml: the official AsyncAPI parser, then the protocol facts.

The parser (tools/asyncapi/validate.mjs) checks the document's structure and references, but for
AsyncAPI 3 it does not check message examples against their payloads; the tests below do, with
JSON Schema draft-07 (AsyncAPI 3.0's default schema format).
"""

from __future__ import annotations

import base64
import copy
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "specs" / "twilio-media-streams.yaml"
TOOL_DIR = ROOT / "tools" / "asyncapi"
VALIDATE = TOOL_DIR / "validate.mjs"
SPEC_URI = "urn:msgen:twilio-media-streams"

DIAGNOSTIC = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info|hint): "
    r"(?P<code>\S+): (?P<message>.*)$"
)

# Message key -> value of the `event` discriminator.
INBOUND = {
    "connected": "connected",
    "start": "start",
    "inboundMedia": "media",
    "dtmf": "dtmf",
    "inboundMark": "mark",
    "stop": "stop",
}
OUTBOUND = {"outboundMedia": "media", "outboundMark": "mark", "clear": "clear"}
EVENTS = INBOUND | OUTBOUND

# Nested object schemas, by (payload schema's message, property path).
NESTED = {
    ("start", ("start",)): "StartMetadata",
    ("start", ("start", "mediaFormat")): "MediaFormat",
    ("inboundMedia", ("media",)): "InboundMediaChunk",
    ("dtmf", ("dtmf",)): "DtmfPress",
    ("inboundMark", ("mark",)): "MarkLabel",
    ("stop", ("stop",)): "StopMetadata",
    ("outboundMedia", ("media",)): "OutboundMediaChunk",
    ("outboundMark", ("mark",)): "MarkLabel",
}

SID_PATTERNS = {
    "StreamSid": "^MZ[0-9a-fA-F]{32}$",
    "AccountSid": "^AC[0-9a-fA-F]{32}$",
    "CallSid": "^CA[0-9a-fA-F]{32}$",
}
POSITIVE_COUNTER = "^[1-9][0-9]*$"
NON_NEGATIVE_COUNTER = "^(0|[1-9][0-9]*)$"

# What real SIDs look like in the examples: lower-case hex.
EXAMPLE_SID = re.compile(r"^(MZ|AC|CA)[0-9a-f]{32}$")

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict)
    return data


SPEC = load_spec()


def deref(node: Any) -> Any:
    """Follow local `$ref`s (`#/...`) until a node without one."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are expected, got {ref!r}"
        assert ref not in seen, f"reference cycle at {ref!r}"
        seen.add(ref)
        node = SPEC
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def ref_name(node: dict[str, Any]) -> str:
    """The component name a `#/components/schemas/NAME` reference points at."""
    ref = node.get("$ref", "")
    prefix = "#/components/schemas/"
    assert ref.startswith(prefix), f"expected a reference to a component schema, got {node!r}"
    return str(ref[len(prefix) :])


def validator_for(pointer: str) -> Draft7Validator:
    """A draft-07 validator for the schema at `pointer` (e.g. `/components/schemas/X`)."""
    resource = Resource(contents=SPEC, specification=DRAFT7)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return Draft7Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry)


def payload_validator(message_key: str) -> Draft7Validator:
    payload = SPEC["components"]["messages"][message_key]["payload"]
    return validator_for(payload["$ref"][1:])


def payload_schema(message_key: str) -> dict[str, Any]:
    schema = deref(SPEC["components"]["messages"][message_key]["payload"])
    assert isinstance(schema, dict)
    return schema


def errors(validator: Draft7Validator, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def example(message_key: str, index: int = 0) -> dict[str, Any]:
    payload = SPEC["components"]["messages"][message_key]["examples"][index]["payload"]
    return copy.deepcopy(payload)


def all_examples() -> Iterator[Any]:
    for key, message in SPEC["components"]["messages"].items():
        for ex in message.get("examples", []):
            yield pytest.param(key, ex, id=f"{key}-{ex.get('name')}")


def object_schemas(schema: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema reachable from `schema`, with a readable path, following $refs."""
    name = ref_name(schema) if isinstance(schema, dict) and "$ref" in schema else None
    node = deref(schema)
    if not isinstance(node, dict):
        return
    label = f"{path}<{name}>" if name else path
    if node.get("type") == "object" and "properties" in node:
        yield label, node
    for prop, sub in node.get("properties", {}).items():
        yield from object_schemas(sub, f"{label}.{prop}")
    if isinstance(node.get("items"), dict):
        yield from object_schemas(node["items"], f"{label}[]")


def operation_message_keys(operation_id: str) -> list[str]:
    keys = []
    for ref in SPEC["operations"][operation_id]["messages"]:
        prefix = "#/channels/mediaStream/messages/"
        assert ref["$ref"].startswith(prefix)
        keys.append(ref["$ref"][len(prefix) :])
    return keys


def run_validator(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the AsyncAPI parser check needs Node.js (>= 18)")
    if not (TOOL_DIR / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(
            "tools/asyncapi/node_modules is missing: run `make test`, which installs the "
            "AsyncAPI parser (npm ci in tools/asyncapi) before running the tests"
        )
    return subprocess.run(
        [node, str(VALIDATE), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def diagnostics(output: str) -> list[re.Match[str]]:
    lines = [line for line in output.splitlines() if line.strip()]
    matches = [DIAGNOSTIC.match(line) for line in lines]
    unparsed = [line for line, m in zip(lines, matches, strict=True) if m is None]
    assert not unparsed, f"validator printed lines not in FILE:LINE:COL form: {unparsed}"
    return [m for m in matches if m is not None]


# ---------------------------------------------------------------------------------------------
# The official AsyncAPI parser
# ---------------------------------------------------------------------------------------------


def test_official_parser_accepts_the_spec() -> None:
    result = run_validator(SPEC_PATH.relative_to(ROOT))
    found = diagnostics(result.stdout)
    errors_found = [m.group(0) for m in found if m.group("severity") == "error"]
    assert not errors_found, "\n".join(errors_found)
    assert result.returncode == 0, result.stdout + result.stderr


def _operation_to_missing_channel(doc: dict[str, Any]) -> None:
    doc["operations"]["sendToTwilio"]["channel"] = {"$ref": "#/channels/missing"}


def _unknown_action(doc: dict[str, Any]) -> None:
    doc["operations"]["receiveFromTwilio"]["action"] = "subscribe"


def _invalid_schema_type(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["MediaFormat"]["properties"]["channels"]["type"] = "int"


def _message_not_in_channel(doc: dict[str, Any]) -> None:
    del doc["channels"]["mediaStream"]["messages"]["clear"]


@pytest.mark.parametrize(
    ("breakage", "code"),
    [
        pytest.param(_operation_to_missing_channel, "invalid-ref", id="missing-channel"),
        pytest.param(_unknown_action, "asyncapi-document-resolved", id="unknown-action"),
        pytest.param(_invalid_schema_type, "asyncapi-document-resolved", id="bad-schema-type"),
        pytest.param(_message_not_in_channel, "invalid-ref", id="message-not-in-channel"),
    ],
)
def test_official_parser_rejects_a_broken_copy(
    tmp_path: Path, breakage: Callable[[dict[str, Any]], None], code: str
) -> None:
    doc = load_spec()
    breakage(doc)
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = run_validator(broken)
    found = diagnostics(result.stdout)
    codes = {m.group("code") for m in found if m.group("severity") == "error"}
    assert result.returncode == 1, result.stdout + result.stderr
    assert code in codes, result.stdout
    assert all(m.group("file") == str(broken) for m in found), result.stdout


# ---------------------------------------------------------------------------------------------
# Document layout the generator relies on
# ---------------------------------------------------------------------------------------------


def test_document_header() -> None:
    assert SPEC["asyncapi"] == "3.0.0"
    assert SPEC["info"]["title"] == "Twilio Media Streams"
    assert SPEC["info"]["version"] == "1.0.0"
    assert SPEC["defaultContentType"] == "application/json"
    description = SPEC["info"]["description"]
    for fact in ("no error frame", "clear", "barge-in", "31951", "31924", "X-Twilio-Signature"):
        assert fact.lower() in description.lower(), f"info.description does not mention {fact}"


def test_one_channel_with_every_message() -> None:
    assert list(SPEC["channels"]) == ["mediaStream"]
    channel = SPEC["channels"]["mediaStream"]
    assert channel["address"] == "/"
    assert list(channel["messages"]) == list(EVENTS)
    for key, ref in channel["messages"].items():
        assert ref == {"$ref": f"#/components/messages/{key}"}


@pytest.mark.parametrize(
    ("operation_id", "action", "expected"),
    [("receiveFromTwilio", "receive", INBOUND), ("sendToTwilio", "send", OUTBOUND)],
)
def test_operations(operation_id: str, action: str, expected: dict[str, str]) -> None:
    assert set(SPEC["operations"]) == {"receiveFromTwilio", "sendToTwilio"}
    operation = SPEC["operations"][operation_id]
    assert operation["action"] == action
    assert operation["channel"] == {"$ref": "#/channels/mediaStream"}
    assert operation_message_keys(operation_id) == list(expected)


@pytest.mark.parametrize("key", list(EVENTS))
def test_message_objects(key: str) -> None:
    message = SPEC["components"]["messages"][key]
    assert message["name"] == key
    for field in ("title", "summary", "description"):
        assert isinstance(message.get(field), str) and message[field].strip(), field
    assert message["contentType"] == "application/json"
    assert ref_name(message["payload"])
    assert message["examples"], "every message needs an example"
    for ex in message["examples"]:
        assert set(ex) == {"name", "summary", "payload"}


@pytest.mark.parametrize(("key", "event"), list(EVENTS.items()))
def test_event_discriminator_comes_first(key: str, event: str) -> None:
    schema = payload_schema(key)
    assert schema["type"] == "object"
    assert next(iter(schema["properties"])) == "event"
    assert schema["required"][0] == "event"
    assert schema["properties"]["event"]["type"] == "string"
    assert schema["properties"]["event"]["const"] == event


@pytest.mark.parametrize(("key", "path"), list(NESTED))
def test_nested_objects_are_named_components(key: str, path: tuple[str, ...]) -> None:
    node: Any = payload_schema(key)
    for part in path[:-1]:
        node = deref(node["properties"][part])
    assert ref_name(node["properties"][path[-1]]) == NESTED[(key, path)]


def test_property_order_follows_the_wire() -> None:
    def props(key: str) -> list[str]:
        return list(payload_schema(key)["properties"])

    numbered = ["event", "sequenceNumber", "streamSid"]
    assert props("connected") == ["event", "protocol", "version"]
    assert props("start") == [*numbered, "start"]
    assert props("inboundMedia") == [*numbered, "media"]
    assert props("dtmf") == [*numbered, "dtmf"]
    assert props("inboundMark") == [*numbered, "mark"]
    assert props("stop") == [*numbered, "stop"]
    assert props("outboundMedia") == ["event", "streamSid", "media"]
    assert props("outboundMark") == ["event", "streamSid", "mark"]
    assert props("clear") == ["event", "streamSid"]
    schemas = SPEC["components"]["schemas"]
    assert list(schemas["StartMetadata"]["properties"]) == [
        "accountSid",
        "streamSid",
        "callSid",
        "tracks",
        "mediaFormat",
        "customParameters",
    ]
    assert list(schemas["MediaFormat"]["properties"]) == ["encoding", "sampleRate", "channels"]
    assert list(schemas["InboundMediaChunk"]["properties"]) == [
        "track",
        "chunk",
        "timestamp",
        "payload",
    ]
    assert list(schemas["StopMetadata"]["properties"]) == ["accountSid", "callSid"]


def _objects_of(operation_id: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for key in operation_message_keys(operation_id):
        found.extend(object_schemas(SPEC["components"]["messages"][key]["payload"], key))
    return found


def test_every_listed_field_is_required() -> None:
    for operation_id in SPEC["operations"]:
        for label, schema in _objects_of(operation_id):
            assert schema["required"] == list(schema["properties"]), label


def test_extra_properties_policy() -> None:
    for label, schema in _objects_of("receiveFromTwilio"):
        shared_with_outbound = label.endswith("<MarkLabel>")
        assert schema.get("additionalProperties") is not shared_with_outbound, label
    for label, schema in _objects_of("sendToTwilio"):
        assert schema.get("additionalProperties") is False, label


def test_every_property_has_a_description() -> None:
    def walk(node: Any, path: str) -> Iterator[str]:
        if isinstance(node, dict):
            for prop, sub in node.get("properties", {}).items():
                if not (isinstance(sub, dict) and str(sub.get("description", "")).strip()):
                    yield f"{path}.{prop}"
                yield from walk(sub, f"{path}.{prop}")
            for keyword in ("items", "additionalProperties"):
                if isinstance(node.get(keyword), dict):
                    yield from walk(node[keyword], f"{path}.{keyword}")

    missing = [p for name, s in SPEC["components"]["schemas"].items() for p in walk(s, name)]
    assert not missing
    for name, schema in SPEC["components"]["schemas"].items():
        assert str(schema.get("description", "")).strip(), name


def test_schemas_are_draft7_without_extensions() -> None:
    def keys(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield str(k)
                yield from keys(v)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    # The schemas are plain JSON Schema; the document's only extensions are those msgen reads.
    assert not [k for k in keys(SPEC["components"]["schemas"]) if k.startswith("x-")]
    assert [k for k in keys(SPEC) if k.startswith("x-") and not k.startswith("x-msgen-")] == []
    for name, schema in SPEC["components"]["schemas"].items():
        Draft7Validator.check_schema(schema)
        assert "$schema" not in schema, name


# ---------------------------------------------------------------------------------------------
# Protocol facts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "pattern"), list(SID_PATTERNS.items()))
def test_sid_patterns(name: str, pattern: str) -> None:
    schema = SPEC["components"]["schemas"][name]
    assert schema["type"] == "string"
    assert schema["pattern"] == pattern
    prefix = pattern[1:3]
    check = validator_for(f"/components/schemas/{name}")
    assert check.is_valid(prefix + "0123456789abcdef" * 2)
    assert check.is_valid(prefix + "0123456789ABCDEF" * 2)
    for bad in (prefix + "0" * 31, prefix + "0" * 33, "XX" + "0" * 32, prefix + "g" * 32, 1):
        assert not check.is_valid(bad), bad


def _counter(pointer: str) -> dict[str, Any]:
    node: Any = SPEC
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return deref(node)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("pointer", "pattern", "smallest"),
    [
        ("/components/schemas/SequenceNumber", POSITIVE_COUNTER, 1),
        ("/components/schemas/InboundMediaChunk/properties/chunk", POSITIVE_COUNTER, 1),
        ("/components/schemas/InboundMediaChunk/properties/timestamp", NON_NEGATIVE_COUNTER, 0),
    ],
)
def test_counters_are_canonical_decimal_strings(pointer: str, pattern: str, smallest: int) -> None:
    schema = _counter(pointer)
    assert schema["type"] == "string"
    assert schema["pattern"] == pattern
    check = validator_for(pointer)
    for good in (str(smallest), "1", "9", "10", "102", "4294967296"):
        assert check.is_valid(good), good
    rejected = ["", "01", "-1", "+1", "1.0", " 1", "1 ", "1e3", "0x1", 1, 1.0, None]
    if smallest == 1:
        rejected.append("0")
    for bad in rejected:
        assert not check.is_valid(bad), repr(bad)


def test_sequence_numbers_use_the_shared_counter() -> None:
    for key in INBOUND:
        schema = payload_schema(key)
        if key == "connected":
            assert "sequenceNumber" not in schema["properties"]
            assert "streamSid" not in schema["properties"]
        else:
            assert ref_name(schema["properties"]["sequenceNumber"]) == "SequenceNumber"
            assert ref_name(schema["properties"]["streamSid"]) == "StreamSid"
    for key in OUTBOUND:
        assert "sequenceNumber" not in payload_schema(key)["properties"]
    assert "streamSid" not in SPEC["components"]["schemas"]["StopMetadata"]["properties"]


def test_audio_format_and_payloads() -> None:
    schemas = SPEC["components"]["schemas"]
    media_format = schemas["MediaFormat"]["properties"]
    assert media_format["encoding"]["type"] == "string"
    assert media_format["encoding"]["const"] == "audio/x-mulaw"
    assert media_format["sampleRate"]["type"] == "integer"
    assert media_format["sampleRate"]["const"] == 8000
    assert media_format["channels"]["type"] == "integer"
    assert media_format["channels"]["const"] == 1
    for owner in ("InboundMediaChunk", "OutboundMediaChunk"):
        payload = schemas[owner]["properties"]["payload"]
        assert payload["type"] == "string"
        assert payload["contentEncoding"] == "base64"
        assert payload["contentMediaType"] == "audio/x-mulaw"
        assert "pattern" not in payload


def test_enumerations() -> None:
    schemas = SPEC["components"]["schemas"]
    assert schemas["InboundMediaChunk"]["properties"]["track"]["enum"] == ["inbound", "outbound"]
    tracks = schemas["StartMetadata"]["properties"]["tracks"]
    assert tracks["type"] == "array"
    assert tracks["minItems"] == 1
    assert tracks["items"]["enum"] == ["inbound", "outbound"]
    dtmf = schemas["DtmfPress"]["properties"]
    assert dtmf["track"]["const"] == "inbound_track"
    assert dtmf["digit"]["enum"] == [*"0123456789", "*", "#"]
    custom = schemas["StartMetadata"]["properties"]["customParameters"]
    assert custom["type"] == "object"
    assert custom["additionalProperties"]["type"] == "string"
    connected = schemas["ConnectedPayload"]["properties"]
    assert connected["protocol"]["const"] == "Call"
    assert "const" not in connected["version"]


# ---------------------------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "ex"), list(all_examples()))
def test_example_validates_against_its_payload(key: str, ex: dict[str, Any]) -> None:
    assert not errors(payload_validator(key), ex["payload"])
    assert ex["payload"]["event"] == EVENTS[key]


def _values(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _values(v, f"{path}.{k}")
    else:
        yield path, node


@pytest.mark.parametrize(("key", "ex"), list(all_examples()))
def test_examples_look_real(key: str, ex: dict[str, Any]) -> None:
    for path, value in _values(ex["payload"]):
        name = path.rsplit(".", 1)[-1]
        if name.endswith("Sid"):
            assert isinstance(value, str) and EXAMPLE_SID.match(value), (path, value)
        if name in {"sequenceNumber", "chunk", "timestamp"}:
            assert isinstance(value, str) and value.isdigit(), (path, value)
    if key == "inboundMedia":
        encoded = ex["payload"]["media"]["payload"]
        assert len(encoded) == 216
        assert len(base64.b64decode(encoded, validate=True)) == 160
    if key == "outboundMedia":
        assert base64.b64decode(ex["payload"]["media"]["payload"], validate=True)


def test_examples_share_the_start_frame_identity() -> None:
    start = example("start")
    assert start["streamSid"] == start["start"]["streamSid"]
    assert start["sequenceNumber"] == "1"
    stop = example("stop")
    assert stop["streamSid"] == start["streamSid"]
    assert stop["stop"] == {
        "accountSid": start["start"]["accountSid"],
        "callSid": start["start"]["callSid"],
    }
    assert example("outboundMark")["mark"] == example("inboundMark")["mark"]


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(frame: dict[str, Any]) -> None:
        node = frame
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(frame: dict[str, Any]) -> None:
        node = frame
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


REJECTED = [
    ("start", _set(("sequenceNumber",), 1), "counter as a number"),
    ("inboundMedia", _set(("sequenceNumber",), "02"), "counter with a leading zero"),
    ("inboundMedia", _set(("media", "chunk"), 1), "chunk as a number"),
    ("inboundMedia", _set(("media", "chunk"), "0"), "chunk zero"),
    ("inboundMedia", _set(("media", "timestamp"), 102), "timestamp as a number"),
    ("inboundMedia", _set(("media", "track"), "inbound_track"), "dtmf track name on media"),
    ("inboundMedia", _set(("streamSid",), "MZ81e7e5360b1b0023ad685f17339116"), "short SID"),
    ("stop", _set(("stop", "callSid"), "AC54b6d707be6b37671b33e3d852e5911a"), "wrong SID kind"),
    ("start", _set(("start", "mediaFormat", "sampleRate"), "8000"), "sampleRate as a string"),
    ("start", _set(("start", "mediaFormat", "channels"), 2), "stereo"),
    ("start", _set(("start", "tracks"), []), "no track"),
    ("start", _set(("start", "tracks"), ["both_tracks"]), "unknown track"),
    ("start", _set(("start", "customParameters"), {"n": 1}), "non-string parameter"),
    ("start", _delete(("start", "customParameters")), "missing customParameters"),
    ("connected", _set(("protocol",), "call"), "unknown protocol"),
    ("connected", _delete(("version",)), "missing version"),
    ("dtmf", _set(("dtmf", "digit"), "A"), "unknown digit"),
    ("dtmf", _set(("dtmf", "digit"), 1), "digit as a number"),
    ("dtmf", _set(("dtmf", "track"), "inbound"), "media track name on dtmf"),
    ("inboundMark", _set(("mark", "label"), "x"), "extra property in a mark"),
    ("inboundMark", _set(("event",), "media"), "wrong event"),
    ("outboundMedia", _set(("sequenceNumber",), "7"), "sequenceNumber sent to Twilio"),
    ("outboundMedia", _set(("media", "track"), "outbound"), "track sent to Twilio"),
    ("outboundMedia", _set(("media", "payload"), ""), "empty audio"),
    ("outboundMark", _delete(("mark",)), "mark without a label"),
    ("clear", _set(("mark",), {"name": "x"}), "extra property in clear"),
    ("clear", _delete(("streamSid",)), "clear without streamSid"),
]


@pytest.mark.parametrize(
    ("key", "mutate"), [pytest.param(k, m, id=f"{k}: {why}") for k, m, why in REJECTED]
)
def test_mutated_example_is_rejected(key: str, mutate: Callable[[dict[str, Any]], None]) -> None:
    frame = example(key)
    mutate(frame)
    assert errors(payload_validator(key), frame)


ACCEPTED = [
    ("connected", _set(("futureField",), {"a": 1}), "unknown top-level field"),
    ("start", _set(("start", "futureField"), "x"), "unknown field in start"),
    ("start", _set(("start", "mediaFormat", "futureField"), 1), "unknown field in mediaFormat"),
    ("inboundMedia", _set(("media", "futureField"), True), "unknown field in media"),
    ("inboundMedia", _set(("media", "timestamp"), "0"), "timestamp zero"),
    ("dtmf", _set(("dtmf", "futureField"), None), "unknown field in dtmf"),
    ("stop", _set(("stop", "futureField"), []), "unknown field in stop"),
    ("inboundMark", _set(("futureField",), "x"), "unknown top-level field in mark"),
]


@pytest.mark.parametrize(
    ("key", "mutate"), [pytest.param(k, m, id=f"{k}: {why}") for k, m, why in ACCEPTED]
)
def test_frames_from_twilio_tolerate_unknown_fields(
    key: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    frame = example(key)
    mutate(frame)
    assert not errors(payload_validator(key), frame)
