"""Key timeline events, ranked by salience and capped to a readable number.

Every event in the incident window gets a score from what it is (an alert's first trigger, a
rollback, a status post) and what it says (a declaration, a decision, a flag change, a recovery).
The chosen times (detection, mitigation, resolution, ...) are always kept. The top
``MAX_ENTRIES`` are shown in time order. Noise (joins, reaction-only messages, bot chatter,
notification fan-out) never scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from pmdraft.events import Event
from pmdraft.offline._text import FLAG_CHANGE, Cue, Tag, affirmed, first_line, own_words, quote, statements
from pmdraft.offline.times import (
    CLOSED,
    MITIGATION_DONE,
    RECOVERY,
    RESOLVED_DECLARED,
    detection_method,
    is_symptom_report,
)
from pmdraft.schema import KeyMoment, TimelineEntry

#: Entries shown at most; enough for the story, few enough to read before the meeting.
MAX_ENTRIES = 30
#: How far before the start a deploy or flag change is still shown (it may be the trigger).
CHANGE_LOOKBACK = timedelta(hours=2)
#: Alerts this close after another are one notification burst (PagerDuty and its chat echo).
ALERT_BURST = timedelta(minutes=5)
#: Extra minutes after the window's last signal that still belong to the incident.
TAIL = timedelta(minutes=30)

#: Timeline kind for each tag (TimelineEntry.kind vocabulary).
KIND_OF: Mapping[Tag, str] = {
    Tag.ALERT: "alert",
    Tag.ALERT_ACK: "alert",
    Tag.ALERT_RESOLVE: "alert",
    Tag.ALERT_OTHER: "alert",
    Tag.DEPLOY: "deploy",
    Tag.ROLLBACK: "rollback",
    Tag.FLAG: "deploy",
    Tag.STATUS: "status_update",
    Tag.CUSTOMER: "customer_report",
    Tag.TICKET: "ticket",
    Tag.TICKET_STATUS: "ticket",
    Tag.TICKET_COMMENT: "ticket",
    Tag.CHAT: "chat",
}
_BASE: Mapping[Tag, float] = {
    Tag.ALERT: 10,
    Tag.ALERT_ACK: 8,
    Tag.ALERT_RESOLVE: 6,
    Tag.ALERT_OTHER: 3,
    Tag.DEPLOY: 7,
    Tag.ROLLBACK: 10,
    Tag.FLAG: 8,
    Tag.STATUS: 9,
    Tag.CUSTOMER: 8,
    Tag.TICKET: 5,
    Tag.TICKET_STATUS: 4,
    Tag.TICKET_COMMENT: 1,
    Tag.CHAT: 0,
}
_DECLARE = Cue(
    r"declar|incident|sev|pag|escalat",
    re.compile(
        r"\b(?:declar\w*|this is an incident|open(?:ing|ed)? an incident|start(?:ing|ed)? an incident|"
        r"sev[- ]?[0-4]|paging|paged|escalat\w*)\b",
        re.IGNORECASE,
    ),
)
_DECISION = Cue(
    r"let|we'?ll|we will|going to|decid|decision|plan is|i'?m going|go ahead|do it|proceed",
    re.compile(
        r"\b(?:let'?s|we'?ll|we will|going to|decided|decision|plan is|i'?m going to|go ahead|do it|"
        r"proceed)\b[^.?!\n]{0,40}?\b(?:roll ?back|revert|disable|turn (?:it |the \w+ )?off|flip|fail ?over|"
        r"restart|kill|scale|page|escalate|post|status ?page|block|drain|throttle|pause|stop)",
        re.IGNORECASE,
    ),
)
_STARTED = Cue(
    r"rolling|revert|failing|disabl|turning|kill|restart|scaling",
    re.compile(
        r"\b(?:rolling back|reverting|failing over|disabling|turning off|killing|restarting|"
        r"scaling (?:up|out))\b",
        re.IGNORECASE,
    ),
)
_ROLE = Cue(
    r"ic\b|incident commander|comms|scribe|lead|pager",
    re.compile(
        r"\b(?:i'?m|i am|i'?ll be|taking|i have|has|you'?re)\s+(?:the\s+)?(?:ic|incident commander|comms"
        r"|scribe|"
        r"ops lead|operations lead|tech lead|the pager)\b",
        re.I,
    ),
)
_HANDOFF = Cue(
    r"hand|taking over",
    re.compile(r"\bhand(?:ing|ed)? (?:over|off)\b|\bhandoff\b|\btaking over\b", re.I),
)
_REPAIR = Cue(
    r"applied|deployed|shipped|merged|is out|is live",
    re.compile(
        r"\b(?:hotfix|fix|patch|migration|config|change)\b[^.?!\n]{0,30}?\b(?:deployed|is out|is live"
        r"|shipped|"
        r"merged|applied)\b|^\W*(?:\S+\s+){0,2}\S+ (?:applied|deployed|shipped|merged)\b",
        re.I,
    ),
)
_STATE_CHANGE = Cue(
    r"prod|staging|all|every",
    re.compile(
        r"\b(?:is|are) (?:now |back )?(?:on|off|enabled|disabled)\b (?:again )?(?:in|for|on) (?:prod\w*"
        r"|staging|"
        r"all|everyone|every)\b",
        re.I,
    ),
)
#: A pasted error, exception or query output: what responders were looking at.
_FINDING = Cue(
    r"```|error|exception|traceback|pg_stat|stack",
    re.compile(r"```|\b\w+(?:Error|Exception)\b|\bTraceback\b|\bpg_stat_activity\b|\bstack ?trace\b"),
)
_STATUS_POST = Cue(
    r"status",
    re.compile(
        r"^\W*status ?page\b[^.?!\n]{0,20}?\b(?:investigating|identified|monitoring|resolved|update)\b", re.I
    ),
)
_CHAT_RULES: tuple[tuple[float, Callable[[str, str], object]], ...] = (
    (9, lambda t, lo: affirmed(MITIGATION_DONE, t, lo)),
    (
        8,
        lambda t, lo: (
            affirmed(RESOLVED_DECLARED, t, lo) or affirmed(CLOSED, t, lo) or _STATUS_POST.search(t, lo)
        ),
    ),
    (7, lambda t, lo: _DECLARE.search(t, lo) or _DECISION.search(t, lo) or affirmed(FLAG_CHANGE, t, lo)),
    (7, lambda t, lo: _STATE_CHANGE.search(t, lo) or _ROLE.search(t, lo)),
    (6, lambda t, lo: affirmed(RECOVERY, t, lo) or _REPAIR.search(t, lo) or _HANDOFF.search(t, lo)),
    (5, lambda t, lo: affirmed(_STARTED, t, lo) or _FINDING.search(t, lo)),
)


def chat_score(event: Event, tag: Tag) -> float:
    """How much a person's message matters to the story, from what it says (the best rule wins)."""
    text = statements(own_words(event.text))
    if text:
        low = text.lower()
        for score, rule in _CHAT_RULES:
            if rule(text, low):
                return score
    if detection_method(event, tag) is not None:
        return 7
    return 4 if is_symptom_report(event, tag) else 0


