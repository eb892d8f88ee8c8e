"""Fill the PostMortem from verified notes and the reduce call's text.

The offline draft (``hints``), when there is one, is the base: its rule-found times, severity,
responders and metrics stay. Model text adds the narrative, trigger, root cause, lessons, and notes
that the rules did not find. Code sets every time from cited events (evidence.verify_draft runs last).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal, cast

from pmdraft import __version__
from pmdraft.events import Event, EventKind
from pmdraft.evidence import earliest
from pmdraft.llm_draft.phases import Claim
from pmdraft.llm_draft.prompts import PROMPT_VERSION
from pmdraft.offline.blank import blank_postmortem
from pmdraft.schema import (
    ActionItem,
    Communication,
    Detection,
    GeneratedBy,
    Hypothesis,
    Impact,
    PostMortem,
    Severity,
    Statement,
    TimelineEntry,
    Times,
)

_KIND_LABEL: dict[EventKind, str] = {
    EventKind.ALERT_TRIGGER: "alert",
    EventKind.ALERT_ACK: "alert",
    EventKind.ALERT_RESOLVE: "alert",
    EventKind.ALERT_NOTIFY: "alert",
    EventKind.ALERT_ANNOTATE: "alert",
    EventKind.ALERT_ESCALATE: "alert",
    EventKind.TICKET_CREATED: "ticket",
    EventKind.TICKET_COMMENT: "ticket",
    EventKind.TICKET_STATUS: "ticket",
    EventKind.DEPLOY: "deploy",
    EventKind.ROLLBACK: "rollback",
    EventKind.STATUS_PAGE: "status_update",
    EventKind.CUSTOMER_REPORT: "customer_report",
}
_DETECTED_BY: dict[EventKind, str] = {
    EventKind.ALERT_TRIGGER: "monitor",
    EventKind.ALERT_NOTIFY: "monitor",
    EventKind.CUSTOMER_REPORT: "user_report",
    EventKind.TICKET_CREATED: "support_escalation",
}
_STATUS = {"raised": "open", "ruled_out": "wrong", "confirmed": "right"}
Reduced = Mapping[str, "Claim | list[Claim] | str"]


def skeleton(events: Sequence[Event], display_timezone: str = "UTC") -> PostMortem:
    """An empty draft for when there is no offline draft to build on."""
    digest = hashlib.sha256("\n".join(e.id for e in events).encode()).hexdigest()[:8]
    return blank_postmortem(
        incident_id=f"INC-{digest}",
        title="Incident post-mortem (draft)",
        generated_by=_generated_by("", display_timezone),
        times=Times.model_validate({name: {"at": None, "evidence": []} for name in Times.model_fields}),
        severity=Severity(
            level=None, stated=False, reason="The sources do not state a severity.", evidence=[]
        ),
        impact=Impact(summary=None, metrics=[], services=[], unknowns=[]),
        detection=Detection(
            method="unknown", signal=None, at=None, text="Not established.", evidence=[], unsupported=False
        ),
        open_questions=[],
    )


def _generated_by(model: str, display_timezone: str) -> GeneratedBy:
    return GeneratedBy(
        tool="pmdraft",
        tool_version=__version__,
        mode="llm",
        model=model or None,
        prompt_version=PROMPT_VERSION,
        generated_at=datetime.now(UTC),
        display_timezone=display_timezone,
    )


def _statement(claim: Claim) -> Statement:
    return Statement(text=claim.text, evidence=list(claim.ids), unsupported=not claim.ids, origin="model")


def assemble(
    base: PostMortem,
    model: str,
    claims: Sequence[Claim],
    reduced: Reduced,
    known: Mapping[str, Event],
) -> PostMortem:
    """``base`` plus what the model found; times are left for verification to take from events."""
    pm = base.model_copy(deep=True)
    pm.generated_by = _generated_by(model, base.generated_by.display_timezone)
    # "Needs a model or a person" was the offline draft's verdict; finishing the draft asks again.
    pm.review_flags = [f for f in pm.review_flags if f.type != "needs_author"]
    title = reduced.get("title")
    if isinstance(title, str) and 3 <= len(title) <= 120:
        pm.title = title
    for part in ("impact", "detection", "beliefs", "hypotheses", "resolution", "what_changed"):
        claim = reduced.get(part)
        if isinstance(claim, Claim) and claim.text:
            setattr(pm.narrative, part, _statement(claim))
    for part in ("trigger", "root_cause"):
        claim = reduced.get(part)
        if isinstance(claim, Claim) and claim.text:
            setattr(pm, part, _statement(claim))
    for part in ("went_well", "went_poorly", "lessons_learned"):
        found = reduced.get(part)
        if isinstance(found, list):
            have = {s.text.lower() for s in getattr(pm, part)}
            getattr(pm, part).extend(_statement(c) for c in found if c.text.lower() not in have)
    _add_timeline(pm, [c for c in claims if c.section in ("key_events", "actions_taken")], known)
    _add_hypotheses(pm, [c for c in claims if c.section == "hypotheses"], known)
    _add_impact(pm, [c for c in claims if c.section == "impact"])
    _add_detection(pm, [c for c in claims if c.section == "detection"], known)
    _add_communication(pm, [c for c in claims if c.section == "customer_communication"], known)
    _add_actions(pm, [c for c in claims if c.section == "action_items"])
    return pm


def _add_timeline(pm: PostMortem, claims: Sequence[Claim], known: Mapping[str, Event]) -> None:
    covered = [set(e.evidence) for e in pm.timeline]
    texts = {e.text.lower() for e in pm.timeline}
    for c in claims:
        if c.text.lower() in texts or (c.ids and any(set(c.ids) <= have for have in covered)):
            continue
        texts.add(c.text.lower())
        first = min((known[i] for i in c.ids), key=lambda e: e.time, default=None)
        pm.timeline.append(
            TimelineEntry(
                at=earliest(c.ids, known),
                kind=_KIND_LABEL.get(first.kind, "chat") if first else "chat",
                key_moment="repair" if c.section == "actions_taken" else None,
                text=c.text,
                evidence=list(c.ids),
                unsupported=not c.ids,
                origin="model",
            )
        )
        covered.append(set(c.ids))


def _add_hypotheses(pm: PostMortem, claims: Sequence[Claim], known: Mapping[str, Event]) -> None:
    have = {h.text.lower() for h in pm.hypotheses}
    for c in claims:
        if c.text.lower() in have:
            continue
        status = cast(Literal["wrong", "right", "open"], _STATUS.get(c.status or "raised", "open"))
        pm.hypotheses.append(
            Hypothesis(
                text=c.text,
                raised_at=earliest(c.ids, known),
                status=status,
                settled_by=None,
                evidence=list(c.ids),
                settled_evidence=[],
                unsupported=not c.ids,
            )
        )


def _add_impact(pm: PostMortem, claims: Sequence[Claim]) -> None:
    if pm.impact.summary is None:
        supported = [c for c in claims if c.ids]
        narrative = pm.narrative.impact
        if narrative is not None and narrative.evidence:
            pm.impact.summary = narrative.model_copy()
        elif supported:
            pm.impact.summary = _statement(supported[0])


def _add_detection(pm: PostMortem, claims: Sequence[Claim], known: Mapping[str, Event]) -> None:
    if pm.detection.evidence:
        return
    for c in claims:
        if not c.ids:
            continue
        first = min((known[i] for i in c.ids), key=lambda e: e.time)
        method = _DETECTED_BY.get(first.kind, "unknown")
        pm.detection = Detection.model_validate(
            {
                "method": method,
                "signal": None,
                "at": first.time,
                "text": c.text,
                "evidence": list(c.ids),
                "unsupported": False,
            }
        )
        return


def _add_communication(pm: PostMortem, claims: Sequence[Claim], known: Mapping[str, Event]) -> None:
    covered = {i for comm in pm.customer_communication for i in comm.evidence}
    for c in claims:
        if not c.ids or set(c.ids) <= covered:
            continue
        pm.customer_communication.append(
            Communication.model_validate(
                {
                    "at": earliest(c.ids, known),
                    "channel": c.channel or "other",
                    "text": c.text,
                    "evidence": list(c.ids),
                }
            )
        )
        covered.update(c.ids)


def _add_actions(pm: PostMortem, claims: Sequence[Claim]) -> None:
    have = {a.description.lower() for a in pm.action_items}
    for c in claims:
        if c.text.lower() in have:
            continue
        pm.action_items.append(
            ActionItem.model_validate(
                {
                    "description": c.text,
                    "type": c.type or "process",
                    "risk_reduction": None,
                    "owner": None,
                    "due": None,
                    "origin": "agreed" if c.agreed and c.ids else "suggested",
                    "evidence": list(c.ids),
                    "unsupported": not c.ids,
                }
            )
        )
        have.add(c.text.lower())
