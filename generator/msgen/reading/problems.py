"""Problems found in a spec, collected as values so one run reports all of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Level = Literal["error", "warning"]
#: Which way a message travels, seen from the party the generated code plays.
Direction = Literal["inbound", "outbound"]
#: Which party the generated code plays: "application" (the one the document describes) or "peer"
#: (the one it talks to). See ``document.default_side``.
Side = Literal["peer", "application"]
#: What the generated code is on the wire: the client that connects to the document's servers, or
#: the server others connect to.
Role = Literal["client", "server"]


@dataclass(frozen=True)
class Location:
    """Where a node came from: file, 1-based line and column, and its JSON pointer."""

    file: str
    line: int
    column: int
    pointer: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.pointer or '/'}"


#: A warning whose text recurs at this many places or more prints once, at its first place, with
#: the count: past three, a list of identical lines hides the other problems more than it helps.
FOLD_AT = 4


@dataclass(frozen=True)
class Problem:
    level: Level
    location: Location
    message: str
    #: How many places this line stands for (folded identical warnings), 1 for one place.
    count: int = 1

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "warning: "
        folded = f" ({self.count} places, the first shown)" if self.count > 1 else ""
        return f"{self.location}: {prefix}{self.message}{folded}"


def report(problems: Iterable[Problem]) -> list[Problem]:
    """One line per problem: duplicates dropped (an error wins over the same warning), errors first
    in file order, then warnings in file order with identical ones folded (see ``FOLD_AT``)."""
    worst: dict[tuple[Location, str], Problem] = {}
    for problem in problems:
        key = (problem.location, problem.message)
        if key not in worst or problem.level == "error":
            worst[key] = problem
    ordered = sorted(worst.values(), key=_order)
    counts = Counter(p.message for p in ordered if p.level == "warning")
    out: list[Problem] = []
    folded: set[str] = set()
    for problem in ordered:
        count = counts[problem.message] if problem.level == "warning" else 1
        if count < FOLD_AT:
            out.append(problem)
        elif problem.message not in folded:
            folded.add(problem.message)
            out.append(replace(problem, count=count))
    return out


class SpecError(Exception):
    """The spec cannot be built; carries every problem found, one line each (see ``report``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = report(problems)
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
        """Raise with every problem (warnings too: a misspelled key often explains an error)."""
        if self.errors or (strict and self.items):
            raise SpecError(self.items)
