r"""The normalised intermediate model: frozen, render-ready, free of AsyncAPI's version quirks.

Everything a template needs is computed here (names, annotations, wire names, checks), so templates
only loop and print. Every model backend reads the same model.

The shape, top down: an ``Api`` holds ``Channel``\ s, one per WebSocket (channels of the document
that share an address and servers are merged into one). A channel has two ``FrameUnion``\ s, the
messages the generated code receives (``inbound``) and sends (``outbound``), each with what its
decoder needs to tell them apart. A ``Message`` carries any JSON Schema as a ``TypeNode`` tree
(``payload``), or bytes (``binary``). Object schemas are ``ObjectType`` classes; a class that refers
to itself (a tree) does so through a ``RefType``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from msgen.reading.problems import Direction, Location, Role, Side

if TYPE_CHECKING:
    from msgen.model.behaviour import Behaviour
    from msgen.model.media import Media

JsonScalar = str | int | float | bool | None


# ---------------------------------------------------------------------------------------------
# Types. One node per JSON Schema shape the generated code understands.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StringType:
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    format: str | None = None
    content_encoding: str | None = None
    content_media_type: str | None = None
    #: The pattern admits exactly the canonical decimal integers (no sign, no leading zeros), so
    #: the value is exposed as ``int`` and written back as the same digits: lossless.
    counter: bool = False
    #: ``counter`` values must be at least this (0 or 1, read off the pattern).
    counter_min: int = 0


@dataclass(frozen=True)
class IntegerType:
    minimum: int | None = None
    maximum: int | None = None
    exclusive_minimum: int | None = None
    exclusive_maximum: int | None = None


@dataclass(frozen=True)
class NumberType:
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None


@dataclass(frozen=True)
class BooleanType:
    pass


@dataclass(frozen=True)
class NullType:
    pass


@dataclass(frozen=True)
class JsonConstant:
    """A ``const``/``enum`` value that is an array or an object, as canonical JSON text (sorted
    keys, integral floats as integers): the type stays hashable, JSON-equal values match."""

    text: str


def json_kind(value: JsonScalar | JsonConstant) -> str:
    """The JSON Schema type of a constant: ``integer`` for whole numbers, ``number`` otherwise."""
    if isinstance(value, JsonConstant):
        return "array" if value.text.startswith("[") else "object"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    return "integer" if isinstance(value, int) else "number"


@dataclass(frozen=True)
class LiteralType:
    """``const`` or ``enum``: a fixed set of JSON values (scalars, or ``JsonConstant``)."""

    values: tuple[JsonScalar | JsonConstant, ...]

    @property
    def scalar(self) -> bool:
        return not any(isinstance(v, JsonConstant) for v in self.values)


@dataclass(frozen=True)
class ArrayType:
    items: TypeNode
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False


@dataclass(frozen=True)
class MapType:
    """An object with no named properties whose values share one type (``additionalProperties``)."""

    values: TypeNode
    min_properties: int | None = None
    max_properties: int | None = None


@dataclass(frozen=True)
class AnyType:
    """Any JSON value (an empty schema, or ``true``)."""


@dataclass(frozen=True)
class BytesType:
    """Raw bytes: the payload of a binary message (a binary WebSocket frame)."""


@dataclass(frozen=True)
class RefType:
    """The object class ``class_name``, met again while it is being defined: a tree.

    Only objects refer back (a schema cycle always passes through an object with properties), so
    the class exists in the module and its decoder can be called by name.
    """

    class_name: str


@dataclass(frozen=True)
class UnionType:
    """``oneOf`` (``exclusive``: exactly one variant may accept), ``anyOf`` and type lists."""

    variants: tuple[TypeNode, ...]
    exclusive: bool = False


@dataclass(frozen=True)
class Field:
    wire_name: str
    py_name: str
    type: TypeNode
    required: bool
    description: str = ""
    #: The discriminator is written by the class itself, never passed by the user.
    is_discriminator: bool = False


#: What an object does with properties it does not name.
ExtraPolicy = Literal["forbid", "keep"]


@dataclass(frozen=True)
class ObjectType:
    class_name: str
    fields: tuple[Field, ...]
    extras: ExtraPolicy
    #: Value type of kept extra properties (``AnyType`` when unconstrained).
    extra_values: TypeNode = field(default_factory=AnyType)
    description: str = ""
    location: Location | None = None
    #: The ``discriminator`` keyword's property, and the components/schemas key this object
    #: came from (the tag value that keyword implies when the property is not a constant).
    declared_discriminator: str = ""
    schema_key: str = ""

    @property
    def user_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.is_discriminator)


TypeNode = (
    StringType
    | IntegerType
    | NumberType
    | BooleanType
    | NullType
    | LiteralType
    | ArrayType
    | MapType
    | AnyType
    | BytesType
    | UnionType
    | ObjectType
    | RefType
)


# ---------------------------------------------------------------------------------------------
# Messages, operations, channels.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    name: str
    #: The example as compact JSON text, keys in the author's order.
    wire: str
    location: Location


#: How a message is represented: an *object message* is the class of its object payload; a
#: *value message* is a class with one field ``value`` holding any other JSON value; a *plain*
#: message (a ``text/*`` content type other than JSON) is a class whose ``value`` is the text of
#: its frame, not parsed; a *binary message* is a class with one field ``data: bytes`` (it travels
#: as a binary frame).
MessageKind = Literal["object", "value", "plain", "binary"]


@dataclass(frozen=True)
class Message:
    """One message of one direction.

    ``payload`` is the schema's type: an ``ObjectType`` named ``class_name`` for object messages,
    ``BytesType`` for binary ones, any other node for value messages (see ``kind``).
    """

    key: str
    #: The document's name for the message (``name``, else ``messageId``, else an identifier-like
    #: ``title``, else its key): what helpers such as ``send_<name>`` are called after.
    name: str
    class_name: str
    direction: Direction
    payload: TypeNode
    #: Travels as a binary WebSocket frame (its content type is not JSON, or its payload is a
    #: binary string).
    binary: bool
    #: Travels as a text frame whose text is the value itself, not JSON (``text/plain``...).
    plain: bool
    #: The message's ``contentType``, else the document's ``defaultContentType`` ("" if neither).
    content_type: str
    #: The union's tag property when this message fixes it to one string (``event``...), else "".
    discriminator: str
    #: That string ("" when untagged).
    tag: str
    #: The tag property is required (a frame without it is not this message).
    tag_required: bool
    title: str
    summary: str
    description: str
    examples: tuple[Example, ...]
    location: Location

    @property
    def kind(self) -> MessageKind:
        if self.binary:
            return "binary"
        if self.plain:
            return "plain"
        payload = self.payload
        if isinstance(payload, ObjectType) and payload.class_name == self.class_name:
            return "object"
        return "value"

    @property
    def object(self) -> ObjectType | None:
        """The payload class of an object message."""
        payload = self.payload
        return payload if self.kind == "object" and isinstance(payload, ObjectType) else None

    @property
    def fields(self) -> tuple[Field, ...]:
        """The properties of an object message (none for value and binary messages)."""
        obj = self.object
        return obj.fields if obj is not None else ()


@dataclass(frozen=True)
class FrameUnion:
    """The messages one side receives (``inbound``) or sends (``outbound``) on a channel.

    ``messages`` keeps them all in document order. A decoder tells them apart by, in turn: the
    frame type (a binary frame is ``binary``, a text frame one of ``text``); the tag property
    ``discriminator``, whose known values select messages through ``tags``; and otherwise by
    structure, trying ``untagged`` (when the tag is present with another value, or the frame is
    not an object) or ``fallback`` (when the frame lacks the tag property) in order: the first
    whose schema accepts the frame wins.
    """

    direction: Direction
    type_name: str
    decode_name: str
    #: The tag property ("" when no text message has a constant string property).
    discriminator: str
    messages: tuple[Message, ...]
    operation_ids: tuple[str, ...]
    #: Tag value -> the messages with it (several only when messages share a value).
    tags: tuple[tuple[str, tuple[Message, ...]], ...] = ()
    #: Text messages without a tag.
    untagged: tuple[Message, ...] = ()
    #: Candidates for a frame without the tag property: untagged messages and those whose tag is
    #: optional, in document order.
    fallback: tuple[Message, ...] = ()
    #: The message binary frames decode as (the first binary message), if any.
    binary: Message | None = None

    @property
    def text(self) -> tuple[Message, ...]:
        """The messages that travel as text frames (JSON or plain text)."""
        return tuple(m for m in self.messages if not m.binary)

    @property
    def fast(self) -> bool:
        """Every text message is told apart by a required tag: one table lookup decodes a frame."""
        return bool(self.discriminator) and not self.untagged and not self.fallback


@dataclass(frozen=True)
class AudioFormat:
    encoding: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class Playback:
    """The Twilio-style playback messages: marks echoed once audio before them has played, and
    ``clear``, which drops buffered audio and echoes every pending mark at once."""

    inbound_mark: Message
    outbound_mark: Message
    clear: Message
    #: Class of the outbound mark's nested object holding ``name``.
    mark_label_class: str


@dataclass(frozen=True)
class Lifecycle:
    """The call's frames in order: ``connected`` (optional) → ``start`` → ... → ``stop``."""

    connected: Message | None
    start: Message
    stop: Message
    dtmf: Message | None


