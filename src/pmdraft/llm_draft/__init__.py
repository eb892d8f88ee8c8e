"""The LLM drafting path: chunk, map (bounded pool), merge, reduce, assemble, verify; or, when every
record fits in one call, that one call for notes and narrative, then assemble and verify.

``draft_with_llm`` takes the events to send. Redaction, when enabled, happens before this boundary:
whatever is passed here may leave the machine.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

import httpx2
import tiktoken
from pydantic import BaseModel

from pmdraft.chunking import Chunk, chunk_budget, chunk_events, context_window
from pmdraft.config import Settings
from pmdraft.errors import ConfigError
from pmdraft.events import Event
from pmdraft.evidence import verify_draft
from pmdraft.llm import DIALECTS, LLM, make_client, response_schema
from pmdraft.llm_draft.assemble import assemble, skeleton
from pmdraft.llm_draft.cache import CallCache
from pmdraft.llm_draft.compact import compact_events
from pmdraft.llm_draft.models import ChunkNotes, DraftText, WholeDraft
from pmdraft.llm_draft.phases import (
    Aliases,
    Claim,
    Run,
    draft_whole,
    map_chunks,
    merge_claims,
    reduce_notes,
    report_dropped,
    whole_output_tokens,
)
from pmdraft.llm_draft.progress import Progress
from pmdraft.llm_draft.prompts import PROMPT_VERSION, draft_messages, map_messages, reduce_messages
from pmdraft.llm_draft.usage import UsageLog
from pmdraft.schema import PostMortem
from pmdraft.tokens import count_tokens, encoding_name_for_model, get_encoding, tiktoken_knows

__all__ = [
    "PROMPT_VERSION",
    "DraftPlan",
    "LLMDraft",
    "connect",
    "draft_with_llm",
    "plan_llm_draft",
    "render_plan",
    "run_llm_draft",
    "whole_output_tokens",
]

#: Share of the context window used when the model's tokenizer is not the one counted with.
_FOREIGN_TOKENIZER_MARGIN = 0.8
#: Tokens a chat message costs beyond its text (role and separators), as OpenAI counts them.
_PER_MESSAGE = 4


@dataclass(frozen=True)
class DraftPlan:
    """What an LLM draft would send: the chunks and each map call's estimated prompt tokens."""

    chunks: list[Chunk]
    map_prompt_tokens: list[int]
    reduce_overhead_tokens: int
    encoding: str
    budget: int
    aliases: Aliases
    #: One call writes notes and narrative (``chunks`` has one chunk; no reduce call).
    single: bool = False


@dataclass(frozen=True)
class LLMDraft:
    postmortem: PostMortem
    usage: UsageLog
    plan: DraftPlan


def _encoding(settings: Settings) -> tiktoken.Encoding:
    return get_encoding(settings.encoding or encoding_name_for_model(settings.model))


def _prompt_tokens(messages: Sequence[dict[str, str]], enc: tiktoken.Encoding) -> int:
    return sum(count_tokens(m["content"], enc) + _PER_MESSAGE for m in messages)


def _overhead(messages: Sequence[dict[str, str]], output: type[BaseModel], enc: tiktoken.Encoding) -> int:
    """A call's prompt tokens besides the records: its messages and the JSON Schema of its answer."""
    return _prompt_tokens(messages, enc) + count_tokens(str(response_schema(output)), enc)


def plan_llm_draft(events: Sequence[Event], settings: Settings) -> DraftPlan:
    """Chunk the events for the configured model; calls nothing (this is what --dry-run prints).

    Repeated alert deliveries and bots' re-posts are left out and texts compacted first
    (``compact_events``); the aliases number the events that are sent. When every record fits in one
    call with room for notes and narrative (``single_call``), the plan is that one call: no reduce
    prompt, second schema or notes to pay for."""
    enc = _encoding(settings)

    def count(text: str) -> int:
        return count_tokens(text, enc)

    context = context_window(settings.model, settings.context_tokens)
    if not tiktoken_knows(settings.model):
        # Counted with an OpenAI encoding, another model's text may take more tokens: keep a margin.
        context = int(context * _FOREIGN_TOKENIZER_MARGIN)
    sent = compact_events(events)
    aliases = Aliases(sent)
    overlap = settings.chunk_overlap_events
    if settings.single_call:
        overhead = _overhead(draft_messages("", "2000-01-01"), WholeDraft, enc)
        try:
            budget = chunk_budget(context, overhead, whole_output_tokens(settings), settings.chunk_tokens)
        except ConfigError:
            budget = 0  # the window is too small for one call: map + reduce may still fit
        chunks = chunk_events(sent, aliases.names, budget, count, overlap) if budget else []
        if len(chunks) == 1:
            tokens = [_prompt_tokens(draft_messages(chunks[0].text, chunks[0].day), enc)]
            return DraftPlan(chunks, tokens, 0, enc.name, budget, aliases, single=True)
    overhead = _overhead(map_messages("", 99, 99, "2000-01-01"), ChunkNotes, enc)
    budget = chunk_budget(context, overhead, settings.max_output_tokens, settings.chunk_tokens)
    chunks = chunk_events(sent, aliases.names, budget, count, overlap)
    tokens = [_prompt_tokens(map_messages(c.text, c.index + 1, len(chunks), c.day), enc) for c in chunks]
    reduce_overhead = _overhead(reduce_messages(""), DraftText, enc)
    return DraftPlan(chunks, tokens, reduce_overhead, enc.name, budget, aliases)


