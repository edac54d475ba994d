"""msgen as the gate of another repository: the hooks of ``.pre-commit-hooks.yaml`` run by real
pre-commit in a scratch git repository, and the README's GitHub Actions job, its shell steps run
one by one. Both recipes are read from the README, so the documented ones are the tested ones.

The network stays out: pip installs msgen from a git copy of this checkout, as pre-commit or the
job asks, without fetching dependencies, and a ``.pth`` file lets the installed msgen see this test
run's (``tests/test_install.py`` proves the dependencies install).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from support import ROOT, SPEC, copy_checkout, run_msgen, see_our_dependencies

README = ROOT / "README.md"
#: The README's placeholders for where users get msgen from.
REPO_URL = "https://github.com/OWNER/msgen"
#: The commit the recipes pin, until there are releases to tag.
REV = "1161c60e8c2641700ad3a970e802145664973107"
REQUIREMENT = f"msgen @ git+{REPO_URL}@{REV}"
OURS = sysconfig.get_paths()["purelib"]
GIT = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "msgen tests",
    "GIT_AUTHOR_EMAIL": "tests@msgen.invalid",
    "GIT_COMMITTER_NAME": "msgen tests",
    "GIT_COMMITTER_EMAIL": "tests@msgen.invalid",
}
#: pip installs msgen alone, offline, with the build backend already there (pip reads this flag
#: inverted: "false" turns build isolation off).
OFFLINE_PIP = {
    "PIP_NO_INDEX": "1",
    "PIP_NO_DEPS": "1",
    "PIP_NO_BUILD_ISOLATION": "false",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**base, **GIT, **extra}


def sh(
    *args: str | os.PathLike[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a command; the caller checks the exit code. Output is stdout and stderr together."""
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=600,
    )


