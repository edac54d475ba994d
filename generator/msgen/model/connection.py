"""Where a client connects: servers, the channel's address as a path, and its parameters.

The rules, general to AsyncAPI 2.x and 3.x (the generated README repeats them):

- A server's protocol ``ws``/``wss`` is used as is; ``http``/``https`` (the scheme of the
  handshake, as some documents write it) become ``ws``/``wss``. Other protocols (``amqp``...) are
  not WebSockets: such servers are left out, with a warning.
- 2.x ``url`` and 3.x ``host`` plus ``pathname`` may carry a scheme, a port, a path and a query.
  ``{name}`` in them is a server variable: declared ones bring their ``default``, ``enum`` and
  description; undeclared ones are plain strings the caller must give. Declared variables the URL
  never uses change nothing and are left out, with a warning.
- An address with a ``/`` or a ``{parameter}`` is a path below the server's URL; a bare word
  (``ticker``, ``session.update``) names the channel, and the socket is the server's URL itself. An
  address may carry a query (``/connect?token={token}``). A path that already starts with the
  server's path is not prefixed with it twice.
- Channel parameters fill the address's ``{parameter}`` placeholders (2.x ``schema`` or 3.x
  ``enum``/``default``); declared ones the address does not use are left out, with a warning.
- ``bindings.ws`` ``query`` and ``headers`` (of the channel and of its servers) are object schemas:
  each property is a parameter, typed from its schema, required when the schema requires it.

Every parameter becomes a keyword argument named in snake_case (headers without an ``X-``
prefix); the wire name is kept for the URL and the handshake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from msgen.model import names, security
from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    Connection,
    IntegerType,
    JsonScalar,
    LiteralType,
    NumberType,
    Parameter,
    ParameterKind,
    SecurityScheme,
    Server,
    StringType,
    TypeNode,
)
from msgen.model.schema import inline
from msgen.reading.document import RawChannel
from msgen.reading.loader import Node
from msgen.reading.problems import Problems, SpecError

#: Keyword arguments the connector defines itself; a document's parameter with one of these names
#: gets a suffix naming its kind (``url_query``). The connector's locals start with ``_``, which
#: no parameter's name does.
RESERVED = frozenset(
    {
        "server",
        "url",
        "extra_query",
        "extra_headers",
        "strict",
        "tally",
        "open_timeout",
        "max_frame_bytes",
        "wait_ready",
        "ready_timeout",
        "close_timeout",
        "reconnect",
    }
)
_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_SUFFIX: dict[ParameterKind, str] = {
    "variable": "_variable",
    "path": "_path",
    "query": "_query",
    "header": "_header",
}


def placeholders(template: str) -> tuple[str, ...]:
    """The ``{name}`` placeholders of a URL template, each once, in order."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(template)))


def is_path(address: str) -> bool:
    """Whether an address is a URL path (``/v1/listen``, ``{symbol}``), not a channel's name."""
    return "/" in address or "{" in address


@dataclass(frozen=True)
class _ServerFacts:
    server: Server
    node: Node
    #: Declared variables the URL uses, by wire name.
    declared: dict[str, Parameter]


