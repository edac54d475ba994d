"""Render-ready facts for the session, handler, server and example templates.

Which messages the playback machinery owns, what the generic callbacks and send helpers are
called, and their signatures: decided here once, so every template agrees and none computes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from msgen.model.ir import Channel, Field, Lifecycle, Message, ObjectType, Playback, StringType
from msgen.model.names import snake
from msgen.views.frames import ClassView, ModuleView

#: Names the handler and session define themselves; a message whose helper would take one of them
#: gets a ``_frame`` suffix instead.
_OWN_CALLBACKS = frozenset(
    {"on_open", "on_mark_played", "on_mark_cleared", "on_violation", "on_close"}
)
_OWN_SENDERS = frozenset({"send_frame", "send_audio", "send_ulaw", "send_payload"})


@dataclass(frozen=True)
class SessionView:
    channel: Channel
    module: ModuleView
    #: The generated code is the client of the document's servers (``Api.role``): it exports
    #: ``connect``, not the server adapters.
    connects: bool = False

    @property
    def lc(self) -> Lifecycle | None:
        media = self.channel.media
        return media.lifecycle if media else None

    @property
    def pb(self) -> Playback | None:
        media = self.channel.media
        return media.playback if media and self.lc else None

    @property
    def stream(self) -> str:
        """The attribute holding the stream id ("" without a lifecycle)."""
        media = self.channel.media
        return media.outbound_stream_attr if media and self.lc else ""

    @property
    def special(self) -> tuple[Message, ...]:
        """Outbound messages the session sends itself (audio, marks, clear)."""
        media, pb = self.channel.media, self.pb
        audio = (media.outbound_media,) if media and self.lc else ()
        return audio + ((pb.outbound_mark, pb.clear) if pb else ())

    @property
    def generic_out(self) -> tuple[Message, ...]:
        return tuple(m for m in self.channel.outbound.messages if m not in self.special)

    @property
    def plain_in(self) -> tuple[Message, ...]:
        """Inbound messages with a plain callback (mark echoes resolve marks instead)."""
        mark = self.pb.inbound_mark if self.pb else None
        return tuple(m for m in self.channel.inbound.messages if m != mark)

    @property
    def binary_in(self) -> bool:
        """Some inbound message travels as a binary frame."""
        return self.channel.inbound.binary is not None

    @property
    def wire_type(self) -> str:
        """The type of a frame on the wire as the session queues it (bytes: binary frames)."""
        return "str | bytes" if self.channel.outbound.binary is not None else "str"

    @property
    def numbered(self) -> str:
        return self.having(self.channel.inbound.messages, "sequence_number")

    @property
    def scoped(self) -> str:
        lc = self.lc
        inbound = self.channel.inbound.messages
        return self.having([m for m in inbound if lc is None or m != lc.start], self.stream)

    @property
    def str_counter(self) -> bool:
        """Some frame carries its sequence number as a plain string (no counter pattern)."""
        return any(
            f.py_name == "sequence_number" and not _is_counter(f)
            for m in self.channel.inbound.messages
            for f in m.fields
        )

    @property
    def fast_media(self) -> bool:
        """In-order media frames can take the session's fast path (int counter, a stream id)."""
        media = self.channel.media
        if media is None or self.lc is None:
            return False
        fields = media.inbound_media.fields
        counted = any(f.py_name == "sequence_number" and _is_counter(f) for f in fields)
        return counted and self.stream in [f.py_name for f in fields]

    @property
    def media_timestamp(self) -> str:
        """Dotted path from an inbound media frame to its ``timestamp`` (ms since the stream
        started), when it sits next to the payload as an int counter; "" otherwise."""
        media = self.channel.media
        if media is None:
            return ""
        *parents, _ = media.inbound_payload_attr.split(".")
        obj = media.inbound_media.object
        assert obj is not None  # media frames are object messages
        for name in parents:
            field = next(f for f in obj.fields if f.py_name == name)
            assert isinstance(field.type, ObjectType)
            obj = field.type
        stamp = next((f for f in obj.fields if f.py_name == "timestamp"), None)
        if stamp is None or not stamp.required or not _is_counter(stamp):
            return ""
        return ".".join([*parents, "timestamp"])

    @property
    def params_field(self) -> Field | None:
        """``start.custom_parameters``, where the lifecycle has it."""
        lc = self.lc
        if lc is None:
            return None
        start = next(f for f in lc.start.fields if f.py_name == "start")
        assert isinstance(start.type, ObjectType)
        return next(f for f in start.type.fields if f.py_name == "custom_parameters")

    @property
    def bot_exports(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """What a bot imports, re-exported by the channel's package, by module: the handler API,
        ``serve`` (the coroutine; ``python -m <package>.serve`` stays the command, whose code is
        in ``command``), the ASGI app and the events; for a client, ``connect`` and the events. A
        name some frame class already has is left out."""
        handler = ["Call", "Handler"]
        handler += ["AudioStream"] if self.lc else []
        handler += ["PlayResult", "Playback"] if self.pb else []
        session = [*(["MarkCleared", "MarkPlayed"] if self.pb else []), "Violation"]
        taken = {c.name for c in self.module.classes} | {
            m.class_name for m in self.channel.messages
        }
        groups = (
            (("client", ["connect"]), ("session", session))
            if self.connects
            else (
                ("asgi", ["App"]),
                ("handler", handler),
                ("server", ["serve"]),
                ("session", session),
            )
        )
        kept = ((module, tuple(n for n in names if n not in taken)) for module, names in groups)
        return tuple((module, names) for module, names in kept if names)

    @property
    def bot_names(self) -> tuple[str, ...]:
        return tuple(name for _, names in self.bot_exports for name in names)

    # -- per message -------------------------------------------------------------------------

    @staticmethod
    def label(message: Message) -> str:
        """What the message is called on the wire: its tag, else its name."""
        return message.tag or message.name

    def callback(self, message: Message) -> str:
        return _helper_names(self.channel.inbound.messages, "on_", _OWN_CALLBACKS)[
            message.class_name
        ]

    def sender(self, message: Message) -> str:
        return _helper_names(self.channel.outbound.messages, "send_", _OWN_SENDERS)[
            message.class_name
        ]

    def params(self, message: Message, skip: str) -> str:
        """Keyword parameters of a message's constructor, minus the stream id (``skip``)."""
        fields = [f for f in self._class(message).init_fields if f.py_name != skip]
        return "".join(
            ("*, " if i == 0 else "")
            + f"{f.py_name}: {f.annotation}"
            + ("" if f.required else f" = {f.default}")
            + ", "
            for i, f in enumerate(fields)
        )

    def args(self, message: Message, skip: str) -> str:
        """Constructor arguments passing each parameter through, the stream id as ``sid``."""
        return "".join(
            f"{f.py_name}={'sid' if f.py_name == skip else f.py_name}, "
            for f in self._class(message).init_fields
        )

    def passing(self, message: Message, skip: str) -> str:
        """The same names passed through, the stream id left out."""
        return "".join(
            f"{f.py_name}={f.py_name}, "
            for f in self._class(message).init_fields
            if f.py_name != skip
        )

    @staticmethod
    def having(messages: tuple[Message, ...] | list[Message], name: str) -> str:
        """The ``isinstance`` class argument for the messages with a field ``name``, or ""."""
        found = [m.class_name for m in messages if name in [f.py_name for f in m.fields]]
        if len(found) == 1:
            return found[0]
        return f"({', '.join(found)})" if found else ""

    def _class(self, message: Message) -> ClassView:
        return next(c for c in self.module.classes if c.name == message.class_name)


def _helper_names(
    messages: tuple[Message, ...], prefix: str, own: frozenset[str]
) -> dict[str, str]:
    """``<prefix><label>`` per message class, never doubled (``send_digits`` for ``sendDigits``),
    with a ``_frame`` suffix where the name is the module's own; the class name where two
    messages would share one."""
    wanted = {}
    for m in messages:
        base = snake(SessionView.label(m))
        # A keyword's trailing underscore is not needed behind the prefix (``on_match``).
        name = base if base.startswith(prefix) and base != prefix else prefix + base.rstrip("_")
        wanted[m.class_name] = f"{name}_frame" if name in own else name
    counts = Counter(wanted.values())
    return {
        m.class_name: wanted[m.class_name]
        if counts[wanted[m.class_name]] == 1
        else prefix + snake(m.class_name)
        for m in messages
    }


def _is_counter(field: Field) -> bool:
    return isinstance(field.type, StringType) and field.type.counter
