"""Benchmark of frame decoding: ``decode_inbound`` of both model backends against ``json.loads``.

Run from the repository root, after ``msgen build``:

    .venv/bin/python bench/bench_frames.py [--rounds N] [--number N]

The input is what a server receives 50 times a second per call: an inbound Twilio media frame as
Twilio sends it (compact JSON, 160 bytes of mu-law as 216 base64 characters, full SIDs). The
default (dataclasses) backend is the package in ``generated/``; the msgspec backend is built at
start into a temporary folder with ``msgen build --models msgspec``, under its own import name, so
both load side by side. The three sides (``json.loads``, and each backend's ``decode_inbound``,
which also validates the frame against the spec) alternate within each round, and each keeps its
best round. Lines printed:

    BENCH decode-vs-json-loads ratio=<msgen/json> msgen_ns=<..> baseline_ns=<..> goal=1.0 <status>
    BENCH decode-vs-json-loads-msgspec ratio=<..> msgen_ns=<..> baseline_ns=<..> goal=0.4 <status>

Times are nanoseconds per frame.
"""

from __future__ import annotations

import argparse
import base64
import functools
import gc
import importlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "twilio-media-streams.yaml"
DEFAULT_PACKAGE = "twilio_media_streams"
MSGSPEC_PACKAGE = "twilio_media_streams_msgspec"
GOALS = {"dataclasses": 1.0, "msgspec": 0.4}


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


def build_msgspec(out: Path) -> None:
    """The msgspec backend of the Twilio spec, as a package of its own name."""
    command = [sys.executable, "-m", "msgen", "build", str(SPEC), "--models", "msgspec"]
    command += ["--package", MSGSPEC_PACKAGE, "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"msgen build --models msgspec failed:\n{result.stderr}")


def best_of(rounds: int, number: int, sides: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best nanoseconds per call of each side: ``number`` calls timed together, best of ``rounds``.

    The sides alternate within each round, so all see the same machine state.
    """
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(rounds):
        for name, side in sides.items():
            gc.collect()
            side()
            start = time.perf_counter_ns()
            for _ in range(number):
                side()
            best[name] = min(best[name], (time.perf_counter_ns() - start) / number)
    return best


def report(name: str, msgen_ns: float, base_ns: float, goal: float) -> bool:
    ratio = msgen_ns / base_ns
    ok = ratio <= goal
    print(
        f"BENCH {name} ratio={ratio:.3f} msgen_ns={msgen_ns:.0f} baseline_ns={base_ns:.0f} "
        f"goal={goal} {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds (best kept)")
    parser.add_argument("--number", type=int, default=20000, help="frames decoded per round")
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=ROOT / "generated",
        help=f"directory holding the generated {DEFAULT_PACKAGE} package (default backend)",
    )
    parser.add_argument(
        "--msgspec-dir",
        type=Path,
        help=f"directory holding an already built {MSGSPEC_PACKAGE} package (else built now)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        msgspec_dir = args.msgspec_dir
        if msgspec_dir is None:
            msgspec_dir = Path(tmp) / "msgspec"
            build_msgspec(msgspec_dir)
        sys.path[:0] = [str(args.package_dir), str(msgspec_dir)]
        backends: dict[str, Any] = {
            "dataclasses": importlib.import_module(DEFAULT_PACKAGE),
            "msgspec": importlib.import_module(MSGSPEC_PACKAGE),
        }
        text = media_frame()
        for package in backends.values():
            frame = package.decode_inbound(text)
            assert type(frame).__name__ == "InboundMedia", frame
            assert json.loads(package.encode(frame)) == json.loads(text)
        # Every side is a partial: calls cost the same, none pays for a Python wrapper frame.
        sides: dict[str, Callable[[], object]] = {"json": functools.partial(json.loads, text)}
        for name, package in backends.items():
            sides[name] = functools.partial(package.decode_inbound, text)
        best = best_of(args.rounds, args.number, sides)
    print(
        f"BENCH-INFO python={sys.version.split()[0]} msgspec={version('msgspec')} "
        f"orjson={version('orjson')} frame_bytes={len(text)}",
        flush=True,
    )
    results = [
        report("decode-vs-json-loads", best["dataclasses"], best["json"], GOALS["dataclasses"]),
        report("decode-vs-json-loads-msgspec", best["msgspec"], best["json"], GOALS["msgspec"]),
    ]
    print(f"BENCH-SUMMARY met={sum(results)} of {len(results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
