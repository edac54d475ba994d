"""Load YAML or JSON spec files keeping the line and column of every node, and follow ``$ref``s.

A ``Node`` is a value plus where it came from; walking the document through nodes is what lets every
later problem point at ``FILE:LINE:COL: JSON-POINTER``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from msgen.reading.problems import Location, Problem, Problems, SpecError


def escape(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return unquote(token).replace("~1", "/").replace("~0", "~")


@dataclass
class SourceFile:
    path: Path
    display: str
    data: Any
    sha256: str
    #: JSON pointer -> (line, column), both 1-based.
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: JSON pointer of a mapping's value -> (line, column) of its key.
    key_marks: dict[str, tuple[int, int]] = field(default_factory=dict)

    def location(self, pointer: str) -> Location:
        probe = pointer
        while probe not in self.marks and probe:
            probe = probe.rsplit("/", 1)[0]
        line, column = self.marks.get(probe, (1, 1))
        return Location(self.display, line, column, pointer)

    def key_location(self, pointer: str) -> Location | None:
        """Where the key of the mapping value at ``pointer`` is written, if it is a key's value."""
        mark = self.key_marks.get(pointer)
        return None if mark is None else Location(self.display, *mark, pointer)


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps YAML 1.2-ish scalars: no timestamps, no sexagesimal surprises."""


# YAML 1.2's core schema, which agrees with JSON: dates stay strings (examples must round-trip as
# written), only true/false are booleans (YAML 1.1 would turn `enum: [yes, no]` into bools), `012`
# is twelve, and `1e3` is a number.
_REPLACED = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_FLOAT = (
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(_FLOAT), list("-+0123456789."))
_Loader.add_constructor("tag:yaml.org,2002:int", lambda _, node: int(node.value, 10))
_SCALARS = _Loader("")


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


class Workspace:
    """Every file a spec pulls in, loaded once, with ref-following that reports dangling refs.

    Refs that resolve only by a lenient reading are warnings, recorded in ``problems``.
    """

    def __init__(self, problems: Problems | None = None) -> None:
        self.files: dict[Path, SourceFile] = {}
        self.problems = problems if problems is not None else Problems()

    def load(self, path: Path, referrer: Location | None = None) -> SourceFile:
        path = path.resolve()
        if path in self.files:
            return self.files[path]
        display = _display(path)
        where = referrer or Location(display, 1, 1, "")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise SpecError([Problem("error", where, f"cannot read {display}: {reason}")]) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            loc = Location(display, 1, 1, "")
            raise SpecError([Problem("error", loc, f"not UTF-8 text ({exc.reason})")]) from None
        source = SourceFile(path, display, None, hashlib.sha256(raw).hexdigest())
        source.data = _parse(text, source)
        self.files[path] = source
        return source

    def root(self, path: Path) -> Node:
        source = self.load(path)
        return Node(self, source, "", source.data)


def _parse(text: str, source: SourceFile) -> Any:
    if not text.strip():
        loc = Location(source.display, 1, 1, "")
        raise SpecError([Problem("error", loc, "the file is empty")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML/JSON"
        loc = Location(source.display, line, col, "")
        raise SpecError([Problem("error", loc, f"syntax error: {what}")]) from None
    if node is None:  # only comments
        loc = Location(source.display, 1, 1, "")
        raise SpecError([Problem("error", loc, "the file holds no document")])
    problems: list[Problem] = []
    data = _Builder(source, problems).build(node, "")
    if problems:
        raise SpecError(problems)
    return data


_MERGE = "tag:yaml.org,2002:merge"
_JSON_SCALARS = (str, int, float, bool, type(None))


class _Builder:
    """YAML nodes to JSON values, recording where each came from. Merge keys (``<<: *base``)
    are applied as YAML defines them: explicit keys win, then earlier merged mappings."""

    def __init__(self, source: SourceFile, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        self.open: set[int] = set()

    def error(self, node: yaml.Node, pointer: str, message: str) -> None:
        mark = node.start_mark
        where = Location(self.source.display, mark.line + 1, mark.column + 1, pointer)
        self.problems.append(Problem("error", where, message))

    def build(self, node: yaml.Node, pointer: str) -> Any:
        self.source.marks[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.open:
            self.error(node, pointer, "a YAML alias refers to a node that contains it")
            return None
        if isinstance(node, yaml.MappingNode):
            self.open.add(id(node))
            out = self._mapping(node, pointer)
            self.open.discard(id(node))
            return out
        if isinstance(node, yaml.SequenceNode):
            self.open.add(id(node))
            items = [self.build(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
            self.open.discard(id(node))
            return items
        return self._scalar(node, pointer)

    def _scalar(self, node: yaml.Node, pointer: str) -> Any:
        try:
            value = _SCALARS.construct_object(node)
        except yaml.constructor.ConstructorError:
            value = b""  # an unknown tag: reported below
        if not isinstance(value, _JSON_SCALARS):
            self.error(node, pointer, f"YAML value tagged {node.tag!r} has no JSON equivalent")
            return None
        return value

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Any]:
        explicit: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = self._key(key_node, pointer)
            if key is None:
                self.error(key_node, pointer, "mapping keys must be strings")
            elif key in explicit:
                self.error(key_node, f"{pointer}/{escape(key)}", f"duplicate key {key!r}")
            else:
                explicit[key] = (key_node, value_node)
        pairs = {**self._merged(merges, pointer), **explicit}
        out: dict[str, Any] = {}
        for key, (key_node, value_node) in pairs.items():
            child = f"{pointer}/{escape(key)}"
            self.source.key_marks[child] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.build(value_node, child)
        return out

    def _key(self, node: yaml.Node, pointer: str) -> str | None:
        """A mapping key as JSON has it (a string); None for keys that cannot be one."""
        key = self._scalar(node, pointer) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(key, int | float | bool):
            return str(key)
        return key if isinstance(key, str) else None

    def _merged(
        self, merges: list[yaml.Node], pointer: str, within: frozenset[int] = frozenset()
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The pairs merge keys bring in: earlier mappings win over later ones."""
        sources: list[yaml.Node] = []
        for value in merges:
            sources += value.value if isinstance(value, yaml.SequenceNode) else [value]
        pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                self.error(source, pointer, "a merge key (<<) takes a mapping or a list of them")
                continue
            if id(source) in within:
                self.error(source, pointer, "a merge key (<<) brings in a mapping into itself")
                continue
            nested = [v for k, v in source.value if k.tag == _MERGE]
            own = self._merged(nested, pointer, within | {id(source)})
            for key_node, value_node in source.value:
                key = self._key(key_node, pointer) if key_node.tag != _MERGE else None
                if key is not None:
                    own[key] = (key_node, value_node)
            pairs.update(own)
        return pairs


