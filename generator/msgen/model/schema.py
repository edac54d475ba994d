"""JSON Schema (AsyncAPI's draft-07 superset) to IR types, and to plain inlined JSON Schema.

Only what generated code enforces becomes a type constraint; keywords it cannot enforce are
reported as warnings so nobody believes a schema is checked when it is not.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import jsonschema

from msgen.model import names
from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    ExtraPolicy,
    Field,
    IntegerType,
    JsonConstant,
    JsonScalar,
    LiteralType,
    MapType,
    NullType,
    NumberType,
    ObjectType,
    RefType,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.reading.loader import Node, unescape
from msgen.reading.problems import Location, Problems, SpecError

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
        "nullable",
    }
)
_TYPES = ("string", "integer", "number", "boolean", "null", "object", "array")
#: JSON Schema validation keywords (draft-07 and later) that the generated code does not enforce.
_NOT_ENFORCED = frozenset(
    {
        "multipleOf",
        "not",
        "if",
        "then",
        "else",
        "patternProperties",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "propertyNames",
        "contains",
        "minContains",
        "maxContains",
        "additionalItems",
        "prefixItems",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)

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

    #: (wire name, schema); None: a required name with no schema of its own.
    properties: list[tuple[str, Node | None]]
    required: list[str]
    additional: Node | None
    discriminator: str


#: Every keyword msgen knows (a near miss of one is reported as a likely misspelling).
_KNOWN = _HANDLED | _ANNOTATIONS | _NOT_ENFORCED

#: Keywords that make a schema an object schema.
_OBJECT_KEYWORDS = frozenset(
    {"properties", "required", "additionalProperties", "minProperties", "maxProperties"}
)
#: Keywords that constrain a value and that the generated code enforces.
_CONSTRAINING = _HANDLED - {"$ref"}


#: The JSON Schema type whose keywords apply to an IR type (typeless allOf members use it).
_KINDS: dict[type, str] = {
    StringType: "string",
    IntegerType: "integer",
    NumberType: "number",
    ArrayType: "array",
}


def implied_type(value: dict[str, Any]) -> str | None:
    """The type a schema without ``type`` is read as: an object when it has object keywords
    (``properties``...), an array when it has ``items``, as its author means. JSON Schema would
    let other values through; the generated code and its tests' oracle (see ``inline``) do not."""
    if _OBJECT_KEYWORDS & set(value):
        return "object"
    return "array" if "items" in value else None


#: Keywords that say what a schema is before any implied type (see ``implied_type``).
_KINDED = frozenset({"type", "const", "enum", "allOf", "oneOf", "anyOf", "$ref"})


def _typeless(value: Any) -> bool:
    """A schema that only constrains values of some type it does not name: ``{maxLength: 4}``."""
    if not isinstance(value, dict) or not _meaningful(value):
        return False
    return not (_KINDED | _OBJECT_KEYWORDS | {"items"}) & set(value)


def _meaningful(value: dict[str, Any]) -> set[str]:
    """The keys of a schema that are not annotations or extensions."""
    return {k for k in value if k not in _ANNOTATIONS and not k.startswith("x-")}


