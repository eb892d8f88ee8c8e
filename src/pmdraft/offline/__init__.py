"""The no-key drafting path: a deterministic, evidence-only post-mortem from rules.

Every claim the rules make cites the events it was read from; sections that need judgement or
prose (narrative, root cause analysis, lessons) are left empty for a model or a person, and the
pipeline flags them. The extractors live one concern per module; this module only wires them:

    events -> tags (what each event is) -> incident window -> times -> everything else.

The rules are general on purpose (phrasings responders use in any incident), not tuned to the
bundled fixtures; see tests/offline/ for the positives and negatives each rule must get right.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from pmdraft.events import Event
from pmdraft.offline._text import FLAG_CHANGE, Tag, affirmed, first_line, quote, tag_event
from pmdraft.offline.actions import find_action_items, find_postmortem_owner, find_review_date
from pmdraft.offline.blank import blank_postmortem
from pmdraft.offline.comms import find_communications
from pmdraft.offline.hypotheses import find_hypotheses
from pmdraft.offline.impact import find_metrics, find_services, find_severity
from pmdraft.offline.questions import find_open_questions
from pmdraft.offline.responders import find_responders
from pmdraft.offline.timeline import CHANGE_LOOKBACK, TAIL, build_timeline
from pmdraft.offline.times import TimeFindings, find_times
from pmdraft.offline.window import find_window
from pmdraft.schema import (
    Communication,
    Detection,
    Durations,
    GeneratedBy,
    Hypothesis,
    Impact,
    KeyMoment,
    Narrative,
    PostMortem,
    ReviewFlag,
    Statement,
    TimePoint,
    Times,
)

__all__ = ["draft_offline", "extract_sections"]

#: Communications sent after resolution (a next-day email) still belong to the incident.
COMMS_AFTER = timedelta(hours=24)
#: Follow-ups (action items, review, post-mortem owner) are read this long after the incident.
FOLLOW_UP = timedelta(days=14)
_REVERT = re.compile(
    r"\brolled[ -]?back\b|\brollback\b|\brevert\w*\b|\b(?:flag|toggle|kill[- ]?switch|feature)\b"
    r"|\bdisabled\b|\bturned off\b|\b(?:is|set) (?:now |to )?off\b",
    re.IGNORECASE,
)
_CHANGE_SAID = re.compile(
    r"\b(?:deployed|shipped|rolled out|released|merged|enabled|flipped|turned on|ramped|pushed)\b",
    re.IGNORECASE,
)
_MEASURED_KINDS = frozenset(
    {Tag.CHAT, Tag.ALERT, Tag.STATUS, Tag.CUSTOMER, Tag.TICKET, Tag.TICKET_COMMENT, Tag.ALERT_OTHER}
)


def draft_offline(
    events: Sequence[Event],
    *,
    display_tz: tzinfo,
    people: Collection[str],
    now: datetime | None = None,
    assumptions: Sequence[str] = (),
) -> PostMortem:
    """A complete offline draft: the rules' sections, finished like every draft (ids, flags, citations)."""
    from pmdraft.pipeline import finish_draft

    sections = extract_sections(events, display_tz=display_tz, people=people)
    return finish_draft(
        sections,
        events,
        mode="offline",
        display_tz=display_tz,
        people=people,
        now=now,
        assumptions=assumptions,
    )


def conversation(event: Event) -> str:
    """Where an event was said: its chat channel, else its source file (one log, one ticket export)."""
    return event.attrs.get("channel") or event.source_file


def _conversations(found: TimeFindings) -> set[str]:
    """The conversations the incident was handled in: where its moments were said."""
    chosen = (found.detected, found.acknowledged, found.mitigated, found.resolved, found.end)
    return {conversation(e) for e in chosen if e is not None and e.kind.value == "chat"}


def _in_rooms(event: Event, tag: Tag, rooms: set[str]) -> bool:
    """After the incident, follow-ups count from its own conversations, tickets and paging notes only:
    a busy workspace says 'we should ...' in other channels every day."""
    return tag is not Tag.CHAT or not rooms or conversation(event) in rooms


def _point(event: Event | None) -> TimePoint:
    return TimePoint(at=event.time if event else None, evidence=[event.id] if event else [])


