"""The command line, run for real: build, check (the golden record), validate, exit codes.

Each folder in ``tests/usage/`` is a mistake in the options, the configuration or the output
folder: ``command`` holds the arguments, run in a copy of the folder beside the Twilio spec (as
``twilio.yaml``); files named ``*.in`` are copied without that suffix (so no tool mistakes them
for this project's own), ``links`` lists ``NAME -> TARGET`` symlinks, and ``expected.txt`` is the
exact error output. ``MSGEN_UPDATE_SNAPSHOTS=1`` rewrites the snapshots.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from support import ROOT, SPEC, run_msgen

from msgen import RELEASE, __version__
from msgen.cli import EXIT_BUG

USAGE = Path(__file__).parent / "usage"
USAGE_CASES = sorted(p for p in USAGE.iterdir() if p.is_dir())


#: What rebuilds the project copy_project lays out, from its folder.
REBUILD = f"msgen build specs/{SPEC.name} --out generated"


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
    # Another msgen that renders the same bytes passes `msgen check`; the committed package also
    # names the msgen of its commit (run `msgen build` after changing msgen).
    assert "built by msgen" not in result.stdout, result.stdout


def test_check_fails_with_a_diff_when_a_generated_file_was_edited(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    frames = work / "generated" / "twilio_media_streams" / "frames.py"
    frames.write_text(frames.read_text().replace("class Clear:", "class Clear:  # edited"))
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    assert "--- a/generated/twilio_media_streams/frames.py" in result.stdout
    assert "-class Clear:  # edited" in result.stdout
    assert "+class Clear:" in result.stdout
    assert "1 changed, 0 missing, 0 extra" in result.stdout
    assert result.stderr == ""


def test_check_fails_when_the_spec_changed(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    spec = work / "specs" / SPEC.name
    spec.write_text(spec.read_text() + "\n# a comment changes the bytes, hence the sha256\n")
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    # Only _generated.py names the spec's sha256: a comment changes that file alone.
    assert "+++ b/generated/twilio_media_streams/_generated.py" in result.stdout
    assert result.stdout.count("+++ ") == 1
    assert "1 changed, 0 missing, 0 extra" in result.stdout


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
    assert result.stdout.splitlines() == [
        f"msgen: generated is out of date: 0 changed, 1 missing, 1 extra; run `{REBUILD}`",
        "  missing  generated/twilio_media_streams/errors.py",
        "  extra    generated/stray.txt",
    ]


#: A renderer other than this one.
OTHER = f"{RELEASE}+r0123456789ab"


def record_version(work: Path, version: str) -> None:
    """The copied package says another msgen built it."""
    record = work / "generated" / "twilio_media_streams" / "_generated.py"
    text, count = re.subn(
        r'^MSGEN_VERSION: Final = ".*"$',
        f'MSGEN_VERSION: Final = "{version}"',
        record.read_text(),
        flags=re.M,
    )
    assert count == 1
    record.write_text(text)


def test_a_package_another_msgen_rendered_alike_passes_and_check_names_both(
    tmp_path: Path,
) -> None:
    work = copy_project(tmp_path)
    record_version(work, OTHER)
    result = run_msgen("check", cwd=work)
    assert result.returncode == 0, result.stdout
    assert re.fullmatch(
        rf"msgen: generated is up to date \(\d+ files; built by msgen {re.escape(OTHER)}, "
        rf"checking with msgen {re.escape(__version__)}\)\n",
        result.stdout,
    ), result.stdout


def test_drift_names_the_msgen_that_built_the_package_and_the_one_checking(
    tmp_path: Path,
) -> None:
    work = copy_project(tmp_path)
    record_version(work, OTHER)
    frames = work / "generated" / "twilio_media_streams" / "frames.py"
    frames.write_text(frames.read_text().replace("class Clear:", "class Clear:  # edited"))
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        f"msgen: generated is out of date: 1 changed, 0 missing, 0 extra; run `{REBUILD}`",
        f"  built by msgen {OTHER}, checking with msgen {__version__}",
        "  changed  generated/twilio_media_streams/frames.py (+1 -1)",
        "--- a/generated/twilio_media_streams/frames.py",
    ]
    assert "MSGEN_VERSION" not in result.stdout  # the version alone is not drift


def test_drift_names_the_command_that_rebuilds_the_package(tmp_path: Path) -> None:
    """Not a bare `msgen build`: the spec, the folder and the options that change the output, from
    where check runs. ``_generated.py`` records the command from the folder that holds the
    package's folder, the same wherever msgen runs."""
    work = tmp_path / "project"
    (work / "specs").mkdir(parents=True)
    shutil.copy(SPEC, work / "specs" / SPEC.name)
    options = ["--package", "calls", "--models", "msgspec", "--side", "peer"]
    assert (
        run_msgen("build", f"specs/{SPEC.name}", "--out", "gen", *options, cwd=work).returncode == 0
    )
    command = f"msgen build specs/{SPEC.name} --out gen {' '.join(options)}"
    record = (work / "gen" / "calls" / "_generated.py").read_text()
    assert f'SPEC_PATH: Final = "specs/{SPEC.name}"' in record
    assert f'BUILD: Final = "{command}"' in record
    errors = work / "gen" / "calls" / "errors.py"
    errors.write_text(errors.read_text() + "# edited\n")
    result = run_msgen("check", f"specs/{SPEC.name}", "--out", "gen", *options, "--stat", cwd=work)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"msgen: gen is out of date: 1 changed, 0 missing, 0 extra; run `{command}`",
        "  changed  gen/calls/errors.py (+0 -1)",
    ]
    spec, out = f"project/specs/{SPEC.name}", "project/gen"
    result = run_msgen("check", spec, "--out", out, *options, "--stat", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "msgen: project/gen is out of date: 1 changed, 0 missing, 0 extra; "
        f"run `msgen build {spec} --out {out} {' '.join(options)}`"
    )


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


