"""Render-ready facts for the client connector, the scripted peer and their tests.

The connector's keyword arguments (annotations, defaults, checks), its servers, sample values for
the tests, and the conversation the examples make: decided here once, so templates only print.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from msgen.model.behaviour import Behaviour, credentials, grows
from msgen.model.connection import placeholders
from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    Channel,
    IntegerType,
    JsonScalar,
    LiteralType,
    Message,
    NumberType,
    Parameter,
    Server,
    StringType,
    TypeNode,
)
from msgen.views.session import SessionView

#: The base URL the generated tests give ``url=`` (a port nobody listens on: no I/O happens).
LOOPBACK = "ws://127.0.0.1:9"

Sample = JsonScalar | list[JsonScalar]

#: What the connector checks a value against at run time.
Expect = Literal["str", "int", "float", "bool", "flag", "list", "any"]

_KIND_WORDS = {
    "variable": "server variable",
    "path": "address parameter",
    "query": "query parameter",
    "header": "header",
}


@dataclass(frozen=True)
class ParamView:
    """One keyword argument of ``connect`` and ``build_url``/``build_headers``."""

    param: Parameter
    annotation: str
    #: The keyword's default as Python source ("" for a required keyword).
    default: str
    expect: Expect
    #: The allowed values as a Python tuple literal ("()" when any value of the type goes).
    choices: str
    #: A value the generated tests pass: the default, a choice, an example, or one of the type.
    sample: Sample
    #: A string enum whose values grow (models, languages): other strings go too.
    open: bool = False
    #: A query sequence written as one comma-joined value.
    comma: bool = False

    @property
    def place_extra(self) -> str:
        """Extra ``_Place`` arguments (none unless the sequence is comma-joined)."""
        return ", comma=True" if self.comma else ""

    @property
    def sample_source(self) -> str:
        return repr(self.sample)

    @property
    def py_name(self) -> str:
        return self.param.py_name

    @property
    def signature(self) -> str:
        """``name: annotation`` with its default, as in a ``def``."""
        tail = f" = {self.default}" if self.default else ""
        return f"{self.py_name}: {self.annotation}{tail}"

    @property
    def bad_value(self) -> str:
        """Python source of a value the document does not allow here."""
        node = self.param.type
        values = choices(node)
        if self.open or self.expect == "flag":
            return "object()"
        if values:
            numbers = [v for v in values if isinstance(v, int | float) and type(v) is not bool]
            if all(isinstance(v, str) for v in values):
                return repr("not one of the values")
            if len(numbers) == len(values):
                return repr(max(numbers) + 1)
        return "object()"

    @property
    def strategy(self) -> str:
        """A hypothesis strategy for the values the document allows (``None`` too if optional)."""
        own = _strategy(self.param.type, self.param.kind)
        return own if self.param.required else f"st.none() | {own}"

    @property
    def note(self) -> str:
        """For docstrings: where the value goes, its meaning, its default."""
        return self._note("``")

    @property
    def note_md(self) -> str:
        """The same for Markdown."""
        return self._note("`")

    def _note(self, quote: str) -> str:
        param = self.param
        parts = [f"{_KIND_WORDS[self.param.kind]} {quote}{self.param.wire_name}{quote}"]
        if param.description:
            parts.append(" ".join(param.description.split()).rstrip("."))
        if param.has_default and param.kind in ("query", "header"):
            parts.append(f"the server assumes {_json(param.default)} when it is not sent")
        elif param.kind == "variable" and not param.has_default and not param.required:
            parts.append("default: the picked server's")
        return "; ".join(parts) + "."


@dataclass(frozen=True)
class ServerView:
    name: str
    #: The server's URL template (base and query), as the document writes it after the rules.
    url: str
    base: str
    query: str
    #: ``{wire name: default}`` as a Python dict literal.
    defaults: str
    description: str


@dataclass(frozen=True)
class UrlCase:
    """A server, the keyword arguments it needs beyond the required ones, the URL they make."""

    server: str
    #: A dict literal of those keyword arguments.
    arguments: str
    url: str


@dataclass(frozen=True)
class Step:
    """One frame of the example conversation: the peer ``send``s it or ``expect``s it."""

    action: Literal["send", "expect"]
    message: Message
    #: The frame's text: compact JSON, or the text itself for a plain-text message.
    wire: str
    #: An inbound mark echo, which the session turns into ``MarkPlayed``.
    echo: bool = False


@dataclass(frozen=True)
class ClientView:
    channel: Channel
    session: SessionView

    @property
    def bad_frame(self) -> tuple[str, int] | None:
        """A frame no received message accepts (Python source) and the close code it earns: a
        text frame, unless a plain-text message may take it; then a binary frame, unless binary
        messages take those too (then there is none to send)."""
        union = self.channel.inbound
        if not any(m.plain for m in union.messages):
            return repr("not a frame of this document"), 1007
        if union.binary is None:
            return repr(b"not a frame of this document"), 1003
        return None

    # -- the connection's life ---------------------------------------------------------------

    @property
    def behaviour(self) -> Behaviour | None:
        return self.channel.behaviour

    @property
    def credentials(self) -> tuple[tuple[str, str, str, str], ...]:
        """(keyword, kind, header or query name, HTTP scheme) for ``api_key`` and ``token``,
        unless the document has a keyword of that name already."""
        taken = {p.py_name for p in self.params}
        key, token = credentials(self.channel.connection.security, self.channel.behaviour)
        return tuple(
            (keyword, scheme.kind, scheme.name, scheme.scheme)
            for keyword, scheme in (("api_key", key), ("token", token))
            if scheme is not None and keyword not in taken
        )

    @property
    def life(self) -> str:
        """``Life(...)`` arguments as Python source (frame classes as ``_frames.X``)."""
        b = self.channel.behaviour
        if b is None:
            return ""
        args: list[str] = []
        if b.keepalive:
            args += [f"keepalive=_frames.{b.keepalive.message.class_name}"]
            args += [f"interval={b.keepalive.interval!r}"]
        if b.ping:
            pong = b.ping.pong
            fixed = {pong.discriminator: pong.tag} if pong.discriminator and pong.tag else {}
            args += [f"ping=_frames.{b.ping.message.class_name}", f"pong={fixed!r}"]
            args += [f"pong_copy={b.ping.copy!r}", "decode=_wire.decode_outbound"]
        if b.ready:
            args += [f"ready=_frames.{b.ready.class_name}"]
        if b.close:
            if b.close.message:
                args += [f"close=_frames.{b.close.message.class_name}"]
            if b.close.final:
                args += [f"final=_frames.{b.close.final.class_name}"]
            args += [f"close_timeout={b.close.timeout!r}"]
        if b.errors:
            args += [f"error=_frames.{b.errors.message.class_name}"]
            if b.errors.code:
                args += [f"error_code={b.errors.code.pointer!r}"]
            if b.errors.reason:
                args += [f"error_reason={b.errors.reason.pointer!r}"]
        if b.close_codes:
            args += ["retry={" + ", ".join(f"{c.code}: {c.retry}" for c in b.close_codes) + "}"]
            reasons = {c.code: c.reason for c in b.close_codes if c.reason}
            args += [f"reasons={reasons!r}"] if reasons else []
        if b.setup:
            args += ["setup=(" + "".join(f"_frames.{m.class_name}, " for m in b.setup) + ")"]
        return ", ".join(args)

    @property
    def final_wire(self) -> str:
        """The server's terminal message as JSON text, when it needs no values ("" otherwise)."""
        b = self.channel.behaviour
        final = b.close.final if b is not None and b.close is not None else None
        if final is None or any(f.required and not f.is_discriminator for f in final.fields):
            return ""
        if final.examples:
            return final.examples[0].wire
        return json.dumps({final.discriminator: final.tag}) if final.discriminator else ""

    @property
    def ping_wire(self) -> str:
        """An example of the peer's ping as JSON text ("" when the document gives none)."""
        b = self.channel.behaviour
        ping = b.ping.message if b is not None and b.ping is not None else None
        return ping.examples[0].wire if ping is not None and ping.examples else ""

    @property
    def uses_wire(self) -> bool:
        return self.channel.behaviour is not None and self.channel.behaviour.ping is not None

    # -- parameters --------------------------------------------------------------------------

    @property
    def params(self) -> tuple[ParamView, ...]:
        """Every keyword argument, each Python name once, required ones first."""
        return tuple(_param_view(p, self.channel.behaviour) for p in self.channel.connection.all)

    @property
    def url_params(self) -> tuple[ParamView, ...]:
        """The keyword arguments of ``build_url`` (all but headers)."""
        return tuple(p for p in self.params if p.param.kind != "header")

    @property
    def header_params(self) -> tuple[ParamView, ...]:
        return tuple(p for p in self.params if p.param.kind == "header")

    @property
    def placements(self) -> tuple[ParamView, ...]:
        """One entry per place a value goes (a Python name shared by a variable and a path
        parameter appears twice), for the connector's table."""
        connection = self.channel.connection
        every = (
            *connection.parameters,
            *connection.variables,
            *connection.query,
            *connection.headers,
        )
        return tuple(_param_view(p, self.channel.behaviour) for p in every)

    @property
    def places_by_name(self) -> tuple[tuple[str, tuple[ParamView, ...]], ...]:
        """``placements`` grouped by Python name, in order."""
        grouped: dict[str, list[ParamView]] = {}
        for view in self.placements:
            grouped.setdefault(view.py_name, []).append(view)
        return tuple((name, tuple(views)) for name, views in grouped.items())

    @property
    def example_arguments(self) -> str:
        """Arguments for ``connect`` in documentation: the required ones, with telling values."""
        args = [] if self.servers else ['url="wss://..."']
        for view in self.params:
            if view.param.required:
                args.append(f"{view.py_name}={_doc_value(view)}")
        return ", ".join(args)

    def arguments(self, which: str) -> str:
        """Sample keyword arguments as a dict literal: ``required`` (all kinds), ``url`` (the
        required ones but headers), ``headers`` (the required headers) or ``every`` (each with its
        sample)."""
        picked = [
            p
            for p in self.params
            if which == "every"
            or (p.param.required and which == "required")
            or (
                p.param.required
                and which != "required"
                and (p.param.kind == "header") == (which == "headers")
            )
        ]
        return "{" + "".join(f"{p.py_name!r}: {p.sample_source}, " for p in picked) + "}"

    @property
    def round_trip(self) -> tuple[ParamView, ...]:
        """The address and query parameters, whose values the URL must carry back."""
        return tuple(p for p in self.params if p.param.kind in ("path", "query"))

    @property
    def refusable(self) -> tuple[ParamView, ...]:
        """Parameters with a value the document does not allow (a type, or a set of values)."""
        return tuple(p for p in self.params if p.expect != "any" or p.choices != "()")

    @property
    def header_samples(self) -> tuple[tuple[str, str], ...]:
        """(lower-case header name, the text its sample is sent as)."""
        return tuple(
            (p.param.wire_name.lower(), text(v))
            for p in self.header_params
            for v in _many(p.sample)
        )

    # -- servers -----------------------------------------------------------------------------

    @property
    def servers(self) -> tuple[ServerView, ...]:
        return tuple(
            ServerView(
                name=s.name,
                url=s.base + (f"?{s.query}" if s.query else ""),
                base=s.base,
                query=s.query,
                defaults="{" + ", ".join(f"{k!r}: {v!r}" for k, v in s.defaults) + "}",
                description=" ".join(s.description.split()),
            )
            for s in self.channel.connection.servers
        )

    @property
    def server_annotation(self) -> str:
        return "Literal[" + ", ".join(repr(s.name) for s in self.servers) + "]"

    @property
    def default_server(self) -> str:
        return self.servers[0].name if self.servers else ""

    @property
    def address(self) -> str:
        """The channel's address as the connector appends it (path and query template)."""
        connection = self.channel.connection
        return connection.path + (f"?{connection.path_query}" if connection.path_query else "")

    @property
    def expected_urls(self) -> tuple[UrlCase, ...]:
        """What ``build_url`` must give for the required samples, each server in turn (``url=``
        a loopback base when there are none), expanded here by the same rules: the generated
        tests check that the connector agrees."""
        values: dict[str, Sample] = {}
        for p in self.placements:
            if p.param.required:
                values[p.param.wire_name] = p.sample
            elif p.param.has_default and p.param.kind in ("variable", "path"):
                values[p.param.wire_name] = p.param.default
        query = [p for p in self.placements if p.param.kind == "query" and p.param.required]
        connection = self.channel.connection
        servers = connection.servers or (Server("url", LOOPBACK, "", "", ()),)
        out = []
        for server in servers:
            own: dict[str, Sample] = {**dict(server.defaults), **values}
            # A variable only some servers use, with no default: this server needs a value.
            extra = {
                p.py_name: p.sample
                for p in self.placements
                if p.param.kind == "variable"
                and p.param.wire_name in server.variables
                and p.param.wire_name not in own
            }
            own.update({p.param.wire_name: p.sample for p in self.placements if p.py_name in extra})
            base = _fill(server.base, own, "/:@!$&'()*+,;=")
            head, _, rest = base.partition("://")
            netloc, slash, base_path = rest.partition("/")
            path = join_path(slash + base_path, connection.path, own)
            parts = [
                _fill(server.query, own, ""),
                _fill(connection.path_query, own, ""),
                *(_pair(p.param.wire_name, v) for p in query for v in _many(p.sample)),
            ]
            tail = "&".join(q for q in parts if q)
            url = f"{head}://{netloc}{path}" + (f"?{tail}" if tail else "")
            out.append(UrlCase(server.name, repr(extra), url))
        return tuple(out)

    # -- the example conversation --------------------------------------------------------------

    @property
    def conversation(self) -> tuple[Step, ...]:
        """Every example as one step, in an order the session accepts.

        Without a call lifecycle: the peer's frames (inbound), then this side's (outbound), each
        in document order. With one: the opening frames, the other inbound frames, this side's
        frames with a mark echoed after each mark and ``clear`` last, then the stop; stream ids
        and sequence numbers are made those of one call (the first start's).
        """
        channel = self.channel
        inbound = [(m, _frame(m, e.wire)) for m in channel.inbound.messages for e in m.examples]
        outbound = [(m, _frame(m, e.wire)) for m in channel.outbound.messages for e in m.examples]
        lc = self.session.lc
        if lc is None:
            return tuple(
                [Step("send", m, w) for m, w in inbound]
                + [Step("expect", m, w) for m, w in outbound]
            )
        pb = self.session.pb
        first: dict[str, str] = {}
        for message, wire in inbound + outbound:
            first.setdefault(message.class_name, wire)
        opening = [m for m in (lc.connected, lc.start) if m is not None]
        steps = [Step("send", m, first[m.class_name]) for m in opening if m.class_name in first]
        if lc.start.class_name not in first:
            return ()  # no start example: no call to hold a conversation in
        special = {lc.start.class_name, lc.stop.class_name}
        special |= {lc.connected.class_name} if lc.connected else set()
        echoes = [w for m, w in inbound if pb is not None and m == pb.inbound_mark]
        steps += [
            Step("send", m, w)
            for m, w in inbound
            if m.class_name not in special and not (pb and m == pb.inbound_mark)
        ]
        for message, wire in outbound:
            if pb is not None and message == pb.clear:
                continue
            steps.append(Step("expect", message, wire))
            if pb is not None and message == pb.outbound_mark and echoes:
                echo = _with_mark_name(echoes.pop(0), _mark_name(wire))
                steps.append(Step("send", pb.inbound_mark, echo, echo=True))
        steps += [Step("expect", m, w) for m, w in outbound if pb is not None and m == pb.clear]
        if lc.stop.class_name in first:
            steps.append(Step("send", lc.stop, first[lc.stop.class_name]))
        return tuple(self._one_call(steps, first[lc.start.class_name]))

    def _one_call(self, steps: list[Step], start: str) -> list[Step]:
        """The steps with the start's stream id and consecutive sequence numbers."""
        stream = _wire_name(self.session.lc.start if self.session.lc else None, self.session.stream)
        sid = json.loads(start).get(stream) if stream else None
        out = []
        number = 0
        for step in steps:
            frame = json.loads(step.wire)
            if stream and stream in frame and sid is not None:
                frame[stream] = sid
            counter = _wire_name(step.message, "sequence_number")
            if counter and counter in frame and step.action == "send":
                number += 1
                was = frame[counter]
                frame[counter] = str(number) if isinstance(was, str) else number
            wire = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
            out.append(Step(step.action, step.message, wire, step.echo))
        return out


