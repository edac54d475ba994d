"""Defaults from ``[tool.msgen]`` in the nearest ``pyproject.toml``, so bare commands just work."""

from __future__ import annotations

import dataclasses
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
        "security",
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
class Target:
    """One package to generate: a spec, its overlays, where it goes and how."""

    spec: Path | None = None
    out: Path | None = None
    package: str | None = None
    models: str = MODELS[0]
    #: None: msgen chooses (``document.read``).
    side: Side | None = None
    strict: bool = False
    overlays: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Config(Target):
    """``[tool.msgen]``: its top-level keys (one target, and the defaults of the others) and its
    ``[[tool.msgen.targets]]``, each a package of its own."""

    targets: tuple[Target, ...] = ()
    #: The pyproject.toml that was read (None: none was found), named when a default is missing.
    pyproject: Path | None = field(default=None, compare=False)

    @property
    def all_targets(self) -> tuple[Target, ...]:
        """What ``build`` and ``check`` do without a SPEC: the top-level target (when it names a
        spec), then every listed one."""
        top = Target(
            self.spec, self.out, self.package, self.models, self.side, self.strict, self.overlays
        )
        return ((top,) if self.spec is not None else ()) + self.targets


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
    base = pyproject.parent
    top = _target(table, "[tool.msgen]", where, base, Target(), allowed=_KEYS | {"targets"})
    listed = table.get("targets", [])
    if not isinstance(listed, list) or not all(isinstance(t, dict) for t in listed):
        raise ConfigError(f"{where}: [tool.msgen] targets must be an array of tables")
    targets = []
    for i, item in enumerate(listed, 1):
        name = f"[[tool.msgen.targets]] #{i}"
        # Every key of the top level but the spec, out and package is a default of each target.
        inherited = dataclasses.replace(top, spec=None, out=None, package=None)
        target = _target(item, name, where, base, inherited, allowed=_KEYS)
        if target.spec is None or target.out is None:
            raise ConfigError(f"{where}: {name} needs a spec and an out")
        targets.append(target)
    outs = [t.out for t in (top, *targets) if t.out is not None and t.spec is not None]
    if len({o.resolve() for o in outs}) != len(outs):
        raise ConfigError(f"{where}: two [tool.msgen] targets write the same out folder")
    return Config(**vars(top), targets=tuple(targets), pyproject=pyproject)


#: The keys of a target, at the top level of [tool.msgen] or in [[tool.msgen.targets]].
_KEYS = frozenset({"spec", "out", "package", "models", "side", "strict", "overlays"})


def _target(
    table: dict[str, Any],
    name: str,
    where: str,
    base: Path,
    defaults: Target,
    allowed: frozenset[str],
) -> Target:
    """One target's keys, checked, over ``defaults``; paths are relative to the pyproject.toml."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown {name} keys: {', '.join(unknown)}")

    def path(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {name} {key} must be a string")
        return base / value

    def choice(key: str, options: tuple[str, ...], default: str) -> Any:
        value = table.get(key, default)
        if value not in options:
            raise ConfigError(f"{where}: {name} {key} must be one of {', '.join(options)}")
        return value

    package = table.get("package")
    if package is not None:
        if not isinstance(package, str):
            raise ConfigError(f"{where}: {name} package must be a string")
        problem = package_problem(package)
        if problem:
            raise ConfigError(f"{where}: {name} package {package!r}: {problem}")
    strict = table.get("strict", defaults.strict)
    if not isinstance(strict, bool):
        raise ConfigError(f"{where}: {name} strict must be true or false")
    overlays = table.get("overlays")
    if overlays is not None and (
        not isinstance(overlays, list) or not all(isinstance(o, str) for o in overlays)
    ):
        raise ConfigError(f"{where}: {name} overlays must be a list of paths")
    return Target(
        spec=path("spec"),
        out=path("out"),
        package=package,
        models=choice("models", MODELS, defaults.models),
        side=cast(Side, choice("side", SIDES, "peer")) if "side" in table else defaults.side,
        strict=strict,
        overlays=tuple(base / o for o in overlays) if overlays is not None else defaults.overlays,
    )
