"""The ``zwt`` command line: one subcommand per pipeline stage.

Each command parses its options here and hands over to the ``main`` function
of the module that does the work, imported lazily so ``zwt --help`` is fast.
A :class:`~zwt_analysis.errors.ZwtError` ends the command with its message on
stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .errors import ZwtError

app = typer.Typer(
    name="zwt",
    help="Monitoring of a municipality's social neighbourhood teams (wijkteams): synthetic data, "
    "cleaning, indicators, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _date(value: str | None, option: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=option) from None


def _run(fn, /, **kwargs) -> None:
    try:
        code = fn(**kwargs)
    except ZwtError as err:
        typer.echo(f"zwt: error: {err}", err=True)
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("zwt: interrupted", err=True)
        raise typer.Exit(130) from None
    raise typer.Exit(int(code or 0))


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the raw synthetic exports to.")],
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 2026,
    scale: Annotated[float, typer.Option(help="1.0 = the real size of the built-in synthetic municipality.", min=0.01)] = 1.0,
    messy: Annotated[bool, typer.Option(help="Write the way real exports arrive, with broken rows.")] = False,
    until: Annotated[str | None, typer.Option(help="Extract date YYYY-MM-DD (default 2026-09-30).")] = None,
) -> None:
    """Write every raw table of the data contract as synthetic exports."""
    from . import synth as mod

    kwargs = dict(out=out, seed=seed, scale=scale, messy=messy)
    if until:
        kwargs["until"] = _date(until, "--until")
    _run(mod.main, **kwargs)


@app.command(context_settings={"allow_extra_args": True})
def clean(
    ctx: typer.Context,
    raw: Annotated[Path, typer.Option(help="Folder with the raw exports (read-only).")],
    out: Annotated[Path, typer.Option(help="Folder for processed data (replaced as a whole).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD.")] = None,
    column_map: Annotated[Path | None, typer.Option("--column-map", help="YAML/JSON: export header -> contract name.")] = None,
    key_file: Annotated[Path | None, typer.Option("--key-file", help="File holding the pseudonym key.")] = None,
    date_order: Annotated[list[str] | None, typer.Option("--date-order", metavar="ORDER FILE[:COLUMN]", help="Read the dates of FILE (or only its COLUMN) in ORDER: mdy = month first, dmy = day first (the default). Repeatable, e.g. --date-order mdy cases.csv:date_report.")] = None,
) -> None:
    """Validate and clean raw exports into Parquet, quarantine and validation.json."""
    from .ingest import clean as mod

    _run(mod.main, raw=raw, out=out, as_of=_date(as_of, "--as-of"), column_map=column_map,
         key_file=key_file, date_order=_date_order_pairs(date_order or [], list(ctx.args)))


def _date_order_pairs(orders: list[str], targets: list[str]) -> list[tuple[str, str]]:
    """``--date-order ORDER FILE[:COLUMN]``: click hands the second value over as an extra argument."""
    if len(orders) != len(targets):
        extra = f" (left over: {' '.join(targets)})" if len(targets) > len(orders) else ""
        raise typer.BadParameter(f"takes two values, ORDER and FILE[:COLUMN], e.g. "
                                 f"--date-order mdy cases.csv:date_report{extra}",
                                 param_hint="--date-order")
    return [(o.strip().lower(), t) for o, t in zip(orders, targets, strict=True)]


@app.command()
def indicators(
    processed: Annotated[Path, typer.Option(help="Folder written by `zwt clean`.")],
    out: Annotated[Path, typer.Option(help="CSV file for the long indicator table.")],
    limits: Annotated[Path | None, typer.Option(help="YAML overriding the deadline limits.")] = None,
    memory_limit: Annotated[str | None, typer.Option(help="DuckDB memory limit, e.g. 2GB; beyond it DuckDB spills to disk.")] = None,
    threads: Annotated[int | None, typer.Option(help="DuckDB threads (default: all cores).", min=1)] = None,
    temp_dir: Annotated[Path | None, typer.Option(help="Folder DuckDB spills to (default: DuckDB's own).")] = None,
) -> None:
    """Compute every indicator of the data contract into one long CSV table.

    DuckDB reads the Parquet files in place, so the processed folder may be
    larger than memory (set --memory-limit).
    """
    from . import indicators as mod

    _run(mod.main, processed=processed, out=out, limits=limits, memory_limit=memory_limit,
         threads=threads, temp_directory=temp_dir)


class Disclosure(StrEnum):
    """What ``zwt report`` does when the disclosure audit finds an unprotected cell."""

    fail = "fail"
    warn = "warn"


@app.command()
def report(
    processed: Annotated[Path | None, typer.Option(help="Folder written by `zwt clean`.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the HTML reports.")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only this report (repeatable).")] = None,
    param: Annotated[list[str] | None, typer.Option(help="Notebook parameter KEY=VALUE (repeatable).")] = None,
    jobs: Annotated[int | None, typer.Option(help="Parallel notebook processes (default: cores).", min=1)] = None,
    indicators_file: Annotated[Path | None, typer.Option("--indicators", help="Indicator CSV written by `zwt indicators` (default: <processed>/indicators.csv).")] = None,
    compute_indicators: Annotated[bool, typer.Option("--compute-indicators", help="First run `zwt indicators` into that CSV (replacing it).")] = False,
    timeout: Annotated[int | None, typer.Option(help="Seconds per notebook cell before a run is stopped (default 600).", min=1)] = None,
    dask_scheduler: Annotated[str | None, typer.Option("--dask-scheduler", help="Run the notebooks on this Dask cluster, e.g. tcp://scheduler:8786 (needs `pip install zwt-analysis[cluster]`; --jobs is then ignored).")] = None,
    disclosure: Annotated[Disclosure, typer.Option(help="When the audit of the published CSV tables finds a cell a reader can recompute: fail = publish nothing, exit 1 (default); warn = publish with a warning.")] = Disclosure.fail,
    municipality: Annotated[Path | None, typer.Option(help="Own municipality.yaml (name, code, horizon) for the notebooks.")] = None,
) -> None:
    """Run the report notebooks with papermill and render HTML, index, brief and manifest."""
    from .runner import main as mod

    kwargs = dict(processed=processed, out=out, only=only or [], params=param or [], jobs=jobs,
                  indicators_file=indicators_file, compute_indicators=compute_indicators,
                  timeout=timeout, disclosure=disclosure.value, municipality_file=municipality)
    if dask_scheduler is None:
        _run(mod.main, **kwargs)
        return
    try:
        client = _dask_client(dask_scheduler)
    except ZwtError as err:
        typer.echo(f"zwt: error: {err}", err=True)
        raise typer.Exit(err.exit_code) from None
    with client:  # closed (not the cluster) when the command ends
        # pure=False: a notebook run has side effects; never reuse a result by key
        _run(mod.main, executor=client.get_executor(pure=False), **kwargs)


def _dask_client(address: str, timeout: float = 20.0):
    """A ``distributed.Client`` connected to the scheduler at ``address``.

    Warns on stderr when a worker runs more than one thread: each run
    redirects its worker process's stderr, so workers should be started with
    ``--nthreads 1`` (one notebook at a time per worker process).

    Raises:
        ZwtError: distributed is not installed, or no scheduler answers at
            ``address`` within ``timeout`` seconds.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ZwtError("--dask-scheduler needs Dask distributed: "
                       "pip install 'zwt-analysis[cluster]' (or 'dask[distributed]')") from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as err:
        raise ZwtError(f"--dask-scheduler {address}: cannot reach the Dask scheduler "
                       f"({type(err).__name__}: {err})") from None
    multi = {w: n for w, n in client.nthreads().items() if n > 1}
    if multi:
        typer.echo(f"zwt: warning: Dask workers with more than one thread ({len(multi)}); "
                   "start them with `dask worker --nthreads 1` so that concurrent notebook "
                   "runs do not share a process", err=True)
    return client


