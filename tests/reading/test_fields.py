"""The key tables agree with the JSON Schemas the official AsyncAPI parser enforces.

The schemas come with the parser (tools/asyncapi/node_modules/@asyncapi/specs, installed by
`make test`); every supported version and every kind of object the tables list is compared.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from support import ROOT

from msgen.reading.fields import (
    FIELDS_2,
    FIELDS_3,
    NAMES,
    VERSIONS_2,
    VERSIONS_3,
    fields,
    is_open,
    security_types,
)

SPECS = ROOT / "tools/asyncapi/node_modules/@asyncapi/specs"
REFERENCES = ("Reference.json", "ReferenceObject.json")

#: Kind -> definition file, where the names differ.
FILES_2 = {"document": "asyncapi", "channel": "channelItem"}
FILES_3 = {
    "document": "asyncapi",
    "message": "messageObject",
    "messageExample": "messageExampleObject",
}


@cache
def _load(url: str) -> Any:
    if not SPECS.is_dir():
        pytest.fail(
            "the AsyncAPI parser is not installed: run `make test` (npm ci in tools/asyncapi)"
        )
    path = url.split("asyncapi.com/", 1)[1]
    return json.loads((SPECS / path).read_text(encoding="utf-8"))


def _definition(version: str, name: str) -> Any:
    return _load(f"http://asyncapi.com/definitions/{version}/{name}.json")


def _properties(schema: Any) -> set[str]:
    """Property names an object schema admits, through allOf/oneOf/anyOf and $refs, except
    ``$ref`` and the Reference object's (msgen follows refs before it reads an object)."""
    if not isinstance(schema, dict):
        return set()
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return set() if ref.endswith(REFERENCES) else _properties(_load(ref))
    names = {k for k in schema.get("properties", {}) if not k.startswith("x-") and k != "$ref"}
    for combinator in ("allOf", "oneOf", "anyOf"):
        for member in schema.get(combinator, []):
            names |= _properties(member)
    return names


def _expected(version: str, kind: str) -> set[str]:
    three = version in VERSIONS_3
    if kind == "messageExample" and not three:
        message = _definition(version, "message")["oneOf"][1]["oneOf"][1]
        return set(message["properties"]["examples"]["items"]["properties"])
    if kind == "message" and not three:
        return _properties(_definition(version, "message")["oneOf"][1]["oneOf"][1])
    if kind == "oauthFlows":
        flows = _definition(version, "oauth2Flows")["properties"]["flows"]
        return _properties(flows)
    if kind == "oauthFlow":
        return _properties(_definition(version, "oauth2Flow"))
    if kind == "securityScheme":
        return _properties(_definition(version, "SecurityScheme"))
    if kind == "wsChannelBinding":
        return _properties(_load("http://asyncapi.com/bindings/websockets/0.1.0/channel.json"))
    if kind.endswith("Bindings"):
        name = f"{kind[:-1]}sObject" if three else "bindingsObject"
        return _properties(_definition(version, name))
    files = FILES_3 if three else FILES_2
    return _properties(_definition(version, files.get(kind, kind)))


CASES = [(v, k) for v in VERSIONS_2 for k in FIELDS_2] + [
    (v, k) for v in VERSIONS_3 for k in FIELDS_3
]


@pytest.mark.parametrize(("version", "kind"), CASES, ids=[f"{v}-{k}" for v, k in CASES])
def test_fields_match_the_official_schema(version: str, kind: str) -> None:
    expected = _expected(version, kind)
    table = set(fields(kind, version))
    if is_open(kind, version):
        assert table <= expected
    else:
        assert table == expected


@pytest.mark.parametrize("version", [*VERSIONS_2, *VERSIONS_3])
def test_security_scheme_types_match_the_official_schema(version: str) -> None:
    expected: dict[str, set[str]] = {}
    for member in _definition(version, "SecurityScheme")["oneOf"]:
        target = _load(member["$ref"])
        for variant in target.get("oneOf", [target]):
            scheme = _load(variant["$ref"]) if "$ref" in variant else variant
            for name in scheme["properties"]["type"]["enum"]:
                expected.setdefault(name, set()).update(_properties(scheme))
    ours = {
        name: set(own) | {"type", "description"} for name, own in security_types(version).items()
    }
    assert ours == expected


def test_every_kind_has_a_name() -> None:
    assert set(FIELDS_2) | set(FIELDS_3) <= set(NAMES)
    walked = {
        v.strip("{}[]")
        for table in (FIELDS_2, FIELDS_3)
        for f in table.values()
        for v in f.values()
    }
    assert walked - {""} <= set(NAMES)
