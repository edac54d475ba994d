"""The static runtime: code every generated package carries, whatever its document says.

These are ordinary modules, checked by ruff and ``mypy --strict`` where they are written and unit
tested by importing them; ``render`` copies them into each package under the do-not-edit header.
A module here may import the package's rendered modules (``.handler``, ``.session``, ...): for
type checking, the ``.pyi`` contracts beside it say what it may use of them.

A runtime module that a template includes (``{{ runtime("codec") }}``) is split by the marker
line: above it, what the module needs to stand alone (its imports, and stand-ins for the names the
template renders per document); below it, the code the template inserts.

A module whose rendered bits sit between static parts names its parts instead: the lines after
``# msgen: section NAME`` up to the next ``# msgen:`` line (another section, or ``# msgen: end``
before a stand-in the template renders itself) are section NAME, which a template includes with
``{{ runtime("server", "NAME") }}``. A section comes without its leading and trailing blank lines
and without a final newline: the template's own lines and blank lines surround it. Marker lines
may be indented (inside a class or a literal); a module with sections needs no marker line.
"""

from __future__ import annotations

from importlib.resources import files

#: Above this line, a module stands alone; below it is the code a template includes.
MARKER = "# msgen: included below this line"
#: Starts section NAME: ``# msgen: section NAME``; any ``# msgen:`` line ends it.
SECTION = "# msgen: section "
#: Ends a section where no other starts (``# msgen: end``).
END = "# msgen: end"


def source(name: str) -> str:
    """The text of runtime module ``name`` (without ``.py``), as shipped in msgen."""
    return files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


def included(name: str) -> str:
    """The part of runtime module ``name`` below its marker line, which a template includes."""
    text = source(name)
    _, marker, after = text.partition(MARKER + "\n")
    if not marker:
        raise LookupError(f"runtime module {name!r} has no line {MARKER!r}")
    return after


def section(name: str, part: str) -> str:
    """Section ``part`` of runtime module ``name``: its lines, no blank lines around them."""
    lines = source(name).splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == SECTION + part]
    if len(starts) != 1:
        raise LookupError(f"runtime module {name!r} has {len(starts)} lines {SECTION + part!r}")
    body: list[str] = []
    for line in lines[starts[0] + 1 :]:
        if line.strip().startswith("# msgen:"):
            break
        body.append(line)
    return "\n".join(body).strip("\n")


def include(name: str, part: str | None = None) -> str:
    """What ``{{ runtime(name) }}`` or ``{{ runtime(name, part) }}`` inserts in a template."""
    return included(name) if part is None else section(name, part)
