"""One line per problem: duplicates dropped, errors first, identical warnings folded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.reading.problems import FOLD_AT, Location, Problem, Problems, SpecError, report


def at(line: int, file: str = "spec.yaml") -> Location:
    return Location(file, line, 1, f"/p{line}")


def test_a_problem_recorded_twice_prints_once() -> None:
    problems = [Problem("error", at(3), "bad"), Problem("error", at(3), "bad")]
    assert [str(p) for p in report(problems)] == ["spec.yaml:3:1: /p3: bad"]


def test_an_error_wins_over_the_same_warning() -> None:
    (only,) = report([Problem("warning", at(3), "bad"), Problem("error", at(3), "bad")])
    assert only.level == "error"


def test_errors_come_first_then_warnings_in_file_order() -> None:
    problems = [
        Problem("warning", at(1), "w"),
        Problem("error", at(9), "e9"),
        Problem("error", at(2, "a.yaml"), "e2"),
    ]
    assert [p.message for p in report(problems)] == ["e2", "e9", "w"]


def test_identical_warnings_fold_from_the_threshold_on() -> None:
    below = [Problem("warning", at(i), "same") for i in range(FOLD_AT - 1, 0, -1)]
    assert len(report(below)) == FOLD_AT - 1
    many = [Problem("warning", at(i), "same") for i in range(FOLD_AT + 5, 0, -1)]
    (folded,) = report(many)
    assert folded.location == at(1)
    assert str(folded) == (
        f"spec.yaml:1:1: /p1: warning: same ({FOLD_AT + 5} places, the first shown)"
    )


def test_errors_never_fold() -> None:
    errors = [Problem("error", at(i), "same") for i in range(1, FOLD_AT + 2)]
    assert len(report(errors)) == FOLD_AT + 1


def test_spec_errors_carry_the_report_and_warnings_with_errors() -> None:
    problems = Problems()
    problems.warning(at(5), "explains it")
    problems.error(at(7), "broken")
    problems.error(at(7), "broken")
    with pytest.raises(SpecError) as caught:
        problems.raise_if_errors()
    assert [p.message for p in caught.value.problems] == ["broken", "explains it"]


def test_warnings_alone_raise_only_when_strict() -> None:
    problems = Problems()
    problems.warning(at(5), "minor")
    problems.raise_if_errors()
    with pytest.raises(SpecError) as caught:
        problems.raise_if_errors(strict=True)
    assert [p.level for p in caught.value.problems] == ["warning"]


problem_lists = st.lists(
    st.builds(
        Problem,
        st.sampled_from(["error", "warning"]),
        st.builds(at, st.integers(1, 6), st.sampled_from(["a.yaml", "b.yaml"])),
        st.sampled_from(["x", "y", "z"]),
    ),
    max_size=40,
)


@given(problem_lists)
def test_report_keeps_every_problem_once(problems: list[Problem]) -> None:
    lines = report(problems)
    # No line twice, and every (place, text) pair is either printed or folded into a line.
    assert len({(p.location, p.message) for p in lines}) == len(lines)
    distinct = {(p.location, p.message) for p in problems}
    assert sum(p.count for p in lines) == len(distinct)
    assert {p.message for p in lines} == {p.message for p in problems}
    # Errors survive whole and come first.
    errors = {(p.location, p.message) for p in problems if p.level == "error"}
    assert {(p.location, p.message) for p in lines if p.level == "error"} == errors
    levels = [p.level for p in lines]
    assert levels == sorted(levels, key=lambda level: level != "error")
