"""The loader: locations for every node, $refs across files, and YAML's surprises defused."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgen.reading.loader import Merged, Node, Workspace, escape, merge_patch, unescape
from msgen.reading.problems import SpecError, report


def test_every_node_knows_its_file_line_and_column(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        """
        a:
          b: [1, {c: x}]
        """
    )
    root = Workspace().root(spec)
    c = root.child("a").child("b").child(1).child("c")
    assert (c.location.line, c.location.column) == (2, 14)
    assert c.location.pointer == "/a/b/1/c"
    assert str(c.location) == f"{c.location.file}:2:14: /a/b/1/c"


def test_refs_follow_relative_files_and_report_their_own_locations(
    write_spec: Callable[..., Path],
) -> None:
    write_spec("Thing:\n  type: string\n", name="sub/defs.yaml")
    spec = write_spec("x:\n  $ref: 'sub/defs.yaml#/Thing'\n")
    target = Workspace().root(spec).child("x").deref()
    assert target.value == {"type": "string"}
    assert target.location.file.endswith("defs.yaml")
    assert target.location.line == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x:\n  $ref: '#/nope'\n", "does not resolve: no 'nope'"),
        ("x:\n  $ref: 'missing.yaml'\n", "missing.yaml: No such file"),
        ("x:\n  $ref: '#/y'\ny:\n  $ref: '#/x'\n", "$ref cycle"),
        ("x:\n  $ref: 7\n", "$ref must be a string"),
        ("x:\n  $ref: 'http://e.com/a.yaml'\n", "remote $ref"),
        ("x:\n  $ref: '#nope'\n", "must be a JSON pointer"),
    ],
)
def test_bad_refs_are_located_spec_errors(
    write_spec: Callable[..., Path], text: str, message: str
) -> None:
    spec = write_spec(text)
    node = Workspace().root(spec).child("x")
    with pytest.raises(SpecError) as caught:
        node.deref()
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.location.line in (1, 2)


def test_yaml_dates_and_norway_stay_strings(write_spec: Callable[..., Path]) -> None:
    spec = write_spec("d: 2024-01-01\nn: no\ny: yes\nt: true\ne: ~\ni: 012\nf: 1e3\ng: -0.5\n")
    assert Workspace().root(spec).value == {
        "d": "2024-01-01",
        "n": "no",
        "y": "yes",
        "t": True,
        "e": None,
        "i": 12,
        "f": 1000.0,
        "g": -0.5,
    }


def test_duplicate_keys_and_bad_yaml_are_reported_with_positions(
    write_spec: Callable[..., Path],
) -> None:
    with pytest.raises(SpecError) as caught:
        Workspace().root(write_spec("a: 1\nb: 2\na: 3\n"))
    assert [(p.location.line, p.location.column) for p in caught.value.problems] == [(3, 1)]
    with pytest.raises(SpecError) as caught:
        Workspace().root(write_spec("a: [1,\n"))
    assert caught.value.problems[0].message.startswith("syntax error")


def test_json_is_read_with_locations(write_spec: Callable[..., Path]) -> None:
    spec = write_spec('{\n  "a": {"b": [true, null]}\n}\n', name="spec.json")
    root = Workspace().root(spec)
    assert root.value == {"a": {"b": [True, None]}}
    assert root.child("a").child("b").location.line == 2


def test_files_are_loaded_once(write_spec: Callable[..., Path]) -> None:
    write_spec("A: {type: string}\nB: {type: integer}\n", name="defs.yaml")
    spec = write_spec("x: {$ref: 'defs.yaml#/A'}\ny: {$ref: './defs.yaml#/B'}\n")
    workspace = Workspace()
    root = workspace.root(spec)
    assert root.child("x").deref().value == {"type": "string"}
    assert root.child("y").deref().value == {"type": "integer"}
    assert len(workspace.files) == 2


@pytest.mark.parametrize("token", ["a/b", "a~b", "~1", "plain", "%", ""])
def test_pointer_tokens_round_trip(token: str) -> None:
    assert unescape(escape(token)) == token


def test_node_iteration_helpers(write_spec: Callable[..., Path]) -> None:
    root: Node = Workspace().root(write_spec("m: {a: 1}\nl: [x, y]\n"))
    assert [k for k, _ in root.child("m").items()] == ["a"]
    assert [n.value for n in root.child("l").elements()] == ["x", "y"]
    assert root.get("missing") is None


def test_keys_know_where_they_are_written(write_spec: Callable[..., Path]) -> None:
    root = Workspace().root(write_spec("a:\n  b:\n    c: 1\n"))
    b = root.child("a").child("b")
    assert (b.key_location.line, b.key_location.column) == (2, 3)
    assert (b.location.line, b.location.column) == (3, 5)
    assert root.key_location == root.location  # the root has no key


SLASHED = """
messages:
  group/one.v1: {payload: 1}
  group: {two: {payload: 2}}
