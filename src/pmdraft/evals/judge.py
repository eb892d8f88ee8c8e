"""The LLM-as-judge rubric: blamelessness, clarity and usefulness to the meeting, 1-5 each.

It runs only when a judge model is configured (``[judge] model`` in evals/config.toml or
``PMDRAFT_JUDGE_MODEL``), goes through llm.py like every other model call, and is reported apart
from the deterministic scores: a judge's opinion never decides pass/fail. The draft is redacted
before it is sent, since a draft that leaked a secret must not leak it again to the judge.
"""

from __future__ import annotations

from string import Template
from typing import Literal

import httpx2
from pydantic import BaseModel, ConfigDict

from pmdraft.config import Settings
from pmdraft.evals.results import JUDGE_CRITERIA, JudgeResult
from pmdraft.evals.run import Judge
from pmdraft.llm import LLM, Message, make_client
from pmdraft.llm_draft.prompts import fence_for, load_prompt
from pmdraft.redact import Redactor
from pmdraft.schema import PostMortem

JUDGE_PROMPT_VERSION = "v1"
_MAX_TOKENS = 800


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str
    score: Literal[1, 2, 3, 4, 5]


class Rubric(BaseModel):
    """What the judge returns; strict-output compatible (every field required, no extra keys)."""

    model_config = ConfigDict(extra="forbid")

    blamelessness: Criterion
    clarity: Criterion
    usefulness: Criterion


def draft_text(draft: PostMortem, markdown: str) -> str:
    """The Markdown the team would read, else the draft's JSON without bookkeeping fields."""
    if markdown.strip():
        return markdown
    return draft.model_dump_json(exclude={"generated_by", "cited_events"})


def judge_messages(text: str) -> list[Message]:
    redacted = Redactor().redact_text(text)
    prompt = Template(load_prompt("judge", JUDGE_PROMPT_VERSION))
    user = prompt.substitute(fence=fence_for(redacted), draft=redacted)
    return [{"role": "user", "content": user.strip()}]


def judge_draft(llm: LLM, draft: PostMortem, markdown: str) -> JudgeResult:
    reply = llm.complete(
        judge_messages(draft_text(draft, markdown)), Rubric, max_tokens=_MAX_TOKENS, name="judge"
    )
    parts: dict[str, Criterion] = {name: getattr(reply.value, name) for name in JUDGE_CRITERIA}
    return JudgeResult(
        model=llm.model,
        scores={k: v.score for k, v in parts.items()},
        reasons={k: v.reason for k, v in parts.items()},
    )


def make_judge(settings: Settings, model: str, *, http_client: httpx2.Client | None = None) -> Judge:
    """A judge on the configured endpoint; the judge model may differ from the drafting model."""
    client = make_client(settings, http_client=http_client)
    llm = LLM(client, model, dialect=settings.dialect, temperature=0.0, seed=settings.seed)

    def judge(draft: PostMortem, markdown: str) -> JudgeResult:
        return judge_draft(llm, draft, markdown)

    return judge
