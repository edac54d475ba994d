"""The quality bar, enforced: ruff and mypy --strict over msgen and over what it generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import OUTSIDE, ROOT, run_msgen

BIN = Path(sys.executable).parent


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )


def test_ruff_is_clean_on_msgen_its_tests_and_the_generated_package() -> None:
    result = run(BIN / "ruff", "check", "generator", "tests", "generated", "bench")
    assert result.returncode == 0, result.stdout


def test_mypy_strict_is_clean_on_msgen_and_the_generated_package() -> None:
    for target in (["-p", "msgen"], ["generated/twilio_media_streams"]):
        result = run(BIN / "mypy", "--strict", *target)
        assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("models", ["dataclasses", "msgspec"])
def test_mypy_strict_is_clean_on_a_multi_channel_build(tmp_path: Path, models: str) -> None:
    out = tmp_path / "out"
    assert run_msgen("build", OUTSIDE, "--out", out, "--models", models).returncode == 0
    result = run(
        BIN / "mypy",
        "--strict",
        "--no-incremental",
        out / "twilio_real_time_web_socket_apis",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout
