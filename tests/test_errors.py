"""Broken specs: exit 2, one located line per problem, no traceback, nothing written.

Each folder in ``tests/broken/`` holds a spec named after the folder (plus any files it refers
to, and optionally ``args``); ``expected.txt`` is the exact output. Set ``MSGEN_UPDATE_SNAPSHOTS=1``
to rewrite the snapshots after an intended change, then review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support import run_msgen

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())
LINE = re.compile(r"^[^:\s]+:\d+:\d+: /\S*: .+$")


def spec_of(case: Path) -> Path:
    return next(p for p in case.iterdir() if p.stem == case.name)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_spec_output_matches_snapshot(case: Path, tmp_path: Path) -> None:
    args_file = case / "args"
    args = args_file.read_text().split() if args_file.exists() else []
    out = tmp_path / "out"
    result = run_msgen("build", spec_of(case).name, "--out", out, *args, cwd=case)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    lines = result.stderr.splitlines()
    assert lines
    for line in lines:
        assert LINE.match(line), line
    snapshot = case / "expected.txt"
    if os.environ.get("MSGEN_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(result.stderr)
    assert result.stderr == snapshot.read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_reports_the_same_problems(case: Path) -> None:
    args_file = case / "args"
    args = args_file.read_text().split() if args_file.exists() else []
    result = run_msgen("validate", spec_of(case).name, *args, cwd=case)
    assert result.returncode == 2
    assert result.stderr == (case / "expected.txt").read_text()
