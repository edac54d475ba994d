"""The command line, run for real: build, check (the golden record), validate, exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

from support import ROOT, SPEC, run_msgen


def copy_project(tmp_path: Path) -> Path:
    """The spec, pyproject and generated tree in a scratch folder, for tests that break them."""
    work = tmp_path / "project"
    (work / "specs").mkdir(parents=True)
    shutil.copy(SPEC, work / "specs" / SPEC.name)
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    shutil.copytree(
        ROOT / "generated", work / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    return work


def test_generated_is_the_golden_record() -> None:
    result = run_msgen("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_fails_with_a_diff_when_a_generated_file_was_edited(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    frames = work / "generated" / "twilio_media_streams" / "frames.py"
    frames.write_text(frames.read_text().replace("class Clear:", "class Clear:  # edited"))
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    assert "--- a/generated/twilio_media_streams/frames.py" in result.stdout
    assert "-class Clear:  # edited" in result.stdout
    assert "+class Clear:" in result.stdout
    assert "1 changed, 0 missing, 0 extra" in result.stderr


def test_check_fails_when_the_spec_changed(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    spec = work / "specs" / SPEC.name
    spec.write_text(spec.read_text() + "\n# a comment changes the bytes, hence the sha256\n")
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    # Only _generated.py names the spec's sha256: a comment changes that file alone.
    assert "+++ b/generated/twilio_media_streams/_generated.py" in result.stdout
    assert result.stdout.count("+++ ") == 1
    assert "1 changed, 0 missing, 0 extra" in result.stderr


def test_a_one_word_change_shows_only_its_lines(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    spec = work / "specs" / SPEC.name
    text = spec.read_text()
    assert text.count("summary: The caller pressed a key.") == 1
    spec.write_text(
        text.replace("summary: The caller pressed a key.", "summary: The caller hit a key.")
    )
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    changed = [line for line in result.stdout.splitlines() if line.startswith(("-", "+"))]
    files = [line for line in changed if line.startswith(("---", "+++"))]
    edits = [line for line in changed if not line.startswith(("---", "+++"))]
    hashes = [line for line in edits if "sha256" in line.lower() or "yaml" in line]
    words = [line for line in edits if line not in hashes]
    assert len(hashes) == 4, hashes  # SOURCES and SPEC_SHA256, before and after
    assert words, edits
    assert all("caller hit a key" in w or "caller pressed a key" in w for w in words), words
    assert "+++ b/generated/twilio_media_streams/_generated.py" in files


def test_check_lists_missing_and_extra_files(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    (work / "generated" / "twilio_media_streams" / "errors.py").unlink()
    (work / "generated" / "stray.txt").write_text("not generated\n")
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    assert "missing: generated/twilio_media_streams/errors.py" in result.stdout
    assert "extra: generated/stray.txt" in result.stdout


def test_check_ignores_tool_caches(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    cache = work / "generated" / "twilio_media_streams" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "frames.cpython-311.pyc").write_bytes(b"\0")
    assert run_msgen("check", cwd=work).returncode == 0


def test_build_then_check_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", SPEC, "--out", out)
    assert built.returncode == 0, built.stderr
    assert run_msgen("check", SPEC, "--out", out).returncode == 0
    assert run_msgen("check", SPEC, "--out", tmp_path / "absent").returncode == 1


def test_bare_commands_use_tool_msgen_defaults(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    shutil.rmtree(work / "generated")
    built = run_msgen("build", cwd=work)
    assert built.returncode == 0, built.stderr
    assert (work / "generated" / "twilio_media_streams" / "frames.py").is_file()


def test_broken_spec_exits_2_with_a_location_and_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("asyncapi: 3.0.0\ninfo:\n  title: X\n  version: '1'\nchannels: [\n")
    out = tmp_path / "out"
    result = run_msgen("build", spec, "--out", out)
    assert result.returncode == 2
    assert result.stderr.startswith("broken.yaml:") or "broken.yaml:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_failed_build_keeps_the_previous_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_msgen("build", SPEC, "--out", out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "broken.yaml"
    broken.write_text("asyncapi: 9.9.9\n")
    assert run_msgen("build", broken, "--out", out).returncode == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_build_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious\n")
    result = run_msgen("build", SPEC, "--out", out)
    assert result.returncode == 2
    assert "refusing to replace" in result.stderr
    assert (out / "notes.txt").read_text() == "precious\n"


def test_validate_writes_nothing(tmp_path: Path) -> None:
    result = run_msgen("validate", SPEC, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "6 in, 3 out" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_missing_spec_argument_without_config_is_a_usage_error(tmp_path: Path) -> None:
    result = run_msgen("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "no spec given" in result.stderr


def test_malformed_tool_msgen_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.msgen]\nspec = "x.yaml"\nmodels = "pydantic"\n')
    result = run_msgen("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "models must be one of" in result.stderr


def test_version() -> None:
    result = run_msgen("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("msgen ")
