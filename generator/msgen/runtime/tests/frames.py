"""The static part of every generated package's frame tests: ``tests/test_frames.py.jinja``
renders the imports (the package's message classes), the spec's schemas, the table of messages
and how each direction tells them apart, the examples and one strategy per class; it includes
these sections between them: the oracle (JSON Schema and the decoders' rules) and the tests
holding the package to it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from msgen.runtime.errors import FrameError
from msgen.runtime.wire import decode_inbound, decode_outbound, encode

# Stand-ins for the tables the template renders from the document.
SCHEMAS: dict[str, Any] = {}
ORACLES = {name: jsonschema.Draft7Validator(schema) for name, schema in SCHEMAS.items()}
DECODERS: dict[str, Callable[[str | bytes], Any]] = {
    "inbound": decode_inbound,
    "outbound": decode_outbound,
}
MESSAGES: dict[str, tuple[str, type[Any], str]] = {}
UNIONS: dict[str, dict[str, Any]] = {}
DIRECT: list[str] = []
EXAMPLES: list[Any] = []


# msgen: section strategies
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=8)
    | st.floats(min_value=-(2.0**53), max_value=2.0**53),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _ref(make: Any, depth: int) -> st.SearchStrategy[Any]:
    """A class met again inside itself: drawn lazily, and never below the depth limit."""
    return st.deferred(make) if depth > 0 else st.nothing()


# msgen: end
def _strategies(depth: int = 3) -> dict[str, st.SearchStrategy[Any]]:
    return {}


# msgen: section oracle
STRATEGIES = _strategies()


class _NotJson(Exception):
    pass


def _refuse(name: str) -> Any:
    raise _NotJson(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJson(text)
    return value


def parse(text: str | bytes) -> Any:
    """JSON as the decoders read it (no NaN or Infinity); raises _NotJson otherwise."""
    try:
        return json.loads(text, parse_constant=_refuse, parse_float=_finite)
    except ValueError:
        raise _NotJson(text) from None


def frame_of(name: str, value: Any) -> str | bytes:
    """The frame carrying a value of the message: JSON text, the text itself, or bytes."""
    kind = MESSAGES[name][2]
    return json.dumps(value) if kind == "json" else value


def judge(direction: str, frame: str | bytes) -> str | None:
    """The message the frame decodes as, by the spec's schemas and the rules; None: an error."""
    union = UNIONS[direction]
    if isinstance(frame, bytes):
        return union["binary"] or None
    if union["json"]:
        try:
            value = parse(frame)
        except _NotJson:
            pass
        else:
            tag = union["tag"]
            if union["single"]:
                candidates = [union["single"]]
            elif tag and isinstance(value, dict) and tag not in value:
                candidates = union["fallback"]
            elif (
                tag
                and isinstance(value, dict)
                and isinstance(value[tag], str)
                and value[tag] in union["tags"]
            ):
                candidates = union["tags"][value[tag]]
            else:
                candidates = union["untagged"]
            for name in candidates:
                if ORACLES[name].is_valid(value):
                    return name
    for name in union["plain"]:
        if ORACLES[name].is_valid(frame):
            return name
    return None


def same_frame(kind: str, a: str | bytes, b: str | bytes) -> bool:
    return parse(a) == parse(b) if kind == "json" else a == b


def assert_matches_oracle(direction: str, frame: str | bytes) -> None:
    expected = judge(direction, frame)
    if expected is None:
        with pytest.raises(FrameError):
            DECODERS[direction](frame)
        return
    _, cls, kind = MESSAGES[expected]
    decoded = DECODERS[direction](frame)
    assert type(decoded) is cls
    assert same_frame(kind, encode(decoded), frame)
    assert DECODERS[direction](encode(decoded)) == decoded


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(value, dict):
        items: Any = value.items()
    else:
        items = enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        out.append((*prefix, key))
        out.extend(paths(child, (*prefix, key)))
    return out


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return out


