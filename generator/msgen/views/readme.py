"""Render-ready facts for the generated README, read off the model so the README claims only what
the package does: real names in its examples, counters only where there are some, the folder it
was written to, and the connection parameters of each channel."""

from __future__ import annotations

from dataclasses import dataclass

from msgen.model.ir import (
    Api,
    ArrayType,
    Field,
    MapType,
    ObjectType,
    SecurityScheme,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.views.client import ClientView


@dataclass(frozen=True)
class ReadmeView:
    api: Api
    #: The name of the folder the package is written to (``generated``).
    folder: str
    clients: tuple[ClientView, ...]

    @property
    def signed(self) -> bool:
        """The document declares a request signature the server checks (``x-msgen-signature``,
        Twilio's ``X-Twilio-Signature``): the README speaks of it, of its secret and of the
        TwiML that points calls at the server. Only a server package does."""
        return not self.api.client and any(s.kind == "signature" for s in self.schemes)

    @property
    def schemes(self) -> tuple[SecurityScheme, ...]:
        """The security schemes of the document's servers, each once, in document order."""
        seen: dict[str, SecurityScheme] = {}
        for channel in self.api.channels:
            for scheme in channel.connection.security:
                seen.setdefault(scheme.key, scheme)
        return tuple(seen.values())

    @property
    def credentials(self) -> tuple[SecurityScheme, ...]:
        """The schemes that are credentials a client presents (not signatures)."""
        return tuple(s for s in self.schemes if s.kind != "signature")

    @property
    def renamed(self) -> Field | None:
        """A property whose Python name differs from its wire name, to show the mapping."""
        return next((f for f in self._fields() if f.py_name != f.wire_name), None)

    @property
    def counters(self) -> tuple[str, ...]:
        """Wire names of the string properties exposed as ``int`` (at most three)."""
        found = dict.fromkeys(
            f.wire_name for f in self._fields() if isinstance(f.type, StringType) and f.type.counter
        )
        return tuple(found)[:3]

    @property
    def error_path(self) -> str:
        """A ``FrameError.path`` as decoding reports it: the deepest first property path."""
        for message in (m for c in self.api.channels for m in c.messages):
            path = _deepest(message.payload)
            if path:
                return "$" + path
        return "$"

    def _fields(self) -> list[Field]:
        out: list[Field] = []
        for channel in self.api.channels:
            for obj in channel.objects:
                out.extend(obj.user_fields)
        return out


def _deepest(node: TypeNode, depth: int = 0) -> str:
    """``.a.b[0]``: a path into the first property of each level, arrays indexed."""
    match node:
        case ObjectType() if node.user_fields and depth < 4:
            first = node.user_fields[-1]
            return f".{first.wire_name}" + _deepest(first.type, depth + 1)
        case ArrayType() if depth < 4:
            return "[0]" + _deepest(node.items, depth + 1)
        case MapType() | UnionType():
            return ""
    return ""
