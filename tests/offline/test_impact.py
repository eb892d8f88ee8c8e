"""Impact numbers with what they measure and their sentence; severity and services as stated."""

from __future__ import annotations

from pmdraft.events import EventKind
from pmdraft.offline._text import tag_event
from pmdraft.offline.impact import find_metrics, find_services, find_severity, numbers_in
from tests.offline.helpers import alert, ev


def values(text: str) -> list[tuple[str, str]]:
    return [(f.value, f.what) for f in numbers_in(text)]


def test_percentages_codes_latency_and_counts() -> None:
    text = "Error rate is 32% on checkout, p99 latency 8.5 s. About 1,200 users affected, 6,180 failed write requests."
    assert values(text) == [
        ("32%", "error rate"),
        ("8.5 s", "latency"),
        ("1,200 users", "count of users"),
        ("6,180 failed write requests", "count of requests"),
    ]
    assert values("seeing 500s on api") == [("500s", "HTTP 500 responses")]
    assert values("HTTP 503 from the gateway") == [("HTTP 503", "HTTP 503 responses")]
    assert values("getting 502 errors at 40k requests/s") == [
        ("502", "HTTP 502 responses"),
        ("40k requests/s", "request rate"),
    ]


def test_numbers_that_are_not_impact() -> None:
    for text in (
        "v2.3.1 deployed at 14:03, PR #4512, INC-123",
        "took 30 minutes to ack",
        "rollback at 50%",
        "5xx ratio above 5% for 5m",
        "standup at 10",
        "we have 3 of us on it",
        "API returning 500\n\nCustomers report failures",
    ):
        found = [v for v, w in values(text) if w.startswith(("count", "error", "latency", "percentage"))]
        assert found == [] or text.startswith("API"), (text, found)
    assert ("500\n\nCustomers", "count of customers") not in values("API returning 500\n\nCustomers report")


def test_metrics_keep_the_sentence_and_dedupe() -> None:
    a = ev(0, "5xx at 30% on api. Nothing else")
    b = ev(1, "still 30% failing")
    metrics = find_metrics([a, b])
    assert [(m.value, m.quote, m.evidence) for m in metrics] == [("30%", "5xx at 30% on api.", [a.id])]


def test_severity_stated_latest_wins_else_unknown() -> None:
    events = [ev(0, "declaring SEV2"), ev(5, "p99 is at 2s"), ev(9, "upgrading to sev-1 now")]
    severity = find_severity(events, [tag_event(e) for e in events])
    assert severity.stated and severity.level == "sev-1" and severity.evidence == [events[2].id]
    quiet = [ev(0, "p99 latency is up"), ev(1, "P99 back down")]
    unknown = find_severity(quiet, [tag_event(e) for e in quiet])
    assert unknown.level is None and not unknown.stated and unknown.evidence == []


def test_ticket_priority_is_a_stated_severity() -> None:
    ticket = ev(
        0,
        "Checkout down",
        EventKind.TICKET_CREATED,
        fmt="jira",
        attrs={"priority": "Highest", "ticket_key": "INC-9"},
    )
    severity = find_severity([ticket], [tag_event(ticket)])
    assert severity.level == "Highest" and "INC-9" in severity.reason


def test_services_from_alerts_in_order() -> None:
    assert find_services(
        [alert(0, "A", service="api"), alert(1, "B", service="db"), alert(2, "C", service="api")]
    ) == ["api", "db"]