class Node:
    """A value in a loaded file, with its location; ``deref`` follows ``$ref`` across files."""

    __slots__ = ("pointer", "source", "value", "workspace")

    def __init__(self, workspace: Workspace, source: SourceFile, pointer: str, value: Any) -> None:
        self.workspace = workspace
        self.source = source
        self.pointer = pointer
        self.value = value

    @property
    def location(self) -> Location:
        return self.source.location(self.pointer)

    @property
    def key_location(self) -> Location:
        """Where the key of this mapping value is written (its value may start lines later)."""
        return self.source.key_location(self.pointer) or self.location

    @property
    def identity(self) -> tuple[Path, str]:
        return (self.source.path, self.pointer)

    def child(self, key: str | int) -> Node:
        return Node(
            self.workspace, self.source, f"{self.pointer}/{escape(str(key))}", self.value[key]
        )

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return self.child(key)
        return None

    def items(self) -> Iterator[tuple[str, Node]]:
        if isinstance(self.value, dict):
            for key in self.value:
                yield key, self.child(key)

    def elements(self) -> Iterator[Node]:
        if isinstance(self.value, list):
            for i in range(len(self.value)):
                yield self.child(i)

    @property
    def is_ref(self) -> bool:
        return isinstance(self.value, dict) and "$ref" in self.value

    def deref(self) -> Node:
        """Follow ``$ref`` chains to a non-ref node; dangling refs and ref loops are SpecErrors."""
        node = self
        seen: list[tuple[Path, str]] = []
        while node.is_ref:
            if node.identity in seen:
                chain = " -> ".join(f"{p.name}#{ptr}" for p, ptr in [*seen, node.identity])
                raise SpecError([Problem("error", self.location, f"$ref cycle: {chain}")])
            seen.append(node.identity)
            node = node._follow()
        return node

    def ref_target(self) -> Node:
        """Follow exactly one ``$ref``."""
        return self._follow()

    def _follow(self) -> Node:
        ref_node = self.child("$ref")
        ref = ref_node.value
        if not isinstance(ref, str):
            raise SpecError([Problem("error", ref_node.location, "$ref must be a string")])
        target, _, fragment = ref.partition("#")
        source = self.source
        if target:
            if "://" in target:
                msg = f"remote $ref {ref!r} is not supported: use a relative file path"
                raise SpecError([Problem("error", ref_node.location, msg)])
            source = self.workspace.load(source.path.parent / unquote(target), ref_node.location)
        if fragment and not fragment.startswith("/"):
            msg = f"$ref {ref!r}: the fragment must be a JSON pointer starting with '/'"
            raise SpecError([Problem("error", ref_node.location, msg)])
        tokens = [unescape(t) for t in fragment.split("/")[1:]] if fragment else []
        node = Node(self.workspace, source, "", source.data)
        for key in tokens:
            child = _step(node, key)
            if child is None:
                return self._lenient(
                    ref, ref_node, Node(self.workspace, source, "", source.data), tokens, key
                )
            node = child
        return node

    def _lenient(
        self, ref: str, ref_node: Node, root: Node, tokens: list[str], missing: str
    ) -> Node:
        """A pointer that does not resolve token by token: read unescaped '/' in keys literally
        (a warning, since the official parser refuses it), else the dangling-ref error."""
        found = _resolve(root, tokens)
        if found is None:
            msg = f"$ref {ref!r} does not resolve: no {missing!r} in {root.source.display}"
            raise SpecError([Problem("error", ref_node.location, msg)])
        node, literal = found
        if literal:
            # Worded without the key, so that a document full of such refs folds into one line.
            self.workspace.problems.warning(
                ref_node.location,
                "$ref resolves only by reading '/' inside a key literally; JSON Pointer writes "
                "it '~1' (the official parser rejects this ref)",
            )
        return node


