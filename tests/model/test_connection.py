"""Connection facts: servers, the address as a path, parameters, and the URLs they make."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import OUTSIDE, ROOT, SPEC, run_msgen

from msgen.model.connection import RESERVED
from msgen.model.ir import Connection, IntegerType, LiteralType, StringType
from msgen.model.normalize import Built, load
from msgen.views.client import ClientView, join_path
from msgen.views.frames import module_view
from msgen.views.session import SessionView

Spec = Callable[[str], Path]

MESSAGE = """
components:
  messages:
    hello:
      payload: {type: object, required: [kind], properties: {kind: {const: hello}}}
      examples: [{payload: {kind: hello}}]
"""


def v2(servers: str, channel: str, extra: str = "") -> str:
    return f"""
asyncapi: 2.6.0
info: {{title: T, version: '1'}}
servers:
{servers}
channels:
  {channel}
      subscribe: {{message: {{$ref: '#/components/messages/hello'}}}}
{extra}
{MESSAGE}
"""


def built(write_spec: Spec, text: str) -> Built:
    return load(write_spec(text))


def connection(write_spec: Spec, text: str) -> Connection:
    return built(write_spec, text).api.channels[0].connection


def urls(write_spec: Spec, text: str) -> dict[str, str]:
    channel = built(write_spec, text).api.channels[0]
    view = ClientView(channel, SessionView(channel, module_view(channel)))
    return {case.server: case.url for case in view.expected_urls}


def test_a_2x_url_gives_scheme_host_path_query_and_variables(write_spec: Spec) -> None:
    text = v2(
        """
  live:
    url: 'wss://{region}.example.com:8443/v2?v={version}&encoding=json'
    protocol: wss
    variables:
      region: {default: eu, enum: [eu, us]}
      version: {default: '9'}
      unused: {default: x}
""",
        "/stream:",
    )
    found = connection(write_spec, text)
    (server,) = found.servers
    assert server.base == "wss://{region}.example.com:8443/v2"
    assert server.query == "v={version}&encoding=json"
    assert [(v.py_name, v.default, v.required) for v in found.variables] == [
        ("region", "eu", False),
        ("version", "9", False),
    ]
    assert found.variables[0].type == LiteralType(("eu", "us"))
    assert urls(write_spec, text) == {
        "live": "wss://eu.example.com:8443/v2/stream?v=9&encoding=json"
    }
    warnings = built(write_spec, text).warnings
    assert any("server variable 'unused' is not used in the URL" in w for w in warnings)


def test_protocols_map_to_websocket_schemes_and_others_are_left_out(write_spec: Spec) -> None:
    text = v2(
        """
  a: {url: 'api.example.com/ws', protocol: https}
  b: {url: 'localhost:1235', protocol: http}
  c: {url: 'https://api.example.com/', protocol: wss}
  d: {url: 'rabbitmq.example.com', protocol: amqp}
""",
        "Login:",
    )
    assert urls(write_spec, text) == {
        "a": "wss://api.example.com/ws",
        "b": "ws://localhost:1235/",
        "c": "wss://api.example.com/",
    }
    warnings = built(write_spec, text).warnings
    assert any("server 'd' uses protocol 'amqp', not a WebSocket" in w for w in warnings)


def test_undeclared_placeholders_are_required_strings(write_spec: Spec) -> None:
    text = v2(
        """
  live: {url: 'api.example.io/v2/live?token={SESSION}', protocol: wss}
""",
        "liveTranscription:",
    )
    (session,) = connection(write_spec, text).variables
    assert (session.wire_name, session.py_name, session.required) == ("SESSION", "session", True)
    assert urls(write_spec, text) == {
        "live": "wss://api.example.io/v2/live?token=SESSION%20value%2F1%20%C3%A9"
    }


def test_variables_whose_servers_disagree_default_to_the_picked_one(write_spec: Spec) -> None:
    text = v2(
        """
  media:
    url: '{host}/{path}'
    protocol: wss
    variables: {host: {default: a.com}, path: {default: media}}
  relay:
    url: '{host}/{path}'
    protocol: wss
    variables: {host: {default: a.com}, path: {default: relay}}
