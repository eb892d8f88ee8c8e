"""Prompt tokens the LLM path sends, against the naive single prompt holding the whole transcript.

    python bench/bench_tokens.py [--json] [CASE ...]      # default: every case under evals/cases
    python bench/bench_tokens.py [--json] --bundle PATH ... # a bench/synth.py bundle (bench/run.py)

For each eval case (``db-hotspot`` and ``flag-outage`` are the two fixtures), the inputs are ingested
and redacted exactly as ``pmdraft draft`` does, then counted with one tokenizer (o200k_base):

- **naive**: the system prompt plus the whole transcript, one line per event (every event, noise
  included) as ``YYYY-MM-DD HH:MM:SS actor: text``: what pasting the channel into a chat model sends;
- **pmdraft**: every map call's messages as ``pmdraft draft --dry-run`` plans them, plus the reduce
  call, plus each call's JSON Schema (``response_format`` counts as prompt on OpenAI's API and is
  written into the prompt on servers without structured output). The reduce call carries the merged
  notes of the map calls, which depend on the model: here they are the notes a model that found
  exactly the answer key would write (its key events, detection, hypotheses and action items, each
  citing the key's evidence that was sent), rendered by the LLM path's own ``notes_text``.

"raw" is the token count of the input files as they are on disk (JSON and logs), for scale.

Content kept: the share of answer-key items (key events, hypotheses, action items) with at least one
evidence event in what pmdraft sends. Dropping events to save tokens must not drop what the key cites.

``--bundle``: a large export (the synthetic workspace ``bench/run.py`` generates) has no answer key,
so the reduce call's notes are bounded instead: at their maximum count (``notes_text`` keeps 30 items
in each of the 7 note sections) x the mean tokens of a line of the eval cases' oracle notes, each
citation written as the plan's longest alias; the reduce call's fixed part is the plan's own
``reduce_overhead_tokens``. Counted twice: as planned by default (scoped to the incident the offline
rules find, ``pmdraft.scope``) and with ``scope="all"``; against the naive prompt of every record.
What is kept: the records sent and, per incident episode channel (``inc-N-synthetic``), its records
sent against its records in the bundle.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal, cast

ROOT = Path(__file__).resolve().parents[1]
ENCODING = "o200k_base"
#: Planned as for this model (o200k_base, 128k context): the default chunk size applies.
MODEL = "gpt-4o-mini"
FIXTURE_CASES = ("db-hotspot", "flag-outage")
Scope = Literal["incident", "all"]
_STATUS = {"wrong": "ruled_out", "right": "confirmed", "open": "raised"}
#: The synthetic bundle's incident episodes each talk in their own channel (``bench/synth.py``, ``_episode``).
EPISODE_CHANNEL = re.compile(r"inc-\d+-synthetic")


@dataclass
class CaseTokens:
    """One case's counts; the profile fields say where pmdraft's tokens go."""

    name: str
    events: int
    events_sent: int
    raw: int
    naive: int
    pmdraft: int
    map_calls: int
    #: pmdraft's parts: event lines (prefix + body), bodies alone, per-call prompt text, schemas, notes.
    event_lines: int
    bodies: int
    prompt_text: int
    schemas: int
    notes: int
    naive_bodies: int
    key_items: int
    key_items_sent: int


def _tok(text: str) -> int:
    from pmdraft.tokens import count_tokens, get_encoding

    return count_tokens(text, get_encoding(ENCODING))


def naive_prompt(events: Sequence[Any]) -> str:
    """System prompt + one line per event with time, actor and text: the baseline."""
    from pmdraft.llm_draft.prompts import load_prompt

    lines = [f"{e.time:%Y-%m-%d %H:%M:%S} {e.actor.name}: {' '.join(e.text.split())}" for e in events]
    return load_prompt("system").strip() + "\n\n" + "\n".join(lines)


def _raw_tokens(inputs: Sequence[Path]) -> int:
    total = 0
    for path in inputs:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        total += sum(_tok(f.read_text(encoding="utf-8", errors="replace")) for f in files)
    return total


def _schema_tokens(model: type[Any]) -> int:
    from pmdraft.llm import response_schema

    return _tok(json.dumps(response_schema(model), separators=(",", ":")))


def _oracle_claims(key: Any, sent: set[str]) -> list[Any]:
    """The answer key as map notes: what a model that found everything would pass to reduce."""
    from pmdraft.llm_draft.phases import Claim

    claims = []
    if key.detection.signal:
        claims.append(
            Claim("detection", key.detection.signal, [i for i in key.detection.evidence if i in sent])
        )
    for item in key.key_events:
        claims.append(Claim("key_events", item.what, [i for i in item.evidence if i in sent]))
    for hyp in key.hypotheses:
        claims.append(
            Claim("hypotheses", hyp.text, [i for i in hyp.evidence if i in sent], status=_STATUS[hyp.status])
        )
    for action in key.action_items:
        claims.append(Claim("action_items", action.text, [i for i in action.evidence if i in sent]))
    return claims


def _redacted(inputs: Sequence[Path], options: Any) -> Any:
    """The inputs ingested and redacted as ``pmdraft draft`` does (redaction on by default)."""
    from pmdraft.ingest import Ingested, ingest
    from pmdraft.pipeline import people_in
    from pmdraft.redact import Redactor

    ingested = ingest(list(inputs), options)
    redactor = Redactor(people=sorted(people_in(ingested.events)))
    return Ingested(redactor.redact_events(ingested.events), ingested.results)


def _plan(ingested: Any, scope: Scope = "incident") -> tuple[list[Any], Any]:
    """What ``pmdraft draft --dry-run`` plans: the records ``model_input`` picks, and their chunks."""
    from pmdraft.config import Settings
    from pmdraft.llm_draft import plan_llm_draft
    from pmdraft.pipeline import model_input

    settings = Settings(model=MODEL, scope=scope)
    given = model_input(ingested, None, settings)[0]
    return given, plan_llm_draft(given, settings)


def _case_plan(case: Any) -> tuple[Any, Any]:
    from pmdraft.evals.run import case_zone
    from pmdraft.ingest import LoadOptions

    ingested = _redacted(case.inputs, LoadOptions(tz=case_zone(case), date=case.date))
    return ingested, _plan(ingested)[1]


def measure_case(case: Any) -> CaseTokens:
    """Count one case as ``pmdraft draft`` (redaction on, LLM path) would send it."""
    from pmdraft.llm_draft.models import ChunkNotes, DraftText, WholeDraft
    from pmdraft.llm_draft.phases import notes_text
    from pmdraft.llm_draft.prompts import reduce_messages

    ingested, plan = _case_plan(case)
    sent = {i for c in plan.chunks for i in c.event_ids}
    by_id = {e.id: e for e in ingested.events}

    map_total = sum(plan.map_prompt_tokens)
    event_lines = sum(c.tokens for c in plan.chunks)
    if plan.single:
        # One call holds every record and writes notes and narrative: no reduce call, no notes sent.
        reduce_text = notes_tokens = reduce_schema = 0
        map_schema = _schema_tokens(WholeDraft)
    else:
        claims = _oracle_claims(case.key, sent)
        notes = notes_text(cast(Any, SimpleNamespace(aliases=plan.aliases)), claims)
        per_message = 4
        reduce_text = sum(_tok(m["content"]) + per_message for m in reduce_messages(notes))
        notes_tokens = _tok(notes)
        map_schema, reduce_schema = _schema_tokens(ChunkNotes), _schema_tokens(DraftText)
    items = [*case.key.key_events, *case.key.hypotheses, *case.key.action_items]
    items = [i for i in items if i.evidence]
    return CaseTokens(
        name=case.name,
        events=len(ingested.events),
        events_sent=len(sent),
        raw=_raw_tokens(case.inputs),
        naive=_tok(naive_prompt(ingested.events)),
        pmdraft=map_total + len(plan.chunks) * map_schema + reduce_text + reduce_schema,
        map_calls=len(plan.chunks),
        event_lines=event_lines,
        bodies=sum(_tok(" ".join(by_id[i].text.split())) for i in sent),
        prompt_text=map_total - event_lines + reduce_text - notes_tokens,
        schemas=len(plan.chunks) * map_schema + reduce_schema,
        notes=notes_tokens,
        naive_bodies=sum(_tok(" ".join(e.text.split())) for e in ingested.events),
        key_items=len(items),
        key_items_sent=sum(any(i in sent for i in item.evidence) for item in items),
    )


def measure(names: Sequence[str] = ()) -> list[CaseTokens]:
    from pmdraft.evals.cases import select_cases

    return [measure_case(case) for case in select_cases(list(names), ROOT)]


@dataclass
class PlanTokens:
    """One plan of the synthetic bundle: what it sends and its prompt tokens."""

    scope: str
    records: int
    map_calls: int
    single: bool
    #: Every call's messages and JSON Schema; the reduce call with its notes at their bound (below).
    pmdraft: int
    #: The reduce call: its fixed part as the plan estimates it (``reduce_overhead_tokens``) + ``notes``.
    reduce: int
    #: The reduce call's notes at their maximum size: ``sections`` x ``notes_limit`` lines of
    #: ``note_line`` tokens (section headings included); 0 for a single call.
    notes: int
    note_line: float
    #: Episode channel -> [its records sent, its records in the model input before compaction, in the bundle].
    channels: dict[str, list[int]]


@dataclass
class BundleTokens:
    """The synthetic workspace bundle: the naive prompt of all its records against two plans."""

    events: int
    naive: int
    sections: int
    notes_limit: int
    scoped: PlanTokens
    wide: PlanTokens


def _oracle_notes() -> list[list[Any]]:
    """Each eval case's answer key as map notes (``_oracle_claims``), citing what the case sends."""
    from pmdraft.evals.cases import select_cases

    notes = []
    for case in select_cases([], ROOT):
        _, plan = _case_plan(case)
        notes.append(_oracle_claims(case.key, {i for c in plan.chunks for i in c.event_ids}))
    return notes


