"""Prometheus metrics of a server, served as ``GET /metrics`` (``pip install prometheus-client``).

The package's ``metrics`` module: its template renders the docstring and ``PREFIX`` with the
package's name, and the mark counters of a document with playback (present here).
"""

# msgen: section head
from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    from .serving import Calls

__all__ = ["PREFIX", "Exporter"]

# msgen: end
#: The prefix of every metric name.
PREFIX = "package"
# msgen: section exporter
#: Error kinds counted as decode errors; the others are protocol violations.
DECODE_ERRORS = frozenset({"invalid_frame", "binary_frame"})


class Exporter:
    """The metrics of one server's ``calls``, rendered in Prometheus text format."""

    def __init__(self, calls: Calls) -> None:
        self._calls = calls
        self._multiprocess = "PROMETHEUS_MULTIPROC_DIR" in os.environ
        registry = None if self._multiprocess else CollectorRegistry()
        if registry is not None:
            ProcessCollector(registry=registry)
        self._registry = registry

        def counter(name: str, doc: str, *labels: str) -> Counter:
            return Counter(f"{PREFIX}_{name}", doc, labels, registry=registry)

        self._active = Gauge(
            f"{PREFIX}_connections_active",
            "Calls in progress.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._draining = Gauge(
            f"{PREFIX}_draining",
            "1 while the server drains.",
            registry=registry,
            multiprocess_mode="livemax",
        )
        self._counters = {
            "ended": counter("connections_ended", "Calls ended, by close code.", "code"),
            "refused": counter("upgrades_refused", "Upgrades refused, by reason.", "reason"),
            "received": counter("frames_received", "Frames received, by message.", "message"),
            "sent": counter("frames_sent", "Frames sent, by message.", "message"),
            "decode": counter("decode_errors", "Frames that could not be decoded.", "kind"),
            "violations": counter("protocol_violations", "Protocol violations.", "kind"),
            # msgen: end
            "played": counter("marks_played", "Marks echoed after their audio played."),
            "cleared": counter("marks_cleared", "Marks whose audio was dropped or never played."),
            # msgen: section totals
            "failed": counter("handler_exceptions", "Handler callbacks that raised.", "callback"),
        }
        #: What was copied so far: (counter, label) -> total.
        self._copied: dict[tuple[str, str], int] = {}

    def _totals(self) -> dict[tuple[str, str], int]:
        calls = self._calls
        totals: dict[tuple[str, str], int] = {}
        totals.update({("ended", str(code)): n for code, n in calls.ended.items()})
        totals.update({("refused", reason): n for reason, n in calls.refused.items()})
        totals.update({("failed", name): n for name, n in calls.handler_errors.items()})
        tally = calls.tally
        if tally is not None:
            totals.update({("received", tag): n for tag, n in tally.received.items()})
            totals.update({("sent", tag): n for tag, n in tally.sent.items()})
            for kind, n in tally.errors.items():
                totals["decode" if kind in DECODE_ERRORS else "violations", kind] = n
            # msgen: end
            for outcome, n in tally.marks.items():
                totals[outcome, ""] = n
        # msgen: section tail
        return totals

    def sync(self) -> None:
        """Copy what the counters gained since the last copy into the Prometheus metrics."""
        self._active.set(len(self._calls))
        self._draining.set(int(self._calls.draining))
        for key, total in self._totals().items():
            gained = total - self._copied.get(key, 0)
            if gained:
                name, label = key
                metric = self._counters[name]
                (metric.labels(label) if label else metric).inc(gained)
                self._copied[key] = total

    def render(self) -> tuple[str, bytes]:
        """The content type and body of a scrape."""
        self.sync()
        registry = self._registry
        if registry is None:
            registry = CollectorRegistry()
            collect: Callable[[CollectorRegistry], object] = MultiProcessCollector  # untyped
            collect(registry)
        return CONTENT_TYPE_LATEST, generate_latest(registry)
