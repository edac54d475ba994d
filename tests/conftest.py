"""Shared fixtures: the real CLI in a subprocess, and small specs built and imported for real."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "twilio-media-streams.yaml"
OUTSIDE = ROOT / "tests" / "fixtures" / "twilio-asyncapi-2.6.yml"
MSGEN = [sys.executable, "-m", "msgen"]


def run_msgen(
    *args: str | os.PathLike[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line; never raises on a non-zero exit."""
    return subprocess.run(
        [*MSGEN, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a spec (dedented) into tmp_path and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


_counter = iter(range(1_000_000))


@pytest.fixture
def build_package(tmp_path: Path) -> Iterator[Callable[..., ModuleType]]:
    """Build a spec with the real CLI under a fresh import name and import the result."""
    added: list[str] = []

    def build(spec: Path, *extra: str) -> ModuleType:
        name = f"msgen_test_pkg_{next(_counter)}"
        out = tmp_path / f"out_{name}"
        result = run_msgen("build", spec, "--out", out, "--package", name, *extra)
        assert result.returncode == 0, result.stderr
        sys.path.insert(0, str(out))
        added.append(str(out))
        importlib.invalidate_caches()
        return importlib.import_module(name)

    yield build
    for path in added:
        sys.path.remove(path)
