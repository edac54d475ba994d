"""Defaults from ``[tool.msgen]`` in the nearest ``pyproject.toml``, so bare commands just work."""

from __future__ import annotations

import keyword
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from msgen.backends import NAMES as MODELS
from msgen.model import names
from msgen.reading.problems import Side

SIDES: tuple[Side, ...] = ("peer", "application")

#: Top-level modules the generated code imports besides the standard library; a package of the
#: same name would shadow them. tests/test_config.py checks this against rendered packages.
IMPORTED = frozenset(
    {
        "h11",
        "hypothesis",
        "jsonschema",
        "msgspec",
        "numpy",
        "orjson",
        "picows",
        "prometheus_client",
        "pytest",
        "soxr",
        "starlette",
        "uvicorn",
        "uvloop",
        "websockets",
    }
)

#: The modules a generated package (or a channel's subpackage) defines: a package named like one
#: of them would read as ``frames.frames`` (tests/test_config.py keeps the list true).
MODULES = frozenset(
    {
        "asgi",
        "client",
        "codec",
        "command",
        "emulator",
        "errors",
        "examples",
        "frames",
        "handler",
        "metrics",
        "peer",
        "picows_server",
        "serve",
        "server",
        "serving",
        "session",
        "wire",
    }
)


class ConfigError(Exception):
    """``[tool.msgen]`` is malformed or unreadable."""


@dataclass(frozen=True)
class Config:
    spec: Path | None = None
    out: Path | None = None
    package: str | None = None
    models: str = MODELS[0]
    #: None: the document's version decides (``document.default_side``).
    side: Side | None = None
    strict: bool = False
    #: The pyproject.toml that was read (None: none was found), named when a default is missing.
    pyproject: Path | None = field(default=None, compare=False)


def display(path: Path) -> str:
    """``path`` relative to the working folder when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def package_problem(name: str) -> str | None:
    """Why ``name`` cannot be the generated package's import name, or None when it can.

    Checked before anything is rendered: a bad name would otherwise surface as a formatter crash
    or as a package that breaks the modules it shadows.
    """
    if not (name.isascii() and name.isidentifier()):
        hint = names.package(name)
        suggestion = f"; try {hint!r}" if package_problem(hint) is None else ""
        return f"not a Python identifier of ASCII letters, digits and underscores{suggestion}"
    if keyword.iskeyword(name):
        return "a Python keyword"
    if name in sys.stdlib_module_names:
        return f"shadows the standard library module {name}"
    if name in IMPORTED:
        return f"shadows {name}, which the generated code imports"
    if name in MODULES:
        return f"clashes with the generated package's own module {name}"
    if name in ("tests", "conftest") or name.startswith("test_"):
        return "clashes with the generated tests (tests/, conftest, test_*)"
    return None


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path) -> Config:
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config()
    where = display(pyproject)
    try:
        text = pyproject.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: not UTF-8 text ({exc.reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    tool = data.get("tool")
    table = tool.get("msgen") if isinstance(tool, dict) else None
    if table is None:
        return Config(pyproject=pyproject)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.msgen] must be a table")
    known = {"spec", "out", "package", "models", "side", "strict"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown [tool.msgen] keys: {', '.join(unknown)}")
    base = pyproject.parent

    def path(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{where}: [tool.msgen] {key} must be a string")
        return base / value

    def choice(key: str, options: tuple[str, ...], default: str) -> Any:
        value = table.get(key, default)
        if value not in options:
            raise ConfigError(f"{where}: [tool.msgen] {key} must be one of {', '.join(options)}")
        return value

    package = table.get("package")
    if package is not None:
        if not isinstance(package, str):
            raise ConfigError(f"{where}: [tool.msgen] package must be a string")
        problem = package_problem(package)
        if problem:
            raise ConfigError(f"{where}: [tool.msgen] package {package!r}: {problem}")
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{where}: [tool.msgen] strict must be true or false")
    return Config(
        spec=path("spec"),
        out=path("out"),
        package=package,
        models=choice("models", MODELS, MODELS[0]),
        side=cast(Side, choice("side", SIDES, "peer")) if "side" in table else None,
        strict=strict,
        pyproject=pyproject,
    )