""",
        "relay:",
    )
    host, path = connection(write_spec, text).variables
    assert (host.default, host.has_default, path.default, path.has_default) == (
        "a.com",
        True,
        None,
        False,
    )
    assert urls(write_spec, text) == {"media": "wss://a.com/media", "relay": "wss://a.com/relay"}


def test_3x_host_and_pathname_with_a_duplicated_scheme(write_spec: Spec) -> None:
    text = f"""
asyncapi: 3.0.0
info: {{title: T, version: '1'}}
servers:
  plain: {{host: 'eu.rt.example.com/v2', protocol: wss}}
  twice: {{host: 'wss://api.example.com', pathname: /v1/flow/, protocol: wss}}
channels:
  flow:
    address: /v1/flow
    messages: {{hello: {{$ref: '#/components/messages/hello'}}}}
operations:
  take: {{action: receive, channel: {{$ref: '#/channels/flow'}}}}
{MESSAGE}
"""
    assert urls(write_spec, text) == {
        "plain": "wss://eu.rt.example.com/v2/v1/flow",
        "twice": "wss://api.example.com/v1/flow",  # the server's path already ends with it
    }


def test_an_address_that_names_the_channel_is_not_a_path(write_spec: Spec) -> None:
    text = v2("  s: {url: 'wss://api.example.com/v1/realtime', protocol: wss}", "session.update:")
    assert connection(write_spec, text).path == ""
    assert urls(write_spec, text) == {"s": "wss://api.example.com/v1/realtime"}


@pytest.mark.parametrize(
    ("base", "template", "joined"),
    [
        ("", "/", "/"),
        ("/v2", "/", "/v2"),
        ("/v2/", "/listen/", "/v2/listen/"),
        ("/v1/convai/conversation", "/conversation", "/v1/convai/conversation"),
        ("/v3/voice/connect", "/v3/voice/connect", "/v3/voice/connect"),
        ("/api", "user/{id}", "/api/user/a%2Fb"),
        ("", "/x/{id}", "/x/%2E%2E"),
    ],
)
def test_join_path(base: str, template: str, joined: str) -> None:
    value = "a/b" if joined.endswith("%2Fb") else ".."
    assert join_path(base, template, {"id": value}) == joined


def test_channel_parameters_2x_schema_and_3x_enum(write_spec: Spec) -> None:
    text = v2(
        "  s: {url: 'wss://x.io', protocol: wss}",
        """'/ws/{symbol}@kline_{interval}':
      parameters:
        symbol: {schema: {type: string}}
        interval: {schema: {type: string, enum: [1m, 1h]}}
        unused: {schema: {type: string}}""",
    )
    symbol, interval = connection(write_spec, text).parameters
    assert (symbol.kind, symbol.type, symbol.required) == ("path", StringType(), True)
    assert interval.type == LiteralType(("1m", "1h"))
    warnings = built(write_spec, text).warnings
    assert any("channel parameter 'unused' does not appear in the address" in w for w in warnings)
    assert urls(write_spec, text) == {"s": "wss://x.io/ws/symbol%20value%2F1%20%C3%A9@kline_1m"}


def test_bindings_query_and_headers(write_spec: Spec) -> None:
    text = v2(
        "  s: {url: 'wss://x.io', protocol: wss}",
        """/listen:
      bindings:
        ws:
          query:
            type: object
            required: [sample_rate]
            properties:
              sample_rate: {type: integer, minimum: 8000}
              model: {$ref: '#/components/schemas/Model', default: nova}
              agent_id: {description: An agent., schema: {type: string}}
              url: {type: boolean}
              keyterm: {type: array, items: {type: string}}
          headers:
            type: object
            properties:
              X-API-Key: {type: string}
              model: {type: string}""",
        """
