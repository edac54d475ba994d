"""Render-ready views of the msgspec backend: Struct annotations, shapes and the fast path.

The msgspec backend keeps the default backend's public API and its exact semantics: the decoders
accept what the spec's schemas accept, nothing else, and report errors at the same JSON paths. It
gets its speed from a fast path that msgspec runs in C, backed by the default backend's decoders
(rendered from :mod:`msgen.views.frames`) for everything the fast path does not vouch for:
invalid frames, kept extra properties, integers written as ``2.0``. A frame takes the fast path
only when every one of these passes; otherwise the exact path decodes it (and raises the error,
with its path):

1. **The primary decode**: ``msgspec.json.Decoder(<message Structs>, strict=False)``. The Structs
   forbid unknown fields and are tagged by the discriminator. Counters (digit strings exposed as
   ``int``) are decoded by msgspec's lax string-to-int conversion into ``int >= 1 | float`` where
   the float side can never be satisfied: ``"12"`` becomes 12 in C; ``"1.0"``, ``"1e3"``, ``"nan"``,
   ``"01"``, ``"+1"``, ``" 1"`` and non-ASCII digits fail. ``"0"`` fails too (lax reads ``"-0"`` as
   0 as well), so a counter at 0, rare in a stream, takes the exact path. The ``extras`` field has a
   type no JSON value satisfies, so a frame carrying extra properties always leaves the fast path.
2. **The shape decode** (a second, strict decode into small private Structs naming only the
   positions lax decoding cannot vouch for): counters must be JSON strings (lax accepts the number
   ``12`` as well), ``int``/``float``/``bool``/``null``/non-string ``Literal`` values must not be
   strings (lax converts ``"5"``, ``"true"``, ``"null"``), and optional properties must not be
   ``null`` unless the schema allows it (msgspec reads null as ``None``, the absent value).
3. **Patterns** of string properties reached from the message through required objects: checked
   in Python against a small cache of strings already seen to match (a stream repeats its
   identifiers in every frame); elsewhere msgspec checks them (``Meta(pattern=...)``, slower).
   Patterns are the translated ones (:func:`msgen.model.schema.python_pattern`): ``$`` is ``\\Z``,
   ``\\d`` is ASCII.

Types the fast path cannot decode exactly (``oneOf``/``anyOf`` unions, ``uniqueItems``, ``true``,
float, array or object literals, optional counters, references back to a class being defined,
property names msgspec cannot rename to) make their message take the exact path only; its Struct
field is then typed ``Any`` for msgspec. So do messages that are not told apart by a required tag
of their own (value, plain-text and binary messages, untagged ones, tags shared or optional): the
fast path only takes a frame whose tag names one message, which the rules would pick anyway.

Where the Python type differs from what msgspec decodes into (counters, numbers kept ``int`` or
``float`` as written, unions, extras), the annotation is a private alias defined twice: the public
type under ``TYPE_CHECKING`` for type checkers, the msgspec type at run time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from msgen.model.ir import (
    AnyType,
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
)
from msgen.model.schema import accepts_null, python_pattern
from msgen.views.frames import own_tagged, py_annotation, scalar_kind

#: msgspec refuses these in renamed field names (and so in tag field names).
_UNRENAMEABLE = re.compile(r'["\\\x00-\x1f]')

#: Names the annotations use: a field named like one of them hides it in its class.
_ANNOTATION_NAMES = frozenset(
    ("list", "dict", "str", "int", "float", "bool", "Any", "Literal", "Annotated", "Unset")
) | {"msgspec"}
_SHAPE_REF = re.compile(r"\b_Shape\w+")

#: The runtime types of the counter aliases: lax string-to-int in C, floats always refused.
_NEVER_FLOAT = "msgspec.Meta(ge=1.0, le=0.0)"
_COUNTER = "Annotated[int, msgspec.Meta(ge=1)] | Annotated[float, " + _NEVER_FLOAT + "]"
#: The runtime type of ``extras``: no JSON value decodes into it, so extras leave the fast path.
_NO_WIRE = "Annotated[dict[str, Any], msgspec.Meta(min_length=1, max_length=0)]"


@dataclass(frozen=True)
class AliasView:
    """``name`` is ``typing`` for type checkers and ``runtime`` for msgspec."""

    name: str
    typing: str
    runtime: str


@dataclass(frozen=True)
class StructFieldView:
    py_name: str
    wire_name: str
    annotation: str
    #: Right-hand side of the field definition ("" for a required field without rename).
    default: str
    description: str = ""


@dataclass(frozen=True)
class StructView:
    name: str
    #: Class keywords after ``msgspec.Struct``.
    options: str
    fields: tuple[StructFieldView, ...]
    #: The ``extras`` field, for objects that keep unknown properties.
    extras: StructFieldView | None
    #: Decoded by the fast path (else only by the exact decoders).
    fast: bool


@dataclass(frozen=True)
class ShapeView:
    """A private Struct for the shape decode: only the positions lax decoding cannot vouch for."""

    name: str
    fields: tuple[StructFieldView, ...]


@dataclass(frozen=True)
class PatternView:
    """A compiled pattern's ``search``, the strings already seen to match it, and the last one."""

    search: str
    seen: str
    last: str
    pattern: str


