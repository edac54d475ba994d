"""Render-ready views of IR types: annotations, decode checks and encode expressions.

Templates print these; every decision (which check, which conversion, which helper) is made here,
where it is typed and unit-tested. Checks are written for speed on the valid path: exact ``type()``
tests, precompiled patterns, and digit tests instead of regexes for counters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    BytesType,
    Channel,
    FrameUnion,
    IntegerType,
    JsonConstant,
    JsonScalar,
    LiteralType,
    MapType,
    Message,
    MessageKind,
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


@dataclass(frozen=True)
class Check:
    """``fails`` is a Python expression, true when the value is invalid; ``expected`` says why."""

    fails: str
    expected: str
    #: A function that may still accept the value (``_as_int`` takes ``2.0``): called with the
    #: value and its key instead of raising; it raises FrameError itself when it cannot.
    fallback: str = ""
    #: Passing it narrows the value to its Literal type for mypy (``v != "x"``).
    narrows: bool = False


@dataclass(frozen=True)
class Conversion:
    """How one JSON value becomes its Python value, for a variable named ``var``."""

    var: str
    checks: tuple[Check, ...]
    #: Expression producing the Python value (may call a decoder that raises FrameError).
    value: str
    #: ``value`` calls a nested decoder whose errors need this value's key prepended.
    nested: bool


@dataclass(frozen=True)
class FieldView:
    wire_name: str
    py_name: str
    annotation: str
    required: bool
    #: Default for optional fields ("None" or "UNSET").
    default: str
    description: str
    conversion: Conversion
    #: Expression turning ``self.<py_name>`` back into its JSON value.
    encode: str
    is_discriminator: bool
    tag: str


@dataclass(frozen=True)
class ClassView:
    """A class of the frames module: an object (``kind`` "object": nested or an object message)
    or the wrapper of a value, binary or plain-text message, whose one field is ``fields[0]``
    (``value``, or ``data`` for bytes) and whose decoder takes the whole frame."""

    name: str
    description: str
    fields: tuple[FieldView, ...]
    keep_extras: bool
    #: Check/convert applied to each kept extra value (None: any JSON value).
    extra_conversion: Conversion | None
    extra_annotation: str
    known_name: str
    #: For message classes: the discriminator's wire name and this message's value (only when
    #: the tag is required: the class then writes it itself).
    discriminator: str = ""
    tag: str = ""
    kind: MessageKind = "object"
    #: Wrappers: the function decoding the whole frame into the field's value ("" for any JSON
    #: value, taken as it is).
    decode: str = ""

    @property
    def wire_what(self) -> str:
        """What a wrapper's frame is, for docstrings."""
        return _WIRE_WHAT[self.kind]

    @property
    def wire_type(self) -> str:
        """The annotation of what a wrapper's ``to_wire`` returns."""
        return _WIRE_TYPE[self.kind]

    @property
    def encode_head(self) -> tuple[FieldView, ...]:
        """Leading required fields: written as one dict literal."""
        head = []
        for f in self.fields:
            if not f.required:
                break
            head.append(f)
        return tuple(head)

    @property
    def encode_tail(self) -> tuple[FieldView, ...]:
        return self.fields[len(self.encode_head) :]

    @property
    def required(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if f.required)

    @property
    def optional(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if not f.required)

    @property
    def init_fields(self) -> tuple[FieldView, ...]:
        """Fields the user passes: required ones first (dataclass order), discriminator excluded."""
        fields = [f for f in self.fields if not f.is_discriminator]
        return tuple([f for f in fields if f.required] + [f for f in fields if not f.required])


_WIRE_WHAT: dict[MessageKind, str] = {
    "object": "a parsed JSON object",
    "binary": "the bytes of a binary frame",
    "plain": "the text of a text frame",
    "value": "a parsed JSON value",
}
_WIRE_TYPE: dict[MessageKind, str] = {
    "object": "dict[str, Any]",
    "binary": "bytes",
    "plain": "str",
    "value": "Any",
}


HelperKind = Literal["scalar", "list", "map", "union"]


