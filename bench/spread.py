"""What every benchmark script prints, and how it times: one ``BENCH`` line per comparison, with
the spread over its rounds.

A comparison runs in rounds. Each round times every side, interleaved in small batches, on the
process's CPU clock (see ``timed_rounds``), and gives one ratio per comparison: ours over the
baseline, both from that round. The line's ``ratio``, the figure a goal is judged on, is the
median of those per-round ratios: a burst of other load on the shared machine moves a round or
two, not the median, and unlike the best round it is a figure the next run reproduces. ``min``
and ``max`` show how far the rounds spread:

    BENCH <name> ratio=<median> min=<..> median=<..> max=<..> rounds=<n> <fields> goal<=<g> met

(``MISSED`` instead of ``met`` when the median ratio is above the goal; no goal, no status.)
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

#: The clock of ``timed_rounds``: this process's CPU time (every thread's), in seconds. On a
#: shared machine the wall clock also counts the time other processes hold the core, which
#: says nothing about either side and swamps the difference between them; CPU time still
#: varies with caches and clock speed, hence rounds. ``BENCH_CLOCK=wall`` times on the wall
#: clock instead (``perf_counter``), for a machine of one's own.
CLOCK_NAME = "wall" if os.environ.get("BENCH_CLOCK") == "wall" else "cpu"
CLOCK = time.perf_counter if CLOCK_NAME == "wall" else time.process_time


@dataclass(frozen=True, slots=True)
class Spread:
    """The least, median and greatest of a comparison's per-round figures."""

    low: float
    median: float
    high: float
    rounds: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no rounds")
        return cls(min(values), statistics.median(values), max(values), len(values))

    def fields(self, digits: int = 3) -> str:
        return (
            f"min={self.low:.{digits}f} median={self.median:.{digits}f} "
            f"max={self.high:.{digits}f} rounds={self.rounds}"
        )


def status(met: bool) -> str:
    return "met" if met else "MISSED"


def report(name: str, ratios: Sequence[float], fields: str = "", goal: float | None = None) -> bool:
    """Print the comparison's ``BENCH`` line; whether the median ratio meets ``goal`` (at most)."""
    spread = Spread.of(ratios)
    met = goal is None or spread.median <= goal
    line = f"BENCH {name} ratio={spread.median:.3f} {spread.fields()}"
    if fields:
        line += f" {fields}"
    if goal is not None:
        line += f" goal<={goal:g} {status(met)}"
    print(line, flush=True)
    return met


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratios(ours: Sequence[float], baseline: Sequence[float]) -> list[float]:
    """Per-round ratios of two sides timed in the same rounds."""
    return [a / b for a, b in zip(ours, baseline, strict=True)]


def timed_rounds(
    rounds: int, number: int, sides: Mapping[str, Callable[[], object]], batch: int = 1
) -> dict[str, list[float]]:
    """CPU seconds per call of each side in each round: ``number`` calls per side and round.

    Within a round the sides take turns ``batch`` calls at a time (the order of the turns
    reversed from one batch to the next), so over the round every side sees the same mix of
    machine states: a burst of other load costs every side alike, and the round's ratio
    holds. Each side is warmed by one untimed call first, as a server's steady state would be.
    """
    if number % batch:
        raise ValueError(f"number={number} is not a multiple of batch={batch}")
    times: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides.items())
    for _ in range(rounds):
        spent = dict.fromkeys(sides, 0.0)
        gc.collect()
        for _, side in order:
            side()
        for turn in range(number // batch):
            for name, side in order if turn % 2 == 0 else order[::-1]:
                start = CLOCK()
                for _ in range(batch):
                    side()
                spent[name] += CLOCK() - start
        for name, seconds in spent.items():
            times[name].append(seconds / number)
    return times