class Connections:
    """Reads the document's servers once; ``of`` builds each channel's ``Connection``."""

    def __init__(self, root: Node, version: str, problems: Problems) -> None:
        self._root = root
        self._v3 = version.startswith("3.")
        self._problems = problems
        self._servers = self._read_servers()

    # -- servers ---------------------------------------------------------------------------------

    def _read_servers(self) -> list[_ServerFacts]:
        servers = self._root.get("servers")
        out: list[_ServerFacts] = []
        if servers is None or not isinstance(servers.value, dict):
            return out
        for name, ref in servers.items():
            node = self._deref(ref)
            if node is None or not isinstance(node.value, dict):
                continue
            facts = self._server(name, node)
            if facts is not None:
                out.append(facts)
        return out

    def _server(self, name: str, node: Node) -> _ServerFacts | None:
        url = _str(node.value.get("url"))
        if not url:
            url = _str(node.value.get("host")) + _str(node.value.get("pathname"))
        written, found, rest = url.partition("://")
        if not found:
            written, rest = "", url
        protocol = _str(node.value.get("protocol")).lower() or written.lower()
        scheme = _SCHEMES.get(protocol) or _SCHEMES.get(written.lower())
        if scheme is None:
            self._problems.warning(
                (node.get("protocol") or node).location,
                f"server {name!r} uses protocol {protocol!r}, not a WebSocket: the client "
                "connector leaves it out",
            )
            return None
        address, _, query = rest.partition("?")
        host, slash, path = address.partition("/")
        base = f"{scheme}://{host}" + (slash + path).rstrip("/")
        used = placeholders(address + "?" + query)
        declared: dict[str, Parameter] = {}
        variables = node.get("variables")
        for key, ref in variables.items() if variables is not None else ():
            target = self._deref(ref)
            if target is None or not isinstance(target.value, dict):
                continue
            if key not in used:
                self._problems.warning(
                    target.location,
                    f"server variable {key!r} is not used in the URL of server {name!r}: ignored",
                )
                continue
            declared[key] = self._variable(key, target)
        server = Server(
            name=name,
            base=base,
            query=query,
            description=_str(node.value.get("description")),
            variables=used,
            defaults=tuple((key, str(p.default)) for key, p in declared.items() if p.has_default),
        )
        return _ServerFacts(server, node, declared)

    def _variable(self, key: str, node: Node) -> Parameter:
        enum = [v for v in _list(node.value.get("enum")) if isinstance(v, str)]
        default = node.value.get("default")
        has_default = isinstance(default, str | int | float) and not isinstance(default, bool)
        return Parameter(
            kind="variable",
            wire_name=key,
            py_name="",
            type=LiteralType(tuple(enum)) if enum else StringType(),
            required=not has_default,
            default=str(default) if has_default else None,
            has_default=has_default,
            description=_str(node.value.get("description")),
            examples=_examples(node.value),
        )

    def _picked(self, raws: Sequence[RawChannel]) -> list[_ServerFacts]:
        """The servers the channel lists (2.x names, 3.x $refs), else every server."""
        listed = raws[0].node.get("servers")
        if listed is None or not isinstance(listed.value, list):
            return list(self._servers)
        wanted: list[_ServerFacts] = []
        for item in listed.elements():
            if item.is_ref:
                target = self._deref(item)
                match = next(
                    (
                        s
                        for s in self._servers
                        if target is not None and s.node.identity == target.identity
                    ),
                    None,
                )
            else:
                match = next((s for s in self._servers if s.server.name == item.value), None)
            if match is not None and match not in wanted:
                wanted.append(match)
        return wanted

    # -- one channel -----------------------------------------------------------------------------

    def of(self, raws: Sequence[RawChannel]) -> Connection:
        """The connection facts of one socket: the channels ``raws`` share an address."""
        picked = self._picked(raws)
        address = self._address(raws[0])
        path, _, path_query = address.partition("?") if is_path(address) else ("", "", "")
        variables = _variables(picked)
        parameters = self._path_parameters(raws, address, path + "?" + path_query)
        query = self._bound("query", raws, picked)
        headers = self._bound("headers", raws, picked)
        groups = _named(parameters, variables, query, headers)
        found: dict[str, SecurityScheme] = {}
        for facts in picked:
            for scheme in security.schemes(self._root, facts.node, self._problems):
                found.setdefault(scheme.key, scheme)
        return Connection(
            servers=tuple(f.server for f in picked),
            path=path,
            path_query=path_query,
            variables=groups[1],
            parameters=groups[0],
            query=groups[2],
            headers=groups[3],
            security=tuple(found.values()),
        )

    def _bound(
        self, key: str, raws: Sequence[RawChannel], picked: list[_ServerFacts]
    ) -> list[Parameter]:
        """Query parameters or headers of the channels, then of their servers; the first
        declaration of a name wins. One a server binding requires is required when every server
        of the channel requires it."""
        out: dict[str, Parameter] = {}
        for raw in raws:
            for param in self._binding(raw.node, key):
                out.setdefault(param.wire_name, param)
        own = set(out)
        demanded: dict[str, int] = {}
        for facts in picked:
            for param in self._binding(facts.node, key):
                demanded[param.wire_name] = demanded.get(param.wire_name, 0) + param.required
                out.setdefault(param.wire_name, replace(param, required=False))
        for name, count in demanded.items():
            if count == len(picked) and name not in own:
                out[name] = replace(out[name], required=True)
        return list(out.values())

    def _address(self, raw: RawChannel) -> str:
        if not self._v3:
            return raw.key
        return _str(raw.node.value.get("address"))

    def _path_parameters(
        self, raws: Sequence[RawChannel], address: str, template: str
    ) -> list[Parameter]:
        used = placeholders(template)
        declared: dict[str, Parameter] = {}
        for raw in raws:
            params = raw.node.get("parameters")
            for key, ref in params.items() if params is not None else ():
                target = self._deref(ref)
                if target is None or key in declared:
                    continue
                if key not in used:
                    self._problems.warning(
                        ref.location,
                        f"channel parameter {key!r} does not appear in the address "
                        f"{address!r}: ignored (pass it with extra_query= or extra_headers= "
                        "if the server reads it there)",
                    )
                    continue
                declared[key] = self._path_parameter(key, target)
        return [declared.get(key) or _plain("path", key) for key in used]

    def _path_parameter(self, key: str, node: Node) -> Parameter:
        value = node.value if isinstance(node.value, dict) else {}
        schema_node = node.get("schema")
        if schema_node is not None:
            plain = self._plain(schema_node)
            kind = _scalar_type(plain)
            default = plain.get("default") if isinstance(plain, dict) else None
            examples = _examples(plain) if isinstance(plain, dict) else ()
        else:
            kind = _scalar_type({"type": "string", "enum": value.get("enum")})
            default = value.get("default")
            examples = ()
        has_default = _is_scalar(default) and default is not None
        return Parameter(
            kind="path",
            wire_name=key,
            py_name="",
            type=kind,
            required=not has_default,
            default=default if has_default else None,
            has_default=has_default,
            description=_str(value.get("description")),
            examples=_examples(value) or examples,
        )

    def _binding(self, owner: Node, key: str) -> list[Parameter]:
        """The properties of ``bindings.ws.<key>`` (``query``, ``headers``) of an owner."""
        ws = _at(owner, "bindings", "ws")
        schema = self._deref(ws.get(key) if ws is not None else None)
        if schema is None or not isinstance(schema.value, dict):
            return []
        required = {r for r in _list(schema.value.get("required")) if isinstance(r, str)}
        kind: ParameterKind = "query" if key == "query" else "header"
        properties = schema.get("properties")
        return [
            self._property(kind, name, prop, name in required)
            for name, prop in (properties.items() if properties is not None else ())
        ]

    def _property(self, kind: ParameterKind, name: str, prop: Node, required: bool) -> Parameter:
        siblings = prop.value if isinstance(prop.value, dict) else {}
        target = self._deref(prop)
        plain = self._plain(target) if target is not None else {}
        if isinstance(plain, dict) and "schema" in plain and not _typed(plain):
            plain = plain["schema"]  # a 2.x parameter written where a schema belongs
        outer = plain if isinstance(plain, dict) else {}
        default = siblings.get("default", outer.get("default"))
        has_default = _is_scalar(default) and default is not None
        return Parameter(
            kind=kind,
            wire_name=name,
            py_name="",
            type=_scalar_type(plain),
            required=required,
            default=default if has_default else None,
            has_default=has_default,
            description=_str(siblings.get("description")) or _str(outer.get("description")),
            examples=_examples(siblings) or _examples(outer),
        )

    # -- plumbing --------------------------------------------------------------------------------

    def _deref(self, node: Node | None) -> Node | None:
        if node is None:
            return None
        try:
            return node.deref()
        except SpecError as exc:
            self._problems.items.extend(exc.problems)
            return None

    def _plain(self, node: Node) -> object:
        try:
            return inline(node)[0]
        except SpecError as exc:
            self._problems.items.extend(exc.problems)
            return {}


