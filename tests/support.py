"""Shared helpers for msgen's tests: paths, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "twilio-media-streams.yaml"
OUTSIDE = ROOT / "tests" / "fixtures" / "twilio-asyncapi-2.6.yml"
MSGEN = [sys.executable, "-m", "msgen"]


def run_msgen(
    *args: str | os.PathLike[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line; never raises on a non-zero exit."""
    return subprocess.run(
        [*MSGEN, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def copy_checkout(target: Path) -> Path:
    """The files git knows of (committed or not), as a fresh clone plus local edits would have."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_symlink() or source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name, follow_symlinks=False)
    return target


def see_our_dependencies(env: Path) -> None:
    """A ``.pth`` line puts this run's site-packages after the virtual environment ``env``'s own,
    without running the ``.pth`` files there (so the checkout's editable msgen stays out)."""
    ours = sysconfig.get_paths()["purelib"]
    site = next((env / "lib").glob("python*/site-packages"))
    (site / "dependencies.pth").write_text(ours + "\n")


def run_generated_tests(
    out: Path, *, fewer: bool = False, fewest: bool = False, files: Sequence[str] = ("tests",)
) -> subprocess.CompletedProcess[str]:
    """A generated package's own tests, in a subprocess; never raises on a non-zero exit.

    ``fewer``: hypothesis draws 20 examples a test (the ``fewer_examples`` plugin). That proves each
    kind of generated test passes; the full depth runs where a package's exactness is at stake.
    ``fewest``: 5 examples a test (the ``fewest_examples`` plugin), for the corpus's many documents.
    ``files``: the test files or folders to run, relative to ``out``.
    """
    plugin = ["-p", "fewest_examples"] if fewest else ["-p", "fewer_examples"] if fewer else []
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, *files],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(out), str(ROOT / "tests")])},
        timeout=900,
    )
