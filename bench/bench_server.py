"""Benchmark of the generated server against a hand-written dict-based websockets echo server.

Run from the repository root, after ``msgen build``:

    .venv/bin/python bench/bench_server.py [--quick]

Both servers run the same echo in their own process: every inbound media payload goes back as
outbound media, a mark after every 50 media frames, ``clear`` on DTMF ``*``, a close after
``stop``. Ours is the generated echo example (``examples.echo.Echo``, strict session) on
``picows_server`` with uvloop; the baseline parses each frame into a dict with ``json`` and
builds replies as dicts, on the websockets library, on the same event loop. The load comes from
this process: many real-time calls over loopback (20 ms media frames of 160 bytes, marks echoed
at once as Twilio would once played), spread evenly over the 20 ms period, driven by one timer
and picows clients. Server CPU is read from /proc (user + system) over the steady part of a run.

Lines printed (absolute figures after the headline ones; ratios are medians of per-round
ratios, with their spread, see ``spread.py``):

    BENCH server-cpu-per-call-vs-dict ratio=<ours/dict> min=.. median=.. max=.. rounds=<n>
        ours_ms=<..> dict_ms=<..> ... goal<=0.5 <status>
    BENCH server-metrics-cpu-per-call ratio=<on/off> min=.. median=.. max=.. rounds=<n>
        on_ms=<..> off_ms=<..> added_ns_per_frame=<..> ...
    BENCH server-max-realtime-calls calls=<n> p99_ms=<..> ... goal>=500 <status>

Ours runs with metrics on (frames, errors and marks counted, ``/metrics`` scraped every
``SCRAPE_SECONDS`` during the run), except the ``nometrics`` runs of the second line, which
measure what metrics add to a call's CPU: ``added_ns_per_frame`` spreads it over the 50 frames
a call receives each second (each answered by one sent).

``ours_ms``/``dict_ms`` are server CPU milliseconds per second of call, the median of three
rounds; each round runs every server kind once, one after another (the order reversed every
other round), and gives one ratio. The last line is a search, not a repeated measurement, so it
has no spread: the largest number of concurrent real-time calls (stepping by 250, then by 50;
each load tried twice before it counts as failed) that one server process carries with p99 frame
turnaround (media frame sent -> its echo received) at most 20 ms and every frame echoed. Linux
only (reads /proc). About 3 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import uvloop
from picows import WSListener, WSMsgType, ws_connect
from spread import median, ratios, report, status
from websockets.asyncio.server import serve as websockets_serve

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
FRAME_SECONDS = 0.02
P99_LIMIT_MS = 20.0
CALLS_GOAL = 500
RATIO_GOAL = 0.5
TICKS = os.sysconf("SC_CLK_TCK")
#: How often the load scrapes the server's /metrics (Prometheus scrapes every 15 s by default).
SCRAPE_SECONDS = 5.0
#: Server kinds: ours (picows, with or without metrics), ours on websockets, the baseline.
KINDS = ("picows", "nometrics", "websockets", "dict")


# -- the servers (run in child processes) -------------------------------------------------------


async def _dict_echo(ws: object) -> None:
    """The hand-written baseline: dicts in, dicts out, json and websockets."""
    frames = marks = 0
    stream = None
    async for message in ws:  # type: ignore[attr-defined]
        data = json.loads(message)
        event = data["event"]
        if event == "media":
            await ws.send(  # type: ignore[attr-defined]
                json.dumps(
                    {
                        "event": "media",
                        "streamSid": stream,
                        "media": {"payload": data["media"]["payload"]},
                    }
                )
            )
            frames += 1
            if frames % 50 == 0:
                marks += 1
                mark = {"event": "mark", "streamSid": stream, "mark": {"name": f"echo-{marks}"}}
                await ws.send(json.dumps(mark))  # type: ignore[attr-defined]
        elif event == "start":
            stream = data["start"]["streamSid"]
        elif event == "dtmf" and data["dtmf"]["digit"] == "*":
            await ws.send(json.dumps({"event": "clear", "streamSid": stream}))  # type: ignore[attr-defined]
        elif event == "stop":
            await ws.close()  # type: ignore[attr-defined]
            return


async def _serve(kind: str, port: int) -> None:
    if kind == "dict":
        server = await websockets_serve(_dict_echo, "127.0.0.1", port, compression=None)
    else:
        sys.path.insert(0, str(GENERATED))
        from twilio_media_streams.examples.echo import start  # noqa: PLC0415 (built, not installed)

        server = await start(
            "127.0.0.1", port, fast=kind != "websockets", metrics=kind != "nometrics"
        )
    print("ready", flush=True)
    async with server:  # type: ignore[attr-defined]
        await asyncio.Future()


# -- the load ------------------------------------------------------------------------------------


STREAM = "MZ" + "0123456789abcdef" * 2
CALL = "CA" + "0" * 32
ACCOUNT = "AC" + "0" * 32
PAYLOAD = base64.b64encode(bytes(range(160))).decode()
CONNECTED = json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}).encode()
START = json.dumps(
    {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": STREAM,
        "start": {
            "accountSid": ACCOUNT,
            "streamSid": STREAM,
            "callSid": CALL,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": {},
        },
    }
).encode()
MEDIA = (
    '{"event":"media","sequenceNumber":"%d","streamSid":"'
    + STREAM
    + '","media":{"track":"inbound",'
    '"chunk":"%d","timestamp":"%d","payload":"' + PAYLOAD + '"}}'
)
MARK = '{"event":"mark","sequenceNumber":"%d","streamSid":"' + STREAM + '","mark":{"name":"%s"}}'
STOP = (
    '{"event":"stop","sequenceNumber":"%d","streamSid":"'
    + STREAM
    + '","stop":{"accountSid":"'
    + ACCOUNT
    + '","callSid":"'
    + CALL
    + '"}}'
)


@dataclass
class Load:
    """Turnaround samples (seconds) of the measured window, and frame counts."""

    latencies: list[float] = field(default_factory=list)
    measuring: bool = False
    sent: int = 0
    echoed: int = 0
    own_before: float = 0.0
    #: CPU seconds the load itself used over the window.
    own: float = 0.0


def _caller_class(load: Load) -> type:
    class Caller(WSListener):  # type: ignore[misc]
        """One emulated call: numbered frames out, echoes timed in, marks echoed back."""

        def __init__(self) -> None:
            self.transport = None
            self.number = 0
            self.chunk = 0
            self.pending: deque[float] = deque()

        def on_ws_connected(self, transport) -> None:  # type: ignore[no-untyped-def]
            self.transport = transport

        def send_media(self) -> None:
            self.number += 1
            self.chunk += 1
            text = MEDIA % (self.number, self.chunk, self.chunk * 20)
            self.pending.append(time.perf_counter())
            self.transport.send(WSMsgType.TEXT, text.encode())  # type: ignore[attr-defined]
            load.sent += 1

        def send_numbered(self, template: str, *args: object) -> None:
            self.number += 1
            self.transport.send(WSMsgType.TEXT, (template % (self.number, *args)).encode())  # type: ignore[attr-defined]

        def on_ws_frame(self, transport, frame) -> None:  # type: ignore[no-untyped-def]
            if frame.msg_type is not WSMsgType.TEXT:
                return
            data = frame.get_payload_as_bytes()
            head = data[:24]
            if b'"media"' in head:
                sent = self.pending.popleft()
                load.echoed += 1
                if load.measuring:
                    load.latencies.append(time.perf_counter() - sent)
            elif b'"mark"' in head:
                name = json.loads(data)["mark"]["name"]
                self.send_numbered(MARK, name)

    return Caller


async def _scrape(port: int) -> None:
    """GET /metrics every ``SCRAPE_SECONDS``, as Prometheus would."""
    while True:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        if not (await reader.read()).startswith(b"HTTP/1.1 200"):
            raise RuntimeError("/metrics did not answer 200")
        writer.close()
        await asyncio.sleep(SCRAPE_SECONDS)


async def _run_calls(
    port: int, calls: int, seconds: float, pid: int, scrape: bool
) -> tuple[Load, float, float]:
    """``calls`` real-time calls for ``seconds``; returns the load, server CPU s, wall s."""
    scraper = asyncio.ensure_future(_scrape(port)) if scrape else None
    load = Load()
    caller = _caller_class(load)
    clients = []
    for _ in range(calls):
        _, client = await ws_connect(caller, f"ws://127.0.0.1:{port}/")
        client.transport.send(WSMsgType.TEXT, CONNECTED)
        client.transport.send(WSMsgType.TEXT, START)
        client.number = 1
        clients.append(client)
    buckets = [clients[i::20] for i in range(20)]
    loop = asyncio.get_running_loop()
    warmup = 1.0
    start = loop.time() + 0.05
    tick = 0
    cpu_before = wall_before = 0.0
    while True:
        due = start + tick * FRAME_SECONDS / 20
        await asyncio.sleep(max(0.0, due - loop.time()))
        elapsed = loop.time() - start
        if not load.measuring and elapsed >= warmup and cpu_before == 0.0:
            load.measuring = True
            cpu_before, wall_before = _cpu(pid), time.perf_counter()
            load.own_before = time.process_time()
        if elapsed >= warmup + seconds:
            break
        for client in buckets[tick % 20]:
            client.send_media()
        tick += 1
    cpu = _cpu(pid) - cpu_before
    wall = time.perf_counter() - wall_before
    load.own = time.process_time() - load.own_before
    load.measuring = False
    await asyncio.sleep(1.0)  # let the last echoes in
    for client in clients:
        client.send_numbered(STOP)
    await asyncio.sleep(0.2)
    for client in clients:
        client.transport.disconnect()
    if scraper is not None:
        scraper.cancel()
    return load, cpu, wall


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _p99_ms(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def _start_server(kind: str, port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the {kind} server did not start")
    return server


def measure(kind: str, port: int, calls: int, seconds: float) -> tuple[Load, float, float]:
    server = _start_server(kind, port)
    try:
        scrape = kind in ("picows", "websockets")
        return uvloop.run(_run_calls(port, calls, seconds, server.pid, scrape))
    finally:
        server.kill()  # no drain: the calls are over, or the run failed anyway
        server.wait(10)


def _sustains(load: Load) -> bool:
    return load.echoed == load.sent and _p99_ms(load.latencies) <= P99_LIMIT_MS


def _ratio(port: int, seconds: float, rounds: int) -> None:
    """Server CPU per call-second, every kind once per round, one after another: the median of
    the per-round ratios counts."""
    calls = 100
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for round_ in range(rounds):
        for kind in KINDS if round_ % 2 == 0 else KINDS[::-1]:
            load, used, wall = measure(kind, port, calls, seconds)
            values = cpu[kind]
            values.append(used / (calls * wall) * 1000)  # CPU ms per second of call
            print(
                f"# {kind}: {calls} calls, {used:.2f} s CPU over {wall:.1f} s, "
                f"{values[-1]:.3f} CPU ms per call-second, "
                f"p99 {_p99_ms(load.latencies):.2f} ms, "
                f"{load.sent - load.echoed} frames unanswered",
                flush=True,
            )
    mid = {kind: median(values) for kind, values in cpu.items()}
    report(
        "server-cpu-per-call-vs-dict",
        ratios(cpu["picows"], cpu["dict"]),
        f"ours_ms={mid['picows']:.3f} dict_ms={mid['dict']:.3f} "
        f"websockets_adapter_ratio={median(ratios(cpu['websockets'], cpu['dict'])):.3f} "
        f"calls={calls} seconds={seconds:g}",
        RATIO_GOAL,
    )
    on, off = _metrics_per_frame()
    added_ns = median([a - b for a, b in zip(on, off, strict=True)])
    report(
        "server-metrics-cpu-per-call",
        ratios(cpu["picows"], cpu["nometrics"]),
        f"on_ms={mid['picows']:.3f} off_ms={mid['nometrics']:.3f} "
        f"frame_on_ns={median(on):.0f} frame_off_ns={median(off):.0f} "
        f"added_ns_per_frame={added_ns:.0f} added_us_per_call_second={added_ns * 50 / 1000:.2f} "
        f"calls={calls} seconds={seconds:g} scrape_s={SCRAPE_SECONDS:g}",
    )


def _metrics_per_frame() -> tuple[list[float], list[float]]:
    """Nanoseconds the session spends per media frame received and echoed, counting into a
    tally and not: the CPU metrics add, without the end-to-end run's clock-tick resolution
    (the ``on_ms``/``off_ms`` figures count /proc ticks of 10 ms over 600 call-seconds)."""
    sys.path.insert(0, str(GENERATED))
    from twilio_media_streams.session import Session, Tally  # noqa: PLC0415 (built, not installed)

    frames = [MEDIA % (n, n - 1, (n - 2) * 20) for n in range(2, 20002)]

    def once(tally: Tally | None) -> float:
        session = Session(tally=tally)
        session.receive(CONNECTED)
        session.receive(START)
        began = time.perf_counter()
        for text in frames:
            (frame,) = session.receive(text)
            session.send_payload(frame.media.payload)  # type: ignore[union-attr]
            session.data_to_send()
        return (time.perf_counter() - began) / len(frames) * 1e9

    # Alternating, in rounds: the added cost is the median of the per-round differences.
    on: list[float] = []
    off: list[float] = []
    for _ in range(15):
        on.append(once(Tally()))
        off.append(once(None))
    return on, off


def _max_calls(port: int, seconds: float, step: int) -> None:
    """Step up until a load is not sustained (twice: a passing burst of other load on the
    machine should not end the search), then refine between the last pass and that load."""

    def attempt(n: int) -> tuple[bool, float, float]:
        for _ in range(2):
            load, used, wall = measure("picows", port, n, seconds)
            p99 = _p99_ms(load.latencies)
            print(
                f"# {n} calls: p99 {p99:.2f} ms, {load.sent - load.echoed} of {load.sent} frames "
                f"unanswered, server at {used / wall * 100:.0f}% of a core, load at "
                f"{load.own / wall * 100:.0f}%",
                flush=True,
            )
            if _sustains(load):
                return True, p99, used / wall
        return False, 0.0, 0.0

    best, best_p99, best_core = 0, 0.0, 0.0
    n = step
    while n <= 2000:
        ok, p99, core = attempt(n)
        if not ok:
            break
        best, best_p99, best_core = n, p99, core
        n += step
    if step > 50:
        failed = n
        for n in range(best + 50, failed, 50):
            ok, p99, core = attempt(n)
            if not ok:
                break
            best, best_p99, best_core = n, p99, core
    print(
        f"BENCH server-max-realtime-calls calls={best} p99_ms={best_p99:.2f} "
        f"server_core={best_core * 100:.0f}% limit_p99_ms={P99_LIMIT_MS:g} metrics=on "
        f"scrape_s={SCRAPE_SECONDS:g} goal>={CALLS_GOAL} {status(best >= CALLS_GOAL)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--quick", action="store_true", help="shorter runs, coarser search")
    args = parser.parse_args()
    if args.serve:
        uvloop.run(_serve(args.serve, args.port))
        return
    gc.disable()  # the load generator's own pauses would count as server latency
    seconds = 4.0 if args.quick else 6.0
    _ratio(args.port, seconds, 1 if args.quick else 3)
    _max_calls(args.port, seconds, 500 if args.quick else 250)


if __name__ == "__main__":
    main()
