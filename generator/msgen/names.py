"""Python-safe names from wire names: snake_case attributes, PascalCase classes, no keywords."""

from __future__ import annotations

import keyword
import re

# Words in camelCase, PascalCase, acronyms (HTTPServer) and plural acronyms (APIs).
_WORDS = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def words(name: str) -> list[str]:
    return _WORDS.findall(re.sub(r"[^0-9A-Za-z]+", " ", name))


def snake(name: str) -> str:
    """``sequenceNumber`` -> ``sequence_number``; keywords and leading digits get made safe."""
    out = "_".join(w.lower() for w in words(name)) or "field"
    if out[0].isdigit():
        out = f"n{out}"
    if keyword.iskeyword(out) or keyword.issoftkeyword(out) or out in _RESERVED_ATTRS:
        out = f"{out}_"
    return out


def pascal(name: str) -> str:
    """``inboundMedia`` -> ``InboundMedia``."""
    out = "".join(w[:1].upper() + w[1:] for w in words(name)) or "Model"
    if out[0].isdigit():
        out = f"N{out}"
    return f"{out}_" if keyword.iskeyword(out) else out


def package(name: str) -> str:
    """An import name from a title: ``Twilio Media Streams`` -> ``twilio_media_streams``."""
    out = "_".join(w.lower() for w in words(name)) or "api"
    if out[0].isdigit() or keyword.iskeyword(out):
        out = f"api_{out}"
    return out


#: Attribute names the generated classes use themselves.
_RESERVED_ATTRS = frozenset({"extras", "from_wire", "to_wire", "TAG"})


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``… whichever is free; records the choice in ``taken``."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{n}"
    taken.add(candidate)
    return candidate
