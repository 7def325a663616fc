"""The command line: options in, one pipeline call, the reporter, an exit code."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

# guardiangen uses no pydantic plugins; skipping their entry-point scan keeps `validate` start-up short.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from guardiangen import __version__
from guardiangen.diagnostics import Diagnostic, Severity, has_errors
from guardiangen.diagnostics import render as render_diagnostics

if TYPE_CHECKING:
    from guardiangen.doctor.client import Credentials
    from guardiangen.spec.models import OutputProfile

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_SPEC = "specs/cluster.yaml"
DEFAULT_OUT = "out"

HELP = f"""Generate and check monitoring for an LLM Guardian Cluster from one cluster.yaml.

Exit codes: {EXIT_OK} clean; {EXIT_FINDINGS} findings (invalid spec, lint findings, drift under
`check`); {EXIT_USAGE} usage error; {EXIT_INTERNAL} internal error (re-run with --traceback)."""

app = typer.Typer(
    help=HELP,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class FailOn(str, Enum):
    warning = "warning"
    error = "error"


class Profile(str, Enum):
    """The spec's OutputProfile values, repeated here so that `--help` need not import the spec models."""

    plain = "plain"
    kubernetes = "kubernetes"
    thanos = "thanos"
    mimir = "mimir"


_state = {"traceback": False}
F = TypeVar("F", bound=Callable[..., Any])

SpecArg = Annotated[str, typer.Argument(help="Path of the cluster spec.", show_default=True)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output directory.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Diagnostics format.")]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option("--templates", help="Use templates from this directory instead of the built-in ones."),
]
TargetOpt = Annotated[
    Profile | None,
    typer.Option(
        "--target",
        help="Deployment profile, overriding the spec's output.profile: plain files only, or plus out/kubernetes, "
        "out/thanos or out/mimir.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"guardiangen {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    traceback: Annotated[bool, typer.Option("--traceback", help="Show Python tracebacks of internal errors.")] = False,
) -> None:
    _state["traceback"] = traceback


def guarded(fn: F) -> F:
    """Turn an unexpected exception into one line and exit code 3 (the traceback only on request)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _state["traceback"]:
                raise
            typer.echo(
                f"guardiangen: internal error: {type(exc).__name__}: {exc} (re-run with --traceback for details)",
                err=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _profile(target: Profile | None) -> OutputProfile | None:
    """The spec's OutputProfile for ``--target`` (None: keep the spec's own ``output.profile``)."""
    from guardiangen.spec.models import OutputProfile

    return None if target is None else OutputProfile(target.value)


def report(diags: list[Diagnostic], fmt: Format, fail_on: Severity = Severity.ERROR) -> int:
    text = render_diagnostics(diags, fmt.value)
    if text:
        sys.stdout.write(text)
    return EXIT_FINDINGS if has_errors(diags, fail_on) else EXIT_OK


@app.command()
@guarded
def validate(
    specs: Annotated[
        list[str] | None, typer.Argument(help=f"Spec files to check (default: {DEFAULT_SPEC}).", show_default=False)
    ] = None,
    format: FormatOpt = Format.text,
) -> None:
    """Check one or more specs and report every problem in them; writes nothing."""
    from guardiangen.pipeline import validate as run

    paths = specs or [DEFAULT_SPEC]
    results = [run(path) for path in paths]
    code = report([d for r in results for d in r.diagnostics], format)
    if format is Format.text:
        for path, result in zip(paths, results, strict=True):
            if result.spec is not None:
                typer.echo(f"{path}: ok")
    raise typer.Exit(code)


def _usage_problem(problem: str | None) -> None:
    """Exit with the usage-error code when an option cannot be used; nothing has been touched yet."""
    if problem is not None:
        _usage_error(problem)


def _usage_error(problem: str) -> NoReturn:
    typer.echo(f"guardiangen: {problem}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _generate(spec: str, templates: Path | None, target: Profile | None, fmt: Format) -> dict[str, bytes]:
    """What `render` and `check` share: the rendered files, or the exit with the spec's diagnostics."""
    from guardiangen import pipeline

    _usage_problem(pipeline.templates_problem(templates))
    generated = pipeline.generate(spec, templates=templates, profile=_profile(target))
    if generated.files is None:
        raise typer.Exit(report(generated.diagnostics, fmt))
    report(generated.diagnostics, fmt)  # the spec's warnings: they do not stop a render
    return generated.files


@app.command()
@guarded
def render(
    spec: SpecArg = DEFAULT_SPEC,
    out: OutOpt = Path(DEFAULT_OUT),
    format: FormatOpt = Format.text,
    templates: TemplatesOpt = None,
    target: TargetOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Also write into a non-empty OUT that guardiangen did not write; its files are kept."
        ),
    ] = False,
) -> None:
    """Render every output into OUT, atomically; stale generated files are pruned, others kept."""
    from guardiangen import pipeline

    _usage_problem(pipeline.out_problem(out, spec, force=force))
    files = _generate(spec, templates, target, format)
    problems = pipeline.write(out, files)
    if problems:
        raise typer.Exit(report(problems, format))
    if format is Format.text:
        typer.echo(f"wrote {len(files)} files to {out}")
    raise typer.Exit(EXIT_OK)


