"""The client's static URL and header building (``msgen.runtime.client``), without rendering a
package: a fixture sets the names the template renders per document (``SERVERS``, the address,
``_PLACES``)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.runtime import client
from msgen.runtime.client import ParameterError, ServerInfo, _Place


@pytest.fixture(autouse=True)
def document(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A document with two servers (one with variables), an address with a parameter and a fixed
    query, and query parameters and a header of every kind."""
    servers = {
        "prod": ServerInfo(
            "wss://{host}:{port}/v1?key=k", {"host": "api.example.com", "port": "443"}
        ),
        "bare": ServerInfo("ws://localhost"),
    }
    places = {
        "host": (_Place("host", "variable", "str"),),
        "port": (_Place("port", "variable", "str"),),
        "room": (_Place("room", "path", "str"),),
        "model": (_Place("model", "query", "str", ("nova", "base")),),
        "punctuate": (_Place("punctuate", "query", "bool"),),
        "channels": (_Place("channels", "query", "int"),),
        "rate": (_Place("rate", "query", "float"),),
        "keywords": (_Place("keywords", "query", "list"),),
        "anything": (_Place("anything", "query", "any"),),
        "token": (_Place("X-Token", "header", "str"),),
        "retries": (_Place("X-Retries", "header", "int"),),
    }
    monkeypatch.setattr(client, "SERVERS", servers)
    monkeypatch.setattr(client, "_PLACES", places)
    monkeypatch.setattr(client, "_ADDRESS_PATH", "/v1/rooms/{room}/")
    monkeypatch.setattr(client, "_ADDRESS_QUERY", "fixed=1")
    yield


def url(server: str | None = "prod", url: str | None = None, **values: object) -> str:
    return client._url(server, url, {"room": "r", **values}, None)


def test_server_variables_defaults_and_overrides() -> None:
    assert url() == "wss://api.example.com:443/v1/rooms/r/?key=k&fixed=1"
    assert url(host="eu.example.com", port="8443").startswith("wss://eu.example.com:8443/v1/")


def test_a_server_variable_keeps_host_characters_but_encodes_the_rest() -> None:
    assert url(host="a.b:1/x y").startswith("wss://a.b:1/x%20y:443/")


def test_the_address_joins_below_the_server_path_minus_the_overlap() -> None:
    # The server's path ends with /v1 and the address starts with it: one /v1.
    assert urlsplit(url()).path == "/v1/rooms/r/"
    assert urlsplit(url(server="bare")).path == "/v1/rooms/r/"


def test_address_parameters_are_encoded_slash_included_and_dots_stay_names() -> None:
    assert urlsplit(url(room="a/b c")).path == "/v1/rooms/a%2Fb%20c/"
    assert urlsplit(url(room="..")).path == "/v1/rooms/%2E%2E/"
    with pytest.raises(ParameterError, match="cannot be empty"):
        url(room="")


def test_query_values_by_kind() -> None:
    got = url(model="nova", punctuate=True, channels=2, rate=0.5, keywords=["a b", 3, False])
    assert urlsplit(got).query == (
        "key=k&fixed=1&model=nova&punctuate=true&channels=2&rate=0.5"
        "&keywords=a%20b&keywords=3&keywords=false"
    )


def test_none_leaves_a_parameter_out() -> None:
    assert url(model=None, punctuate=None, token=None) == url()


def test_a_url_replaces_the_server_and_keeps_its_query() -> None:
    assert url(url="ws://h:1/base?x=1") == "ws://h:1/base/v1/rooms/r/?x=1&fixed=1"


