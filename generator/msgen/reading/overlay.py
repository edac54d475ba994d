"""Overlays: corrections to a document one cannot edit, as the OpenAPI Initiative's Overlay
Specification 1.0 writes them (``overlay: 1.0.0``, ``info``, ``actions`` with a JSONPath
``target`` and an ``update`` or ``remove``).

A vendor's document stays as published; what it gets wrong or leaves out is said in an overlay
beside it, applied in order before anything reads the document. Every node keeps the file that
wrote it: a problem in a value an overlay wrote points at that overlay's line, not the document's.

Semantics (the specification's, and the common tools'): a target must select objects or arrays;
``update`` on an object merges recursively (objects merge key by key, anything else replaces),
``update`` on an array appends the value; ``remove: true`` takes each selected node out of its
parent. A target that selects nothing is a warning: the document may have changed under it.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonpath_rfc9535 as jsonpath

from msgen.reading.loader import Node, SourceFile, Workspace, escape
from msgen.reading.problems import Location, Problems

#: The Overlay versions msgen applies.
VERSION = re.compile(r"^1\.0\.\d+$")
_FIELDS = {
    "overlay": ("overlay", "info", "extends", "actions"),
    "info": ("title", "version"),
    "action": ("target", "description", "update", "remove"),
}


@dataclass
class _Tracked:
    """A value of the document being overlaid, with the file and pointer that wrote it."""

    value: Any  # dict[str, _Tracked] | list[_Tracked] | a JSON scalar
    source: SourceFile
    pointer: str


def _track(source: SourceFile, value: Any, pointer: str) -> _Tracked:
    if isinstance(value, dict):
        value = {k: _track(source, v, f"{pointer}/{escape(k)}") for k, v in value.items()}
    elif isinstance(value, list):
        value = [_track(source, v, f"{pointer}/{i}") for i, v in enumerate(value)]
    return _Tracked(value, source, pointer)


def _plain(node: _Tracked) -> Any:
    if isinstance(node.value, dict):
        return {k: _plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(v) for v in node.value]
    return node.value


@dataclass
class OverlaidFile(SourceFile):
    """A document after its overlays: ``data`` is the result, and each pointer into it knows the
    file and pointer that wrote it (``origins``), for locations."""

    origins: dict[str, tuple[SourceFile, str]] = field(default_factory=dict)

    def location(self, pointer: str) -> Location:
        origin, at = self._origin(pointer)
        return origin.location(at)

    def key_location(self, pointer: str) -> Location | None:
        origin, at = self._origin(pointer)
        return origin.key_location(at)

    def _origin(self, pointer: str) -> tuple[SourceFile, str]:
        probe = pointer
        while probe not in self.origins and probe:
            probe = probe.rsplit("/", 1)[0]
        source, at = self.origins[probe]  # the root ("") is always recorded
        return source, at + pointer[len(probe) :]


def apply(workspace: Workspace, document: Path, overlays: list[Path]) -> None:
    """Apply ``overlays`` in order to ``document`` inside ``workspace``: later reads of the
    document (its root, and ``$ref``s into it from any file) see the result. Problems are
    collected in the workspace's; structural errors raise ``SpecError``."""
    if not overlays:
        return
    source = workspace.load(document)
    root = _track(source, source.data, "")
    problems = workspace.problems
    for path in overlays:
        actions = _read(workspace, path, source, problems)
        for action in actions:
            root = _act(root, action, problems)
    problems.raise_if_errors()
    result = OverlaidFile(source.path, source.display, _plain(root), source.sha256)
    _record(result, root, "")
    workspace.files[source.path] = result


def _record(result: OverlaidFile, node: _Tracked, pointer: str) -> None:
    result.origins[pointer] = (node.source, node.pointer)
    if isinstance(node.value, dict):
        for key, child in node.value.items():
            _record(result, child, f"{pointer}/{escape(key)}")
    elif isinstance(node.value, list):
        for i, child in enumerate(node.value):
            _record(result, child, f"{pointer}/{i}")


@dataclass(frozen=True)
class _Action:
    target: str
    where: Node  # the action's node in the overlay, for locations
    update: Node | None
    remove: bool


