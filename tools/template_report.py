"""How much of each template renders identically for every document.

    python tools/template_report.py [--over N]

For every template (templates/**/*.jinja and generator/msgen/backends/**/*.jinja) it prints the
total number of lines and the longest static stretch: consecutive lines that hold no Jinja tag
(``{{``, ``{%``, ``{#``), counting only the code among them (not blank lines, comments or
docstrings). Such a stretch renders the same for every document, so it belongs in a runtime
module (generator/msgen/runtime/) unless it is too short to be worth an include. For templates
that are not Python (Markdown, TOML) every non-blank line counts. An estimate: docstrings are told
by their triple quotes, a line by line reading that is right for the code msgen's templates hold.
``--over N`` exits with status 1 when a Python template has a stretch over N code lines.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "templates", ROOT / "generator" / "msgen" / "backends")
TAGS = ("{{", "{%", "{#")


@dataclass(frozen=True)
class Stretch:
    """The longest static stretch of a template: its code lines, and where it runs (1-based)."""

    code: int
    first: int
    last: int


def is_python(path: Path) -> bool:
    """Python modules and macro files; not Markdown, TOML, .gitattributes, py.typed."""
    name = path.name.removesuffix(".jinja")
    return name.endswith(".py") or not (Path(name).suffix or name == "gitattributes")


def longest_static(lines: list[str], python: bool) -> Stretch:
    best = Stretch(0, 0, 0)
    code, first, in_doc = 0, 0, False
    for number, line in enumerate(lines, 1):
        text = line.strip()
        quotes = text.count('"""') + text.count("'''")
        docstring = in_doc or quotes > 0
        if quotes % 2:
            in_doc = not in_doc
        if any(tag in line for tag in TAGS):
            code, first = 0, 0
            continue
        counts = bool(text) and (not python or (not docstring and not text.startswith("#")))
        if counts:
            code += 1
            first = first or number
            if code > best.code:
                best = Stretch(code, first, number)
    return best


def templates() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in folder.rglob("*.jinja"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--over", type=int, help="fail when a Python template has more static code")
    args = parser.parse_args(argv)
    rows = []
    for path in templates():
        lines = path.read_text(encoding="utf-8").splitlines()
        python = is_python(path)
        stretch = longest_static(lines, python)
        rows.append((path.relative_to(ROOT).as_posix(), len(lines), stretch, python))
    width = max(len(name) for name, *_ in rows)
    print(f"{'template':<{width}}  lines  static  where")
    too_long = []
    for name, total, stretch, python in rows:
        where = f"{stretch.first}-{stretch.last}" if stretch.code else ""
        kind = "" if python else "  (text)"
        print(f"{name:<{width}}  {total:>5}  {stretch.code:>6}  {where}{kind}")
        if python and args.over is not None and stretch.code > args.over:
            too_long.append(name)
    if too_long:
        print(f"over {args.over} static code lines: {', '.join(too_long)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
