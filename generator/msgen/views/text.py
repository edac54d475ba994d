"""Python source text for arbitrary strings: docstring literals that survive any text."""

from __future__ import annotations

import textwrap


def escape_controls(text: str) -> str:
    """Backslashes and control characters written as escapes, so any text is valid source."""
    out = text.replace("\\", "\\\\")
    return "".join(
        f"\\x{ord(c):02x}" if (ord(c) < 32 and c != "\n") or ord(c) == 127 else c for c in out
    )


def docstring(text: str, indent: int = 4) -> str:
    """A triple-quoted docstring literal for arbitrary text, wrapped to fit 100 columns."""
    width = 100 - indent - 6  # room for both sets of quotes, should ruff join the lines
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines.extend(
            textwrap.wrap(paragraph, width, break_on_hyphens=False, break_long_words=False) or [""]
        )
    body = escape_controls("\n".join(lines)).replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    if len(lines) <= 1:
        return f'"""{body}"""'
    pad = " " * indent
    indented = body.replace("\n", "\n" + pad).replace("\n" + pad + "\n", "\n\n")
    return f'"""{indented}\n{pad}"""'
