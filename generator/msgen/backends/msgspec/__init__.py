"""The msgspec backend: Structs decoded in C on the fast path, the exact decoders behind it."""

from msgen.backends import Backend
from msgen.backends.msgspec.views import msgspec_module_view

BACKEND = Backend(
    name="msgspec",
    package=__name__,
    dependencies=("msgspec>=0.18",),
    summary="msgspec Structs decoded in C, exact Python decoders behind the fast path",
    classes=(
        "Classes are `msgspec.Struct`s (keyword-only, not tracked by the garbage collector): "
        "build them with keywords, and the discriminator is filled in for you."
    ),
    context=lambda api, channel: {"msgspec_module": msgspec_module_view(channel)},
)
