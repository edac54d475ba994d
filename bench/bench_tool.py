"""Speed of msgen itself: `msgen build` and `msgen check` on the Twilio spec, as a user runs them.

Prints ``BENCH msgen-build ratio=<seconds / 3 s budget> seconds=<best> ...`` (and the same for
check, and for a build with the pydantic backend, which runs datamodel-code-generator): the goal is
under 3 seconds each, i.e. ratio < 1.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "twilio-media-streams.yaml"
BUDGET_S = 3.0
ROUNDS = 5


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "msgen", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out")
        for name, args in (
            ("msgen-build", ("build", str(SPEC), "--out", out)),
            ("msgen-check", ("check", str(SPEC), "--out", out)),
            ("msgen-build-pydantic", ("build", str(SPEC), "--out", out, "--models", "pydantic")),
        ):
            times = [timed(*args) for _ in range(ROUNDS)]
            best, worst = min(times), max(times)
            print(
                f"BENCH {name} ratio={best / BUDGET_S:.3f} seconds={best:.3f} "
                f"worst_seconds={worst:.3f} goal_seconds={BUDGET_S} rounds={ROUNDS}"
            )


if __name__ == "__main__":
    main()
