"""Benchmark of frames: ``decode_inbound`` of every model backend against ``json.loads``, and
``encode`` of every backend against ``json.dumps``.

Run from the repository root, after ``msgen build``:

    .venv/bin/python bench/bench_frames.py [--rounds N] [--number N]

The input is what a server receives 50 times a second per call: an inbound Twilio media frame as
Twilio sends it (compact JSON, 160 bytes of mu-law as 216 base64 characters, full SIDs). The
default (dataclasses) backend is the package in ``generated/``; the msgspec and pydantic backends
are built at start into a temporary folder with ``msgen build --models ...``, each under its own
import name, so all load side by side. Decoding is timed on that frame; encoding on the frame a
server sends as often, an outbound media frame of the same audio, with ``encode``'s default check
(the frame is validated before it goes out), against ``json.dumps`` of the same JSON value
(compact). Every side runs in every round, the sides taking turns of ``BATCH`` calls; a
comparison's ratio is the median of its per-round ratios (see ``spread.py``). Lines printed:

    BENCH decode-vs-json-loads ratio=<median msgen/json> min=<..> median=<..> max=<..> rounds=<n>
        msgen_ns=<..> baseline_ns=<..> goal<=1.0 <status>
    BENCH decode-vs-json-loads-msgspec ...                                  goal<=0.4 <status>
    BENCH decode-vs-json-loads-pydantic ...                                 goal<=1.0 <status>
    BENCH encode-vs-json-dumps-<backend> ...            (one line per backend, as above)

Times are CPU nanoseconds per frame, the median over the rounds.
"""

from __future__ import annotations

import argparse
import base64
import functools
import importlib
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from spread import CLOCK_NAME, median, ratios, report, timed_rounds

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "twilio-media-streams.yaml"
DEFAULT_PACKAGE = "twilio_media_streams"
#: The other backends, each built under its own import name.
PACKAGES = {"msgspec": "twilio_media_streams_msgspec", "pydantic": "twilio_media_streams_pydantic"}
#: Calls a side makes per turn within a round (about a millisecond): see ``spread.timed_rounds``.
BATCH = 500
DECODE_GOALS = {"dataclasses": 1.0, "msgspec": 0.4, "pydantic": 1.0}
ENCODE_GOALS = {"dataclasses": 1.0, "msgspec": 1.0, "pydantic": 1.0}


def media_frame() -> str:
    """An inbound media frame 81 seconds into a call, keys in the order Twilio sends them."""
    rng = random.Random(5)
    payload = base64.b64encode(bytes(rng.randrange(256) for _ in range(160))).decode()
    assert len(payload) == 216
    frame = {
        "event": "media",
        "sequenceNumber": "4052",
        "media": {"track": "inbound", "chunk": "4051", "timestamp": "81020", "payload": payload},
        "streamSid": "MZ" + "".join(rng.choice("0123456789abcdef") for _ in range(32)),
    }
    return json.dumps(frame, separators=(",", ":"))


def outbound_media(inbound: str) -> dict[str, Any]:
    """The outbound media frame a server sends back with the same audio."""
    frame = json.loads(inbound)
    return {
        "event": "media",
        "streamSid": frame["streamSid"],
        "media": {"payload": frame["media"]["payload"]},
    }


def build(models: str, out: Path) -> None:
    """A backend's package of the Twilio spec, under its own import name."""
    command = [sys.executable, "-m", "msgen", "build", str(SPEC), "--models", models]
    command += ["--package", PACKAGES[models], "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"msgen build --models {models} failed:\n{result.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds (the median ratio counts)")
    parser.add_argument("--number", type=int, default=20000, help="frames per round")
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=ROOT / "generated",
        help=f"directory holding the generated {DEFAULT_PACKAGE} package (default backend)",
    )
    args = parser.parse_args()
    if args.number % BATCH:
        parser.error(f"--number must be a multiple of {BATCH}")
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(args.package_dir))
        for models in PACKAGES:
            build(models, Path(tmp) / models)
            sys.path.insert(0, str(Path(tmp) / models))
        backends: dict[str, Any] = {"dataclasses": importlib.import_module(DEFAULT_PACKAGE)}
        backends |= {models: importlib.import_module(name) for models, name in PACKAGES.items()}
        text = media_frame()
        reply = outbound_media(text)
        # Every side is a partial: calls cost the same, none pays for a Python wrapper frame.
        sides: dict[str, Callable[[], object]] = {
            "json.loads": functools.partial(json.loads, text),
            "json.dumps": functools.partial(json.dumps, reply, separators=(",", ":")),
        }
        for name, package in backends.items():
            frame = package.decode_inbound(text)
            assert type(frame).__name__ == "InboundMedia", frame
            assert json.loads(package.encode(frame)) == json.loads(text)
            out = package.decode_outbound(json.dumps(reply))
            assert json.loads(package.encode(out)) == reply
            sides[f"decode-{name}"] = functools.partial(package.decode_inbound, text)
            sides[f"encode-{name}"] = functools.partial(package.encode, out)
        times = timed_rounds(args.rounds, args.number, sides, batch=BATCH)
    print(
        f"BENCH-INFO python={sys.version.split()[0]} msgspec={version('msgspec')} "
        f"pydantic={version('pydantic')} pydantic-core={version('pydantic-core')} "
        f"orjson={version('orjson')} frame_bytes={len(text)} clock={CLOCK_NAME}",
        flush=True,
    )

    def compare(name: str, ours: str, baseline: str, goal: float) -> bool:
        fields = (
            f"msgen_ns={median(times[ours]) * 1e9:.0f} "
            f"baseline_ns={median(times[baseline]) * 1e9:.0f}"
        )
        return report(name, ratios(times[ours], times[baseline]), fields, goal)

    results = []
    for name in backends:
        suffix = "" if name == "dataclasses" else f"-{name}"
        results.append(
            compare(
                f"decode-vs-json-loads{suffix}", f"decode-{name}", "json.loads", DECODE_GOALS[name]
            )
        )
    for name in backends:
        results.append(
            compare(
                f"encode-vs-json-dumps-{name}", f"encode-{name}", "json.dumps", ENCODE_GOALS[name]
            )
        )
    print(f"BENCH-SUMMARY met={sum(results)} of {len(results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
