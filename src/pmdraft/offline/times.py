"""The incident's clock: start, detection, acknowledgement, mitigation, resolution and end.

Each time is one cited event, never a time read out of prose. The rules:

* **detected**: the first alert trigger, customer report, support ticket, or chat message relaying
  what users or support report, inside the incident window; the method says which it was.
* **start**: the first anomalous signal, no later than detection: an alert, a customer report, or a
  person's message describing a symptom in the hour before detection.
* **acknowledged**: the first page acknowledgement after detection; else a responder's 'ack' / 'on it'.
* **mitigated**: the first completed mitigation (rollback, flag off, failover, cancelled query,
  restart) that a sign of recovery follows closely (or that lands while recovery is showing);
  attempts that changed nothing are passed over. Without any recovery sign: the last completed one.
* **resolved**: the first declaration after mitigation: a person resolving the page, a 'resolved'
  status post, a ticket moved to resolved/done/closed, or 'resolved' said in chat; else the last
  alert resolve.
* **end**: when the incident was closed: a 'closing the incident' statement after the resolution,
  else the 'resolved' status-page post, else the resolution itself. (Mitigation marks when user
  impact stopped growing; ``end`` marks when the response ended.)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from pmdraft.events import Event
from pmdraft.offline._text import Cue, Tag, affirmed, tag_event

if TYPE_CHECKING:
    from pmdraft.offline.window import Window

DetectionMethod = Literal["monitor", "user_report", "internal_alert", "support_escalation", "unknown"]

#: Ticket systems whose tickets are written by customers.
SUPPORT_FORMATS = frozenset({"zendesk", "freshdesk", "intercom", "helpscout", "front"})
#: How long before detection a person's symptom report still counts as the start.
START_LOOKBACK = timedelta(minutes=60)
#: How far before detection an alert of the same family still marks the start (it fired unnoticed).
ALERT_LOOKBACK = timedelta(hours=12)
_ALERT_NAME = re.compile(
    r"^[^\w\[]*(?:\[[^\]]*\]\s*|(?i:triggered|firing|resolved|alert|problem|recovered)\b:?\s*)*"
    r"([A-Za-z][\w.-]{3,})"
)
_SEVERITY_SUFFIX = re.compile(
    r"[-_ ]?(?:high|critical|crit|warning|warn|low|elevated|breach|page|info)$", re.I
)
#: How long after detection a chat 'ack' still counts as the acknowledgement.
ACK_WINDOW = timedelta(minutes=30)

_USER_REPORT = Cue(
    r"report|complain|writ|wrote|tweet|email|escalat|say|ticket",
    re.compile(
        r"\b(?:customers?|users?|clients?|merchants?|shoppers?|buyers?|tenants?|players?|partners?)\b"
        r"[^.?!\n]{0,60}?\b(?:report\w*|complain\w*|writ(?:e|es|ing) in|wrote in|tweet\w*|emailed|"
        r"escalat\w*|saying|say)\b"
        r"|\b(?:reports?|complaints?|tickets?|emails?)\b[^.?!\n]{0,30}?\b(?:from|by)\b[^.?!\n]{0,20}?"
        r"\b(?:customers?|users?|clients?|merchants?|partners?)\b",
        re.IGNORECASE,
    ),
)
_SUPPORT_RELAY = Cue(
    r"support",
    re.compile(
        r"\bsupport\b[^.?!\n]{0,40}?\b(?:escalat\w*|report\w*|tickets?|says|saying|flagg\w*|pinged|"
        r"getting|seeing)\b|\bescalat\w* from support\b",
        re.IGNORECASE,
    ),
)
_SYMPTOM = Cue(
    r"spik|elevat|error|exception|[45]\d\d|timeout|timing|latency|slow|degrad|outage|broken|not (?:work"
    r"|load|resp)|unavail|unreach|fail|crash|down|stuck|backing|backlog|saturat|exhaust|oom|pegged|maxed"
    r"|drop",
    re.compile(
        r"\b(?:spik\w*|elevated|high error|error rate|errors?|exceptions?|5\d\ds?|timeouts?|timing out|"
        r"latency|slow(?:er|ness|ed)?|degrad\w*|outage|broken|not (?:working|loading|responding)|"
        r"unavailable|unreachable|failing|failures?|crash\w*|down|stuck|backing up|backlog|saturat\w*|"
        r"exhaust\w*|oom|pegged|maxed out|dropping|dropped)\b",
        re.IGNORECASE,
    ),
)
_CHANGE_ANNOUNCEMENT = re.compile(
    r"\b(?:deploy\w*|releas\w*|ship\w*|rolling out|rolled out|merg\w*|enabl\w*|ramp\w*|migrat\w*)\b",
    re.IGNORECASE,
)
_ACK_CHAT = re.compile(
    r"^\W*(?:ack(?:ed|ing|'d|nowledged?|nowledging)?\b|i'?m on it|on it\b|looking(?: into it| now)?\b|"
    r"opening (?:this|it|an incident|the incident)\b|taking this\b|i'?ll take (?:this|it)\b|"
    r"i'?ve got (?:it|this)|i got (?:it|this)|got it\b|taking (?:a look|this|it)\b|investigating\b|"
    r"i'?m (?:investigating|looking|checking)\b)",
    re.IGNORECASE,
)
MITIGATION_DONE = Cue(
    r"roll|revert|off|disabl|flip|kill|fail|cancel|terminat|pg_|scale|restart|bounce|drain|shed|fix|patch"
    r"|false|mitigat",
    re.compile(
        r"\brolled[ -]?back\b|\brollback\b[^.?!\n]{0,20}?\b(?:done|complete[d]?|finished|succeeded|is out|"
        r"is live|deployed)\b|\breverted\b|\brevert\b[^.?!\n]{0,20}?\b(?:deployed|is out|is live|merged"
        r"|done)\b"
        r"|\b(?:feature[- ]?flag|flag|toggle|kill[- ]?switch)\b[^.?!\n]{0,40}?\b(?:is |now |back )*"
        r"(?:off|disabled|turned off|flipped off|switched off|reverted)\b"
        r"|\b(?:disabled|turned off|switched off|flipped off|flipped back|killed)\b[^.?!\n]{0,40}?"
        r"\b(?:feature[- ]?flag|flag|toggle|feature|kill[- ]?switch)"
        r"|\bfailed[ -]?over\b|\bfail[ -]?over\b[^.?!\n]{0,20}?\b(?:done|complete[d]?|finished)\b"
        r"|\b(?:killed|cancel(?:l)?ed|terminated)\b[^.?!\n]{0,30}?\b(?:query|queries|job|jobs|process|pid|"
        r"backends?|connections?|sessions?|transactions?)\b|\bpg_(?:cancel|terminate)_backend\b"
        r"|\b(?:scaled|scaled up|scaled out)\b|\brestarted\b|\bbounced\b|\bdrained\b|\bshed (?:the )?load\b"
        r"|\b(?:hotfix|fix|patch)\b[^.?!\n]{0,30}?\b(?:deployed|is out|is live|shipped|rolled out)\b"
        r"|\b(?:is|are) (?:now )?(?:off|disabled|switched off|turned off)\b"
        r"|\bset (?:to )?(?:off|false|disabled)\b"
        r"|^\W*mitigated\b|\bmitigated (?:at|by|with|since)\b",
        re.IGNORECASE,
    ),
)
_ONLY_STARTED = re.compile(r"\b(?:started|starting|initiated|in progress|triggered|queued)\b", re.I)
_MITIGATION_STARTED = Cue(
    r"rolling|revert|failing|disabl|turning|kill|restart|scaling",
    re.compile(
        r"\b(?:rolling back|reverting|failing over|disabling|turning off|killing|restarting|"
        r"scaling (?:up|out))\b",
        re.IGNORECASE,
    ),
)
_METRIC_NOUN = (
    r"(?:error rate|errors|latency|[45]\d\ds|[45]xx|p50|p90|p95|p99|timeouts|queue|lag|backlog|failures|"
    r"response times?|load times?)"
)
RECOVERY = Cue(
    r"recover|normal|baseline|back|drop|gone|clear|zero|subsid|decreas|down|fall|fell|good|healthy|better"
    r"|stable|green|stabili|working",
    re.compile(
        r"\brecover(?:ed|ing|y)\b|\b(?:back|return(?:ing|ed)?) to (?:normal|baseline)\b|\bback (?:up"
        r"|online)\b"
        rf"|\b{_METRIC_NOUN}\b[^.?!\n]{{0,40}}?"
        r"\b(?:drop(?:s|ped|ping)?|normal|baseline|recover\w*|gone|cleared|zero|subsid\w*|decreas\w*|"
        r"down to|went down|going down|coming down|came down|falling|fell)\b"
        r"|\blooks? (?:good|healthy|normal|better|stable)\b|\b(?:is|are) (?:healthy|stable)\b"
        r"|\bgreen again\b|\bstabili[sz]ed\b|\bworking (?:again|normally)\b",
        re.IGNORECASE,
    ),
)
RESOLVED_DECLARED = Cue(
    r"resolv|clos|over|clear",
    re.compile(
        r"\b(?:mark\w*|declar\w*|call\w*|moving|moved)\b[^.?!\n]{0,25}?\bresolved\b"
        r"|\bincident\b[^.?!\n]{0,20}?\b(?:is )?(?:now )?(?:resolved|closed|over)\b"
        r"|\b(?:we'?re|we are|this is|it'?s|issue is|is now|has been|have been)\s+(?:fully\s+)?resolved\b"
        r"|\bresolving (?:the |this )?incident\b|\bclosing (?:out )?(?:the |this )?incident\b|\ball clear\b"
        r"|^\W*resolved\b",
        re.IGNORECASE,
    ),
)
#: A short confirmation such as "ok, resolved." or "agreed, resolved".
_SHORT_RESOLVED = Cue(
    r"resolved",
    re.compile(
        r"^\W*(?:(?:agreed|ok|okay|yes|yep|yeah|confirmed|good|great|all|now|fully|incident|issue|it'?s|is|"
        r"we'?re|we|are|marking|marked|declaring|so|and|then|this|that'?s)\W+){0,4}resolved\W*$",
        re.IGNORECASE,
    ),
)
CLOSED = Cue(
    r"clos|wrap|stand",
    re.compile(
        r"\b(?:clos(?:ing|ed?)|wrap(?:ping|ped)? up)\b[^.?!\n]{0,12}?\b(?:the |this |our )?(?:incident"
        r"|channel|"
        r"bridge|war ?room)\b|\bincident (?:is )?(?:now )?closed\b|\bstand(?:ing)? down\b",
        re.IGNORECASE,
    ),
)
_STATUS_RESOLVED = re.compile(r"\bresolved\b|\bfully (?:operational|restored)\b", re.IGNORECASE)
_TICKET_WORKING = re.compile(r"progress|investigat|acknowledg|triag|working|assigned", re.IGNORECASE)
_SAID = frozenset({Tag.CHAT, Tag.ALERT_OTHER, Tag.TICKET_COMMENT})
_STATUS_WORD = re.compile(r"\bstatus ?page\b", re.IGNORECASE)
_UNRESOLVED = re.compile(r"\b(?:un|not |isn'?t |not yet )resolved\b", re.IGNORECASE)
_TICKET_DONE = re.compile(r"\b(?:resolved|done|closed|fixed|solved|complete[d]?)\b", re.IGNORECASE)
#: How long after detection the scans for mitigation and resolution look (bounds the work on huge exports).
HORIZON = timedelta(hours=72)
#: How long after the resolution a 'closing the incident' statement still counts as the end.
CLOSE_WITHIN = timedelta(hours=24)
#: How close a recovery sign must follow a mitigation (or precede it, while it is being applied).
RECOVERY_AFTER = timedelta(minutes=20)
RECOVERY_BEFORE = timedelta(minutes=5)


@dataclass
class TimeFindings:
    """The chosen events; None where the sources establish nothing."""

    start: Event | None = None
    detected: Event | None = None
    detection_method: DetectionMethod = "unknown"
    acknowledged: Event | None = None
    mitigated: Event | None = None
    resolved: Event | None = None
    end: Event | None = None
    #: Every completed mitigation action, tried or effective (timeline key moments).
    mitigations: list[Event] = field(default_factory=list)
    #: Recovery messages and alert resolves from just before the first mitigation on.
    recoveries: list[Event] = field(default_factory=list)


def detection_method(event: Event, tag: Tag) -> DetectionMethod | None:
    """How this event would have detected the incident, or None when it is not a detection signal."""
    if tag is Tag.ALERT:
        return "monitor"
    if tag is Tag.CUSTOMER:
        return "user_report"
    if tag is Tag.TICKET and event.source_format in SUPPORT_FORMATS:
        return "support_escalation"
    if tag is Tag.CHAT or tag is Tag.TICKET:
        if _SUPPORT_RELAY.search(event.text):
            return "support_escalation"
        if _USER_REPORT.search(event.text):
            return "user_report"
    return None


def is_symptom_report(event: Event, tag: Tag) -> bool:
    """A person describing a symptom, not announcing a change or asking for one."""
    if tag is not Tag.CHAT or not _SYMPTOM.search(event.text):
        return False
    return not _CHANGE_ANNOUNCEMENT.search(event.text)


def completed_mitigation(event: Event, tag: Tag) -> bool:
    """A mitigation that happened (not one proposed, asked about or denied)."""
    if tag is Tag.ROLLBACK:
        return not _ONLY_STARTED.search(event.text)
    if tag not in (Tag.CHAT, Tag.FLAG, Tag.DEPLOY, Tag.ALERT_OTHER, Tag.TICKET_COMMENT, Tag.STATUS):
        return False
    return affirmed(MITIGATION_DONE, event.text) is not None


def find_times(events: Sequence[Event], tags: Sequence[Tag], window: Window) -> TimeFindings:
    """Choose each moment from the window's events (see the module docstring for the rules)."""
    found = TimeFindings()
    tail = window.end + HORIZON
    stamps = [e.time for e in events]
    lo, hi = bisect_left(stamps, window.start), bisect_right(stamps, tail)
    inside = list(zip(events[lo:hi], tags[lo:hi], strict=True))

    for event, tag in inside:
        if event.time > window.end:
            break
        method = detection_method(event, tag)
        if method is not None:
            found.detected, found.detection_method = event, method
            break

    detected = found.detected
    if detected is not None:
        found.start = detected
        first = bisect_left(stamps, detected.time - START_LOOKBACK)
        for event, tag in zip(events[first:], tags[first:], strict=True):
            if event.time > detected.time:
                break
            if is_symptom_report(event, tag):
                found.start = event
                break
        first = bisect_left(stamps, detected.time - ALERT_LOOKBACK)
        last = bisect_left(stamps, detected.time)
        earlier = _earlier_related_alert(events[first:last], tags[first:last], inside, detected)
        if earlier is not None and earlier.time < found.start.time:
            found.start = earlier
    else:
        found.start = next((e for e, t in inside if is_symptom_report(e, t)), None)
    if found.start is None:
        return found

    origin = detected or found.start
    after = [(e, t) for e, t in inside if e.time >= origin.time]
    found.acknowledged = next((e for e, t in after if t is Tag.ALERT_ACK), None)
    if found.acknowledged is None:
        found.acknowledged = next(
            (
                e
                for e, t in after
                if e.time <= origin.time + ACK_WINDOW
                and (
                    (t is Tag.CHAT and _ACK_CHAT.search(e.text))
                    or (t is Tag.TICKET_STATUS and _TICKET_WORKING.search(e.attrs.get("status_to", "")))
                )
            ),
            None,
        )

    _find_mitigation(found, after)
    _find_resolution(found, after)
    return found


