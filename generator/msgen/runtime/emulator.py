"""The static parts of a package's ``emulator`` module: a refused upgrade, a mark echoed.

The template keeps what the document decides and the call itself; it includes these sections.
Above the first section: the imports.
"""

from __future__ import annotations

from dataclasses import dataclass


# msgen: section refused
class CallRefused(Exception):
    """The server refused the WebSocket upgrade; ``cause`` says why, as far as can be told.

    ``signature``: a 403 whose body names ``X-Twilio-Signature`` (the adapters say so);
    ``path``: a 404, or a 403 without that (frameworks answer 403 to a WebSocket on a path with no
    route); ``draining``: a 503; ``other``: anything else.
    """

    def __init__(self, status: int, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        text = body.decode("utf-8", "replace").strip()
        if status == 403 and "X-Twilio-Signature" in text:
            self.cause = "signature"
            why = "the signature was refused: check --auth-token and the URL the server signs"
        elif status in (403, 404):
            self.cause = "path"
            why = "no WebSocket route at this path, most likely: check the URL's path"
        elif status == 503:
            self.cause = "draining"
            why = "the server is draining or unavailable: try again, or another instance"
        else:
            self.cause = "other"
            why = "the server refused the upgrade"
        detail = f": {text[:200]}" if text else ""
        super().__init__(f"HTTP {status}{detail}; {why}")


@dataclass(frozen=True, slots=True)
class MarkEcho:
    """A mark the emulator echoed: after its audio played, or at once because of a clear."""

    name: str
    cleared: bool
    at_ms: int