class Merged(Node):
    """A mapping merged from several nodes (AsyncAPI traits): its value is the merge, and each key
    reads from the node that wrote it, so locations and relative ``$ref``s stay the writer's."""

    __slots__ = ("parts",)

    def __init__(self, home: Node, parts: dict[str, Node]) -> None:
        value = {key: node.value for key, node in parts.items()}
        super().__init__(home.workspace, home.source, home.pointer, value)
        self.parts = parts

    def child(self, key: str | int) -> Node:
        return self.parts[key] if isinstance(key, str) else super().child(key)


def merge_patch(target: Node | None, patch: Node, home: Node) -> Node:
    """RFC 7386 JSON Merge Patch over nodes: ``patch``'s keys win, ``null`` removes a key, and
    mappings on both sides merge key by key (the result stands at ``home``). A value only one
    side has is kept as written, unresolved ``$ref``s included."""
    if target is None:
        return patch
    base, over = target.deref(), patch.deref()
    if not isinstance(base.value, dict) or not isinstance(over.value, dict):
        return patch
    parts = dict(base.items())
    for key, node in over.items():
        if node.value is None:
            parts.pop(key, None)
        else:
            parts[key] = merge_patch(parts.get(key), node, node)
    return Merged(home, parts)


def _step(node: Node, key: str) -> Node | None:
    """One reference token; a ``$ref`` met on the way is followed first, as AsyncAPI tools
    resolve a document before reading pointers into it."""
    value = node.value
    if isinstance(value, dict) and "$ref" in value and key not in value:
        node = node.deref()
        value = node.value
    if isinstance(value, dict) and key in value:
        return node.child(key)
    if isinstance(value, list) and key.isdigit() and int(key) < len(value):
        return node.child(int(key))
    return None


def _resolve(node: Node, tokens: list[str]) -> tuple[Node, bool] | None:
    """Walk the tokens; where one does not resolve, try it joined with the next ones by a literal
    '/' (keys such as ``a/b`` written unescaped). Returns the node and whether a key was read
    that way."""
    if not tokens:
        return node, False
    for width in range(1, len(tokens) + 1):
        key = "/".join(tokens[:width])
        child = _step(node, key)
        if child is None:
            continue
        rest = _resolve(child, tokens[width:])
        if rest is not None:
            return rest[0], width > 1 or rest[1]
    return None
