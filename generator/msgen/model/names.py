"""Python-safe names from wire names: snake_case attributes, PascalCase classes, no keywords.

Non-ASCII letters are folded to ASCII first (NFKD: ``café`` -> ``cafe``); characters that cannot be
part of an identifier (``/``, ``.``, ``-``, spaces...) separate words. The generated code keeps each
wire name next to its Python name, so the mapping never loses the wire name.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

# Words in camelCase, PascalCase, acronyms (HTTPServer) and plural acronyms (APIs).
_WORDS = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def ascii_text(name: str) -> str:
    """``name`` with accents and compatibility forms folded to ASCII, the rest dropped."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def words(name: str) -> list[str]:
    return _WORDS.findall(re.sub(r"[^0-9A-Za-z]+", " ", ascii_text(name)))


def snake(name: str) -> str:
    """``sequenceNumber`` -> ``sequence_number``; keywords and leading digits get made safe."""
    out = "_".join(w.lower() for w in words(name)) or "unnamed"
    if out[0].isdigit():
        out = f"n{out}"
    if (
        keyword.iskeyword(out)
        or keyword.issoftkeyword(out)
        or out in _RESERVED_ATTRS
        or out.startswith(_RESERVED_PREFIXES)
    ):
        out = f"{out}_"
    return out


def pascal(name: str) -> str:
    """``inboundMedia`` -> ``InboundMedia``."""
    out = "".join(w[:1].upper() + w[1:] for w in words(name)) or "Model"
    if out[0].isdigit():
        out = f"N{out}"
    return f"{out}_" if keyword.iskeyword(out) else out


def nested(parent: str, prop: str) -> str:
    """The class name of an anonymous object in property ``prop`` of class ``parent``.

    ``<Parent><Prop>``, except when the property's words are the parent's last words (``start``
    in ``Start``, ``media`` in ``OutboundMedia``): then ``<Parent>Details``, not ``StartStart``.
    """
    own = pascal(prop)
    parent_words = [w.lower() for w in words(parent)]
    prop_words = [w.lower() for w in words(own)]
    if prop_words and parent_words[-len(prop_words) :] == prop_words:
        return f"{parent}Details"
    return f"{parent}{own}"


#: Words of a title that say what any API is, not which one: left out of package names.
GENERIC_WORDS = frozenset(
    {
        "api",
        "apis",
        "asyncapi",
        "spec",
        "specification",
        "websocket",
        "websockets",
        "socket",
        "ws",
        "wss",
        "rest",
        "rpc",
        "http",
        "https",
        "json",
        "protocol",
        "interface",
        "documentation",
        "docs",
        "service",
        "the",
        "a",
        "an",
        "of",
        "for",
        "official",
    }
)
_VERSION = re.compile(r"v?\d+")


def _title_words(title: str) -> list[str]:
    """A title's words as a person reads them: split on non-alphanumerics only, lower-cased,
    without generic words or versions (``v2``, ``1.0``)."""
    parts = re.split(r"[^0-9a-z]+", ascii_text(title).lower())
    return [p for p in parts if p and p not in GENERIC_WORDS and not _VERSION.fullmatch(p)]


#: Labels of a host name that do not tell one vendor from another.
_GENERIC_LABELS = frozenset({"www", "api", "ws", "wss", "stream", "streaming", "realtime", "rt"})
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu"})


def host_label(host: str) -> str:
    """The distinctive label of a host: ``api.deepgram.com`` -> ``deepgram``; "" if none.

    The label just before the public suffix (``com``, ``co.uk``...), unless it is generic or a
    number (an IP address).
    """
    labels = [x for x in host.lower().split(".") if x]
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", x) for x in labels):
        return ""
    suffix = 2 if len(labels) > 2 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 1
    name = labels[-suffix - 1]
    return "" if name in _GENERIC_LABELS or not re.search("[a-z]", name) else name


def package(name: str) -> str:
    """An import name from any text: ``Twilio Media Streams`` -> ``twilio_media_streams``."""
    out = "_".join(w.lower() for w in words(name)) or "api"
    if out[0].isdigit() or keyword.iskeyword(out):
        out = f"api_{out}"
    return out


def package_from_title(title: str, host: str = "") -> str:
    """The import name a person would pick from a title: ``Deepgram API`` -> ``deepgram``.

    The title's words without generic ones; when nothing is left, the server host's distinctive
    label, else ``api``.
    """
    return package("_".join(_title_words(title)) or host_label(host) or "api")


def module(address: str) -> list[str]:
    """The words of a channel address that name it: path segments without parameters, generic
    words (``ws``, ``websocket``...) and versions (``/v1/listen/{id}`` -> ``["listen"]``)."""
    out = []
    for segment in address.split("/"):
        if "{" in segment or _VERSION.fullmatch(segment.lower()):
            continue
        out += [w.lower() for w in words(segment) if w.lower() not in GENERIC_WORDS]
    return out


def versions(address: str) -> list[str]:
    """The version segments of an address (``/v2/listen`` -> ``["v2"]``)."""
    return [s.lower() for s in address.split("/") if _VERSION.fullmatch(s.lower())]


#: Attribute names the generated classes use themselves, the public attributes of pydantic's
#: ``BaseModel`` (the pydantic backend's base class), and the names a class body reads (builtin
#: types in annotations, ``classmethod``, ``field``, ``msgspec``...), which a field of that name
#: would shadow: the same attribute names whichever backend renders the classes.
_RESERVED_ATTRS = frozenset(
    {"extras", "from_wire", "to_wire", "TAG"}
    | {"bool", "bytes", "dict", "float", "int", "list", "object", "str"}
    | {"classmethod", "field", "msgspec", "property"}
    | {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "mro",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "register",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
#: pydantic keeps names starting with these for itself.
_RESERVED_PREFIXES = ("model_validate", "model_dump")


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``… whichever is free; records the choice in ``taken``."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{n}"
    taken.add(candidate)
    return candidate
