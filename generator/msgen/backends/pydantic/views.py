"""Render-ready views of the pydantic backend: the models datamodel-code-generator renders, and the
fast path in front of the shared exact decoders.

The model classes are rendered by datamodel-code-generator from the channel's payload schemas,
written as one JSON Schema document with a ``$defs`` entry per class of the intermediate model.
msgen shapes them only by that tool's supported means: its options (``aliases`` give every field
msgen's attribute name), ``x-python-type`` (counters, literals and JSON values get types of the
package's ``_runtime``), extra template data and the custom templates beside this module (defaults,
docstrings, ``TAG``, ``from_wire``/``to_wire``).

Decoding runs pydantic-core's JSON validation of a discriminated union of the messages first, in
strict mode and by wire names only (``by_name=False``). The models are typed so that pydantic
accepts exactly what the schemas accept wherever it can: counters chain a digit pattern and an
integer, literal integers and booleans refuse the other JSON kinds, optional properties refuse
``null`` unless the schema allows it, JSON values refuse NaN and infinities, and patterns run on
Rust's engine where :func:`msgen.backends.pydantic.regex.rust_pattern` can translate them (else on
Python's). A message whose schema uses something pydantic cannot decide alike (``uniqueItems``,
unions other than of distinct JSON kinds, mixed or float literals, a message class nested in
another, references back to a class being defined) is left out of the union: the shared exact
decoders decode it, as they decode any frame pydantic refuses, and name the error's JSON path. So
is every message not told apart by a required tag of its own (value, plain-text and binary
messages, untagged ones, tags shared or optional): the fast path only takes a frame whose tag names
one message, the one the rules pick anyway.

Value, plain-text and binary messages are models of one field (``value``, or ``data`` for bytes)
on the ``_Value`` base, rendered by the tool like the others; their decoders are the exact ones.
"""

from __future__ import annotations

import ast
import json
import warnings
from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import as_file, files
from typing import Any

from datamodel_code_generator import LiteralType as DcgLiteral
from datamodel_code_generator import PythonVersion
from datamodel_code_generator.config import JSONSchemaParserConfig
from datamodel_code_generator.enums import DataModelType
from datamodel_code_generator.model import get_data_model_types
from datamodel_code_generator.parser.jsonschema import JsonSchemaParser

from msgen.backends.pydantic.regex import rust_pattern
from msgen.model.ir import (
    AnyType,
    Api,
    ArrayType,
    BooleanType,
    BytesType,
    Channel,
    IntegerType,
    LiteralType,
    MapType,
    Message,
    NullType,
    NumberType,
    ObjectType,
    RefType,
    StringType,
    TypeNode,
    UnionType,
    json_kind,
)
from msgen.model.schema import accepts_null, python_pattern
from msgen.views.frames import ClassView, module_view, own_tagged, py_annotation, scalar_kind
from msgen.views.text import docstring

#: The base class of every model (``_runtime``): strict, by name and by alias, wire names out.
BASE_CLASS = "_Model"
#: What the models and the code after them (the exact decoders) use from ``_runtime``; the
#: formatter drops what a module does not use.
RUNTIME_NAMES = (
    "_MISSING",
    "_NO_EXTRAS",
    "_NOT_NULL",
    "_OMIT_NONE",
    "_OMIT_UNSET",
    "_STRICT_BOOL",
    "_STRICT_INT",
    "UNSET",
    "Unset",
    "_as_int",
    "_bad",
    "_Counter0",
    "_Counter1",
    "_Json",
    "_kind",
    "_literal_ok",
    "_missing",
    "_no_alternative",
    "_not_object",
    "_remember",
    "_to_json",
    "_unique",
    "_unknown",
    "_Value",
    "_const_ok",
)
#: What the custom templates and the code after the classes use from elsewhere.
TAIL_IMPORTS = (
    "re",
    "collections.abc.Mapping",
    "pydantic.Field",
    "typing.Annotated",
    "typing.Any",
    "typing.ClassVar",
    "typing.Literal",
    "typing.Never",
    "typing.cast",
)


class ModelsError(Exception):
    """A bug in msgen: datamodel-code-generator rendered other classes or fields than asked."""


@dataclass(frozen=True)
class FastUnionView:
    """The pydantic fast path of one direction."""

    direction: str
    #: Name of the validator ("" when no message of the direction can take the fast path).
    validator: str
    #: The messages pydantic decodes, as a union.
    types: str
    #: Attribute name of the discriminator in those messages.
    discriminator: str


@dataclass(frozen=True)
class PydanticModuleView:
    """The pydantic-specific parts of one channel's frames and wire modules."""

    #: The models module as datamodel-code-generator rendered it: imports, type aliases, classes.
    models: str
    unions: tuple[FastUnionView, ...]
    #: Messages pydantic decodes on the fast path, by class name.
    fast: frozenset[str]


