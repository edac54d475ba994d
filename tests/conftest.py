"""Fixtures: small specs written to disk, built with the real CLI and imported."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings
from support import run_msgen

# Explore locally; under CI replay a fixed sequence, so the gate never fails on an unseen example.
settings.register_profile("msgen-ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("msgen-ci")


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