@dataclass(frozen=True)
class HelperView:
    """A module-level decoder for one non-trivial type: returns the value or raises FrameError."""

    name: str
    kind: HelperKind
    annotation: str
    #: scalar: checks and value on ``v``; list/map: on each item ``x``.
    item: Conversion | None = None
    #: list/map size checks on ``v``.
    checks: tuple[Check, ...] = ()
    unique: bool = False
    #: union: the variant helpers, tried in order.
    variants: tuple[str, ...] = ()
    exclusive: bool = False

    @property
    def needs_cast(self) -> bool:
        """Checks narrow plain types for mypy; a Literal needs telling, unless its check did."""
        checks = self.item.checks if self.item is not None else ()
        return self.annotation.startswith("Literal[") and not any(c.narrows for c in checks)


@dataclass(frozen=True)
class ConstantView:
    name: str
    value: str


@dataclass
class ModuleView:
    """Everything a frames module defines, in definition order."""

    classes: list[ClassView] = field(default_factory=list)
    helpers: list[HelperView] = field(default_factory=list)
    constants: list[ConstantView] = field(default_factory=list)
    uses_unset: bool = False
    _by_value: dict[str, str] = field(default_factory=dict)
    _helper_keys: dict[TypeNode, str] = field(default_factory=dict)

    def constant(self, prefix: str, value: str) -> str:
        if value not in self._by_value:
            name = f"_{prefix}{len(self.constants)}"
            self._by_value[value] = name
            self.constants.append(ConstantView(name, value))
        return self._by_value[value]


def _describe(value: JsonScalar | JsonConstant) -> str:
    if isinstance(value, JsonConstant):
        return value.text
    return "null" if value is None else repr(value)


def _python(value: JsonScalar | JsonConstant) -> object:
    """A literal's value as a Python (JSON-like) value."""
    return json.loads(value.text) if isinstance(value, JsonConstant) else value


def scalar_kind(node: TypeNode) -> str:
    """The JSON kind a scalar type accepts, "" when it is not one kind (or not a scalar)."""
    match node:
        case StringType():
            return "string"
        case IntegerType():
            return "integer"
        case NumberType():
            return "number"
        case BooleanType():
            return "boolean"
        case NullType():
            return "null"
        case LiteralType() if len({json_kind(v) for v in node.values}) == 1:
            return json_kind(node.values[0])
        case _:
            return ""


def own_tagged(channel: Channel) -> dict[str, Message]:
    """The object messages whose required tag value is theirs alone, by class name: a backend's
    native tagged union can decode these (a value shared by several needs the structural rule)."""
    shared = {
        tag
        for union in (channel.inbound, channel.outbound)
        for tag, ms in union.tags
        if len(ms) > 1
    }
    return {
        m.class_name: m
        for m in channel.messages
        if m.kind == "object" and m.tag_required and m.tag not in shared
    }


def py_annotation(node: TypeNode, *, in_union: bool = False) -> str:
    """The public Python annotation of a type (shared by every backend)."""
    match node:
        case StringType():
            return "int" if node.counter and not in_union else "str"
        case IntegerType():
            return "int"
        case NumberType():
            return "float"
        case BooleanType():
            return "bool"
        case NullType():
            return "None"
        case LiteralType():
            if not node.scalar:
                return "Any"
            if all(isinstance(v, str | int | bool) or v is None for v in node.values) and not any(
                isinstance(v, float) for v in node.values
            ):
                values = ", ".join("None" if v is None else repr(v) for v in node.values)
                return f"Literal[{values}]"
            return "float"
        case ArrayType():
            return f"list[{py_annotation(node.items)}]"
        case MapType():
            return f"dict[str, {py_annotation(node.values)}]"
        case AnyType():
            return "Any"
        case BytesType():
            return "bytes"
        case UnionType():
            parts = dict.fromkeys(py_annotation(v, in_union=True) for v in node.variants)
            return "Any" if "Any" in parts else " | ".join(parts)
        case ObjectType() | RefType():
            return node.class_name