def _moments(found: TimeFindings) -> dict[str, KeyMoment | None]:
    moments: dict[str, KeyMoment | None] = {}
    for event in (found.start, found.acknowledged, found.end):
        if event is not None:
            moments[event.id] = None
    chosen: tuple[tuple[Event | None, KeyMoment], ...] = (
        (found.detected, "detection"),
        (found.mitigated, "mitigation"),
        (found.resolved, "resolution"),
    )
    for event, moment in chosen:
        if event is not None:
            moments[event.id] = moment
    return moments


def extract_sections(events: Sequence[Event], *, display_tz: tzinfo, people: Collection[str]) -> PostMortem:
    """Every section the rules can fill; incident id, title, generated_by, durations, citations and
    flags are left for ``pipeline.finish_draft`` (they are the same for every drafting path)."""
    tags = [tag_event(e) for e in events]
    window = find_window(events, tags)
    found = find_times(events, tags, window) if window is not None else TimeFindings()
    times = Times(
        start=_point(found.start),
        detected=_point(found.detected),
        acknowledged=_point(found.acknowledged),
        mitigated=_point(found.mitigated),
        resolved=_point(found.resolved),
        end=_point(found.end),
    )
    if window is None:
        return _empty(times)

    bounds = [window.start, window.end] + [e.time for e in (found.start, found.resolved, found.end) if e]
    lo, hi = min(bounds), max(bounds)
    stamps = [e.time for e in events]

    def between(first: datetime, last: datetime) -> list[tuple[Event, Tag]]:
        a, b = bisect_left(stamps, first), bisect_right(stamps, last)
        return [(e, t) for e, t in zip(events[a:b], tags[a:b], strict=True) if t is not Tag.NOISE]

    incident = between(lo, hi + TAIL)
    rooms = _conversations(found)
    later = between(hi + TAIL + timedelta(microseconds=1), hi + FOLLOW_UP)
    from_start = incident + [(e, t) for e, t in later if _in_rooms(e, t, rooms)]

    metrics = find_metrics(e for e, t in incident if t in _MEASURED_KINDS)
    settle_by = found.mitigated or found.resolved
    hypotheses = find_hypotheses(
        incident,
        until=settle_by.time if settle_by else None,
        questions_from=found.detected.time if found.detected else None,
    )
    follow_up_from = next(
        (e.time for e in (found.mitigated, found.resolved, found.end) if e is not None), None
    )
    comms = find_communications((e, t) for e, t in from_start if e.time <= hi + COMMS_AFTER)
    settled = {i: h.status for h in hypotheses for i in h.settled_evidence}
    extra: dict[str, float] = {h.evidence[0]: 3.0 for h in hypotheses}
    extra.update({i: 7.0 if status == "right" else 6.0 for i, status in settled.items()})
    extra.update({c.evidence[0]: 6.0 for c in comms})
    moments = _moments(found)
    for event_id, status in settled.items():
        if status == "right":
            moments.setdefault(event_id, "diagnosis")
    timeline_from = between(lo - CHANGE_LOOKBACK, hi + TAIL)
    confirmed = next((h for h in hypotheses if h.status == "right"), None)

    return PostMortem(
        incident_id="",
        title="",
        status="draft",
        generated_by=_placeholder_generated_by(),
        postmortem_owner=find_postmortem_owner(from_start),
        review_date=find_review_date(from_start),
        times=times,
        durations=Durations(
            time_to_detect_minutes=None, time_to_mitigate_minutes=None, time_to_resolve_minutes=None
        ),
        severity=find_severity([e for e, _ in incident], [t for _, t in incident]),
        impact=Impact(
            summary=_impact_summary(comms, incident),
            metrics=metrics,
            services=find_services(e for e, _ in incident),
            unknowns=_impact_unknowns(metrics, found),
        ),
        customer_communication=comms,
        detection=_detection(found),
        responders=find_responders(incident, people),
        trigger=_trigger(between(lo - CHANGE_LOOKBACK, hi), found),
        root_cause=(
            Statement(
                text=confirmed.settled_by or confirmed.text,
                evidence=[*confirmed.settled_evidence, *confirmed.evidence],
                unsupported=False,
                origin="source",
            )
            if confirmed is not None
            else None
        ),
        timeline=build_timeline(timeline_from, moments, extra, lo, hi),
        narrative=Narrative(
            impact=None, detection=None, beliefs=None, hypotheses=None, resolution=None, what_changed=None
        ),
        hypotheses=hypotheses,
        contributing_factors=[],
        went_well=[],
        went_poorly=[],
        where_we_got_lucky=[],
        lessons_learned=[],
        action_items=find_action_items(from_start, people, follow_up_from),
        open_questions=find_open_questions(times, metrics, hypotheses, from_start),
        review_flags=_root_cause_flag(confirmed),
        cited_events=[],
    )