def note_line_tokens(oracle: Sequence[Sequence[Any]], alias: str) -> float:
    """Mean tokens of a line of the eval cases' oracle notes (newline included), rendered by the LLM
    path's ``notes_text`` with every citation written as ``alias``: a plan's longest alias, so a
    bundle's five- or six-digit aliases are not counted at the size of a case's two-digit ones."""
    from pmdraft.llm_draft.phases import notes_text

    run = SimpleNamespace(aliases=SimpleNamespace(alias=lambda _event_id: alias))
    sizes = [
        _tok(line) + 1
        for claims in oracle
        for line in notes_text(cast(Any, run), list(claims)).splitlines()
        if line.startswith("- ")
    ]
    return sum(sizes) / len(sizes)


def notes_limits() -> tuple[int, int]:
    """The note sections and ``notes_text``'s cap on items per section: the notes' maximum length."""
    from pmdraft.llm_draft.models import NOTE_SECTIONS
    from pmdraft.llm_draft.phases import notes_text

    limit = inspect.signature(notes_text).parameters["limit"].default
    return len(NOTE_SECTIONS), int(limit)


def _plan_tokens(ingested: Any, scope: Scope, oracle: Sequence[Sequence[Any]]) -> PlanTokens:
    from pmdraft.llm_draft.models import NOTE_SECTIONS, ChunkNotes, WholeDraft

    given_events, plan = _plan(ingested, scope)
    given = {e.id for e in given_events}
    sent = {i for c in plan.chunks for i in c.event_ids}
    line, notes, reduce = 0.0, 0, 0
    if plan.single:
        schemas = _schema_tokens(WholeDraft)
    else:
        schemas = len(plan.chunks) * _schema_tokens(ChunkNotes)
        # The notes depend on the model: bounded by their maximum length, see ``note_line_tokens``.
        line = note_line_tokens(oracle, plan.aliases.names[-1])
        sections, limit = notes_limits()
        headings = sum(_tok(f"{section}:") + 1 for section in NOTE_SECTIONS)
        notes = headings + math.ceil(sections * limit * line)
        reduce = plan.reduce_overhead_tokens + notes
    channels: dict[str, list[int]] = {}
    for e in ingested.events:
        channel = e.attrs.get("channel", "")
        if EPISODE_CHANNEL.fullmatch(channel):
            counts = channels.setdefault(channel, [0, 0, 0])
            counts[0] += e.id in sent
            counts[1] += e.id in given
            counts[2] += 1
    return PlanTokens(
        scope=scope,
        records=len(sent),
        map_calls=len(plan.chunks),
        single=plan.single,
        pmdraft=sum(plan.map_prompt_tokens) + schemas + reduce,
        reduce=reduce,
        notes=notes,
        note_line=line,
        channels=dict(sorted(channels.items())),
    )


