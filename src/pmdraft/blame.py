"""Blame-oriented language: sentence-level findings with a blameless rewrite, never an edit.

A finding points a reviewer at one sentence, says which kind of blame it is and proposes wording that
names the system or process gap. The rules are deterministic, roster-aware lexicons (see
docs/blame.md and ../shared/BLAME.md); semantic cases (sarcasm, trait attribution) are left to a
later LLM pass on purpose.

Decision on counterfactuals about systems: "the alert should have fired", "the canary could have
caught it", "if the runbook had covered the v2 cluster ..." are NOT flagged. A counterfactual is
flagged only when its subject is a person: a roster name or @handle, a personal pronoun ("he",
"we", "someone", "nobody"), a role ("the on-call", "the reviewer") or a team ("the DBAs" ->
group_blame). Saying what a system was expected to do and did not is exactly the gap a blameless
post-mortem should describe, and flagging it would teach teams to switch the linter off. Hindsight
without any subject ("this was entirely avoidable", "the warning signs were clear") is flagged at
medium severity. Forward-looking "should" ("the runbook should include ...") is never flagged
because only the perfect forms ("should have" + participle) are triggers.

One finding per sentence: when several categories match, the first of `PRECEDENCE` wins, so a
reviewer sees one flag with one rewrite per sentence.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pmdraft import _blame_rules as rules
from pmdraft._blame_rules import Hit
from pmdraft._blame_subject import Roster, may_match
from pmdraft.events import Event, EventKind

PERSON_AS_CAUSE = "person_as_cause"
COUNTERFACTUAL = "counterfactual"
JUDGMENTAL = "judgmental"
HUMAN_ERROR = "human_error"
BLAME_IDIOM = "blame_idiom"
GROUP_BLAME = "group_blame"

CATEGORIES: tuple[str, ...] = (
    PERSON_AS_CAUSE,
    COUNTERFACTUAL,
    JUDGMENTAL,
    HUMAN_ERROR,
    BLAME_IDIOM,
    GROUP_BLAME,
)
#: When a sentence matches several categories, the earliest here is reported.
PRECEDENCE: tuple[str, ...] = (
    HUMAN_ERROR,
    GROUP_BLAME,
    BLAME_IDIOM,
    JUDGMENTAL,
    PERSON_AS_CAUSE,
    COUNTERFACTUAL,
)
_RANK = {c: i for i, c in enumerate(PRECEDENCE)}

#: Event kinds whose text a person wrote; alert payloads, deploy records and bots are not scanned.
SCANNED_KINDS = frozenset(
    {
        EventKind.CHAT,
        EventKind.TICKET_CREATED,
        EventKind.TICKET_COMMENT,
        EventKind.ALERT_ANNOTATE,
        EventKind.STATUS_PAGE,
        EventKind.CUSTOMER_REPORT,
    }
)


@dataclass(frozen=True, slots=True)
class BlameFinding:
    """One blame-oriented sentence.

    ``quote`` is exactly ``text[start:end]`` of the scanned text; ``trigger`` is the words that fired
    (so a reviewer sees why). ``evidence`` is the event id for source text; ``location`` is where in
    a draft or document the sentence sits (e.g. ``"Root cause, line 12"``).
    """

    category: str
    severity: str
    quote: str
    start: int
    end: int
    suggestion: str
    trigger: str
    evidence: str | None = None
    location: str | None = None

    def to_flag(self) -> dict[str, Any]:
        """The Review-flags entry (pmdraft.schema.ReviewFlag fields): ``ReviewFlag(**f.to_flag())``."""
        return {
            "type": "blame",
            "message": f"Blame-oriented language ({self.category.replace('_', ' ')}, {self.severity}): "
            f"\u201c{self.trigger}\u201d.",
            "category": self.category,
            "quote": self.quote,
            "evidence": [self.evidence] if self.evidence else [],
            "location": self.location,
            "suggestion": self.suggestion,
        }


# --- sentence splitting -------------------------------------------------------------------------

_BREAK = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n|\|")
_NEXT_STARTS_SENTENCE = re.compile(r"\s*[A-Z0-9@<\"'“‘`#*(\[-]")
_ABBREV_BEFORE = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|min|max|no|mr|ms|mrs|dr|st|inc|ltd))$", re.I
)
_LEAD = re.compile(r"\s*(?:(?:#{1,6}|>|[-*+]|\d{1,3}[.)])\s+|\[[ xX]\]\s+)*")
_HAS_WORD = re.compile(r"[^\W\d_]{2}")
_MASK = re.compile(r"```.*?```|`[^`\n]*`|https?://\S+", re.S)
_TOOL_QUOTE = re.compile(
    r"\b(?:bot|ci|cli|logs?|logged|linter|alert|script|pipeline|job|api|daemon|controller|output|printed)\b"
    r"[^\"“\n.!?]{0,40}(?P<q>[\"“][^\"”\n]*[\"”])",
    re.I,
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans in one linear pass: newlines and table pipes always end a sentence (chat lines,
    Markdown rows); ``.!?`` end one only before something that starts a sentence, so lower-case
    chat ("ok. rolling back") and abbreviations ("e.g. prod") stay whole."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        token = m.group()
        if token in ("\n", "|"):
            _add_span(text, start, m.start(), spans)
            start = m.end()
            continue
        if not _NEXT_STARTS_SENTENCE.match(text, m.end()):
            continue
        if token[0] == "." and _ABBREV_BEFORE.search(text, max(0, m.start() - 6), m.start()):
            continue
        _add_span(text, start, m.end(), spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    lead = _LEAD.match(text, start, end)
    if lead:
        start = lead.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and _HAS_WORD.search(text, start, end):
        spans.append((start, end))


def _masked(text: str) -> str:
    """Code spans, fenced blocks, URLs and text a tool is quoted as saying (`the bot replied "..."`)
    blanked out, same length so offsets still line up: tool output is not a person's words."""
    if "`" in text or "://" in text:
        text = _MASK.sub(lambda m: " " * len(m.group()), text)
    if '"' in text or "“" in text:
        text = _TOOL_QUOTE.sub(
            lambda m: m.group()[: m.start("q") - m.start()] + " " * len(m.group("q")), text
        )
    return text


