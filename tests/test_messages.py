"""Every error and warning msgen can print is triggered by a test.

The generator's source is read (not run) for the places that make a message: ``Problems.error``
and ``.warning``, ``Problem(...)``, ``raise ConfigError/OutputError(...)``, the command line's
``_fail`` and ``echo(..., err=True)``, and the reasons ``*_problem`` functions return. An f-string
becomes a pattern (each ``{...}`` matches anything). A message is covered when a line of a snapshot
(``tests/broken/*/expected.txt``, ``tests/usage/*/expected.txt``) or a whole string written in a
test (``{...}`` in a test's f-string stands for anything) ends with it. ``RenderError`` is not a
user's message: it is a bug in msgen, which the command line reports as one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from support import ROOT

GENERATOR = ROOT / "generator" / "msgen"
TESTS = ROOT / "tests"
SNAPSHOTS = sorted([*TESTS.glob("broken/*/expected.txt"), *TESTS.glob("usage/*/expected.txt")])
#: Exceptions whose text reaches the user as it is.
USER_ERRORS = frozenset({"ConfigError", "OutputError"})
#: Stands for a ``{...}`` of a test's f-string.
ANY = "\0"

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

    def found_in(self, line: str) -> bool:
        return re.search(rf"(?:^|: ){self.pattern}$", line) is not None


def _alternatives(expr: ast.expr, scope: ast.AST) -> list[tuple[ast.expr, str]]:
    """(where the text is written, pattern) for each text ``expr`` can be; [] for forwarded text."""
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
            return _alternatives(body, scope) + _alternatives(orelse, scope)
        case ast.List(elts=items) | ast.Tuple(elts=items):
            return [a for item in items for a in _alternatives(item, scope)]
        case ast.Name(id=name):
            # The last assignment before the use: ``msg = f"..."`` then ``Problem(..., msg)``.
            earlier = [
                node
                for node in ast.walk(scope)
                if isinstance(node, ast.Assign)
                and node.lineno < expr.lineno
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ]
            if earlier:
                return _alternatives(max(earlier, key=lambda n: n.lineno).value, scope)
    return []


def _message_arguments(tree: ast.Module) -> Iterator[tuple[ast.expr, ast.AST]]:
    """(message expression, enclosing function) for every place that makes a message."""

    def visit(node: ast.AST, scope: ast.AST) -> Iterator[tuple[ast.expr, ast.AST]]:
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
                yield args[1], scope
            elif name == "Problem" and len(args) >= 3:
                yield args[2], scope
            elif (name == "_fail" and args) or (
                ast.unparse(func).endswith("echo")
                and args
                and any(
                    k.arg == "err" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in node.keywords
                )
            ):
                yield args[0], scope
        if (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and isinstance(node.exc.func, ast.Name)
            and node.exc.func.id in USER_ERRORS
            and node.exc.args
        ):
            yield node.exc.args[0], scope
        if (
            isinstance(node, ast.Return)
            and isinstance(scope, ast.FunctionDef)
            and scope.name.endswith("_problem")
            and node.value is not None
        ):
            yield node.value, scope
        for child in ast.iter_child_nodes(node):
            yield from visit(child, scope)

    yield from visit(tree, tree)


def _is_forwarded(pattern: str) -> bool:
    """Nothing of its own to say (``f"msgen: {exc}"``): the forwarded text is checked where made."""
    literal = pattern.replace(".*", "").replace("msgen:", "")
    return not re.search(r"[A-Za-z]", literal)


def find_messages(source: str, where: str) -> list[Message]:
    out = []
    for expr, scope in _message_arguments(ast.parse(source)):
        for written, pattern in _alternatives(expr, scope):
            if not _is_forwarded(pattern):
                text = " ".join((ast.get_source_segment(source, written) or "").split())
                out.append(Message(f"{where}:{written.lineno}", text, pattern))
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
    for path in sorted(TESTS.glob("*.py")):
        lines.extend(strings_in_test(path.read_text(encoding="utf-8")))
    return lines


def test_every_message_has_a_test_that_triggers_it() -> None:
    messages = all_messages()
    assert len(messages) > 80, "the scan lost its way: far fewer messages than msgen has"
    missing = uncovered(messages, all_evidence())
    assert not missing, report(missing)


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
