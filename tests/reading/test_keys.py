"""Unknown and misplaced keys: located warnings that name the key, per AsyncAPI version."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support import OUTSIDE, SPEC

from msgen.reading import keys
from msgen.reading.fields import VERSIONS_2, VERSIONS_3, fields, is_open
from msgen.reading.loader import Workspace
from msgen.reading.problems import Problem, Problems

Write = Callable[..., Path]


def warnings_of(path: Path, version: str) -> list[Problem]:
    problems = Problems()
    keys.check(Workspace(problems).root(path), version, problems)
    assert not problems.errors
    return problems.warnings


def messages_of(write_spec: Write, text: str, version: str) -> list[str]:
    return [p.message for p in warnings_of(write_spec(text), version)]


@pytest.mark.parametrize(("spec", "version"), [(SPEC, "3.0.0"), (OUTSIDE, "2.6.0")])
def test_documents_the_official_parser_accepts_get_no_key_warnings(
    spec: Path, version: str
) -> None:
    assert warnings_of(spec, version) == []


def test_a_misspelled_key_is_named_with_a_suggestion_at_the_key(write_spec: Write) -> None:
    spec = write_spec("asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchanels:\n  a: {}\n")
    (warning,) = warnings_of(spec, "3.0.0")
    assert warning.message == "unknown key 'chanels'; did you mean 'channels'?"
    assert (warning.location.line, warning.location.column, warning.location.pointer) == (
        3,
        1,
        "/chanels",
    )


def test_case_slips_are_suggested_and_extensions_are_fine(write_spec: Write) -> None:
    text = "info: {title: t, version: '1', Description: d, x-logo: l}\nx-anything: {deep: 1}\n"
    assert messages_of(write_spec, text, "2.6.0") == [
        "unknown key 'Description'; did you mean 'description'?"
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "2.3.0",
            [
                "key 'messageId' of a message came with AsyncAPI 2.4.0, this document is 2.3.0: "
                "ignored"
            ],
        ),
        ("2.4.0", []),
        ("2.6.0", []),
        ("3.0.0", ["key 'messageId' of a message is AsyncAPI 2.x, not 3.0.0: ignored"]),
    ],
)
def test_fields_are_checked_against_the_document_version(
    write_spec: Write, version: str, expected: list[str]
) -> None:
    text = "components:\n  messages:\n    m: {messageId: m, payload: {}}\n"
    assert messages_of(write_spec, text, version) == expected


def test_a_key_of_the_enclosing_object_is_called_misplaced(write_spec: Write) -> None:
    text = "info: {title: t, version: '1', externalDocs: {url: u}, channels: {}}\n"
    assert messages_of(write_spec, text, "2.6.0") == [
        "key 'externalDocs' of info is AsyncAPI 3.x, not 2.6.0; it belongs in the document root: "
        "ignored",
        "key 'channels' is misplaced in info; it belongs in the document root: ignored",
    ]


def test_anything_else_is_unknown(write_spec: Write) -> None:
    assert messages_of(write_spec, "info: {title: t, version: '1', zzz: 1}\n", "3.1.0") == [
        "unknown key 'zzz' in info: ignored"
    ]


def test_an_object_reached_twice_is_checked_once(write_spec: Write) -> None:
    text = """
    channels:
      a: {publish: {message: {$ref: '#/components/messages/m'}}}
      b: {subscribe: {message: {$ref: '#/components/messages/m'}}}
    components:
      messages:
        m: {payload: {}, stray: 1}
    """
    assert messages_of(write_spec, text, "2.6.0") == ["unknown key 'stray' in a message: ignored"]


def test_2x_message_one_of_holds_messages_and_nothing_else(write_spec: Write) -> None:
    text = """
    channels:
      a:
        publish:
          message:
            title: not here
            oneOf:
              - {payload: {}, summery: s}
    """
    assert messages_of(write_spec, text, "2.6.0") == [
        "key 'title' next to `oneOf` in a message: ignored",
        "unknown key 'summery'; did you mean 'summary'?",
    ]


def test_2x_bindings_take_any_protocol_but_the_websocket_binding_is_checked(
    write_spec: Write,
) -> None:
    text = "channels:\n  a:\n    bindings: {custom: {}, ws: {querry: {}, method: GET}}\n"
    assert messages_of(write_spec, text, "2.6.0") == ["unknown key 'querry'; did you mean 'query'?"]
    assert messages_of(write_spec, text, "3.0.0") == [
        "unknown key 'custom' in channel bindings: ignored",
        "unknown key 'querry'; did you mean 'query'?",
    ]


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("{type: httpApiKey, name: k, in: header}", []),
        ("{type: apiKey, in: user}", []),
        (
            "{type: apiKey, name: k, in: header}",
            ["key 'name' is for security schemes of type 'httpApiKey': ignored"],
        ),
        (
            "{type: oauth2, flows: {implicit: {authorizationUrl: u, scopes: {}}}, scopes: []}",
            ["key 'scopes' of a security scheme is AsyncAPI 3.x, not 2.6.0: ignored"],
        ),
        ("{type: http, scheme: bearer, bearerFormat: JWT}", []),
        ("{type: plain}", []),
    ],
)
def test_security_scheme_fields_depend_on_the_type(
    write_spec: Write, scheme: str, expected: list[str]
) -> None:
    text = f"components:\n  securitySchemes:\n    s: {scheme}\n"
    assert messages_of(write_spec, text, "2.6.0") == expected


def test_3x_security_schemes_have_scopes(write_spec: Write) -> None:
    scheme = "{type: openIdConnect, openIdConnectUrl: u, scopes: []}"
    text = f"components:\n  securitySchemes:\n    s: {scheme}\n"
    assert messages_of(write_spec, text, "3.0.0") == []


def test_sasl_security_schemes_came_with_2_1(write_spec: Write) -> None:
    text = "components:\n  securitySchemes:\n    s: {type: gssapi}\n"
    (message,) = messages_of(write_spec, text, "2.0.0")
    assert message.startswith("unknown security scheme type 'gssapi'; AsyncAPI 2.0.0 has ")
    assert "gssapi" not in message.split(" has ")[1]
    assert messages_of(write_spec, text, "2.1.0") == []


def test_oauth_flows_are_walked(write_spec: Write) -> None:
    text = """
    components:
      securitySchemes:
        s:
          type: oauth2
          flows:
            implicit: {authorizationUrl: u, scopes: {}}
            implict: {}
    """
    assert messages_of(write_spec, text, "2.6.0") == [
        "unknown key 'implict'; did you mean 'implicit'?"
    ]
    text = text.replace("scopes: {}", "availableScopes: {}")
    assert messages_of(write_spec, text, "3.0.0") == [
        "unknown key 'implict'; did you mean 'implicit'?"
    ]


def test_values_that_are_not_objects_are_left_to_the_readers_that_need_them(
    write_spec: Write,
) -> None:
    text = "info: just text\nservers: [a, b]\ntags: {name: t}\nchannels: {a: 3}\n"
    assert messages_of(write_spec, text, "2.6.0") == []


def test_a_dangling_ref_only_this_walk_reaches_is_a_warning(write_spec: Write) -> None:
    text = "components:\n  securitySchemes:\n    s: {$ref: '#/nowhere'}\n"
    (message,) = messages_of(write_spec, text, "3.0.0")
    assert message.startswith("$ref '#/nowhere' does not resolve")


def test_a_field_of_other_security_scheme_types_names_them(write_spec: Write) -> None:
    text = "components:\n  securitySchemes:\n    s: {type: apiKey, in: user, scopes: []}\n"
    assert messages_of(write_spec, text, "3.0.0") == [
        "key 'scopes' is for security schemes of type 'oauth2' or 'openIdConnect': ignored"
    ]


Found = list[tuple[str, str, dict[str, object]]]


def _object(
    draw: st.DrawFn, kind: str, version: str, pointer: str, found: Found
) -> dict[str, object]:
    """A random object of ``kind`` using only the version's fields (values: strings or nested
    objects of the right kind); every object made is listed in ``found`` with its pointer."""
    table = fields(kind, version)
    chosen = (
        draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=4)) if table else []
    )
    out: dict[str, object] = {}
    found.append((pointer, kind, out))
    for name in chosen:
        spec = table[name]
        inner = spec.strip("{}[]")
        here = f"{pointer}/{name}"
        if not spec or pointer.count("/") > 3 or inner == "securityScheme":
            out[name] = "text"
        elif spec.startswith("{"):
            out[name] = {"k": _object(draw, inner, version, f"{here}/k", found)}
        elif spec.startswith("["):
            out[name] = [_object(draw, inner, version, f"{here}/0", found)]
        else:
            out[name] = _object(draw, inner, version, here, found)
    return out


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[str, object], Found]:
    version = draw(st.sampled_from([*VERSIONS_2, *VERSIONS_3]))
    found: Found = []
    return version, _object(draw, "document", version, "", found), found


@settings(max_examples=80, deadline=None)
@given(documents(), st.data())
def test_a_stray_key_in_any_object_is_the_one_warning(
    document: tuple[str, dict[str, object], Found], data: st.DataObject
) -> None:
    version, tree, found = document
    pointer, kind, target = data.draw(st.sampled_from(found))
    assume(not is_open(kind, version))  # 2.x bindings take any protocol name
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "spec.json"
        spec.write_text(json.dumps(tree))
        assert warnings_of(spec, version) == []
        target["zz-stray"] = 1
        spec.write_text(json.dumps(tree))
        (warning,) = warnings_of(spec, version)
    assert "'zz-stray'" in warning.message
    assert warning.location.pointer == f"{pointer}/zz-stray"


def test_keys_next_to_a_ref_are_ignored_with_a_warning(write_spec: Write) -> None:
    text = """
    channels:
      a: {publish: {message: {$ref: '#/components/messages/m', name: override}}}
    components:
      messages:
        m: {payload: {}}
    """
    assert messages_of(write_spec, text, "2.6.0") == [
        "key 'name' next to $ref is ignored (a reference takes no other keys)"
    ]
