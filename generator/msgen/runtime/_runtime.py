# msgen: section head
"""Shared decoding machinery for the frame modules: JSON parsing and error construction.

Private: the public names are re-exported by the package. Errors are built only on the failure
path, so valid frames pay for none of this.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, TypeVar

# msgen: end
from .errors import FrameError

# msgen: section markers
#: Builds a frame without its __init__: decoders have already checked every value.
_new = object.__new__

#: The extras of every decoded object that has none: shared, so read-only.
_NO_EXTRAS: Final[Mapping[str, Any]] = MappingProxyType({})

#: Marks a property absent from the wire (distinct from JSON null).
_MISSING: Final = object()


# msgen: end
_INT64 = 2**63


def dumps(value: Any) -> str:
    """Compact JSON text."""
    return json.dumps(value, separators=(",", ":"))


# msgen: section checks
def _remember(
    seen: set[str], last: list[str], search: Callable[[str], re.Match[str] | None], text: str
) -> bool:
    """Whether ``text`` matches a pattern. Matches are remembered (the last one apart, as a stream
    repeats its identifiers frame after frame), so a repeated value costs a comparison."""
    if text not in seen:
        if search(text) is None:
            return False
        if len(seen) >= 1024:
            seen.clear()
        seen.add(text)
    last[0] = text
    return True


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: object) -> str:
    """The offending value, short enough for a log line."""
    if isinstance(value, dict | list):
        return _kind(value)
    text = (
        json.dumps(value)
        if isinstance(value, str | int | float | bool) or value is None
        else repr(value)
    )
    return text if len(text) <= 60 else text[:57] + "..."


def _bad(key: str | int, value: object, expected: str) -> FrameError:
    return FrameError(f"expected {expected}, got {_show(value)}", (key,))


def _not_object(value: object) -> FrameError:
    return FrameError(f"expected an object, got {_kind(value)}")


def _missing(obj: dict[str, Any], required: tuple[str, ...]) -> FrameError:
    name = next(k for k in required if k not in obj)
    return FrameError("is required but missing", (name,))


def _unknown(obj: dict[str, Any], known: frozenset[str]) -> FrameError:
    name = next(k for k in obj if k not in known)
    return FrameError("is not allowed here (unknown property)", (name,))


def _unknown_tag(value: object, field: str, allowed: dict[str, Any]) -> FrameError:
    if value is _MISSING:
        return FrameError("is required but missing", (field,))
    options = ", ".join(repr(t) for t in allowed)
    return FrameError(f"expected one of {options}, got {_show(value)}", (field,))


def _as_int(value: object, key: str | int | None = None) -> int:
    """JSON Schema counts 2.0 (and 1e3) as an integer; this package carries integers in the
    signed 64-bit range only."""
    if type(value) is float and value.is_integer() and -_INT64 <= value < _INT64:
        return int(value)
    error = FrameError(f"expected an integer, got {_show(value)}")
    raise error if key is None else error.within(key)


_T = TypeVar("_T")


def _first(value: Any, decoders: tuple[Callable[[Any], _T], ...], error: FrameError | None) -> _T:
    """The first decoder that accepts ``value``, as JSON Schema's anyOf picks: messages told apart
    by structure. Else the error of the one that got furthest (``error`` counts as one)."""
    errors: list[FrameError] = []
    for decode in decoders:
        try:
            return decode(value)
        except FrameError as exc:
            errors.append(exc)
    if error is not None:
        if not errors:
            raise error
        errors.append(error)
    raise _no_alternative(value, errors)


def _not_text(data: object) -> FrameError:
    """The error for a frame of the wrong type: bytes where only text frames are expected."""
    if isinstance(data, bytes | bytearray | memoryview):
        return FrameError(
            f"a binary frame of {len(data)} bytes: only text frames are expected here"
        )
    return FrameError(f"expected a frame (str or bytes), got {_kind(data)}")


def _as_text(data: str | bytes) -> str:
    """The text of a text frame given as ``str`` or UTF-8 ``bytes``."""
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8")
    except (UnicodeDecodeError, TypeError):
        raise FrameError("a text frame must be UTF-8 text") from None


def _const_ok(value: object, allowed: tuple[object, ...]) -> bool:
    """JSON equality with arrays and objects among the allowed values (``true`` is not ``1``)."""
    return any(_same(value, a) for a in allowed)


def _same(a: object, b: object) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _no_alternative(value: object, errors: list[FrameError]) -> FrameError:
    """The error of the alternative that got furthest, else a summary: the useful message."""
    deepest = max(errors, key=lambda e: len(e.parts), default=None)
    if deepest is not None and deepest.parts:
        return deepest
    return FrameError(f"matches none of the allowed alternatives (got {_kind(value)})")


def _literal_ok(value: object, allowed: tuple[object, ...]) -> bool:
    """JSON equality: ``true`` is not ``1``, ``1.0`` is ``1``."""
    return any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in allowed)


# msgen: end
def _unique(items: list[Any]) -> bool:
    """JSON Schema's uniqueItems: equal as JSON values, so 1 and 1.0 are the same item."""
    seen: set[str] = set()
    for item in items:
        key = json.dumps(_integral(item), sort_keys=True)
        if key in seen:
            return False
        seen.add(key)
    return True


# msgen: section values
def _integral(value: Any) -> Any:
    if type(value) is float and value.is_integer() and -_INT64 <= value < _INT64:
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def _to_json(value: object) -> Any:
    """Encode a union value that may hold frame objects."""
    to_wire = getattr(value, "to_wire", None)
    if to_wire is not None:
        return to_wire()
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value
