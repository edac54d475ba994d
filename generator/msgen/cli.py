"""The ``msgen`` command line: build, check and validate.

Exit codes: 0 success; 1 ``check`` found drift; 2 the input is at fault (the spec, an option, the
configuration or the output folder): one line per problem, spec problems as
``FILE:LINE:COL: JSON-POINTER: message``, and nothing written; 70 a bug in msgen itself, shown with
its traceback and a request to report it.
"""

from __future__ import annotations

import dataclasses
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from msgen import __version__
from msgen.backends import NAMES as MODELS
from msgen.config import (
    SIDES,
    Config,
    ConfigError,
    Target,
    display,
    load_config,
    package_problem,
)
from msgen.model.normalize import Built, load
from msgen.output import (
    Drift,
    OutputError,
    check_writable,
    compare,
    other_spec,
    recorded,
    refuse_other_spec,
    spec_path,
    write_tree,
)
from msgen.reading.problems import Side, SpecError
from msgen.render import build_command, render

EXIT_DRIFT = 1
EXIT_INPUT = 2
#: EX_SOFTWARE in sysexits.h: a CI gate can tell msgen's own failure from drift and bad input.
EXIT_BUG = 70

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: rich markup would eat "[tool.msgen]".
    rich_markup_mode=None,
    help="Generate typed Python packages from AsyncAPI descriptions of WebSocket protocols.",
)

SpecArg = Annotated[
    Path | None,
    typer.Argument(
        help="AsyncAPI document (YAML or JSON). Default: [tool.msgen] spec.",
        metavar="SPEC",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Output folder. Default: [tool.msgen] out.",
        metavar="DIR",
        show_default=False,
    ),
]
PackageOpt = Annotated[
    str | None,
    typer.Option(
        help="Import name of the generated package. Default: [tool.msgen] package, else from "
        "info.title.",
        metavar="NAME",
        show_default=False,
    ),
]
ModelsOpt = Annotated[
    str | None,
    typer.Option(
        help=f"Model backend. Default: [tool.msgen] models, else {MODELS[0]}.",
        metavar="|".join(MODELS),
        show_default=False,
    ),
]
SideOpt = Annotated[
    str | None,
    typer.Option(
        help="'application' if the generated code is the party the document describes, 'peer' if "
        "it is the party the document's application talks to. Default: [tool.msgen] side, else "
        "the version's: peer for AsyncAPI 2.x (its `subscribe` is what the code receives), "
        "application for 3.x.",
        metavar="|".join(SIDES),
        show_default=False,
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
OverlayOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--overlay",
        help="An Overlay Specification 1.0 document applied to SPEC before it is read; "
        "repeat it to apply several in order. Default: [tool.msgen] overlays.",
        metavar="FILE",
        show_default=False,
    ),
]
ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace", help="Replace a package in OUT that was generated from another spec."
    ),
]
StatOpt = Annotated[bool, typer.Option("--stat", help="Print the summary of the drift, no diff.")]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="Print no success message; warnings and errors still print."
    ),
]
CheckQuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print no success message, and of the drift only the summary's first line; "
        "warnings and errors still print.",
    ),
]


@dataclass(frozen=True)
class Settings:
    """The options of one run: the command line over ``[tool.msgen]`` over msgen's defaults."""

    config: Config
    spec: Path
    package: str | None
    models: str
    #: None: msgen chooses (``document.read``).
    side: Side | None
    strict: bool
    overlays: tuple[Path, ...] = ()
    #: The output folder (None: none given nor configured; ``_out`` says so).
    out: Path | None = None


def _fail(lines: list[str] | str) -> NoReturn:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(line, err=True)
    raise typer.Exit(EXIT_INPUT)


def _missing(given: str, key: str, config: Config) -> NoReturn:
    """No command-line value and no default: say which pyproject.toml was read, if any."""
    if config.pyproject is None:
        _fail(
            f"msgen: no {given} given, and no pyproject.toml in this folder or above "
            f"to read [tool.msgen] {key} from"
        )
    _fail(f"msgen: no {given} given, and {display(config.pyproject)} has no [tool.msgen] {key}")