def _variables(picked: list[_ServerFacts]) -> list[Parameter]:
    """Every variable the picked servers use, once.

    Its default is the servers' when they agree; when they differ, the keyword defaults to
    ``None``, which stands for the picked server's own. It is required only when every server
    needs it and none has a default.
    """
    out: dict[str, Parameter] = {}
    for facts in picked:
        for key in facts.server.variables:
            if key not in out:
                out[key] = facts.declared.get(key) or _plain("variable", key)
    for key, param in out.items():
        defaults = {dict(f.server.defaults).get(key) for f in picked if key in f.server.variables}
        needed = all(key in f.server.variables for f in picked) and defaults == {None}
        if len(defaults - {None}) > 1 or (defaults == {None} and not needed):
            out[key] = replace(param, required=False, default=None, has_default=False)
        elif defaults != {None}:
            value = next(d for d in defaults if d is not None)
            out[key] = replace(param, required=False, default=value, has_default=True)
    return list(out.values())


def _plain(kind: ParameterKind, key: str) -> Parameter:
    """An undeclared placeholder: a string the caller gives."""
    return Parameter(kind=kind, wire_name=key, py_name="", type=StringType(), required=True)


def _named(*groups: list[Parameter]) -> tuple[tuple[Parameter, ...], ...]:
    """Python names for every parameter: snake_case, unique, never a connector keyword.

    A path parameter and a server variable of the same wire name are one value (one keyword);
    any other clash gets a suffix naming the kind.
    """
    taken = set(RESERVED)
    shared: dict[str, str] = {}
    out: list[tuple[Parameter, ...]] = []
    for group in groups:
        named = []
        for param in group:
            if param.kind in ("path", "variable") and param.wire_name in shared:
                named.append(replace(param, py_name=shared[param.wire_name]))
                continue
            wanted = names.snake(_header_word(param) if param.kind == "header" else param.wire_name)
            if wanted in taken:
                wanted = names.unique(wanted + _SUFFIX[param.kind], taken)
            taken.add(wanted)
            if param.kind in ("path", "variable"):
                shared[param.wire_name] = wanted
            named.append(replace(param, py_name=wanted))
        out.append(tuple(named))
    return tuple(out)


