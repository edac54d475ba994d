"""msgen as a user installs it: the wheel (built from the sdist, as ``python -m build`` does), the
sdist, and ``pip install .`` of a checkout, each in a clean virtual environment, run from a folder
outside the checkout with the checkout off ``sys.path``.

The wheel's environment gets its dependencies the way a user's does (pip, the pins of
constraints.txt), which proves the package's metadata. The other two install msgen alone and see
this test run's dependencies through a ``.pth`` file: what they add to the proof is the package
itself, and msgen is imported from their own site-packages, not from the ``.pth``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import ROOT, SPEC, copy_checkout, run_msgen, see_our_dependencies

from msgen import RELEASE, __version__

CHAT = ROOT / "tests" / "fixtures" / "chat"
CONSTRAINTS = ROOT / "constraints.txt"


def run(*args: str | os.PathLike[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command with an environment that names nothing of the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel built from it."""
    checkout = copy_checkout(tmp_path_factory.mktemp("checkout"))
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, checkout, cwd=out)
    return {"sdist": next(out.glob("*.tar.gz")), "wheel": next(out.glob("*.whl"))}


Venv = Callable[[str], Path]


@pytest.fixture
def venv(tmp_path: Path) -> Venv:
    def make(name: str) -> Path:
        path = tmp_path / name
        run(sys.executable, "-m", "venv", "--without-pip", path, cwd=tmp_path)
        return path

    return make


def pip_install(env: Path, *args: str | os.PathLike[str]) -> None:
    """This test run's pip, installing into ``env``."""
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        env / "bin" / "python",
        "install",
        "-q",
        *args,
        cwd=env,
    )


def exercise(env: Path, work: Path, *, specs: int = 2) -> None:
    """What a user runs from ``work`` (outside the checkout): version, then build, check and
    validate of a one-file and a multi-file spec (the first ``specs``); the Twilio build equals the
    committed one."""
    msgen = env / "bin" / "msgen"
    probe = (
        "import sys, msgen, importlib.resources as r; "
        "print(msgen.__file__); print(r.files('msgen.templates')); print(*sys.path, sep='\\n')"
    )
    module, templates, *path = run(env / "bin" / "python", "-c", probe, cwd=work).stdout.split("\n")
    assert Path(module).is_relative_to(env), module
    assert Path(templates).is_relative_to(env), templates
    sources = (ROOT, ROOT / "generator", ROOT / "templates")
    assert not [p for p in path if p and Path(p).resolve() in sources], path
    assert run(msgen, "--version", cwd=work).stdout == f"msgen {__version__}\n"
    shutil.copy(SPEC, work / SPEC.name)
    shutil.copytree(CHAT, work / "chat")
    for spec in (work / SPEC.name, work / "chat" / "chat.yaml")[:specs]:
        out = work / f"out-{spec.stem}"
        assert "wrote" in run(msgen, "build", spec, "--out", out, cwd=work).stdout
        assert "up to date" in run(msgen, "check", spec, "--out", out, cwd=work).stdout
        assert "is valid" in run(msgen, "validate", spec, cwd=work).stdout
    # The committed package, laid out as in the checkout: _generated.py records where the spec is.
    (work / "specs").mkdir()
    shutil.copy(SPEC, work / "specs" / SPEC.name)
    shutil.copytree(
        ROOT / "generated", work / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    run(msgen, "check", f"specs/{SPEC.name}", "--out", "generated", cwd=work)


def test_the_wheel_installs_with_its_dependencies_and_works(
    dists: dict[str, Path], venv: Venv, tmp_path: Path
) -> None:
    env = venv("wheel")
    pip_install(env, "-c", CONSTRAINTS, dists["wheel"])
    work = tmp_path / "work"
    work.mkdir()
    exercise(env, work)


def test_the_sdist_installs_and_works(dists: dict[str, Path], venv: Venv, tmp_path: Path) -> None:
    env = venv("sdist")
    see_our_dependencies(env)
    pip_install(env, "--no-deps", "--no-build-isolation", dists["sdist"])
    work = tmp_path / "work"
    work.mkdir()
    exercise(env, work)


def test_pip_install_of_a_checkout_works(venv: Venv, tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "checkout")
    env = venv("checkout")
    see_our_dependencies(env)
    pip_install(env, "--no-deps", "--no-build-isolation", checkout)
    work = tmp_path / "work"
    work.mkdir()
    exercise(env, work, specs=1)  # the same package as the sdist's: one spec shows it runs


def test_another_renderer_names_itself_and_check_names_both(venv: Venv, tmp_path: Path) -> None:
    """msgen installed from a checkout whose template renders one more line: its version differs,
    and its check of a package this msgen built shows that line and names both msgens."""
    checkout = copy_checkout(tmp_path / "checkout")
    template = checkout / "templates" / "package" / "serve.py.jinja"
    template.write_text(template.read_text() + "\n# rendered otherwise\n")
    env = venv("other")
    see_our_dependencies(env)
    pip_install(env, "--no-deps", "--no-build-isolation", checkout)
    work = tmp_path / "work"
    work.mkdir()
    msgen = env / "bin" / "msgen"
    other = run(msgen, "--version", cwd=work).stdout.removeprefix("msgen ").strip()
    assert other != __version__
    assert other.startswith(f"{RELEASE}+r")
    shutil.copy(SPEC, work / SPEC.name)
    assert run_msgen("build", SPEC.name, "--out", "out", cwd=work).returncode == 0
    checked = subprocess.run(
        [msgen, "check", SPEC.name, "--out", "out", "--stat"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    first, versions, changed = checked.stdout.splitlines()
    assert first == (
        "msgen: out is out of date: 1 changed, 0 missing, 0 extra; "
        f"run `msgen build {SPEC.name} --out out`"
    )
    assert versions == f"  built by msgen {__version__}, checking with msgen {other}"
    assert changed.startswith("  changed  out/twilio_media_streams/serve.py (+")