# --- public API -----------------------------------------------------------------------------------


def find_blame(text: str, *, people: Collection[str] = (), location: str | None = None) -> list[BlameFinding]:
    """Blame-oriented sentences in ``text``, at most one finding per sentence, in text order.

    ``people`` are display names or handles known from the sources (chat actors, users lists, the
    post-mortem's responders); they let "Priya broke checkout" be told from "Kafka broke".
    ``location`` is copied onto every finding (drafts pass the section name).
    """
    return list(_scan(text, Roster.build(people), evidence=None, location=location))


def find_blame_in_events(events: Iterable[Event], people: Collection[str] = ()) -> list[BlameFinding]:
    """Findings in human-written event text, each citing its event id as evidence.

    The roster is ``people`` plus every non-bot actor seen in ``events``; bot, deleted and noise
    events and machine kinds (alert payloads, deploy records) are skipped.
    """
    scanned = [
        e
        for e in events
        if e.kind in SCANNED_KINDS and not (e.is_bot or e.actor.is_bot or e.deleted or e.noise)
    ]
    names = set(people)
    names.update(e.actor.name for e in scanned if e.actor.name)
    roster = Roster.build(names)
    out: list[BlameFinding] = []
    for event in scanned:
        out.extend(_scan(event.text, roster, evidence=event.id, location=None))
    return out


def _scan(text: str, roster: Roster, *, evidence: str | None, location: str | None) -> Iterator[BlameFinding]:
    if not text:
        return
    low = text.lower()
    if not may_match(low):
        return
    masked = _masked(text).replace("’", "'")
    whole = masked is text and len(low) == len(text)
    for start, end in split_sentences(text):
        sentence = masked[start:end]
        hit = _best(rules.detect(sentence, roster, low[start:end] if whole else None))
        if hit is None:
            continue
        quote = text[start:end]
        at = sentence.lower().find(hit.trigger)
        exact = at >= 0 and len(quote) == len(sentence.lower())
        yield BlameFinding(
            category=hit.category,
            severity=hit.severity,
            quote=quote,
            start=start,
            end=end,
            suggestion=hit.suggestion,
            trigger=quote[at : at + len(hit.trigger)] if exact else hit.trigger,
            evidence=evidence,
            location=location,
        )


def _best(hits: list[Hit]) -> Hit | None:
    return min(hits, key=lambda h: _RANK[h.category]) if hits else None
