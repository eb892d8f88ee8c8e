"""A post-mortem with every section empty, the common start of the offline and model drafts.

Both the offline path (no events) and the model path (no offline draft to build on) need a valid
PostMortem before anything is known; they differ only in the fields passed here.
"""

from __future__ import annotations

from pmdraft.schema import (
    Detection,
    Durations,
    GeneratedBy,
    Impact,
    Narrative,
    OpenQuestion,
    PostMortem,
    Severity,
    Times,
)

__all__ = ["blank_postmortem"]


def blank_postmortem(
    *,
    incident_id: str,
    title: str,
    generated_by: GeneratedBy,
    times: Times,
    severity: Severity,
    impact: Impact,
    detection: Detection,
    open_questions: list[OpenQuestion],
) -> PostMortem:
    """A draft whose lists are empty and whose single-valued sections are unknown (None)."""
    return PostMortem(
        incident_id=incident_id,
        title=title,
        status="draft",
        generated_by=generated_by,
        postmortem_owner=None,
        review_date=None,
        times=times,
        durations=Durations(
            time_to_detect_minutes=None, time_to_mitigate_minutes=None, time_to_resolve_minutes=None
        ),
        severity=severity,
        impact=impact,
        customer_communication=[],
        detection=detection,
        responders=[],
        trigger=None,
        root_cause=None,
        timeline=[],
        narrative=Narrative(
            impact=None, detection=None, beliefs=None, hypotheses=None, resolution=None, what_changed=None
        ),
        hypotheses=[],
        contributing_factors=[],
        went_well=[],
        went_poorly=[],
        where_we_got_lucky=[],
        lessons_learned=[],
        action_items=[],
        open_questions=open_questions,
        review_flags=[],
        cited_events=[],
    )
