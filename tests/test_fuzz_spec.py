"""Fuzzing the spec reader: any mutation of a valid spec either builds or is a SpecError.

A crash here would be a traceback shown to a user for their own mistake.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import OUTSIDE, SPEC

from msgen.model.normalize import load
from msgen.reading.problems import SpecError
from msgen.views.frames import module_view
from msgen.views.strategies import object_strategies

BASE = yaml.safe_load(SPEC.read_text())
BASE_2 = yaml.safe_load(OUTSIDE.read_text())

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.text(max_size=5)
    | st.sampled_from(["#/components/schemas/StreamSid", "object", "string", "$ref"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "$ref",
                    "properties",
                    "required",
                    "const",
                    "enum",
                    "items",
                    "allOf",
                    "oneOf",
                    "payload",
                    "messages",
                    "action",
                    "publish",
                    "subscribe",
                    "message",
                    "asyncapi",
                    "x",
                ]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        out.append((*prefix, key))
        out.extend(paths(child, (*prefix, key)))
    return out


ALL_PATHS = paths(BASE)
ALL_PATHS_2 = paths(BASE_2)


def mutate(path: tuple[Any, ...], new: Any, delete: bool, base: Any = BASE) -> Any:
    doc = copy.deepcopy(base)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return doc


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(ALL_PATHS),
    new=json_values,
    delete=st.booleans(),
)
def test_mutated_spec_builds_or_raises_spec_error(
    tmp_path: Path, path: tuple[Any, ...], new: Any, delete: bool
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(mutate(path, new, delete), sort_keys=False))
    builds_or_fails_cleanly(spec)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(ALL_PATHS_2),
    new=json_values,
    delete=st.booleans(),
)
def test_mutated_2x_spec_builds_or_raises_spec_error(
    tmp_path: Path, path: tuple[Any, ...], new: Any, delete: bool
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(mutate(path, new, delete, BASE_2), sort_keys=False))
    builds_or_fails_cleanly(spec)


def builds_or_fails_cleanly(spec: Path) -> None:
    try:
        built = load(spec)
    except SpecError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.location.file.endswith("spec.yaml")
            assert problem.location.line >= 1
        return
    for channel in built.api.channels:  # the Python half of rendering (ruff aside)
        module_view(channel)
        object_strategies(channel)
