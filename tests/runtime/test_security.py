"""The upgrade checkers of ``security``, imported directly: each kind of scheme, the choice of
secrets, and the answer when none is satisfied."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.runtime import security
from msgen.runtime.security import CHECKS, Refusal, Scheme, Upgrade, admit, configure

BEARER = Scheme("bearerAuth", "bearer", "Authorization", "Bearer")
BASIC = Scheme("basicAuth", "basic", "Authorization", "Basic")
TOKEN = Scheme("tokenAuth", "scheme", "Authorization", "Token")
HEADER = Scheme("apiKey", "header", "X-Api-Key")
QUERY = Scheme("queryKey", "query", "key")
SIGNED = Scheme("sig", "signature", "X-Signature", algorithm="hmac-sha1", encoding="base64")

#: Header values and secrets: printable text, no surrounding blanks (as a header carries them).
texts = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)


def up(target: str = "/", **headers: str) -> Upgrade:
    return Upgrade({name.lower().replace("_", "-"): v for name, v in headers.items()}, target)


def _sign(url: str, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), url.encode(), hashlib.sha1).digest()).decode()


@given(texts, texts)
def test_bearer_admits_exactly_its_token(token: str, other: str) -> None:
    assert security.check_bearer(BEARER, up(authorization=f"Bearer {token}"), token) is True
    assert security.check_bearer(BEARER, up(authorization=f"bearer  {token} "), token) is True
    wrong = security.check_bearer(BEARER, up(authorization=f"Bearer {other}"), token)
    assert wrong is (other == token)


@pytest.mark.parametrize(
    ("value", "verdict"),
    [("", None), ("Basic abc", None), ("Token x", None), ("Bearerx y", None), ("Bearer", False)],
)
def test_bearer_without_a_bearer_credential_is_missing_or_wrong(
    value: str, verdict: bool | None
) -> None:
    assert security.check_bearer(BEARER, up(authorization=value), "secret") is verdict


@given(st.text(max_size=40), texts)
def test_any_authorization_header_parses_without_error(value: str, secret: str) -> None:
    upgrade = up(authorization=value)
    for scheme in (BEARER, BASIC, TOKEN):
        assert CHECKS[scheme.kind](scheme, upgrade, secret) in (None, True, False)


@given(texts, texts)
def test_basic_compares_the_decoded_user_and_password(user: str, password: str) -> None:
    secret = f"{user}:{password}"
    encoded = base64.b64encode(secret.encode()).decode()
    assert security.check_basic(BASIC, up(authorization=f"Basic {encoded}"), secret) is True
    assert security.check_basic(BASIC, up(authorization=f"Basic {encoded}"), secret + "x") is False


@given(st.text(max_size=30))
def test_basic_refuses_what_is_not_base64(value: str) -> None:
    verdict = security.check_basic(BASIC, up(authorization=f"Basic {value}!"), "user:pass")
    assert verdict is False
    assert security.check_basic(BASIC, up(), "user:pass") is None


def test_another_http_scheme_reads_its_own_word() -> None:
    assert security.check_scheme(TOKEN, up(authorization="Token k1"), "k1") is True
    assert security.check_scheme(TOKEN, up(authorization="TOKEN k1"), "k1") is True
    assert security.check_scheme(TOKEN, up(authorization="Token k2"), "k1") is False
    assert security.check_scheme(TOKEN, up(authorization="Bearer k1"), "k1") is None


@given(texts, texts)
def test_an_api_key_header_equals_the_key(key: str, other: str) -> None:
    assert security.check_header(HEADER, up(x_api_key=key), key) is True
    assert security.check_header(HEADER, up(x_api_key=other), key) is (other == key)
    assert security.check_header(HEADER, up(), key) is None


def test_an_api_key_query_parameter_equals_the_key() -> None:
    assert security.check_query(QUERY, up("/m?a=1&key=s%20t"), "s t") is True
    assert security.check_query(QUERY, up("/m?key=other"), "s t") is False
    assert security.check_query(QUERY, up("/m?keys=s"), "s") is None
    assert security.check_query(QUERY, up("/m"), "s") is None


def test_a_signature_is_the_mac_of_the_url_with_or_without_its_default_port() -> None:
    url = "wss://bot.example.com/media?x=1"
    assert security.signature(url, "token") == _sign(url, "token")
    sha256 = hmac.new(b"token", url.encode(), hashlib.sha256).hexdigest()
    assert security.signature(url, "token", "hmac-sha256", "hex") == sha256
    for seen in (url, "wss://bot.example.com:443/media?x=1"):
        assert security.verify_signature(seen, _sign(url, "secret"), "secret")
    assert security.verify_signature(
        "ws://a.example/m", _sign("ws://a.example:80/m", "secret"), "secret"
    )
    assert not security.verify_signature(url, _sign(url, "other"), "secret")
    assert not security.verify_signature(url, _sign(url + "x", "secret"), "secret")
    assert not security.verify_signature(url, None, "secret")
    assert not security.verify_signature(url, "", "secret")


def test_the_signed_url_prefers_the_public_url_then_the_host_header() -> None:
    assert security.request_url("wss://pub.example/", "inner:8080", "/m?a=1") == (
        "wss://pub.example/m?a=1"
    )
    assert security.request_url(None, "inner:8080", "/m") == "wss://inner:8080/m"
    signed = Upgrade({"host": "inner:8080", "x-signature": _sign("wss://pub.example/m", "s")}, "/m")
    assert security.check_signature(SIGNED, signed, "s") is False
    proxied = Upgrade(signed.headers, "/m", "wss://pub.example")
    assert security.check_signature(SIGNED, proxied, "s") is True
    assert security.check_signature(SIGNED, up("/m", host="inner"), "s") is None


def test_configure_maps_keys_and_takes_auth_token_for_the_only_scheme() -> None:
    assert configure((BEARER,), None, "t") == {"bearerAuth": "t"}
    assert configure((BEARER, HEADER), {"apiKey": "k"}) == {"apiKey": "k"}
    assert configure((), None, None) == {}
    with pytest.raises(ValueError, match="no security scheme nope"):
        configure((BEARER,), {"nope": "x"})
    with pytest.raises(ValueError, match="declares 2"):
        configure((BEARER, HEADER), None, "t")
    with pytest.raises(ValueError, match="declares none"):
        configure((), None, "t")


def test_any_one_scheme_satisfied_admits() -> None:
    schemes = (BEARER, HEADER)
    chosen = {"bearerAuth": "b", "apiKey": "k"}
    assert admit(schemes, CHECKS, chosen, up(x_api_key="k")) is None
    assert admit(schemes, CHECKS, chosen, up(authorization="Bearer b", x_api_key="no")) is None
    assert admit(schemes, CHECKS, {}, up()) is None  # no secret: nothing to check


def test_missing_credentials_are_401_with_a_challenge_and_wrong_ones_403() -> None:
    schemes = (BEARER, HEADER)
    chosen = {"bearerAuth": "b", "apiKey": "k"}
    assert admit(schemes, CHECKS, chosen, up()) == Refusal(
        401,
        "credentials",
        b"missing Authorization or X-Api-Key\n",
        (("WWW-Authenticate", "Bearer"),),
    )
    assert admit(schemes, CHECKS, chosen, up(x_api_key="no")) == Refusal(
        403, "credentials", b"invalid X-Api-Key\n"
    )
    only_header = admit(schemes, CHECKS, {"apiKey": "k"}, up(authorization="Bearer b"))
    assert only_header == Refusal(401, "credentials", b"missing X-Api-Key\n")


def test_a_missing_signature_is_a_wrong_one_and_no_answer_names_a_secret() -> None:
    refusal = admit((SIGNED,), CHECKS, {"sig": "s3cret"}, up())
    assert refusal == Refusal(403, "signature", b"invalid X-Signature\n")
    forged = admit((SIGNED, BEARER), CHECKS, {"sig": "s3cret", "bearerAuth": "tok3n"}, up())
    assert forged is not None and forged.status == 403 and forged.reason == "signature"
    for answer in (refusal, forged):
        assert b"s3cret" not in answer.body and b"tok3n" not in answer.body
