# What the static runtime uses of a package's rendered ``handler`` module (its type contract):
# the classes and constants ``handler_parts`` holds, which the rendered module includes verbatim,
# and its stand-ins for what the template renders per document (``Link``, ``Handler``).
from .handler_parts import ABNORMAL as ABNORMAL
from .handler_parts import GOING_AWAY as GOING_AWAY
from .handler_parts import INTERNAL_ERROR as INTERNAL_ERROR
from .handler_parts import NORMAL as NORMAL
from .handler_parts import Call as Call
from .handler_parts import Driver as Driver
from .handler_parts import Handler as Handler
from .handler_parts import Link as Link
