"""[tool.msgen]: found upward from the working folder, paths relative to its pyproject."""

from __future__ import annotations

import ast
import keyword
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import ROOT, SPEC

from msgen.config import IMPORTED, MODULES, Config, ConfigError, load_config, package_problem
from msgen.model.normalize import load
from msgen.render import render

CHAT = ROOT / "tests" / "fixtures" / "chat" / "chat.yaml"
CONNECTION = ROOT / "tests" / "fixtures" / "connection" / "connection.yaml"


def test_defaults_when_there_is_no_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path) == Config()


def test_no_side_leaves_it_to_the_document_version(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.msgen]\nmodels = "msgspec"\n')
    assert load_config(tmp_path).side is None


def test_paths_are_relative_to_the_pyproject_found_upward(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.msgen]\nspec = "specs/a.yaml"\nout = "gen"\nmodels = "msgspec"\n'
        'side = "application"\nstrict = true\npackage = "p"\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(nested)
    assert config == Config(
        spec=tmp_path / "specs/a.yaml",
        out=tmp_path / "gen",
        package="p",
        models="msgspec",
        side="application",
        strict=True,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('models = "attrs"', "models must be one of"),
        ('side = "left"', "side must be one of"),
        ("strict = 1", "strict must be true or false"),
        ("spec = 3", "spec must be a string"),
        ('colour = "blue"', "unknown [tool.msgen] keys: colour"),
    ],
)
def test_mistakes_are_config_errors(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.msgen]\n{body}\n")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(tmp_path)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.msgen\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path)


def test_config_names_the_pyproject_it_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path).pyproject == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "my-pkg",
            "not a Python identifier of ASCII letters, digits and underscores; try 'my_pkg'",
        ),
        ("café", "not a Python identifier of ASCII letters, digits and underscores; try 'cafe'"),
        ("json-", "not a Python identifier of ASCII letters, digits and underscores"),
        ("class", "a Python keyword"),
        ("asyncio", "shadows the standard library module asyncio"),
        ("websockets", "shadows websockets, which the generated code imports"),
        ("tests", "clashes with the generated tests (tests/, conftest, test_*)"),
        ("test_frames", "clashes with the generated tests (tests/, conftest, test_*)"),
        ("twilio_media_streams", None),
        ("frames", "clashes with the generated package's own module frames"),
        ("serve", "clashes with the generated package's own module serve"),
    ],
)
def test_package_problem(name: str, reason: str | None) -> None:
    assert package_problem(name) == reason


@given(st.text(max_size=30))
def test_an_accepted_package_name_imports_as_itself(name: str) -> None:
    problem = package_problem(name)
    if problem is None:
        assert name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
        assert name not in sys.stdlib_module_names and name not in IMPORTED
        assert name not in MODULES
    elif "; try " in problem:
        assert package_problem(problem.rsplit("'", 2)[1]) is None


def test_imported_names_what_generated_code_imports_beside_the_stdlib() -> None:
    """Rendered for real (both backends, one spec file and several), so it cannot go stale."""
    generated = ROOT / "generated"
    sources = [
        p.read_text()
        for p in generated.rglob("*.py")
        if "build" not in p.relative_to(generated).parts
    ]
    for spec, models in ((SPEC, "msgspec"), (CHAT, "dataclasses")):
        rendered = render(load(spec), models)
        sources += [text for path, text in rendered.items() if path.endswith(".py")]
    modules = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    own = {"twilio_media_streams", "chat_relay"}
    tests = {m for m in modules if m.startswith("test_")}  # generated tests share helpers
    assert modules - set(sys.stdlib_module_names) - own - tests == IMPORTED


def test_modules_names_the_modules_of_generated_packages() -> None:
    """Every public module a package defines, rendered for real with every optional file: a
    server's (Twilio's) and a client's."""
    found: set[str] = set()
    for spec, package in ((SPEC, "twilio_media_streams/"), (CONNECTION, "connection_shapes/")):
        found |= {
            path[len(package) :].split("/")[0].removesuffix(".py")
            for path in render(load(spec), "dataclasses")
            if path.startswith(package) and not path.split("/")[-1].startswith("_")
        }
    assert found - {"py.typed"} == MODULES
