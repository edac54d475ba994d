"""The static runtime: code every generated package carries, whatever its document says.

These are ordinary modules, checked by ruff and ``mypy --strict`` where they are written and unit
tested by importing them; ``render`` copies them into each package under the do-not-edit header.
A module here may import the package's rendered modules (``.handler``, ``.session``, ...): for
type checking, the ``.pyi`` contracts beside it say what it may use of them.

A runtime module that a template includes (``{{ runtime("codec") }}``) is split by the marker
line: above it, what the module needs to stand alone (its imports, and stand-ins for the names the
template renders per document); below it, the code the template inserts.

A module whose static code sits between rendered bits is cut into named sections instead: each
line ``# msgen: section NAME`` starts section ``NAME``, which runs to the next such line or the end
of the file; above the first, what the module needs to stand alone.
``{{ runtime("client", "url") }}`` inserts a section's lines, without the blank lines at its ends
and without a final newline, so that the template's own lines say how it is spaced.
"""

from __future__ import annotations

from importlib.resources import files

#: Above this line, a module stands alone; below it is the code a template includes.
MARKER = "# msgen: included below this line"
#: A line starting a named section: this prefix, then the section's name.
SECTION = "# msgen: section "


def source(name: str) -> str:
    """The text of runtime module ``name`` (without ``.py``), as shipped in msgen."""
    return files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


def included(name: str, section: str = "") -> str:
    """The part of runtime module ``name`` below its marker line, which a template includes; with
    ``section``, that named section of the module instead."""
    text = source(name)
    if section:
        return _section(name, text, section)
    _, marker, after = text.partition(MARKER + "\n")
    if not marker:
        raise LookupError(f"runtime module {name!r} has no line {MARKER!r}")
    return after


def _section(name: str, text: str, section: str) -> str:
    lines: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(SECTION):
            if lines is not None:
                break
            if line == SECTION + section:
                lines = []
        elif lines is not None:
            lines.append(line)
    if lines is None:
        raise LookupError(f"runtime module {name!r} has no line {SECTION + section!r}")
    return "\n".join(lines).strip("\n")
