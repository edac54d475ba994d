"""The quality bar, enforced: ruff and mypy --strict over msgen and over what it generates."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import OUTSIDE, ROOT, run_msgen

BIN = Path(sys.executable).parent


def run(
    *args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def test_ruff_is_clean_on_msgen_its_tests_and_the_generated_package() -> None:
    result = run(BIN / "ruff", "check", "generator", "tests", "generated", "bench")
    assert result.returncode == 0, result.stdout


def test_mypy_strict_is_clean_on_msgen_and_the_generated_package() -> None:
    for target in (["-p", "msgen"], ["generated/twilio_media_streams"]):
        result = run(BIN / "mypy", "--strict", *target)
        assert result.returncode == 0, result.stdout


PAYLOADS = ROOT / "tests" / "fixtures" / "payloads" / "payloads.yaml"


@pytest.mark.parametrize("models", ["dataclasses", "msgspec", "pydantic"])
@pytest.mark.parametrize(
    ("spec", "package"),
    [(OUTSIDE, "twilio_real_time"), (PAYLOADS, "payload_zoo")],
    ids=["multi-channel", "every-payload-kind"],
)
def test_mypy_strict_is_clean_on_other_builds(
    tmp_path: Path, models: str, spec: Path, package: str
) -> None:
    out = tmp_path / "out"
    assert run_msgen("build", spec, "--out", out, "--models", models).returncode == 0
    result = run(BIN / "mypy", "--strict", "--no-incremental", out / package, cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def docstring_blocks(module: Path) -> list[str]:
    """The code blocks (after ``::``) of a module's docstring, dedented."""
    doc = ast.get_docstring(ast.parse(module.read_text())) or ""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in [*doc.splitlines(), "end"]:
        if current is not None:
            if not line or line.startswith("    "):
                current.append(line)
                continue
            blocks.append(textwrap.dedent("\n".join(current)))
            current = None
        if line.endswith("::"):
            current = []
    return blocks


def test_the_fastapi_and_starlette_recipes_type_check_in_user_code(tmp_path: Path) -> None:
    blocks = docstring_blocks(ROOT / "generated" / "twilio_media_streams" / "asgi.py")
    assert len(blocks) == 2
    for number, block in enumerate(blocks):
        (tmp_path / f"recipe_{number}.py").write_text(block)
    result = run(
        BIN / "mypy",
        "--strict",
        "--no-incremental",
        ".",
        cwd=tmp_path,
        env={"MYPYPATH": str(ROOT / "generated")},
    )
    assert result.returncode == 0, result.stdout
