"""The msgspec and pydantic backends: the same public API, proven by the same generated tests."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
from support import OUTSIDE, ROOT, SPEC, run_generated_tests, run_msgen

from msgen.model.normalize import load

FIXTURES = ROOT / "tests" / "fixtures"
CHAT = FIXTURES / "chat" / "chat.yaml"
#: Shapes pydantic reads otherwise than JSON Schema unless msgen shapes the models.
SHAPES = FIXTURES / "shapes" / "shapes.yaml"


def passes_generated_tests(out: Path, *, fewer: bool = False) -> None:
    result = run_generated_tests(out, fewer=fewer)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize(
    ("models", "marker", "dependency"),
    [("msgspec", "msgspec.Struct", "msgspec>="), ("pydantic", "(_Model)", "pydantic>=")],
)
def test_backend_passes_the_generated_tests(
    tmp_path: Path, models: str, marker: str, dependency: str
) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", SPEC, "--out", out, "--models", models)
    assert built.returncode == 0, built.stderr
    assert marker in (out / "twilio_media_streams" / "frames.py").read_text()
    assert dependency in (out / "pyproject.toml").read_text()
    generated = (out / "twilio_media_streams" / "_generated.py").read_text()
    assert f'MODELS: Final = "{models}"' in generated
    passes_generated_tests(out)


@pytest.mark.parametrize(
    ("spec", "fewer"),
    [(OUTSIDE, True), (CHAT, True), (SHAPES, False)],
    ids=["outside-2.6-multichannel", "chat-3.1", "shapes"],
)
def test_pydantic_backend_passes_the_generated_tests_of_other_specs(
    tmp_path: Path, spec: Path, fewer: bool
) -> None:
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out, "--models", "pydantic")
    assert built.returncode == 0, built.stderr
    passes_generated_tests(out, fewer=fewer)


@pytest.mark.parametrize("models", ["msgspec", "pydantic"])
def test_backends_differ_only_where_they_must(tmp_path: Path, models: str) -> None:
    default, other = tmp_path / "default", tmp_path / models
    assert run_msgen("build", SPEC, "--out", default).returncode == 0
    assert run_msgen("build", SPEC, "--out", other, "--models", models).returncode == 0
    differ = {
        p.relative_to(default).as_posix()
        for p in default.rglob("*")
        if p.is_file() and p.read_bytes() != (other / p.relative_to(default)).read_bytes()
    }
    assert differ == {
        "README.md",
        "pyproject.toml",
        "twilio_media_streams/_generated.py",
        "twilio_media_streams/_runtime.py",
        "twilio_media_streams/frames.py",
        "twilio_media_streams/wire.py",
    }


@pytest.mark.parametrize(
    ("spec", "fast"),
    [
        (
            SPEC,
            {"Connected", "Start", "InboundMedia", "Dtmf", "InboundMark", "Stop"}
            | {"OutboundMedia", "OutboundMark", "Clear"},
        ),
        # B has uniqueItems, an integer-or-number oneOf and mixed literals: exact decoders only.
        (SHAPES, {"A", "C", "D", "E"}),
    ],
    ids=["twilio", "shapes"],
)
def test_pydantic_decodes_examples_on_its_fast_path(
    tmp_path: Path, spec: Path, fast: set[str]
) -> None:
    """Valid frames of the messages pydantic decodes exactly never fall back to the exact
    decoders: the fast path is what runs (a tree included)."""
    package = f"fast_path_{spec.stem.replace('-', '_')}"
    out = tmp_path / "out"
    built = run_msgen("build", spec, "--out", out, "--models", "pydantic", "--package", package)
    assert built.returncode == 0, built.stderr
    sys.path.insert(0, str(out))
    try:
        wire = importlib.import_module(f"{package}.wire")
        frames = importlib.import_module(f"{package}.frames")
    finally:
        sys.path.remove(str(out))
    assert {c.__name__ for c in wire._FAST} == fast
    validators = {"inbound": wire._fast_inbound, "outbound": wire._fast_outbound}
    for message in load(spec, package=package).api.channels[0].messages:
        for example in message.examples if message.class_name in fast else ():
            frame = validators[message.direction](example.wire, by_name=False)
            assert type(frame) is getattr(frames, message.class_name)
            assert json.loads(wire.encode(frame)) == json.loads(example.wire)
