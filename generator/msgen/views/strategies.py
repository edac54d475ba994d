"""Hypothesis strategy expressions for IR types: the generated tests build valid wire values.

Each expression produces JSON-ready Python values that the schema accepts (patterns may overshoot;
the tests filter through the JSON Schema oracle). Sizes are kept small: the point is shape
coverage, not volume.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from msgen.model.discriminate import disjoint, kinds
from msgen.model.ir import (
    AnyType,
    ArrayType,
    BooleanType,
    BytesType,
    Channel,
    IntegerType,
    JsonConstant,
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
from msgen.model.schema import python_pattern

#: Integers the generated package carries exactly (64-bit, as its JSON parser does).
_INT_LIMIT = 2**53


def strategy(node: TypeNode) -> str:
    """A hypothesis expression building JSON values (bytes for ``BytesType``) of the type."""
    match node:
        case StringType() if node.counter:
            return f"st.integers(min_value={node.counter_min}, max_value=2**40).map(str)"
        case StringType():
            if node.pattern is not None:
                base = f"st.from_regex({python_pattern(node.pattern)!r})"
            else:
                base = "st.text(max_size=12)"
            low, high = node.min_length, node.max_length
            if low is not None or high is not None:
                if node.pattern is None:
                    cap = high if high is not None else (low or 0) + 12
                    return f"st.text(min_size={low or 0}, max_size={cap})"
                upper = high if high is not None else "len(s)"
                return f"{base}.filter(lambda s: {low or 0} <= len(s) <= {upper})"
            return base
        case IntegerType():
            low = node.minimum if node.minimum is not None else -_INT_LIMIT
            high = node.maximum if node.maximum is not None else _INT_LIMIT
            if node.exclusive_minimum is not None:
                low = max(low, node.exclusive_minimum + 1)
            if node.exclusive_maximum is not None:
                high = min(high, node.exclusive_maximum - 1)
            return f"st.integers(min_value={low}, max_value={high})"
        case NumberType():
            args = ["allow_nan=False", "allow_infinity=False"]
            for key, value, exclude in (
                ("min_value", node.minimum, None),
                ("max_value", node.maximum, None),
                ("min_value", node.exclusive_minimum, "exclude_min=True"),
                ("max_value", node.exclusive_maximum, "exclude_max=True"),
            ):
                if value is not None:
                    args.append(f"{key}={float(value)!r}")
                    if exclude:
                        args.append(exclude)
            return f"st.floats({', '.join(args)})"
        case BooleanType():
            return "st.booleans()"
        case NullType():
            return "st.none()"
        case LiteralType():
            values = [json.loads(v.text) if isinstance(v, JsonConstant) else v for v in node.values]
            return f"st.sampled_from({values!r})"
        case ArrayType():
            high = node.max_items if node.max_items is not None else (node.min_items or 0) + 3
            unique = ", unique_by=_canonical" if node.unique_items else ""
            out = (
                f"st.lists({strategy(node.items)}, min_size={node.min_items or 0}, "
                f"max_size={high}{unique})"
            )
            return _bounded(out, "[]") if _refers(node.items) and not node.min_items else out
        case MapType():
            low = node.min_properties or 0
            high = node.max_properties if node.max_properties is not None else low + 3
            out = (
                f"st.dictionaries(st.text(max_size=8), {strategy(node.values)}, "
                f"min_size={low}, max_size={high})"
            )
            return _bounded(out, "{}") if _refers(node.values) and not low else out
        case AnyType():
            return "_json"
        case BytesType():
            return "st.binary(max_size=64)"
        case UnionType():
            parts = [
                _apart(v, node.variants, strategy(v)) if node.exclusive else strategy(v)
                for v in node.variants
            ]
            return f"st.one_of({', '.join(parts)})"
        case ObjectType():
            return f"s_{node.class_name}(depth)"
        case RefType():
            # A tree: built lazily, one level less each time, so that trees stay small.
            return f"_ref(lambda: s_{node.class_name}(depth - 1), depth)"


#: A JSON value of each kind, to find one a type refuses.
_ONE_OF_EACH_KIND: tuple[tuple[str, object], ...] = (
    ("number", 0),
    ("string", "x"),
    ("boolean", True),
    ("array", []),
    ("null", None),
)


def _apart(variant: TypeNode, variants: tuple[TypeNode, ...], expr: str) -> str:
    """``oneOf`` accepts what exactly one variant accepts. Values drawn for an object variant
    that another variant may accept too get, for each such sibling, a property only the sibling
    declares set to a value of a kind it refuses (where this variant takes any extra property),
    so that the draws are valid rather than filtered away."""
    if not isinstance(variant, ObjectType) or variant.extras != "keep":
        return expr
    if not isinstance(variant.extra_values, AnyType):
        return expr
    own = {f.wire_name for f in variant.fields}
    spoilers: dict[str, object] = {}
    for other in variants:
        if other is variant or not isinstance(other, ObjectType) or disjoint(variant, other, {}):
            continue
        for f in other.fields:
            refused = [v for k, v in _ONE_OF_EACH_KIND if k not in kinds(f.type, {})]
            if f.wire_name not in own and refused:
                spoilers[f.wire_name] = refused[0]
                break
    if not spoilers:
        return expr
    extra = ", ".join(f"{key!r}: {value!r}" for key, value in spoilers.items())
    return f"{expr}.map(lambda d: {{**d, {extra}}})"


def _refers(node: TypeNode) -> bool:
    """The type holds a reference back to a class (not counting nested classes' own fields)."""
    match node:
        case RefType():
            return True
        case ArrayType():
            return _refers(node.items)
        case MapType():
            return _refers(node.values)
        case UnionType():
            return any(_refers(v) for v in node.variants)
        case _:
            return False


def _bounded(expr: str, empty: str) -> str:
    """A collection of references back: empty once the tree is deep enough."""
    return f"({expr} if depth > 0 else st.just({empty}))"


@dataclass(frozen=True)
class ObjectStrategy:
    class_name: str
    required: tuple[tuple[str, str], ...]
    optional: tuple[tuple[str, str], ...]
    keep_extras: bool
    extra_values: str
    known: tuple[str, ...]


def object_strategies(channel: Channel) -> list[ObjectStrategy]:
    return [
        ObjectStrategy(
            class_name=obj.class_name,
            required=tuple((f.wire_name, strategy(f.type)) for f in obj.fields if f.required),
            optional=tuple((f.wire_name, strategy(f.type)) for f in obj.fields if not f.required),
            keep_extras=obj.extras == "keep",
            extra_values=strategy(obj.extra_values),
            known=tuple(f.wire_name for f in obj.fields),
        )
        for obj in channel.objects
    ]


def message_strategy(message: Message) -> str:
    """The frames of a message: its class's strategy, or its payload's (values, bytes, text)."""
    if message.kind == "object":
        return f"s_{message.class_name}(depth)"
    if message.kind == "plain" and isinstance(message.payload, AnyType):
        return "st.text(max_size=12)"
    return strategy(message.payload)
