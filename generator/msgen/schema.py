"""JSON Schema (AsyncAPI's draft-07 superset) to IR types, and to plain inlined JSON Schema.

Only what generated code enforces becomes a type constraint; keywords it cannot enforce are
reported as warnings so nobody believes a schema is checked when it is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jsonschema

from msgen import names
from msgen.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    ExtraPolicy,
    Field,
    IntegerType,
    JsonScalar,
    LiteralType,
    Location,
    MapType,
    NullType,
    NumberType,
    ObjectType,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.loader import Node, unescape
from msgen.problems import Problem, Problems, SpecError

#: Keywords that only annotate: accepted and ignored.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "example",
        "readOnly",
        "writeOnly",
        "deprecated",
        "externalDocs",
        "discriminator",
        "format",
        "contentEncoding",
        "contentMediaType",
        "definitions",
        "$defs",
    }
)
_HANDLED = frozenset(
    {
        "$ref",
        "type",
        "const",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "allOf",
        "oneOf",
        "anyOf",
    }
)
_TYPES = ("string", "integer", "number", "boolean", "null", "object", "array")

#: Patterns that admit exactly the canonical decimal integers >= 0 or >= 1.
COUNTER_PATTERNS = {
    r"^(0|[1-9][0-9]*)$": 0,
    r"^(0|[1-9]\d*)$": 0,
    r"^(?:0|[1-9][0-9]*)$": 0,
    r"^(?:0|[1-9]\d*)$": 0,
    r"^[1-9][0-9]*$": 1,
    r"^[1-9]\d*$": 1,
}


def python_pattern(pattern: str) -> str:
    """Translate an ECMA-262 pattern to Python ``re``.

    ``$`` means end of input (Python's also matches before a final newline) and ``\\d``/``\\w`` are
    ASCII-only, as in JSON Schema's regex dialect.
    """
    out: list[str] = ["(?a)"]
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append(r"\Z")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class _Object:
    """An object schema after ``allOf`` merging, before it becomes a class."""

    properties: list[tuple[str, Node]]
    required: list[str]
    additional: Node | None
    discriminator: str


class SchemaConverter:
    """Turns schema nodes into IR types; objects become named classes, shared by identity."""

    def __init__(self, problems: Problems, taken_names: set[str]) -> None:
        self.problems = problems
        self.taken = taken_names
        self._classes: dict[tuple[object, str | None], ObjectType] = {}
        self._active: list[tuple[object, ...]] = []

    # -- entry points ------------------------------------------------------------------------

    def payload(self, node: Node, class_name: str) -> ObjectType | None:
        """A message payload: must be an object schema; its class takes the message's name."""
        target = self._deref(node)
        if target is None:
            return None
        converted = self._convert(target, class_name, forced=True)
        if not isinstance(converted, ObjectType):
            self.problems.error(node.location, "a message payload must be an object schema")
            return None
        return converted

    # -- conversion --------------------------------------------------------------------------

    def _deref(self, node: Node) -> Node | None:
        try:
            return node.deref()
        except SpecError as exc:
            self.problems.items.extend(exc.problems)
            return None

    def _name_for(self, node: Node, hint: str) -> str:
        title = node.value.get("title") if isinstance(node.value, dict) else None
        key = _schema_key(node)
        if key:
            return names.pascal(key)
        if isinstance(title, str) and title.strip():
            return names.pascal(title)
        return names.pascal(hint)

    def _convert(self, node: Node, hint: str, *, forced: bool = False) -> TypeNode:
        if node.is_ref:
            target = self._deref(node)
            return AnyType() if target is None else self._convert(target, hint, forced=forced)
        value = node.value
        if value is True or value == {}:
            return AnyType()
        if value is False:
            self.problems.error(node.location, "the schema `false` accepts nothing")
            return AnyType()
        if not isinstance(value, dict):
            self.problems.error(node.location, "a schema must be an object or a boolean")
            return AnyType()
        for key in value:
            if key not in _HANDLED and key not in _ANNOTATIONS and not key.startswith("x-"):
                self.problems.warning(
                    node.child(key).location,
                    f"schema keyword {key!r} is not enforced by the generated code",
                )
        if "allOf" in value:
            return self._all_of(node, hint, forced=forced)
        for combinator in ("oneOf", "anyOf"):
            if combinator in value:
                return self._union(node, combinator, hint)
        if "const" in value:
            return LiteralType((_scalar(node.child("const"), self.problems),))
        if "enum" in value:
            return self._enum(node.child("enum"))
        types = value.get("type")
        if isinstance(types, list):
            if not types or not all(t in _TYPES for t in types):
                self.problems.error(node.child("type").location, f"bad type list {types!r}")
                return AnyType()
            variants = tuple(self._typed(node, t, hint, forced=forced) for t in types)
            return variants[0] if len(variants) == 1 else UnionType(variants, exclusive=False)
        if types is None:
            if "properties" in value or "additionalProperties" in value or "required" in value:
                types = "object"
            elif "items" in value:
                types = "array"
            else:
                return AnyType()
        if types not in _TYPES:
            self.problems.error(node.child("type").location, f"unknown type {types!r}")
            return AnyType()
        return self._typed(node, types, hint, forced=forced)

    def _typed(self, node: Node, kind: str, hint: str, *, forced: bool) -> TypeNode:
        value = node.value
        match kind:
            case "string":
                return self._string(node)
            case "integer":
                return IntegerType(
                    minimum=_int(node, "minimum", self.problems),
                    maximum=_int(node, "maximum", self.problems),
                    exclusive_minimum=_int(node, "exclusiveMinimum", self.problems),
                    exclusive_maximum=_int(node, "exclusiveMaximum", self.problems),
                )
            case "number":
                return NumberType(
                    minimum=_num(node, "minimum", self.problems),
                    maximum=_num(node, "maximum", self.problems),
                    exclusive_minimum=_num(node, "exclusiveMinimum", self.problems),
                    exclusive_maximum=_num(node, "exclusiveMaximum", self.problems),
                )
            case "boolean":
                return BooleanType()
            case "null":
                return NullType()
            case "array":
                items = node.get("items")
                if items is not None and isinstance(items.value, list):
                    self.problems.warning(items.location, "tuple `items` is not enforced")
                    item_type: TypeNode = AnyType()
                else:
                    item_type = AnyType() if items is None else self._convert(items, f"{hint}Item")
                return ArrayType(
                    item_type,
                    min_items=_int(node, "minItems", self.problems),
                    max_items=_int(node, "maxItems", self.problems),
                    unique_items=value.get("uniqueItems") is True,
                )
            case _:
                return self._object(node, self._collect(node), hint, forced=forced)

    def _string(self, node: Node) -> StringType:
        value = node.value
        pattern = value.get("pattern")
        if pattern is not None:
            where = node.child("pattern").location
            if not isinstance(pattern, str):
                self.problems.error(where, "pattern must be a string")
                pattern = None
            else:
                try:
                    re.compile(python_pattern(pattern))
                except re.error as exc:
                    self.problems.error(where, f"pattern {pattern!r} does not compile: {exc}")
                    pattern = None
        counter_min = COUNTER_PATTERNS.get(pattern) if pattern else None
        return StringType(
            pattern=pattern,
            min_length=_int(node, "minLength", self.problems),
            max_length=_int(node, "maxLength", self.problems),
            format=_str(value.get("format")),
            content_encoding=_str(value.get("contentEncoding")),
            content_media_type=_str(value.get("contentMediaType")),
            counter=counter_min is not None,
            counter_min=counter_min or 0,
        )

    def _enum(self, node: Node) -> TypeNode:
        if not isinstance(node.value, list) or not node.value:
            self.problems.error(node.location, "enum must be a non-empty list")
            return AnyType()
        values = tuple(_scalar(item, self.problems) for item in node.elements())
        # Once each as JSON compares them: 1 and 1.0 are one value, true and 1 are two.
        unique: dict[tuple[bool, JsonScalar], JsonScalar] = {}
        for v in values:
            unique.setdefault((isinstance(v, bool), v), v)
        return LiteralType(tuple(unique.values()))

    def _union(self, node: Node, combinator: str, hint: str) -> TypeNode:
        options = node.child(combinator)
        if not isinstance(options.value, list) or not options.value:
            self.problems.error(options.location, f"{combinator} must be a non-empty list")
            return AnyType()
        others = set(node.value) - {combinator} - _ANNOTATIONS
        if others - {"type"}:
            self.problems.warning(
                node.location,
                f"keywords beside {combinator} are not enforced: {', '.join(sorted(others))}",
            )
        variants = tuple(
            self._convert(option, f"{hint}Option{i + 1}")
            for i, option in enumerate(options.elements())
        )
        return UnionType(variants, exclusive=combinator == "oneOf")

    def _all_of(self, node: Node, hint: str, *, forced: bool) -> TypeNode:
        parts = node.child("allOf")
        if not isinstance(parts.value, list) or not parts.value:
            self.problems.error(parts.location, "allOf must be a non-empty list")
            return AnyType()
        merged = self._collect(node, allow_allof=True)
        return self._object(node, merged, hint, forced=forced)

    def _collect(self, node: Node, *, allow_allof: bool = False) -> _Object:
        """Properties, required and additionalProperties of an object schema, allOf merged in."""
        properties: dict[str, Node] = {}
        required: list[str] = []
        additional: Node | None = None
        discriminator = ""
        stack = [node]
        while stack:
            current = stack.pop(0)
            if current.is_ref:
                target = self._deref(current)
                if target is None:
                    continue
                current = target
            value = current.value
            if not isinstance(value, dict):
                self.problems.error(current.location, "allOf members must be object schemas")
                continue
            if value.get("type", "object") != "object":
                self.problems.error(current.location, "allOf members must be object schemas")
                continue
            props = current.get("properties")
            if props is not None:
                if not isinstance(props.value, dict):
                    self.problems.error(props.location, "properties must be a mapping")
                else:
                    for key, prop in props.items():
                        properties.setdefault(key, prop)
            req = current.get("required")
            if req is not None:
                if not isinstance(req.value, list) or not all(
                    isinstance(r, str) for r in req.value
                ):
                    self.problems.error(req.location, "required must be a list of strings")
                else:
                    required.extend(r for r in req.value if r not in required)
            extra = current.get("additionalProperties")
            if extra is not None:
                additional = extra
            declared = current.get("discriminator")
            if declared is not None:
                # 2.x/3.x: a property name; OpenAPI-style {propertyName: ...} is accepted too.
                value = declared.value
                if isinstance(value, dict):
                    value = value.get("propertyName")
                if isinstance(value, str) and value:
                    discriminator = discriminator or value
                else:
                    self.problems.error(declared.location, "discriminator must name a property")
            if allow_allof and current.get("allOf") is not None:
                parts = current.child("allOf")
                if isinstance(parts.value, list):
                    stack.extend(parts.elements())
        for name in required:
            if name not in properties:
                where = node.get("required") or node
                self.problems.error(where.location, f"required names {name!r}, not a property")
        return _Object(list(properties.items()), required, additional, discriminator)

    def _object(self, node: Node, shape: _Object, hint: str, *, forced: bool) -> TypeNode:
        if not shape.properties and shape.additional is not None:
            if shape.additional.value is False:
                return ObjectType(self._claim(node, hint, forced), (), "forbid")
            values = (
                AnyType()
                if shape.additional.value is True
                else self._convert(shape.additional, f"{hint}Value")
            )
            return MapType(
                values,
                min_properties=_int(node, "minProperties", self.problems),
                max_properties=_int(node, "maxProperties", self.problems),
            )
        if not shape.properties and not forced:
            return MapType(AnyType())
        key = (node.identity, hint if forced else None)
        if key in self._classes:
            return self._classes[key]
        if key in self._active:
            self.problems.error(node.location, "recursive schemas are not supported")
            return AnyType()
        self._active.append(key)
        try:
            class_name = self._claim(node, hint, forced)
            taken: set[str] = set()
            fields = []
            for wire_name, prop in shape.properties:
                py_name = names.unique(names.snake(wire_name), taken)
                prop_type = self._convert(prop, f"{class_name}{names.pascal(wire_name)}")
                description = self._description(prop)
                fields.append(
                    Field(
                        wire_name=wire_name,
                        py_name=py_name,
                        type=prop_type,
                        required=wire_name in shape.required,
                        description=description,
                    )
                )
            extras: ExtraPolicy
            extra_values: TypeNode = AnyType()
            if shape.additional is None or shape.additional.value is True:
                extras = "keep"
            elif shape.additional.value is False:
                extras = "forbid"
            else:
                extras = "keep"
                extra_values = self._convert(shape.additional, f"{class_name}Extra")
            obj = ObjectType(
                class_name=class_name,
                fields=tuple(fields),
                extras=extras,
                extra_values=extra_values,
                description=_str(node.value.get("description")) or "",
                location=node.location,
                declared_discriminator=shape.discriminator,
                schema_key=_schema_key(node),
            )
            self._classes[key] = obj
            return obj
        finally:
            self._active.pop()

    def _description(self, prop: Node) -> str:
        """A property's own description (allowed beside ``$ref``), else its target's."""
        for candidate in (prop, self._deref(prop) if prop.is_ref else None):
            if candidate is not None and isinstance(candidate.value, dict):
                text = candidate.value.get("description")
                if isinstance(text, str) and text.strip():
                    return text
        return ""

    def _claim(self, node: Node, hint: str, forced: bool) -> str:
        """A forced name was reserved by the caller; others take the first free variant."""
        return hint if forced else names.unique(self._name_for(node, hint), self.taken)


def _schema_key(node: Node) -> str:
    match = re.fullmatch(r"/components/schemas/([^/]+)", node.pointer)
    return unescape(match.group(1)) if match else ""


def _scalar(node: Node, problems: Problems) -> str | int | float | bool | None:
    value = node.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    problems.error(node.location, "only scalar const/enum values are supported")
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(node: Node, key: str, problems: Problems) -> int | None:
    child = node.get(key)
    if child is None:
        return None
    value = child.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        problems.error(child.location, f"{key} must be an integer")
        return None
    return value


def _num(node: Node, key: str, problems: Problems) -> float | None:
    child = node.get(key)
    if child is None:
        return None
    value = child.value
    if not isinstance(value, int | float) or isinstance(value, bool):
        problems.error(child.location, f"{key} must be a number")
        return None
    return value


# -----------------------------------------------------------------------------------------------
# Inlining: plain JSON Schema for jsonschema, hypothesis and the generated tests.
# -----------------------------------------------------------------------------------------------


def inline(node: Node) -> tuple[Any, dict[tuple[str | int, ...], Location]]:
    """The schema with every ``$ref`` replaced by its target, and where each part came from."""
    origins: dict[tuple[str | int, ...], Location] = {}

    def walk(current: Node, path: tuple[str | int, ...], active: tuple[object, ...]) -> Any:
        if current.is_ref:
            target = current.deref()
            if target.identity in active:
                msg = "recursive schemas are not supported"
                raise SpecError([Problem("error", current.location, msg)])
            origins.setdefault(path, current.location)
            return walk(target, path, (*active, target.identity))
        origins.setdefault(path, current.location)
        value = current.value
        if isinstance(value, dict):
            return {
                key: walk(child, (*path, key), active)
                if key not in ("examples", "example", "const", "enum", "default")
                else child.value
                for key, child in current.items()
                if not key.startswith("x-")
            }
        if isinstance(value, list):
            return [walk(child, (*path, i), active) for i, child in enumerate(current.elements())]
        return value

    return walk(node, (), (node.identity,)), origins


def check_schema(
    schema: Any, origins: dict[tuple[str | int, ...], Location], problems: Problems
) -> bool:
    """Report draft-07 meta-schema errors where they were written; True when there are none."""
    ok = True
    for error in jsonschema.Draft7Validator(jsonschema.Draft7Validator.META_SCHEMA).iter_errors(
        schema
    ):
        ok = False
        path = tuple(error.absolute_path)
        while path not in origins and path:
            path = path[:-1]
        problems.error(origins.get(path, origins[()]), f"invalid schema: {error.message}")
    return ok


def validator(schema: Any) -> jsonschema.protocols.Validator:
    """A draft-07 validator whose patterns follow ECMA-262 (see ``python_pattern``)."""
    return jsonschema.Draft7Validator(pythonize_patterns(schema))


_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_ONE = (
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
)


_ANNOTATION_ONLY = frozenset(
    {
        "title",
        "description",
        "examples",
        "example",
        "$comment",
        "externalDocs",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentEncoding",
        "contentMediaType",
        "format",
        "default",
        "discriminator",
    }
)


def oracle_schema(schema: Any) -> Any:
    """The schema as the generated tests' oracle needs it: Python patterns, no annotations."""
    return pythonize_patterns(schema, drop=_ANNOTATION_ONLY)


def pythonize_patterns(schema: Any, drop: frozenset[str] = frozenset()) -> Any:
    """The schema with every ``pattern`` translated, so Python validators read them as ECMA does."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in drop:
            continue
        if key == "pattern" and isinstance(value, str):
            out[key] = python_pattern(value)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: pythonize_patterns(v, drop) for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [pythonize_patterns(v, drop) for v in value]
        elif key in _SCHEMA_ONE:
            out[key] = (
                [pythonize_patterns(v, drop) for v in value]
                if isinstance(value, list)
                else pythonize_patterns(value, drop)
            )
        else:
            out[key] = value
    return out
