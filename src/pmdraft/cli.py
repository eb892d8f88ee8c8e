"""The command line: thin commands that parse options, call one stage function, and print."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from pmdraft import __version__
from pmdraft.errors import ConfigError, PmdraftError
from pmdraft.ingest import Ingested, LoadOptions, ingest

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns every PmdraftError into one ``Error: ...`` line and its exit code, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PmdraftError as e:
            if os.environ.get("PMDRAFT_DEBUG"):
                raise
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="pmdraft")
def main() -> None:
    """Turn incident exports (chat, alerts, tickets) into a blameless post-mortem draft."""


def parse_zone(value: str | None) -> tzinfo | None:
    if not value:
        return None
    if value.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"Unknown timezone '{value}'. Use an IANA name such as Europe/Berlin.") from None


def parse_when(value: str | None, zone: tzinfo | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} '{value}' is not an ISO date or time (2024-03-05T14:00).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return moment.astimezone(UTC)


def input_options(func: F) -> F:
    """Options every command that reads exports shares."""

    @click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option(
        "--tz",
        "tz",
        help="Zone for times the sources write without one, and for display (default UTC).",
    )
    @click.option("--date", "log_date", help="Day (YYYY-MM-DD) for chat logs with clock times only.")
    @click.option("--channel", help="Slack export: read only this channel.")
    @click.option(
        "--input-format", "input_format", help="Skip format detection and read every input as this."
    )
    @click.option("--verbose", "-v", is_flag=True, help="Report items that were skipped, and why.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def llm_options(func: F) -> F:
    """Options of the LLM path. They arrive as keyword arguments named like Settings fields; unset
    ones fall back to PMDRAFT_* / OPENAI_* variables and the config file (see config.py)."""

    @click.option("--model", help="Model name; enables the LLM path (env PMDRAFT_MODEL).")
    @click.option("--base-url", "base_url", help="OpenAI-compatible endpoint URL (env OPENAI_BASE_URL).")
    @click.option("--max-concurrency", "max_concurrency", type=click.IntRange(1, 64), help="Parallel calls.")
    @click.option(
        "--scope",
        type=click.Choice(["incident", "all"]),
        help="Records the model is given: those around the incident the offline rules find (default), "
        "or all (env PMDRAFT_SCOPE).",
    )
    @click.option("--dry-run", "dry_run", is_flag=True, help="Print chunks and token estimates only.")
    @click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def load_from_options(
    inputs: tuple[Path, ...],
    tz: str | None,
    log_date: str | None,
    channel: str | None,
    input_format: str | None,
    verbose: bool,
) -> Ingested:
    zone = parse_zone(tz)
    day: date | None = None
    if log_date:
        try:
            day = date.fromisoformat(log_date)
        except ValueError:
            raise ConfigError(f"--date '{log_date}' is not a date (YYYY-MM-DD).") from None
    ingested = ingest(list(inputs), LoadOptions(tz=zone, date=day, channel=channel), input_format)
    if verbose:
        for item in ingested.skipped:
            click.echo(f"skipped: {item.where}: {item.reason}", err=True)
        for note in ingested.assumptions:
            click.echo(f"assumed: {note}", err=True)
    return ingested


@main.command()
@input_options
@click.option("--since", help="Only events at or after this ISO time.")
@click.option("--until", help="Only events at or before this ISO time.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["md", "json", "jsonl"]),
    default="md",
    show_default=True,
)
@click.option("--include-noise", is_flag=True, help="Keep joins, leaves and other channel noise.")
def timeline(
    inputs: tuple[Path, ...],
    tz: str | None,
    log_date: str | None,
    channel: str | None,
    input_format: str | None,
    verbose: bool,
    since: str | None,
    until: str | None,
    out_format: str,
    include_noise: bool,
) -> None:
    """Merge INPUTS into one sorted, de-duplicated timeline."""
    from pmdraft.render.timeline import render_timeline

    ingested = load_from_options(inputs, tz, log_date, channel, input_format, verbose)
    zone = parse_zone(tz) or UTC
    start = parse_when(since, zone, "--since")
    end = parse_when(until, zone, "--until")
    events = [
        e
        for e in ingested.events
        if (include_noise or not e.noise)
        and (start is None or e.time >= start)
        and (end is None or e.time <= end)
    ]
    click.echo(render_timeline(events, out_format, zone), nl=False)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the post-mortem draft (the JSON output's contract)."""
    import json

    from pmdraft.schema import postmortem_json_schema

    click.echo(json.dumps(postmortem_json_schema(), indent=2))


