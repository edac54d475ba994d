"""Render the intermediate model through Jinja templates into formatted file contents, in memory.

Everything is produced as ``{relative path: text}`` before anything touches the disk, so ``build``
writes whole trees and ``check`` compares exactly the bytes ``build`` would write.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from importlib.resources import files
from typing import Any

import jinja2
from ruff.__main__ import find_ruff_bin

from msgen import runtime
from msgen.backends import BACKENDS, NAMES, Backend
from msgen.model.ir import Api, Channel
from msgen.model.normalize import Built
from msgen.model.schema import oracle_schema
from msgen.reading.document import default_side
from msgen.views.client import ClientView
from msgen.views.frames import (
    UnionView,
    direct_messages,
    module_view,
    told_apart,
    union_rules,
    union_view,
)
from msgen.views.readme import ReadmeView
from msgen.views.session import SessionView
from msgen.views.strategies import message_strategy, object_strategies
from msgen.views.text import docstring as _docstring

#: Runtime dependencies of the generated package when it declares audio.
MEDIA_DEPS = ("numpy>=1.26", "soxr>=0.3", 'audioop-lts>=0.2.1; python_version >= "3.13"')
#: The client connector, the scripted peer, the server adapters and the call emulator run on the
#: websockets library.
SERVER_DEPS = ("websockets>=14",)
#: Optional dependencies of a server package: Prometheus metrics, the picows adapter.
EXTRAS = {"metrics": ("prometheus-client>=0.20",), "fast": ("picows>=1.5", "uvloop>=0.19")}
#: Template names under this prefix come from the chosen backend's folder; the rest are shared.
BACKEND_PREFIX = "backend/"


#: Optional per-channel files: (template, target, what the channel must declare). In targets,
#: ``{package}`` is the channel's package folder and ``{tests}`` the prefix of its test files.
#: Requirements joined by ``+`` must all hold.
Needs = str
CHANNEL_FILES: tuple[tuple[str, str, Needs], ...] = (
    ("package/codec.py.jinja", "{package}codec.py", "media"),
    ("tests/test_codec.py.jinja", "{tests}codec.py", "media"),
    ("package/session.py.jinja", "{package}session.py", "always"),
    ("package/handler.py.jinja", "{package}handler.py", "serves"),
    ("package/metrics.py.jinja", "{package}metrics.py", "serves"),
    ("package/command.py.jinja", "{package}command.py", "serves"),
    ("package/serve.py.jinja", "{package}serve.py", "serves"),
    ("package/security.py.jinja", "{package}security.py", "serves"),
    ("package/server.py.jinja", "{package}server.py", "serves"),
    ("package/asgi.py.jinja", "{package}asgi.py", "serves"),
    ("package/picows_server.py.jinja", "{package}picows_server.py", "serves"),
    ("package/client.py.jinja", "{package}client.py", "connects"),
    ("package/peer.py.jinja", "{package}peer.py", "always"),
    ("package/emulator.py.jinja", "{package}emulator.py", "serves+playback"),
    ("package/examples/__init__.py.jinja", "{package}examples/__init__.py", "serves+playback"),
    ("package/examples/echo.py.jinja", "{package}examples/echo.py", "serves+playback"),
    ("tests/test_session.py.jinja", "{tests}session.py", "always"),
    ("tests/test_server.py.jinja", "{tests}server.py", "serves"),
    ("tests/test_asgi.py.jinja", "{tests}asgi.py", "serves"),
    ("tests/test_security.py.jinja", "{tests}security.py", "serves+security"),
    # The scripted peer against the client connector, or against the server adapters.
    ("tests/test_client.py.jinja", "{tests}client.py", "connects"),
    ("tests/test_client.py.jinja", "{tests}peer.py", "serves"),
    ("tests/test_connection.py.jinja", "{tests}connection.py", "connects+connection"),
    ("tests/test_emulator.py.jinja", "{tests}emulator.py", "serves+playback"),
    ("tests/test_call.py.jinja", "{tests}call.py", "serves+playback"),
    ("tests/test_serve.py.jinja", "{tests}serve.py", "serves+playback"),
)


#: Static runtime modules, copied whole under the header: (module in ``msgen.runtime``, target,
#: what the channel must declare), targets as in ``CHANNEL_FILES``.
RUNTIME_FILES: tuple[tuple[str, str, Needs], ...] = (("serving", "{package}serving.py", "serves"),)


def _wanted(api: Api, channel: Channel, needs: Needs) -> bool:
    """Every one of ``needs`` (joined by ``+``) holds: ``always``, ``serves`` (the generated code
    is the server others connect to: adapters, the serve command, the call emulator),
    ``connects`` (it is the client of the document's servers: ``connect``), ``media`` (audio
    declared), ``lifecycle`` or ``playback`` (see MediaProfile), ``security`` (the upgrade's
    security schemes declared), ``connection`` (``x-msgen-connection`` declared)."""
    media = channel.media
    for need in needs.split("+"):
        match need:
            case "always":
                held = True
            case "serves":
                held = not api.client
            case "connects":
                held = api.client
            case "media":
                held = media is not None
            case "lifecycle":
                held = media is not None and media.lifecycle is not None
            case "playback":
                held = media is not None and media.playback is not None
            case "security":
                held = bool(channel.connection.security)
            case "connection":
                held = channel.behaviour is not None
            case _:
                raise RenderError(f"unknown requirement {need!r}")
        if not held:
            return False
    return True


class RenderError(Exception):
    """A bug in msgen: a template or the formatter failed on a valid model."""


def _fstring(text: str) -> str:
    """Text safe inside a double-quoted f-string literal."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("{", "{{").replace("}", "}}")