x: {$ref: '#/messages/group/one.v1'}
y: {$ref: '#/messages/group/two'}
z: {$ref: '#/messages/group/three'}
"""


def test_a_key_with_an_unescaped_slash_is_read_literally_with_a_warning(
    write_spec: Callable[..., Path],
) -> None:
    workspace = Workspace()
    root = workspace.root(write_spec(SLASHED))
    assert root.child("x").deref().value == {"payload": 1}
    assert root.child("x").deref().pointer == "/messages/group~1one.v1"
    (warning,) = report(workspace.problems.warnings)  # one line, however often it is followed
    assert "reading '/' inside a key literally" in warning.message
    assert warning.location.pointer == "/x/$ref"
    # A pointer that resolves token by token is read strictly, without a warning.
    assert root.child("y").deref().value == {"payload": 2}
    assert len(report(workspace.problems.warnings)) == 1


def test_a_slashed_pointer_that_resolves_no_way_is_the_dangling_ref_error(
    write_spec: Callable[..., Path],
) -> None:
    root = Workspace().root(write_spec(SLASHED))
    with pytest.raises(SpecError, match="no 'three' in"):
        root.child("z").deref()


def test_literal_slash_reading_backtracks_to_a_full_match(write_spec: Callable[..., Path]) -> None:
    spec = write_spec("m:\n  a: {b: {}}\n  a/b: {c: found}\nx: {$ref: '#/m/a/b/c'}\n")
    assert Workspace().root(spec).child("x").deref().value == "found"


def test_a_pointer_through_a_ref_follows_it(write_spec: Callable[..., Path]) -> None:
    # As AsyncAPI tools resolve: `#/channels/echo/messages/a` where `echo` is itself a $ref.
    write_spec("echo:\n  messages:\n    a: {payload: {}}\n", name="commons/channels.yaml")
    spec = write_spec(
        "channels:\n  echo: {$ref: 'commons/channels.yaml#/echo'}\n"
        "x: {$ref: '#/channels/echo/messages/a'}\n"
    )
    workspace = Workspace()
    target = workspace.root(spec).child("x").deref()
    assert target.value == {"payload": {}}
    assert target.location.file.endswith("channels.yaml")
    assert not workspace.problems.items


slash_keys = st.text(alphabet="ab/~.", min_size=1, max_size=4)
slash_trees = st.recursive(
    st.integers(),
    lambda children: st.dictionaries(slash_keys, children, min_size=1, max_size=3),
    max_leaves=8,
)


def _leaves(tree: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(tree, dict):
        return [path]
    return [leaf for key, child in tree.items() for leaf in _leaves(child, (*path, key))]


@settings(max_examples=60, deadline=None)
@given(slash_trees.filter(lambda tree: isinstance(tree, dict)))
def test_unescaped_refs_reach_a_node_spelled_the_same(tree: dict[str, object]) -> None:
    """Writing every key's '/' unescaped still reaches a node whose keys, joined by '/', spell the
    pointer as written; and every correctly escaped pointer is read strictly."""
    with tempfile.TemporaryDirectory() as folder:
        for path in _leaves(tree):
            written = "/".join(k.replace("~", "~0") for k in path)
            escaped = "/".join(escape(k) for k in path)
            doc = {"tree": tree, "loose": {"$ref": f"#/tree/{written}"}}
            doc["strict"] = {"$ref": f"#/tree/{escaped}"}
            spec = Path(folder) / "spec.json"
            spec.write_text(json.dumps(doc))
            workspace = Workspace()
            root = workspace.root(spec)
            strict = root.child("strict").deref()
            assert strict.pointer == "/tree/" + escaped
            loose = root.child("loose").deref()
            tokens = [unescape(t) for t in loose.pointer.split("/")[2:]]
            assert "/".join(tokens) == "/".join(path)
            # A warning exactly when the written pointer was not read token by token.
            warned = bool(report(workspace.problems.warnings))
            assert warned == (loose.pointer != "/tree/" + written)


def test_yaml_merge_keys_apply_with_explicit_keys_winning(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        """
        base: &base {a: 1, b: 1}
        more: &more {b: 2, c: 2}
        one: {<<: *base, a: 0}
        list: {<<: [*base, *more]}
        nested: {<<: {<<: *more, d: 3}}
        quoted: {'<<': literal}
        """
    )
    root = Workspace().root(spec)
    assert root.value["one"] == {"b": 1, "a": 0}
    assert root.value["list"] == {"c": 2, "b": 1, "a": 1}  # earlier mappings win
    assert root.value["nested"] == {"b": 2, "c": 2, "d": 3}
    assert root.value["quoted"] == {"<<": "literal"}
    b = root.child("one").child("b")
    assert (b.location.line, b.key_location.line) == (1, 1)  # where the merged value is written


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: {<<: 3}\n", "a merge key (<<) takes a mapping or a list of them"),
        ("a: &x {<<: *x}\n", "a merge key (<<) brings in a mapping into itself"),
        ("a: &x [1, *x]\n", "a YAML alias refers to a node that contains it"),
        ("a: !custom thing\n", "YAML value tagged '!custom' has no JSON equivalent"),
        ("a: !!binary aGVsbG8=\n", "YAML value tagged 'tag:yaml.org,2002:binary' has no JSON"),
        ("? [1, 2]\n: x\n", "mapping keys must be strings"),
    ],
)
def test_yaml_that_has_no_json_reading_is_a_located_error(
    write_spec: Callable[..., Path], text: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        Workspace().root(write_spec(text))
    (problem,) = caught.value.problems
    assert message in problem.message


# RFC 7386 appendix A, less its two cases where a patch brings a null under a key the target lacks
# (kept as written here: a value only one side has is never rewritten).
RFC_7386 = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_7386)
def test_merge_patch_is_rfc_7386(
    write_spec: Callable[..., Path], target: object, patch: object, result: object
) -> None:
    root = Workspace().root(write_spec(json.dumps({"target": target, "patch": patch})))
    merged = merge_patch(root.child("target"), root.child("patch"), root.child("target"))
    assert merged.value == result


def test_merged_keys_read_from_the_node_that_wrote_them(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        """
        message: {name: own, bindings: {ws: {a: 1}}, payload: {$ref: '#/schemas/p'}}
        trait: {$ref: '#/traits/t'}
        traits:
          t: {name: trait, bindings: {ws: {b: 2}}}
        schemas:
          p: {type: object}
        """
    )
    root = Workspace().root(spec)
    message = root.child("message")
    merged = merge_patch(message, root.child("trait"), message)
    assert isinstance(merged, Merged)
    assert merged.identity == message.identity
    assert merged.value["name"] == "trait"
    assert merged.child("name").pointer == "/traits/t/name"
    assert merged.child("bindings").child("ws").value == {"a": 1, "b": 2}
    assert merged.child("bindings").child("ws").child("a").pointer == "/message/bindings/ws/a"
    assert merged.child("payload").deref().pointer == "/schemas/p"  # refs stay unresolved