@dataclass(frozen=True)
class MediaProfile:
    """What the spec declares about audio, when it declares any: drives codec and playback code.

    Class and attribute names are the generated ones, so media templates need no lookups.
    Attribute names follow the Twilio wire names (``stream_sid``, ``media.payload``...), checked
    when the profile is built.
    """

    audio: AudioFormat
    inbound_media: Message
    #: Dotted attribute path from an inbound media frame to its base64 payload ("media.payload").
    inbound_payload_attr: str
    outbound_media: Message
    #: The class holding the outbound payload, and the attribute that holds the stream id.
    outbound_chunk_class: str
    outbound_stream_attr: str
    #: Present when the spec has start and stop frames (a call with a lifecycle).
    lifecycle: Lifecycle | None
    #: Present when the spec has marks both ways and ``clear``.
    playback: Playback | None


# ---------------------------------------------------------------------------------------------
# Connection parameters: where a client connects, and what it may pass along.
# ---------------------------------------------------------------------------------------------

#: Where a parameter goes: a server variable (the server's URL), a channel address parameter (the
#: path), a ``bindings.ws`` query parameter or header.
ParameterKind = Literal["variable", "path", "query", "header"]


@dataclass(frozen=True)
class Parameter:
    """One keyword argument of the client's ``connect``.

    ``type`` is a scalar node (``StringType``, ``IntegerType``, ``NumberType``, ``BooleanType``,
    ``LiteralType``), an ``ArrayType`` of them (a repeated query parameter) or ``AnyType``.
    """

    kind: ParameterKind
    wire_name: str
    py_name: str
    type: TypeNode
    #: The caller must give it (a path parameter, a server variable every server needs with no
    #: default, a query parameter or header the schema requires).
    required: bool
    #: Variables and path parameters: the value used when none is given (sent). Query parameters
    #: and headers: the value the server assumes when it is absent (documented, never sent).
    default: JsonScalar = None
    has_default: bool = False
    description: str = ""
    examples: tuple[JsonScalar, ...] = ()


