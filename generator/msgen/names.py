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


def package(name: str) -> str:
    """An import name from a title: ``Twilio Media Streams`` -> ``twilio_media_streams``."""
    out = "_".join(w.lower() for w in words(name)) or "api"
    if out[0].isdigit() or keyword.iskeyword(out):
        out = f"api_{out}"
    return out


#: Attribute names the generated classes use themselves, the public attributes of pydantic's
#: ``BaseModel`` (the pydantic backend's base class), and the builtin types annotations name: the
#: same attribute names whichever backend renders the classes.
_RESERVED_ATTRS = frozenset(
    {"extras", "from_wire", "to_wire", "TAG"}
    | {"bool", "bytes", "dict", "float", "int", "list", "str"}
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
