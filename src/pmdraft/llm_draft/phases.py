"""Map and reduce: the calls, their cache, and the verification of what each call cites.

Map: each chunk goes to the model in a bounded thread pool; its notes cite short aliases (``E12``),
which are mapped back to event ids and must lie in that chunk. Reduce: the merged, de-duplicated notes
go to one final call, whose citations must lie among the ids the notes cite. When every record fits
in one call, that call writes notes and narrative together (``draft_whole``) and may cite any of them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pmdraft.chunking import Chunk
from pmdraft.config import Settings
from pmdraft.events import Event
from pmdraft.evidence import check_citations
from pmdraft.llm import LLM, AnswerError, RefusalError, RepairsExhaustedError, Usage
from pmdraft.llm_draft.cache import CallCache, call_key
from pmdraft.llm_draft.models import NOTE_SECTIONS, ChunkNotes, DraftText, Note, WholeDraft
from pmdraft.llm_draft.progress import Progress
from pmdraft.llm_draft.prompts import PROMPT_VERSION, draft_messages, map_messages, reduce_messages
from pmdraft.llm_draft.usage import CallRecord, UsageLog
from pmdraft.schema import ReviewFlag

M = TypeVar("M", bound=BaseModel)
_ALIAS = re.compile(r"^\[?\s*E\s*0*(\d+)\s*\]?$", re.I)
_NORMAL = re.compile(r"[^a-z0-9]+")
_LISTS = ("went_well", "went_poorly", "lessons_learned")
_EMPTY_TEXT: dict[str, object] = {n: [] if n in _LISTS else None for n in DraftText.model_fields}
_EMPTY_TEXT["title"] = ""


class Aliases:
    """``E1``, ``E2``, ... for the events in order: short ids a small model copies reliably."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.names = [f"E{i}" for i in range(1, len(events) + 1)]
        self._ids = [e.id for e in events]
        self._alias = {e.id: name for e, name in zip(events, self.names, strict=True)}

    def event_id(self, ref: str) -> str:
        """The event id an alias names; anything else is returned as written (and fails verification)."""
        found = _ALIAS.match(ref.strip())
        if found and 1 <= int(found.group(1)) <= len(self._ids):
            return self._ids[int(found.group(1)) - 1]
        return ref.strip()

    def alias(self, event_id: str) -> str:
        return self._alias.get(event_id, event_id)


@dataclass(slots=True)
class Claim:
    """A note after verification: real event ids only, and what was removed."""

    section: str
    text: str
    ids: list[str]
    dropped: list[tuple[str, str]] = field(default_factory=list)
    status: str | None = None
    type: str | None = None
    agreed: bool = False
    channel: str | None = None
    origin: str = ""