@main.command()
@input_options
def inspect(
    inputs: tuple[Path, ...],
    tz: str | None,
    log_date: str | None,
    channel: str | None,
    input_format: str | None,
    verbose: bool,
) -> None:
    """Report, per input: detected format, events by kind, time range, assumptions, skipped items."""
    from pmdraft.render.inspect import render_inspection

    ingested = load_from_options(inputs, tz, log_date, channel, input_format, verbose=False)
    click.echo(render_inspection(ingested.results, parse_zone(tz) or UTC), nl=False)


@main.command("eval")
@click.argument("cases", nargs=-1)
@click.option("--offline", is_flag=True, help="Draft with the offline rules (no model).")
@click.option("--model", help="Draft with this model (endpoint and key from the usual settings).")
@click.option("--out", type=click.Path(path_type=Path), help="Write the results JSON here.")
@click.option(
    "--compare",
    nargs=2,
    type=click.Path(path_type=Path),
    metavar="A B",
    help="Print the deltas between two results files instead of running.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def eval_command(
    cases: tuple[str, ...],
    offline: bool,
    model: str | None,
    out: Path | None,
    compare: tuple[Path, Path] | None,
    quiet: bool,
) -> None:
    """Score drafts of the eval CASES (default: all under evals/cases) against their answer keys.

    Exits 1 when a hard threshold in evals/config.toml fails.
    """
    from pmdraft.evals import Case, load_results, save_results
    from pmdraft.evals.report import compare_results, render_table
    from pmdraft.evals.session import start_session

    if compare:
        if cases or offline or model or out:
            raise ConfigError("--compare takes two results files and no other options.")
        a, b = compare
        click.echo(compare_results(load_results(a), load_results(b), str(a), str(b)), nl=False)
        return
    if offline and model:
        raise ConfigError("Use either --offline or --model, not both.")
    session = start_session(cases, offline=offline, model=model)

    def shown(case: Case | None) -> str | None:
        return case.name if case else None

    if quiet:
        results = session.run()
    else:
        with click.progressbar(
            length=len(session.cases), label="eval", file=sys.stderr, item_show_func=shown
        ) as bar:
            results = session.run(on_case=lambda case: bar.update(1, case))
    if out is not None:
        save_results(results, out)
    click.echo(render_table(results), nl=False)
    if not results.passed:
        sys.exit(1)


@main.command()
@input_options
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the draft to this file.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["md", "json", "html"]),
    help="Output format (default: from the -o suffix, else md); html is a self-contained review page.",
)
@click.option("--offline", is_flag=True, help="Use pmdraft's offline rules even when a model is configured.")
@click.option("--force", is_flag=True, help="Overwrite the -o file even if a person edited it.")
@click.option(
    "--template",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Your own Jinja2 Markdown template (docs/templates.md).",
)
@click.option("--open", "open_after", is_flag=True, help="Open the written -o file (HTML in the browser).")
@click.option(
    "--no-redact", "no_redact", is_flag=True, help="Do not replace secrets and personal data (not advised)."
)
@click.option("--redact-names", is_flag=True, help="Also replace participants' names with [PERSON_n].")
@click.option("--redact-ips", is_flag=True, help="Also replace IP addresses.")
@click.option(
    "--restore",
    is_flag=True,
    help="Put redacted values back into the written draft (a local copy; never sent anywhere).",
)
@click.option(
    "--exchange",
    type=click.Path(path_type=Path, file_okay=False),
    help="No server: write each prompt to this folder and read the answers pasted there (docs/exchange.md).",
)
@llm_options
def draft(
    inputs: tuple[Path, ...],
    tz: str | None,
    log_date: str | None,
    channel: str | None,
    input_format: str | None,
    verbose: bool,
    output: Path | None,
    out_format: str | None,
    offline: bool,
    force: bool,
    template: Path | None,
    open_after: bool,
    no_redact: bool,
    redact_names: bool,
    redact_ips: bool,
    restore: bool,
    exchange: Path | None,
    **llm_flags: Any,
) -> None:
    """Draft a blameless post-mortem from INPUTS, every claim citing its source events.

    Secrets and personal data are replaced by typed placeholders before drafting (see
    docs/redaction.md); the placeholder map is kept in the cache folder, readable by you only.
    """
    from pmdraft.config import load_settings
    from pmdraft.pipeline import draft_postmortem
    from pmdraft.render.output import (
        check_draft_options,
        draft_format,
        open_written,
        render_draft,
        restore_map,
    )
    from pmdraft.render.write import check_output, write_output

    settings = load_settings({k: None if v is False else v for k, v in llm_flags.items()})
    fmt = draft_format(output, out_format)
    check_draft_options(fmt, template, open_after, output)
    if output is not None and not settings.dry_run:
        check_output(output, fmt, force=force)
    if restore and no_redact:
        raise ConfigError("--restore puts redacted values back; with --no-redact nothing was redacted.")
    ingested = load_from_options(inputs, tz, log_date, channel, input_format, verbose)
    redactor = None
    if not no_redact:
        from pmdraft.pipeline import people_in
        from pmdraft.redact import RedactOptions, Redactor

        options = RedactOptions(ips=redact_ips, names=redact_names)
        redactor = Redactor(options, people=sorted(people_in(ingested.events)))
    if settings.dry_run:
        from pmdraft.ingest import Ingested
        from pmdraft.llm_draft import plan_llm_draft, render_plan
        from pmdraft.pipeline import model_input

        if redactor is not None:
            ingested = Ingested(redactor.redact_events(ingested.events), ingested.results)
        sent, flags = model_input(ingested, None, settings)
        for flag in flags:
            click.echo(f"{flag.message}\n", nl=False)
        click.echo(render_plan(plan_llm_draft(sent, settings), settings), nl=False)
        return
    if exchange is not None:
        from pmdraft.llm_draft.exchange import PromptsWaiting, draft_through_exchange

        try:
            pm = draft_through_exchange(
                exchange,
                ingested,
                settings,
                display_tz=parse_zone(tz) or UTC,
                offline=offline,
                redact=not no_redact,
                redactor=redactor,
            )
        except PromptsWaiting as waiting:
            click.echo(str(waiting), err=True)
            return
    else:
        pm = draft_postmortem(
            ingested,
            display_tz=parse_zone(tz) or UTC,
            offline=offline,
            settings=settings,
            redact=not no_redact,
            redactor=redactor,
        )
    text = render_draft(pm, fmt, ingested.events, template)
    if redactor is not None and redactor.map.by_value:
        map_path = settings.cache_dir / "redaction" / f"{pm.incident_id}.json"
        redactor.map.save(map_path)
        if restore:
            from pmdraft.redact import restore as restore_values

            text = restore_values(text, restore_map(fmt, redactor.map.values()))
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text, fmt, force=force)
    click.echo(f"wrote {output}", err=True)
    if open_after and not open_written(output, fmt):
        click.echo(f"could not open {output}; open it yourself", err=True)


