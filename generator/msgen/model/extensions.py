"""The shapes of the ``x-msgen-*`` extensions: each is a JSON Schema, checked before its meaning,
every error located at the node that wrote it (in the document, or the overlay that added it)."""

from __future__ import annotations

from collections.abc import Mapping

import jsonschema

from msgen.reading.loader import Node
from msgen.reading.problems import Problems


def conforms(node: Node, schema: Mapping[str, object], key: str, problems: Problems) -> bool:
    """Whether ``node`` (the value of extension ``key``) has the shape ``schema`` says; each
    error is reported at the deepest node its path reaches."""
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(node.value),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    for error in errors:
        at = node
        for step in error.absolute_path:
            child = at.child(step) if isinstance(at.value, dict | list) else None
            if child is None:
                break
            at = child
        problems.error(at.location, f"{key}: {error.message}")
    return not errors