def _read(
    workspace: Workspace, path: Path, document: SourceFile, problems: Problems
) -> list[_Action]:
    """The actions of one overlay file, its structure checked (errors raise, at the key)."""
    root = workspace.root(path)
    errors = Problems()
    if not isinstance(root.value, dict):
        errors.error(root.location, "an overlay must be a mapping with overlay, info and actions")
        errors.raise_if_errors()
    _keys(root, "overlay", errors)
    version = root.get("overlay")
    if version is None:
        errors.error(
            root.location, "an overlay needs 'overlay: 1.0.0' (the Overlay Specification version)"
        )
    elif not isinstance(version.value, str) or not VERSION.match(version.value):
        errors.error(
            version.location,
            f"overlay version {version.value!r} is not supported: msgen applies 1.0.x",
        )
    info = root.get("info")
    if info is None:
        errors.error(root.location, "an overlay needs 'info' with a title and a version")
    elif not isinstance(info.value, dict):
        errors.error(info.location, "info must be a mapping with a title and a version")
    else:
        _keys(info, "info", errors)
        for key in ("title", "version"):
            item = info.get(key)
            if item is None:
                errors.error(info.location, f"info needs {key!r}")
            elif not isinstance(item.value, str):
                errors.error(item.location, f"info {key} must be a string")
    extends = root.get("extends")
    if extends is not None:
        if not isinstance(extends.value, str):
            errors.error(extends.location, "extends must be a string (the URL of the document)")
        elif Path(extends.value.split("#")[0].rstrip("/")).name != document.path.name:
            problems.warning(
                extends.location,
                f"this overlay extends {extends.value!r} and is applied to {document.display}",
            )
    actions = root.get("actions")
    out: list[_Action] = []
    if actions is None:
        errors.error(root.location, "an overlay needs 'actions', a list of at least one action")
    elif not isinstance(actions.value, list) or not actions.value:
        errors.error(actions.location, "actions must be a list of at least one action")
    else:
        for item in actions.elements():
            action = _action(item, errors)
            if action is not None:
                out.append(action)
    errors.raise_if_errors()
    return out


def _action(node: Node, errors: Problems) -> _Action | None:
    if not isinstance(node.value, dict):
        errors.error(node.location, "an action must be a mapping with a target")
        return None
    _keys(node, "action", errors)
    target = node.get("target")
    remove = node.get("remove")
    description = node.get("description")
    if description is not None and not isinstance(description.value, str):
        errors.error(description.location, "description must be a string")
    if remove is not None and not isinstance(remove.value, bool):
        errors.error(remove.location, "remove must be true or false")
        return None
    if target is None:
        errors.error(node.location, "an action needs a target (a JSONPath expression)")
        return None
    if not isinstance(target.value, str) or not target.value.startswith("$"):
        errors.error(target.location, "target must be a JSONPath expression starting with '$'")
        return None
    try:
        jsonpath.compile(target.value)
    except jsonpath.JSONPathError as exc:
        errors.error(target.location, f"target {target.value!r} is not valid JSONPath: {exc}")
        return None
    update = node.get("update")
    removing = bool(remove and remove.value)
    if update is None and not removing:
        errors.error(node.location, "an action needs 'update' or 'remove: true'")
        return None
    return _Action(target.value, node, update, removing)


def _keys(node: Node, kind: str, errors: Problems) -> None:
    known = _FIELDS[kind]
    for key, child in node.items():
        if key in known or key.startswith("x-"):
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        errors.error(child.key_location, f"unknown key {key!r} in an overlay {kind}{hint}")


def _act(root: _Tracked, action: _Action, problems: Problems) -> _Tracked:
    """Apply one action; the selected nodes are found on the result of the previous ones."""
    found = jsonpath.find(action.target, _plain(root))
    where = action.where.child("target").location
    if not found:
        problems.warning(where, f"target {action.target!r} selects nothing in the document")
        return root
    # Removing from the last match backwards keeps earlier array indexes valid.
    for match in reversed(list(found)) if action.remove else found:
        path = list(match.location)
        parent, node = _walk(root, path)
        if not isinstance(node.value, dict | list):
            problems.error(
                where,
                f"target {action.target!r} selects {match.path()}, a {type(match.value).__name__}:"
                " a target must select objects or arrays (select the object that holds it)",
            )
            continue
        if action.remove:
            if parent is None:
                problems.error(where, "remove cannot take out the document's root")
            elif isinstance(parent.value, dict):
                del parent.value[path[-1]]
            else:
                parent.value.pop(path[-1])
            continue
        assert action.update is not None
        update = action.update
        if isinstance(node.value, list):
            node.value.append(_track(update.source, copy.deepcopy(update.value), update.pointer))
        elif not isinstance(update.value, dict):
            problems.error(
                update.location,
                f"target {action.target!r} selects an object ({match.path()}): update must be a"
                " mapping of the properties to merge into it",
            )
        else:
            _merge(node, update)
    return root


def _walk(root: _Tracked, path: list[str | int]) -> tuple[_Tracked | None, _Tracked]:
    parent: _Tracked | None = None
    node = root
    for step in path:
        parent, node = node, node.value[step]
    return parent, node


def _merge(node: _Tracked, update: Node) -> None:
    """Merge the mapping ``update`` into the object ``node``: objects merge key by key, any other
    value replaces, and what the update brings keeps the overlay's location."""
    for key, child in update.items():
        current = node.value.get(key)
        if (
            current is not None
            and isinstance(current.value, dict)
            and isinstance(child.value, dict)
        ):
            _merge(current, child)
        else:
            node.value[key] = _track(child.source, copy.deepcopy(child.value), child.pointer)