@main.command()
@click.argument("postmortems", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format", "out_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Also require 'Where we got lucky' and 'Lessons learned'.")
def lint(postmortems: tuple[Path, ...], out_format: str, strict: bool) -> None:
    """Check POSTMORTEMS (Markdown): blame-oriented language, missing or empty sections, action items
    without owner or due date, no timezone stated.

    Exits 1 when there are findings (for CI and pre-commit), 0 when clean, 2 when a file is unreadable.
    JSON is one object per file (a list when several files are given).
    """
    from pmdraft.lint import lint_path, render_lint

    results = [(str(path), lint_path(path, strict=strict)) for path in postmortems]
    click.echo(render_lint(results, out_format), nl=False)
    if any(findings for _, findings in results):
        sys.exit(1)


@main.command("blame-eval")
@click.argument("corpus", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--show-errors", is_flag=True, help="Also list every sentence the detector got wrong.")
def blame_eval_command(corpus: Path | None, show_errors: bool) -> None:
    """Precision and recall of the blame detector on a labelled CORPUS (JSONL).

    CORPUS defaults to evals/blame/corpus.jsonl of the pmdraft checkout. Exits 1 when the overall goal
    (precision >= 0.9, recall >= 0.85) is missed.
    """
    from pmdraft.blame_eval import default_corpus, evaluate, format_report, load_corpus

    report = evaluate(load_corpus(corpus or default_corpus()))
    click.echo(format_report(report, show_errors=show_errors), nl=False)
    if not report.meets_goal():
        sys.exit(1)


@main.command("export-actions")
@click.argument("draft_file", metavar="DRAFT.json", type=click.Path(path_type=Path))
@click.option(
    "--to", "target", required=True, type=click.Choice(["jira-csv", "github-json"]), help="Tracker format."
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file, not stdout.")
@click.option("--force", is_flag=True, help="Overwrite the -o file even if a person edited it.")
def export_actions_command(draft_file: Path, target: str, output: Path | None, force: bool) -> None:
    """Action items of a JSON draft (pmdraft draft ... -o DRAFT.json) in a format trackers import:
    Jira's CSV importer or GitHub issue JSON. Owners and due dates only as the sources state them."""
    from pmdraft.errors import OutputError
    from pmdraft.render.actions import export_actions
    from pmdraft.render.json_out import read_draft
    from pmdraft.render.write import check_output, write_output

    if output is not None:
        if output.exists() and draft_file.exists() and output.samefile(draft_file):
            raise OutputError(f"{output}: is the draft itself; pass another -o file")
        check_output(output, target, force=force)
    text = export_actions(read_draft(draft_file), target)
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text, target, force=force)
    click.echo(f"wrote {output}", err=True)
