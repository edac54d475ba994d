"""msgen: typed Python packages from AsyncAPI descriptions of WebSocket protocols.

``__version__`` names the renderer: the release, then a digest of what decides the bytes of a
generated package (msgen's own sources and templates, and the versions of the formatters it runs),
as in ``0.1.0+r1a2b3c4d5e6f``. The digest is computed from the files this msgen runs, so a checkout,
an editable install, a wheel and an sdist of the same sources agree without git, and any change to
the renderer shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from importlib import metadata, resources
from importlib.abc import Traversable

#: The release number; the distribution's metadata reads it from here (pyproject.toml).
RELEASE = "0.1.0"
#: Distributions whose version changes what msgen renders (pyproject.toml pins them exactly).
RENDERING_DEPENDENCIES = ("ruff", "datamodel-code-generator")
#: The renderer's files: its code and its templates.
_SUFFIXES = (".py", ".jinja", ".jinja2")


def _files(folder: Traversable, prefix: str, skip: str = "") -> Iterator[tuple[str, bytes]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = f"{prefix}/{entry.name}"
        if entry.is_dir() and entry.name not in ("__pycache__", skip):
            yield from _files(entry, name)
        elif entry.is_file() and entry.name.endswith(_SUFFIXES):
            yield name, entry.read_bytes().replace(b"\r\n", b"\n")


@cache
def renderer_digest() -> str:
    """sha256 over msgen's sources and templates (by path inside the package, line endings
    normalised) and the versions of ``RENDERING_DEPENDENCIES``."""
    digest = hashlib.sha256()
    # An installed msgen holds its templates in msgen/templates; a checkout maps them from
    # templates/: either way they are read as msgen.templates, as the renderer reads them.
    sources = [
        *_files(resources.files("msgen"), "msgen", skip="templates"),
        *_files(resources.files("msgen.templates"), "msgen/templates"),
    ]
    for name, data in sorted(sources):
        digest.update(f"{name}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    for distribution in RENDERING_DEPENDENCIES:
        try:
            installed = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            installed = "absent"
        digest.update(f"{distribution}=={installed}\n".encode())
    return digest.hexdigest()


def __getattr__(name: str) -> str:
    """``__version__``, computed on first use: reading the renderer costs a few milliseconds."""
    if name == "__version__":
        return f"{RELEASE}+r{renderer_digest()[:12]}"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
