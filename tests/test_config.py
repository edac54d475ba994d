"""[tool.msgen]: found upward from the working folder, paths relative to its pyproject."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgen.config import Config, ConfigError, load_config


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
        ('models = "pydantic"', "models must be one of"),
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