class SchemaConverter:
    """Turns schema nodes into IR types; objects become named classes, shared by identity.

    ``unenforced`` collects the identities of the schema nodes (keywords, ``allOf`` members) that
    the generated code does not enforce, each reported as a warning: the generated tests' oracle
    leaves them out (``inline(..., skip=...)``), so it judges what the code claims to check.
    """

    def __init__(
        self, problems: Problems, taken_names: set[str], reserved: frozenset[str] = frozenset()
    ) -> None:
        self.problems = problems
        self.taken = taken_names
        #: Names the generated package uses itself: a class named so gets ``Object`` appended.
        self.reserved = reserved
        self.unenforced: set[object] = set()
        #: allOf schemas merged into one object although a member restricts additional
        #: properties: the oracle merges them too (``inline(..., merged=...)``).
        self.merged: set[object] = set()
        self._classes: dict[tuple[object, str | None], ObjectType] = {}
        #: Object schemas being defined, innermost last: identity -> class name.
        self._objects: dict[object, str] = {}
        #: Every $ref target being converted, with how many objects were open when it was met.
        self._stack: list[tuple[object, int]] = []

    # -- entry points ------------------------------------------------------------------------

    def payload(self, node: Node, class_name: str) -> TypeNode | None:
        """A message payload: an object schema becomes the class ``class_name``; any other
        schema is returned as its type (the message then wraps it)."""
        target = self._deref(node)
        if target is None:
            return None
        return self._convert(target, class_name, forced=True)

    # -- conversion --------------------------------------------------------------------------

    def _deref(self, node: Node) -> Node | None:
        try:
            return node.deref()
        except SpecError as exc:
            self.problems.items.extend(exc.problems)
            return None

    def _name_for(self, node: Node, hint: str) -> str:
        title = node.value.get("title") if isinstance(node.value, dict) else None
        key = _defined_name(node)
        if key:
            return names.pascal(key)
        if isinstance(title, str) and title.strip():
            return names.pascal(title)
        return names.pascal(hint)

    def _unenforced(self, node: Node, message: str) -> None:
        self.unenforced.add(node.identity)
        self.problems.warning(node.location, message)

    def _convert(self, node: Node, hint: str, *, forced: bool = False) -> TypeNode:
        if node.is_ref:
            target = self._deref(node)
            if target is None:
                return AnyType()
            identity = target.identity
            if identity in self._objects:
                return RefType(self._objects[identity])
            opened = len(self._objects)
            earlier = [depth for seen, depth in self._stack if seen == identity]
            if earlier and earlier[-1] == opened:
                self.problems.error(
                    node.location,
                    "recursive schema: a schema may refer back to itself only through an object "
                    "with properties (a tree)",
                )
                return AnyType()
            self._stack.append((identity, opened))
            try:
                return self._convert(target, hint, forced=forced)
            finally:
                self._stack.pop()
        value = node.value
        if value is True or value == {}:
            return AnyType()
        if value is False:
            self.problems.error(node.location, "the schema `false` accepts nothing")
            return AnyType()
        if not isinstance(value, dict):
            self.problems.error(node.location, "a schema must be an object or a boolean")
            return AnyType()
        self._check_keywords(node)
        nullable = value.get("nullable")
        if nullable is not None and not isinstance(nullable, bool):
            self.problems.error(node.child("nullable").location, "nullable must be a boolean")
        if nullable is True:
            # OpenAPI's `nullable: true` (as AsyncAPI documents use it): the schema, or null.
            inner = self._schema(node, f"{hint}Value" if forced else hint, forced=False)
            return inner if accepts_null(inner) else UnionType((inner, NullType()))
        return self._schema(node, hint, forced=forced)

    def _schema(self, node: Node, hint: str, *, forced: bool) -> TypeNode:
        value = node.value
        if "allOf" in value:
            for combinator in ("oneOf", "anyOf"):
                if combinator in value:
                    self._unenforced(
                        node.child(combinator), f"{combinator} beside allOf is not enforced"
                    )
            return self._all_of(node, hint, forced=forced)
        for combinator in ("oneOf", "anyOf"):
            if combinator in value:
                return self._union(node, combinator, hint)
        if "const" in value:
            return LiteralType((_constant(node.child("const")),))
        if "enum" in value:
            return self._enum(node.child("enum"))
        types = value.get("type")
        if isinstance(types, list):
            if not types or not all(t in _TYPES for t in types):
                self.problems.error(node.child("type").location, f"bad type list {types!r}")
                return AnyType()
            if len(types) == 1:
                return self._typed(node, types[0], hint, forced=forced)
            variants = tuple(
                self._typed(node, t, f"{hint}Object" if forced else hint, forced=False)
                for t in dict.fromkeys(types)
            )
            return UnionType(variants, exclusive=False)
        if types is None:
            types = implied_type(value)
            if types is None:
                # minLength, minimum... constrain values of a type the schema does not name.
                for key in sorted((_CONSTRAINING & set(value)) - {"nullable"}):
                    self._unenforced(node.child(key), f"{key!r} without a type is not enforced")
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
                    self._unenforced(items, "tuple `items` is not enforced")
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
        values = tuple(_constant(item) for item in node.elements())
        # Once each as JSON compares them: 1 and 1.0 are one value, true and 1 are two.
        unique: dict[tuple[bool, JsonScalar | JsonConstant], JsonScalar | JsonConstant] = {}
        for v in values:
            unique.setdefault((isinstance(v, bool), v), v)
        return LiteralType(tuple(unique.values()))

    def _union(self, node: Node, combinator: str, hint: str) -> TypeNode:
        options = node.child(combinator)
        if not isinstance(options.value, list) or not options.value:
            self.problems.error(options.location, f"{combinator} must be a non-empty list")
            return AnyType()
        others = sorted((set(node.value) - {combinator, "type", "nullable"}) & _CONSTRAINING)
        if others:
            for key in others:
                self.unenforced.add(node.child(key).identity)
            self.problems.warning(
                node.location,
                f"keywords beside {combinator} are not enforced: {', '.join(others)}",
            )
        variants = tuple(
            self._convert(option, f"{hint}Option{i + 1}")
            for i, option in enumerate(options.elements())
        )
        return UnionType(variants, exclusive=combinator == "oneOf")

    # -- allOf ---------------------------------------------------------------------------------

    def _leaves(self, node: Node) -> list[tuple[Node, Node]]:
        """The allOf members of ``node`` that say something, nested allOfs flattened: pairs of
        (the member as written, its target)."""
        out: list[tuple[Node, Node]] = []
        parts = node.child("allOf")
        if not isinstance(parts.value, list):
            return out
        for part in parts.elements():
            target = self._deref(part) if part.is_ref else part
            if target is None:
                continue
            if isinstance(target.value, dict) and "allOf" in target.value:
                out += self._leaves(target)
                if _meaningful(target.value) - {"allOf"}:
                    out.append((part, target))
            elif not isinstance(target.value, dict) or _meaningful(target.value):
                out.append((part, target))
        return out

    def _all_of(self, node: Node, hint: str, *, forced: bool) -> TypeNode:
        """``allOf``: object members merge into one class; a single member that says something
        stands for the whole; scalar members merge their bounds. Unions beside object members
        are reported as not enforced."""
        parts = node.child("allOf")
        if not isinstance(parts.value, list) or not parts.value:
            self.problems.error(parts.location, "allOf must be a non-empty list")
            return AnyType()
        leaves = self._leaves(node)
        own = {k: v for k, v in node.value.items() if k != "allOf"}
        if any(_object_like(t.value) for _, t in leaves) or _object_like(own):
            for written, target in leaves:
                value = target.value
                if _object_like(value, loose=True):
                    self._check_keywords(target)
                elif isinstance(value, dict) and not {"type", "const", "enum"} & set(value):
                    self._unenforced(
                        written,
                        "allOf member beside object members is not enforced (only the objects' "
                        "properties are merged)",
                    )
                else:
                    self.problems.error(
                        written.location, "allOf mixes object and non-object members"
                    )
            restricting = [
                t
                for _, t in leaves
                if isinstance(t.value, dict) and "additionalProperties" in t.value
            ]
            if restricting and node.identity not in self.merged:
                # In JSON Schema each member's additionalProperties would refuse the properties of
                # the others; authors mean one object with all of them.
                self.merged.add(node.identity)
                self.problems.warning(
                    restricting[0].child("additionalProperties").location,
                    "additionalProperties in an allOf member applies to the merged object (all "
                    "members' properties), as the document means; JSON Schema would read it "
                    "member by member",
                )
            return self._object(node, self._collect(node, allow_allof=True), hint, forced=forced)
        typed: list[TypeNode] = []
        typeless: list[Node] = []
        for written, target in leaves:
            if _typeless(target.value):
                typeless.append(target)
            else:
                typed.append(self._convert(written if written.is_ref else target, hint))
        own_type = self._own_type(node, own)
        if own_type is not None:
            typed.insert(0, own_type)
        elif _meaningful(own) - {"nullable"}:
            typeless.append(node)
        merged: TypeNode | None = typed[0] if typed else AnyType()
        for other in typed[1:]:
            merged = intersect(merged, other) if merged is not None else None
        kind = _KINDS.get(type(merged))
        for part in typeless:
            if merged is None:
                break
            if kind is None:
                # Keywords such as minLength that apply to no type present: they constrain nothing.
                for key in sorted((_CONSTRAINING & set(part.value)) - {"nullable", "allOf"}):
                    self._unenforced(
                        part.child(key), f"{key!r} without a type in allOf is not enforced"
                    )
                continue
            merged = intersect(merged, self._typed(part, kind, hint, forced=False))
        if merged is None:
            self.problems.error(
                parts.location, "allOf members of different kinds cannot be merged into one type"
            )
            return AnyType()
        return merged

    def _own_type(self, node: Node, own: dict[str, Any]) -> TypeNode | None:
        """The type that ``type``, ``const`` or ``enum`` beside a non-object ``allOf`` give."""
        if "const" in own:
            return LiteralType((_constant(node.child("const")),))
        if "enum" in own:
            return self._enum(node.child("enum"))
        kind = own.get("type")
        if isinstance(kind, str) and kind in _TYPES:
            return self._typed(node, kind, "", forced=False)
        return None

    def _check_keywords(self, node: Node) -> None:
        """Warn about the validation keywords the generated code does not enforce (they are left
        out of the oracle), and about unknown keywords that look like misspelled known ones
        (JSON Schema ignores unknown keywords, and so does msgen: other ones are annotations)."""
        for key in node.value:
            if key in _HANDLED or key in _ANNOTATIONS or key.startswith("x-"):
                continue
            if key in _NOT_ENFORCED:
                self._unenforced(
                    node.child(key), f"schema keyword {key!r} is not enforced by the generated code"
                )
                continue
            close = difflib.get_close_matches(key, sorted(_KNOWN), n=1, cutoff=0.8)
            if close:
                self.problems.warning(
                    node.child(key).location,
                    f"unknown schema keyword {key!r}, ignored; did you mean {close[0]!r}?",
                )

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
            if current is not node and not _object_like(value, loose=True):
                continue  # reported by _all_of
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
        undeclared = [name for name in required if name not in properties]
        if undeclared and additional is not None and additional.value is False:
            where = node.get("required") or node
            self.problems.error(
                where.location,
                f"required names {undeclared[0]!r}, which additionalProperties: false forbids: "
                "no frame can match",
            )
        # A required name the schema does not describe: present, of the type extras have.
        described: list[tuple[str, Node | None]] = list(properties.items())
        return _Object(
            described + [(n, None) for n in undeclared], required, additional, discriminator
        )

    # -- objects -------------------------------------------------------------------------------

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
        class_name = self._claim(node, hint, forced)
        outer = self._objects.get(node.identity)
        self._objects[node.identity] = class_name
        try:
            taken: set[str] = set()
            fields = []
            extras: ExtraPolicy
            extra_values: TypeNode = AnyType()
            if shape.additional is None or shape.additional.value is True:
                extras = "keep"
            elif shape.additional.value is False:
                extras = "forbid"
            else:
                extras = "keep"
                extra_values = self._convert(shape.additional, f"{class_name}Extra")
            for wire_name, prop in shape.properties:
                py_name = names.unique(names.snake(wire_name), taken)
                if prop is None:
                    prop_type, description = extra_values, ""
                else:
                    prop_type = self._convert(prop, names.nested(class_name, wire_name))
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
            if outer is None:
                del self._objects[node.identity]
            else:
                self._objects[node.identity] = outer

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
        if forced:
            return hint
        name = self._name_for(node, hint)
        return names.unique(f"{name}Object" if name in self.reserved else name, self.taken)