def _root_cause_flag(confirmed: Hypothesis | None) -> list[ReviewFlag]:
    if confirmed is None:
        return []
    return [
        ReviewFlag(
            type="low_confidence",
            message="Root cause is the cause responders confirmed during the incident, copied from the "
            "sources; a person should add the technical and process factors behind it.",
            category="root_cause",
            quote=None,
            evidence=list(confirmed.settled_evidence),
            location="root_cause",
            suggestion=None,
        )
    ]


def _placeholder_generated_by() -> GeneratedBy:
    """Overwritten by ``finish_draft``; the model requires a value."""
    return GeneratedBy(
        tool="pmdraft",
        tool_version="",
        mode="offline",
        model=None,
        prompt_version=None,
        generated_at=datetime(1970, 1, 1, tzinfo=UTC),
        display_timezone="UTC",
    )


def _empty(times: Times) -> PostMortem:
    return blank_postmortem(
        incident_id="",
        title="",
        generated_by=_placeholder_generated_by(),
        times=times,
        severity=find_severity([], []),
        impact=Impact(summary=None, metrics=[], services=[], unknowns=["The sources hold no events."]),
        detection=_detection(TimeFindings()),
        open_questions=find_open_questions(times, [], [], []),
    )


def _impact_summary(
    comms: Sequence[Communication], incident: Sequence[tuple[Event, Tag]]
) -> Statement | None:
    """The first status-page post says what users saw, in the words sent to them; else the first
    customer report."""
    post = next((c for c in comms if c.channel == "status_page"), None)
    if post is not None:
        return Statement(text=post.text, evidence=list(post.evidence), unsupported=False, origin="source")
    event = next((e for e, t in incident if t is Tag.CUSTOMER), None)
    if event is not None:
        return Statement(text=quote(event.text, 400), evidence=[event.id], unsupported=False, origin="source")
    return None


def _impact_unknowns(metrics: Sequence[object], found: TimeFindings) -> list[str]:
    unknowns: list[str] = []
    if not any(getattr(m, "what", "").startswith("count of") for m in metrics):
        unknowns.append("How many users or customers were affected is not stated in the sources.")
    if not metrics:
        unknowns.append("No error rate, latency or other impact figure is stated in the sources.")
    if found.end is None:
        unknowns.append("When user impact ended is not established by the sources.")
    return unknowns


def _detection(found: TimeFindings) -> Detection:
    event = found.detected
    if event is None:
        return Detection(
            method="unknown",
            signal=None,
            at=None,
            text="No alert trigger, customer report or support escalation was found in the sources.",
            evidence=[],
            unsupported=False,
        )
    signal = event.attrs.get("alert_name") or first_line(event.text, 160)
    how = {
        "monitor": "an alert",
        "user_report": "a user or customer report",
        "support_escalation": "a support escalation",
        "internal_alert": "an internal report",
        "unknown": "an unknown signal",
    }[found.detection_method]
    return Detection(
        method=found.detection_method,
        signal=signal,
        at=event.time,
        text=f"Detected by {how}: “{signal}”",
        evidence=[event.id],
        unsupported=False,
    )


def _trigger(pairs: Sequence[tuple[Event, Tag]], found: TimeFindings) -> Statement | None:
    """The last change shortly before the start, when the mitigation reverted a change.

    Only then is 'this change set it off' a reading of the evidence rather than a guess; otherwise
    the trigger is left for a person.
    """
    start, mitigation = found.start, found.mitigated
    if start is None or mitigation is None or not _REVERT.search(mitigation.text):
        return None
    change: Event | None = None
    for event, tag in pairs:
        if event.time > start.time:
            break
        if event.time < start.time - CHANGE_LOOKBACK or event.id == start.id:
            continue
        if tag in (Tag.DEPLOY, Tag.FLAG) or (
            tag is Tag.CHAT and (affirmed(FLAG_CHANGE, event.text) or affirmed(_CHANGE_SAID, event.text))
        ):
            change = event
    if change is None:
        return None
    return Statement(
        text=f"Last change before the first anomalous signal, later reverted: “{quote(change.text, 200)}”",
        evidence=[change.id, mitigation.id],
        unsupported=False,
        origin="rule",
    )
