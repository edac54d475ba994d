"""What the msgspec backend adds to a package's ``_runtime``: msgspec's codec and UNSET.

Its template (the backend's runtime.jinja) includes the sections below; above them, what the
module needs to stand alone.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

from ._runtime import _kind
from .errors import FrameError

# msgen: section unset
#: Type of ``UNSET``: an optional property that may also be null, absent from the wire. msgspec's
#: own marker, so that Structs decode an absent property to it.
Unset = msgspec.UnsetType

UNSET: Final = msgspec.UNSET

#: msgspec ends some messages with the path of the problem, meaningless for untyped JSON.
_PATH_SUFFIX = re.compile(r" - at `\$[^`]*`$")

_json_decode = msgspec.json.Decoder().decode
_json_encode = msgspec.json.Encoder().encode
_json_encode_sorted = msgspec.json.Encoder(order="sorted").encode


# msgen: section parse
def loads(data: str | bytes) -> object:
    """Parse JSON text; every failure, including a non-text argument, is a FrameError."""
    try:
        return _json_decode(data)
    except TypeError:
        raise FrameError(f"expected JSON text (str or bytes), got {_kind(data)}") from None
    except (msgspec.DecodeError, ValueError, RecursionError) as exc:
        raise FrameError(f"not valid JSON: {_PATH_SUFFIX.sub('', str(exc))}") from None