def choices(node: TypeNode) -> tuple[JsonScalar, ...]:
    """The scalar values a ``LiteralType`` allows (none for any other type)."""
    if not isinstance(node, LiteralType):
        return ()
    return tuple(v for v in node.values if v is None or isinstance(v, str | int | float | bool))


def _param_view(param: Parameter, behaviour: Behaviour | None = None) -> ParamView:
    node = param.type
    base = _annotation(node, param.kind)
    allowed = choices(node)
    expect = _expect(node, param.kind)
    flag = set(allowed) == {"true", "false"} and len(allowed) == 2
    named = all(isinstance(v, str) for v in allowed) and bool(allowed) and not flag
    declared = behaviour.open_enums if behaviour is not None else None
    open_enum = named and (
        param.py_name in declared if declared is not None else grows(param.wire_name)
    )
    if flag:
        base, expect, allowed = 'bool | Literal["true", "false"]', "flag", ()
    elif open_enum:
        base, expect, allowed = f"{base} | str", "str", ()
    sent_default = param.kind in ("variable", "path") and param.has_default
    if param.required:
        annotation, default = base, ""
    elif sent_default:
        annotation, default = base, repr(param.default)
    else:
        annotation, default = f"{base} | None", "None"
    comma = (
        behaviour is not None and param.kind == "query" and param.wire_name in behaviour.comma_lists
    )
    return ParamView(
        param=param,
        annotation=annotation,
        default=default,
        expect=expect,
        choices="(" + "".join(f"{v!r}, " for v in allowed) + ")",
        sample=_sample(param),
        open=open_enum,
        comma=comma,
    )


