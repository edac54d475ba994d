"""Hypothesis strategy expressions: what they draw is valid for the schema they come from."""

from __future__ import annotations

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from msgen.model.ir import AnyType, Field, ObjectType, StringType, UnionType
from msgen.views.strategies import strategy


def _object(name: str, key: str) -> ObjectType:
    return ObjectType(name, (Field(key, key, StringType(), required=False),), "keep", AnyType())


A, B = _object("A", "key"), _object("B", "key2")
#: Two objects any of whose values the other accepts too: oneOf takes only values one refuses.
ONE_OF = {
    "oneOf": [
        {"type": "object", "properties": {"key": {"type": "string"}}},
        {"type": "object", "properties": {"key2": {"type": "string"}}},
    ]
}


def _drawn(expression: str) -> st.SearchStrategy[object]:
    def of(obj: ObjectType) -> st.SearchStrategy[dict[str, object]]:
        (f,) = obj.fields
        return st.fixed_dictionaries({}, optional={f.wire_name: st.text(max_size=4)})

    namespace = {"st": st, "depth": 2, "s_A": lambda _: of(A), "s_B": lambda _: of(B)}
    return eval(expression, namespace)  # type: ignore[no-any-return]


@given(data=st.data())
def test_one_of_draws_values_exactly_one_variant_accepts(data: st.DataObject) -> None:
    value = data.draw(_drawn(strategy(UnionType((A, B), exclusive=True))))
    jsonschema.validate(value, ONE_OF)


def test_any_of_draws_each_variant_as_it_is() -> None:
    assert strategy(UnionType((A, B))) == "st.one_of(s_A(depth), s_B(depth))"
