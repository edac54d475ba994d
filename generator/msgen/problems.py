"""Problems found in a spec, collected as values so one run reports all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from msgen.ir import Location

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    level: Level
    location: Location
    message: str

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "warning: "
        return f"{self.location}: {prefix}{self.message}"


class SpecError(Exception):
    """The spec cannot be built; carries every problem found (errors first, in file order)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _order(problem: Problem) -> tuple[int, str, int, int]:
    loc = problem.location
    return (problem.level != "error", loc.file, loc.line, loc.column)


class Problems:
    """An accumulator: record as you go, raise once at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, location: Location, message: str) -> None:
        self.items.append(Problem("error", location, message))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Problem("warning", location, message))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level == "warning"]

    def raise_if_errors(self, *, strict: bool = False) -> None:
        fatal = self.items if strict else self.errors
        if fatal:
            raise SpecError(self.items if strict else fatal)
