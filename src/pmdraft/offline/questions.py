"""Open questions: what the sources do not settle, for the review meeting to answer.

Three sources: moments and numbers the rules could not establish, hypotheses nobody ruled in or
out, and things responders themselves said they do not know yet ('still not sure why', 'open
question:').
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pmdraft.events import Event
from pmdraft.offline._text import Cue, Tag, quote, sentence_at
from pmdraft.schema import Hypothesis, ImpactMetric, OpenQuestion, Times

#: Questions kept at most.
MAX_QUESTIONS = 15

_UNKNOWN_SAID = Cue(
    r"open question|still|sure|unclear|no idea|need to|know|mystery",
    re.compile(
        r"\bopen questions?\b|\bstill (?:don'?t|do not) (?:know|understand)\b"
        r"|\bnot (?:yet )?sure (?:why|how|what|whether|if)\b|\bunclear (?:why|whether|how|what|if)\b"
        r"|\bno idea (?:why|how|what)\b|\bneed to (?:understand|figure out|find out|dig into)\b"
        r"|\bwe don'?t know (?:why|how|what|whether|if)\b|\bmystery\b",
        re.IGNORECASE,
    ),
)
_TIME_QUESTIONS = (
    (
        "start",
        "When did the impact start?",
        "The first alert, error graph or customer report of the symptom.",
    ),
    (
        "detected",
        "How was the incident detected, and when?",
        "The alert or report that first reached a responder.",
    ),
    (
        "acknowledged",
        "When did a responder acknowledge the incident?",
        "The page acknowledgement or first reply.",
    ),
    (
        "mitigated",
        "What stopped the impact from growing, and when?",
        "The rollback, flag change or failover.",
    ),
    (
        "resolved",
        "When was the incident resolved?",
        "The final status update, alert resolve or ticket resolution.",
    ),
    ("end", "When did user impact end?", "Error-rate or latency graphs returning to baseline."),
)


def find_open_questions(
    times: Times,
    metrics: Sequence[ImpactMetric],
    hypotheses: Sequence[Hypothesis],
    said: Iterable[tuple[Event, Tag]],
    limit: int = MAX_QUESTIONS,
) -> list[OpenQuestion]:
    """Questions in review order: unknown times, impact size, open hypotheses, stated unknowns."""
    out: list[OpenQuestion] = []
    for name, question, settle in _TIME_QUESTIONS:
        if getattr(times, name).at is None:
            out.append(OpenQuestion(question=question, what_would_settle=settle, evidence=[]))
    if not any(m.what.startswith("count of") for m in metrics):
        out.append(
            OpenQuestion(
                question="How many users or customers were affected?",
                what_would_settle="Request logs, analytics or support-ticket counts for the incident window.",
                evidence=[],
            )
        )
    for hyp in hypotheses:
        if hyp.status == "open":
            out.append(
                OpenQuestion(
                    question=f"Was this hypothesis right: “{hyp.text}”?",
                    what_would_settle="Evidence ruling it in or out (logs, metrics, a reproduction).",
                    evidence=list(hyp.evidence),
                )
            )
    seen: set[str] = set()
    for event, tag in said:
        if tag is not Tag.CHAT and tag is not Tag.TICKET_COMMENT:
            continue
        m = _UNKNOWN_SAID.search(event.text)
        if m is None:
            continue
        sentence = quote(sentence_at(event.text, m.start()))
        if sentence.lower() in seen:
            continue
        seen.add(sentence.lower())
        out.append(OpenQuestion(question=sentence, what_would_settle=None, evidence=[event.id]))
    return out[:limit]