@dataclass(frozen=True)
class PatternCheckView:
    #: Attribute chain from the decoded frame ``f``, e.g. ``f.start.account_sid``.
    expr: str
    pattern: PatternView
    optional: bool


@dataclass(frozen=True)
class FastMessageView:
    """What the fast path checks after the primary decode returned this class."""

    class_name: str
    #: Decoder function of the message's shape ("" when none is needed).
    shape: str
    patterns: tuple[PatternCheckView, ...]

    @property
    def conditions(self) -> tuple[str, ...]:
        """Python expressions on ``f`` (the frame) and ``data`` (the text), all true to accept."""
        out = []
        for p in self.patterns:
            v = p.pattern
            remember = f"_remember({v.seen}, {v.last}, {v.search}, {p.expr})"
            known = f"{p.expr} == {v.last}[0] or {remember}"
            out.append(f"{p.expr} is None or {known}" if p.optional else known)
        return tuple(out)


@dataclass(frozen=True)
class FastBranchView:
    """One ``if``/``elif`` of the fast path: the classes it takes, what it runs, when it accepts.

    Messages checked alike share a branch; without a shape decode the conditions join the test.
    """

    test: str
    shape: str
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class FastUnionView:
    direction: str
    #: Name of the primary decoder ("" when no message of the union can take the fast path).
    decoder: str
    #: The union type msgspec decodes (message Structs taking the fast path).
    types: str
    #: A never-matching tagged Struct, added when one message alone would make the tag optional.
    never: StructView | None
    messages: tuple[FastMessageView, ...]

    @property
    def branches(self) -> tuple[FastBranchView, ...]:
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for m in self.messages:
            key = ("", m.conditions) if not m.shape else (m.class_name, m.conditions)
            groups.setdefault(key, []).append(m.class_name)
        out = []
        for (owner, conditions), names in groups.items():
            shape = f"_shape_{owner}" if owner else ""
            test = " or ".join(f"type(f) is {n}" for n in names)
            if shape or not conditions:
                out.append(FastBranchView(test, shape, conditions))
                continue
            tests = [f"({test})" if len(names) > 1 else test] + [f"({c})" for c in conditions]
            out.append(FastBranchView(" and ".join(tests), "", ()))
        return tuple(out)


@dataclass
class MsgspecModuleView:
    """Everything the msgspec backend's frames and wire modules define beyond the shared views."""

    lax: bool = False
    aliases: list[AliasView] = field(default_factory=list)
    structs: dict[str, StructView] = field(default_factory=dict)
    shapes: list[ShapeView] = field(default_factory=list)
    patterns: list[PatternView] = field(default_factory=list)
    unions: list[FastUnionView] = field(default_factory=list)

    @property
    def shape_decoders(self) -> list[tuple[str, str]]:
        """(decoder name, shape Struct) for each message shape the fast path decodes."""
        seen: dict[str, str] = {}
        for union in self.unions:
            for m in union.messages:
                if m.shape:
                    seen[m.shape] = _shape_name(m.class_name)
        return list(seen.items())


