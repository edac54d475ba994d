"""Every error and warning msgen can print is triggered by a test.

The generator's source is read (not run) for the places that make a message: ``Problems.error``
and ``.warning``, ``Problem(...)``, ``raise ConfigError/OutputError(...)``, the command line's
``_fail`` and ``echo(..., err=True)``, and the reasons ``*_problem`` functions return. An f-string
becomes a pattern (each ``{...}`` matches anything). A message is covered when a line of a snapshot
(``tests/broken/*/expected.txt``, ``tests/usage/*/expected.txt``) or a whole string written in a
test (``{...}`` in a test's f-string stands for anything) ends with it. ``RenderError`` is not a
user's message: it is a bug in msgen, which the command line reports as one. A few schema checks
are pre-empted by the draft-07 meta-schema check, which reports the same mistake first
(``PREEMPTED``, each shown by a test).
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import ROOT

from msgen.model.normalize import load
from msgen.reading.problems import SpecError

GENERATOR = ROOT / "generator" / "msgen"
TESTS = ROOT / "tests"
SNAPSHOTS = sorted([*TESTS.glob("broken/*/expected.txt"), *TESTS.glob("usage/*/expected.txt")])
#: Exceptions whose text reaches the user as it is.
USER_ERRORS = frozenset({"ConfigError", "OutputError"})
#: Stands for a ``{...}`` of a test's f-string.
ANY = "\0"
#: Messages of the schema converter that the meta-schema check pre-empts, each with a property
#: schema that would reach it: the check reports "invalid schema" there first.
PREEMPTED = {
    '"a schema must be an object or a boolean"': "3",
    'f"bad type list {types!r}"': "type: [string, foo]",
    'f"unknown type {types!r}"': "type: foo",
    '"pattern must be a string"': "type: string\npattern: 3",
    '"properties must be a mapping"': "type: object\nproperties: 3",
    '"required must be a list of strings"': "type: object\nrequired: [3]",
    'f"{key} must be a number"': "type: number\nminimum: true",
    '"allOf must be a non-empty list"': "allOf: []",
}

HOW_TO = """\
{count} message(s) that msgen can print have no test that triggers them:
{lines}
Give each one a test:
  - a broken spec: tests/broken/<case>/<case>.yaml (plus files it refers to, optional `args`),
    then `MSGEN_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_errors.py -k <case>` writes
    expected.txt (review it);
  - a wrong option, configuration or output folder: tests/usage/<case>/command (see
    tests/test_cli.py), then the same with tests/test_cli.py;
  - or a test that asserts the whole message as a string.
"""


@dataclass(frozen=True)
class Message:
    where: str
    source: str
    pattern: str
    #: A spec problem, printed as ``FILE:LINE:COL: POINTER: [warning: ]message``.
    located: bool

    def found_in(self, line: str) -> bool:
        """A snapshot line that prints it, or a test string that is all of it."""
        if self.located:
            # The place may be written whole, or from the JSON pointer on.
            shape = rf"(?:(?:.+?:\d+:\d+: )?/.*?: (?:warning: )?)?{self.pattern}"
        else:
            shape = rf"(?:.*: )?{self.pattern}"
        return re.fullmatch(shape, line) is not None


def _alternatives(
    expr: ast.expr, scope: ast.AST, module: ast.Module, seen: frozenset[str] = frozenset()
) -> list[tuple[ast.expr, str]]:
    """(where the text is written, pattern) for each text ``expr`` can be; [] for forwarded text.

    Follows a name to its last assignment before the use (``msg = f"..."``), and a call of a
    function of the same module to what it returns (``self._unknown(key, ...)``).
    """

    def again(
        node: ast.expr, where: ast.AST = scope, names: frozenset[str] = seen
    ) -> list[tuple[ast.expr, str]]:
        return _alternatives(node, where, module, names)

    match expr:
        case ast.Constant(value=str() as value):
            return [(expr, re.escape(value))]
        case ast.JoinedStr(values=parts):
            out = ""
            for part in parts:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    out += re.escape(part.value)
                else:
                    out += ".*"
            return [(expr, out)]
        case ast.IfExp(body=body, orelse=orelse):
            return again(body) + again(orelse)
        case ast.List(elts=items) | ast.Tuple(elts=items):
            return [a for item in items for a in again(item)]
        case ast.Name(id=name):
            earlier = [
                node
                for node in ast.walk(scope)
                if isinstance(node, ast.Assign)
                and node.lineno < expr.lineno
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ]
            if earlier:
                return again(max(earlier, key=lambda n: n.lineno).value)
        case ast.Call(func=ast.Name(id=called) | ast.Attribute(attr=called)) if called not in seen:
            return [
                found
                for function in ast.walk(module)
                if isinstance(function, ast.FunctionDef) and function.name == called
                for node in ast.walk(function)
                if isinstance(node, ast.Return) and node.value is not None
                for found in again(node.value, function, seen | {called})
            ]
    return []


def _message_arguments(tree: ast.Module) -> Iterator[tuple[ast.expr, ast.AST, bool]]:
    """(message expression, enclosing function, located) for every place that makes a message."""

    def visit(node: ast.AST, scope: ast.AST) -> Iterator[tuple[ast.expr, ast.AST, bool]]:
        if isinstance(node, ast.FunctionDef):
            scope = node
        if isinstance(node, ast.Call):
            func, args = node.func, node.args
            name = func.id if isinstance(func, ast.Name) else ""
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("error", "warning")
                and ast.unparse(func.value).endswith("problems")
                and len(args) >= 2
            ):
                yield args[1], scope, True
            elif name == "Problem" and len(args) >= 3:
                yield args[2], scope, True
            elif (name == "_fail" and args) or (
                ast.unparse(func).endswith("echo")
                and args
                and any(
                    k.arg == "err" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in node.keywords
                )
            ):
                yield args[0], scope, False
        if (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and isinstance(node.exc.func, ast.Name)
            and node.exc.func.id in USER_ERRORS
            and node.exc.args
        ):
            yield node.exc.args[0], scope, False
        if (
            isinstance(node, ast.Return)
            and isinstance(scope, ast.FunctionDef)
            and scope.name.endswith("_problem")
            and node.value is not None
        ):
            yield node.value, scope, False
        for child in ast.iter_child_nodes(node):
            yield from visit(child, scope)

    yield from visit(tree, tree)


def _is_forwarded(pattern: str) -> bool:
    """Nothing of its own to say (``f"msgen: {exc}"``): the forwarded text is checked where made."""
    literal = pattern.replace(".*", "").replace("msgen:", "")
    return not re.search(r"[A-Za-z]", literal)


def find_messages(source: str, where: str) -> list[Message]:
    out = []
    module = ast.parse(source)
    for expr, scope, located in _message_arguments(module):
        for written, pattern in _alternatives(expr, scope, module):
            if not _is_forwarded(pattern):
                text = " ".join((ast.get_source_segment(source, written) or "").split())
                out.append(Message(f"{where}:{written.lineno}", text, pattern, located))
    return out


def strings_in_test(source: str) -> list[str]:
    """Every string a test writes, an f-string's ``{...}`` standing for anything."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.extend(node.value.splitlines())
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                p.value if isinstance(p, ast.Constant) and isinstance(p.value, str) else ANY
                for p in node.values
            )
            out.extend(text.splitlines())
    return out


