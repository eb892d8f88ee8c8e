"""classify_chat: operational posts by bots and tools are recognized; people talking stays CHAT."""

from __future__ import annotations

import pytest

from pmdraft.events import EventKind
from pmdraft.ingest._kinds import classify_chat, is_tool_actor


@pytest.mark.parametrize(
    ("text", "actor", "expected"),
    [
        ("[FIRING:1] HighErrorRate checkout", "Alertmanager", EventKind.ALERT_TRIGGER),
        (":red_circle: *[FIRING:3]* DiskFull", "alerts", EventKind.ALERT_TRIGGER),
        ("[Triggered] CPU high on web-1", "Datadog", EventKind.ALERT_TRIGGER),
        ("Triggered #1234: checkout 5xx", "PagerDuty", EventKind.ALERT_TRIGGER),
        ("[Alerting] Latency panel", "Grafana", EventKind.ALERT_TRIGGER),
        ("[RESOLVED] HighErrorRate checkout", "Alertmanager", EventKind.ALERT_RESOLVE),
        ("[Recovered] CPU high on web-1", "Datadog", EventKind.ALERT_RESOLVE),
        ("Resolved #1234: checkout 5xx", "PagerDuty", EventKind.ALERT_RESOLVE),
        ("[OK] Latency panel", "Grafana", EventKind.ALERT_RESOLVE),
        ("Acknowledged #1234 by bob", "PagerDuty", EventKind.ALERT_ACK),
        ("Deployed checkout v1.42.0 to production", "deploybot", EventKind.DEPLOY),
        ("Deployment of api started by bob", "Spinnaker", EventKind.DEPLOY),
        ("Rollback of checkout to v1.41.2 started", "deploybot", EventKind.ROLLBACK),
        ("Rolled back api to v7 (deploy 991)", "argocd", EventKind.ROLLBACK),
        ("Identified - We found the cause of elevated errors", "Statuspage", EventKind.STATUS_PAGE),
        (
            "Status page updated: Investigating elevated checkout errors",
            "incident-bot",
            EventKind.STATUS_PAGE,
        ),
        ("Good morning! Standup in 5", "deploybot", EventKind.CHAT),
        ("Resolved? not sure", "alice", EventKind.CHAT),
    ],
)
def test_bot_posts(text: str, actor: str, expected: EventKind) -> None:
    assert classify_chat(text, actor, True) is expected


@pytest.mark.parametrize(
    "text",
    [
        "[FIRING:1] HighErrorRate -- is this real?",
        "I deployed the fix to production",
        "should we rollback?",
        "updated the status page: investigating",
        "Resolved!",
    ],
)
def test_people_talking_about_operations_stay_chat(text: str) -> None:
    assert classify_chat(text, "Alice Ng", False) is EventKind.CHAT


def test_tool_names_count_as_bots_without_the_flag() -> None:
    """IRC and pasted logs have no bot flag; a tool's name is the only hint."""
    assert classify_chat("[FIRING:1] HighErrorRate", "alertmanager", False) is EventKind.ALERT_TRIGGER
    assert classify_chat("deployed api v3", "deploy-bot", False) is EventKind.DEPLOY
    assert is_tool_actor("ci-bot") and is_tool_actor("Grafana") and is_tool_actor("bot")
    assert not is_tool_actor("Talbot") and not is_tool_actor("Abbott") and not is_tool_actor("alice")


def test_only_the_opening_words_carry_alert_state() -> None:
    assert classify_chat("Disk usage report: nothing triggered today", "monitoring", True) is EventKind.CHAT
    assert classify_chat("weekly summary\nrolled back twice", "deploybot", True) is EventKind.CHAT
