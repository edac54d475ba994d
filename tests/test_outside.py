"""Real documents by others, copied unedited into tests/fixtures/ (each with its PROVENANCE):
each builds, and the tests generated with it pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, run_generated_tests, run_msgen

FIXTURES = ROOT / "tests" / "fixtures"


DOCUMENTS = [
    pytest.param(
        FIXTURES / "deepgram" / "asyncapi.yml",
        ["--side", "application"],  # its publish/subscribe speak for the client
        id="deepgram",
    ),
    pytest.param(
        FIXTURES / "elevenlabs-tts" / "asyncapi.yml",
        [],
        id="elevenlabs-tts",
    ),
    pytest.param(
        FIXTURES / "speechmatics-rt" / "realtime.yaml",
        [],
        id="speechmatics-rt",
    ),
    pytest.param(
        FIXTURES
        / "kraken-request-reply"
        / "kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml",
        [],
        id="kraken-request-reply",
    ),
]


@pytest.mark.parametrize(("spec", "args"), DOCUMENTS)
def test_the_document_builds_and_its_generated_tests_pass(
    tmp_path: Path, spec: Path, args: list[str]
) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out, *args)
    assert built.returncode == 0, built.stderr[-3000:]
    result = run_generated_tests(out, fewer=True)
    assert result.returncode == 0, result.stdout[-4000:]