def build_timeline(
    events: Sequence[tuple[Event, Tag]],
    moments: Mapping[str, KeyMoment | None],
    extra_scores: Mapping[str, float],
    start: datetime,
    end: datetime,
    limit: int = MAX_ENTRIES,
) -> list[TimelineEntry]:
    """The top-scoring events between ``start`` and ``end`` (plus changes just before), in time order.

    ``moments`` maps event ids chosen as key times to their key moment (kept whatever their score);
    ``extra_scores`` adds what other extractors know (a hypothesis confirmed, a customer update).
    """
    seen_alerts: set[str] = set()
    last_alert: dict[Tag, datetime] = {}
    scored: list[tuple[float, int, Event, Tag]] = []
    for index, (event, tag) in enumerate(events):
        if tag is Tag.NOISE or event.time > end + TAIL:
            continue
        before_start = event.time < start
        if before_start and not (
            event.id in moments or (tag in (Tag.DEPLOY, Tag.FLAG) and event.time >= start - CHANGE_LOOKBACK)
        ):
            continue
        score = _BASE.get(tag, 0.0)
        if tag is Tag.CHAT or tag is Tag.TICKET_COMMENT:
            score = max(score, chat_score(event, tag))
        elif tag in (Tag.ALERT, Tag.ALERT_RESOLVE, Tag.ALERT_ACK):
            name = f"{tag}:{event.attrs.get('alert_name') or first_line(event.text, 80)}"
            previous = last_alert.get(tag)
            if name in seen_alerts or (previous is not None and event.time - previous <= ALERT_BURST):
                score = 2
            seen_alerts.add(name)
            last_alert[tag] = event.time
        score = max(score, extra_scores.get(event.id, 0.0))
        if event.id in moments:
            score = 100
        if score > 0:
            scored.append((score, index, event, tag))
    top = sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]
    top.sort(key=lambda s: s[1])
    return [_entry(event, tag, moments.get(event.id)) for _, _, event, tag in top]


def _entry(event: Event, tag: Tag, moment: KeyMoment | None) -> TimelineEntry:
    text = quote(event.text, 200) if tag in (Tag.CHAT, Tag.TICKET_COMMENT) else first_line(event.text, 200)
    return TimelineEntry(
        at=event.time,
        kind=KIND_OF.get(tag, "chat"),
        key_moment=moment,
        text=text or event.kind.value,
        evidence=[event.id],
        unsupported=False,
        origin="source",
    )