class ViewBuilder:
    def __init__(self) -> None:
        self.module = ModuleView()

    # -- decoding ----------------------------------------------------------------------------

    def conversion(self, node: TypeNode, var: str, *, in_union: bool = False) -> Conversion:
        """Checks and value for ``var``; complex types delegate to a helper or class decoder."""
        match node:
            case StringType():
                return Conversion(
                    var,
                    self._string_checks(node, var, in_union),
                    self._string_value(node, var, in_union),
                    False,
                )
            case IntegerType():
                checks = [Check(f"type({var}) is not int", "an integer", fallback="_as_int")]
                checks += self._bounds(node, var)
                return Conversion(var, tuple(checks), var, False)
            case NumberType():
                checks = [Check(f"type({var}) is not float and type({var}) is not int", "a number")]
                checks += self._bounds(node, var)
                return Conversion(var, tuple(checks), var, False)
            case BooleanType():
                return Conversion(
                    var, (Check(f"type({var}) is not bool", "a boolean"),), var, False
                )
            case NullType():
                return Conversion(var, (Check(f"{var} is not None", "null"),), var, False)
            case LiteralType():
                return Conversion(var, (self._literal_check(node, var),), var, False)
            case AnyType():
                return Conversion(var, (), var, False)
            case BytesType():
                return Conversion(
                    var, (Check(f"not isinstance({var}, bytes)", "bytes"),), var, False
                )
            case ObjectType() | RefType():
                return Conversion(var, (), f"_d_{node.class_name}({var})", True)
            case ArrayType() | MapType() | UnionType():
                helper = self.helper(node)
                return Conversion(var, (), f"{helper}({var})", True)

    def _string_checks(self, node: StringType, var: str, in_union: bool) -> tuple[Check, ...]:
        if node.counter and not in_union:
            lowest = "0" if node.counter_min == 0 else "1"
            leading = (
                f'({var}[0] != "0" or len({var}) == 1)'
                if node.counter_min == 0
                else f'{var}[0] != "0"'
            )
            return (
                Check(
                    f"type({var}) is not str"
                    f" or not ({var}.isdigit() and {var}.isascii() and {leading})",
                    f"a string of decimal digits without leading zeros (at least {lowest})",
                ),
            )
        checks = [Check(f"type({var}) is not str", "a string")]
        if node.pattern is not None:
            # Identifiers repeat frame after frame: a set of seen matches saves the regex.
            rx = self.module.constant("P", f"re.compile({python_pattern(node.pattern)!r})")
            seen = self.module.constant("S", f"set[str]()  # matches of {rx}")
            last = self.module.constant("S", f'list[str]([""])  # last match of {rx}')
            checks.append(
                Check(
                    f"{var} not in {seen} and not _remember({seen}, {last}, {rx}.search, {var})",
                    f"a string matching {node.pattern!r}",
                )
            )
        if node.min_length is not None:
            checks.append(
                Check(f"len({var}) < {node.min_length}", f"at least {node.min_length} characters")
            )
        if node.max_length is not None:
            checks.append(
                Check(f"len({var}) > {node.max_length}", f"at most {node.max_length} characters")
            )
        return tuple(checks)

    def _string_value(self, node: StringType, var: str, in_union: bool) -> str:
        return f"int({var})" if node.counter and not in_union else var

    def _bounds(self, node: IntegerType | NumberType, var: str) -> list[Check]:
        out = []
        if node.minimum is not None:
            out.append(Check(f"{var} < {node.minimum!r}", f"at least {node.minimum}"))
        if node.maximum is not None:
            out.append(Check(f"{var} > {node.maximum!r}", f"at most {node.maximum}"))
        if node.exclusive_minimum is not None:
            out.append(
                Check(f"{var} <= {node.exclusive_minimum!r}", f"more than {node.exclusive_minimum}")
            )
        if node.exclusive_maximum is not None:
            out.append(
                Check(f"{var} >= {node.exclusive_maximum!r}", f"less than {node.exclusive_maximum}")
            )
        return out

    def _literal_check(self, node: LiteralType, var: str) -> Check:
        expected = (
            f"{_describe(node.values[0])}"
            if len(node.values) == 1
            else "one of " + ", ".join(_describe(v) for v in node.values)
        )
        if not node.scalar:
            allowed = self.module.constant("L", repr(tuple(_python(v) for v in node.values)))
            return Check(f"not _const_ok({var}, {allowed})", expected)
        if all(isinstance(v, str) for v in node.values):
            # Tuple membership compares with ==: safe for unhashable JSON values, and unlike a
            # type test it does not narrow the variable to ``str`` (the field wants the Literal).
            if len(node.values) == 1:
                return Check(f"{var} != {node.values[0]!r}", expected, narrows=True)
            allowed = self.module.constant("L", repr(node.values))
            return Check(f"{var} not in {allowed}", expected)
        values = self.module.constant("L", repr(node.values))
        return Check(f"not _literal_ok({var}, {values})", expected)

    def helper(self, node: TypeNode) -> str:
        """The name of a module-level decoder for ``node``, defined once per distinct type."""
        if node in self.module._helper_keys:
            return self.module._helper_keys[node]
        name = f"_t{len(self.module._helper_keys)}"
        self.module._helper_keys[node] = name
        annotation = py_annotation(node)
        match node:
            case ArrayType():
                checks = []
                if node.min_items is not None:
                    checks.append(
                        Check(f"len(v) < {node.min_items}", f"at least {node.min_items} items")
                    )
                if node.max_items is not None:
                    checks.append(
                        Check(f"len(v) > {node.max_items}", f"at most {node.max_items} items")
                    )
                view = HelperView(
                    name,
                    "list",
                    annotation,
                    item=self.conversion(node.items, "x"),
                    checks=tuple(checks),
                    unique=node.unique_items,
                )
            case MapType():
                checks = []
                if node.min_properties is not None:
                    checks.append(
                        Check(
                            f"len(v) < {node.min_properties}",
                            f"at least {node.min_properties} properties",
                        )
                    )
                if node.max_properties is not None:
                    checks.append(
                        Check(
                            f"len(v) > {node.max_properties}",
                            f"at most {node.max_properties} properties",
                        )
                    )
                view = HelperView(
                    name,
                    "map",
                    annotation,
                    item=self.conversion(node.values, "x"),
                    checks=tuple(checks),
                )
            case UnionType():
                variants = tuple(self._variant(v) for v in node.variants)
                view = HelperView(
                    name, "union", annotation, variants=variants, exclusive=node.exclusive
                )
            case _:
                view = HelperView(
                    name, "scalar", annotation, item=self.conversion(node, "v", in_union=True)
                )
        self.module.helpers.append(view)
        return name

    def _variant(self, node: TypeNode) -> str:
        """A callable decoding one union variant; ``None`` for JSON null (checked inline)."""
        if isinstance(node, NullType):
            return "None"
        if isinstance(node, ObjectType | RefType):
            return f"_d_{node.class_name}"
        if isinstance(node, ArrayType | MapType | UnionType):
            return self.helper(node)
        wrapper = UnionType((node,), exclusive=False)
        if wrapper in self.module._helper_keys:
            return self.module._helper_keys[wrapper]
        name = f"_t{len(self.module._helper_keys)}"
        self.module._helper_keys[wrapper] = name
        conv = self.conversion(node, "v", in_union=True)
        self.module.helpers.append(
            HelperView(name, "scalar", py_annotation(node, in_union=True), item=conv)
        )
        return name

    # -- encoding ----------------------------------------------------------------------------

    def encode(self, node: TypeNode, expr: str, depth: int = 0, *, in_union: bool = False) -> str:
        match node:
            case StringType() if node.counter and not in_union:
                return f"str({expr})"
            case ObjectType() | RefType():
                return f"{expr}.to_wire()"
            case ArrayType():
                inner = self.encode(node.items, f"x{depth}", depth + 1)
                return expr if inner == f"x{depth}" else f"[{inner} for x{depth} in {expr}]"
            case MapType():
                inner = self.encode(node.values, f"x{depth}", depth + 1)
                if inner == f"x{depth}":
                    return expr
                return f"{{k{depth}: {inner} for k{depth}, x{depth} in {expr}.items()}}"
            case UnionType() if _has_objects(node):
                return f"_to_json({expr})"
            case _:
                return expr

    # -- classes -----------------------------------------------------------------------------

    def add_class(self, obj: ObjectType, message: Message | None = None) -> ClassView:
        fields = []
        for f in obj.fields:
            annotation = py_annotation(f.type)
            default = ""
            if not f.required:
                if accepts_null(f.type):
                    self.module.uses_unset = True
                    annotation, default = f"{annotation} | Unset", "UNSET"
                else:
                    annotation, default = f"{annotation} | None", "None"
            tag = ""
            if f.is_discriminator:
                assert isinstance(f.type, LiteralType)
                tag = str(f.type.values[0])
            fields.append(
                FieldView(
                    wire_name=f.wire_name,
                    py_name=f.py_name,
                    annotation=annotation,
                    required=f.required,
                    default=default,
                    description=" ".join(f.description.split()),
                    conversion=self.conversion(f.type, f"v_{f.py_name}"),
                    encode=repr(tag) if tag else self.encode(f.type, f"self.{f.py_name}"),
                    is_discriminator=f.is_discriminator,
                    tag=tag,
                )
            )
        keep = obj.extras == "keep"
        extra_conv = None
        if keep and not isinstance(obj.extra_values, AnyType):
            extra_conv = self.conversion(obj.extra_values, "x")
        known = self.module.constant("K", f"frozenset({sorted(f.wire_name for f in obj.fields)!r})")
        description = obj.description.strip()
        if message is not None:
            description = _message_description(message, description)
        view = ClassView(
            name=obj.class_name,
            description=description,
            fields=tuple(fields),
            keep_extras=keep,
            extra_conversion=extra_conv,
            extra_annotation=py_annotation(obj.extra_values),
            known_name=known,
            discriminator=message.discriminator if message and message.tag_required else "",
            tag=message.tag if message and message.tag_required else "",
        )
        self.module.classes.append(view)
        return view

    def add_wrapper(self, message: Message) -> ClassView:
        """The class of a value, binary or plain-text message: one field, the whole frame."""
        payload = message.payload
        attr = "data" if message.binary else "value"
        annotation = py_annotation(payload, in_union=True)
        decode = ""
        if isinstance(payload, BytesType | NullType):
            decode = self._scalar_helper(payload)
        elif not isinstance(payload, AnyType):
            decode = self._variant(payload)
        view = ClassView(
            name=message.class_name,
            description=_message_description(message, ""),
            fields=(
                FieldView(
                    wire_name="",
                    py_name=attr,
                    annotation=annotation,
                    required=True,
                    default="",
                    description="",
                    conversion=Conversion("o", (), f"{decode}(o)" if decode else "o", False),
                    encode=self.encode(payload, f"self.{attr}", in_union=True),
                    is_discriminator=False,
                    tag="",
                ),
            ),
            keep_extras=False,
            extra_conversion=None,
            extra_annotation="",
            known_name="",
            kind=message.kind,
            decode=decode,
        )
        self.module.classes.append(view)
        return view

    def _scalar_helper(self, node: TypeNode) -> str:
        """A module-level decoder for a scalar type checked on its own (no union around it)."""
        wrapper = UnionType((node,), exclusive=True)
        if wrapper not in self.module._helper_keys:
            name = f"_t{len(self.module._helper_keys)}"
            self.module._helper_keys[wrapper] = name
            conv = self.conversion(node, "v", in_union=True)
            self.module.helpers.append(
                HelperView(name, "scalar", py_annotation(node, in_union=True), item=conv)
            )
        return self.module._helper_keys[wrapper]