def _runs(
    spec: Path | None,
    out: Path | None,
    package: str | None,
    models: str | None,
    side: str | None,
    strict: bool,
    overlays: list[Path] | None,
) -> list[Settings]:
    """What one command does: SPEC alone when given (with the settings of the configured target
    that names it, if one does), else every target of ``[tool.msgen]``. Every option is checked
    before any spec is read, so a mistake costs no rendering."""
    try:
        config = load_config(Path.cwd())
    except ConfigError as exc:
        _fail(f"msgen: {exc}")
    if side is not None and side not in SIDES:
        _fail(f"msgen: --side must be one of {', '.join(SIDES)}")
    if models is not None and models not in MODELS:
        _fail(f"msgen: --models must be one of {', '.join(MODELS)}")
    if package is not None:
        problem = package_problem(package)
        if problem:
            _fail(f"msgen: --package {package!r}: {problem}")
    if spec is not None:
        same = [t for t in config.targets if t.spec is not None and _same(t.spec, spec)]
        targets: tuple[Target, ...] = (dataclasses.replace(same[0] if same else config, spec=spec),)
    else:
        targets = config.all_targets
        if not targets:
            _missing("SPEC", "spec", config)
        if len(targets) > 1 and (out is not None or package is not None):
            _fail("msgen: --out and --package name one package: give a SPEC with them")
    return [
        Settings(
            config,
            target.spec,
            package or target.package,
            models or target.models,
            side or target.side,
            strict or target.strict,
            tuple(overlays) if overlays else target.overlays,
            out or target.out,
        )
        for target in targets
        if target.spec is not None
    ]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _out(settings: Settings) -> Path:
    if settings.out is None:
        _missing("--out", "out", settings.config)
    return settings.out


def _load(settings: Settings, *, warn: bool = True) -> Built:
    """The built model; its warnings print now unless ``warn`` is False (the caller prints them
    once it has checked what must fail first)."""
    try:
        built = load(
            settings.spec,
            package=settings.package,
            side=settings.side,
            strict=settings.strict,
            overlays=settings.overlays,
        )
    except SpecError as exc:
        _fail([str(p) for p in exc.problems])
    if settings.package is None:
        name = built.api.package
        problem = package_problem(name)
        if problem:
            _fail(
                f"msgen: package name {name!r} (from info.title): {problem}; "
                "choose one with --package or [tool.msgen] package"
            )
    if warn:
        for warning in built.warnings:
            typer.echo(warning, err=True)
    return built


@app.command()
def build(
    spec: SpecArg = None,
    out: OutOpt = None,
    package: PackageOpt = None,
    models: ModelsOpt = None,
    side: SideOpt = None,
    strict: StrictOpt = False,
    overlay: OverlayOpt = None,
    quiet: QuietOpt = False,
    replace: ReplaceOpt = False,
) -> None:
    """Render SPEC into OUT, replacing it whole (a package from another spec only with
    --replace). Without SPEC, every target of [tool.msgen]."""
    runs = _runs(spec, out, package, models, side, strict, overlay)
    outs = [_out(settings) for settings in runs]  # every target checked before any is written
    for settings, out_path in zip(runs, outs, strict=True):
        _build(settings, out_path, quiet=quiet, replace=replace)


def _build(settings: Settings, out_path: Path, *, quiet: bool, replace: bool) -> None:
    try:
        check_writable(out_path)
    except OutputError as exc:
        _fail(f"msgen: {exc}")
    built = _load(settings, warn=False)
    if not replace:
        try:
            refuse_other_spec(out_path, settings.spec)
        except OutputError as exc:
            _fail(f"msgen: {exc}")
    for warning in built.warnings:
        typer.echo(warning, err=True)
    files = render(
        built,
        settings.models,
        out_path.resolve().name,
        spec_path(settings.spec, out_path),
        tuple(spec_path(o, out_path) for o in settings.overlays),
    )
    if not quiet and built.reading:
        typer.echo(f"msgen: {display(settings.spec)}: {built.reading}")
    try:
        write_tree(out_path, files)
    except OutputError as exc:
        _fail(f"msgen: {exc}")
    if not quiet:
        typer.echo(f"msgen: wrote {len(files)} files to {display(out_path)}")


def _summary(out_path: Path, drift: Drift, rebuild: str, versions: str) -> list[str]:
    """One line of counts and the command that rebuilds, the msgens when they differ, then one
    line per file; paths as the diff labels them."""
    name = out_path.resolve().name
    lines = [
        f"msgen: {display(out_path)} is out of date: {len(drift.changed)} changed, "
        f"{len(drift.missing)} missing, {len(drift.extra)} extra; run `{rebuild}`"
    ]
    lines += [f"  {versions}"] if versions else []
    lines += [f"  changed  {name}/{path} (+{a} -{r})" for path, a, r in drift.stat()]
    lines += [f"  missing  {name}/{path}" for path in drift.missing]
    lines += [f"  extra    {name}/{path}" for path in drift.extra]
    return lines