@app.command()
@guarded
def check(
    spec: SpecArg = DEFAULT_SPEC,
    out: OutOpt = Path(DEFAULT_OUT),
    format: FormatOpt = Format.text,
    templates: TemplatesOpt = None,
    target: TargetOpt = None,
) -> None:
    """Render in memory and compare with OUT: changed, missing and extra files, with a diff."""
    from guardiangen import pipeline

    files = _generate(spec, templates, target, format)
    drift = pipeline.diff(out, files)
    if format is Format.text:
        for relpath in drift.changed:
            sys.stdout.write(drift.diffs[relpath])
    code = report(drift.diagnostics(str(out)), format)
    if drift.clean and format is Format.text:
        typer.echo(f"{out}: up to date ({len(files)} files)")
    elif format is Format.text:
        again = f" --target {target.value}" if target else ""
        typer.echo(f"{out} is stale: run `guardiangen render {spec} --out {out}{again}`")
    raise typer.Exit(code)


@app.command()
@guarded
def lint(
    spec: SpecArg = DEFAULT_SPEC,
    out: OutOpt = Path(DEFAULT_OUT),
    with_tools: Annotated[
        bool,
        typer.Option(
            "--with-tools",
            help="Also run promtool check/test rules, amtool check-config and the route tests (missing tools are "
            "errors).",
        ),
    ] = False,
    format: FormatOpt = Format.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Lowest severity that fails the run.")] = FailOn.error,
) -> None:
    """Lint the rendered rules and dashboards in OUT against the spec's metric catalog."""
    from guardiangen import pipeline
    from guardiangen.lint.run import lint_tree

    result = pipeline.validate(spec)
    if result.spec is None:
        raise typer.Exit(report(result.diagnostics, format))
    diags = lint_tree(out, pipeline.catalog(result.spec), with_tools=with_tools)
    code = report(diags, format, Severity(fail_on.value))
    if not diags and format is Format.text:
        typer.echo(f"{out}: no findings" + (" (with promtool and amtool)" if with_tools else ""))
    raise typer.Exit(code)


TOKEN_ENV = "GUARDIANGEN_DOCTOR_TOKEN"


