"""The security a WebSocket upgrade needs, from the document's servers and security schemes.

A server's ``security`` lists requirements, any one of which admits a peer (2.x: ``{name:
[scopes]}`` maps naming ``components.securitySchemes``; 3.x: the scheme objects or ``$ref``s to
them). The schemes an upgrade can carry become ``SecurityScheme`` values: ``http`` (``bearer``,
``basic``, or another scheme such as ``Token``, all in ``Authorization``) and ``httpApiKey`` (a
named header or query parameter). Others (OAuth flows, user and password in the 2.x sense, X.509,
SASL) leave the upgrade as it is, with a warning: the generated code neither sends nor checks them.
"""

from __future__ import annotations

from msgen.model.ir import CredentialKind, SecurityScheme
from msgen.reading.loader import Node
from msgen.reading.problems import Problems, SpecError


def schemes(root: Node, server: Node, problems: Problems) -> tuple[SecurityScheme, ...]:
    """The security schemes ``server`` accepts, in document order, each once."""
    listed = server.get("security")
    if listed is None or not isinstance(listed.value, list):
        return ()
    out: dict[str, SecurityScheme] = {}
    for item in listed.elements():
        for key, node in _named(root, item, problems):
            scheme = _scheme(key, node, problems)
            if scheme is not None:
                out.setdefault(key, scheme)
    return tuple(out.values())


def _named(root: Node, item: Node, problems: Problems) -> list[tuple[str, Node]]:
    """The (key, scheme node) pairs of one requirement, 2.x or 3.x."""
    if item.is_ref:  # 3.x: a $ref to components.securitySchemes
        ref = item.value["$ref"]
        try:
            target = item.deref()
        except SpecError as exc:
            problems.items.extend(exc.problems)
            return []
        return [(str(ref).rsplit("/", 1)[-1], target)]
    if isinstance(item.value, dict) and "type" in item.value:  # 3.x: an inline scheme
        return [(str(item.value.get("name") or item.value["type"]), item)]
    if isinstance(item.value, dict):  # 2.x: {scheme name: [scopes]}
        components = root.get("components")
        declared = components.get("securitySchemes") if components is not None else None
        out = []
        for key in item.value:
            node = declared.get(key) if declared is not None else None
            if node is None:
                problems.error(
                    item.child(key).key_location,
                    f"security requirement {key!r} names no components.securitySchemes entry",
                )
                continue
            try:
                out.append((key, node.deref()))
            except SpecError as exc:
                problems.items.extend(exc.problems)
        return out
    return []


def _scheme(key: str, node: Node, problems: Problems) -> SecurityScheme | None:
    value = node.value if isinstance(node.value, dict) else {}
    kind = value.get("type")
    text = value.get("description")
    description = text if isinstance(text, str) else ""
    if kind == "http":
        scheme = str(value.get("scheme", "")).strip()
        lowered = scheme.lower()
        credential: CredentialKind = (
            "bearer" if lowered == "bearer" else "basic" if lowered == "basic" else "scheme"
        )
        if not scheme:
            problems.error(node.location, f"http security scheme {key!r} needs its `scheme`")
            return None
        wire = {"bearer": "Bearer", "basic": "Basic"}.get(credential, scheme)
        return SecurityScheme(key, credential, "Authorization", wire, description)
    if kind == "httpApiKey":
        where, name = value.get("in"), value.get("name")
        if where not in ("header", "query") or not isinstance(name, str) or not name:
            problems.warning(
                node.location,
                f"httpApiKey scheme {key!r} is not a named header or query parameter: the "
                "generated code neither sends nor checks it",
            )
            return None
        return SecurityScheme(
            key,
            "header" if where == "header" else "query",
            name,
            "",
            description,
            signature=bool(value.get("x-msgen-signature")),
        )
    problems.warning(
        node.location,
        f"security scheme {key!r} of type {kind!r} does not travel on a WebSocket upgrade: the "
        "generated code neither sends nor checks it",
    )
    return None
