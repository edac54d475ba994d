"""Render-ready views of IR types: annotations, decode checks and encode expressions.

Templates print these; every decision (which check, which conversion, which helper) is made here,
where it is typed and unit-tested. Checks are written for speed on the valid path: exact ``type()``
tests, precompiled patterns, and digit tests instead of regexes for counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from msgen.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    Channel,
    IntegerType,
    JsonScalar,
    LiteralType,
    MapType,
    Message,
    NullType,
    NumberType,
    ObjectType,
    StringType,
    TypeNode,
    UnionType,
)
from msgen.schema import python_pattern


@dataclass(frozen=True)
class Check:
    """``fails`` is a Python expression, true when the value is invalid; ``expected`` says why."""

    fails: str
    expected: str
    #: A function that may still accept the value (``_as_int`` takes ``2.0``): called with the
    #: value and its key instead of raising; it raises FrameError itself when it cannot.
    fallback: str = ""


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
    name: str
    description: str
    fields: tuple[FieldView, ...]
    keep_extras: bool
    #: Check/convert applied to each kept extra value (None: any JSON value).
    extra_conversion: Conversion | None
    extra_annotation: str
    known_name: str
    #: For message classes: the discriminator's wire name and this message's value.
    discriminator: str = ""
    tag: str = ""

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
        """Checks narrow plain types for mypy; a Literal needs telling."""
        return self.annotation.startswith("Literal[")


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


def _describe(value: JsonScalar) -> str:
    return "null" if value is None else repr(value)


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
        case UnionType():
            parts = dict.fromkeys(py_annotation(v, in_union=True) for v in node.variants)
            return " | ".join(parts)
        case ObjectType():
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
            case ObjectType():
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
        if all(isinstance(v, str) for v in node.values):
            # Tuple membership compares with ==: safe for unhashable JSON values, and unlike a
            # type test it does not narrow the variable to ``str`` (the field wants the Literal).
            if len(node.values) == 1:
                return Check(f"{var} != {node.values[0]!r}", expected)
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
        if isinstance(node, ObjectType):
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
            case ObjectType():
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
                if nullable(f.type):
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
        description = obj.description
        if message is not None:
            description = (
                "\n\n".join(
                    part for part in (message.title, message.summary, message.description) if part
                )
                or description
            )
        view = ClassView(
            name=obj.class_name,
            description=description.strip(),
            fields=tuple(fields),
            keep_extras=keep,
            extra_conversion=extra_conv,
            extra_annotation=py_annotation(obj.extra_values),
            known_name=known,
            discriminator=message.discriminator if message else "",
            tag=message.tag if message else "",
        )
        self.module.classes.append(view)
        return view


def nullable(node: TypeNode) -> bool:
    """Whether JSON null is a valid value: such optional fields default to ``UNSET``, not None."""
    if isinstance(node, NullType | AnyType):
        return True
    if isinstance(node, LiteralType):
        return None in node.values
    if isinstance(node, UnionType):
        return any(nullable(v) for v in node.variants)
    return False


def _has_objects(node: TypeNode) -> bool:
    if isinstance(node, ObjectType):
        return True
    if isinstance(node, UnionType):
        return any(_has_objects(v) for v in node.variants)
    if isinstance(node, ArrayType):
        return _has_objects(node.items)
    if isinstance(node, MapType):
        return _has_objects(node.values)
    return False


def module_view(channel: Channel) -> ModuleView:
    """The frames module of one channel: every object class and the helpers they need."""
    builder = ViewBuilder()
    by_payload = {m.payload.class_name: m for m in channel.messages}
    for obj in channel.objects:
        builder.add_class(obj, by_payload.get(obj.class_name))
    return builder.module