@dataclass(frozen=True)
class Server:
    """A WebSocket server of the document, as URL templates with ``{variable}`` placeholders."""

    name: str
    #: ``ws://`` or ``wss://``, host, port and base path, without a query.
    base: str
    #: A query template the server's URL carries ("" when none).
    query: str
    description: str
    #: Wire names of the variables its URL uses, in order.
    variables: tuple[str, ...]
    #: The declared defaults of those variables, (wire name, value).
    defaults: tuple[tuple[str, str], ...] = ()


#: How a credential travels on the upgrade: ``Authorization: Bearer <token>``, ``Authorization:
#: Basic <user:password base64>``, ``Authorization: <Scheme> <key>`` (another HTTP scheme, such as
#: ``Token``), or a key in a named header or query parameter.
CredentialKind = Literal["bearer", "basic", "scheme", "header", "query", "signature"]


@dataclass(frozen=True)
class SecurityScheme:
    """One way the document lets a peer authenticate its WebSocket upgrade."""

    #: The scheme's key in ``components.securitySchemes``.
    key: str
    #: How the credential travels: in ``Authorization`` (``bearer``, ``basic``, ``scheme``), as a
    #: named header or query parameter (``header``, ``query``), or as a MAC of the URL in a header
    #: (``signature``).
    kind: CredentialKind
    #: The header or query parameter (``Authorization`` for the HTTP schemes).
    name: str
    #: The HTTP authentication scheme as written on the wire (``Bearer``, ``Basic``, ``Token``).
    scheme: str = ""
    description: str = ""
    #: The environment variable the secret is read from by default (``x-msgen-secret``), or "".
    secret_env: str = ""
    #: A ``signature`` header's MAC (``x-msgen-signature``): ``hmac-sha1`` or ``hmac-sha256``.
    algorithm: str = ""
    #: How the signature's digest is written: ``base64`` or ``hex``.
    encoding: str = ""