components:
  schemas:
    Model: {type: string, enum: [nova, base]}""",
    ).replace("\ncomponents:\n  messages:", "\n  messages:")
    found = connection(write_spec, text)
    assert [(p.wire_name, p.py_name, p.required) for p in found.query] == [
        ("sample_rate", "sample_rate", True),
        ("model", "model", False),
        ("agent_id", "agent_id", False),
        ("url", "url_query", False),
        ("keyterm", "keyterm", False),
    ]
    rate, model, agent, _, keyterm = found.query
    assert rate.type == IntegerType(minimum=8000)
    assert (model.type, model.default, model.has_default) == (
        LiteralType(("nova", "base")),
        "nova",
        True,
    )
    assert (agent.type, agent.description) == (StringType(), "An agent.")
    assert type(keyterm.type).__name__ == "ArrayType"
    assert [(p.wire_name, p.py_name) for p in found.headers] == [
        ("X-API-Key", "api_key"),
        ("model", "model_header"),
    ]
    assert urls(write_spec, text) == {"s": "wss://x.io/listen?sample_rate=8000"}


def test_server_bindings_require_what_every_server_requires(write_spec: Spec) -> None:
    headers = "{type: object, required: [Auth], properties: {Auth: {type: string}}}"
    a = f"  a: {{url: 'wss://a.io', protocol: wss, bindings: {{ws: {{headers: {headers}}}}}}}"
    one = v2(a, "/x:")
    both = v2(a + "\n  b: {url: 'wss://b.io', protocol: wss}", "/x:")
    assert [h.required for h in connection(write_spec, one).headers] == [True]
    assert [h.required for h in connection(write_spec, both).headers] == [False]


def test_a_channel_is_on_the_servers_it_lists(write_spec: Spec) -> None:
    text = v2(
        "  a: {url: 'wss://a.io', protocol: wss}\n  b: {url: 'wss://b.io', protocol: wss}",
        "/x:\n      servers: [b]",
    )
    assert [s.name for s in connection(write_spec, text).servers] == ["b"]


def test_the_default_spec_and_the_outside_document() -> None:
    (channel,) = load(SPEC).api.channels
    (header,) = channel.connection.headers
    assert (header.wire_name, header.py_name, header.required) == (
        "X-Twilio-Signature",
        "twilio_signature",
        True,
    )
    assert [s.base for s in channel.connection.servers] == ["wss://example.com"]
    media = load(OUTSIDE).api.channels[0]
    assert media.connection.path == ""  # `media-streams` names the channel
    assert [v.py_name for v in media.connection.variables] == ["customer_websocket_host", "path"]


def test_a_variable_one_server_needs_is_passed_for_that_server(write_spec: Spec) -> None:
    text = v2(
        "  yours: {url: '{your-server}/events', protocol: https}\n"
        "  socket: {url: 'wss-primary.example.com', protocol: wss}",
        "/events:",
    )
    (variable,) = connection(write_spec, text).variables
    assert (variable.py_name, variable.required, variable.has_default) == (
        "your_server",
        False,
        False,
    )
    channel = built(write_spec, text).api.channels[0]
    view = ClientView(channel, SessionView(channel, module_view(channel)))
    yours, socket = view.expected_urls
    assert yours.arguments == "{'your_server': 'your-server value/1 é'}"
    assert yours.url == "wss://your-server%20value/1%20%C3%A9/events"
    assert (socket.arguments, socket.url) == ("{}", "wss://wss-primary.example.com/events")


def test_every_connection_shape_works_in_a_generated_client(tmp_path: Path) -> None:
    """The fixture's servers, variables, address parameters, query and headers, through the
    generated connector and its own tests (URLs, refusals, a real handshake, a conversation)."""
    out = tmp_path / "out"
    spec = ROOT / "tests" / "fixtures" / "connection" / "connection.yaml"
    assert run_msgen("build", spec, "--out", out).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_client.py"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(out)},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_parameters_never_take_a_name_the_connector_uses() -> None:
    template = (ROOT / "templates" / "package" / "client.py.jinja").read_text()
    body = template[template.index("\ndef connect(") :]
    keywords = re.findall(r"^    (\w+): .*= ", body[: body.index(") -> ")], re.MULTILINE)
    assigned = re.findall(r"^\s+(\w+)(?:: [^=]+)? = |\) as (\w+):", body, re.MULTILINE)
    names = {*keywords, *(a or b for a, b in assigned)}
    assert "_dial" in names and "max_frame_bytes" in names and "reconnect" in names
    assert {n for n in names if not n.startswith("_")} <= RESERVED
