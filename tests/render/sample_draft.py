"""A small hand-written PostMortem for renderer tests: one of each kind of claim, flag and unknown."""

from __future__ import annotations

from typing import Any

from pmdraft.schema import PostMortem

E1 = "slack:inc-flag:1709678460.000100"
E2 = "pagerduty:R1"
E3 = "slack:inc-flag:1709685000.000200"
XSS = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)>"


def _tp(at: str | None, *ev: str) -> dict[str, Any]:
    return {"at": at, "evidence": list(ev)}


def sample_postmortem(**overrides: Any) -> PostMortem:
    data: dict[str, Any] = {
        "incident_id": "INC-42",
        "title": "API 500s after flag default flipped",
        "status": "draft",
        "generated_by": {
            "tool": "pmdraft", "tool_version": "0.1.0", "mode": "offline", "model": None,
            "prompt_version": None, "generated_at": "2024-03-06T09:00:00+00:00", "display_timezone": "Europe/Berlin",
        },
        "postmortem_owner": None,
        "review_date": None,
        "times": {
            "start": _tp("2024-03-05T22:41:00+00:00", E1), "detected": _tp("2024-03-05T22:43:00+00:00", E2),
            "acknowledged": _tp(None), "mitigated": _tp("2024-03-06T00:10:00+00:00", E3),
            "resolved": _tp(None), "end": _tp(None),
        },
        "durations": {"time_to_detect_minutes": 2.0, "time_to_mitigate_minutes": 89.0, "time_to_resolve_minutes": None},
        "severity": {"level": None, "stated": False, "reason": "not stated in the sources", "evidence": []},
        "impact": {
            "summary": {"text": "About 30% of API requests failed with 500s.", "evidence": [E1], "unsupported": False, "origin": "source"},
            "metrics": [{"value": "30%", "what": "API requests failing", "quote": "about 30% of requests 500", "evidence": [E1]}],
            "services": ["api"],
            "unknowns": ["number of affected customers"],
        },
        "customer_communication": [],
        "detection": {"method": "monitor", "signal": "HighErrorRate", "at": "2024-03-05T22:43:00+00:00",
                      "text": "The error-rate monitor fired.", "evidence": [E2], "unsupported": False},
        "responders": [{"name": "Priya Raman", "role": "incident commander", "evidence": [E1]}],
        "trigger": None,
        "root_cause": {"text": f"Solar flares {XSS}", "evidence": [], "unsupported": True, "origin": "model"},
        "timeline": [
            {"at": "2024-03-05T22:41:00+00:00", "kind": "chat", "key_moment": None, "text": "Errors reported", "evidence": [E1], "unsupported": False, "origin": "source"},
            {"at": "2024-03-05T22:43:00+00:00", "kind": "alert", "key_moment": "detection", "text": "HighErrorRate fired", "evidence": [E2], "unsupported": False, "origin": "rule"},
            {"at": "2024-03-06T00:10:00+00:00", "kind": "chat", "key_moment": "mitigation", "text": "Flag turned off", "evidence": [E3], "unsupported": False, "origin": "source"},
        ],
        "narrative": {"impact": None, "detection": None, "beliefs": None, "hypotheses": None, "resolution": None, "what_changed": None},
        "hypotheses": [{"text": "could it be the CDN?", "raised_at": "2024-03-05T22:50:00+00:00", "status": "wrong",
                        "settled_by": "edge error rate flat", "evidence": [E1], "settled_evidence": [], "unsupported": False}],
        "contributing_factors": [],
        "went_well": [], "went_poorly": [], "where_we_got_lucky": [], "lessons_learned": [],
        "action_items": [{"description": "Block flag defaults that need a pending migration", "type": "prevent",
                          "risk_reduction": None, "owner": None, "due": None, "origin": "suggested",
                          "evidence": [E3], "unsupported": False}],
        "open_questions": [{"question": "Why did the migration not run?", "what_would_settle": "deploy logs", "evidence": []}],
        "review_flags": [
            {"type": "blame", "message": "A person is named as the cause.", "category": "person_as_cause",
             "quote": "honestly this is on Dave", "evidence": [E3], "location": None,
             "suggestion": "The flag rollout did not check for pending migrations."},
            {"type": "unsupported_claim", "message": "Root cause has no valid evidence.", "category": "root_cause",
             "quote": None, "evidence": [], "location": "Root cause", "suggestion": None},
        ],
        "cited_events": [
            {"id": E1, "time": "2024-03-05T22:41:00+00:00", "kind": "chat", "actor": "Priya Raman",
             "text": "about 30% of requests 500", "url": None, "source": "slack"},
            {"id": E2, "time": "2024-03-05T22:43:00+00:00", "kind": "alert.trigger", "actor": "PagerDuty",
             "text": "Triggered: HighErrorRate", "url": "https://acme.pagerduty.com/incidents/Q1", "source": "pagerduty"},
            {"id": E3, "time": "2024-03-06T00:10:00+00:00", "kind": "chat", "actor": "Dave Okafor",
             "text": "flag is off now. honestly this is on Dave", "url": None, "source": "slack"},
        ],
    }  # fmt: skip
    data.update(overrides)
    return PostMortem.model_validate(data)