def _toml_str(text: str) -> str:
    return json.dumps(text)


def _loader(backend: Backend) -> jinja2.BaseLoader:
    """Shared templates from ``msgen.templates``, ``backend/...`` from the backend's package: both
    read through importlib.resources, so an installed msgen finds them as its checkout does."""
    shared = files("msgen.templates")
    own = files(backend.package)

    def load(name: str) -> str | None:
        folder, relative = (
            (own, name[len(BACKEND_PREFIX) :])
            if name.startswith(BACKEND_PREFIX)
            else (shared, name)
        )
        resource = folder.joinpath(*relative.split("/"))
        return resource.read_text(encoding="utf-8") if resource.is_file() else None

    return jinja2.FunctionLoader(load)


def _environment(backend: Backend) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_loader(backend),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = repr
    env.filters["docstring"] = _docstring
    env.filters["fstring"] = _fstring
    env.filters["tuple"] = tuple
    env.filters["chunks"] = lambda text, size: (
        [text[i : i + size] for i in range(0, len(text), size)] or [""]
    )
    env.filters["told_apart"] = told_apart
    env.filters["union_rules"] = union_rules
    env.filters["tomlstr"] = _toml_str
    env.filters["tomllist"] = lambda items: "[" + ", ".join(_toml_str(i) for i in items) + "]"
    env.globals["runtime"] = runtime.included
    return env


def header_lines(api: Api) -> list[str]:
    """The short header of every file. The spec's hash and msgen's version are in
    ``_generated.py`` alone, so a change to the spec shows in the files it changes, no others."""
    return [
        f"Generated by msgen from {api.spec_name}. Do not edit: change the spec or msgen's",
        "templates, then run `msgen build`.",
    ]


def build_command(
    spec: str, out: str, api: Api, models: str, overlays: tuple[str, ...] = ()
) -> str:
    """The ``msgen build`` that renders ``api`` with ``models`` from ``spec`` (and ``overlays``)
    into ``out`` again: the options that change the output, and only where they are not the
    defaults (``--strict`` changes nothing that is written)."""
    args = ["msgen", "build", spec, "--out", out]
    for overlay in overlays:
        args += ["--overlay", overlay]
    if api.package_chosen:
        args += ["--package", api.package]
    if models != NAMES[0]:
        args += ["--models", models]
    if api.side != default_side(api.asyncapi_version):
        args += ["--side", api.side]
    return shlex.join(args)


def party(api: Api) -> str:
    """What the generated code is, as its docs name it: "the client" or "the server"."""
    return f"the {api.role}"


def _unions(api: Api, channel: Channel) -> list[UnionView]:
    return [
        union_view(channel.inbound, f"{party(api)} receives"),
        union_view(channel.outbound, f"{party(api)} sends"),
    ]


