# What the static runtime uses of a package's rendered ``session`` module (its type contract).
class Tally:
    received: dict[str, int]
    sent: dict[str, int]
    errors: dict[str, int]
    marks: dict[str, int]

class Session:
    def __init__(self, *, strict: bool = ..., tally: Tally | None = ...) -> None: ...
