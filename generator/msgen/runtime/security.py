"""Admitting WebSocket upgrades by the security schemes the document declares.

The package's ``security`` module: its template renders the docstring, ``SCHEMES`` (the
channel's schemes) and ``CHECKS`` (the checker of each kind they use), and includes the ``head``
section, ``authorization`` when a scheme is read from ``Authorization``, and the sections of the
kinds used only. What follows ``# msgen: end`` stands in for them.

Semantics (AsyncAPI's): an upgrade that satisfies any one of the schemes given a secret is
admitted; with no secret given, nothing is checked. A refusal is 401 when the upgrade carries no
credential for any of them (with a ``WWW-Authenticate`` challenge for the ``Authorization``
schemes), 403 when it carries a wrong one. A signature is not a credential a peer can be asked
for, so a missing signature is a wrong one (403). Answers name the header or query parameter,
never a secret. Comparisons take constant time.
"""

# msgen: section head
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlsplit

__all__ = ["CHECKS", "SCHEMES", "Refusal", "Scheme", "Upgrade", "admit", "configure"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheme:
    """One way the document lets a peer authenticate its upgrade."""

    #: The scheme's key in the document (``components.securitySchemes``).
    key: str
    #: ``bearer``, ``basic``, ``scheme`` (another ``Authorization`` scheme), ``header`` or
    #: ``query`` (an API key), ``signature`` (a MAC of the URL in a header).
    kind: str
    #: The header or query parameter that carries the credential.
    name: str
    #: The ``Authorization`` scheme as written on the wire (``Bearer``, ``Basic``, ``Token``).
    scheme: str = ""
    #: The environment variable the serve command reads the secret from by default.
    secret_env: str = ""
    #: A signature's MAC (``hmac-sha1``, ``hmac-sha256``) and digest encoding (``base64``, ``hex``).
    algorithm: str = ""
    encoding: str = ""


@dataclass(frozen=True)
class Upgrade:
    """What the checkers see of an upgrade request."""

    #: The request's headers, names in lower case.
    headers: Mapping[str, str]
    #: The request target: path and query.
    target: str
    #: Scheme and host as the peer sees them (``wss://bot.example.com``), when proxied.
    public_url: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why an upgrade was refused, and the HTTP answer that says so."""

    #: 401 (no credential) or 403 (a wrong one).
    status: int
    #: The metrics' reason: ``signature`` (only signatures were checked) or ``credentials``.
    reason: str
    body: bytes
    #: Headers of the answer (the ``WWW-Authenticate`` challenge of a 401).
    headers: tuple[tuple[str, str], ...] = ()


#: A checker: ``None`` when the upgrade carries no credential for the scheme, else whether the
#: credential is right.
Checker = Callable[[Scheme, Upgrade, str], "bool | None"]


def configure(
    schemes: tuple[Scheme, ...],
    credentials: Mapping[str, str] | None = None,
    auth_token: str | None = None,
) -> dict[str, str]:
    """The secret of each scheme to check: ``credentials`` maps a scheme's key to its secret
    (``user:password`` for ``basic``); ``auth_token`` is the secret of the only scheme.
    ``ValueError`` for a key the document does not declare, or an ``auth_token`` that fits no
    single scheme."""
    chosen = dict(credentials or {})
    keys = [scheme.key for scheme in schemes]
    unknown = sorted(set(chosen) - set(keys))
    if unknown:
        known = ", ".join(keys) or "none"
        raise ValueError(f"no security scheme {', '.join(unknown)} (the document's: {known})")
    if auth_token is not None:
        if len(schemes) != 1:
            raise ValueError(
                "auth_token is the secret of the document's only security scheme, but it declares "
                + (f"{len(schemes)}: use credentials={{key: secret}}" if schemes else "none")
            )
        chosen.setdefault(keys[0], auth_token)
    return chosen


def admit(
    schemes: tuple[Scheme, ...],
    checks: Mapping[str, Checker],
    chosen: Mapping[str, str],
    upgrade: Upgrade,
) -> Refusal | None:
    """``None`` if ``upgrade`` satisfies one of the ``schemes`` that have a secret in ``chosen``
    (or none has), else the refusal."""
    checked = [scheme for scheme in schemes if scheme.key in chosen]
    if not checked:
        return None
    missing: list[Scheme] = []
    wrong: list[Scheme] = []
    for scheme in checked:
        verdict = checks[scheme.kind](scheme, upgrade, chosen[scheme.key])
        if verdict:
            return None
        if verdict is None and scheme.kind != "signature":
            missing.append(scheme)
        else:
            wrong.append(scheme)
    refused = wrong or missing
    names = " or ".join(dict.fromkeys(scheme.name for scheme in refused))
    reason = "signature" if all(s.kind == "signature" for s in refused) else "credentials"
    log.warning("refused an upgrade with %s %s", "an invalid" if wrong else "no", names)
    if wrong:
        return Refusal(403, reason, f"invalid {names}\n".encode())
    challenges = dict.fromkeys(s.scheme for s in missing if s.name == "Authorization")
    return Refusal(
        401,
        reason,
        f"missing {names}\n".encode(),
        tuple(("WWW-Authenticate", challenge) for challenge in challenges),
    )


def _same(given: str, expected: str) -> bool:
    """Whether two texts are equal, in time independent of where they differ."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


# msgen: section authorization
def _authorization(upgrade: Upgrade, scheme: str) -> str | None:
    """The credentials of an ``Authorization: <scheme> <credentials>`` header (the scheme's name
    in any case); ``None`` without one for this scheme."""
    word, _, rest = upgrade.headers.get("authorization", "").strip().partition(" ")
    if word.lower() != scheme.lower():
        return None
    return rest.strip()


# msgen: section bearer
def check_bearer(scheme: Scheme, upgrade: Upgrade, secret: str) -> bool | None:
    """``Authorization: Bearer <token>``."""
    given = _authorization(upgrade, "Bearer")
    return None if given is None else _same(given, secret)


# msgen: section basic
def check_basic(scheme: Scheme, upgrade: Upgrade, secret: str) -> bool | None:
    """``Authorization: Basic base64(user:password)``; ``secret`` is ``user:password``."""
    given = _authorization(upgrade, "Basic")
    if given is None:
        return None
    try:
        decoded = base64.b64decode(given.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        decoded = b""
    return hmac.compare_digest(decoded, secret.encode("utf-8", "surrogatepass"))


# msgen: section scheme
def check_scheme(scheme: Scheme, upgrade: Upgrade, secret: str) -> bool | None:
    """``Authorization: <Scheme> <key>``, such as ``Token``."""
    given = _authorization(upgrade, scheme.scheme)
    return None if given is None else _same(given, secret)


# msgen: section header
def check_header(scheme: Scheme, upgrade: Upgrade, secret: str) -> bool | None:
    """An API key: the named header equals the key."""
    given = upgrade.headers.get(scheme.name.lower())
    return None if given is None else _same(given.strip(), secret)


# msgen: section query
def check_query(scheme: Scheme, upgrade: Upgrade, secret: str) -> bool | None:
    """An API key: the named query parameter equals the key."""
    query = urlsplit(upgrade.target).query
    given = dict(parse_qsl(query, keep_blank_values=True)).get(scheme.name)
    return None if given is None else _same(given, secret)


# msgen: section signature
_DIGESTS: Final = {"hmac-sha1": hashlib.sha1, "hmac-sha256": hashlib.sha256}


def signature(url: str, secret: str, algorithm: str = "hmac-sha1", encoding: str = "base64") -> str:
    """The signature of a WebSocket upgrade: the MAC of its full ``wss://`` URL keyed by the
    secret (the upgrade is a GET: no form parameters are appended), encoded."""
    digest = hmac.new(secret.encode(), url.encode(), _DIGESTS[algorithm]).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")


def verify_signature(
    url: str,
    header: str | None,
    secret: str,
    algorithm: str = "hmac-sha1",
    encoding: str = "base64",
) -> bool:
    """Whether ``header`` signs ``url``; also tries the URL with its default port added or
    removed, as the signer may have seen either."""
    if not header:
        return False
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    default = ":443" if scheme == "wss" else ":80"
    other = host.removesuffix(default) if host.endswith(default) else host + default
    candidates = (url, f"{scheme}://{other}{slash}{path}")
    given = header.strip().encode("utf-8", "surrogatepass")
    return any(
        hmac.compare_digest(signature(candidate, secret, algorithm, encoding).encode(), given)
        for candidate in candidates
    )


def request_url(public_url: str | None, host: str | None, path: str) -> str:
    """The ``wss://`` URL the peer connected to: ``public_url`` (scheme and host as the world
    sees them, behind a proxy) or the Host header, plus the request path."""
    base = public_url.rstrip("/") if public_url else f"wss://{host or ''}"
    return base + path


def check_signature(scheme: Scheme, upgrade: Upgrade, secret: str) -> bool | None:
    """A signature header: the MAC of the URL the peer connected to."""
    given = upgrade.headers.get(scheme.name.lower())
    if not given:
        return None
    url = request_url(upgrade.public_url, upgrade.headers.get("host"), upgrade.target)
    return verify_signature(url, given, secret, scheme.algorithm, scheme.encoding)


# msgen: end
#: Stands in for the rendered table: the channel's schemes, in the document's order.
SCHEMES: Final[tuple[Scheme, ...]] = ()
#: Stands in for the rendered table: the checker of each kind ``SCHEMES`` uses.
CHECKS: Final[Mapping[str, Checker]] = {
    "bearer": check_bearer,
    "basic": check_basic,
    "scheme": check_scheme,
    "header": check_header,
    "query": check_query,
    "signature": check_signature,
}