def _annotation(node: TypeNode, kind: str) -> str:
    match node:
        case LiteralType() if choices(node) and all(
            isinstance(v, str | int | bool) for v in choices(node)
        ):
            return "Literal[" + ", ".join(repr(v) for v in choices(node)) + "]"
        case LiteralType():
            return "str" if kind in ("variable", "path", "header") else "Scalar"
        case StringType():
            return "str"
        case IntegerType():
            return "int"
        case NumberType():
            return "float"
        case BooleanType():
            return "bool"
        case ArrayType() if kind == "query":
            return f"Sequence[{_annotation(node.items, kind)}]"
    return "QueryValue" if kind == "query" else "str"


def _expect(node: TypeNode, kind: str) -> Expect:
    match node:
        case StringType():
            return "str"
        case IntegerType():
            return "int"
        case NumberType():
            return "float"
        case BooleanType():
            return "bool"
        case ArrayType() if kind == "query":
            return "list"
        case LiteralType() | AnyType() if kind == "query":
            return "any"
    return "str" if not isinstance(node, LiteralType) else "any"


def _sample(param: Parameter) -> Sample:
    """A valid value: the default, else a choice, else an example of the right type."""
    node = param.type
    if param.has_default and param.kind in ("variable", "path"):
        return param.default
    if choices(node):
        return choices(node)[0]
    expect = _expect(node, param.kind)
    for example in param.examples:
        if _fits(example, expect):
            return example
    match node:
        case IntegerType():
            return max(node.minimum or 0, 1) if node.maximum is None or node.maximum >= 1 else 0
        case NumberType():
            return 0.5 if node.maximum is None or node.maximum >= 0.5 else node.maximum
        case BooleanType():
            return True
        case ArrayType():
            item = _sample(Parameter("query", "", "", node.items, True))
            return [item, item] if not isinstance(item, list) else item
    if param.kind == "header":
        return f"{param.wire_name} value 1"
    return f"{param.wire_name} value/1 é"


