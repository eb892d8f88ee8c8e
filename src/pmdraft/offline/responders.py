"""Responders and the roles they took, as stated: 'I'm IC', 'taking comms', '@dana is scribe', page acks.

A role is only ever copied from what someone said or did (acknowledging a page makes the acker the
on-call responder); everyone else who spoke in the incident window is listed without a role.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from pmdraft.events import Event
from pmdraft.offline._text import Tag, affirmed, statements
from pmdraft.schema import Responder

#: People listed at most (role holders first).
MAX_RESPONDERS = 25

_ROLES: tuple[tuple[str, str], ...] = (
    ("incident commander", r"ic|incident commander|incident lead|incident manager|incident captain"),
    ("communications", r"comms|communications|comms lead|customer comms|status ?page updates?"),
    ("scribe", r"scribe|note[- ]?taker|notes"),
    ("operations lead", r"ops lead|operations lead|ops"),
    ("on-call", r"(?:primary |secondary )?on-?call|the pager"),
)
_SELF = {
    role: re.compile(
        r"\b(?:i'?m|i am|i'?ll be|i will be|i can be|i'?ll take|i will take|taking|i'?ll run|i'?m running|"
        r"i'?ll handle|i'?m handling|i'?ll do|i'?ll own|i'?m on|i'll be on|acting as|i'?ll act as|"
        r"i'?ll keep|i'?m keeping|i'?ll take over|i have|i'?ve got|i got)\s+(?:the\s+|over\s+(?:as\s+)?)?"
        r"(?:" + words + r")\b",
        re.IGNORECASE,
    )
    for role, words in _ROLES
}
_OTHER = {
    role: (
        re.compile(
            r"(?:is|will be|as|to be|be|you'?re|you are|taking|takes|on|has|gets|now has)\s+"
            r"(?:the\s+|our\s+)?"
            r"(?:" + words + r")\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:" + words + r")\s*(?:is|:|=|will be|->|—|-)\s*$", re.IGNORECASE),
    )
    for role, words in _ROLES
    if role != "on-call"
}


#: Cheap prefilter on the lower-cased text: no role word, no role statement.
_ANY_ROLE = re.compile(r"\bic\b|incident|comm|status|scribe|note|ops|lead|call|pager")


@dataclass
class _Entry:
    name: str
    role: str | None
    evidence: list[str]


class _Names:
    """Finds mentions of known people in one pass: '@handle' or a full name (any case), or a capitalized
    first name that belongs to exactly one person. Built once per draft, not per message."""

    def __init__(self, people: Collection[str]) -> None:
        firsts: dict[str, list[str]] = {}
        for name in people:
            first = name.split()[0] if name.split() else ""
            if len(first) > 2 and first[0].isupper():
                firsts.setdefault(first, []).append(name)
        self.by_lower: dict[str, str] = {}
        for name in people:
            self.by_lower["@" + name.lower()] = name
            if " " in name:
                self.by_lower[name.lower()] = name
        self.by_first = {first: names[0] for first, names in firsts.items() if len(names) == 1}
        self.any_case = self._compile(self.by_lower, re.IGNORECASE)
        self.first_names = self._compile(self.by_first, 0)

    @staticmethod
    def _compile(names: Collection[str], flags: int) -> re.Pattern[str] | None:
        if not names:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w@])(?:{alternatives})(?!\w)", flags)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        if self.any_case is not None:
            found += [
                (m.start(), m.end(), self.by_lower[m.group(0).lower()]) for m in self.any_case.finditer(text)
            ]
        if self.first_names is not None:
            for m in self.first_names.finditer(text):
                if not any(s <= m.start() < e for s, e, _ in found):
                    found.append((m.start(), m.end(), self.by_first[m.group(0)]))
        return found


def _assigned(text: str, names: _Names) -> list[tuple[str, str]]:
    """(name, role) for '@dana is IC' / 'IC: @dana' / 'Dana, you're ops lead' statements in one message."""
    out: list[tuple[str, str]] = []
    for start, end, name in names.find(text):
        after = text[end : end + 40]
        before = text[max(0, start - 30) : start]
        for role, (follows, precedes) in _OTHER.items():
            m = follows.match(after.lstrip(" ,:")) if after else None
            if (m is not None or precedes.search(before)) and not after.lstrip().startswith("?"):
                out.append((name, role))
    return out


def find_responders(events: Iterable[tuple[Event, Tag]], people: Collection[str]) -> list[Responder]:
    """Stated roles and page acks first, then everyone else who spoke, in first-seen order."""
    roles: dict[tuple[str, str], _Entry] = {}
    spoke: dict[str, _Entry] = {}
    names = _Names(people)
    for event, tag in events:
        actor = event.actor.name
        if tag is Tag.ALERT_ACK and not event.actor.is_bot and actor not in ("", "system", "unknown"):
            roles.setdefault((actor, "on-call"), _Entry(actor, "on-call", [event.id]))
            continue
        if tag is not Tag.CHAT:
            continue
        spoke.setdefault(actor, _Entry(actor, None, [event.id]))
        if _ANY_ROLE.search(event.text.lower()) is None:
            continue
        text = statements(event.text)
        for role, pattern in _SELF.items():
            if affirmed(pattern, text) is not None:
                roles.setdefault((actor, role), _Entry(actor, role, [event.id]))
        for name, role in _assigned(text, names):
            roles.setdefault((name, role), _Entry(name, role, [event.id]))
    with_role = {name for name, _ in roles}
    entries = list(roles.values()) + [e for name, e in spoke.items() if name not in with_role]
    return [Responder(name=e.name, role=e.role, evidence=e.evidence) for e in entries[:MAX_RESPONDERS]]
