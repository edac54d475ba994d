"""Unknown and misplaced keys in a document's AsyncAPI objects, found against the version's tables.

Each is a located warning naming the key (with a suggestion when one is close): msgen reads only
the fields it knows, so a stray key never makes code impossible, but a misspelled one silently
loses what it meant. ``x-`` extensions are fine anywhere; schemas are checked elsewhere.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from msgen.reading.fields import (
    NAMES,
    VERSIONS_2,
    VERSIONS_3,
    fields,
    is_open,
    security_types,
)
from msgen.reading.loader import Node
from msgen.reading.problems import Problems, SpecError

#: How close a key must be to a known one to be suggested (difflib's ratio, case ignored).
CLOSE = 0.75


def check(root: Node, version: str, problems: Problems) -> None:
    """Walk every AsyncAPI object reachable from the root, each once, and warn about stray keys."""
    _Walker(version, problems).visit(root, "document", "")


class _Walker:
    def __init__(self, version: str, problems: Problems) -> None:
        self.version = version
        self.problems = problems
        self.seen: set[tuple[Path, str, str]] = set()

    def visit(self, node: Node, kind: str, parent: str) -> None:
        if node.is_ref:
            for key, child in node.items():
                if key != "$ref":
                    msg = f"key {key!r} next to $ref is ignored (a reference takes no other keys)"
                    self.problems.warning(child.key_location, msg)
        try:
            target = node.deref()
        except SpecError as exc:
            # Reported as an error instead wherever msgen needs the target (see problems.report).
            for problem in exc.problems:
                self.problems.warning(problem.location, problem.message)
            return
        if not isinstance(target.value, dict) or (*target.identity, kind) in self.seen:
            return
        self.seen.add((*target.identity, kind))
        if kind == "message" and self.version in VERSIONS_2 and "oneOf" in target.value:
            self._one_of(target)
            return
        known = self._known(target, kind)
        for key, child in target.items():
            if key in known:
                self._values(child, known[key], kind)
            elif not key.startswith("x-") and not is_open(kind, self.version):
                self.problems.warning(child.key_location, self._unknown(key, kind, parent, known))

    def _values(self, node: Node, spec: str, kind: str) -> None:
        if not spec:
            return
        if spec.startswith("{"):
            for _, child in node.items():
                self.visit(child, spec[1:-1], kind)
        elif spec.startswith("["):
            for child in node.elements():
                self.visit(child, spec[1:-1], kind)
        else:
            self.visit(node, spec, kind)

    def _one_of(self, target: Node) -> None:
        """A 2.x operation's ``message: {oneOf: [...]}``: a list of messages, and nothing else."""
        for key, child in target.items():
            if key == "oneOf":
                for message in child.elements():
                    self.visit(message, "message", "operation")
            elif not key.startswith("x-"):
                msg = f"key {key!r} next to `oneOf` in a message: ignored"
                self.problems.warning(child.key_location, msg)

    def _known(self, target: Node, kind: str) -> dict[str, str]:
        known = fields(kind, self.version)
        if kind != "securityScheme":
            return known
        types = security_types(self.version)
        type_node = target.get("type")
        scheme = type_node.value if type_node is not None else None
        if isinstance(scheme, str) and scheme in types:
            own = types[scheme] | {"type", "description"}
            return {k: v for k, v in known.items() if k in own}
        close = _close(scheme, list(types)) if isinstance(scheme, str) else None
        if close:
            hint = f"did you mean {close!r}?"
        else:
            hint = f"AsyncAPI {self.version} has {', '.join(types)}"
        if type_node is None:
            self.problems.warning(target.location, f"security scheme without `type` ({hint})")
        else:
            self.problems.warning(
                type_node.location, f"unknown security scheme type {scheme!r}; {hint}"
            )
        return known

    def _unknown(self, key: str, kind: str, parent: str, known: dict[str, str]) -> str:
        """Why the key is not read: facts (another version, the parent object, another security
        scheme type) before a guess at a misspelling."""
        what = NAMES[kind]
        elsewhere = ""
        if parent and key in fields(parent, self.version):
            elsewhere = f"; it belongs in {NAMES[parent]}"
        if kind == "securityScheme":
            owners = [t for t, own in security_types(self.version).items() if key in own]
            if owners:
                types = " or ".join(map(repr, owners))
                return f"key {key!r} is for security schemes of type {types}: ignored"
        family = VERSIONS_3 if self.version in VERSIONS_3 else VERSIONS_2
        later = [v for v in family if key in fields(kind, v)]
        if later:
            return (
                f"key {key!r} of {what} came with AsyncAPI {later[0]}, "
                f"this document is {self.version}{elsewhere}: ignored"
            )
        other = VERSIONS_2 if family is VERSIONS_3 else VERSIONS_3
        if any(key in fields(kind, v) for v in other):
            major = other[0][0]
            return (
                f"key {key!r} of {what} is AsyncAPI {major}.x, not {self.version}{elsewhere}: "
                "ignored"
            )
        if elsewhere:
            return f"key {key!r} is misplaced in {what}{elsewhere}: ignored"
        close = _close(key, list(known))
        if close:
            return f"unknown key {key!r}; did you mean {close!r}?"
        return f"unknown key {key!r} in {what}: ignored"


def _close(word: str, options: list[str]) -> str | None:
    """The known name closest to ``word``, ignoring case, if it is close enough."""
    lowered = {option.lower(): option for option in options}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=CLOSE)
    return lowered[found[0]] if found else None