@dataclass(frozen=True)
class Connection:
    """How a client reaches one channel: servers, the address as a path, and parameters."""

    #: The servers the channel is on (the document's first is the default); empty: a URL is needed.
    servers: tuple[Server, ...] = ()
    #: The address as a path template ("" when the address names the channel rather than a path).
    path: str = ""
    #: A query template the address carries ("token={token}"), "" when none.
    path_query: str = ""
    variables: tuple[Parameter, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    query: tuple[Parameter, ...] = ()
    headers: tuple[Parameter, ...] = ()
    #: The upgrade's security requirements: any one of them admits a peer (none: open).
    security: tuple[SecurityScheme, ...] = ()

    @property
    def all(self) -> tuple[Parameter, ...]:
        """Every keyword argument, each Python name once, required ones first."""
        seen: dict[str, Parameter] = {}
        for p in (*self.parameters, *self.variables, *self.query, *self.headers):
            seen.setdefault(p.py_name, p)
        ordered = sorted(seen.values(), key=lambda p: not p.required)
        return tuple(ordered)


@dataclass(frozen=True)
class Channel:
    """One WebSocket: the document's channels with this address and these servers, merged."""

    #: The first merged channel's key (``keys`` lists them all).
    key: str
    address: str
    description: str
    #: Dotted module prefix inside the package ("" when the package has one channel).
    module: str
    inbound: FrameUnion
    outbound: FrameUnion
    media: MediaProfile | None
    location: Location
    #: Servers, path and parameters for the client connector.
    connection: Connection = field(default_factory=Connection)
    #: Keys of every document channel merged into this one, in document order.
    keys: tuple[str, ...] = ()
    #: The media profile (``x-msgen-media``, or inferred from a Twilio-shaped channel).
    profile: Media | None = None
    #: How the client keeps the connection alive and ends it (``x-msgen-connection``).
    behaviour: Behaviour | None = None

    @property
    def messages(self) -> tuple[Message, ...]:
        return self.inbound.messages + self.outbound.messages

    @property
    def objects(self) -> tuple[ObjectType, ...]:
        """Every object class on the channel, nested ones first, each once."""
        seen: dict[str, ObjectType] = {}
        for message in self.messages:
            _collect_objects(message.payload, seen)
        return tuple(seen.values())

    @property
    def binary(self) -> bool:
        """Some message travels as a binary frame."""
        return any(m.binary for m in self.messages)


def _collect_objects(node: TypeNode, seen: dict[str, ObjectType]) -> None:
    match node:
        case ObjectType():
            for f in node.fields:
                _collect_objects(f.type, seen)
            _collect_objects(node.extra_values, seen)
            seen.setdefault(node.class_name, node)
        case ArrayType():
            _collect_objects(node.items, seen)
        case MapType():
            _collect_objects(node.values, seen)
        case UnionType():
            for variant in node.variants:
                _collect_objects(variant, seen)
        case _:
            pass


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    asyncapi_version: str
    package: str
    distribution: str
    spec_name: str
    #: Every file the spec is made of (the spec first, then what it refers to, by path relative
    #: to the spec's folder) with its sha256: written once, in the package's ``_generated.py``.
    sources: tuple[tuple[str, str], ...]
    msgen_version: str
    channels: tuple[Channel, ...]
    #: The party the generated code plays (what ``--side`` chose, else the version's default).
    side: Side
    #: The package name is not the one ``info.title`` gives: rendering it again needs ``--package``.
    package_chosen: bool = False

    #: What the generated code is on the wire: "client", it connects to the document's servers
    #: (a vendor's hosts), or "server", others connect to it (Twilio dials the customer's server).
    #: It decides which files are generated: a client gets ``connect``, a server the adapters.
    role: Role = "server"

    @property
    def client(self) -> bool:
        return self.role == "client"

    @property
    def spec_sha256(self) -> str:
        """One digest over every source file, so a change in any of them shows."""
        digest = hashlib.sha256()
        for name, sha in self.sources:
            digest.update(f"{name}\0{sha}\n".encode())
        return digest.hexdigest()