def alert_family(event: Event) -> str:
    """An alert's name without its severity suffix: 'OrdersQueueDepthHigh' and '...Critical' are one
    family, so a warning that fired hours before the page is the same signal, earlier."""
    name = event.attrs.get("alert_name") or ""
    if not name:
        m = _ALERT_NAME.search(event.text)
        name = m.group(1) if m else ""
    return _SEVERITY_SUFFIX.sub("", name).lower()


def _earlier_related_alert(
    events: Sequence[Event], tags: Sequence[Tag], inside: list[tuple[Event, Tag]], detected: Event
) -> Event | None:
    """The first alert of the incident's alert families (or services) that fired in the hours before
    detection and was still firing when the incident was detected; None when there is none."""
    families = {alert_family(e) for e, t in inside if t is Tag.ALERT} - {""}
    services = {e.attrs["service"] for e, t in inside if t is Tag.ALERT and e.attrs.get("service")}
    if not families and not services:
        return None
    firing: dict[str, Event] = {}
    for event, tag in zip(events, tags, strict=True):
        if event.time >= detected.time:
            break
        if event.time < detected.time - ALERT_LOOKBACK or tag not in (Tag.ALERT, Tag.ALERT_RESOLVE):
            continue
        family = alert_family(event)
        related = family in families or event.attrs.get("service", "") in services
        if not related:
            continue
        key = family or event.attrs.get("service", "")
        if tag is Tag.ALERT:
            firing.setdefault(key, event)
        else:
            firing.pop(key, None)
    return min(firing.values(), key=lambda e: e.time) if firing else None


