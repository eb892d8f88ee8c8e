"""Who a blame verb is about: the roster, sentence facts and the subject heuristic (private).

A verb like "broke" or "failed to" is blame only when its subject is a person; this module decides
what the subject of a verb at a position is (a person, a team, a system, ...). Lookups are bounded
to a window before or after the verb, so the work per trigger is constant.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from pmdraft import _blame_words as w

# Subject kinds
PERSON, SELF, GROUP, POSS_PERSON, POSS_GROUP = "person", "self", "group", "poss_person", "poss_group"
SYSTEM, UNKNOWN, NONE = "system", "unknown", "none"
PEOPLE_KINDS = frozenset({PERSON, SELF, GROUP})
CAUSE_KINDS = frozenset({PERSON, SELF, GROUP, POSS_PERSON, POSS_GROUP})


@dataclass(frozen=True, slots=True)
class Roster:
    """Names that mean a person: first names and handles, lower-cased; names that are also common
    words ("Will", "Grace", "Mark") only count when written capitalised."""

    names: frozenset[str]
    capitalised_only: frozenset[str]

    @classmethod
    def build(cls, people: Collection[str]) -> Roster:
        names: set[str] = set()
        careful: set[str] = set()
        for raw in people:
            parts = [p for p in _NAME_SPLIT.split(raw.strip().lstrip("@")) if p]
            if not parts:
                continue
            first = parts[0].lower()
            if len(first) < 2 or first in w.NOT_NAMES:
                continue
            (careful if first in w.COMMON_WORD_NAMES else names).add(first)
        return cls(frozenset(names), frozenset(careful))

    def is_name(self, token: str) -> bool:
        low = token.lower()
        return low in self.names or (low in self.capitalised_only and token[:1].isupper())


_NAME_SPLIT = re.compile(r"[^\w'-]+|_")

_WORD = re.compile(r"[a-z0-9]+")


def word_keys(low: str) -> set[str]:
    """First four letters of every word of lower-cased text: what the rule gates are made of."""
    return {t[:4] for t in _WORD.findall(low)}


def may_match(low: str) -> bool:
    """Cheap test that some rule could fire; most chat lines stop here."""
    return not w.GATE_ANY.isdisjoint(word_keys(low))


_GROUP_HANDLE = re.compile(w.GROUP_HANDLE)
# --- subject heuristic --------------------------------------------------------------------------

_TOKEN = re.compile(r"<@\w+>(?:'s)?|@[\w.-]+|\w[\w'*-]*")
BOUNDARY = re.compile(
    r"[,;:()\[\]—–\"]|\s-\s|\b(?:and|but|so|because|when|after|before|while|since|until|which|that|who|"
    r"whom|what|where|then|if|although|though|once|said|says|thinks|mentioned|reported|noted|asked|"
    r"confirmed)\b",
    re.I,
)
_HEDGE = re.compile(
    r"^\s*(?:(?:yeah|yep|yes|ok|okay|so|well|honestly|frankly|basically|apparently|clearly|obviously|"
    r"lol|also|then|and|but|in hindsight|once again|as usual|again|i think|i guess|i bet|looks like|"
    r"seems like|pretty sure|sounds like|guess|tbh|imo|fwiw|btw|ugh|sadly|unfortunately|of course|"
    r"turns out|cc(?: @[\w.-]+)?)\b[\s,]*)+",
    re.I,
)


#: How far (characters) a rule looks back or ahead for a subject or clause edge; keeps every
#: trigger's work bounded, so a pathological single-line message stays linear.
WINDOW = 160


def _last_boundary(text: str, pos: int) -> re.Match[str] | None:
    last = None
    for m in BOUNDARY.finditer(text, max(0, pos - WINDOW), pos):
        last = m
    return last


class Sentence:
    """One sentence plus lazily computed facts the rules share."""

    __slots__ = ("keys", "low", "roster", "text")

    def __init__(self, text: str, roster: Roster, low: str | None = None) -> None:
        self.text = text
        self.low = text.lower() if low is None else low
        self.roster = roster
        self.keys = word_keys(self.low)

    def subject(self, pos: int) -> str:
        """Kind of the grammatical subject of the verb starting at ``pos``: the words since the last
        clause boundary; an empty clause borrows the antecedent of who/that or the sentence subject."""
        last = _last_boundary(self.text, pos)
        begin = last.end() if last else max(0, pos - WINDOW)
        kind = self.classify(begin, pos)
        if kind != NONE or last is None:
            return kind
        word = last.group().strip().lower()
        if word in ("who", "that", "which", "what"):
            prev = _last_boundary(self.text, last.start())
            return self.classify(prev.end() if prev else 0, last.start(), antecedent=True)
        first = BOUNDARY.search(self.text, 0, min(pos, WINDOW))
        return self.classify(0, first.start() if first else min(pos, WINDOW))

    def classify(self, begin: int, end: int, *, antecedent: bool = False) -> str:
        """Kind of the noun phrase that opens text[begin:end]."""
        chunk = self.text[begin:end]
        hedge = _HEDGE.match(chunk)
        if hedge:
            chunk = chunk[hedge.end() :]
        tokens = _TOKEN.findall(chunk)
        if not tokens:
            return NONE
        head_kind = self._token_kind(tokens[0], begin)
        if head_kind is not None:
            return head_kind
        if tokens[0].lower() == "no" and len(tokens) > 1 and tokens[1].lower() == "one":
            return PERSON
        phrase: list[str] = []
        if antecedent:
            for tok in tokens:
                phrase = [] if tok.lower() in w.NP_CUT else [*phrase, tok]
        else:
            for tok in tokens:
                if tok.lower() in w.NP_CUT:
                    break
                phrase.append(tok)
        while phrase and phrase[0].lower() in w.DETERMINERS:
            phrase.pop(0)
        while phrase and phrase[-1].lower() in w.ADVERBS:
            phrase.pop()
        if not phrase:
            return NONE
        for tok in phrase[:-1] if not antecedent else phrase:
            if tok.lower().endswith("'s"):
                base = tok[:-2]
                if self._is_person_word(base):
                    return POSS_PERSON
                if base.lower() in w.GROUP_HEADS or base.lower() in ("team", "teams"):
                    return POSS_GROUP
        head = phrase[-1]
        low = head.lower()
        if low in w.GROUP_HEADS:
            return GROUP
        if self._is_person_word(head) or low in w.PERSON_PRONOUNS:
            return PERSON
        if low in w.SYSTEM_NOUNS:
            return SYSTEM
        return UNKNOWN

    def _token_kind(self, tok: str, begin: int) -> str | None:
        low = tok.lower()
        possessive = low.endswith("'s")
        base = tok[:-2] if possessive else tok
        blow = base.lower()
        if tok.startswith("@") or tok.startswith("<@"):
            if _GROUP_HANDLE.search(blow):
                return POSS_GROUP if possessive else GROUP
            if blow in w.BROADCAST_HANDLES:
                return None
            return POSS_PERSON if possessive else PERSON
        if blow in w.POSSESSIVE_PRONOUNS:
            return POSS_PERSON
        if possessive and blow in w.PERSON_PRONOUNS:
            return SELF if blow in ("i", "we") else PERSON
        if low in w.PERSON_PRONOUNS:
            if low in ("they", "them") and self._system_before(begin):
                return SYSTEM
            return SELF if low in ("i", "we") else PERSON
        if possessive and blow in ("anyone", "anybody", "someone", "somebody", "nobody", "everyone"):
            return POSS_PERSON
        if self.roster.is_name(base):
            return POSS_PERSON if possessive else PERSON
        return None

    def _is_person_word(self, tok: str) -> bool:
        low = tok.lower()
        return low in w.ROLE_HEADS or self.roster.is_name(tok) or tok.startswith("@") or tok.startswith("<@")

    def _system_before(self, pos: int) -> bool:
        return any(t.lower() in w.SYSTEM_NOUNS for t in _TOKEN.findall(self.text, max(0, pos - WINDOW), pos))

    def agent_after(self, pos: int) -> str:
        """Kind of the ``by ...`` agent of a passive verb ending at ``pos`` (NONE when there is none)."""
        m = _BY_AGENT.match(self.low, pos)
        if not m:
            return NONE
        stop = BOUNDARY.search(self.text, m.end(), m.end() + WINDOW)
        return self.classify(m.end(), stop.start() if stop else min(len(self.text), m.end() + WINDOW))

    def negated_before(self, pos: int, span: int = 30) -> bool:
        return bool(_NEGATION.search(self.low, max(0, pos - span), pos))

    def clause_before(self, pos: int) -> str:
        last = None
        for m in _HE_CLAUSE.finditer(self.low, max(0, pos - WINDOW), pos):
            last = m
        return self.low[last.end() if last else max(0, pos - WINDOW) : pos]

    def clause_after(self, pos: int) -> str:
        m = _HE_CLAUSE.search(self.low, pos, pos + WINDOW)
        return self.low[pos : m.start() if m else min(len(self.low), pos + WINDOW)]


_BY_AGENT = re.compile(r"(?:\s+\w+){0,4}?\s+by\s+")
_NEGATION = re.compile(r"\b(?:not|never|no|nobody|n't|nothing|neither)\b|n't\b")
_HE_CLAUSE = re.compile(r"[;:,()—–]|\b(?:but|so|because)\b")
_BE_END = re.compile(r"\b(?:was|were|is|are|been|being|be|got|get|gets)\s*$")


def passive(s: Sentence, pos: int) -> bool:
    return bool(_BE_END.search(s.low, max(0, pos - 12), pos))
