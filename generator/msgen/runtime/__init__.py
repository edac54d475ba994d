"""The static runtime: code every generated package carries, whatever its document says.

These are ordinary modules, checked by ruff and ``mypy --strict`` where they are written and unit
tested by importing them; ``render`` copies them into each package under the do-not-edit header.
A module here may import the package's rendered modules (``.handler``, ``.session``, ...): for
type checking, the ``.pyi`` contracts beside it say what it may use of them.

A runtime module that a template includes (``{{ runtime("codec") }}``) is split by the marker
line: above it, what the module needs to stand alone (its imports, and stand-ins for the names the
template renders per document); below it, the code the template inserts. When the template
needs that code in pieces (its rendered parts go in between), a line ``# msgen: section NAME``
starts the piece ``{{ runtime("codec", "NAME") }}`` includes, up to the next such line; the
piece before the first one is ``{{ runtime("codec") }}``. Blank lines just before a section line
only separate the pieces in the module: the template places its own.
"""

from __future__ import annotations

from importlib.resources import files

#: Above this line, a module stands alone; below it is the code a template includes.
MARKER = "# msgen: included below this line"

#: Below the marker, a line of this followed by a name starts a named piece.
SECTION = "# msgen: section "


def source(name: str) -> str:
    """The text of runtime module ``name`` (without ``.py``), as shipped in msgen."""
    return files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


def included(name: str, section: str = "") -> str:
    """The part of runtime module ``name`` below its marker line, which a template includes: all
    of it, or with sections the piece before the first (``section=""``) or the one named."""
    text = source(name)
    _, marker, after = text.partition(MARKER + "\n")
    if not marker:
        raise LookupError(f"runtime module {name!r} has no line {MARKER!r}")
    pieces: dict[str, list[str]] = {"": []}
    lines = pieces[""]
    for line in after.splitlines(keepends=True):
        if line.startswith(SECTION):
            key = line[len(SECTION) :].strip()
            if key in pieces:
                raise LookupError(f"runtime module {name!r} repeats section {key!r}")
            lines = pieces[key] = []
        else:
            lines.append(line)
    if section not in pieces:
        raise LookupError(f"runtime module {name!r} has no section {section!r}")
    piece = "".join(pieces[section])
    return piece.rstrip("\n") + "\n" if len(pieces) > 1 else piece