@dataclass
class Run:
    """Everything one draft run shares across its calls."""

    events: Sequence[Event]
    known: Mapping[str, Event]
    aliases: Aliases
    settings: Settings
    llm: LLM
    cache: CallCache
    log: UsageLog = field(default_factory=UsageLog)
    flags: list[ReviewFlag] = field(default_factory=list)

    def call(
        self, name: str, messages: list[dict[str, str]], output: type[M], max_tokens: int | None = None
    ) -> M:
        """One cached call: a stored result for the same model, prompt version and input is reused."""
        max_tokens = max_tokens or self.settings.max_output_tokens
        key = call_key(self.llm.model, PROMPT_VERSION, name.split()[0], output.__name__, max_tokens, messages)
        hit = self.cache.get(key) if self.settings.use_cache else None
        if hit is not None and isinstance(hit.get("error"), str):
            self.log.add(CallRecord(name, Usage(), True, 0, 0.0))
            kind = RefusalError if hit.get("refused") else RepairsExhaustedError
            raise kind(f"{hit['error']} (cached)")
        if hit is not None:
            try:
                value = output.model_validate(hit.get("value"))
            except ValidationError:
                pass
            else:
                self.log.add(CallRecord(name, _usage_of(hit), True, 0, 0.0))
                return value
        started = time.perf_counter()
        try:
            done = self.llm.complete(messages, output, max_tokens=max_tokens, name=name)
        except AnswerError as e:
            # The model's answer for this input is unusable: remember that too, so a rerun with the
            # same input makes no call (PMDRAFT_USE_CACHE=0 or a new prompt version asks again).
            self.log.add(CallRecord(name, e.usage, False, e.requests, time.perf_counter() - started))
            self.cache.put(
                key,
                {
                    "call": name,
                    "model": self.llm.model,
                    "error": str(e),
                    "refused": isinstance(e, RefusalError),
                },
            )
            raise
        record = CallRecord(name, done.usage, False, done.requests, time.perf_counter() - started)
        self.log.add(record)
        self.cache.put(
            key,
            {
                "call": name,
                "model": self.llm.model,
                "prompt_version": PROMPT_VERSION,
                "dialect": done.dialect,
                "usage": {
                    "prompt_tokens": done.usage.prompt_tokens,
                    "completion_tokens": done.usage.completion_tokens,
                },
                "value": done.value.model_dump(mode="json"),
                "raw": done.raw,
            },
        )
        return done.value

    def verify(
        self, refs: Iterable[str], allowed: set[str] | None
    ) -> tuple[list[str], list[tuple[str, str]]]:
        checked = check_citations((self.aliases.event_id(r) for r in refs), self.known, allowed)
        return checked.ids, checked.dropped

    def flag(self, type_: str, message: str, location: str, quote: str | None = None) -> None:
        self.flags.append(
            ReviewFlag.model_validate(
                {
                    "type": type_,
                    "message": message,
                    "category": None,
                    "quote": quote,
                    "evidence": [],
                    "location": location,
                    "suggestion": None,
                }
            )
        )


def _usage_of(hit: Mapping[str, object]) -> Usage:
    used = hit.get("usage")
    if isinstance(used, dict):
        return Usage(int(used.get("prompt_tokens", 0)), int(used.get("completion_tokens", 0)))
    return Usage()


def map_chunks(run: Run, chunks: Sequence[Chunk], progress: Progress) -> list[Claim]:
    """Every chunk's notes, verified against its chunk; chunks the model could not read are flagged.

    While the server's structured-output dialect is unknown, chunks go one at a time in order (a cached
    chunk makes no call): the first call finds the dialect while the others would wait for it anyway,
    and it is always the same call, so runs and recordings are reproducible."""
    results: dict[int, list[Claim]] = {}

    def one(chunk: Chunk) -> list[Claim]:
        name = f"map {chunk.index + 1}/{len(chunks)}"
        messages = map_messages(chunk.text, chunk.index + 1, len(chunks), chunk.day)
        notes = run.call(name, messages, ChunkNotes)
        return _claims_from_notes(run, notes, chunk, name)

    def settle(chunk: Chunk, outcome: Callable[[], list[Claim]]) -> None:
        try:
            results[chunk.index] = outcome()
        except AnswerError as e:
            run.flag(
                "low_confidence",
                f"Part {chunk.index + 1} of the sources was not summarized: {e}",
                f"map {chunk.index + 1}",
            )
            results[chunk.index] = []
        progress.advance()

    rest = list(chunks)
    pool = ThreadPoolExecutor(max_workers=run.settings.max_concurrency, thread_name_prefix="pmdraft-map")
    try:
        while rest and run.llm.dialect is None:
            first = rest.pop(0)
            settle(first, partial(one, first))
        futures: dict[Future[list[Claim]], Chunk] = {pool.submit(one, c): c for c in rest}
        for future in as_completed(futures):
            settle(futures[future], future.result)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        progress.close()
    return [claim for index in sorted(results) for claim in results[index]]


def _claims_from_notes(run: Run, notes: ChunkNotes, chunk: Chunk, origin: str) -> list[Claim]:
    allowed = set(chunk.event_ids)
    claims = []
    for section in NOTE_SECTIONS:
        for note in getattr(notes, section):
            ids, dropped = run.verify(note.events, allowed)
            claim = Claim(section, " ".join(note.text.split()), ids, dropped, origin=origin)
            claim.status = getattr(note, "status", None)
            claim.type = getattr(note, "type", None)
            claim.agreed = bool(getattr(note, "agreed", False))
            claim.channel = getattr(note, "channel", None)
            if claim.text:
                claims.append(claim)
    return claims


