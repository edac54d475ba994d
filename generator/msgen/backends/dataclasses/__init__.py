"""The default backend: slotted dataclasses, decoded by the shared exact decoders and orjson."""

from msgen.backends import Backend

BACKEND = Backend(
    name="dataclasses",
    package=__name__,
    dependencies=("orjson>=3.10",),
    summary="slotted dataclasses decoded by generated Python, orjson for JSON text",
    classes=(
        "Classes are `@dataclass(slots=True, kw_only=True)`: build them with keywords, and "
        "the discriminator is filled in for you."
    ),
)
