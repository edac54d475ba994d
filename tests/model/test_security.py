"""Security schemes of a WebSocket upgrade, read from servers in 2.x and 3.x documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgen.model.ir import SecurityScheme
from msgen.model.normalize import load
from msgen.reading.problems import SpecError

V3 = """\
asyncapi: 3.0.0
info: {title: Secure, version: '1'}
servers:
  main:
    host: example.com
    protocol: wss
    security:
      - $ref: '#/components/securitySchemes/bearer'
      - $ref: '#/components/securitySchemes/token'
      - $ref: '#/components/securitySchemes/key'
      - $ref: '#/components/securitySchemes/oauth'
channels:
  c:
    address: /c
    messages: {m: {$ref: '#/components/messages/m'}}
operations:
  o:
    action: receive
    channel: {$ref: '#/channels/c'}
    messages: [{$ref: '#/channels/c/messages/m'}]
components:
  messages:
    m: {payload: {type: object, properties: {a: {type: string}}}, examples: [{payload: {a: x}}]}
  securitySchemes:
    bearer: {type: http, scheme: bearer, description: A token.}
    token: {type: http, scheme: Token}
    key: {type: httpApiKey, in: header, name: x-api-key}
    oauth: {type: oauth2, flows: {}}
"""

V2 = """\
asyncapi: 2.6.0
info: {title: Secure, version: '1'}
servers:
  main:
    url: wss://example.com
    protocol: wss
    security:
      - basic: []
      - query: []
channels:
  /c:
    subscribe:
      message:
        payload: {type: object, properties: {a: {type: string}}}
        examples: [{payload: {a: x}}]
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
    query: {type: httpApiKey, in: query, name: token}
"""


def _security(tmp_path: Path, text: str) -> tuple[tuple[SecurityScheme, ...], tuple[str, ...]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    built = load(spec)
    (channel,) = built.api.channels
    return channel.connection.security, built.warnings


def test_3x_schemes_by_ref(tmp_path: Path) -> None:
    security, warnings = _security(tmp_path, V3)
    assert security == (
        SecurityScheme("bearer", "bearer", "Authorization", "Bearer", "A token."),
        SecurityScheme("token", "scheme", "Authorization", "Token"),
        SecurityScheme("key", "header", "x-api-key"),
    )
    assert any(
        w.endswith(
            "spec.yaml:28:12: /components/securitySchemes/oauth: warning: security scheme 'oauth'"
            " of type 'oauth2' does not travel on a WebSocket upgrade: the generated code neither"
            " sends nor checks it"
        )
        for w in warnings
    ), warnings


def test_2x_schemes_by_name(tmp_path: Path) -> None:
    security, _ = _security(tmp_path, V2)
    assert security == (
        SecurityScheme("basic", "basic", "Authorization", "Basic"),
        SecurityScheme("query", "query", "token"),
    )


def test_an_undeclared_requirement_is_a_located_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(V2.replace("- query: []", "- nosuch: []"))
    with pytest.raises(SpecError) as caught:
        load(spec)
    (problem,) = caught.value.problems
    assert str(problem).endswith(
        "spec.yaml:9:9: /servers/main/security/1/nosuch: security requirement 'nosuch' names no"
        " components.securitySchemes entry"
    )


def test_no_security_is_an_open_upgrade(tmp_path: Path) -> None:
    security, _ = _security(
        tmp_path, V2.replace("    security:\n      - basic: []\n      - query: []\n", "")
    )
    assert security == ()


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (
            "{type: http}",
            "spec.yaml:18:12: /components/securitySchemes/basic: http security scheme 'basic' needs"
            " its `scheme`",
        ),
        (
            "{type: httpApiKey, in: cookie, name: c}",
            "spec.yaml:18:12: /components/securitySchemes/basic: warning: httpApiKey scheme 'basic'"
            " is not a named"
            " header or query parameter: the generated code neither sends nor checks it",
        ),
    ],
)
def test_schemes_the_upgrade_cannot_carry(tmp_path: Path, scheme: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(V2.replace("{type: http, scheme: basic}", scheme))
    try:
        lines = list(load(spec).warnings)
    except SpecError as exc:
        lines = [str(p) for p in exc.problems]
    assert any(line.endswith(expected) for line in lines), lines


SIGNED = (
    "{type: httpApiKey, in: header, name: X-Signature, x-msgen-secret: SIGNING_KEY,"
    " x-msgen-signature: {algorithm: hmac-sha256, signs: url, encoding: hex}}"
)


def test_a_signature_scheme_and_its_secret_variable(tmp_path: Path) -> None:
    security, _ = _security(tmp_path, V2.replace("{type: http, scheme: basic}", SIGNED))
    assert security[0] == SecurityScheme(
        "basic",
        "signature",
        "X-Signature",
        secret_env="SIGNING_KEY",
        algorithm="hmac-sha256",
        encoding="hex",
    )


def test_a_signature_takes_sha1_and_base64_by_default(tmp_path: Path) -> None:
    scheme = "{type: httpApiKey, in: header, name: X-Sig, x-msgen-signature: {signs: url}}"
    security, _ = _security(tmp_path, V2.replace("{type: http, scheme: basic}", scheme))
    assert (security[0].kind, security[0].algorithm, security[0].encoding) == (
        "signature",
        "hmac-sha1",
        "base64",
    )


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (
            SIGNED.replace("hmac-sha256", "md5"),
            "/components/securitySchemes/basic/x-msgen-signature/algorithm: x-msgen-signature of"
            " scheme 'basic': `algorithm` must be one of hmac-sha1, hmac-sha256",
        ),
        (
            SIGNED.replace("signs: url, ", ""),
            "/components/securitySchemes/basic/x-msgen-signature: x-msgen-signature of scheme"
            " 'basic': `signs` must be one of url",
        ),
        (
            SIGNED.replace("encoding: hex", "salt: x"),
            "/components/securitySchemes/basic/x-msgen-signature/salt: x-msgen-signature of"
            " scheme 'basic' has no field 'salt' (fields: algorithm, signs, encoding)",
        ),
        (
            SIGNED.replace("in: header", "in: query"),
            "/components/securitySchemes/basic/x-msgen-signature: x-msgen-signature on scheme"
            " 'basic': a signature travels in a header",
        ),
        (
            "{type: http, scheme: bearer, x-msgen-signature: {signs: url}}",
            "/components/securitySchemes/basic/x-msgen-signature: x-msgen-signature on scheme"
            " 'basic': only an httpApiKey header carries one",
        ),
        (
            "{type: httpApiKey, in: header, name: X-Sig, x-msgen-signature: hmac}",
            "/components/securitySchemes/basic/x-msgen-signature: x-msgen-signature of scheme"
            " 'basic' must be a mapping ({algorithm: hmac-sha1, signs: url, encoding: base64})",
        ),
        (
            SIGNED.replace("SIGNING_KEY", "'not a name'"),
            "/components/securitySchemes/basic/x-msgen-secret: x-msgen-secret of scheme 'basic'"
            " must name an environment variable, such as SERVICE_TOKEN",
        ),
    ],
)
def test_wrong_extensions_are_located_errors(tmp_path: Path, scheme: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(V2.replace("{type: http, scheme: basic}", scheme))
    with pytest.raises(SpecError) as caught:
        load(spec)
    messages = [str(problem) for problem in caught.value.problems]
    assert any(message.endswith(expected) and "spec.yaml:18:" in message for message in messages), (
        messages
    )