_TEXT = "st.text(st.characters(codec='utf-8'){})"


def _strategy(node: TypeNode, kind: str) -> str:
    match node:
        case LiteralType() if choices(node):
            return f"st.sampled_from({list(choices(node))!r})"
        case IntegerType():
            return f"st.integers({node.minimum!r}, {node.maximum!r})"
        case NumberType():
            return (
                f"st.floats({node.minimum!r}, {node.maximum!r}, "
                "allow_nan=False, allow_infinity=False)"
            )
        case BooleanType():
            return "st.booleans()"
        case ArrayType() if kind == "query":
            return f"st.lists({_strategy(node.items, kind)}, max_size=3)"
        case StringType() | LiteralType():
            return _TEXT.format(", min_size=1" if kind == "path" else "")
    scalars = [_TEXT.format(""), "st.integers()", "st.booleans()"]
    return "st.one_of(" + ", ".join(scalars) + ")"


def _doc_value(view: ParamView) -> str:
    """A value for documentation: an example, a choice, else ``"..."`` for text."""
    param = view.param
    for example in param.examples:
        if _fits(example, view.expect):
            return repr(example)
    if choices(param.type):
        return repr(choices(param.type)[0])
    return '"..."' if view.expect in ("str", "any") else repr(view.sample)


def _fits(value: JsonScalar, expect: Expect) -> bool:
    match expect:
        case "str":
            return isinstance(value, str)
        case "int":
            return isinstance(value, int) and not isinstance(value, bool)
        case "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "bool":
            return isinstance(value, bool)
    return value is not None