def test_extra_query() -> None:
    got = client._url("bare", None, {"room": "r"}, {"a": True, "b": [1, 2], "c": None})
    assert urlsplit(got).query == "fixed=1&a=true&b=1&b=2"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"channels": "2"}, "channels: '2' is not an integer"),
        ({"channels": True}, "channels: True is not an integer"),
        ({"punctuate": 1}, "punctuate: 1 is not a boolean"),
        ({"rate": float("nan")}, "rate: nan is not a finite number"),
        ({"model": "other"}, "model: 'other' is not one of 'nova', 'base'"),
        ({"keywords": "abc"}, "keywords: 'abc' is not a sequence of values"),
        ({"keywords": [{"a": 1}]}, "is not a string, number or boolean"),
        ({"anything": {"a": 1}}, "is not a string, number, boolean or a sequence of them"),
    ],
)
def test_values_the_document_does_not_allow(values: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        url(**values)


def test_unknown_server_and_bad_urls() -> None:
    with pytest.raises(
        ParameterError, match=r"no server 'x' in the document \(servers: 'prod', 'bare'\)"
    ):
        url(server="x")
    with pytest.raises(ParameterError, match="is not a ws:// or wss:// URL"):
        url(url="https://example.com")


def test_a_missing_variable_names_its_keyword(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "SERVERS", {"s": ServerInfo("wss://{region}.example.com")})
    monkeypatch.setitem(client._PLACES, "region_name", (_Place("region", "variable", "str"),))
    with pytest.raises(
        ParameterError, match=r"server 's' needs a value for \{region\}: pass region_name="
    ):
        url(server="s")


def test_headers() -> None:
    got = client._headers({"token": "t", "retries": 3, "room": "r"}, {"X-Extra": "e"})
    assert got == [("X-Token", "t"), ("X-Retries", "3"), ("X-Extra", "e")]
    assert client._headers({"token": None}, None) == []
    with pytest.raises(ParameterError, match="cannot hold a line break"):
        client._headers({"token": "a\r\nInjected: 1"}, None)
    with pytest.raises(ParameterError, match="X-Extra: 1 is not a string"):
        client._headers({}, {"X-Extra": 1})  # type: ignore[dict-item]


scalars = st.one_of(
    st.text(),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


@given(value=scalars, many=st.lists(scalars, max_size=4))
def test_query_values_round_trip(value: object, many: list[object]) -> None:
    got = urlsplit(url(anything=value, keywords=many)).query
    pairs = parse_qsl(got, keep_blank_values=True)
    assert pairs == [
        ("key", "k"),
        ("fixed", "1"),
        ("anything", _as_text(value)),
        *(("keywords", _as_text(v)) for v in many),
    ]


@given(room=st.text(min_size=1))
def test_an_address_parameter_is_one_segment(room: str) -> None:
    path = urlsplit(url(room=room)).path
    assert path.startswith("/v1/rooms/") and path.endswith("/")
    segment = path[len("/v1/rooms/") : -1]
    assert "/" not in segment
    assert unquote(segment) == room


# -- the connection's life: pure parts -----------------------------------------------------------


@given(st.integers(1, 40), st.floats(0, 1))
def test_backoff_doubles_up_to_its_bound_and_jitter_keeps_half_to_all(
    attempt: int, draw: float
) -> None:
    policy = client.Reconnect(backoff=(0.5, 8.0))
    top = min(8.0, 0.5 * 2 ** (attempt - 1))
    assert client.Reconnect(backoff=(0.5, 8.0), jitter=False).delay(attempt) == top
    assert top / 2 <= policy.delay(attempt, lambda: draw) <= top


def test_close_codes_are_retryable_as_declared_else_by_the_usual_set() -> None:
    life = client.Life(retry={1011: False, 4000: True})
    assert not life.retryable(1011) and life.retryable(4000)
    assert life.retryable(1006) and life.retryable(1012)
    assert not life.retryable(1000) and not life.retryable(1008) and not life.retryable(None)


@given(st.text(st.characters(codec="utf-8", exclude_characters="*"), min_size=1))
def test_a_secret_never_survives_redaction(secret: str) -> None:
    url = client._url("bare", None, {"room": "r"}, {"token": secret, "model": "nova"})
    shown = client.redact(url, [secret])
    assert quote(secret, safe="") not in shown.partition("?")[2]
    assert client.redact(url, []).endswith("&token=***&model=nova")
    assert secret not in client.redact(f"Authorization: Token {secret}", [secret])


def test_credentials_travel_by_their_scheme() -> None:
    schemes = {
        "api_key": ("scheme", "Authorization", "Token"),
        "token": ("bearer", "Authorization", "Bearer"),
    }
    headers, query, secrets = client._credential_headers({"api_key": "k1"}, schemes)
    assert headers == [("Authorization", "Token k1")] and query == {} and secrets == ["k1"]
    headers, query, _ = client._credential_headers(
        {"api_key": "u:p"}, {"api_key": ("basic", "Authorization", "Basic")}
    )
    assert headers == [("Authorization", "Basic dTpw")]
    _, query, _ = client._credential_headers({"token": "t"}, {"token": ("query", "token", "")})
    assert query == {"token": "t"}
    with pytest.raises(ParameterError, match=r"^api_key: a credential"):
        client._credential_headers({"api_key": "a\nb"}, schemes)


def test_a_target_s_repr_hides_its_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "_CREDENTIALS", {"token": ("query", "access_token", "")})
    dial = client._dialer(
        {"room": "r"},
        server="bare",
        url=None,
        extra_query=None,
        extra_headers=None,
        credentials={"token": "s3cr3t"},
    )
    target = dial({})
    assert "access_token=s3cr3t" in target.url and "s3cr3t" not in repr(target)
    assert "access_token=fresh" in dial({"token": "fresh"}).url
    with pytest.raises(ParameterError, match="refresh: no connect keyword nosuch"):
        dial({"nosuch": 1})


@pytest.mark.parametrize(
    ("value", "text"), [(True, "true"), (False, "false"), ("true", "true"), ("false", "false")]
)
def test_a_boolean_string_keyword_takes_python_booleans(value: object, text: str) -> None:
    assert client._texts("flag", value, _Place("flag", "query", "flag")) == [text]


def test_a_boolean_string_keyword_refuses_other_values() -> None:
    with pytest.raises(ParameterError, match="is not a boolean"):
        client._texts("flag", "yes", _Place("flag", "query", "flag"))


@given(st.lists(st.integers(), min_size=1, max_size=4))
def test_lists_repeat_their_key_unless_comma_joined(items: list[int]) -> None:
    repeated = client._texts("k", items, _Place("k", "query", "list"))
    joined = client._texts("k", items, _Place("k", "query", "list", comma=True))
    assert repeated == [str(i) for i in items]
    assert joined == [",".join(str(i) for i in items)]


@given(st.integers())
def test_integers_stay_integers(value: int) -> None:
    (text,) = client._texts("n", value, _Place("n", "query", "int"))
    assert text == str(value) and "." not in text
    with pytest.raises(ParameterError):
        client._texts("n", float(value), _Place("n", "query", "int"))


def test_frames_over_the_buffer_bound_are_dropped_and_counted() -> None:
    class Quiet:
        def close(self) -> list[object]:
            return []

    conn = client.Connection(
        lambda changes: client.Target("ws://h", []),
        Quiet,  # type: ignore[arg-type]
        reconnect=client.Reconnect(buffer_bytes=10),
    )
    for data in (b"12345", "678", b"90ab", "c"):
        conn._keep(data)
    assert conn._buffer == [b"12345", "678", "c"]
    assert conn._dropped == (1, 4)