def _message_description(message: Message, fallback: str) -> str:
    parts = (message.title, message.summary, message.description)
    return ("\n\n".join(part for part in parts if part) or fallback).strip()


def _has_objects(node: TypeNode) -> bool:
    if isinstance(node, ObjectType | RefType):
        return True
    if isinstance(node, UnionType):
        return any(_has_objects(v) for v in node.variants)
    if isinstance(node, ArrayType):
        return _has_objects(node.items)
    if isinstance(node, MapType):
        return _has_objects(node.values)
    return False


def module_view(channel: Channel) -> ModuleView:
    """The frames module of one channel: every class and the helpers they need."""
    builder = ViewBuilder()
    by_payload = {m.class_name: m for m in channel.messages if m.kind == "object"}
    for obj in channel.objects:
        builder.add_class(obj, by_payload.get(obj.class_name))
    for message in channel.messages:
        if message.kind != "object":
            builder.add_wrapper(message)
    return builder.module


@dataclass(frozen=True)
class UnionView:
    """What the ``decode_<direction>`` function of a union does, decided here (see
    :mod:`msgen.model.discriminate` for the rules): text and binary frames, the tag table, and the
    candidates tried by structure. Decoder names are the frames module's ``_d_<Class>``."""

    direction: str
    type_name: str
    decode_name: str
    #: Who receives this direction, for docstrings ("the server receives"...).
    description: str
    discriminator: str
    messages: tuple[Message, ...]
    #: Every JSON text message is told apart by a required tag: one lookup (the fast path).
    fast: bool
    #: The one JSON text message, decoded directly ("" when there are several, or none).
    single: str
    #: (tag, decoder) rows of the tag table; a tag shared by messages gets a function of its own.
    table: tuple[tuple[str, str], ...]
    #: (function name, decoders tried in turn) for tags shared by several messages.
    shared: tuple[tuple[str, tuple[str, ...]], ...]
    #: Decoders tried when the tag has an unknown value or the frame is not an object.
    untagged: tuple[str, ...]
    #: Decoders tried when the frame lacks the tag property.
    fallback: tuple[str, ...]
    #: Decoders of plain-text messages, tried on the text when no JSON message takes the frame.
    plain: tuple[str, ...]
    #: Some message travels as JSON text.
    json: bool
    #: The decoder binary frames go to ("" when this direction has no binary message).
    binary: str

    @property
    def text(self) -> bool:
        """Some message travels as a text frame."""
        return self.json or bool(self.plain)

    @property
    def constant(self) -> str:
        """The module-level name of the tag table (and the prefix of the candidate tuples)."""
        return f"_{self.direction.upper()}"


