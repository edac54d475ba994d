"""The pydantic backend: models datamodel-code-generator renders, decoded by pydantic-core in Rust
on the fast path, the exact decoders behind it."""

from collections.abc import Mapping
from typing import Any

from msgen.backends import Backend
from msgen.model.ir import Api, Channel


def _context(api: Api, channel: Channel) -> Mapping[str, Any]:
    # Imported on first use: datamodel-code-generator takes longer to import than other builds run.
    from msgen.backends.pydantic.views import pydantic_module_view  # noqa: PLC0415

    return {"pydantic_module": pydantic_module_view(api, channel)}


BACKEND = Backend(
    name="pydantic",
    package=__name__,
    dependencies=("pydantic>=2.12",),
    summary="pydantic v2 models decoded by pydantic-core in Rust, exact Python decoders behind",
    classes=(
        "Classes are pydantic v2 models, as strict as the schemas: building one with "
        "keywords validates it (pydantic's `ValidationError` otherwise), and the discriminator "
        "is filled in for you. `frame.model_dump_json()` writes the wire JSON, as `encode` does; "
        "`frame.model_extra` holds what `frame.extras` holds."
    ),
    context=_context,
)
