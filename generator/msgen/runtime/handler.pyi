# What the static runtime uses of a package's rendered ``handler`` module (its type contract).
from .session import Session

NORMAL: int
GOING_AWAY: int
ABNORMAL: int
INTERNAL_ERROR: int

class Call:
    session: Session

class Driver:
    call: Call
    closing: bool
    last_active: float
    async def close(self, code: int, reason: str) -> None: ...