@dataclass(frozen=True)
class _Mapped:
    """One JSON Schema type as the msgspec backend decodes it."""

    #: Annotation valid for both mypy and msgspec (divergent leaves are aliases).
    annotation: str
    #: Strict type for the shape decode; None when the primary decode is already exact.
    shape: str | None
    #: Strict type accepting the JSON kind of any valid value (to refuse null where it is not).
    notnull: str
    #: The fast path decodes it exactly.
    fast: bool = True
    counter: bool = False


def _literal_annotation(values: tuple[object, ...]) -> str:
    return f"Literal[{', '.join('None' if v is None else repr(v) for v in values)}]"


def _meta(**constraints: object) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in constraints.items() if v is not None)
    return f"msgspec.Meta({args})" if args else ""


def _annotated(base: str, meta: str) -> str:
    return f"Annotated[{base}, {meta}]" if meta else base


def _int_bounds(node: NumberType) -> dict[str, int | None]:
    """The same bounds for integers: ``ge``/``le`` rounded inwards, strict bounds made inclusive."""
    low: int | None = None
    high: int | None = None
    if node.minimum is not None:
        low = math.ceil(node.minimum)
    if node.exclusive_minimum is not None:
        bound = math.floor(node.exclusive_minimum) + 1
        low = bound if low is None else max(low, bound)
    if node.maximum is not None:
        high = math.floor(node.maximum)
    if node.exclusive_maximum is not None:
        bound = math.ceil(node.exclusive_maximum) - 1
        high = bound if high is None else min(high, bound)
    return {"ge": low, "le": high}


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _shape_name(class_name: str) -> str:
    return f"_Shape{class_name}"


