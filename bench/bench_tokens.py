"""Prompt tokens the LLM path sends, against the naive single prompt holding the whole transcript.

    python bench/bench_tokens.py [--json] [CASE ...]      # default: every case under evals/cases

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
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
ENCODING = "o200k_base"
#: Planned as for this model (o200k_base, 128k context): the default chunk size applies.
MODEL = "gpt-4o-mini"
FIXTURE_CASES = ("db-hotspot", "flag-outage")
_STATUS = {"wrong": "ruled_out", "right": "confirmed", "open": "raised"}


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


def measure_case(case: Any) -> CaseTokens:
    """Count one case as ``pmdraft draft`` (redaction on, LLM path) would send it."""
    from pmdraft.config import Settings
    from pmdraft.evals.run import case_zone
    from pmdraft.ingest import Ingested, LoadOptions, ingest
    from pmdraft.llm_draft import plan_llm_draft
    from pmdraft.llm_draft.models import ChunkNotes, DraftText
    from pmdraft.llm_draft.phases import notes_text
    from pmdraft.llm_draft.prompts import reduce_messages
    from pmdraft.pipeline import events_for_model, people_in
    from pmdraft.redact import Redactor

    ingested = ingest(list(case.inputs), LoadOptions(tz=case_zone(case), date=case.date))
    redactor = Redactor(people=sorted(people_in(ingested.events)))
    ingested = Ingested(redactor.redact_events(ingested.events), ingested.results)
    plan = plan_llm_draft(events_for_model(ingested), Settings(model=MODEL))
    sent = {i for c in plan.chunks for i in c.event_ids}
    by_id = {e.id: e for e in ingested.events}

    claims = _oracle_claims(case.key, sent)
    notes = notes_text(cast(Any, SimpleNamespace(aliases=plan.aliases)), claims)
    per_message = 4
    reduce_text = sum(_tok(m["content"]) + per_message for m in reduce_messages(notes))
    notes_tokens = _tok(notes)
    map_schema, reduce_schema = _schema_tokens(ChunkNotes), _schema_tokens(DraftText)
    map_total = sum(plan.map_prompt_tokens)
    event_lines = sum(c.tokens for c in plan.chunks)
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
    args = parser.parse_args(argv)
    rows = measure(args.cases)
    if args.json:
        print(json.dumps([asdict(r) for r in rows]))
    else:
        print(profile(rows))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