def union_view(union: FrameUnion, description: str) -> UnionView:
    def decoder(message: Message) -> str:
        return f"_d_{message.class_name}"

    json_messages = [m for m in union.text if m.kind != "plain"]
    plain = tuple(decoder(m) for m in union.text if m.kind == "plain")
    table: list[tuple[str, str]] = []
    shared: list[tuple[str, tuple[str, ...]]] = []
    for tag, messages in union.tags:
        if len(messages) == 1:
            table.append((tag, decoder(messages[0])))
        else:
            name = f"_{union.direction}_{len(shared)}"
            shared.append((name, tuple(decoder(m) for m in messages)))
            table.append((tag, name))
    not_plain = [m for m in union.untagged if m.kind != "plain"]
    fallback = [m for m in union.fallback if m.kind != "plain"]
    return UnionView(
        direction=union.direction,
        type_name=union.type_name,
        decode_name=union.decode_name,
        description=description,
        discriminator=union.discriminator,
        messages=union.messages,
        fast=union.fast and not plain and len(json_messages) > 1,
        single=decoder(json_messages[0]) if len(json_messages) == 1 else "",
        table=tuple(table),
        shared=tuple(shared),
        untagged=tuple(decoder(m) for m in not_plain),
        fallback=tuple(decoder(m) for m in fallback),
        plain=plain,
        json=bool(json_messages),
        binary=decoder(union.binary) if union.binary is not None else "",
    )


