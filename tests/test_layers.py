"""The generator's folders are its pipeline: no stage imports a later one, and the static runtime
imports nothing of msgen (it is copied into packages that do not have msgen)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import ROOT

PACKAGE = ROOT / "generator" / "msgen"
#: The stages in pipeline order; the face (cli, config, render, output) comes last.
STAGES = ["reading", "model", "views", "backends", "face"]


def stage(module: str) -> str:
    """The stage of a module ``msgen.<part>...``."""
    part = module.split(".")[1] if module.count(".") else ""
    return part if part in STAGES else "face"


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "msgen" or name.startswith("msgen.")}


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "runtime" not in p.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(PACKAGE)) for p in SOURCES])
def test_no_stage_imports_a_later_one(path: Path) -> None:
    module = "msgen." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    mine = STAGES.index(stage(module))
    later = sorted(m for m in imports(path) if m != "msgen" and STAGES.index(stage(m)) > mine)
    assert later == [], f"{module} ({STAGES[mine]}) imports later stages: {later}"


def test_the_static_runtime_needs_no_msgen() -> None:
    """Runtime modules import their siblings relatively; only their tests' stand-ins name msgen."""
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(imports(p))
        for p in (PACKAGE / "runtime").glob("*.py")
        if imports(p)
    }
    assert offenders == {}
