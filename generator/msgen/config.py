"""Defaults from ``[tool.msgen]`` in the nearest ``pyproject.toml``, so bare commands just work."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from msgen.asyncapi import Side
from msgen.backends import NAMES as MODELS

SIDES: tuple[Side, ...] = ("peer", "application")


class ConfigError(Exception):
    """``[tool.msgen]`` is malformed."""


@dataclass(frozen=True)
class Config:
    spec: Path | None = None
    out: Path | None = None
    package: str | None = None
    models: str = MODELS[0]
    #: None: the document's version decides (``asyncapi.default_side``).
    side: Side | None = None
    strict: bool = False


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
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    table = data.get("tool", {}).get("msgen")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.msgen] must be a table")
    known = {"spec", "out", "package", "models", "side", "strict"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown [tool.msgen] keys: {', '.join(unknown)}")
    base = pyproject.parent

    def path(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{pyproject}: [tool.msgen] {key} must be a string")
        return base / value

    def choice(key: str, options: tuple[str, ...], default: str) -> Any:
        value = table.get(key, default)
        if value not in options:
            raise ConfigError(
                f"{pyproject}: [tool.msgen] {key} must be one of {', '.join(options)}"
            )
        return value

    package = table.get("package")
    if package is not None and not isinstance(package, str):
        raise ConfigError(f"{pyproject}: [tool.msgen] package must be a string")
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{pyproject}: [tool.msgen] strict must be true or false")
    return Config(
        spec=path("spec"),
        out=path("out"),
        package=package,
        models=choice("models", MODELS, MODELS[0]),
        side=cast(Side, choice("side", SIDES, "peer")) if "side" in table else None,
        strict=strict,
    )