def measure_bundle(inputs: Sequence[Path]) -> BundleTokens:
    """The bundle as ``pmdraft draft --dry-run`` would plan it, scoped (the default) and with
    ``--scope all``, against the naive prompt of every record in it."""
    from pmdraft.ingest import LoadOptions

    ingested = _redacted(inputs, LoadOptions())
    oracle = _oracle_notes()
    sections, limit = notes_limits()
    return BundleTokens(
        events=len(ingested.events),
        naive=_tok(naive_prompt(ingested.events)),
        sections=sections,
        notes_limit=limit,
        scoped=_plan_tokens(ingested, "incident", oracle),
        wide=_plan_tokens(ingested, "all", oracle),
    )


def bundle_report(b: BundleTokens) -> str:
    """The bundle's figures as text (``--bundle`` without ``--json``)."""
    lines = [f"naive prompt: {b.naive:,} tokens, {b.events:,} records"]
    for p in (b.scoped, b.wide):
        calls = "1 call" if p.single else f"{p.map_calls} map calls + reduce"
        lines.append(
            f"scope {p.scope}: {p.pmdraft:,} tokens ({p.pmdraft / b.naive:.3f}), {calls}, "
            f"{p.records:,} records; reduce {p.reduce:,} (notes bound {b.sections} x {b.notes_limit} x "
            f"{p.note_line:.1f} tokens = {p.notes:,}); episode channels sent/total: "
            + ", ".join(f"#{c} {n[0]}/{n[2]}" for c, n in p.channels.items())
        )
    return "\n".join(lines)