def readme_yaml(marker: str) -> str:
    """The README's fenced YAML block that contains ``marker``."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    return next(block for block in blocks if marker in block)


@pytest.fixture(scope="module")
def msgen_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this checkout, and its commit: what ``repo:`` and ``rev:`` name."""
    repo = copy_checkout(tmp_path_factory.mktemp("msgen"))
    env = environment()
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "msgen"]):
        assert sh("git", *command, cwd=repo, env=env).returncode == 0
    rev = sh("git", "rev-parse", "HEAD", cwd=repo, env=env).stdout.strip()
    return repo, rev


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A repository that vendors the Twilio package, with [tool.msgen] pointing at it."""
    repo = tmp_path / "user"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(SPEC, repo / "specs" / SPEC.name)
    shutil.copytree(
        ROOT / "generated", repo / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    (repo / "pyproject.toml").write_text(
        f'[tool.msgen]\nspec = "specs/{SPEC.name}"\nout = "generated"\n'
    )
    return repo


def drift(repo: Path) -> None:
    """One word of a summary changes; the vendored package no longer matches."""
    spec = repo / "specs" / SPEC.name
    text = spec.read_text()
    assert "summary: The caller pressed a key." in text
    spec.write_text(
        text.replace("summary: The caller pressed a key.", "summary: A key was pressed.")
    )


def test_the_recipes_pin_a_commit_of_msgen_that_defines_the_hooks() -> None:
    env = environment()
    shallow = sh("git", "rev-parse", "--is-shallow-repository", cwd=ROOT, env=env)
    if shallow.stdout.strip() != "false":
        pytest.skip("needs this repository's git history")
    assert REV in readme_yaml("repos:")
    assert REQUIREMENT in readme_yaml("jobs:")
    assert re.fullmatch(r"[0-9a-f]{40}", REV), REV
    ancestor = sh("git", "merge-base", "--is-ancestor", REV, "HEAD", cwd=ROOT, env=env)
    assert ancestor.returncode == 0, f"{REV} is not a commit of this branch's history"
    hooks = sh("git", "show", f"{REV}:.pre-commit-hooks.yaml", cwd=ROOT, env=env)
    assert hooks.returncode == 0, hooks.stdout
    assert {hook["id"] for hook in yaml.safe_load(hooks.stdout)} == {"msgen-check", "msgen-build"}


def test_pre_commit_hooks_block_a_drifted_tree_and_pass_a_rebuilt_one(
    msgen_repo: tuple[Path, str], user_repo: Path, tmp_path: Path
) -> None:
    repo, rev = msgen_repo
    snippet = readme_yaml("repos:")
    assert REPO_URL in snippet and REV in snippet
    config = snippet.replace(REPO_URL, str(repo)).replace(REV, rev)
    (user_repo / ".pre-commit-config.yaml").write_text(config)
    home = tmp_path / "pre-commit"
    env = environment(PRE_COMMIT_HOME=str(home))
    pre_commit = [sys.executable, "-m", "pre_commit"]

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return sh("git", *args, cwd=user_repo, env=env)

    assert git("init", "-q").returncode == 0
    assert sh(*pre_commit, "install", cwd=user_repo, env=env).returncode == 0
    # pre-commit installs msgen from the repository into its own environment (PYTHONPATH only
    # offers a build backend); the .pth then lends it this run's dependencies.
    installed = sh(
        *pre_commit, "install-hooks", cwd=user_repo, env={**env, **OFFLINE_PIP, "PYTHONPATH": OURS}
    )
    assert installed.returncode == 0, installed.stdout
    [hook_env] = home.glob("repo*/py_env-*")
    assert (next(hook_env.glob("lib/python*/site-packages")) / "msgen" / "templates").is_dir()
    see_our_dependencies(hook_env)

    git("add", "-A")
    first = git("commit", "-m", "vendor the package")
    assert first.returncode == 0, first.stdout
    assert re.search(r"msgen check\.+Passed", first.stdout), first.stdout

    drift(user_repo)
    git("add", "-A")
    blocked = git("commit", "-m", "reword a summary")
    assert blocked.returncode == 1, blocked.stdout
    assert re.search(r"msgen check\.+Failed", blocked.stdout), blocked.stdout
    assert re.search(r"msgen: generated is out of date: \d+ changed, 0 missing", blocked.stdout)
    assert '+| `Dtmf` | `event` = `"dtmf"` | A key was pressed. |' in blocked.stdout
    assert git("rev-list", "--count", "HEAD").stdout.strip() == "1"

    assert run_msgen("build", cwd=user_repo).returncode == 0
    git("add", "-A")
    rebuilt = git("commit", "-m", "reword a summary, rebuilt")
    assert rebuilt.returncode == 0, rebuilt.stdout
    assert re.search(r"msgen check\.+Passed", rebuilt.stdout), rebuilt.stdout

    # The other hook: msgen-build regenerates, stopping the commit until the result is staged.
    enabled = config.replace("# - id: msgen-build", "- id: msgen-build")
    assert enabled != config
    (user_repo / ".pre-commit-config.yaml").write_text(enabled)
    spec = user_repo / "specs" / SPEC.name
    spec.write_text(spec.read_text().replace("A key was pressed.", "Key pressed."))
    git("add", "-A")
    stopped = git("commit", "-m", "reword again")
    assert stopped.returncode == 1, stopped.stdout
    assert re.search(r"msgen build\.+Failed", stopped.stdout), stopped.stdout
    assert "files were modified by this hook" in stopped.stdout
    git("add", "-A")
    staged = git("commit", "-m", "reword again, regenerated")
    assert staged.returncode == 0, staged.stdout
    assert re.search(r"msgen build\.+Passed", staged.stdout), staged.stdout


def test_the_ci_recipe_passes_a_clean_tree_and_fails_a_drifted_one(
    msgen_repo: tuple[Path, str], user_repo: Path, tmp_path: Path
) -> None:
    repo, _ = msgen_repo
    workflow = yaml.safe_load(readme_yaml("jobs:"))
    steps = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    [install] = [step for step in steps if REQUIREMENT in step]
    # setup-python: a fresh Python first on PATH.
    python = tmp_path / "python"
    assert (
        sh(
            sys.executable, "-m", "venv", "--without-pip", python, cwd=tmp_path, env=environment()
        ).returncode
        == 0
    )
    see_our_dependencies(python)
    env = environment(
        PATH=f"{python / 'bin'}{os.pathsep}{os.environ['PATH']}",
        PIP_IGNORE_INSTALLED="1",  # the checkout's editable msgen is visible through the .pth
        **OFFLINE_PIP,
    )

    def step(script: str) -> subprocess.CompletedProcess[str]:
        shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
        return sh(*shell, script.replace(REQUIREMENT, str(repo)), cwd=user_repo, env=env)

    for script in steps:
        result = step(script)
        assert result.returncode == 0, f"{script}\n{result.stdout}"
    assert (next((python / "lib").glob("python*/site-packages")) / "msgen").is_dir()
    assert "is up to date" in result.stdout

    drift(user_repo)
    failed = [step(script) for script in steps if script != install]
    assert failed[-1].returncode == 1, failed[-1].stdout
    assert "msgen: generated is out of date: " in failed[-1].stdout
