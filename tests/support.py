"""Shared helpers for msgen's tests: paths, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