def _json(value: JsonScalar) -> str:
    return json.dumps(value, ensure_ascii=False)


def text(value: JsonScalar) -> str:
    """How the connector writes a value in a URL or header (before percent-encoding)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return str(value)


def _quote(value: str, safe: str = "") -> str:
    return quote(value, safe=safe)


def _pair(name: str, value: JsonScalar) -> str:
    return f"{_quote(name)}={_quote(text(value))}"


def _many(value: Sample) -> list[JsonScalar]:
    return value if isinstance(value, list) else [value]


def _fill(template: str, values: Mapping[str, Sample], safe: str) -> str:
    """``{name}`` placeholders replaced by their values, percent-encoded but for ``safe``."""
    out = template
    for name in placeholders(template):
        (value,) = _many(values[name])
        out = out.replace("{" + name + "}", _quote(text(value), safe))
    return out


def join_path(base: str, template: str, values: Mapping[str, Sample]) -> str:
    """The server's path, then the address's segments minus those the server's path already ends
    with (``/v1/flow`` and ``/v1/flow`` make ``/v1/flow``), each filled in and encoded."""
    left = [s for s in base.split("/") if s]
    right = [s for s in template.split("/") if s]
    overlap = next(
        (k for k in range(min(len(left), len(right)), 0, -1) if left[-k:] == right[:k]), 0
    )
    filled = [_fill(segment, values, "") for segment in right[overlap:]]
    filled = [f.replace(".", "%2E") if f in (".", "..") else f for f in filled]
    joined = "/" + "/".join(left + filled)
    return joined + "/" if filled and template.endswith("/") else joined


def _frame(message: Message, wire: str) -> str:
    """An example's frame: its JSON text, or for a plain-text message the text it holds."""
    if message.plain:
        text = json.loads(wire)
        return text if isinstance(text, str) else wire
    return wire


def _wire_name(message: Message | None, py_name: str) -> str:
    if message is None or not py_name:
        return ""
    field = next((f for f in message.fields if f.py_name == py_name), None)
    return field.wire_name if field else ""


def _mark_name(wire: str) -> str:
    mark = json.loads(wire).get("mark")
    return str(mark.get("name", "")) if isinstance(mark, dict) else ""


def _with_mark_name(wire: str, name: str) -> str:
    frame = json.loads(wire)
    if isinstance(frame.get("mark"), dict):
        frame["mark"]["name"] = name
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
