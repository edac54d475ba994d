"""Python-safe names: every output is a valid, non-keyword identifier."""

from __future__ import annotations

import keyword

from datamodel_code_generator.model.field_name import PYDANTIC_BASE_MODEL_ATTRIBUTES
from hypothesis import given
from hypothesis import strategies as st

from msgen import names


def test_examples() -> None:
    assert names.snake("sequenceNumber") == "sequence_number"
    assert names.snake("streamSid") == "stream_sid"
    assert names.snake("HTTPStatus") == "http_status"
    assert names.snake("from") == "from_"
    assert names.snake("2fa") == "n2fa"
    assert names.snake("extras") == "extras_"
    assert names.pascal("inboundMedia") == "InboundMedia"
    assert names.pascal("send-digits") == "SendDigits"
    assert names.package("Twilio Media Streams") == "twilio_media_streams"


def test_attribute_names_are_the_same_whichever_backend() -> None:
    """No name pydantic's BaseModel owns, nor a builtin type an annotation names."""
    for owned in sorted(n for n in PYDANTIC_BASE_MODEL_ATTRIBUTES if not n.startswith("_")):
        assert names.snake(owned) == f"{owned}_"
    assert names.snake("modelDumpAll") == "model_dump_all_"
    assert names.snake("modelName") == "model_name"
    assert names.snake("list") == "list_"


@given(st.text(max_size=30))
def test_snake_and_pascal_are_identifiers(text: str) -> None:
    for name in (names.snake(text), names.pascal(text), names.package(text)):
        assert name.isidentifier()
        assert not keyword.iskeyword(name)


@given(st.lists(st.sampled_from(["a", "b", "a2"]), max_size=8))
def test_unique_never_repeats(wanted: list[str]) -> None:
    taken: set[str] = set()
    chosen = [names.unique(w, taken) for w in wanted]
    assert len(set(chosen)) == len(chosen)