def _header_word(param: Parameter) -> str:
    """``X-API-Key`` -> ``API-Key``: the ``X-`` prefix says nothing a Python name needs."""
    name = param.wire_name
    return name[2:] if name[:2].lower() == "x-" and len(name) > 2 else name


def _scalar_type(schema: object) -> TypeNode:
    """A parameter's type from its schema: a scalar, an array of scalars, or any value."""
    if not isinstance(schema, dict):
        return AnyType()
    if "const" in schema and _is_scalar(schema["const"]):
        return LiteralType((schema["const"],))
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(_is_scalar(v) for v in enum):
        values = tuple(v for v in enum if v is not None)
        return LiteralType(values) if values else AnyType()
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    match kind:
        case "string":
            return StringType()
        case "integer":
            return IntegerType(
                minimum=_int(schema.get("minimum")), maximum=_int(schema.get("maximum"))
            )
        case "number":
            return NumberType(
                minimum=_float(schema.get("minimum")), maximum=_float(schema.get("maximum"))
            )
        case "boolean":
            return BooleanType()
        case "array":
            items = _scalar_type(schema.get("items"))
            scalar = isinstance(items, StringType | IntegerType | NumberType | BooleanType)
            return ArrayType(items) if scalar or isinstance(items, LiteralType) else AnyType()
    return AnyType()


def _typed(schema: dict[str, object]) -> bool:
    return any(k in schema for k in ("type", "enum", "const", "oneOf", "anyOf", "allOf", "$ref"))


def _at(node: Node, *keys: str) -> Node | None:
    current: Node | None = node
    for key in keys:
        if current is None:
            return None
        if current.is_ref:
            try:
                current = current.deref()
            except SpecError:
                return None
        current = current.get(key)
    return current


def _examples(value: object) -> tuple[JsonScalar, ...]:
    if not isinstance(value, dict):
        return ()
    many = value.get("examples")
    found = list(many) if isinstance(many, list) else []
    if "example" in value:
        found.append(value["example"])
    return tuple(v for v in found if _is_scalar(v))


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None  # type: ignore[arg-type]
