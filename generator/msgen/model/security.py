"""The security a WebSocket upgrade needs, from the document's servers and security schemes.

A server's ``security`` lists requirements, any one of which admits a peer (2.x: ``{name:
[scopes]}`` maps naming ``components.securitySchemes``; 3.x: the scheme objects or ``$ref``s to
them). The schemes an upgrade can carry become ``SecurityScheme`` values: ``http`` (``bearer``,
``basic``, or another scheme such as ``Token``, all in ``Authorization``) and ``httpApiKey`` (a
named header or query parameter). Others (OAuth flows, user and password in the 2.x sense, X.509,
SASL) leave the upgrade as it is, with a warning: the generated code neither sends nor checks them.

Two extensions make a scheme precise. ``x-msgen-signature`` on an ``httpApiKey`` header scheme
says the header is not a key but a MAC of the URL the peer connected to, keyed by the secret
(``{algorithm: hmac-sha1 | hmac-sha256, signs: url, encoding: base64 | hex}``): Twilio's
``X-Twilio-Signature``. ``x-msgen-secret`` names the environment variable the generated serve
command reads the scheme's secret from by default (``TWILIO_AUTH_TOKEN``).
"""

from __future__ import annotations

import re

from msgen.model.ir import CredentialKind, SecurityScheme
from msgen.reading.loader import Node
from msgen.reading.problems import Problems, SpecError

#: The values ``x-msgen-signature`` allows, by field (``algorithm`` and ``encoding`` first listed
#: are the defaults).
SIGNATURE_FIELDS = {
    "algorithm": ("hmac-sha1", "hmac-sha256"),
    "signs": ("url",),
    "encoding": ("base64", "hex"),
}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
        secret = _secret_env(key, node, problems)
        if node.get("x-msgen-signature") is not None:
            problems.error(
                node.child("x-msgen-signature").key_location,
                f"x-msgen-signature on scheme {key!r}: only an httpApiKey header carries one",
            )
            return None
        return SecurityScheme(
            key, credential, "Authorization", wire, description, secret_env=secret
        )
    if kind == "httpApiKey":
        where, name = value.get("in"), value.get("name")
        if where not in ("header", "query") or not isinstance(name, str) or not name:
            problems.warning(
                node.location,
                f"httpApiKey scheme {key!r} is not a named header or query parameter: the "
                "generated code neither sends nor checks it",
            )
            return None
        secret = _secret_env(key, node, problems)
        if node.get("x-msgen-signature") is not None:
            if where != "header":
                problems.error(
                    node.child("x-msgen-signature").key_location,
                    f"x-msgen-signature on scheme {key!r}: a signature travels in a header",
                )
                return None
            signed = _signature(key, node.child("x-msgen-signature"), problems)
            if signed is None:
                return None
            algorithm, encoding = signed
            return SecurityScheme(
                key,
                "signature",
                name,
                "",
                description,
                secret_env=secret,
                algorithm=algorithm,
                encoding=encoding,
            )
        return SecurityScheme(
            key, "header" if where == "header" else "query", name, "", description, secret
        )
    problems.warning(
        node.location,
        f"security scheme {key!r} of type {kind!r} does not travel on a WebSocket upgrade: the "
        "generated code neither sends nor checks it",
    )
    return None


def _secret_env(key: str, node: Node, problems: Problems) -> str:
    """The environment variable ``x-msgen-secret`` names, "" without one (or a wrong one)."""
    given = node.get("x-msgen-secret")
    if given is None:
        return ""
    if not isinstance(given.value, str) or not _ENV_NAME.fullmatch(given.value):
        problems.error(
            given.location,
            f"x-msgen-secret of scheme {key!r} must name an environment variable, such as "
            "SERVICE_TOKEN",
        )
        return ""
    return given.value


def _signature(key: str, node: Node, problems: Problems) -> tuple[str, str] | None:
    """The (algorithm, encoding) of an ``x-msgen-signature`` mapping; ``None`` if it is wrong."""
    if not isinstance(node.value, dict):
        problems.error(
            node.location,
            f"x-msgen-signature of scheme {key!r} must be a mapping "
            "({algorithm: hmac-sha1, signs: url, encoding: base64})",
        )
        return None
    chosen: dict[str, str] = {}
    ok = True
    for field in node.value:
        if field not in SIGNATURE_FIELDS:
            problems.error(
                node.child(field).key_location,
                f"x-msgen-signature of scheme {key!r} has no field {field!r} "
                f"(fields: {', '.join(SIGNATURE_FIELDS)})",
            )
            ok = False
    for field, allowed in SIGNATURE_FIELDS.items():
        value = node.value.get(field, allowed[0] if field != "signs" else None)
        if value not in allowed:
            where = node.child(field).location if field in node.value else node.location
            problems.error(
                where,
                f"x-msgen-signature of scheme {key!r}: `{field}` must be one of "
                f"{', '.join(allowed)}",
            )
            ok = False
        else:
            chosen[field] = str(value)
    return (chosen["algorithm"], chosen["encoding"]) if ok else None
