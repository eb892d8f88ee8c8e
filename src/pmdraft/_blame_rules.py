"""The category rules behind pmdraft.blame (private: import pmdraft.blame instead).

Every pattern is compiled once at import. ``detect`` works on one sentence whose code spans are
already blanked and whose curly apostrophes are straightened; it returns every category that
matched and leaves the choice between them to blame.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pmdraft import _blame_words as w
from pmdraft._blame_subject import (
    BOUNDARY,
    CAUSE_KINDS,
    GROUP,
    NONE,
    PEOPLE_KINDS,
    PERSON,
    POSS_GROUP,
    POSS_PERSON,
    SYSTEM,
    UNKNOWN,
    WINDOW,
    Roster,
    Sentence,
    passive,
)


@dataclass(frozen=True, slots=True)
class Hit:
    category: str
    severity: str
    trigger: str
    suggestion: str


_GROUP_HANDLE_IN_TEXT = re.compile(w.GROUP_HANDLE_IN_TEXT)

# --- category rules -------------------------------------------------------------------------------


def detect(text: str, roster: Roster, low: str | None = None) -> list[Hit]:
    """Every category that matches ``text`` (one sentence); ``low`` is its lower-cased form if the
    caller already has it."""
    s = Sentence(text, roster, low)
    if w.GATE_ANY.isdisjoint(s.keys):
        return []
    hits: list[Hit] = []
    for gate, rule in _RULES:
        if not gate.isdisjoint(s.keys):
            hit = rule(s)
            if hit is not None:
                hits.append(hit)
    if hits and _GROUP_HANDLE_IN_TEXT.search(s.low):
        hits.append(Hit("group_blame", "high", hits[0].trigger, w.SUGGEST["group_blame"]))
    return hits


def _as_group(kind: str, category: str, severity: str, trigger: str, suggestion: str) -> Hit:
    if kind in (GROUP, POSS_GROUP):
        return Hit("group_blame", "high", trigger, w.SUGGEST["group_blame"])
    return Hit(category, severity, trigger, suggestion)


_HUMAN_ERROR = re.compile(w.HUMAN_ERROR)
_HE_TECH_AFTER = re.compile(w.HE_TECH_AFTER)
_HE_TECH_BEFORE = re.compile(w.HE_TECH_BEFORE)
_HE_MITIGATION_BEFORE = re.compile(w.HE_MITIGATION_BEFORE)
_HE_MITIGATION_AFTER = re.compile(w.HE_MITIGATION_AFTER)


def _human_error(s: Sentence) -> Hit | None:
    for m in _HUMAN_ERROR.finditer(s.low):
        term = m.group()
        if term.split()[0].split("-")[0] in ("operator", "user", "pilot") and (
            term.endswith("s")
            or _HE_TECH_AFTER.match(s.low, m.end())
            or _HE_TECH_BEFORE.search(s.low, max(0, m.start() - 25), m.start())
        ):
            continue
        if _HE_MITIGATION_BEFORE.search(s.clause_before(m.start())):
            continue
        if _HE_MITIGATION_AFTER.match(s.clause_after(m.end())):
            continue
        return Hit("human_error", "high", term, w.SUGGEST["human_error"])
    return None


_IDIOM_PERSON = re.compile(w.IDIOM_PERSON)
_IDIOM_SYSTEM_TOO = re.compile(w.IDIOM_SYSTEM_TOO)


def _idioms(s: Sentence) -> Hit | None:
    for m in _IDIOM_PERSON.finditer(s.low):
        kind = s.subject(m.start())
        if kind != SYSTEM:
            return _as_group(kind, "blame_idiom", "high", m.group(), _idiom_suggestion(m.group()))
    for m in _IDIOM_SYSTEM_TOO.finditer(s.low):
        if passive(s, m.start()):
            kind = s.agent_after(m.end())
        else:
            kind = s.subject(m.start())
            if kind == NONE and s.low[: m.start()].strip(" ,.!-") != "":
                continue
        if kind in CAUSE_KINDS or kind == NONE:
            return _as_group(kind, "blame_idiom", "high", m.group(), _idiom_suggestion(m.group()))
    return None


def _idiom_suggestion(trigger: str) -> str:
    for key, text in w.IDIOM_SUGGEST:
        if key in trigger:
            return text
    return w.SUGGEST["blame_idiom"]


_JUDGMENTAL = re.compile(w.JUDGMENTAL)
_JUDGMENTAL_TECH = re.compile(w.JUDGMENTAL_TECH)


def _judgmental(s: Sentence) -> Hit | None:
    for m in _JUDGMENTAL.finditer(s.low):
        if _JUDGMENTAL_TECH.match(s.low, m.start()):
            continue
        if s.negated_before(m.start(), 25):
            continue
        kind = s.subject(m.start())
        if m.group() == "mistakenly" and kind not in CAUSE_KINDS:
            continue
        return _as_group(kind, "judgmental", "high", m.group(), w.SUGGEST["judgmental"])
    return None


def _gate(words: str) -> frozenset[str]:
    return frozenset(words.split())


# (gate, pattern, how the person is found): "subject" of the verb (or the by-agent when passive),
# "possessive" subject only, the "agent" after "caused by"/"due to", the "target" named after the cue.
_CAUSE_PATTERNS: tuple[tuple[frozenset[str], re.Pattern[str], str], ...] = (
    (
        _gate(
            "brok brea down take took taki brou brin knoc nuke tras dest caus intr made star dele drop wipe "
            "kill trun over corr"
        ),
        re.compile(w.CAUSE_ACTIVE),
        "subject",
    ),
    (_gate("push ship merg depl appl comm rele roll land"), re.compile(w.BAD_OBJECT), "subject"),
    (_gate("dele drop wipe kill trun over corr lock cras brok"), re.compile(w.DAMAGE_BARE), "possessive"),
    (
        _gate("caus trig star intr brok brou take dele nuke wipe due beca cour than"),
        re.compile(w.CAUSE_AGENT),
        "agent",
    ),
    (_gate("on"), re.compile(w.ON_TARGET), "target"),
    (_gate("faul doin"), re.compile(w.FAULT), "target"),
    (_gate("blam"), re.compile(w.BLAME_VERB), "target"),
    (_gate("root"), re.compile(w.ROOT_CAUSE_IS), "target"),
    (_gate("beca"), re.compile(w.HAPPENED_BECAUSE), "target"),
    (_gate("reas blam culp"), re.compile(w.IS_REASON), "reason"),
)
_THANKS_NEGATIVE = re.compile(w.THANKS_NEGATIVE)


def _person_as_cause(s: Sentence) -> Hit | None:
    for gate, pattern, how in _CAUSE_PATTERNS:
        if gate.isdisjoint(s.keys):
            continue
        for m in pattern.finditer(s.low):
            kind = _cause_kind(s, m, how)
            if kind in CAUSE_KINDS:
                return _as_group(kind, "person_as_cause", "high", m.group(), w.SUGGEST["person_as_cause"])
    return None


def _cause_kind(s: Sentence, m: re.Match[str], how: str) -> str:
    """Who a cause cue points at, or NONE when it is denied ("no one is to blame") or not a person."""
    if how == "agent":
        if m.group(1) == "thanks to" and not _THANKS_NEGATIVE.search(s.low, m.end()):
            return NONE
        stop = BOUNDARY.search(s.text, m.end(), m.end() + WINDOW)
        return s.classify(m.end(), stop.start() if stop else min(len(s.low), m.end() + WINDOW))
    if how == "target":
        if s.negated_before(m.start(), 20):
            return NONE
        target = m.start("who")
        stop = BOUNDARY.search(s.text, target + 1, target + WINDOW)
        kind = s.classify(target, stop.start() if stop else min(len(s.low), target + WINDOW))
        return NONE if pattern_is_on(m) and kind.startswith("poss") else kind
    if _nobody(s, m.start()):
        return NONE
    if how == "subject" and passive(s, m.start()):
        return s.agent_after(m.end())
    kind = s.subject(m.start())
    if how == "possessive" and kind not in (POSS_PERSON, POSS_GROUP):
        return NONE
    return kind


def pattern_is_on(m: re.Match[str]) -> bool:
    """ "the fix is on Dave's branch" is not an attribution; "this one's on you" is."""
    return m.re.pattern == w.ON_TARGET


def _nobody(s: Sentence, pos: int) -> bool:
    """Subjects like "nobody"/"no one" deny the attribution ("no one is to blame")."""
    return bool(_DENIED.search(s.clause_before(pos)))


_DENIED = re.compile(r"\b(?:nobody|no one|noone|not|no|never|neither)\b")
_CONDITIONAL = re.compile(r"\bif\b|(?:^|[,;:]\s*)had\b")


_MODAL_PERFECT = re.compile(w.MODAL_PERFECT)
_IF_HAD = re.compile(w.IF_HAD)
_HAD_INVERSION = re.compile(w.HAD_INVERSION)
_OMISSION = re.compile(w.OMISSION)
_OMISSION_PERSON_ONLY = re.compile(w.OMISSION_PERSON_ONLY)
_NEG_VERB = re.compile(w.NEG_VERB)
_NOBODY_DID = re.compile(w.NOBODY_DID)
_WHY_DIDNT = re.compile(w.WHY_DIDNT)
_MINIMISING = re.compile(w.MINIMISING)
_ALL_HAD_TO_DO = re.compile(w.ALL_HAD_TO_DO)
_HINDSIGHT = re.compile(w.HINDSIGHT)
_G_MODAL = _gate("shou coul woul must migh ough d")
_G_IF, _G_HAD, _G_NOBODY, _G_WHY, _G_ALL = (
    _gate("if"),
    _gate("had"),
    _gate("nobo no"),
    _gate("why"),
    _gate("all"),
)
_G_PERSON_ONLY = _gate("forg negl both")
_G_OMISSION = _gate("fail igno supp miss")
_G_NEG_VERB = _gate("didn did neve does don won woul")
_G_MINIMISING = _gate("simp just only")
_G_HINDSIGHT = _gate("avoi prev sign clea obvi comi")


def _each(s: Sentence, gate: frozenset[str], pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """Matches of ``pattern``, or none at all when the sentence lacks every word of its gate."""
    return iter(()) if gate.isdisjoint(s.keys) else pattern.finditer(s.low)


def _counterfactual(s: Sentence) -> Hit | None:
    low = s.low

    def person(kind: str, trigger: str, suggestion: str = w.SUGGEST["counterfactual"]) -> Hit | None:
        if kind in PEOPLE_KINDS:
            return _as_group(kind, "counterfactual", "high", trigger, suggestion)
        return None

    for m in _each(s, _G_MODAL, _MODAL_PERFECT):
        verb, nxt, modal = m.group("verb"), m.group("next") or "", m.group("modal")
        trigger = m.group() if verb == "been" else low[m.start() : m.end("verb")]
        if _exonerating(s, m.start(), modal, m.group("neg")):
            continue
        if modal in ("would", "'d") and _CONDITIONAL.search(low):
            continue
        if verb == "been":
            if nxt.endswith("ing"):
                hit = person(s.subject(m.start()), trigger)
            elif _participle(nxt):
                hit = person(s.agent_after(m.end()), trigger)
            else:
                hit = None
        elif not _participle(verb) or verb in w.NOT_OBLIGATION_PARTICIPLES:
            hit = None
        else:
            kind = s.subject(m.start())
            if verb == "known" and kind in (UNKNOWN, NONE):
                kind = PERSON
            hit = person(kind, trigger)
        if hit:
            return hit
    for gate, pattern in ((_G_IF, _IF_HAD), (_G_HAD, _HAD_INVERSION)):
        for m in _each(s, gate, pattern):
            hit = person(s.classify(m.start("np"), m.end("np")), m.group())
            if hit:
                return hit
    for m in _each(s, _G_NOBODY, _NOBODY_DID):
        return Hit("counterfactual", "high", m.group(), w.SUGGEST["counterfactual"])
    for m in _each(s, _G_WHY, _WHY_DIDNT):
        if m.group("verb") in w.OBLIGATION:
            hit = person(s.classify(m.start("np"), m.end("np")), m.group())
            if hit:
                return hit
    for m in _each(s, _G_PERSON_ONLY, _OMISSION_PERSON_ONLY):
        kind = s.subject(m.start())
        if kind in (UNKNOWN, NONE) and s.text[: m.start()].strip()[:1].isupper():
            kind = PERSON
        hit = person(kind, m.group(), _omission_suggestion(m.group()))
        if hit:
            return hit
    for m in _each(s, _G_OMISSION, _OMISSION):
        hit = person(s.subject(m.start()), m.group(), _omission_suggestion(m.group()))
        if hit:
            return hit
    for m in _each(s, _G_NEG_VERB, _NEG_VERB):
        if m.group("verb") in w.OBLIGATION:
            hit = person(s.subject(m.start()), m.group(), _omission_suggestion(m.group()))
            if hit:
                return hit
    for gate, pattern in ((_G_MINIMISING, _MINIMISING), (_G_ALL, _ALL_HAD_TO_DO)):
        for m in _each(s, gate, pattern):
            kind = s.subject(m.start()) if pattern is _MINIMISING else s.classify(m.start("np"), m.end("np"))
            if kind in PEOPLE_KINDS:
                return _as_group(kind, "counterfactual", "low", m.group(), w.SUGGEST["minimising"])
    for m in _each(s, _G_HINDSIGHT, _HINDSIGHT):
        if not s.negated_before(m.start(), 12):
            return Hit("counterfactual", "medium", m.group(), w.SUGGEST["hindsight"])
    return None


def _exonerating(s: Sentence, pos: int, modal: str, neg: str | None) -> bool:
    """ "couldn't have seen it", "nobody could have known": a counterfactual that clears people."""
    if modal.startswith(("could", "would")) and (modal.endswith("n't") or neg):
        return True
    return bool(_DENIED.search(s.clause_before(pos))) and not modal.startswith("should")


def _participle(word: str) -> bool:
    return word.endswith(("ed", "en", "wn")) or word in w.IRREGULAR_PARTICIPLES


def _omission_suggestion(trigger: str) -> str:
    for key, text in w.OMISSION_SUGGEST:
        if key in trigger:
            return text
    return w.SUGGEST["counterfactual"]


_GROUP_HABIT = re.compile(w.GROUP_HABIT)
_TYPICAL_GROUP = re.compile(w.TYPICAL_GROUP)


def _group_habits(s: Sentence) -> Hit | None:
    m = _TYPICAL_GROUP.search(s.low)
    if m:
        return Hit("group_blame", "high", m.group(), w.SUGGEST["group_blame"])
    for m in _GROUP_HABIT.finditer(s.low):
        if s.subject(m.start()) in (GROUP, POSS_GROUP):
            return Hit("group_blame", "high", m.group(), w.SUGGEST["group_blame"])
    return None


_RULES: tuple[tuple[frozenset[str], Callable[[Sentence], Hit | None]], ...] = (
    (w.GATE_HUMAN_ERROR, _human_error),
    (w.GATE_IDIOM, _idioms),
    (w.GATE_JUDGMENTAL, _judgmental),
    (w.GATE_CAUSE, _person_as_cause),
    (w.GATE_COUNTERFACTUAL, _counterfactual),
    (w.GATE_GROUP, _group_habits),
)
