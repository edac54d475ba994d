"""Model backends: how frames become Python classes. One folder per backend, one name in NAMES.

A backend folder holds its views (Python) and its templates side by side: ``frames.py.jinja`` and
``wire.py.jinja`` (the frames and codec modules of a channel) and ``runtime.jinja`` (macros the
shared ``_runtime.py`` template imports). Everything else, the exact decoders included, is shared.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from msgen.model.ir import Api, Channel


def _no_context(api: Api, channel: Channel) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Backend:
    """What render needs from a backend."""

    name: str
    #: Import name of the package holding its templates.
    package: str
    #: Runtime dependencies of the generated package.
    dependencies: tuple[str, ...]
    #: One-line summary for ``--help`` and the generated README.
    summary: str
    #: What the classes are and how to build them, for the generated README.
    classes: str
    #: Extra template context per channel (the backend's own views).
    context: Callable[[Api, Channel], Mapping[str, Any]] = field(default=_no_context)


#: Every backend, by the folder (and ``--models`` name) that holds it; the first is the default.
NAMES = ("dataclasses", "msgspec", "pydantic")

BACKENDS: Mapping[str, Backend] = {
    name: importlib.import_module(f"{__name__}.{name}").BACKEND for name in NAMES
}
