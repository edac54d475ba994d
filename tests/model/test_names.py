"""Python-safe names: every output is a valid, non-keyword identifier."""

from __future__ import annotations

import ast
import keyword

from datamodel_code_generator.model.field_name import PYDANTIC_BASE_MODEL_ATTRIBUTES
from hypothesis import given
from hypothesis import strategies as st
from support import ROOT

from msgen.model import names


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


def test_wire_names_that_are_not_identifiers_become_identifiers() -> None:
    assert names.snake("a/b.c-d e") == "a_b_c_d_e"
    assert names.snake("déjà vu") == "deja_vu"
    assert names.snake("1st-place") == "n1st_place"
    assert names.snake("class") == "class_"
    assert names.snake("ﬁle") == "file"  # compatibility ligature, NFKD
    assert names.snake("日本") == "unnamed"  # nothing left in ASCII


def test_nested_class_names_do_not_stutter() -> None:
    assert names.nested("Start", "start") == "StartDetails"
    assert names.nested("OutboundMedia", "media") == "OutboundMediaDetails"
    assert names.nested("MediaStreamStart", "streamStart") == "MediaStreamStartDetails"
    assert names.nested("Start", "mediaFormat") == "StartMediaFormat"
    assert names.nested("Media", "multimedia") == "MediaMultimedia"


def test_package_names_drop_generic_words() -> None:
    package = names.package_from_title
    assert package("Twilio Media Streams") == "twilio_media_streams"
    assert package("Deepgram API") == "deepgram"
    assert package("Twilio Real-Time WebSocket APIs") == "twilio_real_time"
    assert package("Speechmatics Realtime ASR API") == "speechmatics_realtime_asr"
    assert package("ElevenLabs WebSockets v1.0") == "elevenlabs"
    assert package("The AsyncAPI Specification", "api.deepgram.com") == "deepgram"
    assert package("WebSocket API", "eu.rt.speechmatics.com") == "speechmatics"
    assert package("WebSocket API", "www.example.co.uk") == "example"
    assert package("API", "localhost") == "api"
    assert package("API", "api.ws.io") == "api"  # the label before the suffix is generic
    assert package("2048 Game") == "game"


def test_host_label() -> None:
    assert names.host_label("api.deepgram.com") == "deepgram"
    assert names.host_label("foo.bar.co.uk") == "bar"
    assert names.host_label("127.0.0.1") == ""
    assert names.host_label("{host}") == ""


def test_module_words_skip_parameters_versions_and_generic_words() -> None:
    assert names.module("/v1/listen/{id}") == ["listen"]
    assert names.module("/tts/websocket") == ["tts"]
    assert names.module("/v1/text-to-speech/{voice_id}/stream-input") == [
        "text",
        "to",
        "speech",
        "stream",
        "input",
    ]
    assert names.module("session.update") == ["session", "update"]
    assert names.versions("/v2/listen") == ["v2"]


def test_no_field_shadows_a_name_a_class_body_reads() -> None:
    """A field named ``field`` or ``object`` would hide the helper or type the class body uses
    after it (``field(default_factory=dict)``, ``obj: object``)."""
    read: set[str] = set()
    for frames in (ROOT / "generated").glob("*/frames.py"):
        for cls in ast.walk(ast.parse(frames.read_text())):
            if not isinstance(cls, ast.ClassDef):
                continue
            for stmt in cls.body:
                if isinstance(stmt, ast.FunctionDef):
                    args = [a.annotation for a in stmt.args.args if a.annotation]
                    parts = [*stmt.decorator_list, *args, stmt.returns]
                elif isinstance(stmt, ast.AnnAssign):
                    parts = [stmt.annotation, stmt.value]
                else:
                    parts = []
                read |= {
                    n.id
                    for part in parts
                    if part is not None
                    for n in ast.walk(part)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                }
    lower = {n for n in read if n[0].islower()}
    assert {"classmethod", "field", "object"} <= lower
    for name in lower | {"msgspec", "property"}:  # what the msgspec and pydantic classes read
        assert names.snake(name) == f"{name}_"