def _find_mitigation(found: TimeFindings, after: list[tuple[Event, Tag]]) -> None:
    """One pass that stops at the first completed mitigation a recovery sign confirms."""
    horizon = after[0][0].time + HORIZON
    pending: list[Event] = []
    recent: deque[Event] = deque()
    started: Event | None = None
    for event, tag in after:
        if event.time > horizon:
            break
        while recent and recent[0].time < event.time - RECOVERY_BEFORE:
            recent.popleft()
        if completed_mitigation(event, tag):
            found.mitigations.append(event)
            if recent:
                found.mitigated = event
                return
            pending.append(event)
            continue
        if tag is Tag.ALERT_RESOLVE or (tag in _SAID and affirmed(RECOVERY, event.text)):
            if found.mitigations:
                found.recoveries.append(event)
            pending = [m for m in pending if event.time <= m.time + RECOVERY_AFTER]
            if pending:
                found.mitigated = pending[0]
                return
            recent.append(event)
        elif started is None and tag is Tag.CHAT and affirmed(_MITIGATION_STARTED, event.text):
            started = event
    found.mitigated = found.mitigations[-1] if found.mitigations else started


def _declares_resolved(event: Event, tag: Tag) -> bool:
    text = event.text
    if tag is Tag.ALERT_RESOLVE:
        return not (event.is_bot or event.actor.is_bot)
    if tag is Tag.STATUS:
        return bool(_STATUS_RESOLVED.search(text)) and not _UNRESOLVED.search(text)
    if tag is Tag.TICKET_STATUS:
        return bool(_TICKET_DONE.search(event.attrs.get("status_to", "") or text))
    if tag is Tag.CHAT:
        if _UNRESOLVED.search(text):
            return False
        return affirmed(RESOLVED_DECLARED, text) is not None or _SHORT_RESOLVED.match(text) is not None
    return False