def told_apart(message: Message) -> str:
    """How a decoder recognises the message, for the generated README (Markdown)."""
    if message.binary:
        kind = f" (`{message.content_type}`)" if message.content_type else ""
        return f"a binary frame{kind}"
    if message.kind == "plain":
        return "its text (not JSON), by structure"
    if not message.tag:
        return "by structure"
    own = f'`{message.discriminator}` = `"{message.tag}"`'
    return own if message.tag_required else f"{own}, else by structure"


def union_rules(union: FrameUnion) -> str:
    """How ``decode_<direction>`` picks the message, for the generated README (Markdown)."""
    parts = []
    binary = union.binary
    if binary is not None:
        parts.append(f"A binary frame (`bytes`) decodes as `{binary.class_name}`.")
        if not union.text:
            parts.append("Text frames are refused.")
    elif union.messages:
        parts.append("A binary frame (`bytes`) is refused.")
    if union.discriminator and union.tags:
        parts.append(
            f"A text frame whose `{union.discriminator}` has one of the values above is that "
            "message, and must match its schema."
        )
    if union.untagged or union.fallback:
        parts.append(
            "Otherwise the messages told apart *by structure* are tried in the order of the table "
            "and the first whose schema accepts the frame wins, as JSON Schema's `anyOf` does "
            "(msgen warns at build time about messages that can accept the same frame)."
            + (
                " Plain-text messages come after the JSON ones."
                if any(m.kind == "plain" for m in union.text)
                else ""
            )
        )
    return " ".join(parts)


def direct_messages(channel: Channel) -> list[str]:
    """Object messages a frame reaches without a choice by structure (the direction's one JSON
    message, or a required tag no other message has): a decoding error is theirs, at its path."""
    out = []
    for union in (channel.inbound, channel.outbound):
        json_messages = [m for m in union.text if m.kind != "plain"]
        shared = {tag for tag, ms in union.tags if len(ms) > 1}
        for m in json_messages:
            alone = len(json_messages) == 1
            if m.kind == "object" and (alone or (m.tag_required and m.tag not in shared)):
                out.append(m.class_name)
    return out