def _patterns(node: TypeNode) -> list[str]:
    """The patterns in a type, nested classes aside (each class has its own configuration)."""
    match node:
        case StringType():
            return [] if node.pattern is None else [node.pattern]
        case ArrayType():
            return _patterns(node.items)
        case MapType():
            return _patterns(node.values)
        case UnionType():
            return [p for v in node.variants for p in _patterns(v)]
        case _:
            return []


def _bounds(node: IntegerType | NumberType) -> dict[str, Any]:
    out = {
        "minimum": node.minimum,
        "maximum": node.maximum,
        "exclusiveMinimum": node.exclusive_minimum,
        "exclusiveMaximum": node.exclusive_maximum,
    }
    return {k: v for k, v in out.items() if v is not None}


def _python_type(json_type: str, python: str) -> dict[str, Any]:
    """A schema datamodel-code-generator types as ``python`` (its ``x-python-type`` replaces the
    type of a schema whose JSON type it does not match, so the JSON type is always given)."""
    return {"type": json_type, "x-python-type": python}


class PydanticViewBuilder:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.messages = {m.class_name: m for m in channel.messages if m.kind == "object"}
        #: Messages told apart by a required tag of their own: the fast path's union.
        self.tagged = set(own_tagged(channel))
        self.defs: dict[str, dict[str, Any]] = {}
        self.template_data: dict[str, dict[str, Any]] = {}
        self.field_names: dict[str, str] = {}
        self.expected: dict[str, list[str]] = {}
        #: Classes of value, plain-text and binary messages (their base is ``_Value``).
        self.wrappers: list[str] = []
        #: Per class: pydantic decodes it exactly (settled by ``_settle``), its own fields
        #: considered alone, and the classes its fields refer to.
        self.fast: dict[str, bool] = {}
        self._alone: dict[str, bool] = {}
        self._refers: dict[str, set[str]] = {}
        self._uses: set[str] = set()

    # -- types ---------------------------------------------------------------------------------

    def schema(
        self, node: TypeNode, python_re: bool, *, in_union: bool = False
    ) -> tuple[Any, bool]:
        """The JSON Schema datamodel-code-generator renders ``node`` from, and whether pydantic
        decodes it exactly. ``python_re``: the class's patterns run on Python's engine."""
        match node:
            case StringType() if node.counter and not in_union:
                counter = _python_type("string", f"_Counter{node.counter_min}")
                return counter, node.min_length is None and node.max_length is None
            case StringType():
                out: dict[str, Any] = {"type": "string"}
                if node.pattern is not None:
                    rust = None if python_re else rust_pattern(node.pattern)
                    out["pattern"] = rust if rust is not None else python_pattern(node.pattern)
                if node.min_length is not None:
                    out["minLength"] = node.min_length
                if node.max_length is not None:
                    out["maxLength"] = node.max_length
                return out, True
            case IntegerType():
                return {"type": "integer", **_bounds(node)}, True
            case NumberType():
                return {"type": "number", **_bounds(node)}, True
            case BooleanType():
                return {"type": "boolean"}, True
            case NullType():
                return {"type": "null"}, True
            case LiteralType():
                return self._literal(node)
            case ArrayType():
                items, fast = self.schema(node.items, python_re)
                out = {"type": "array", "items": items}
                if node.min_items is not None:
                    out["minItems"] = node.min_items
                if node.max_items is not None:
                    out["maxItems"] = node.max_items
                if node.unique_items:
                    out["uniqueItems"] = True
                return out, fast and not node.unique_items
            case MapType():
                values, fast = self.schema(node.values, python_re)
                out = {"type": "object", "additionalProperties": values}
                if node.min_properties is not None:
                    out["minProperties"] = node.min_properties
                if node.max_properties is not None:
                    out["maxProperties"] = node.max_properties
                return out, fast
            case AnyType():
                return _python_type("object", "_Json"), True
            case UnionType():
                parts = [self.schema(v, python_re, in_union=True) for v in node.variants]
                kinds = [scalar_kind(v) for v in node.variants]
                # Variants of distinct JSON kinds: pydantic's strict union picks the one that can
                # accept, so oneOf and anyOf agree with it (integer and number overlap).
                fast = (
                    all(fast for _, fast in parts)
                    and "" not in kinds
                    and len(set(kinds)) == len(kinds)
                    and not {"integer", "number"} <= set(kinds)
                )
                key = "oneOf" if node.exclusive else "anyOf"
                return {key: [schema for schema, _ in parts]}, fast
            case ObjectType() | RefType():
                # Whether the class is decoded exactly is settled once every class is known
                # (trees refer to a class still being defined): until then, a dependency. A
                # message class nested in another has its tag defaulted: pydantic would not
                # require it there.
                self._uses.add(node.class_name)
                return {"$ref": f"#/$defs/{node.class_name}"}, node.class_name not in self.messages
            case BytesType():
                return _python_type("string", "bytes"), False

    def _literal(self, node: LiteralType) -> tuple[dict[str, Any], bool]:
        if not node.scalar:
            return _python_type("object", "_Json"), False
        values = list(node.values)
        kinds = {json_kind(v) for v in values}
        if kinds <= {"string", "null"}:
            return {"enum": values}, True
        # pydantic's literals compare JSON 1 and true alike: a strict pass of the kind first.
        if kinds in ({"integer"}, {"boolean"}):
            kind = kinds.pop()
            literal = ", ".join(repr(v) for v in values)
            marker = "_STRICT_INT" if kind == "integer" else "_STRICT_BOOL"
            annotation = f"Annotated[Literal[{literal}], {marker}]"
            return {"enum": values, **_python_type(kind, annotation)}, True
        if "number" in kinds:
            return _python_type("number", "float"), False
        return {"enum": values}, False

    # -- classes -------------------------------------------------------------------------------

    def add_class(self, obj: ObjectType, message: Message | None) -> None:
        name = obj.class_name
        # The regex engine is the class's: its patterns all run on Rust's, else all on Python's.
        types = (*(f.type for f in obj.fields), obj.extra_values)
        python_re = any(rust_pattern(p) is None for t in types for p in _patterns(t))
        properties: dict[str, Any] = {}
        fields: dict[str, dict[str, str]] = {}
        fast = True
        for f in obj.fields:
            schema, field_fast = self.schema(f.type, python_re)
            fast = fast and field_fast
            default, markers = "", ""
            if f.is_discriminator:
                assert isinstance(f.type, LiteralType)
                default = repr(f.type.values[0])
            elif not f.required and accepts_null(f.type):
                schema = {"anyOf": [schema, _python_type("null", "Unset")]}
                default, markers = "UNSET", "_OMIT_UNSET"
            elif not f.required:
                default, markers = "None", "_NOT_NULL, _OMIT_NONE"
            properties[f.wire_name] = schema
            if f.py_name != f.wire_name:
                self.field_names[f"{name}.{f.wire_name}"] = f.py_name
            description = " ".join(f.description.split())
            fields[f.py_name] = {
                "default": default,
                "markers": markers,
                "doc": docstring(description) if description else "",
            }
        definition: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "required": [f.wire_name for f in obj.fields if f.required],
        }
        if obj.extras == "forbid":
            definition["additionalProperties"] = False
            extras = ""
        else:
            extra_schema, extra_fast = self.schema(obj.extra_values, python_re)
            definition["additionalProperties"] = extra_schema
            fast = fast and extra_fast
            extras = py_annotation(obj.extra_values)
        description = obj.description
        if message is not None:
            description = (
                "\n\n".join(p for p in (message.title, message.summary, message.description) if p)
                or description
            )
        self.defs[name] = definition
        self.template_data[f"#/$defs/{name}"] = {
            "msgen_doc": docstring(description.strip() or f"The `{name}` object."),
            "msgen_tag": repr(message.tag) if message and message.tag_required else "",
            "msgen_discriminator": message.discriminator if message else "",
            "msgen_extras": extras,
            "msgen_fields": fields,
            "msgen_wrapper": None,
        }
        self.expected[name] = [f.py_name for f in obj.fields]
        self._alone[name] = fast
        self._refers[name], self._uses = self._uses, set()

    def add_wrapper(self, message: Message, view: ClassView) -> None:
        """A value, plain-text or binary message: a class of one field, the whole frame, which
        only the exact decoders decode (nothing tells it apart by a tag)."""
        name = message.class_name
        field = view.fields[0]
        python_re = any(rust_pattern(p) is None for p in _patterns(message.payload))
        schema, _ = self.schema(message.payload, python_re, in_union=True)
        self._uses = set()
        self.defs[name] = {
            "type": "object",
            "properties": {field.py_name: schema},
            "required": [field.py_name],
            "additionalProperties": False,
        }
        self.wrappers.append(name)
        self.template_data[f"#/$defs/{name}"] = {
            "msgen_doc": docstring(view.description or f"The `{name}` message."),
            "msgen_tag": "",
            "msgen_discriminator": "",
            "msgen_extras": "",
            "msgen_fields": {field.py_name: {"default": "", "markers": "", "doc": ""}},
            "msgen_wrapper": {
                "what": view.wire_what,
                "returns": view.wire_type,
                "encode": field.encode,
            },
        }
        self.expected[name] = [field.py_name]
        self.fast[name] = False

    def _settle(self) -> None:
        """A class is decoded exactly when its own fields are and every class it refers to is:
        the largest such set, so that a tree of exact classes stays exact."""
        fast = dict(self._alone)
        changed = True
        while changed:
            changed = False
            for name, refers in self._refers.items():
                if fast[name] and not all(fast[r] for r in refers):
                    fast[name] = False
                    changed = True
        self.fast.update(fast)

    # -- the fast path -------------------------------------------------------------------------

    def union(self, direction: str, messages: tuple[Message, ...]) -> FastUnionView:
        fast = [m for m in messages if m.class_name in self.tagged and self.fast[m.class_name]]
        names = {next(f.py_name for f in m.fields if f.is_discriminator) for m in fast}
        if len(names) != 1:
            fast = []
        hot = self.channel.media
        if hot is not None:
            first = hot.inbound_media if direction == "inbound" else hot.outbound_media
            fast.sort(key=lambda m: m.class_name != first.class_name)
        return FastUnionView(
            direction,
            f"_fast_{direction}" if fast else "",
            " | ".join(m.class_name for m in fast),
            names.pop() if len(names) == 1 else "",
        )

    # -- rendering -----------------------------------------------------------------------------

    def render(self, package: str) -> str:
        """The models module as datamodel-code-generator renders it from the schemas: imports
        (msgen's own given as ``additional_imports``), type aliases and classes."""
        types = get_data_model_types(
            DataModelType.PydanticV2BaseModel, PythonVersion.PY_311, use_type_alias=True
        )
        with as_file(files(__package__).joinpath("datamodel_codegen")) as templates:
            config = JSONSchemaParserConfig(
                data_model_type=types.data_model,
                data_model_root_type=types.root_model,
                data_type_manager_type=types.data_type_manager,
                data_model_field_type=types.field_model,
                target_python_version=PythonVersion.PY_311,
                base_class=f"{package}._runtime.{BASE_CLASS}",
                base_class_map=dict.fromkeys(self.wrappers, f"{package}._runtime._Value"),
                additional_imports=[
                    *(f"{package}._runtime.{name}" for name in RUNTIME_NAMES),
                    f"{package}.errors.FrameError",
                    *TAIL_IMPORTS,
                ],
                custom_template_dir=templates,
                custom_class_name_generator=self._class_name,
                extra_template_data=defaultdict(dict, self.template_data),
                aliases=self.field_names,
                use_annotated=True,
                field_constraints=True,
                use_type_alias=True,
                use_standard_collections=True,
                use_union_operator=True,
                enum_field_as_literal=DcgLiteral.All,
                skip_root_model=True,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # its output is checked below, and tested
                parser = JsonSchemaParser(json.dumps({"$defs": self.defs}), config=config)
                models = parser.parse(format_=False)
        assert isinstance(models, str)
        self._check(models)
        return models

    def _class_name(self, name: str) -> str:
        """The IR's classes keep their names; types the tool adds (constrained members of unions
        and arrays...) get private ones, which no name of msgen's can meet."""
        if name in self.defs:
            return name
        return f"_{name[:1].upper()}{name[1:]}_"

    def _check(self, models: str) -> None:
        """The classes and fields must be the ones the exact decoders build."""
        found: dict[str, list[str]] = {}
        for node in ast.parse(models).body:
            if isinstance(node, ast.ClassDef):
                found[node.name] = [
                    stmt.target.id
                    for stmt in node.body
                    if isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and not stmt.target.id.startswith("_")
                    and stmt.target.id != "TAG"
                ]
        if found != self.expected:
            raise ModelsError(f"the tool rendered {found}, msgen expected {self.expected}")

    def finish(self, package: str) -> PydanticModuleView:
        self._settle()
        unions = (
            self.union("inbound", self.channel.inbound.messages),
            self.union("outbound", self.channel.outbound.messages),
        )
        fast = frozenset(name for u in unions if u.validator for name in u.types.split(" | "))
        return PydanticModuleView(
            models=self.render(package),
            unions=unions,
            fast=fast,
        )


def pydantic_module_view(api: Api, channel: Channel) -> PydanticModuleView:
    """The pydantic-specific parts of one channel's frames and wire modules."""
    builder = PydanticViewBuilder(channel)
    for obj in channel.objects:
        builder.add_class(obj, builder.messages.get(obj.class_name))
    wrappers = {c.name: c for c in module_view(channel).classes if c.kind != "object"}
    for message in channel.messages:
        if message.kind != "object":
            builder.add_wrapper(message, wrappers[message.class_name])
    return builder.finish(api.package)
