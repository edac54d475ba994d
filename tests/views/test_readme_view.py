"""The generated README claims what the package does: names, counters, the folder it is in."""

from __future__ import annotations

from pathlib import Path

from support import OUTSIDE, SPEC, run_msgen

from msgen.model.normalize import load
from msgen.views.readme import ReadmeView


def test_counters_and_names_come_from_the_document() -> None:
    twilio = ReadmeView(load(SPEC).api, "generated", ())
    assert twilio.counters == ("sequenceNumber", "chunk", "timestamp")
    assert twilio.renamed is not None and twilio.renamed.wire_name != twilio.renamed.py_name
    outside = ReadmeView(load(OUTSIDE).api, "generated", ())
    assert outside.counters == ()  # its sequence numbers are free-form strings


def test_the_readme_names_the_folder_it_was_written_to(tmp_path: Path) -> None:
    out = tmp_path / "vendor" / "twilio_out"
    assert run_msgen("build", OUTSIDE, "--out", out).returncode == 0
    readme = (out / "README.md").read_text()
    assert "pip install ./twilio_out\n" in readme
    assert "pytest twilio_out/tests\n" in readme
    assert "Counters" not in readme
    assert run_msgen("check", OUTSIDE, "--out", out).returncode == 0