@app.command()
@guarded
def doctor(
    prometheus: Annotated[
        str,
        typer.Option(
            "--prometheus",
            help="Base URL of the Prometheus HTTP API, with its path prefix if any, e.g. http://prometheus:9090.",
            show_default=False,
        ),
    ],
    spec: SpecArg = DEFAULT_SPEC,
    alertmanager: Annotated[
        str | None,
        typer.Option("--alertmanager", help="Base URL of Alertmanager, to compare its loaded configuration too."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where the render is deployed from: names files in findings.")
    ] = Path(DEFAULT_OUT),
    format: FormatOpt = Format.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Lowest severity that fails the run.")] = FailOn.error,
    target: TargetOpt = None,
    token_file: Annotated[
        Path | None,
        typer.Option("--token-file", help=f"File holding a bearer token for both servers (else ${TOKEN_ENV}, if set)."),
    ] = None,
    basic_auth_file: Annotated[
        Path | None, typer.Option("--basic-auth-file", help="File holding `user:password` for HTTP basic auth.")
    ] = None,
    ca_file: Annotated[
        Path | None, typer.Option("--ca-file", help="CA certificates (PEM) to verify https servers with.")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", help="Seconds all HTTP requests together may take (the render before them not counted).", min=1
        ),
    ] = 60.0,
    max_requests: Annotated[
        int, typer.Option("--max-requests", help="HTTP requests the whole run may send.", min=1)
    ] = 100,
    lookback: Annotated[
        str, typer.Option("--lookback", help="How far back a series counts as present (a Prometheus duration).")
    ] = "1h",
) -> None:
    """Check a running Prometheus (and Alertmanager) against a fresh render of the spec; read-only.

    Finds metrics the rules read that have no series, types that differ from the catalog, spec names
    no series carries, histograms without an SLO's bucket, rule groups not loaded, stale or failing,
    scrape targets down, and an Alertmanager running another configuration."""
    from guardiangen.doctor import Servers
    from guardiangen.doctor import doctor as run

    for name, url in (("--prometheus", prometheus), ("--alertmanager", alertmanager)):
        if url is not None and not url.startswith(("http://", "https://")):
            _usage_error(f"{name} must be an http:// or https:// URL, not {url!r}")
    servers = Servers(
        prometheus=prometheus,
        alertmanager=alertmanager,
        credentials=_credentials(token_file, basic_auth_file, ca_file),
        max_requests=max_requests,
        timeout_seconds=timeout,
        lookback_seconds=_seconds(lookback, "--lookback"),
    )
    diags = run(spec, servers, out=out.as_posix().rstrip("/") or ".", profile=_profile(target))
    code = report(diags, format, Severity(fail_on.value))
    if not diags and format is Format.text:
        checked = "Prometheus" + (" and Alertmanager" if alertmanager else "")
        typer.echo(f"{checked} match {spec}: no findings")
    raise typer.Exit(code)


