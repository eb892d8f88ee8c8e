"""Action items as the sources state them, plus the post-mortem owner and review date when stated.

Rules, each deliberately strict because an invented owner or date is worse than none:

* An item is a line introduced by 'action item:', 'AI:', 'follow-up:', 'TODO', 'next steps:' (bullets
  under such a heading count), a ticket filed after mitigation, or, once the incident is mitigated,
  a 'we should / we need to / going forward' sentence.
* ``owner`` is set only when the item's own line names one (an @mention of a known person, 'owner: X',
  'assigned to X', 'X to <verb>' with X a known person), or its author or a thread reply says
  "I'll take it"; ``due`` only when a date phrase ('by Friday', 'due 2024-03-15') is on the line.
* ``origin`` is ``agreed`` only when the message or a reply in its thread says agreed/decided.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pmdraft.events import Event
from pmdraft.offline._text import Cue, Tag, own_words, quote
from pmdraft.offline.hypotheses import content_words
from pmdraft.offline.times import SUPPORT_FORMATS
from pmdraft.schema import ActionItem, StatedValue

#: Action items kept at most.
MAX_ACTIONS = 25

ActionType = Literal["detect", "mitigate", "prevent", "process"]

_EXPLICIT = Cue(
    r"action|ai|follow|todo|to-do",
    re.compile(
        r"\b(?:action items?|AIs?|follow[- ]?ups?|to-?dos?)\s*(?:[#-]?\d+|\(\w+\))?\s*[:\-–—)]\s*"
        r"|\b(?-i:TODO)\b\s*:?\s*|\b(?:as a|filed a|opened a|created a) follow[- ]?up\b[^:]{0,20}?:?\s*",
        re.IGNORECASE,
    ),
)
_FILED = Cue(
    r"filed|opened|created|raised|logged",
    re.compile(
        r"\b(?:filed|opened|created|raised|logged)\b[^.?!\n]{0,30}?\b(?:tickets?|issues?|jira|bugs?|"
        r"[A-Z][A-Z0-9]+-\d+)\b",
    ),
)
_SHOULD = Cue(
    r"we |let|going forward|in the future|next time",
    re.compile(
        r"\b(?:we (?:should|need to|must|ought to|have to|'?ll need to)|let'?s make sure|going forward|"
        r"in the future|next time)\b",
        re.IGNORECASE,
    ),
)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)]|\[ ?\])\s+")
_MENTION = re.compile(r"@([\w.\-]+)")
_OWNER_LABEL = re.compile(
    r"\b(?i:owner|owned by|assigned to|assignee|dri)\b"
    r"\s*[:=]?\s*@?([A-Z][\w.\-]*(?: [A-Z][\w.\-]*)?|[\w.\-]+)"
    r"|\(@?([A-Z][\w.\-]*(?: [A-Z][\w.\-]*)?)\)|\(@([\w.\-]+)\s*[,)]"
    r"|\(([A-Z][\w.\-]*(?: [A-Z][\w.\-]*)?),\s*(?:due\s*)?\d{4}-\d{2}-\d{2}",
)
#: '(@irene, 2024-05-24)' / '(Henrik, 2024-06-14)': owner and due date in one parenthesis.
_PAREN_DUE = re.compile(r"\(@?[\w.\- ]+,\s*(\d{4}-\d{2}-\d{2})\)")
_SELF_WORDS = frozenset({"me", "myself", "mine", "i"})
#: 'owner TBD', 'needs an owner in identity': the word after the label names nobody.
_NO_OWNER = frozenset(
    "tbd tbc tba none nobody unassigned unowned needed pending unknown n/a ? in for of to the a an is "
    "was and or on at by with from needs please".split()
)
#: 'Owner Henrik, due 2024-06-14' on a line after mitigation: an assignment, so a follow-up.
_ASSIGNMENT = Cue(
    r"owner|due|assign",
    re.compile(r"\b(?i:owner|assigned to)\b\s*[:=]?\s*@?[\w.\-]+|\b(?i:due)\s*:?\s*\d{4}-\d{2}-\d{2}"),
)
_NUMBERING = re.compile(r"^\W*\d+[.):]\s*")
#: A short reply accepting the action item just proposed ('agreed', '+1', 'ok for 3').
_AGREE_NEXT = re.compile(r"^\W*(?:agreed|agree|\+1|ok(?:ay)?|sounds good|lgtm|yes|yep|yeah)\b", re.IGNORECASE)
#: How soon after an action item a short reply still answers it.
AGREE_WITHIN = timedelta(minutes=5)
#: '... - Jonas Berg, due 2024-03-15' / '... — @Mei Lin': a name after a dash, at the end or before 'due'.
_DASH_NAME = re.compile(r"\s[-–—]\s+@?([A-Z][\w.\-]*(?: [A-Z][\w.\-]*){0,2})\s*(?:,\s*(?:due|by)\b|\(|$)")
_NAME_TO = re.compile(r"^\W*@?([A-Z][\w.\-]*(?: [A-Z][\w.\-]*)?) (?:to|will) \w+")
_TAKE_IT = re.compile(
    r"\b(?:i'?ll|i will|i can|i'?m going to|i'?m gonna)\s+(?:take|own|do|handle|pick up|grab|draft|write|"
    r"drive|fix|build|add|check|look into|file)\s+(?:it|this|that|this one|that one|them|these|the \w+)\b"
    r"|\bmine\b|\bassign(?:ed)? (?:it |that )?to me\b",
    re.IGNORECASE,
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DUE = re.compile(
    rf"\b(?:by|due(?: date)?(?: by| on)?|before|until|no later than|deadline)\s*:?\s*"
    rf"((?:(?:next|this|end of(?: the)?|the end of(?: the)?)\s+)?(?:{_DAY}|week|sprint|month|quarter|"
    rf"q[1-4]|eow|eod|eom|tomorrow)\b|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
    rf"|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH})",
    re.IGNORECASE,
)
_AGREED = re.compile(r"\b(?:agreed|we agree|all agree|decided|consensus|signed off)\b", re.IGNORECASE)
_AGREE_REPLY = re.compile(
    r"^\W*(?:agreed|agree|\+1,? agreed|yes,? agreed|sounds good,? agreed|decided)\b", re.IGNORECASE
)
_TYPES: tuple[tuple[ActionType, re.Pattern[str]], ...] = (
    (
        "detect",
        re.compile(
            r"\b(?:alert\w*|monitor\w*|dashboards?|detect\w*|pag(?:e|ing)|slos?|synthetic|probes?|"
            r"observability|metrics?|logging|visibility|notif\w*)\b",
            re.I,
        ),
    ),
    (
        "mitigate",
        re.compile(
            r"\b(?:roll ?backs?|rolling back|runbooks?|playbooks?|kill[- ]?switch\w*|fail ?over|revert\w*|"
            r"mitigat\w*|recover\w*|restore\w*)\b",
            re.I,
        ),
    ),
    (
        "process",
        re.compile(
            r"\b(?:process|post-?mortems?|docs?|document\w*|communicat\w*|comms|status ?page|training|"
            r"on-?call|handoffs?|checklists?|polic(?:y|ies)|escalat\w*|review meeting)\b",
            re.I,
        ),
    ),
)
_PM_OWNER = Cue(
    r"owner|i'?ll",
    re.compile(
        r"\b(?:post-?mortem|pm|retro|incident review)\s+owner\s*[:=]?\s*@?([A-Z][\w.\-]*(?: [A-Z][\w.\-]*)?)"
        r"|\bi'?ll (?:write|own|draft|run|drive) (?:up )?the (?:post-?mortem|pm|retro|incident review)\b",
        re.IGNORECASE,
    ),
)
_REVIEW = Cue(
    r"mortem|retro|review",
    re.compile(
        r"\b(?:post-?mortem|retro|incident review|pm review)\b[^.?!\n]{0,40}?\b(?:on|at|for|scheduled for)\s+"
        rf"((?:next |this )?{_DAY}|tomorrow|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?)\b",
        re.IGNORECASE,
    ),
)


@dataclass
class _Item:
    event: Event
    description: str
    line: str
    owner: StatedValue | None = None
    due: StatedValue | None = None
    agreed: bool = False
    extra: list[str] = field(default_factory=list)


def action_type(text: str) -> ActionType:
    """detect / mitigate / process by keywords; everything else prevents recurrence."""
    for name, pattern in _TYPES:
        if pattern.search(text):
            return name
    return "prevent"


def _owner_on(line: str, event: Event, people: Collection[str]) -> StatedValue | None:
    known = {p.lower(): p for p in people}
    firsts = {p.split()[0].lower() for p in people if p.split()}
    for m in _MENTION.finditer(line):
        for name in sorted(people, key=len, reverse=True):
            if line[m.start() + 1 :].lower().startswith(name.lower()):
                return StatedValue(value=name, evidence=[event.id])
    label = _OWNER_LABEL.search(line)
    value = next(g for g in label.groups() if g).strip() if label is not None else ""
    lowered = value.lower()
    if label is not None and lowered.split()[0] not in _NO_OWNER:
        if lowered in _SELF_WORDS and not event.actor.is_bot:
            return StatedValue(value=event.actor.name, evidence=[event.id])
        if (
            label.group(1)
            or label.group(3)
            or label.group(4)
            or lowered in known
            or lowered.split()[0] in firsts
        ):
            return StatedValue(value=value, evidence=[event.id])
    dash = _DASH_NAME.search(line)
    if dash is not None:
        return StatedValue(value=dash.group(1), evidence=[event.id])
    name_to = _NAME_TO.match(line)
    if name_to is not None and name_to.group(1).lower().split()[0] in firsts | set(known):
        return StatedValue(value=name_to.group(1), evidence=[event.id])
    if _TAKE_IT.search(line) and not event.actor.is_bot:
        return StatedValue(value=event.actor.name, evidence=[event.id])
    return None


def _due_on(line: str, event: Event) -> StatedValue | None:
    m = _DUE.search(line) or _PAREN_DUE.search(line)
    return StatedValue(value=m.group(1), evidence=[event.id]) if m is not None else None


def _lines_after_cue(text: str) -> list[str]:
    """The item text after an explicit cue; a heading followed by bullets yields one item per bullet."""
    lines = text.splitlines() or [text]
    items: list[str] = []
    for i, line in enumerate(lines):
        m = _EXPLICIT.search(line)
        if m is None:
            continue
        rest = line[m.end() :].strip()
        if rest:
            items.append(rest)
            continue
        for bullet in lines[i + 1 :]:
            if not _BULLET.match(bullet):
                break
            items.append(_BULLET.sub("", bullet).strip())
    return [i for i in items if len(i) > 3]


def _candidates(event: Event, tag: Tag, mitigated: datetime | None) -> list[str]:
    text = own_words(event.text)
    if tag is Tag.TICKET and event.source_format not in SUPPORT_FORMATS:
        if "incident" in event.attrs.get("issue_type", "").lower():
            return []
        if mitigated is not None and event.time >= mitigated:
            return [text.splitlines()[0] if text else ""]
        return []
    if tag is not Tag.CHAT and tag is not Tag.TICKET_COMMENT:
        return []
    items = _lines_after_cue(text)
    if items:
        return items
    if mitigated is None or event.time < mitigated:
        return []
    if _FILED.search(text):
        return [quote(text)]
    out: list[str] = []
    for line in text.splitlines():
        if line.rstrip().endswith("?"):
            continue
        m = _SHOULD.search(line)
        if m is not None:
            out.append(line[m.start() :].strip())
        elif _ASSIGNMENT.search(line):
            out.append(_NUMBERING.sub("", line).strip())
    return out


def find_action_items(
    events: Sequence[tuple[Event, Tag]],
    people: Collection[str],
    mitigated: datetime | None,
) -> list[ActionItem]:
    """Stated follow-ups in time order, with owner, due date and agreement only where stated."""
    items: list[_Item] = []
    by_thread: dict[str, list[_Item]] = {}
    seen: set[str] = set()
    last: list[_Item] = []
    for event, tag in events:
        if last and tag is Tag.CHAT:
            _answer(last, event)
        thread = event.thread_id
        if thread is not None and thread in by_thread and tag is Tag.CHAT:
            open_items = by_thread[thread]
            for item in open_items:
                if _AGREE_REPLY.match(event.text):
                    item.agreed = True
                    item.extra.append(event.id)
            ownerless = [i for i in open_items if i.owner is None]
            if len(ownerless) == 1 and _TAKE_IT.search(event.text) and not event.actor.is_bot:
                ownerless[0].owner = StatedValue(value=event.actor.name, evidence=[event.id])
        if len(items) >= MAX_ACTIONS:
            continue
        created: list[_Item] = []
        for line in _candidates(event, tag, mitigated):
            description = quote(line.rstrip(" .;"), 300)
            key = description.lower()
            if not description or key in seen:
                continue
            seen.add(key)
            same = _same_item(items, line, event)
            if same is not None:
                _restate(same, event, line, people)
                continue
            item = _Item(
                event=event,
                description=description,
                line=line,
                owner=_owner_on(line, event, people),
                due=_due_on(line, event),
                agreed=bool(_AGREED.search(event.text)),
            )
            items.append(item)
            created.append(item)
            by_thread.setdefault(thread or event.id, []).append(item)
        if created:
            last = created
    return [_action(item) for item in items[:MAX_ACTIONS]]


def _answer(last: list[_Item], event: Event) -> None:
    """A short reply right after an action item: 'agreed' / '+1' accepts it, 'mine' takes it."""
    proposed = last[0].event
    if event.id == proposed.id or event.time - proposed.time > AGREE_WITHIN or event.actor.is_bot:
        return
    if _where(event) != _where(proposed):
        return
    text = event.text.strip()
    if len(text.split()) > 8 or event.actor.name == proposed.actor.name:
        return
    if _AGREE_NEXT.match(text):
        for item in last:
            item.agreed = True
            item.extra.append(event.id)
    if len(last) == 1 and last[0].owner is None and _TAKE_IT.search(text):
        last[0].owner = StatedValue(value=event.actor.name, evidence=[event.id])


#: Share of content words two lines must have in common to be the same action item restated.
SAME_ITEM = 0.5


def _same_item(items: Sequence[_Item], line: str, event: Event) -> _Item | None:
    """An earlier item this line restates in the same conversation or in a ticket (a summary list
    after the discussion, the ticket that tracks it)."""
    words = content_words(line)
    if len(words) < 3:
        return None
    for item in items:
        if not (_where(item.event) == _where(event) or event.kind.value.startswith("ticket")):
            continue
        theirs = content_words(item.line)
        if theirs and len(words & theirs) / min(len(words), len(theirs)) >= SAME_ITEM:
            return item
    return None


def _restate(item: _Item, event: Event, line: str, people: Collection[str]) -> None:
    """A restatement adds its evidence, and agreement, owner and due date when the original lacked them."""
    if event.id not in item.extra:
        item.extra.append(event.id)
    if _AGREED.search(event.text):
        item.agreed = True
    if item.owner is None:
        item.owner = _owner_on(line, event, people)
    if item.due is None:
        item.due = _due_on(line, event)


def _where(event: Event) -> str:
    """The conversation a reply must be in to answer a message: thread, else channel, else file."""
    return event.thread_id or event.attrs.get("channel") or event.source_file


def _action(item: _Item) -> ActionItem:
    evidence = list(dict.fromkeys([item.event.id, *item.extra]))
    for stated in (item.owner, item.due):
        if stated is not None:
            evidence.extend(i for i in stated.evidence if i not in evidence)
    return ActionItem(
        description=item.description,
        type=action_type(item.line),
        risk_reduction=None,
        owner=item.owner.value if item.owner else None,
        due=item.due.value if item.due else None,
        origin="agreed" if item.agreed else "suggested",
        evidence=evidence,
        unsupported=False,
    )


def find_postmortem_owner(events: Sequence[tuple[Event, Tag]]) -> StatedValue | None:
    """'postmortem owner: X' or 'I'll write the postmortem' (the speaker)."""
    for event, tag in events:
        if tag is not Tag.CHAT and tag is not Tag.TICKET_COMMENT:
            continue
        m = _PM_OWNER.search(event.text)
        if m is not None and not event.text.rstrip().endswith("?"):
            return StatedValue(value=m.group(1) or event.actor.name, evidence=[event.id])
    return None


def find_review_date(events: Sequence[tuple[Event, Tag]]) -> StatedValue | None:
    """'postmortem review on Thursday': the date phrase as written."""
    for event, tag in events:
        if tag is not Tag.CHAT and tag is not Tag.TICKET_COMMENT:
            continue
        m = _REVIEW.search(event.text)
        if m is not None:
            return StatedValue(value=m.group(1), evidence=[event.id])
    return None
