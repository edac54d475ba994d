"""Speed of msgen itself: `msgen build` and `msgen check` on the Twilio spec, as a user runs them.

Prints ``BENCH msgen-build ratio=<seconds / 3 s budget> min=.. median=.. max=.. rounds=5
seconds=<median> ...`` (and the same for check, and for a build with the pydantic backend, which
runs datamodel-code-generator): the goal is under 3 seconds each, i.e. a median ratio of at most 1
(see ``spread.py``). The seconds are CPU seconds of the command and every process it starts (what
it takes on an idle machine, where it does not wait on other processes); ``wall_seconds`` is the
median wall time, which on a shared machine counts the other processes' turns too.
``BENCH_CLOCK=wall`` judges the wall time instead.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spread import CLOCK_NAME, Spread, report

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "twilio-media-streams.yaml"
BUDGET_S = 3.0
ROUNDS = 5


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(*args: str) -> tuple[float, float]:
    """CPU and wall seconds of one ``msgen`` command."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "msgen", *args], check=True, capture_output=True)
    return children_cpu() - cpu, time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out")
        for name, args in (
            ("msgen-build", ("build", str(SPEC), "--out", out)),
            ("msgen-check", ("check", str(SPEC), "--out", out)),
            ("msgen-build-pydantic", ("build", str(SPEC), "--out", out, "--models", "pydantic")),
        ):
            cpu, wall = zip(*(timed(*args) for _ in range(ROUNDS)), strict=True)
            judged = Spread.of(wall if CLOCK_NAME == "wall" else cpu)
            report(
                name,
                [t / BUDGET_S for t in (wall if CLOCK_NAME == "wall" else cpu)],
                f"seconds={judged.median:.3f} min_seconds={judged.low:.3f} "
                f"max_seconds={judged.high:.3f} wall_seconds={Spread.of(wall).median:.3f} "
                f"clock={CLOCK_NAME} budget_seconds={BUDGET_S:g}",
                goal=1.0,
            )


if __name__ == "__main__":
    main()
