# What the static tests use of a package's rendered ``client`` module: its builders and
# ``connect`` take the document's parameters as keywords, here any.
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Final

from msgen.runtime.client import ParameterError as ParameterError
from msgen.runtime.frames import OutboundFrame
from msgen.runtime.tests.rendered import Event

ADDRESS: Final[str]

def build_url(
    *, url: str | None = ..., extra_query: Mapping[str, Any] | None = ..., **parameters: Any
) -> str: ...
def build_headers(
    *, extra_headers: Mapping[str, str] | None = ..., **parameters: Any
) -> dict[str, str]: ...

class Connection:
    url: str
    async def send(self, frame: OutboundFrame) -> None: ...
    async def recv(self) -> Event: ...
    def __aiter__(self) -> AsyncIterator[Event]: ...
    async def close(self, code: int = ..., reason: str = ...) -> None: ...

def connect(
    *,
    url: str | None = ...,
    extra_query: Mapping[str, Any] | None = ...,
    extra_headers: Mapping[str, str] | None = ...,
    strict: bool = ...,
    **parameters: Any,
) -> AbstractAsyncContextManager[Connection]: ...
