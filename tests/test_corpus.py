"""The public documents: every AsyncAPI document in tests/corpus/ (vendors', third parties' and the
AsyncAPI project's, each copied unedited with its PROVENANCE and listed in tests/corpus/README.md)
and the outside documents in tests/fixtures/ build with the real command line, and the tests
generated with each pass.

Depth, to fit CI: hypothesis draws 5 examples a test (the ``fewest_examples`` plugin). Most
documents run their message tests (``test_<channel>.py``: frames, codecs, payload models) and their
client tests; the ``ALL_TESTS`` documents, one of each kind, run every generated test (server,
ASGI, session, README too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import ROOT, run_generated_tests, run_msgen

CORPUS = ROOT / "tests" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"

# The outside documents kept in tests/fixtures/ (each with its provenance there), by path.
OUTSIDE = {
    # Its publish/subscribe speak for the client, so the generated code is the application.
    "deepgram": (FIXTURES / "deepgram" / "asyncapi.yml", ["--side", "application"]),
    "elevenlabs-tts": (FIXTURES / "elevenlabs-tts" / "asyncapi.yml", []),
    "speechmatics-rt": (FIXTURES / "speechmatics-rt" / "realtime.yaml", []),
    "kraken-request-reply": (
        FIXTURES
        / "kraken-request-reply"
        / "kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml",
        [],
    ),
    "twilio": (FIXTURES / "twilio-asyncapi-2.6.yml", []),
}

# Every generated test runs for these: a vendor's 2.6 (application side) and 3.0 documents, the
# AsyncAPI project's request/reply, 2.0 and multi-file documents. (test_functional.py takes the
# twilio document's generated tests to full depth.)
ALL_TESTS = {
    "deepgram",
    "speechmatics-rt",
    "kraken-request-reply",
    "generator-ws",
    "social-media-frontend",
}

# Documents msgen cannot yet handle: name -> the reason (strict: a fix makes the test fail).
XFAIL: dict[str, str] = {}

# The rest run the message tests and the client tests of each channel.
NOT_LIGHT = re.compile(r"_(server|asgi|session)\.py$|^test_readme\.py$")


def provenance(folder: Path) -> dict[str, str]:
    fields = {}
    for line in (folder / "PROVENANCE").read_text().splitlines():
        key, sep, value = line.partition(": ")
        if sep and re.fullmatch(r"[a-z $]+", key):
            fields[key] = value
    return fields


def corpus() -> dict[str, tuple[Path, list[str]]]:
    return {
        folder.name: (folder / provenance(folder)["document"], [])
        for folder in sorted(CORPUS.iterdir())
        if (folder / "PROVENANCE").is_file()
    }


DOCUMENTS = {**corpus(), **OUTSIDE}


def cases() -> list[object]:
    return [
        pytest.param(
            spec,
            args,
            name in ALL_TESTS,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else [],
        )
        for name, (spec, args) in sorted(DOCUMENTS.items())
    ]


@pytest.mark.parametrize(("spec", "args", "all_tests"), cases())
def test_the_document_builds_and_its_generated_tests_pass(
    tmp_path: Path, spec: Path, args: list[str], all_tests: bool
) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out, "--quiet", *args)
    assert built.returncode == 0, built.stderr[-3000:]
    files = sorted(
        f"tests/{test.name}"
        for test in (out / "tests").glob("test_*.py")
        if all_tests or not NOT_LIGHT.search(test.name)
    )
    assert files, "no generated tests"
    result = run_generated_tests(out, fewest=True, files=files)
    assert result.returncode == 0, result.stdout[-4000:]


def test_every_corpus_document_has_its_provenance_and_its_row_in_the_readme() -> None:
    readme = (CORPUS / "README.md").read_text()
    folders = [folder for folder in sorted(CORPUS.iterdir()) if folder.is_dir()]
    assert folders
    for folder in folders:
        fields = provenance(folder)
        for key in ("repository", "path", "commit", "asyncapi", "author", "document"):
            assert fields.get(key), f"{folder.name}/PROVENANCE lacks {key!r}"
        assert re.fullmatch(r"[0-9a-f]{40}", fields["commit"]), folder.name
        assert (folder / fields["document"]).is_file(), folder.name
        assert f"| {folder.name} |" in readme, f"{folder.name} has no row in tests/corpus/README.md"
