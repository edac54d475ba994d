"""The generated package is true to its role: a vendor's client leads with ``connect`` and carries
no server code, a server keeps its adapters and no client, and Twilio's words (its signature, TwiML,
its secret) appear only where the document declares a request signature."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, SPEC

from msgen.model.normalize import load
from msgen.render import render

FIXTURES = ROOT / "tests" / "fixtures"
DEEPGRAM = FIXTURES / "deepgram" / "asyncapi.yml"
CLIENTS = (
    DEEPGRAM,
    FIXTURES / "speechmatics-rt" / "realtime.yaml",
    FIXTURES / "elevenlabs-tts" / "asyncapi.yml",
)
#: What only a server renders, per channel.
SERVER_FILES = ("handler.py", "server.py", "asgi.py", "picows_server.py", "serve.py", "serving.py")


@pytest.mark.parametrize(
    ("spec", "side", "role"),
    [
        (SPEC, None, "server"),  # Twilio dials the customer's server
        (DEEPGRAM, None, "client"),  # a vendor's concrete host
        (DEEPGRAM, "peer", "server"),  # read the other way round: Deepgram's side
        (FIXTURES / "elevenlabs-tts" / "asyncapi.yml", None, "client"),  # messages say so
        (FIXTURES / "connection" / "connection.yaml", None, "client"),  # x-msgen-role
        (FIXTURES / "chat" / "chat.yaml", None, "server"),
        (ROOT / "specs" / "vonage" / "vonage-asyncapi.yml", None, "server"),
    ],
)
def test_the_model_says_which_role_the_generated_code_plays(
    spec: Path, side: str | None, role: str
) -> None:
    assert load(spec, side=side).api.role == role  # type: ignore[arg-type]


def test_a_server_package_has_the_adapters_and_the_emulator_but_no_client() -> None:
    files = render(load(SPEC))
    pkg = "twilio_media_streams"
    assert all(f"{pkg}/{name}" in files for name in SERVER_FILES)
    assert f"{pkg}/emulator.py" in files and f"{pkg}/peer.py" in files
    assert f"{pkg}/client.py" not in files and "tests/test_client.py" not in files
    assert "tests/test_peer.py" in files  # the adapters against the scripted peer
    assert "from .client" not in files[f"{pkg}/__init__.py"]
    readme = files["README.md"]
    assert "## Serving calls" in readme and "## Deployment" in readme
    assert "X-Twilio-Signature" in readme and "TWILIO_AUTH_TOKEN" in readme  # declared
    assert "the server receives" in files[f"{pkg}/frames.py"]


def test_a_server_without_a_signature_scheme_has_no_twilio_words_in_its_readme() -> None:
    files = render(load(ROOT / "specs" / "vonage" / "vonage-asyncapi.yml"))
    readme = files["README.md"]
    assert "## Serving calls" in readme
    assert not re.search("twilio|twiml", readme, flags=re.IGNORECASE)


@pytest.fixture(scope="module", params=CLIENTS, ids=lambda p: p.parent.name)
def client_files(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    built = load(request.param)
    return built.api.package, render(built)


def test_a_client_package_has_no_server_code(client_files: tuple[str, dict[str, str]]) -> None:
    _, files = client_files
    names = {path.rsplit("/", 1)[-1] for path in files}
    assert not names & set(SERVER_FILES)
    assert "command.py" not in names and "emulator.py" not in names
    assert any(path.endswith("/client.py") for path in files)
    assert any(path.endswith("/peer.py") for path in files)
    assert not any(
        re.match(r"tests/test_\w*(server|asgi|serve|call|emulator)\.py$", p) for p in files
    )
    assert "optional-dependencies" not in files["pyproject.toml"]  # metrics, picows: servers


def test_a_client_package_says_nothing_of_twilio(client_files: tuple[str, dict[str, str]]) -> None:
    _, files = client_files
    assert [path for path, text in files.items() if "twilio" in text.lower()] == []


def test_a_client_readme_leads_with_connecting(client_files: tuple[str, dict[str, str]]) -> None:
    _, files = client_files
    readme = files["README.md"]
    sections = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert sections[:3] == ["Install", "Connecting", "Frames"]
    assert "Serving calls" not in sections and "Deployment" not in sections
    first = readme.split("## Connecting", 1)[1].split("\n## ", 1)[0]
    for said in ("connect(", "conn.send(", "conn.recv()", "close", "peer.serve(", "### Testing"):
        assert said in first
    assert "the client receives" in readme and "the server receives" not in readme
    frames = [text for path, text in files.items() if path.endswith("/frames.py")]
    assert all("the client receives" in text for text in frames)


def test_connect_is_exported_where_the_readme_says(
    client_files: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    pkg, files = client_files
    readme = files["README.md"]
    imports = re.findall(rf"from ({pkg}[\w.]*) import connect\b", readme)
    assert imports
    _write(tmp_path, files)
    code = "; ".join(f"from {module} import connect" for module in sorted(set(imports)))
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
