"""The ``msgen`` command line: build, check and validate.

Exit codes: 0 success; 1 ``check`` found drift; 2 the spec, the configuration or the output folder
is at fault (one ``FILE:LINE:COL: JSON-POINTER: message`` line per problem, nothing written). A bug
in msgen itself keeps its traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from msgen import __version__
from msgen.backends import NAMES as MODELS
from msgen.config import SIDES, Config, ConfigError, load_config
from msgen.normalize import Built, load
from msgen.output import OutputError, compare, write_tree
from msgen.problems import SpecError
from msgen.render import render

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Generate typed Python packages from AsyncAPI descriptions of WebSocket protocols.",
)

SpecArg = Annotated[
    Path | None,
    typer.Argument(help="AsyncAPI document (YAML or JSON). Default: [tool.msgen] spec."),
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output folder. Default: [tool.msgen] out.")
]
PackageOpt = Annotated[
    str | None, typer.Option(help="Import name of the generated package. Default: from info.title.")
]
ModelsOpt = Annotated[
    str | None,
    typer.Option(help=f"Model backend: {' or '.join(MODELS)}. Default: [tool.msgen] models."),
]
SideOpt = Annotated[
    str | None,
    typer.Option(
        help="'application' if the generated code is the party the document describes, 'peer' if "
        "it is the party the document's application talks to. Default: [tool.msgen] side, else "
        "the version's: peer for AsyncAPI 2.x (its `subscribe` is what the code receives), "
        "application for 3.x."
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]


def _fail(lines: list[str] | str) -> NoReturn:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(line, err=True)
    raise typer.Exit(2)


def _settings(spec: Path | None, out: Path | None) -> tuple[Config, Path, Path]:
    try:
        config = load_config(Path.cwd())
    except ConfigError as exc:
        _fail(f"msgen: {exc}")
    spec = spec or config.spec
    out = out or config.out
    if spec is None:
        _fail("msgen: no spec given and no [tool.msgen] spec in pyproject.toml")
    if out is None:
        _fail("msgen: no --out given and no [tool.msgen] out in pyproject.toml")
    return config, spec, out


def _build(
    spec: Path,
    config: Config,
    package: str | None,
    models: str | None,
    side: str | None,
    strict: bool,
) -> tuple[Built, dict[str, str]]:
    chosen_side = side or config.side
    if chosen_side is not None and chosen_side not in SIDES:
        _fail(f"msgen: --side must be one of {', '.join(SIDES)}")
    chosen_models = models or config.models
    if chosen_models not in MODELS:
        _fail(f"msgen: --models must be one of {', '.join(MODELS)}")
    try:
        built = load(
            spec,
            package=package or config.package,
            side=chosen_side,
            strict=strict or config.strict,
        )
    except SpecError as exc:
        _fail([str(p) for p in exc.problems])
    for warning in built.warnings:
        typer.echo(warning, err=True)
    return built, render(built, chosen_models)


@app.command()
def build(
    spec: SpecArg = None,
    out: OutOpt = None,
    package: PackageOpt = None,
    models: ModelsOpt = None,
    side: SideOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Render the package for SPEC into OUT, replacing it whole."""
    config, spec_path, out_path = _settings(spec, out)
    _, files = _build(spec_path, config, package, models, side, strict)
    try:
        write_tree(out_path, files)
    except OutputError as exc:
        _fail(f"msgen: {exc}")
    typer.echo(f"msgen: wrote {len(files)} files to {out_path}")


@app.command()
def check(
    spec: SpecArg = None,
    out: OutOpt = None,
    package: PackageOpt = None,
    models: ModelsOpt = None,
    side: SideOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Exit 1 with a diff when OUT differs from what SPEC renders (for CI)."""
    config, spec_path, out_path = _settings(spec, out)
    _, files = _build(spec_path, config, package, models, side, strict)
    drift = compare(out_path, files)
    if drift.clean:
        typer.echo(f"msgen: {out_path} is up to date ({len(files)} files)")
        return
    sys.stdout.write(drift.diff)
    for path in drift.missing:
        typer.echo(f"missing: {out_path.name}/{path}")
    for path in drift.extra:
        typer.echo(f"extra: {out_path.name}/{path}")
    summary = (
        f"msgen: {out_path} is out of date: {len(drift.changed)} changed, "
        f"{len(drift.missing)} missing, {len(drift.extra)} extra; run `msgen build`"
    )
    typer.echo(summary, err=True)
    raise typer.Exit(1)


@app.command()
def validate(
    spec: Annotated[Path, typer.Argument(help="AsyncAPI document (YAML or JSON).")],
    side: SideOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Check SPEC without writing anything."""
    try:
        config = load_config(Path.cwd())
    except ConfigError as exc:
        _fail(f"msgen: {exc}")
    built, _ = _build(spec, config, None, None, side, strict)
    counts = ", ".join(
        f"{c.key}: {len(c.inbound.messages)} in, {len(c.outbound.messages)} out"
        for c in built.api.channels
    )
    typer.echo(f"msgen: {spec} is valid ({counts})")


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
    app()
