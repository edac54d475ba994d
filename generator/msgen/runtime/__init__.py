"""The static runtime: code every generated package carries, whatever its document says.

These are ordinary modules, checked by ruff and ``mypy --strict`` where they are written and unit
tested by importing them; ``render`` copies them into each package under the do-not-edit header.
A module here may import the package's rendered modules (``.handler``, ``.session``, ...): for
type checking, the ``.pyi`` contracts beside it say what it may use of them.

A runtime module that a template includes (``{{ runtime("codec") }}``) is split by the marker
line: above it, what the module needs to stand alone (its imports, and stand-ins for the names the
template renders per document); below it, the code the template inserts, up to the module's first
section if it has sections (then ending in one newline).

A module whose static code sits between rendered bits is cut into named sections instead: a line
``# msgen: section NAME`` (indented or not) starts section ``NAME``, which runs to the next marker
line (another section, or ``# msgen: end``) or the end of the file. ``{{ runtime("module",
"NAME") }}`` on a template line of its own stands for the section's lines, exactly: the section
is returned without its leading and trailing blank lines and without a final newline, so blank
lines around it are the template's. Above the first marker, and after a ``# msgen: end`` up to the
next section, is stand-in code no template includes: the class line around included methods, a
method the template renders, and so on.
"""

from __future__ import annotations

from importlib.resources import files

#: Above this line, a module stands alone; below it is the code a template includes.
MARKER = "# msgen: included below this line"
#: A line starting a named section (the name follows), and one ending a section.
SECTION, END = "# msgen: section ", "# msgen: end"


def source(name: str) -> str:
    """The text of runtime module ``name`` (without ``.py``; dotted for a subpackage, as in
    ``tests.codec``), as shipped in msgen."""
    *folders, module = name.split(".")
    folder = files(__name__)
    for part in folders:
        folder = folder.joinpath(part)
    return folder.joinpath(f"{module}.py").read_text(encoding="utf-8")


def included(name: str, section: str | None = None) -> str:
    """The part of runtime module ``name`` below its marker line, which a template includes (up
    to its first section, if it has any, ending in one newline); or, given ``section``, that
    section's lines (see the module docstring)."""
    text = source(name)
    if section is not None:
        return _section(name, text, section)
    _, marker, after = text.partition(MARKER + "\n")
    if not marker:
        raise LookupError(f"runtime module {name!r} has no line {MARKER!r}")
    lines = after.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip().startswith(SECTION) or line.strip() == END:
            return "".join(lines[:i]).rstrip("\n") + "\n"
    return after


def _section(name: str, text: str, section: str) -> str:
    lines: list[str] | None = None
    for line in text.splitlines():
        marker = line.strip()
        if lines is not None and (marker.startswith(SECTION) or marker == END):
            break
        if lines is not None:
            lines.append(line)
        elif marker == SECTION + section:
            lines = []
    if lines is None:
        raise LookupError(f"runtime module {name!r} has no line {SECTION + section!r}")
    return "\n".join(lines).strip("\n")