def _read_secret(path: Path, option: str) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        _usage_error(f"{option}: cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    if not text:
        _usage_error(f"{option}: {path} is empty")
    return text


def _credentials(token_file: Path | None, basic_auth_file: Path | None, ca_file: Path | None) -> Credentials:
    from guardiangen.doctor.client import Credentials

    if token_file is not None and basic_auth_file is not None:
        _usage_error("give --token-file or --basic-auth-file, not both")
    token = _read_secret(token_file, "--token-file") if token_file else os.environ.get(TOKEN_ENV) or None
    basic = None
    if basic_auth_file is not None:
        user, colon, password = _read_secret(basic_auth_file, "--basic-auth-file").partition(":")
        if not colon:
            _usage_error(f"--basic-auth-file: {basic_auth_file} must hold `user:password`")
        basic = (user, password)
        token = None
    if ca_file is not None and not ca_file.is_file():
        _usage_error(f"--ca-file: {ca_file} is not a file")
    return Credentials(bearer_token=token, basic_auth=basic, ca_file=str(ca_file) if ca_file else None)


def _seconds(text: str, option: str) -> float:
    from guardiangen.spec.types import DurationError, parse_duration_ms

    try:
        ms = parse_duration_ms(text)
    except DurationError as exc:
        _usage_error(f"{option}: {exc}")
    if ms <= 0:
        _usage_error(f"{option} must be longer than 0s")
    return ms / 1000


@app.command()
@guarded
def schema() -> None:
    """Print the JSON Schema of cluster.yaml (specs/cluster.schema.json is this output)."""
    from guardiangen.spec import json_schema

    sys.stdout.write(json_schema())


@app.command()
@guarded
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter spec.")] = Path("cluster.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a small, commented starter cluster.yaml that validates."""
    from guardiangen.starter import STARTER

    if path.exists() and not force:
        typer.echo(f"{path} exists; pass --force to overwrite it", err=True)
        raise typer.Exit(EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER, encoding="utf-8")
    typer.echo(f"wrote {path}; next: guardiangen validate {path}")


@app.command()
@guarded
def metrics(
    spec: Annotated[str | None, typer.Argument(help="Include the exporters and extra metrics of this spec.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Only one serving-engine release, as NAME@VERSION (e.g. vllm@0.11.0): its metrics and the "
            "signals guardiangen reads from them.",
        ),
    ] = None,
) -> None:
    """Print the metric catalog: built-in exporters plus the spec's `metrics:`."""
    from guardiangen.catalog import build_catalog, format_table, to_json

    if format not in ("table", "json"):
        typer.echo("--format must be table or json", err=True)
        raise typer.Exit(EXIT_USAGE)
    if engine is not None:
        if spec is not None:
            typer.echo("give a spec or --engine, not both", err=True)
            raise typer.Exit(EXIT_USAGE)
        sys.stdout.write(_engine_release_text(engine, as_json=format == "json"))
        return
    if spec is None:
        catalog = build_catalog(postgres_enabled=True)
    else:
        from guardiangen import pipeline

        result = pipeline.validate(spec)
        if result.spec is None:
            raise typer.Exit(report(result.diagnostics, Format.text))
        catalog = pipeline.catalog(result.spec)
    sys.stdout.write(to_json(catalog) if format == "json" else format_table(catalog))


def _engine_release_text(choice: str, *, as_json: bool) -> str:
    """``guardiangen metrics --engine NAME@VERSION``: the catalogued release that version stands for."""
    import json

    from guardiangen.catalog.engines import ENGINES, EngineVersionError, Signal, release, title

    name, at, version = choice.partition("@")
    try:
        if not at or not version:
            raise EngineVersionError(
                f'"{choice}" is not NAME@VERSION (e.g. vllm@0.11.0; engines: {", ".join(ENGINES)})'
            )
        r = release(name, version)
    except EngineVersionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        doc = {
            "engine": r.engine,
            "version": r.version,
            "asked_for": version,
            "model_label": r.model_label,
            "requires": r.requires,
            "metrics": [m.model_dump(mode="json") for m in r.metrics],
            "signals": {
                s.value: {
                    "metric": src.metric.name,
                    "part": src.part,
                    "matchers": dict(src.matchers),
                    "requires": src.requires,
                }
                for s, src in r.signals.items()
            },
            "missing": {s.value: r.why_missing(s) for s in Signal if s not in r.signals},
        }
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    head = f"{title(r.engine)} {r.version}" + (
        f" (the catalogued release for {version})" if version != r.version else ""
    )
    lines = [f"{head}; model label: {r.model_label or 'none'}" + (f"; needs {r.requires}" if r.requires else ""), ""]
    rows = [("NAME", "TYPE", "UNIT", "SCALE", "BUCKETS", "LABELS")]
    for m in r.metrics:
        buckets = "run time" if m.buckets_at_run_time else (str(len(m.buckets)) if m.buckets else "-")
        rows.append((m.name, m.type.value, m.unit.value, m.scale.value, buckets, ",".join(m.labels) or "-"))
    lines += _columns(rows)
    lines += ["", f"{len(r.metrics)} metrics", ""]
    signals = [("SIGNAL", "METRIC", "SELECTS")]
    for s, src in r.signals.items():
        selects = ",".join(f'{k}="{v}"' for k, v in src.matchers) + (f" ({src.requires})" if src.requires else "")
        signals.append((s.value, f"{src.metric.name}_{src.part}" if src.part else src.metric.name, selects or "-"))
    signals += [(s.value, "-", r.why_missing(s)) for s in Signal if s not in r.signals]
    lines += _columns(signals)
    return "\n".join(lines) + "\n"


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip() for row in rows]


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