def merge_claims(claims: Iterable[Claim]) -> list[Claim]:
    """De-duplicate notes from overlapping chunks: same section and same words, evidence united."""
    merged: dict[tuple[str, str], Claim] = {}
    for claim in claims:
        key = (claim.section, _NORMAL.sub(" ", claim.text.lower()).strip())
        seen = merged.get(key)
        if seen is None:
            merged[key] = Claim(
                claim.section,
                claim.text,
                list(claim.ids),
                list(claim.dropped),
                claim.status,
                claim.type,
                claim.agreed,
                claim.channel,
                claim.origin,
            )
            continue
        seen.ids.extend(i for i in claim.ids if i not in seen.ids)
        seen.dropped.extend(claim.dropped)
        seen.agreed = seen.agreed or claim.agreed
        if claim.status in ("ruled_out", "confirmed"):
            seen.status = claim.status
    return list(merged.values())


def notes_text(run: Run, claims: Sequence[Claim], limit: int = 30) -> str:
    """The merged notes as the reduce call reads them, citing aliases."""
    lines: list[str] = []
    for section in NOTE_SECTIONS:
        items = [c for c in claims if c.section == section and c.ids][:limit]
        if not items:
            continue
        lines.append(f"{section}:")
        for c in items:
            tag = f"({c.status}) " if c.status else ""
            refs = ", ".join(run.aliases.alias(i) for i in c.ids)
            lines.append(f"- {tag}{c.text} [{refs}]")
    return "\n".join(lines) if lines else "(no notes: the records gave nothing to summarize)"


Narrative = dict[str, "Claim | list[Claim] | str"]


def reduce_notes(run: Run, claims: Sequence[Claim]) -> tuple[DraftText, Narrative]:
    """The final call, with every citation checked against the ids the notes cite."""
    allowed = {i for c in claims for i in c.ids}
    try:
        text = run.call("reduce", reduce_messages(notes_text(run, claims)), DraftText)
    except AnswerError as e:
        run.flag("low_confidence", f"The model wrote no narrative: {e}", "reduce")
        text = DraftText.model_validate(_EMPTY_TEXT)
    return text, _narrative(run, text, allowed, "reduce")


def draft_whole(run: Run, chunk: Chunk) -> tuple[list[Claim], Narrative]:
    """One call for notes and narrative when every record fits in it (no reduce, no notes sent back).

    Both parts may cite any record the call was given."""
    allowed = set(chunk.event_ids)
    try:
        messages = draft_messages(chunk.text, chunk.day)
        whole = run.call("draft", messages, WholeDraft, whole_output_tokens(run.settings))
    except AnswerError as e:
        run.flag("low_confidence", f"The model wrote no notes and no narrative: {e}", "draft")
        return [], _narrative(run, DraftText.model_validate(_EMPTY_TEXT), allowed, "draft")
    claims = merge_claims(_claims_from_notes(run, whole.notes, chunk, "draft"))
    return claims, _narrative(run, whole.draft, allowed, "draft")


def whole_output_tokens(settings: Settings) -> int:
    """The single call writes a map call's notes and the reduce call's narrative: room for both."""
    return 2 * settings.max_output_tokens


def _narrative(run: Run, text: DraftText, allowed: set[str], origin: str) -> Narrative:
    out: Narrative = {"title": " ".join(text.title.split())}
    for name in DraftText.model_fields:
        value = getattr(text, name)
        if isinstance(value, Note):
            out[name] = _claim_of(run, name, value, allowed, origin)
        elif isinstance(value, list):
            out[name] = [_claim_of(run, name, v, allowed, origin) for v in value if v.text.strip()]
    return out


def _claim_of(run: Run, section: str, note: Note, allowed: set[str], origin: str) -> Claim:
    ids, dropped = run.verify(note.events, allowed)
    return Claim(section, " ".join(note.text.split()), ids, dropped, origin=origin)


def report_dropped(run: Run, claims: Iterable[Claim], where: Callable[[Claim], str]) -> None:
    """Tell the reviewer which citations were removed and why."""
    for claim in claims:
        for ref, reason in claim.dropped:
            run.flag(
                "unsupported_claim", f"Removed citation '{ref}': {reason}.", where(claim), claim.text[:300]
            )
