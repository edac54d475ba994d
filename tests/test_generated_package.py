"""The generated package stands on its own: a wheel with py.typed, no dependency on msgen."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from support import ROOT

GENERATED = ROOT / "generated"


def test_generated_package_builds_installs_and_imports_without_msgen(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            wheels,
            GENERATED,
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("twilio_media_streams-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith("METADATA"))
    assert "twilio_media_streams/py.typed" in names
    assert "twilio_media_streams/frames.py" in names
    assert not any(n.startswith("tests/") for n in names)
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert any("orjson" in line for line in requires)
    assert not any("msgen" in line for line in requires)

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    probe = (
        "import sys, twilio_media_streams as t;"
        "assert 'msgen' not in sys.modules;"
        'f = t.decode_inbound(\'{"event":"connected","protocol":"Call","version":"1.0.0"}\');'
        "print(type(f).__name__, t.__file__)"
    )
    # -I: isolated mode, so neither the repo nor msgen's editable install is importable.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Connected ")
    assert str(site) in result.stdout