def _object_like(value: Any, *, loose: bool = False) -> bool:
    """An object schema (``loose``: or one without any type or union, as allOf members often
    are: ``{required: [a]}``, ``{description: ...}``)."""
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if kind == "object" or (kind is None and _OBJECT_KEYWORDS & set(value)):
        return True
    if loose:
        return kind is None and not {"const", "enum", "items", "oneOf", "anyOf"} & set(value)
    return False


def accepts_null(node: TypeNode) -> bool:
    """Whether JSON null is a valid value of the type."""
    if isinstance(node, NullType | AnyType):
        return True
    if isinstance(node, LiteralType):
        return None in node.values
    if isinstance(node, UnionType):
        return any(accepts_null(v) for v in node.variants)
    return False


def _tighter(a: float | None, b: float | None, pick: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return pick(a, b)


def intersect(a: TypeNode, b: TypeNode) -> TypeNode | None:
    """One type accepting what both accept, for the shapes allOf members commonly have; None
    when that is not one of the IR's types."""
    if isinstance(a, AnyType):
        return b
    if isinstance(b, AnyType):
        return a
    if isinstance(b, LiteralType) and not isinstance(a, LiteralType):
        a, b = b, a
    if isinstance(a, LiteralType):
        if isinstance(b, LiteralType):
            kept = tuple(v for v in a.values if v in b.values)
            return LiteralType(kept) if kept else None
        return a
    if isinstance(a, StringType) and isinstance(b, StringType):
        if a.pattern and b.pattern and a.pattern != b.pattern:
            return None
        return dataclasses.replace(
            a,
            pattern=a.pattern or b.pattern,
            min_length=_tighter(a.min_length, b.min_length, max),
            max_length=_tighter(a.max_length, b.max_length, min),
            format=a.format or b.format,
            content_encoding=a.content_encoding or b.content_encoding,
            content_media_type=a.content_media_type or b.content_media_type,
            counter=a.counter or b.counter,
            counter_min=max(a.counter_min, b.counter_min),
        )
    if isinstance(a, IntegerType | NumberType) and isinstance(b, IntegerType | NumberType):
        kind = IntegerType if IntegerType in (type(a), type(b)) else NumberType
        bounds = {
            "minimum": _tighter(a.minimum, b.minimum, max),
            "maximum": _tighter(a.maximum, b.maximum, min),
            "exclusive_minimum": _tighter(a.exclusive_minimum, b.exclusive_minimum, max),
            "exclusive_maximum": _tighter(a.exclusive_maximum, b.exclusive_maximum, min),
        }
        if kind is IntegerType:
            # An integer above 1.5 is at least 2: bounds rounded inwards, all inclusive.
            lows = [bounds["minimum"], bounds["exclusive_minimum"]]
            highs = [bounds["maximum"], bounds["exclusive_maximum"]]
            low = [math.ceil(lows[0])] if lows[0] is not None else []
            low += [math.floor(lows[1]) + 1] if lows[1] is not None else []
            high = [math.floor(highs[0])] if highs[0] is not None else []
            high += [math.ceil(highs[1]) - 1] if highs[1] is not None else []
            return IntegerType(
                minimum=max(low) if low else None, maximum=min(high) if high else None
            )
        return NumberType(**bounds)
    if type(a) is type(b) and isinstance(a, BooleanType | NullType):
        return a
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        items = intersect(a.items, b.items)
        if items is None:
            return None
        return ArrayType(
            items,
            min_items=_tighter(a.min_items, b.min_items, max),
            max_items=_tighter(a.max_items, b.max_items, min),
            unique_items=a.unique_items or b.unique_items,
        )
    return None


def _defined_name(node: Node) -> str:
    """The key a schema is defined under (components, ``$defs``, ``definitions``), if any."""
    match = re.search(r"/(?:components/schemas|\$defs|definitions)/([^/]+)$", node.pointer)
    return unescape(match.group(1)) if match else ""


def _schema_key(node: Node) -> str:
    match = re.fullmatch(r"/components/schemas/([^/]+)", node.pointer)
    return unescape(match.group(1)) if match else ""


def _constant(node: Node) -> JsonScalar | JsonConstant:
    """A const/enum value: scalars as they are, arrays and objects as canonical JSON."""
    value = node.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return JsonConstant(canonical_json(value))


def canonical_json(value: Any) -> str:
    """JSON text that is equal for JSON-equal values: sorted keys, integral floats as integers."""
    return json.dumps(_integral(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


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


def inline(
    node: Node,
    skip: frozenset[object] | set[object] = frozenset(),
    merged: frozenset[object] | set[object] = frozenset(),
) -> tuple[Any, dict[tuple[str | int, ...], Location]]:
    """The schema with every ``$ref`` replaced by its target, and where each part came from.

    A target that refers back to itself (a tree) is kept once under the root's ``definitions``
    and referred to there, so the result is finite and a validator reads it as the document does.
    OpenAPI's ``nullable: true`` becomes ``anyOf [schema, null]``, as draft-07 has no such
    keyword. Nodes whose identity is in ``skip`` (keywords the generated code does not enforce)
    are left out; allOf schemas whose identity is in ``merged`` become the one object the
    generated code merges them into.
    """
    origins: dict[tuple[str | int, ...], Location] = {}
    definitions: dict[str, Any] = {}
    defined: dict[object, str] = {}

    def define(target: Node) -> str:
        name = defined.get(target.identity)
        if name is None:
            base = unescape(target.pointer.rsplit("/", 1)[-1]) or "schema"
            name = names.unique(base, set(definitions) | _reserved_definitions(node))
            defined[target.identity] = name
            definitions[name] = {}
            definitions[name] = walk(target, ("definitions", name), (target.identity,))
        return name

    def walk(
        current: Node, path: tuple[str | int, ...], active: tuple[object, ...], role: str = "schema"
    ) -> Any:
        """``role``: what ``current`` is, a schema, a map or list of schemas, or plain data."""
        if role == "schema" and current.is_ref:
            target = current.deref()
            origins.setdefault(path, current.location)
            if target.identity in active:
                return {"$ref": f"#/definitions/{define(target)}"}
            return walk(target, path, (*active, target.identity))
        origins.setdefault(path, current.location)
        value = current.value
        if role == "map" and isinstance(value, dict):
            return {
                key: walk(child, (*path, key), active)
                for key, child in current.items()
                if child.identity not in skip
            }
        if role == "list" and isinstance(value, list):
            return [
                walk(child, (*path, i), active)
                for i, child in enumerate(current.elements())
                if child.identity not in skip
            ]
        if role != "schema" or not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, child in current.items():
            if key.startswith("x-") or child.identity in skip:
                continue
            walked = walk(child, (*path, key), active, _role(key, child.value))
            if key in _SCHEMA_LISTS and walked == [] and child.value:
                continue  # every member left out
            out[key] = walked
        if current.identity in merged:
            out = _merge_objects(out)
        implied = None if _KINDED & set(out) else implied_type(out)
        if implied is not None:
            out["type"] = implied
        if out.pop("nullable", None) is True:
            return {"anyOf": [out, {"type": "null"}]}
        return out

    root = walk(node, (), (node.identity,))
    if definitions:
        if not isinstance(root, dict):
            root = {"allOf": [root]}
        root["definitions"] = {**root.get("definitions", {}), **definitions}
    return root, origins


def _merge_objects(schema: dict[str, Any]) -> dict[str, Any]:
    """An allOf of object schemas as one object, the way ``SchemaConverter._collect`` merges them:
    members in breadth-first order, the first schema of a property and the last
    ``additionalProperties`` winning, ``required`` joined."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    out: dict[str, Any] = {"type": "object"}
    queue = [schema]
    while queue:
        part = queue.pop(0)
        for key, prop in part.get("properties", {}).items():
            properties.setdefault(key, prop)
        required += [r for r in part.get("required", []) if r not in required]
        if "additionalProperties" in part:
            out["additionalProperties"] = part["additionalProperties"]
        queue += [m for m in part.get("allOf", []) if isinstance(m, dict)]
    out["properties"] = properties
    if required:
        out["required"] = required
    return out


def _role(key: str, value: Any) -> str:
    """What the value of a schema's keyword is: a schema, a map or list of them, or data."""
    if key in _SCHEMA_MAPS:
        return "map"
    if key in _SCHEMA_LISTS or (key in _SCHEMA_ONE and isinstance(value, list)):
        return "list"
    return "schema" if key in _SCHEMA_ONE else "raw"


def _reserved_definitions(node: Node) -> set[str]:
    """Names already under the payload's own ``definitions``."""
    target = node.deref() if node.is_ref else node
    own = target.value.get("definitions") if isinstance(target.value, dict) else None
    return set(own) if isinstance(own, dict) else set()


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