def uncovered(messages: list[Message], evidence: list[str]) -> list[Message]:
    return [m for m in messages if not any(m.found_in(line) for line in evidence)]


def report(missing: list[Message]) -> str:
    lines = "\n".join(f"  {m.where}: {m.source}" for m in missing)
    return HOW_TO.format(count=len(missing), lines=lines)


def all_messages() -> list[Message]:
    out = []
    for path in sorted(GENERATOR.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        out.extend(find_messages(path.read_text(encoding="utf-8"), where))
    return out


def all_evidence() -> list[str]:
    lines = [line for path in SNAPSHOTS for line in path.read_text("utf-8").splitlines()]
    for path in sorted(TESTS.rglob("*.py")):
        if "fixtures" in path.relative_to(TESTS).parts:
            continue
        lines.extend(strings_in_test(path.read_text(encoding="utf-8")))
    return lines


def test_every_message_has_a_test_that_triggers_it() -> None:
    messages = all_messages()
    assert len(messages) > 80, "the scan lost its way: far fewer messages than msgen has"
    assert set(PREEMPTED) <= {m.source for m in messages}, "PREEMPTED names a message gone"
    checked = [m for m in messages if m.source not in PREEMPTED]
    missing = uncovered(checked, all_evidence())
    assert not missing, report(missing)


SPEC_WITH_PROPERTY = """\
asyncapi: 3.0.0
info: {title: Preempted, version: 1.0.0}
channels:
  socket:
    address: /
    messages:
      ping: {$ref: '#/components/messages/ping'}
operations:
  receivePing:
    action: receive
    channel: {$ref: '#/channels/socket'}
components:
  messages:
    ping:
      examples: [{payload: {type: ping}}]
      payload:
        type: object
        required: [type]
        properties:
          type: {type: string, const: ping}
          x:
%s
"""


@pytest.mark.parametrize("source", sorted(PREEMPTED))
def test_a_preempted_message_yields_to_the_meta_schema(source: str, tmp_path: Path) -> None:
    message = next(m for m in all_messages() if m.source == source)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_WITH_PROPERTY % textwrap.indent(PREEMPTED[source], " " * 12))
    with pytest.raises(SpecError) as caught:
        load(spec)
    said = [str(p) for p in caught.value.problems]
    assert any("/properties/x" in line and ": invalid schema: " in line for line in said), said
    assert not any(message.found_in(line) for line in said), said


SAMPLE = """
def check(problems, node, key, where, exc):
    problems.error(node.location, f"the key {key!r} is odd")
    msg = f"remote $ref {key!r} is not supported"
    raise SpecError([Problem("error", node.location, msg)])
    raise ConfigError(f"{where}: [tool.msgen] must be a table")
    _fail(f"msgen: {exc}")
    problems.warning(node.location, "tuple `items` is not enforced" if key else "never said")

def name_problem(name):
    return "a Python keyword"
"""


def test_the_scan_finds_each_kind_of_message_and_says_which_lacks_a_test() -> None:
    messages = find_messages(SAMPLE, "sample.py")
    assert [m.source for m in messages] == [
        'f"the key {key!r} is odd"',
        'f"remote $ref {key!r} is not supported"',
        'f"{where}: [tool.msgen] must be a table"',
        '"tuple `items` is not enforced"',
        '"never said"',
        '"a Python keyword"',
    ]
    evidence = [
        "spec.yaml:3:5: /x: the key 'a' is odd",
        "spec.yaml:4:5: /y: remote $ref 'http://x' is not supported",
        "msgen: pyproject.toml: [tool.msgen] must be a table",
        "spec.yaml:9:1: /z: warning: tuple `items` is not enforced",
        *strings_in_test('assert f"msgen: --package {name!r}: a Python keyword" in err'),
    ]
    assert uncovered(messages, evidence) == [messages[4]]
    assert '  sample.py:8: "never said"' in report(uncovered(messages, evidence))
    # A message must end the line: a longer message with the same start does not cover it.
    assert (
        uncovered(messages, ["spec.yaml:3:5: /x: the key 'a' is odd, and more"])[0] == messages[0]
    )