def removed(value: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return out


def json_path(path: tuple[Any, ...]) -> str:
    parts = []
    for p in path:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(f".{p}" if p.isidentifier() else f"[{p!r}]")
    return "$" + "".join(parts)


def example_frame(name: str, wire: str) -> str:
    """An example's frame: its JSON, or for a plain-text message the text it holds."""
    return parse(wire) if MESSAGES[name][2] == "plain" else wire


# msgen: section examples
@pytest.mark.parametrize(("name", "wire"), EXAMPLES)
def test_example_decodes_and_re_encodes_unchanged(name: str, wire: str) -> None:
    direction, cls, kind = MESSAGES[name]
    frame = example_frame(name, wire)
    assert_matches_oracle(direction, frame)
    assert judge(direction, frame) is not None
    value = parse(frame) if kind == "json" else frame
    assert cls.from_wire(value).to_wire() == value


@pytest.mark.parametrize(("name", "wire"), EXAMPLES)
def test_example_mutants_are_judged_like_the_schema(name: str, wire: str) -> None:
    direction, _, kind = MESSAGES[name]
    value = parse(wire)
    if kind != "json":
        for wrong in ("", value + "x", json.dumps(value)):
            assert_matches_oracle(direction, wrong)
        return
    for path in paths(value):
        assert_matches_oracle(direction, json.dumps(removed(value, path)))
        for wrong in (None, True, 7, 2.5, "x", "", [], {}, [[]], "7"):
            assert_matches_oracle(direction, json.dumps(replaced(value, path, wrong)))
    for parent in [(), *paths(value)]:
        target = value
        for key in parent:
            target = target[key]
        if isinstance(target, dict):
            extended = copy.deepcopy(value)
            node = extended
            for key in parent:
                node = node[key]
            node["unknownProperty"] = "x"
            assert_matches_oracle(direction, json.dumps(extended))


@pytest.mark.parametrize(("name", "wire"), EXAMPLES)
def test_errors_name_the_json_path(name: str, wire: str) -> None:
    direction, _, kind = MESSAGES[name]
    if name not in DIRECT or kind != "json":
        pytest.skip("told apart by structure: the error is the furthest candidate's")
    value = parse(wire)
    tag = UNIONS[direction]["tag"]
    for path in paths(value):
        original = value
        for key in path:
            original = original[key]
        # A value of the wrong kind for this very node, so the error cannot be deeper.
        wrong = replaced(value, path, {} if isinstance(original, list) else [[]])
        mutant = json.dumps(wrong)
        if judge(direction, mutant) is not None or (
            path[0] == tag and not UNIONS[direction]["single"]
        ):
            continue
        with pytest.raises(FrameError) as caught:
            DECODERS[direction](mutant)
        parts = caught.value.parts
        assert parts == path[: len(parts)], str(caught.value)
        if parts != path:
            # Inside a value the schema fixes whole (a const): its own errors stop above too.
            assert all(len(e.absolute_path) < len(path) for e in ORACLES[name].iter_errors(wrong))
        assert str(caught.value).startswith(json_path(parts) + ": ")


# msgen: section generated
@pytest.mark.parametrize("name", sorted(MESSAGES))
@given(data=st.data())
def test_generated_frames_round_trip(name: str, data: st.DataObject) -> None:
    direction, cls, kind = MESSAGES[name]
    value = data.draw(STRATEGIES[name])
    if kind != "binary":
        assume(ORACLES[name].is_valid(value))
    frame = frame_of(name, value)
    assert_matches_oracle(direction, frame)
    if judge(direction, frame) == name:
        decoded = DECODERS[direction](frame)
        assert type(decoded) is cls
        assert same_frame(kind, encode(decoded), frame)


@pytest.mark.parametrize("name", sorted(MESSAGES))
@given(data=st.data())
def test_random_mutants_are_judged_like_the_schema(name: str, data: st.DataObject) -> None:
    direction, _, kind = MESSAGES[name]
    value = data.draw(STRATEGIES[name])
    if kind == "binary":
        assert_matches_oracle(direction, value + data.draw(st.binary(max_size=4)))
        return
    assume(ORACLES[name].is_valid(value))
    places = paths(value)
    if places:
        path = data.draw(st.sampled_from(places))
        if data.draw(st.booleans()):
            value = removed(value, path)
        else:
            value = replaced(value, path, data.draw(_json))
    elif data.draw(st.booleans()):
        value = data.draw(_json)
    assert_matches_oracle(direction, json.dumps(value) if kind == "json" else str(value))


@pytest.mark.parametrize("direction", sorted(DECODERS))
@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        "42",
        '"media"',
        "null",
        "{}",
        '{"event": 42}',
        '{"event": ["media"]}',
        '{"event": {"nested": 1}}',
        '{"event": "no-such-event"}',
        '{"type": "media"}',
        '{"event": "media"',
        "{'event': 'media'}",
        '{"event": NaN}',
        '{"a": 1e999}',
    ],
)
def test_odd_text_frames_are_judged_like_the_schema(direction: str, text: str) -> None:
    assert_matches_oracle(direction, text)


@pytest.mark.parametrize("direction", sorted(DECODERS))
@pytest.mark.parametrize("data", [b"", b"\xff\xfe", b'{"event": "media"}'])
def test_binary_frames_are_judged_like_the_spec(direction: str, data: bytes) -> None:
    assert_matches_oracle(direction, data)


@pytest.mark.parametrize("direction", sorted(DECODERS))
@pytest.mark.parametrize("data", [42, None, ["media"], 2.5])
def test_what_is_not_a_frame_raises_frame_error(direction: str, data: Any) -> None:
    with pytest.raises(FrameError):
        DECODERS[direction](data)


@given(text=st.text(max_size=40) | st.binary(max_size=40))
def test_any_input_either_decodes_or_raises_frame_error(text: str | bytes) -> None:
    for decode in DECODERS.values():
        with contextlib.suppress(FrameError):
            decode(text)


def test_frame_error_is_a_value_error() -> None:
    assert issubclass(FrameError, ValueError)