@app.command()
def check(
    spec: SpecArg = None,
    out: OutOpt = None,
    package: PackageOpt = None,
    models: ModelsOpt = None,
    side: SideOpt = None,
    strict: StrictOpt = False,
    overlay: OverlayOpt = None,
    stat: StatOpt = False,
    quiet: CheckQuietOpt = False,
) -> None:
    """Exit 1 if OUT differs from what SPEC renders.

    Prints a summary (files changed, missing, extra), then the diff. Exit codes: 0 up to date,
    1 drift, 2 a mistake in the spec, an option or the configuration, 70 a bug in msgen.
    """
    runs = _runs(spec, out, package, models, side, strict, overlay)
    outs = [_out(settings) for settings in runs]
    drifted = [
        _check(settings, out_path, stat=stat, quiet=quiet)
        for settings, out_path in zip(runs, outs, strict=True)
    ]
    if any(drifted):
        raise typer.Exit(EXIT_DRIFT)


def _check(settings: Settings, out_path: Path, *, stat: bool, quiet: bool) -> bool:
    """Whether ``out_path`` drifted from what ``settings`` render (the report is printed). Without
    ``--side``, the side the package records is the default: a forgotten option is no drift."""
    sides = {r.get("SIDE") for r in recorded(out_path).values()}
    if settings.side is None and len(sides) == 1 and (side := sides.pop()) in SIDES:
        settings = dataclasses.replace(settings, side=side)
    built = _load(settings)
    # The msgen a package records is not drift: another msgen that renders the same bytes passes,
    # and says so.
    built_by = recorded(out_path).get(built.api.package, {}).get("MSGEN_VERSION", __version__)
    versions = (
        f"built by msgen {built_by}, checking with msgen {__version__}"
        if built_by != __version__
        else ""
    )
    as_recorded = dataclasses.replace(built.api, msgen_version=built_by)
    files = render(
        dataclasses.replace(built, api=as_recorded),
        settings.models,
        out_path.resolve().name,
        spec_path(settings.spec, out_path),
        tuple(spec_path(o, out_path) for o in settings.overlays),
    )
    try:
        drift = compare(out_path, files)
    except OutputError as exc:
        _fail(f"msgen: {exc}")
    if drift.clean:
        if not quiet:
            typer.echo(
                f"msgen: {display(out_path)} is up to date "
                f"({len(files)} files{'; ' if versions else ''}{versions})"
            )
        return False
    rebuild = build_command(
        display(settings.spec),
        display(out_path),
        built.api,
        settings.models,
        tuple(display(o) for o in settings.overlays),
    )
    if other_spec(out_path, settings.spec) is not None:
        rebuild += " --replace"
    # The first line says what drifted: it is all a failing pre-commit hook shows with --quiet.
    summary = _summary(out_path, drift, rebuild, versions)
    typer.echo("\n".join(summary[:1] if quiet else summary))
    if not (quiet or stat):
        sys.stdout.write(drift.diff)
    return True


@app.command()
def validate(
    spec: SpecArg = None,
    package: PackageOpt = None,
    models: ModelsOpt = None,
    side: SideOpt = None,
    strict: StrictOpt = False,
    overlay: OverlayOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check SPEC and the options; write nothing. Without SPEC, every target of [tool.msgen]."""
    for settings in _runs(spec, None, package, models, side, strict, overlay):
        _validate(settings, quiet=quiet)


def _validate(settings: Settings, *, quiet: bool) -> None:
    built = _load(settings)
    if quiet:
        return
    counts = ", ".join(
        f"{c.key}: {len(c.inbound.messages)} in, {len(c.outbound.messages)} out"
        for c in built.api.channels
    )
    typer.echo(f"msgen: {display(settings.spec)} is valid ({counts})")
    if built.reading:
        typer.echo(f"msgen: {display(settings.spec)}: {built.reading}")
    for channel in built.api.channels:
        where = f"{channel.module}: " if channel.module else ""
        sends = ", ".join(m.class_name for m in channel.outbound.messages) or "nothing"
        receives = ", ".join(m.class_name for m in channel.inbound.messages) or "nothing"
        typer.echo(f"  {where}sends {sends}; receives {receives}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"msgen {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """msgen: typed Python packages from AsyncAPI."""


def main() -> None:
    """The console script: a bug keeps its traceback, and says it is one."""
    try:
        app()
    except Exception:
        traceback.print_exc()
        typer.echo(
            f"msgen {__version__}: this is a bug in msgen, not a problem with your input; "
            "please report it with the traceback above, the command and the spec",
            err=True,
        )
        sys.exit(EXIT_BUG)
