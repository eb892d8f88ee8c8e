"""Text helpers every offline extractor shares: noise, sentences, quotes, and what an event *is*.

Adapters already give events a kind, but much of an incident happens in chat: a rollback announced
in words, a flag turned off by hand, an alert bot posting into a channel. ``tag_event`` reads kind
first and text second, once per event, so the extractors agree on what each event is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from enum import StrEnum

from pmdraft.events import Event, EventKind

#: Shortest useful quote; longer text is cut at a word boundary with an ellipsis.
QUOTE_LIMIT = 240

_EMOJI_CODE = re.compile(r":[\w+\-']+:|(?<!\w)[+-]1(?!\w)")
_WORD_CHAR = re.compile(r"[^\W_]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9@#*_-])|\n+")


class Cue:
    """A pattern behind a cheap prefilter, so 200k messages cost a substring scan, not a regex each.

    ``keys`` is a case-sensitive regex run on the lower-cased text (no ``\\b``, no IGNORECASE: Python's
    ``re`` scans literal alternations fast). Every match of ``pattern`` must contain a match of ``keys``;
    tests/offline/test_text.py checks that on every example the rules are tested with.
    """

    __slots__ = ("keys", "pattern")

    def __init__(self, keys: str, pattern: re.Pattern[str]) -> None:
        self.keys = re.compile(keys)
        self.pattern = pattern

    def could_match(self, text: str, low: str | None = None) -> bool:
        """Whether the pattern can match; ``low`` is ``text.lower()`` when the caller already has it."""
        return self.keys.search(text.lower() if low is None else low) is not None

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        return self.pattern.search(text) if self.could_match(text, low) else None

    def match(self, text: str, low: str | None = None) -> re.Match[str] | None:
        return self.pattern.match(text) if self.could_match(text, low) else None

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.could_match(text, low) else iter(())


Pattern = Cue | re.Pattern[str]


class Tag(StrEnum):
    """What an event is for the post-mortem, whatever source it came from."""

    ALERT = "alert"
    ALERT_ACK = "alert_ack"
    ALERT_RESOLVE = "alert_resolve"
    ALERT_OTHER = "alert_other"
    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    FLAG = "flag"
    STATUS = "status_update"
    CUSTOMER = "customer_report"
    TICKET = "ticket"
    TICKET_STATUS = "ticket_status"
    TICKET_COMMENT = "ticket_comment"
    CHAT = "chat"
    NOISE = "noise"


_KIND_TAGS: Mapping[EventKind, Tag] = {
    EventKind.ALERT_TRIGGER: Tag.ALERT,
    EventKind.ALERT_ACK: Tag.ALERT_ACK,
    EventKind.ALERT_RESOLVE: Tag.ALERT_RESOLVE,
    EventKind.ALERT_ESCALATE: Tag.ALERT_OTHER,
    EventKind.ALERT_ANNOTATE: Tag.ALERT_OTHER,
    EventKind.ALERT_NOTIFY: Tag.NOISE,
    EventKind.TICKET_CREATED: Tag.TICKET,
    EventKind.TICKET_STATUS: Tag.TICKET_STATUS,
    EventKind.TICKET_COMMENT: Tag.TICKET_COMMENT,
    EventKind.DEPLOY: Tag.DEPLOY,
    EventKind.ROLLBACK: Tag.ROLLBACK,
    EventKind.STATUS_PAGE: Tag.STATUS,
    EventKind.CUSTOMER_REPORT: Tag.CUSTOMER,
    EventKind.SYSTEM: Tag.NOISE,
}

# Bots that post into chat: the message is an alert, a deploy or a status post even when the adapter
# could only call it chat.
_BOT_RESOLVED = re.compile(r"\[?\b(?:resolved|recovered|ok)\b\]?[:\s]|\bis (?:now )?(?:resolved|ok)\b", re.I)
_BOT_RESOLVED_HEAD = re.compile(r"^[^\w\[]*\[?(?:resolved|recovered)\b", re.I)
_BOT_ALERT = re.compile(
    r"\[?\b(?:firing|triggered|alert(?:ing)?|critical|warning|incident (?:opened|triggered))\b", re.I
)
_BOT_ROLLBACK = re.compile(r"\b(?:roll(?:ed|ing)?[ -]?back|revert(?:ed|ing)?)\b", re.I)
_BOT_DEPLOY = re.compile(r"\b(?:deploy(?:ed|ing|ment)?|released?|releasing|shipped|rolled out)\b", re.I)
_BOT_STATUS = re.compile(r"\bstatus ?page\b|\b(?:investigating|identified|monitoring)\b[:\s-]", re.I)

#: A change of a feature flag / kill switch, in either direction.
FLAG_CHANGE = Cue(
    r"flag|toggle|switch",
    re.compile(
        r"\b(?:feature[- ]?flags?|flags?|toggles?|kill[- ]?switch(?:es)?|experiments?)\b.{0,60}?"
        r"\b(?:off|on|disabled?|enabled?|turned|flipped|toggled|switched|rolled out|ramped|set to"
        r"|to \d+ ?%)\b"
        r"|\b(?:disabled?|enabled?|turned (?:off|on)|flipped|toggled|switched (?:off|on)|ramped|rolled out)\b"
        r".{0,40}?\b(?:feature[- ]?flags?|flags?|toggles?|kill[- ]?switch(?:es)?)\b",
        re.IGNORECASE,
    ),
)


def tag_event(event: Event) -> Tag:
    """Classify one event; chat text from bots is read for alerts, deploys, rollbacks and status posts."""
    if event.noise or event.deleted:
        return Tag.NOISE
    tag = _KIND_TAGS.get(event.kind)
    if tag is not None:
        if tag is Tag.DEPLOY and _BOT_ROLLBACK.search(event.text):
            return Tag.ROLLBACK
        return tag
    text = event.text
    if is_reaction_only(text):
        return Tag.NOISE
    if event.is_bot or event.actor.is_bot:
        if _BOT_RESOLVED_HEAD.match(text) or (_BOT_RESOLVED.search(text) and _BOT_ALERT.search(text)):
            return Tag.ALERT_RESOLVE
        if _BOT_ALERT.search(text):
            return Tag.ALERT
        if _BOT_ROLLBACK.search(text):
            return Tag.ROLLBACK
        if FLAG_CHANGE.search(text):
            return Tag.FLAG
        if _BOT_DEPLOY.search(text):
            return Tag.DEPLOY
        if _BOT_STATUS.search(text):
            return Tag.STATUS
        return Tag.NOISE
    return Tag.CHAT


_CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_QUOTE_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)


def own_words(text: str) -> str:
    """The speaker's own words: pasted code blocks and '>' quotes (someone else's text) removed."""
    if "```" not in text and ">" not in text:
        return text
    return _QUOTE_LINE.sub(" ", _CODE_BLOCK.sub(" ", text))


def is_reaction_only(text: str) -> bool:
    """Empty, emoji codes, '+1' or punctuation only: nothing a post-mortem can cite."""
    if len(text) > 40 and " " in text[:20]:
        return False
    return _WORD_CHAR.search(_EMOJI_CODE.sub("", text)) is None


_NEGATED_OR_PLANNED = re.compile(
    r"(?:\b(?:not|never|no|without|yet to|if|should|shall|could|would|can|will|going to|gonna|about to|"
    r"let'?s|need to|want to|wanna|try|trying|maybe|might|whether|think|guess|probably|hopefully|once|"
    r"until|unless)\b|n't|'ll\b)[^.?!\n]{0,25}$",
    re.IGNORECASE,
)


def affirmed(pattern: Pattern, text: str, low: str | None = None) -> re.Match[str] | None:
    """The first match that states a fact: not in a question, not negated or planned just before it."""
    matches = pattern.finditer(text, low) if isinstance(pattern, Cue) else pattern.finditer(text)
    for match in matches:
        sentence = sentence_at(text, match.start())
        prefix = text[max(0, match.start() - 40) : match.start()]
        if sentence.rstrip().endswith("?") or _NEGATED_OR_PLANNED.search(prefix):
            continue
        return match
    return None


def sentences(text: str) -> list[str]:
    """Split text into sentences (and lines); cheap and good enough for chat."""
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def statements(text: str) -> str:
    """The text without its questions: 'is 0147 applied in prod?' states nothing."""
    if "?" not in text:
        return text
    return " ".join(s for s in sentences(text) if not s.endswith("?"))


def sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` that contains character ``pos``."""
    start = 0
    for match in _SENTENCE_SPLIT.finditer(text):
        if match.start() > pos:
            return text[start : match.start()].strip()
        start = match.end()
    return text[start:].strip()


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Source text on one line, cut at a word boundary when long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def first_line(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The first non-empty line, quoted: bot posts put their headline first."""
    for line in text.splitlines():
        if line.strip():
            return quote(line, limit)
    return ""
