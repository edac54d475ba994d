"""Writing trees: all or nothing, never over a folder msgen did not write; and drift detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgen.output import MARKER_TEXT, OutputError, compare, write_tree

OURS = {"pyproject.toml": f"# {MARKER_TEXT} x\n", "pkg/a.py": "A = 1\n"}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_write_replaces_the_whole_tree(tmp_path: Path) -> None:
    root = tmp_path / "out"
    write_tree(root, {**OURS, "old.py": "x\n"})
    write_tree(root, OURS)
    assert snapshot(root) == {k: v.encode() for k, v in OURS.items()}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_write_leaves_the_previous_tree_and_no_debris(tmp_path: Path) -> None:
    root = tmp_path / "out"
    write_tree(root, OURS)
    before = snapshot(root)
    # "pkg/a.py/b.py" cannot exist beside the file "pkg/a.py": the write fails half-way.
    with pytest.raises(OutputError, match=r"cannot write .*out: File exists"):
        write_tree(root, {**OURS, "pkg/a.py/b.py": "boom\n"})
    assert snapshot(root) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    root = tmp_path / "out"
    write_tree(root, OURS)
    root.rename(tmp_path / ".out.old")  # as if stopped between the two renames
    write_tree(root, {**OURS, "pkg/a.py": "A = 2\n"})
    assert (root / "pkg" / "a.py").read_text() == "A = 2\n"
    assert not (tmp_path / ".out.old").exists()


def test_refuses_foreign_folders_and_files(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    with pytest.raises(OutputError):
        write_tree(tmp_path / "mine", OURS)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError):
        write_tree(tmp_path / "file", OURS)
    (tmp_path / "empty").mkdir()
    write_tree(tmp_path / "empty", OURS)


def test_compare_reports_changed_missing_and_extra(tmp_path: Path) -> None:
    root = tmp_path / "out"
    write_tree(root, {**OURS, "gone.py": "g\n"})
    (root / "pkg" / "a.py").write_text("A = 3\n")
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    drift = compare(root, {**OURS, "new.py": "n\n"})
    assert drift.changed == ("pkg/a.py",)
    assert drift.missing == ("new.py",)
    assert drift.extra == ("gone.py",)
    assert "-A = 3\n+A = 1\n" in drift.diff
    assert not drift.clean
    assert compare(root, snapshot_text(root)).clean


def snapshot_text(root: Path) -> dict[str, str]:
    return {k: v.decode() for k, v in snapshot(root).items() if "__pycache__" not in k}
