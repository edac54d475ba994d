"""What the dataclasses backend adds to a package's ``_runtime``: orjson, its own UNSET.

Its template (the backend's runtime.jinja) includes the sections below; above them, what the
module needs to stand alone.
"""

from __future__ import annotations

from typing import Final

from ._runtime import _kind
from .errors import FrameError


# msgen: section unset
class Unset:
    """Type of ``UNSET``: an optional property that may also be null, absent from the wire."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset()


# msgen: section parse
def not_json(data: object, exc: Exception) -> FrameError:
    """The error for text orjson refused (decoders call orjson directly, on the hot path)."""
    if not isinstance(data, str | bytes | bytearray | memoryview):
        return FrameError(f"expected JSON text (str or bytes), got {_kind(data)}")
    return FrameError(f"not valid JSON: {exc}")