@app.command()
def brief(
    processed: Annotated[Path | None, typer.Option(help="Folder written by `zwt clean` (default data/processed/current).")] = None,
    out: Annotated[Path | None, typer.Option(help="HTML file to write (a folder: <folder>/kwartaalbrief.html; default ./kwartaalbrief.html).")] = None,
    indicators_file: Annotated[Path | None, typer.Option("--indicators", help="Indicator CSV written by `zwt indicators` (default: <processed>/indicators.csv).")] = None,
) -> None:
    """Write the quarterly council brief: one printable A4 page (also part of `zwt report`)."""
    from . import brief as mod

    _run(mod.main, processed=processed, out=out, indicators_file=indicators_file)


@app.command()
def catalogue(
    out: Annotated[Path, typer.Option(help="Markdown file for the indicator catalogue.")] = Path("docs/indicators.md"),
) -> None:
    """Write the indicator catalogue page (docs) from the indicator definitions."""
    from . import catalogue as mod

    _run(mod.main, out=out)


@app.command("audit-disclosure")
def audit_disclosure(
    reports_dir: Annotated[Path, typer.Argument(help="Folder of published tables (the reports folder).")],
) -> None:
    """Check published CSV tables: can a reader recompute a suppressed cell? Exit 1 if so."""
    from .disclosure.folder import audit_folder

    if not reports_dir.is_dir():
        typer.echo(f"zwt: error: not a folder: {reports_dir}", err=True)
        raise typer.Exit(2)
    result = audit_folder(reports_dir)
    for f in result.unprotected:
        typer.echo(f.line())
    for name in result.unknown_tables:
        typer.echo(f"zwt: warning: no disclosure schema, not audited: {name}", err=True)
    for issue in result.issues:
        typer.echo(f"zwt: note: {issue}", err=True)
    typer.echo(f"{result.cells} cells under control, {result.suppressed} suppressed, "
               f"{len(result.unprotected)} unprotected ({len(result.exact)} recomputed exactly)",
               err=True)
    raise typer.Exit(0 if result.ok else 1)


def main() -> None:  # pragma: no cover - entry point helper
    app(prog_name="zwt")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
