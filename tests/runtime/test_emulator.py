"""The emulator's static parts (``msgen.runtime.emulator``): why an upgrade was refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgen.runtime.emulator import CallRefused, MarkEcho


@pytest.mark.parametrize(
    ("status", "body", "cause"),
    [
        (403, b"X-Twilio-Signature does not match", "signature"),
        (403, b"Forbidden", "path"),
        (404, b"", "path"),
        (503, b"draining", "draining"),
        (500, b"boom", "other"),
    ],
)
def test_the_cause_of_a_refusal(status: int, body: bytes, cause: str) -> None:
    refused = CallRefused(status, body)
    assert (refused.status, refused.body, refused.cause) == (status, body, cause)
    assert str(refused).startswith(f"HTTP {status}")


def test_the_message_quotes_the_body_briefly() -> None:
    assert str(CallRefused(404)) == (
        "HTTP 404; no WebSocket route at this path, most likely: check the URL's path"
    )
    assert str(CallRefused(500, b"  x" * 100 + b"\n")).startswith("HTTP 500: x  x")
    assert len(str(CallRefused(500, b"y" * 1000))) < 260


@given(status=st.integers(100, 599), body=st.binary(max_size=300))
def test_any_refusal_has_a_cause_and_a_message(status: int, body: bytes) -> None:
    refused = CallRefused(status, body)
    assert refused.cause in ("signature", "path", "draining", "other")
    assert str(refused).startswith(f"HTTP {status}")


def test_a_mark_echo_is_a_value() -> None:
    assert MarkEcho("m", False, 20) == MarkEcho("m", False, 20)
    with pytest.raises(AttributeError):
        MarkEcho("m", False, 20).name = "n"  # type: ignore[misc]
