"""The msgspec backend: the same public API, proven by the same generated tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import SPEC, run_msgen


@pytest.mark.parametrize("spec", [SPEC], ids=["twilio"])
def test_msgspec_backend_passes_the_generated_tests(tmp_path: Path, spec: Path) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out, "--models", "msgspec")
    assert built.returncode == 0, built.stderr
    frames = (out / "twilio_media_streams" / "frames.py").read_text()
    assert "msgspec.Struct" in frames
    assert "msgspec>=" in (out / "pyproject.toml").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(out)},
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_backends_differ_only_where_they_must(tmp_path: Path) -> None:
    default, fast = tmp_path / "default", tmp_path / "msgspec"
    assert run_msgen("build", SPEC, "--out", default).returncode == 0
    assert run_msgen("build", SPEC, "--out", fast, "--models", "msgspec").returncode == 0
    differ = {
        p.relative_to(default).as_posix()
        for p in default.rglob("*")
        if p.is_file() and p.read_bytes() != (fast / p.relative_to(default)).read_bytes()
    }
    assert differ == {
        "README.md",
        "pyproject.toml",
        "twilio_media_streams/_generated.py",
        "twilio_media_streams/_runtime.py",
        "twilio_media_streams/frames.py",
        "twilio_media_streams/wire.py",
    }