def _frame_classes(channel: Channel) -> dict[str, Any]:
    """The message classes by how they travel (binary frames, text frames, plain text), and the
    first line of ``encode``'s docstring, which says so."""
    messages = channel.messages
    binary = [m.class_name for m in messages if m.binary]
    text = [m.class_name for m in messages if not m.binary]
    plain = [m.class_name for m in messages if m.kind == "plain"]
    json_part = "compact wire JSON in the spec's property order"
    if plain:
        json_part += f" (the text itself for {', '.join(plain)})"
    if binary and text:
        summary = (
            f"The wire form: bytes (a binary frame) for {', '.join(binary)}, else {json_part}."
        )
    elif binary:
        summary = "The wire form: bytes (a binary frame)."
    else:
        summary = json_part[0].upper() + json_part[1:] + "."
    return {
        "binary_classes": binary,
        "text_classes": text,
        "plain_classes": plain,
        "value_classes": [m.class_name for m in messages if m.kind == "value"],
        "object_classes": [m.class_name for m in messages if m.kind == "object"],
        "encode_doc": summary,
    }


def render(
    built: Built,
    models: str = "dataclasses",
    folder: str = "generated",
    spec_path: str | None = None,
    overlays: tuple[str, ...] = (),
) -> dict[str, str]:
    """Every generated file, formatted, keyed by its POSIX path relative to the output folder
    (``folder`` is its name, as the README's instructions use it). ``spec_path``: the spec's POSIX
    path from the folder that holds the output folder, as ``_generated.py`` records it (default:
    beside it)."""
    api = built.api
    spec_path = spec_path or api.spec_name
    backend = BACKENDS[models]
    env = _environment(backend)
    lines = header_lines(api)

    def header(prefix: str) -> str:
        if prefix == "<!--":
            return "<!-- " + " ".join(lines) + " -->"
        return "\n".join(f"{prefix} {line}" for line in lines)

    base: dict[str, Any] = {
        "api": api,
        "header": header,
        "models": models,
        "backend": backend,
        "party": party(api),
    }
    files: dict[str, str] = {}

    def emit(path: str, template: str, **context: Any) -> None:
        try:
            text = env.get_template(template).render(**base, **context)
        except jinja2.TemplateError as exc:
            raise RenderError(f"{template}: {exc}") from exc
        files[path] = text

    pkg = api.package
    exported: dict[str, list[str]] = {}
    channel_all: dict[str, list[str]] = {}
    media = next((c.media for c in api.channels if c.media), None)
    bots: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
    #: The channel the README's bot guide shows: the first one with calls and playback.
    guide: SessionView | None = None
    clients: list[ClientView] = []
    for channel in api.channels:
        module = module_view(channel)
        view = SessionView(channel, module, connects=api.client)
        bots[channel.key] = view.bot_exports
        if guide is None and view.pb is not None and not api.client:
            guide = view
        message_classes = {m.class_name for m in channel.messages}
        exported[channel.key] = [c.name for c in module.classes if c.name not in message_classes]
        channel_all[channel.key] = sorted(
            [
                *message_classes,
                *view.bot_names,
                *exported[channel.key],
                "InboundFrame",
                "OutboundFrame",
                "Frame",
                "decode_inbound",
                "decode_outbound",
                "encode",
                "validate",
                *(["FrameError"] if channel.module else []),
            ]
        )
        client = ClientView(channel, view)
        clients.append(client)
        target = f"{pkg}/{channel.module}/" if channel.module else f"{pkg}/"
        up = ".." if channel.module else "."
        context = {
            "channel": channel,
            "module": module,
            "up": up,
            "media": channel.media,
            "import_path": f"{pkg}.{channel.module}" if channel.module else pkg,
            "session": view,
            "client": client,
            #: This channel's test modules start with it (they import each other's helpers).
            "tests": f"test_{channel.module}_" if channel.module else "test_",
            **backend.context(api, channel),
        }
        emit(target + "frames.py", f"{BACKEND_PREFIX}frames.py.jinja", **context)
        emit(
            target + "wire.py",
            f"{BACKEND_PREFIX}wire.py.jinja",
            unions=_unions(api, channel),
            **_frame_classes(channel),
            **context,
        )
        if channel.module:
            emit(
                target + "__init__.py",
                "package/channel_init.py.jinja",
                exported=exported,
                channel_all=channel_all,
                **context,
            )
        emit(
            f"tests/test_{channel.module or 'frames'}.py",
            "tests/test_frames.py.jinja",
            schemas=_schemas(built, channel),
            strategies=object_strategies(channel),
            message_strategies={m.class_name: message_strategy(m) for m in channel.messages},
            direct=direct_messages(channel),
            unions=_unions(api, channel),
            **context,
        )
        for template, goal, needs in CHANNEL_FILES:
            if _wanted(api, channel, needs):
                path = goal.format(package=target, tests=f"tests/{context['tests']}")
                emit(path, template, **context)
        for name, goal, needs in RUNTIME_FILES:
            if _wanted(api, channel, needs):
                path = goal.format(package=target, tests=f"tests/{context['tests']}")
                files[path] = header("#") + "\n" + runtime.source(name)
    all_names = sorted(
        {"FrameError", "UNSET", "Unset"}
        | {
            name
            for channel in api.channels
            for name in ([channel.module] if channel.module else channel_all[channel.key])
        }
    )
    emit(
        f"{pkg}/__init__.py",
        "package/__init__.py.jinja",
        exported=exported,
        all_names=all_names,
        bots=bots,
        media=media,
    )
    emit(f"{pkg}/_runtime.py", "package/_runtime.py.jinja")
    emit(
        f"{pkg}/_generated.py",
        "package/_generated.py.jinja",
        folder=folder,
        spec_path=spec_path,
        build=build_command(spec_path, folder, api, models, overlays),
    )
    files[f"{pkg}/errors.py"] = header("#") + "\n" + runtime.source("errors")
    emit(f"{pkg}/py.typed", "package/py.typed.jinja")
    packages = sorted(
        path.removesuffix("/__init__.py").replace("/", ".")
        for path in files
        if path.startswith(f"{pkg}/") and path.endswith("/__init__.py")
    )
    deps = [*backend.dependencies, *(MEDIA_DEPS if media else ()), *SERVER_DEPS]
    emit(
        "pyproject.toml",
        "project/pyproject.toml.jinja",
        runtime_deps=deps,
        extras={} if api.client else EXTRAS,
        packages=packages,
    )
    audio = next((c for c in api.channels if c.media), None)
    readme = {
        "readme": ReadmeView(api, folder, tuple(clients)),
        "media": media,
        "guide": guide,
        #: The package that holds the codec, for the README's audio section.
        "codec_path": f"{pkg}.{audio.module}" if audio and audio.module else pkg,
    }
    emit("README.md", "project/README.md.jinja", runtime_deps=deps, **readme)
    emit("tests/test_readme.py", "tests/test_readme.py.jinja", **readme)
    emit("tests/conftest.py", "tests/conftest.py.jinja")
    return {path: format_source(path, text) for path, text in sorted(files.items())}


def _schemas(built: Built, channel: Channel) -> dict[str, object]:
    prefix = f"{channel.module}:"
    return {
        key[len(prefix) :]: oracle_schema(schema)
        for key, schema in built.schemas.items()
        if key.startswith(prefix)
    }


#: Fixes applied in memory before formatting: unused imports, import order, sorted ``__all__``.
_FIXES = "F401,I,RUF022"


def format_source(path: str, text: str) -> str:
    """Python files go through ruff: the safe fixes above, then the formatter.

    ``--isolated`` keeps the user's own ruff configuration from changing msgen's output.
    """
    if not path.endswith(".py"):
        return text
    ruff = find_ruff_bin()
    common = ["--isolated", "--line-length", "100", "--target-version", "py311"]
    common += ["--stdin-filename", path, "-"]
    for step in (
        ["check", "--fix-only", "--exit-zero", "--select", _FIXES, *common],
        ["format", *common],
    ):
        result = subprocess.run(
            [ruff, *step], input=text, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RenderError(f"ruff failed on {path}:\n{result.stderr}\n--- source ---\n{text}")
        text = result.stdout
    return text