DEEPGRAM = ROOT / "tests" / "fixtures" / "deepgram" / "asyncapi.yml"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_build_refuses_to_replace_the_package_of_another_spec_unless_told(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    shutil.copytree(DEEPGRAM.parent, work / "specs" / "deepgram")
    before = tree(work / "generated")
    refused = run_msgen("build", "specs/deepgram/asyncapi.yml", cwd=work)
    assert refused.returncode == 2
    assert (refused.stdout, refused.stderr) == (
        "",
        "msgen: refusing to replace generated: it holds twilio_media_streams, generated from "
        f"specs/{SPEC.name}, not from specs/deepgram/asyncapi.yml; pass --replace to replace it\n",
    )
    assert tree(work / "generated") == before
    replaced = run_msgen("build", "specs/deepgram/asyncapi.yml", "--replace", cwd=work)
    assert replaced.returncode == 0, replaced.stderr
    assert sorted(p.name for p in (work / "generated").iterdir() if p.is_dir()) == [
        "deepgram",
        "tests",
    ]
    # Checking the configured spec now names the command that puts its package back.
    result = run_msgen("check", "--stat", cwd=work)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].endswith(f"; run `{REBUILD} --replace`")


def test_build_rebuilds_a_new_revision_of_the_same_spec_without_a_word(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    spec = work / "specs" / SPEC.name
    spec.write_text(spec.read_text().replace("The caller pressed a key.", "A key was pressed."))
    result = run_msgen("build", cwd=work)
    assert (result.returncode, result.stderr) == (0, "")
    assert "A key was pressed." in (work / "generated" / "README.md").read_text()


def test_a_package_an_older_msgen_recorded_by_name_is_told_apart_by_name(tmp_path: Path) -> None:
    """Before SPEC_PATH, _generated.py named the spec's file alone."""
    work = copy_project(tmp_path)
    record = work / "generated" / "twilio_media_streams" / "_generated.py"
    text, count = re.subn(r"^SPEC_PATH: .*\n", "", record.read_text(), flags=re.M)
    assert count == 1
    record.write_text(text)
    shutil.copytree(DEEPGRAM.parent, work / "specs" / "deepgram")
    refused = run_msgen("build", "specs/deepgram/asyncapi.yml", cwd=work)
    assert refused.returncode == 2
    assert refused.stderr == (
        "msgen: refusing to replace generated: it holds twilio_media_streams, generated from "
        f"{SPEC.name}, not from specs/deepgram/asyncapi.yml; pass --replace to replace it\n"
    )
    assert run_msgen("build", cwd=work).returncode == 0  # the same name: the same spec


def test_validate_writes_nothing(tmp_path: Path) -> None:
    result = run_msgen("validate", SPEC, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "6 in, 3 out" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_check_prints_the_summary_then_the_diff(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    frames = work / "generated" / "twilio_media_streams" / "frames.py"
    frames.write_text(frames.read_text().replace("class Clear:", "class Clear:  # edited"))
    (work / "generated" / "stray.txt").write_text("not generated\n")
    result = run_msgen("check", cwd=work)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"msgen: generated is out of date: 1 changed, 0 missing, 1 extra; run `{REBUILD}`",
        "  changed  generated/twilio_media_streams/frames.py (+1 -1)",
        "  extra    generated/stray.txt",
    ]
    assert lines[3] == "--- a/generated/twilio_media_streams/frames.py"


def test_check_stat_prints_the_summary_alone(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    (work / "generated" / "twilio_media_streams" / "errors.py").unlink()
    result = run_msgen("check", "--stat", cwd=work)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"msgen: generated is out of date: 0 changed, 1 missing, 0 extra; run `{REBUILD}`",
        "  missing  generated/twilio_media_streams/errors.py",
    ]


def test_check_quiet_prints_the_summary_line_alone(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    clean = run_msgen("check", "--quiet", cwd=work)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    (work / "generated" / "stray.txt").write_text("not generated\n")
    (work / "generated" / "twilio_media_streams" / "errors.py").unlink()
    for options in (["-q"], ["--quiet", "--stat"]):
        drifted = run_msgen("check", *options, cwd=work)
        assert (drifted.returncode, drifted.stderr) == (1, "")
        assert drifted.stdout == (
            "msgen: generated is out of date: 0 changed, 1 missing, 1 extra; run"
            " `msgen build specs/twilio-media-streams.yaml --out generated`\n"
        )


@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_build_and_validate_quiet_print_nothing_on_success(flag: str, tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    shutil.rmtree(work / "generated")
    built = run_msgen("build", flag, cwd=work)
    assert (built.returncode, built.stdout, built.stderr) == (0, "", "")
    assert (work / "generated" / "twilio_media_streams" / "frames.py").is_file()
    valid = run_msgen("validate", flag, cwd=work)
    assert (valid.returncode, valid.stdout, valid.stderr) == (0, "", "")


def test_quiet_keeps_warnings(tmp_path: Path) -> None:
    spec = tmp_path / "twilio.yaml"
    text = SPEC.read_text(encoding="utf-8")
    spec.write_text(text.replace("info:\n", "info:\n  colour: blue\n", 1), encoding="utf-8")
    loud = run_msgen("validate", spec.name, cwd=tmp_path)
    assert loud.returncode == 0
    (warning,) = loud.stderr.splitlines()
    assert ": warning: unknown key 'colour'" in warning
    for command in (["build", "--out", "out"], ["check", "--out", "out"], ["validate"]):
        quiet = run_msgen(command[0], spec.name, "-q", *command[1:], cwd=tmp_path)
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", loud.stderr), command


@pytest.mark.parametrize("command", ["build", "check", "validate"])
def test_quiet_keeps_errors(command: str, tmp_path: Path) -> None:
    result = run_msgen(command, "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("msgen: no SPEC given")


def test_validate_reads_tool_msgen(tmp_path: Path) -> None:
    work = copy_project(tmp_path)
    result = run_msgen("validate", cwd=work / "specs")
    assert result.returncode == 0, result.stderr
    assert "twilio-media-streams.yaml is valid" in result.stdout
    pyproject = work / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.msgen]\n", '[tool.msgen]\npackage = "import"\n')
    )
    result = run_msgen("validate", cwd=work)
    assert result.returncode == 2
    assert result.stderr == (
        "msgen: pyproject.toml: [tool.msgen] package 'import': a Python keyword\n"
    )


@pytest.mark.parametrize("command", ["build", "check", "validate"])
def test_help_shows_tool_msgen_literally(command: str) -> None:
    result = run_msgen(command, "--help")
    assert result.returncode == 0
    assert "Default: [tool.msgen] spec." in result.stdout


def test_a_bug_keeps_its_traceback_and_asks_for_a_report(tmp_path: Path) -> None:
    """A fault planted in a real process: the renderer fails as a bug in msgen would."""
    code = (
        "import sys, msgen.cli as cli\n"
        "def render(*args, **kwargs): raise KeyError('planted')\n"
        "cli.render = render\n"
        "sys.argv[0] = 'msgen'\n"
        "cli.main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "build", str(SPEC), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == EXIT_BUG == 70
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "KeyError: 'planted'" in lines
    assert lines[-1] == (
        f"msgen {__version__}: this is a bug in msgen, not a problem with your input; "
        "please report it with the traceback above, the command and the spec"
    )
    assert not (tmp_path / "out").exists()


def test_tool_msgen_chooses_the_pydantic_backend(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.msgen]\nspec = "{SPEC.as_posix()}"\nout = "gen"\nmodels = "pydantic"\n'
    )
    result = run_msgen("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    frames = (tmp_path / "gen" / "twilio_media_streams" / "frames.py").read_text()
    assert "class InboundMedia(_Model):" in frames


def test_version() -> None:
    result = run_msgen("--version")
    assert result.returncode == 0
    assert result.stdout == f"msgen {__version__}\n"


def test_the_version_is_the_release_and_a_digest_of_the_renderer() -> None:
    """Two processes, two hash seeds: the same renderer, the same version."""
    said = {run_msgen("--version", env={"PYTHONHASHSEED": seed}).stdout for seed in ("0", "1")}
    assert len(said) == 1
    assert re.fullmatch(rf"msgen {re.escape(RELEASE)}\+r[0-9a-f]{{12}}\n", said.pop())
    assert metadata.version("msgen") == RELEASE


def test_the_usage_corpus_covers_every_kind_of_mistake() -> None:
    assert len(USAGE_CASES) >= 25


def lay_out(case: Path, work: Path) -> None:
    """The case's files in ``work``, as the folder's docstring describes."""
    shutil.copy(SPEC, work / "twilio.yaml")
    for path in sorted(case.rglob("*")):
        relative = path.relative_to(case)
        if path.is_dir() or relative.name in ("command", "expected.txt", "links"):
            continue
        target = work / relative.parent / relative.name.removesuffix(".in")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    links = case / "links"
    for line in links.read_text().splitlines() if links.exists() else []:
        name, _, target = line.partition(" -> ")
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).symlink_to(target)


@pytest.mark.parametrize("case", USAGE_CASES, ids=[c.name for c in USAGE_CASES])
def test_usage_mistake_matches_snapshot(case: Path, tmp_path: Path) -> None:
    work = tmp_path / case.name
    work.mkdir()
    lay_out(case, work)
    before = sorted(p.relative_to(work) for p in work.rglob("*"))
    result = run_msgen(*shlex.split((case / "command").read_text()), cwd=work)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert sorted(p.relative_to(work) for p in work.rglob("*")) == before  # nothing written
    snapshot = case / "expected.txt"
    if os.environ.get("MSGEN_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(result.stderr)
    assert result.stderr == snapshot.read_text()


def test_check_defaults_to_the_side_the_package_records(tmp_path: Path) -> None:
    """Built with ``--side peer`` against the side msgen would choose, the package checks clean
    without the option: the side it records is check's default."""
    out = tmp_path / "out"
    built = run_msgen("build", SPEC, "--out", out, "--side", "peer", "-q")
    assert built.returncode == 0, built.stderr
    checked = run_msgen("check", SPEC, "--out", out)
    assert checked.returncode == 0, checked.stdout
    flipped = run_msgen("check", SPEC, "--out", out, "--side", "application", "--stat")
    assert flipped.returncode == 1
