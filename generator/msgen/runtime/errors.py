"""The errors this package raises: each names where in the frame the problem is."""

from __future__ import annotations


class FrameError(ValueError):
    """A frame is not valid JSON, or does not match the spec.

    ``path`` locates the problem in JSONPath style (``$.media.chunk``, ``$.start.tracks[0]``);
    ``reason`` says what was wrong. Decoders raise this and nothing else.
    """

    def __init__(self, reason: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self._reversed: list[str | int] = list(reversed(path))

    def within(self, key: str | int) -> FrameError:
        """Prefix the path with the key of the enclosing value (used while unwinding)."""
        self._reversed.append(key)
        return self

    @property
    def parts(self) -> tuple[str | int, ...]:
        return tuple(reversed(self._reversed))

    @property
    def path(self) -> str:
        out = ["$"]
        for part in self.parts:
            if isinstance(part, int):
                out.append(f"[{part}]")
            elif part.isidentifier():
                out.append(f".{part}")
            else:
                out.append(f"[{part!r}]")
        return "".join(out)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
