"""Overlays (Overlay Specification 1.0) applied to a loaded document, with every node located in
the file that wrote it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgen.reading import overlay
from msgen.reading.loader import Workspace
from msgen.reading.problems import Problems, SpecError

DOCUMENT = """\
info:
  title: T
  tags: [a, b]
items:
  - name: keep
  - name: drop
  - name: drop
deep:
  one:
    two: 2
    list: [1]
"""


def _apply(tmp_path: Path, document: str, *overlays: str) -> tuple[Workspace, Path]:
    doc = tmp_path / "doc.yaml"
    doc.write_text(document)
    paths = []
    for i, text in enumerate(overlays):
        path = tmp_path / f"overlay{i}.yaml"
        path.write_text(text)
        paths.append(path)
    workspace = Workspace(Problems())
    overlay.apply(workspace, doc, paths)
    return workspace, doc


def _overlay(actions: str) -> str:
    return "overlay: 1.0.0\ninfo: {title: fix, version: '1'}\nactions:\n" + actions


def _errors(tmp_path: Path, document: str, *overlays: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        _apply(tmp_path, document, *overlays)
    return [str(p) for p in caught.value.problems]


def test_update_merges_objects_key_by_key_and_replaces_the_rest(tmp_path: Path) -> None:
    workspace, doc = _apply(
        tmp_path,
        DOCUMENT,
        _overlay("  - target: $.deep\n    update: {one: {three: 3, list: [9]}, x-new: true}\n"),
    )
    data = workspace.root(doc).value
    assert data["deep"] == {"one": {"two": 2, "list": [9], "three": 3}, "x-new": True}
    assert data["info"] == {"title": "T", "tags": ["a", "b"]}


def test_an_update_on_an_array_appends_and_remove_takes_out_every_match(tmp_path: Path) -> None:
    workspace, doc = _apply(
        tmp_path,
        DOCUMENT,
        _overlay(
            "  - target: $.items[?@.name == 'drop']\n    remove: true\n"
            "  - target: $.items\n    update: {name: added}\n"
        ),
    )
    assert workspace.root(doc).value["items"] == [{"name": "keep"}, {"name": "added"}]


def test_actions_apply_in_order_and_overlays_in_turn(tmp_path: Path) -> None:
    first = _overlay("  - target: $.info\n    update: {title: One}\n")
    second = _overlay(
        "  - target: $.info\n    update: {title: Two}\n  - target: $.deep\n    remove: true\n"
    )
    workspace, doc = _apply(tmp_path, DOCUMENT, first, second)
    data = workspace.root(doc).value
    assert data["info"]["title"] == "Two"
    assert "deep" not in data


def test_written_nodes_are_located_in_the_overlay_and_the_rest_in_the_document(
    tmp_path: Path,
) -> None:
    workspace, doc = _apply(
        tmp_path, DOCUMENT, _overlay("  - target: $.deep.one\n    update:\n      three: 3\n")
    )
    root = workspace.root(doc)
    three = root.child("deep").child("one").child("three")
    assert str(three.location) == f"{three.location.file}:6:14: /actions/0/update/three"
    assert three.location.file.endswith("overlay0.yaml")
    two = root.child("deep").child("one").child("two")
    assert two.location.file.endswith("doc.yaml")
    assert (two.location.line, two.location.pointer) == (10, "/deep/one/two")
    assert two.key_location.column == 5


def test_refs_from_other_files_see_the_overlaid_document(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text("use: {$ref: 'doc.yaml#/deep/one'}\n")
    workspace, _ = _apply(
        tmp_path, DOCUMENT, _overlay("  - target: $.deep.one\n    update: {two: 22}\n")
    )
    other = workspace.root(tmp_path / "other.yaml").child("use").deref()
    assert other.value["two"] == 22


def test_a_target_that_selects_nothing_is_a_located_warning(tmp_path: Path) -> None:
    workspace, _ = _apply(tmp_path, DOCUMENT, _overlay("  - target: $.missing\n    remove: true\n"))
    (warning,) = workspace.problems.warnings
    assert str(warning).endswith(
        "overlay0.yaml:4:13: /actions/0/target: warning: target '$.missing' selects nothing"
        " in the document"
    )


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (
            "  - target: $.deep.one.two\n    update: {x: 1}\n",
            "overlay0.yaml:4:13: /actions/0/target: target '$.deep.one.two' selects"
            " $['deep']['one']['two'], a int: a target must select objects or arrays (select the"
            " object that holds it)",
        ),
        (
            "  - target: $.deep[\n    update: {x: 1}\n",
            "overlay0.yaml:4:13: /actions/0/target: target '$.deep[' is not valid JSONPath",
        ),
        (
            "  - target: deep\n    update: {x: 1}\n",
            "/actions/0/target: target must be a JSONPath expression starting with '$'",
        ),
        (
            "  - target: $.deep\n    updat: {x: 1}\n",
            "overlay0.yaml:5:5: /actions/0/updat: unknown key 'updat' in an overlay action; did"
            " you mean 'update'?",
        ),
        ("  - target: $.deep\n", "/actions/0: an action needs 'update' or 'remove: true'"),
        (
            "  - target: $.deep\n    remove: yes\n",
            "/actions/0/remove: remove must be true or false",
        ),
        (
            "  - target: $.deep\n    update: [1]\n",
            "overlay0.yaml:5:13: /actions/0/update: target '$.deep' selects an object"
            " ($['deep']): update must be a mapping of the properties to merge into it",
        ),
        ("  - target: $\n    remove: true\n", "remove cannot take out the document's root"),
    ],
)
def test_bad_actions_are_located_errors(tmp_path: Path, actions: str, expected: str) -> None:
    errors = _errors(tmp_path, DOCUMENT, _overlay(actions))
    assert any(expected in e for e in errors), errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 1\n", "an overlay must be a mapping with overlay, info and actions"),
        (
            "info: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
            "needs 'overlay: 1.0.0'",
        ),
        (
            "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
            "overlay version '2.0.0' is not supported: msgen applies 1.0.x",
        ),
        ("overlay: 1.0.0\nactions: [{target: $, update: {}}]\n", "needs 'info' with a title"),
        (
            "overlay: 1.0.0\ninfo: {title: t}\nactions: [{target: $, update: {}}]\n",
            "info needs 'version'",
        ),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: []\n", "at least one action"),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\n", "an overlay needs 'actions'"),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactons: []\n"
            "actions: [{target: $, update: {}}]\n",
            "unknown key 'actons' in an overlay overlay; did you mean 'actions'?",
        ),
    ],
)
def test_a_malformed_overlay_is_a_located_error(tmp_path: Path, text: str, expected: str) -> None:
    errors = _errors(tmp_path, DOCUMENT, text)
    assert any(expected in e and "overlay0.yaml:" in e for e in errors), errors


def test_extends_naming_another_document_is_a_warning(tmp_path: Path) -> None:
    text = _overlay("  - target: $.info\n    update: {x-a: 1}\n").replace(
        "actions:", "extends: https://example.com/specs/other.yaml\nactions:"
    )
    workspace, _ = _apply(tmp_path, DOCUMENT, text)
    (warning,) = workspace.problems.warnings
    assert str(warning).replace(os.path.relpath(tmp_path) + os.sep, "") == (
        "overlay0.yaml:3:10: /extends: warning: this overlay extends"
        " 'https://example.com/specs/other.yaml' and is applied to doc.yaml"
    )
    same = text.replace("other.yaml", "doc.yaml")
    workspace, _ = _apply(tmp_path, DOCUMENT, same)
    assert not workspace.problems.warnings


# A merge of a random update into a random object: the object gets the update's keys (mappings
# merged recursively), and nothing outside the target changes.
_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab", max_size=2)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text("abc", min_size=1, max_size=2), inner, max_size=3)
    ),
    max_leaves=8,
)
_objects = st.dictionaries(st.text("abc", min_size=1, max_size=2), _json, max_size=4)


def _merged(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


@settings(max_examples=60, deadline=None)
@given(target=_objects, update=_objects, sibling=_json)
def test_update_is_a_recursive_merge_confined_to_its_target(
    tmp_path_factory: pytest.TempPathFactory,
    target: dict[str, Any],
    update: dict[str, Any],
    sibling: Any,
) -> None:
    tmp_path = tmp_path_factory.mktemp("merge")
    document = json.dumps({"target": target, "sibling": sibling})
    text = json.dumps(
        {
            "overlay": "1.0.0",
            "info": {"title": "t", "version": "1"},
            "actions": [{"target": "$.target", "update": update}],
        }
    )
    workspace, doc = _apply(tmp_path, document, text)
    data = workspace.root(doc).value
    assert data == {"target": _merged(target, update), "sibling": sibling}