def _find_resolution(found: TimeFindings, after: list[tuple[Event, Tag]]) -> None:
    floor = (found.mitigated or found.detected or found.start or after[0][0]).time
    last_resolve: Event | None = None
    for event, tag in after:
        if event.time < floor:
            continue
        if event.time > floor + HORIZON:
            break
        if _declares_resolved(event, tag):
            found.resolved = event
            break
        if tag is Tag.ALERT_RESOLVE:
            last_resolve = event
    found.resolved = found.resolved or last_resolve
    resolved = found.resolved
    if resolved is None:
        return
    status_post: Event | None = resolved if _is_resolved_post(resolved, tag_event(resolved)) else None
    for event, tag in after:
        if event.time < resolved.time or event.id == resolved.id:
            continue
        if event.time > resolved.time + CLOSE_WITHIN:
            break
        if tag in _SAID and affirmed(CLOSED, event.text):
            found.end = event
            return
        if status_post is None and _is_resolved_post(event, tag):
            status_post = event
    found.end = status_post or resolved


def _is_resolved_post(event: Event, tag: Tag) -> bool:
    """A status-page post (or one pasted into chat) that says the incident is resolved."""
    if tag is not Tag.STATUS and not (tag is Tag.CHAT and _STATUS_WORD.search(event.text)):
        return False
    return bool(_STATUS_RESOLVED.search(event.text)) and not _UNRESOLVED.search(event.text)
