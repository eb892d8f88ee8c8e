"""Prompt injection in incident text: find it, flag it, and keep what it asks for out of the draft.

Incident channels quote customers and logs verbatim, so some source text will address "the AI".
pmdraft's defences, in order: source text is fenced and labelled as data in every prompt (prompts/);
every claim must cite events, and code verifies the citations (evidence.py); and this module, which
reports each injection attempt to the reviewer and removes model-written claims that carry the
injected payload while resting on nothing but the injected message itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pmdraft.events import Event
from pmdraft.schema import PostMortem, ReviewFlag, Statement

_TRIGGERS = re.compile(
    r"(?i)\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|"
    r"preceding|your|system)\s+(?:instructions?|prompts?|rules?|directions?)"
    r"|(?:^|[\s\"'>])(?:SYSTEM|ASSISTANT)(?:\s+OVERRIDE)?\s*:"
    r"|\bnew\s+instructions?\s*:"
    r"|\byou\s+are\s+now\s+(?:a|an|in)\b"
    r"|\b(?:as\s+an?\s+)?(?:AI|LLM|language\s+model)\b[^.]{0,40}\b(?:must|should|write|say|state|report)\b"
)
_WORD = re.compile(r"[a-z][a-z\-]{3,}")
_STOP = frozenset(
    "that this with from have were will would should must write state report root cause caused incident "
    "instructions instruction previous prior above ignore disregard system assistant override draft "
    "post-mortem postmortem summary said says what when they them their there here into about".split()
)


@dataclass(frozen=True)
class Injection:
    """One source event that addresses the model, and the words only it uses (its payload)."""

    event_id: str
    quote: str
    payload: frozenset[str]


def find_injections(events: Sequence[Event]) -> list[Injection]:
    """Events whose text tries to instruct a model. Payload words are the distinctive words of the
    instruction: words of the rest of the message that at most one other event uses."""
    hits = [(e, m) for e in events if (m := _TRIGGERS.search(e.text))]
    if not hits:
        return []
    frequency: Counter[str] = Counter()
    for e in events:
        frequency.update(set(_WORD.findall(e.text.lower())))
    found = []
    for event, match in hits:
        tail = event.text[match.start() :]
        sentence = re.split(r"(?<=[.!?])\s|\n", tail, maxsplit=2)
        quote = " ".join(sentence[:2]).strip()[:300]
        words = {w for w in _WORD.findall(tail.lower()[:400]) if w not in _STOP and frequency[w] <= 2}
        found.append(Injection(event.id, quote, frozenset(words)))
    return found


def injection_flags(injections: Iterable[Injection]) -> list[ReviewFlag]:
    return [
        ReviewFlag(
            type="injection",
            message="Source text addresses the model with instructions; it was treated as data. "
            "Check that nothing in the draft repeats it.",
            category="prompt_injection",
            quote=i.quote,
            evidence=[i.event_id],
            location=None,
            suggestion=None,
        )
        for i in injections
    ]


def guard_draft(
    pm: PostMortem, injections: Sequence[Injection], events: Mapping[str, Event]
) -> tuple[PostMortem, list[str]]:
    """Remove model-written claims that repeat an injected payload without independent evidence.

    A claim carries the payload when it uses a payload word that none of its cited events — other
    than the injected messages themselves — contains. Payload words are distinctive (almost no other
    event uses them), so an honest claim uses one only when it cites where the word occurs.
    Returns the new draft and the removed texts (for the review flag). Copied source quotes stay:
    quoting the customer's message is not obeying it.
    """
    if not injections:
        return pm, []
    injected = {i.event_id for i in injections}
    payload = frozenset().union(*(i.payload for i in injections))

    def _carries_payload(text: str, evidence: Sequence[str]) -> bool:
        used = set(_WORD.findall(text.lower())) & payload
        if not used:
            return False
        support = " ".join(events[e].text.lower() for e in evidence if e in events and e not in injected)
        return any(word not in support for word in used)

    out = pm.model_copy(deep=True)
    removed: list[str] = []

    def obeys(text: str, evidence: Sequence[str], model_written: bool = True) -> bool:
        hit = model_written and _carries_payload(text, evidence)
        if hit:
            removed.append(text)
        return hit

    def bad(s: Statement | None) -> bool:
        return s is not None and obeys(s.text, s.evidence, s.origin == "model")

    if bad(out.trigger):
        out.trigger = None
    if bad(out.root_cause):
        out.root_cause = None
    if bad(out.impact.summary):
        out.impact.summary = None
    for part in ("impact", "detection", "beliefs", "hypotheses", "resolution", "what_changed"):
        if bad(getattr(out.narrative, part)):
            setattr(out.narrative, part, None)
    for section in ("went_well", "went_poorly", "where_we_got_lucky", "lessons_learned"):
        setattr(out, section, [s for s in getattr(out, section) if not bad(s)])
    out.contributing_factors = [
        f for f in out.contributing_factors if not obeys(f.text, f.evidence, f.origin == "model")
    ]
    out.timeline = [t for t in out.timeline if not obeys(t.text, t.evidence, t.origin == "model")]
    out.hypotheses = [h for h in out.hypotheses if not obeys(h.text, h.evidence)]
    out.action_items = [
        a for a in out.action_items if not obeys(a.description, a.evidence, a.origin == "suggested")
    ]
    if removed:
        out.review_flags.append(
            ReviewFlag(
                type="injection",
                message=f"Removed {len(removed)} model-written claim(s) that repeated injected text "
                "and rested on no other evidence.",
                category="prompt_injection",
                quote="; ".join(r[:120] for r in removed[:3]),
                evidence=[],
                location="draft",
                suggestion=None,
            )
        )
    return out, removed
