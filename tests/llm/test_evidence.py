"""evidence.py: citations exist, times come from cited events, unsupported claims are marked."""

from __future__ import annotations

from datetime import timedelta

from pmdraft.evidence import check_citations, cited_time, missing_quotes, verify_draft
from pmdraft.llm_draft.assemble import skeleton
from pmdraft.schema import Hypothesis, ImpactMetric, Statement, TimelineEntry
from tests.llm.scenarios import incident_events

EVENTS = incident_events()
KNOWN = {e.id: e for e in EVENTS}


def test_check_citations_keeps_real_ids_in_the_allowed_set() -> None:
    checked = check_citations(["test:1", "test:9", "nope", "test:1", " test:2 "], KNOWN, {"test:1", "test:2"})
    assert checked.ids == ["test:1", "test:2"]
    assert checked.dropped == [
        ("test:9", "not in the part of the sources the claim was written from"),
        ("nope", "no such event"),
    ]


def test_cited_time_keeps_only_times_of_cited_events() -> None:
    real = KNOWN["test:2"].time
    assert cited_time(real, ["test:2", "test:5"], KNOWN) == real
    assert cited_time(real + timedelta(minutes=3), ["test:5", "test:2"], KNOWN) == real
    assert cited_time(real, [], KNOWN) is None


def test_missing_quotes_checks_numbers_and_quoted_words() -> None:
    cited = [KNOWN["test:1"]]
    assert missing_quotes('The "HighErrorRate" alert saw 31%', cited) == []
    assert missing_quotes('The "LatencyHigh" alert saw 45%', cited) == ["LatencyHigh", "45%"]


def test_verify_draft_strips_invalid_citations_and_marks_unsupported() -> None:
    pm = skeleton(EVENTS)
    pm.timeline.append(
        TimelineEntry(
            at=KNOWN["test:1"].time + timedelta(hours=5),  # a time the model made up
            kind="alert",
            key_moment="detection",
            text="The error-rate alert fired.",
            evidence=["test:1", "made-up:1"],
            unsupported=False,
            origin="model",
        )
    )
    pm.hypotheses.append(
        Hypothesis(
            text="The CDN was at fault.",
            raised_at=None,
            status="wrong",
            settled_by=None,
            evidence=["made-up:2"],
            settled_evidence=[],
            unsupported=False,
        )
    )
    pm.root_cause = Statement(
        text="Migration 0147 never ran.", evidence=["test:5"], unsupported=False, origin="model"
    )
    out = verify_draft(pm, KNOWN)
    entry = out.timeline[0]
    assert entry.evidence == ["test:1"] and not entry.unsupported
    assert entry.at == KNOWN["test:1"].time
    hypothesis = out.hypotheses[0]
    assert hypothesis.evidence == [] and hypothesis.unsupported and hypothesis.raised_at is None
    messages = [(f.type, f.location, f.message) for f in out.review_flags]
    assert ("unsupported_claim", "timeline[0]", "Removed citation 'made-up:1': no such event.") in messages
    assert (
        "unsupported_claim",
        "hypotheses[0]",
        "No cited event supports this; check it or remove it.",
    ) in messages
    assert [c.id for c in out.cited_events] == ["test:1", "test:5"]
    assert pm.timeline[0].evidence == ["test:1", "made-up:1"]  # the input draft is not modified


def test_impact_number_not_in_cited_event_is_removed() -> None:
    pm = skeleton(EVENTS)
    pm.impact.metrics = [
        ImpactMetric(value="31%", what="5xx ratio", quote="5xx ratio 31% over 5m", evidence=["test:1"]),
        ImpactMetric(value="45%", what="5xx ratio", quote="made up", evidence=["test:1"]),
    ]
    out = verify_draft(pm, KNOWN)
    assert [m.value for m in out.impact.metrics] == ["31%"]
    assert out.impact.unknowns == ["Unverified figure removed: 45% (5xx ratio)."]


def test_times_and_durations_follow_cited_events() -> None:
    pm = skeleton(EVENTS)
    pm.times.start.evidence = ["test:0"]
    pm.times.detected.evidence = ["test:1"]
    pm.times.mitigated.evidence = ["test:7"]
    out = verify_draft(pm, KNOWN)
    assert out.times.start.at == KNOWN["test:0"].time
    assert out.durations.time_to_detect_minutes == 5.0
    assert out.durations.time_to_mitigate_minutes == 28.0
    assert out.durations.time_to_resolve_minutes is None
