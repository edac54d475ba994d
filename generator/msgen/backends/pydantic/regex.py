"""ECMA-262 patterns in the syntax of pydantic-core's default engine (Rust's ``regex`` crate).

The generated tests' oracle and the exact decoders read a spec's pattern as
:func:`msgen.model.schema.python_pattern` translates it: ``$`` is the end of input, ``\\d``, ``\\w``
and ``\\s`` are ASCII. :func:`rust_pattern` writes the same pattern for Rust, where both read alike,
so pydantic checks it in Rust on the fast path (a Python ``re`` call from pydantic costs several
times more). It answers None for anything it cannot vouch for (lookaround, backreferences, word
boundaries, possessive or ``{,n}`` quantifiers...): such patterns run on Python's ``re``.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs

#: ASCII classes, as Python's ``(?a)`` reads them.
_CLASSES = {
    "d": "0-9",
    "w": "0-9A-Za-z_",
    "s": "\\t\\n\\x0B\\x0C\\r ",
}
#: Characters Rust's parser treats as syntax somewhere: escaped whenever they stand for themselves.
_META = frozenset("\\.+*?()|[]{}^$#&-~")
#: Python reads any of these as a counted repetition (``{,n}`` too); ``{}`` is two literals.
_QUANTIFIER = re.compile(r"\{(\d*)(,(\d*))?\}")
#: Counted repetitions above this may exceed Rust's compiled-size limit.
_MAX_COUNT = 1000


class _Untranslatable(Exception):
    """The pattern uses something Rust does not read as Python does."""


def _literal(ch: str) -> str:
    return "\\" + ch if ch in _META else ch


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The Rust spelling of the escape at ``pattern[i]`` (a backslash), and where it ends."""
    if i + 1 >= len(pattern):
        raise _Untranslatable
    ch = pattern[i + 1]
    end = i + 2
    if ch.lower() in _CLASSES:
        members = _CLASSES[ch.lower()]
        if ch.islower():
            return (members if in_class else f"[{members}]"), end
        return f"[^{members}]", end
    if ch in "tnrfv":
        return "\\" + ch, end
    if ch == "x":
        digits = pattern[end : end + 2]
        if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _Untranslatable
        return f"\\x{digits}", end + 2
    if ch == "u":
        digits = pattern[end : end + 4]
        if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _Untranslatable
        if 0xD800 <= int(digits, 16) <= 0xDFFF:
            raise _Untranslatable
        return f"\\x{{{digits}}}", end + 4
    if in_class and ch == "b":
        return "\\x08", end
    if ch.isascii() and not ch.isalnum() and not ch.isspace():
        return _literal(ch), end
    raise _Untranslatable


def _class(pattern: str, i: int) -> tuple[str, int]:
    """The character class starting at ``pattern[i]`` (an opening bracket), and where it ends."""
    out = ["["]
    i += 1
    if pattern[i : i + 1] == "^":
        out.append("^")
        i += 1
    if pattern[i : i + 1] == "]":
        raise _Untranslatable  # ECMA's empty class; Python and Rust read a literal bracket
    while i < len(pattern):
        ch = pattern[i]
        if ch == "]":
            return "".join(out) + "]", i + 1
        if ch == "\\":
            text, i = _escape(pattern, i, in_class=True)
            out.append(text)
            continue
        if ch == "-":
            # A range between two members, or a literal at either end; Rust reads "--" as set
            # difference.
            if pattern[i + 1 : i + 2] == "-" or out[-1] == "-":
                raise _Untranslatable
            literal = out[-1] in ("[", "[^") or pattern[i + 1 : i + 2] == "]"
            out.append("\\-" if literal else "-")
            i += 1
            continue
        out.append("\\" + ch if ch in "[&~^" else ch)
        i += 1
    raise _Untranslatable


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    last = ""  # "quantifier", "lazy" (a lazy quantifier) or "" (anything else)
    while i < len(pattern):
        ch = pattern[i]
        before, last = last, ""
        if ch == "\\":
            text, i = _escape(pattern, i, in_class=False)
            out.append(text)
        elif ch == "[":
            text, i = _class(pattern, i)
            out.append(text)
        elif ch == "(":
            if pattern[i + 1 : i + 2] == "?":
                if pattern[i + 2 : i + 3] != ":":
                    raise _Untranslatable  # lookaround, named groups, flags
                out.append("(?:")
                i += 3
            else:
                out.append("(")
                i += 1
        elif ch in "*+?{":
            match = _QUANTIFIER.match(pattern, i) if ch == "{" else None
            if ch == "{" and (match is None or match.group(0) == "{}"):
                out.append("\\{")  # a literal brace
                i += 1
                continue
            if before == "quantifier" and ch == "?":
                out.append("?")
                last = "lazy"
                i += 1
                continue
            if before:
                raise _Untranslatable  # possessive, or a quantifier of a quantifier
            if match is not None:
                if not match.group(1):
                    raise _Untranslatable  # {,n}: Rust has no lower bound by default
                counts = [int(g) for g in (match.group(1), match.group(3)) if g]
                if any(c > _MAX_COUNT for c in counts):
                    raise _Untranslatable
                out.append(match.group(0))
                i = match.end()
            else:
                out.append(ch)
                i += 1
            last = "quantifier"
        elif ch in ".^$|)":
            out.append(ch)
            i += 1
        else:
            out.append(_literal(ch))
            i += 1
    return "".join(out)


@cache
def rust_pattern(pattern: str) -> str | None:
    """The ECMA ``pattern`` for Rust's regex engine, read as the oracle reads it; None if unsure."""
    try:
        translated = _translate(pattern)
    except _Untranslatable:
        return None
    try:
        SchemaValidator(cs.str_schema(pattern=translated))
    except Exception:  # pydantic-core refused it: leave it to Python's engine
        return None
    return translated