def profile(rows: Sequence[CaseTokens]) -> str:
    """Where the tokens go, per case and in total (the note the README keeps when the goal is missed)."""
    head = (
        "| case | events (sent) | raw | naive | pmdraft | ratio | event lines | of which bodies | "
        "prompt text | schemas | notes | key items sent |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in [*rows, _total(rows)]:
        mark = " (fixture)" if r.name in FIXTURE_CASES else ""
        lines.append(
            f"| {r.name}{mark} | {r.events} ({r.events_sent}) | {r.raw:,} | {r.naive:,} | {r.pmdraft:,} | "
            f"{r.pmdraft / r.naive:.2f} | {r.event_lines:,} | {r.bodies:,} | {r.prompt_text:,} | "
            f"{r.schemas:,} | {r.notes:,} | {r.key_items_sent}/{r.key_items} |"
        )
    return "\n".join(lines)


def _total(rows: Sequence[CaseTokens]) -> CaseTokens:
    sums = {k: sum(getattr(r, k) for r in rows) for k in asdict(rows[0]) if k != "name"}
    return CaseTokens(name="**total**", **sums)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="Eval case names (default: all).")
    parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")
    parser.add_argument(
        "--bundle", nargs="+", type=Path, metavar="PATH", help="Measure these inputs (a synth.py bundle)."
    )
    args = parser.parse_args(argv)
    if args.bundle:
        bundle = measure_bundle(args.bundle)
        print(json.dumps(asdict(bundle)) if args.json else bundle_report(bundle))
        return 0
    rows = measure(args.cases)
    if args.json:
        print(json.dumps([asdict(r) for r in rows]))
    else:
        print(profile(rows))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