class MsgspecViewBuilder:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.module = MsgspecModuleView()
        self.messages = {m.class_name: m for m in channel.messages if m.kind == "object"}
        self.tagged = {
            name
            for name, m in own_tagged(channel).items()
            if not _UNRENAMEABLE.search(m.discriminator)
        }
        self._aliases: dict[tuple[str, str], str] = {}
        self._patterns: dict[str, PatternView] = {}
        #: Per class: mapped as a field type, its shape Struct (None: nothing to re-check).
        self._classes: dict[str, _Mapped] = {}
        self._shapes: dict[str, ShapeView] = {}
        self._class_patterns: dict[str, list[tuple[str, str, bool]]] = {}
        self.shallow = self._shallow_classes()
        self.module.lax = self._uses_counters()

    # -- analysis ------------------------------------------------------------------------------

    def _shallow_classes(self) -> set[str]:
        """Classes met only at the end of required-property chains from a message: their pattern
        properties can be reached by attribute access and checked in Python."""
        seen: dict[str, bool] = {}

        def visit(node: TypeNode, shallow: bool) -> None:
            match node:
                case ObjectType():
                    before = seen.get(node.class_name)
                    now = shallow if before is None else (before and shallow)
                    if before == now:
                        return
                    seen[node.class_name] = now
                    for f in node.fields:
                        visit(f.type, now and f.required)
                    visit(node.extra_values, False)
                case ArrayType():
                    visit(node.items, False)
                case MapType():
                    visit(node.values, False)
                case UnionType():
                    for v in node.variants:
                        visit(v, False)
                case _:
                    pass

        for m in self.channel.messages:
            visit(m.payload, m.kind == "object")
        return {name for name, shallow in seen.items() if shallow}

    def _uses_counters(self) -> bool:
        def has(node: TypeNode, depth: int = 0) -> bool:
            match node:
                case StringType():
                    return node.counter
                case ObjectType():
                    return depth < 64 and any(has(f.type, depth + 1) for f in node.fields)
                case ArrayType():
                    return has(node.items, depth)
                case MapType():
                    return has(node.values, depth)
                case _:
                    return False

        return any(has(m.payload) for m in self.channel.messages)

    # -- names ---------------------------------------------------------------------------------

    def alias(self, kind: str, typing: str, runtime: str) -> str:
        """A private alias named after what it is (``_Counter``, ``_Extras``, ``_Number2``...)."""
        key = (typing, runtime)
        if key not in self._aliases:
            taken = set(self._aliases.values())
            name = f"_{kind}"
            n = 1
            while name in taken:
                n += 1
                name = f"_{kind}{n}"
            self._aliases[key] = name
            self.module.aliases.append(AliasView(name, typing, runtime))
        return self._aliases[key]

    def pattern(self, pattern: str) -> PatternView:
        if pattern not in self._patterns:
            n = len(self._patterns)
            view = PatternView(f"_match{n}", f"_seen{n}", f"_last{n}", python_pattern(pattern))
            self._patterns[pattern] = view
            self.module.patterns.append(view)
        return self._patterns[pattern]

    # -- types ---------------------------------------------------------------------------------

    def _unsupported(self, node: TypeNode) -> _Mapped:
        typing = py_annotation(node)
        return _Mapped(self.alias("Exact", typing, "Any"), None, "Any", fast=False)

    def map(self, node: TypeNode, *, memo: bool = False, in_union: bool = False) -> _Mapped:
        """How the fast path decodes ``node``; ``memo``: its pattern is checked in Python."""
        lax = self.module.lax
        match node:
            case StringType() if node.counter and not in_union:
                if node.min_length is not None or node.max_length is not None:
                    return self._unsupported(node)
                name = self.alias("Counter", "int", _COUNTER)
                return _Mapped(name, "str", "str", counter=True)
            case StringType():
                pattern = None
                if node.pattern is not None and not memo:
                    pattern = python_pattern(node.pattern)
                meta = _meta(
                    min_length=node.min_length, max_length=node.max_length, pattern=pattern
                )
                return _Mapped(_annotated("str", meta), None, "str")
            case IntegerType():
                meta = _meta(
                    ge=node.minimum,
                    le=node.maximum,
                    gt=node.exclusive_minimum,
                    lt=node.exclusive_maximum,
                )
                return _Mapped(_annotated("int", meta), "int" if lax else None, "int")
            case NumberType():
                int_meta = _meta(**_int_bounds(node))
                float_meta = _meta(
                    ge=_float(node.minimum),
                    le=_float(node.maximum),
                    gt=_float(node.exclusive_minimum),
                    lt=_float(node.exclusive_maximum),
                )
                runtime = f"{_annotated('int', int_meta)} | {_annotated('float', float_meta)}"
                kinds = "int | float"
                name = self.alias("Number", "float", runtime)
                return _Mapped(name, kinds if lax else None, kinds)
            case BooleanType():
                return _Mapped("bool", "bool" if lax else None, "bool")
            case NullType():
                return _Mapped("None", "None" if lax else None, "None")
            case LiteralType():
                if not node.scalar or any(isinstance(v, bool | float) for v in node.values):
                    return self._unsupported(node)
                annotation = _literal_annotation(node.values)
                exact = all(isinstance(v, str) for v in node.values)
                return _Mapped(annotation, None if exact or not lax else annotation, annotation)
            case ArrayType():
                if node.unique_items:
                    return self._unsupported(node)
                item = self.map(node.items)
                meta = _meta(min_length=node.min_items, max_length=node.max_items)
                return _Mapped(
                    _annotated(f"list[{item.annotation}]", meta),
                    f"list[{item.shape}]" if item.shape else None,
                    "list[Any]",
                    item.fast,
                )
            case MapType():
                value = self.map(node.values)
                meta = _meta(min_length=node.min_properties, max_length=node.max_properties)
                return _Mapped(
                    _annotated(f"dict[str, {value.annotation}]", meta),
                    f"dict[str, {value.shape}]" if value.shape else None,
                    "dict[str, Any]",
                    value.fast,
                )
            case AnyType():
                return _Mapped("Any", None, "Any")
            case UnionType():
                return self._union(node)
            case RefType() | BytesType():
                return self._unsupported(node)
            case ObjectType():
                mapped = self._classes[node.class_name]
                # A tagged Struct decoded on its own treats its tag as optional.
                nested_ok = (
                    node.class_name not in self.messages or node.class_name not in self.tagged
                )
                return _Mapped(
                    node.class_name,
                    mapped.shape,
                    mapped.shape or "",  # "": an empty shape, made when an optional field needs it
                    mapped.fast and nested_ok,
                )

    def _union(self, node: UnionType) -> _Mapped:
        """Unions of scalars of distinct JSON kinds (``[string, "null"]``...): msgspec tells them
        apart by kind, so ``oneOf`` and ``anyOf`` agree and so does msgspec. Others are not fast."""
        kinds = [scalar_kind(v) for v in node.variants]
        if "" in kinds or len(set(kinds)) != len(kinds) or {"integer", "number"} <= set(kinds):
            return self._unsupported(node)
        parts = [self.map(v, in_union=True) for v in node.variants]
        if not all(p.fast for p in parts):
            return self._unsupported(node)
        runtime = " | ".join(p.annotation for p in parts)
        typing = py_annotation(node)
        annotation = runtime if runtime == typing else self.alias("Union", typing, runtime)
        kinds_only = " | ".join(p.notnull for p in parts)
        # Lax mode converts strings (and 0/1) into the other kinds: those need the strict pass.
        sensitive = self.module.lax and any(k != "string" for k in kinds)
        return _Mapped(annotation, kinds_only if sensitive else None, kinds_only)

    # -- classes -------------------------------------------------------------------------------

    def add_class(self, obj: ObjectType, message: Message | None) -> StructView:
        name = obj.class_name
        memo = name in self.shallow
        fast = True
        fields: list[StructFieldView] = []
        shape_fields: list[StructFieldView] = []
        patterns: list[tuple[str, str, bool]] = []
        user_fields = [f for f in obj.fields if not f.is_discriminator]
        ordered = [f for f in user_fields if f.required] + [
            f for f in user_fields if not f.required
        ]
        # msgspec and mypy resolve a field's annotation in the class body first, where a field
        # named like a type it uses (``list: list[str]``) hides it: then annotations are aliases.
        shadowed = bool(_ANNOTATION_NAMES & {f.py_name for f in user_fields})
        for f in ordered:
            is_string = isinstance(f.type, StringType) and not f.type.counter
            mapped = self.map(f.type, memo=memo and is_string)
            fast = fast and mapped.fast
            annotation, default, shape, shape_default = mapped.annotation, "", mapped.shape, ""
            if not f.required:
                if accepts_null(f.type):
                    annotation, default = _or_unset(annotation), "UNSET"
                    if shape:
                        shape, shape_default = _or_unset(shape), "UNSET"
                else:
                    annotation, default = f"{annotation} | None", "None"
                    fast = fast and not mapped.counter
                    notnull = mapped.notnull
                    if isinstance(f.type, ObjectType) and not notnull:
                        notnull = self._empty_shape(f.type.class_name)
                    shape, shape_default = f"{shape or notnull} | Unset", "UNSET"
            renameable = not _UNRENAMEABLE.search(f.wire_name)
            fast = fast and renameable
            wire = f.wire_name if renameable else f.py_name
            if shadowed:
                annotation = self.alias("Type", annotation, annotation)
            fields.append(
                StructFieldView(
                    f.py_name,
                    wire,
                    annotation,
                    _default(default, f.py_name, wire),
                    " ".join(f.description.split()),
                )
            )
            if shape:
                # Private attribute names: none can hide a type.
                attr = f"s_{f.py_name}"
                shape_fields.append(
                    StructFieldView(attr, wire, shape, _default(shape_default, attr, wire))
                )
            if memo and is_string and isinstance(f.type, StringType) and f.type.pattern:
                patterns.append((f.py_name, f.type.pattern, not f.required))
        extras = None
        if obj.extras == "keep":
            taken = {f.wire_name for f in obj.fields}
            wire = "extras"
            while wire in taken:
                wire = "_" + wire
            extras = StructFieldView(
                "extras",
                wire,
                self.alias("Extras", f"dict[str, {py_annotation(obj.extra_values)}]", _NO_WIRE),
                f"msgspec.field(default_factory=dict, name={wire!r})",
            )
        options = ["kw_only=True", "forbid_unknown_fields=True", "gc=False"]
        if message is not None:
            if name in self.tagged:
                options += [f"tag_field={message.discriminator!r}", f"tag={message.tag!r}"]
            else:
                fast = False
        view = StructView(name, ", ".join(options), tuple(fields), extras, fast)
        self.module.structs[name] = view
        shape_name = None
        if shape_fields:
            shape_name = _shape_name(name)
            self._shapes[name] = ShapeView(shape_name, tuple(shape_fields))
        self._classes[name] = _Mapped(name, shape_name, "", fast)
        self._class_patterns[name] = patterns
        return view

    def _empty_shape(self, class_name: str) -> str:
        """A shape accepting any object: refuses null (and non-objects) for optional objects."""
        if class_name not in self._shapes:
            self._shapes[class_name] = ShapeView(_shape_name(class_name), ())
        return _shape_name(class_name)

    # -- the fast path -------------------------------------------------------------------------

    def _pattern_checks(self, obj: ObjectType, prefix: str) -> list[PatternCheckView]:
        out = []
        for py_name, pattern, optional in self._class_patterns[obj.class_name]:
            out.append(PatternCheckView(f"{prefix}.{py_name}", self.pattern(pattern), optional))
        for f in obj.fields:
            if f.required and isinstance(f.type, ObjectType):
                out += self._pattern_checks(f.type, f"{prefix}.{f.py_name}")
        return out

    def add_union(self, direction: str, messages: tuple[Message, ...]) -> FastUnionView:
        fast = [
            m
            for m in messages
            if m.class_name in self.tagged and self.module.structs[m.class_name].fast
        ]
        hot = self.channel.media
        if hot is not None:
            first = hot.inbound_media if direction == "inbound" else hot.outbound_media
            fast.sort(key=lambda m: m.class_name != first.class_name)
        views = []
        for m in fast:
            name = m.class_name
            shape = self._classes[name].shape
            obj = m.object
            assert obj is not None
            views.append(
                FastMessageView(
                    name,
                    f"_shape_{name}" if shape else "",
                    tuple(self._pattern_checks(obj, "f")),
                )
            )
        types = " | ".join(m.class_name for m in fast)
        never = None
        if len(fast) == 1:
            m = fast[0]
            taken = {x.tag for x in messages}
            tag = next(t for t in (f"_{m.tag}", f"__{m.tag}", f"___{m.tag}") if t not in taken)
            never = StructView(
                f"_No{direction.capitalize()}Frame",
                f"tag_field={m.discriminator!r}, tag={tag!r}",
                (),
                None,
                False,
            )
            types += f" | {never.name}"
        view = FastUnionView(
            direction,
            f"_fast_{direction}" if fast else "",
            types,
            never,
            tuple(views),
        )
        self.module.unions.append(view)
        return view

    def finish(self) -> MsgspecModuleView:
        """Keep the shapes the fast path uses, nested ones first (the classes' order)."""
        used: set[str] = set()
        todo = [m.shape.removeprefix("_shape_") for u in self.module.unions for m in u.messages]
        by_name = {v.name: v for v in self._shapes.values()}
        pending = [_shape_name(c) for c in todo if c]
        while pending:
            name = pending.pop()
            if name in used:
                continue
            used.add(name)
            for f in by_name[name].fields:
                pending += _SHAPE_REF.findall(f.annotation)
        self.module.shapes = [
            view
            for c in self.module.structs
            if (view := self._shapes.get(c)) is not None and view.name in used
        ]
        return self.module


def _or_unset(annotation: str) -> str:
    """``annotation | Unset``, ``None`` kept last."""
    if annotation == "None":
        return "Unset | None"
    if annotation.endswith(" | None"):
        return annotation.removesuffix(" | None") + " | Unset | None"
    return f"{annotation} | Unset"


def _default(default: str, py_name: str, wire: str) -> str:
    if wire == py_name:
        return default
    if not default:
        return f"msgspec.field(name={wire!r})"
    return f"msgspec.field(default={default}, name={wire!r})"


def msgspec_module_view(channel: Channel) -> MsgspecModuleView:
    """The msgspec-specific parts of one channel's frames and wire modules."""
    builder = MsgspecViewBuilder(channel)
    for obj in channel.objects:
        builder.add_class(obj, builder.messages.get(obj.class_name))
    builder.add_union("inbound", channel.inbound.messages)
    builder.add_union("outbound", channel.outbound.messages)
    return builder.finish()