def render_plan(plan: DraftPlan, settings: Settings) -> str:
    """The dry-run report: every chunk with its events, and the estimated prompt tokens."""
    lines = [
        f"model: {settings.model or '(none)'}  encoding: {plan.encoding}  "
        f"chunk budget: {plan.budget} tokens  prompt version: {PROMPT_VERSION}",
    ]
    for chunk, tokens in zip(plan.chunks, plan.map_prompt_tokens, strict=True):
        lines.append(
            f"\nchunk {chunk.index + 1}/{len(plan.chunks)}: {len(chunk.event_ids)} events, "
            f"{chunk.tokens} event tokens, ~{tokens} prompt tokens"
        )
        lines.extend(f"  {line[:160]}" for line in chunk.lines)
    total = sum(plan.map_prompt_tokens)
    if plan.single:
        lines.append(
            f"\nestimated prompt tokens: {total} for one call (notes and narrative: every record fits). "
            "No call was made (--dry-run)."
        )
    else:
        lines.append(
            f"\nestimated prompt tokens: {total} for {len(plan.chunks)} map calls, plus one reduce call "
            f"(~{plan.reduce_overhead_tokens} tokens + the merged notes). No call was made (--dry-run)."
        )
    return "\n".join(lines) + "\n"


def connect(settings: Settings, *, http_client: httpx2.Client | None = None) -> LLM:
    """The configured endpoint, starting from the dialect it accepted on an earlier run."""
    if not settings.model:
        raise ConfigError("No model configured: pass --model or set PMDRAFT_MODEL.")
    cache = CallCache(settings.cache_dir if settings.use_cache else None)
    endpoint = settings.base_url or "https://api.openai.com/v1"
    model = settings.model
    remembered = cache.dialect(endpoint, model) if settings.dialect == "auto" else None
    return LLM(
        make_client(settings, http_client=http_client),
        model,
        dialect=remembered if remembered in DIALECTS else settings.dialect,
        max_retries=settings.max_retries,
        max_repairs=settings.max_repairs,
        temperature=settings.temperature,
        seed=settings.seed,
        on_dialect=lambda d: cache.remember_dialect(endpoint, model, d),
    )


def run_llm_draft(
    events: Sequence[Event],
    settings: Settings,
    llm: LLM,
    *,
    hints: PostMortem | None = None,
    stderr: TextIO | None = None,
) -> LLMDraft:
    """The whole LLM path; returns the verified draft and the usage log."""
    plan = plan_llm_draft(events, settings)
    known = {e.id: e for e in events}
    cache = CallCache(settings.cache_dir if settings.use_cache else None)
    run = Run(events, known, plan.aliases, settings, llm, cache)
    stream = stderr if stderr is not None else sys.stderr
    if plan.single:
        progress = Progress(1, "draft", enabled=not settings.quiet, stream=stream)
        claims, reduced = draft_whole(run, plan.chunks[0])
        progress.advance()
        progress.close()
    else:
        progress = Progress(len(plan.chunks), "map", enabled=not settings.quiet, stream=stream)
        claims = merge_claims(map_chunks(run, plan.chunks, progress))
        _, reduced = reduce_notes(run, claims)
    report_dropped(run, claims, lambda c: f"{c.section} ({c.origin})")
    for value in reduced.values():
        for claim in value if isinstance(value, list) else [value]:
            if isinstance(claim, Claim):
                report_dropped(run, [claim], lambda c: f"{c.section} ({c.origin})")
    base = hints if hints is not None else skeleton(events)
    draft = assemble(base, llm.model, claims, reduced, known)
    draft.review_flags.extend(run.flags)
    return LLMDraft(verify_draft(draft, known), run.log, plan)


def draft_with_llm(
    events: Sequence[Event],
    settings: Settings,
    client: LLM,
    *,
    hints: PostMortem | None = None,
    stderr: TextIO | None = None,
) -> PostMortem:
    """Draft with the model behind ``client`` and print token usage to stderr when done."""
    result = run_llm_draft(events, settings, client, hints=hints, stderr=stderr)
    stream = stderr if stderr is not None else sys.stderr
    lines = result.usage.lines()
    for line in lines if not settings.quiet else lines[-1:]:
        stream.write(line + "\n")
    stream.flush()
    return result.postmortem
