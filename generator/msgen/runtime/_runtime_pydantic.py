"""What the pydantic backend adds to a package's ``_runtime``: pydantic-core's JSON codec,
UNSET, and the types the models name so that pydantic's validation in Rust accepts exactly what
the schemas accept.

Its template (the backend's runtime.jinja) includes the sections below; above them, what the
module needs to stand alone.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

from ._runtime import _kind
from .errors import FrameError


# msgen: section unset
class Unset:
    """Type of ``UNSET``: an optional property that may also be null, absent from the wire."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # No JSON value decodes to it; models take the marker itself, and never write it.
        return cs.is_instance_schema(
            cls, serialization=cs.plain_serializer_function_ser_schema(_null)
        )


def _null(value: object) -> None:
    return None


UNSET: Final = Unset()


# msgen: section parse
def loads(data: str | bytes) -> object:
    """Parse JSON text; every failure, including a non-text argument, is a FrameError."""
    if not isinstance(data, str | bytes | bytearray):
        raise FrameError(f"expected JSON text (str or bytes), got {_kind(data)}")
    try:
        # A number too large for a float parses as infinity, which JSON does not have.
        return _finite(pydantic_core.from_json(data, allow_inf_nan=False))
    except ValueError as exc:
        raise FrameError(f"not valid JSON: {exc}") from None


# msgen: section types
class _Model(BaseModel):
    """Base of the frame models: strict as the schemas (no ``"1"`` for 1), built with attribute
    names, decoded (``by_name=False``) and written with the spec's wire names."""

    model_config = ConfigDict(
        strict=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        allow_inf_nan=False,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON value, properties in the spec's order, extras last."""
        return self.model_dump(mode="json")


class _Value(BaseModel):
    """Base of the value, plain-text and binary messages: one field holding the whole frame."""

    model_config = ConfigDict(strict=True)


class _CounterSchema:
    """A counter: digit strings on the wire, ``int`` in Python. pydantic checks the digits with a
    pattern, then converts, both in Rust; it writes the digits back."""

    def __init__(self, lowest: int) -> None:
        self.lowest = lowest

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        digits = "^(0|[1-9][0-9]*)$" if self.lowest == 0 else "^[1-9][0-9]*$"
        return cs.json_or_python_schema(
            json_schema=cs.chain_schema(
                [cs.str_schema(pattern=digits, strict=True), cs.int_schema(strict=False)]
            ),
            python_schema=cs.int_schema(strict=True, ge=self.lowest),
            serialization=cs.to_string_ser_schema(when_used="json"),
        )


_Counter0 = Annotated[int, _CounterSchema(0)]
_Counter1 = Annotated[int, _CounterSchema(1)]


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinities; pydantic's parser takes them where any value goes."""
    if type(value) is float and not math.isfinite(value):
        raise ValueError("expected a JSON value, got a non-finite number")
    if type(value) is list:
        for item in value:
            _finite(item)
    elif type(value) is dict:
        for item in value.values():
            _finite(item)
    return value


class _JsonValueSchema:
    """Any JSON value: checked for NaN and infinities when it comes from JSON text."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return cs.json_or_python_schema(
            json_schema=cs.no_info_after_validator_function(_finite, cs.any_schema()),
            python_schema=cs.any_schema(),
        )


_Json = Annotated[Any, _JsonValueSchema()]


class _StrictKind:
    """Literal integers or booleans: pydantic's literals take JSON 1 for true (and true for 1),
    so the JSON kind is checked first."""

    def __init__(self, kind: CoreSchema) -> None:
        self.kind = kind

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return cs.chain_schema([self.kind, handler(source)])


_STRICT_INT = _StrictKind(cs.int_schema(strict=True))
_STRICT_BOOL = _StrictKind(cs.bool_schema(strict=True))


class _NotNullSchema:
    """An optional property the schema does not let be null: ``None`` in Python means absent, and
    JSON null is refused."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        if schema["type"] != "nullable":
            raise TypeError(f"expected an optional type, got {source!r}")
        return cs.json_or_python_schema(
            json_schema=schema["schema"],
            python_schema=schema,
            serialization=schema.get("serialization"),
        )


def _is_none(value: object) -> bool:
    return value is None


def _is_unset(value: object) -> bool:
    return value is UNSET


_NOT_NULL = _NotNullSchema()
#: Absent optional properties stay off the wire.
_OMIT_NONE = Field(exclude_if=_is_none)
_OMIT_UNSET = Field(exclude_if=_is_unset)
