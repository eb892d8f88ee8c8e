"""The incident clock: each moment on hand-made incidents, and the phrasings that must not count."""

from __future__ import annotations

from pmdraft.events import Event, EventKind
from pmdraft.offline._text import tag_event
from pmdraft.offline.times import TimeFindings, completed_mitigation, detection_method, find_times
from pmdraft.offline.window import find_window
from tests.offline.helpers import alert, at, ev


def times_of(events: list[Event]) -> TimeFindings:
    events = sorted(events, key=lambda e: (e.time, e.id))
    tags = [tag_event(e) for e in events]
    window = find_window(events, tags)
    assert window is not None
    return find_times(events, tags, window)


def flag_incident() -> list[Event]:
    """Alert, ack, a rollback that does not help, then a flag turned off that does."""
    return [
        ev(-30, "lunch anyone?"),
        alert(0, "HighErrorRate"),
        ev(4, "Acknowledged by Sam", EventKind.ALERT_ACK, who="Sam Lee", fmt="pagerduty"),
        ev(5, "ack, looking", who="sam"),
        ev(8, "should we roll back the deploy?", who="ivo"),
        ev(9, "rolling back now", who="ivo"),
        ev(20, "rolled back, all pods on the previous release", who="ivo"),
        ev(26, "error rate hasn't moved, still 30%", who="sam"),
        ev(40, "checkout-writes is OFF in production now", who="dana"),
        ev(41, "5xx dropping fast", who="sam"),
        ev(44, "error rate back to baseline", who="sam"),
        alert(46, "HighErrorRate", resolve=True),
        ev(60, "once we're resolved I'll reply to every ticket", who="sup"),
        ev(75, "Resolved by Dana", EventKind.ALERT_RESOLVE, who="Dana Ito", fmt="pagerduty"),
        ev(80, "Statuspage: Resolved - saving works again", who="sup"),
        ev(83, "Closing the incident. Thanks all", who="dana"),
    ]


def test_detection_is_the_first_alert_and_start_no_later() -> None:
    found = times_of(flag_incident())
    assert found.detected is not None and found.detected.time == at(0)
    assert found.detection_method == "monitor"
    assert found.start is not None and found.start.time == at(0)


def test_acknowledgement_prefers_the_page_ack() -> None:
    found = times_of(flag_incident())
    assert found.acknowledged is not None and found.acknowledged.kind is EventKind.ALERT_ACK


def test_mitigation_skips_the_attempt_that_changed_nothing() -> None:
    found = times_of(flag_incident())
    assert [m.time for m in found.mitigations][:2] == [at(20), at(40)]
    assert found.mitigated is not None and found.mitigated.time == at(40)


def test_resolution_is_a_person_resolving_not_the_monitor_or_a_plan() -> None:
    found = times_of(flag_incident())
    assert found.resolved is not None and found.resolved.time == at(75)


def test_end_is_the_closing_statement_after_resolution() -> None:
    found = times_of(flag_incident())
    assert found.end is not None and found.end.time == at(83)


def test_end_falls_back_to_the_resolved_status_post() -> None:
    events = [e for e in flag_incident() if "Closing" not in e.text]
    found = times_of(events)
    assert found.end is not None and found.end.time == at(80)


def test_customer_report_before_the_alert_is_the_detection() -> None:
    events = [
        ev(0, "Checkout spins forever", EventKind.CUSTOMER_REPORT, who="A Customer", fmt="zendesk"),
        alert(6, "LatencyHigh"),
        ev(8, "on it", who="luis"),
    ]
    found = times_of(events)
    assert found.detected is not None and found.detected.time == at(0)
    assert found.detection_method == "user_report"
    assert found.acknowledged is not None and found.acknowledged.time == at(8)


def test_chat_relaying_customer_reports_detects_and_a_symptom_before_it_starts() -> None:
    events = [
        ev(0, "hmm, checkout latency looks high on the dashboard", who="kai"),
        ev(10, "support here: customers are reporting failed payments", who="sup"),
        ev(30, "rolled back the payment service", who="kai"),
    ]
    found = times_of(events)
    assert found.detected is not None and found.detected.time == at(10)
    assert found.detection_method == "support_escalation"
    assert found.start is not None and found.start.time == at(0)


def test_a_ticket_relaying_customer_reports_is_a_user_report() -> None:
    events = [
        ev(0, "Orders stuck\n\nCustomers report orders stuck since last night", EventKind.TICKET_CREATED,
           who="Sofia", fmt="jira", attrs={"ticket_key": "OPS-1"}),
        ev(12, "Opening this. Queue depth is 148k", who="jonas"),
        ev(14, "Status changed from Open to In Progress", EventKind.TICKET_STATUS, fmt="jira",
           attrs={"status_to": "In Progress"}),
    ]  # fmt: skip
    found = times_of(events)
    assert found.detected is not None and found.detection_method == "user_report"
    assert found.acknowledged is not None and found.acknowledged.time == at(12)


def test_an_earlier_warning_of_the_same_alert_family_is_the_start() -> None:
    events = [
        alert(-300, "DiskUsageHigh", service="staging-db"),
        alert(-250, "DiskUsageHigh", service="staging-db", resolve=True),
        alert(-180, "QueueDepthHigh", service="orders"),
        ev(0, "Customers report orders stuck", EventKind.CUSTOMER_REPORT, who="C", fmt="zendesk"),
        alert(14, "QueueDepthCritical", service="orders"),
        ev(15, "ack, looking", who="jonas"),
        ev(20, "I'm IC. Status page post going up, customers are tweeting", who="nadia"),
        ev(30, "rolling back the worker to v3.13", who="ana"),
        ev(45, "rolled back, queue draining", who="ana"),
    ]
    found = times_of(events)
    assert found.detected is not None and found.detected.time == at(0)
    assert found.start is not None and found.start.time == at(-180)


def test_a_resolved_unrelated_alert_before_detection_is_not_the_start() -> None:
    events = [
        alert(-120, "DiskFull", service="batch"),
        alert(-100, "DiskFull", service="batch", resolve=True),
        alert(0, "HighErrorRate", service="api"),
        ev(3, "ack", who="sam"),
        ev(10, "api 5xx at 30%, rolling back", who="sam"),
    ]
    found = times_of(events)
    assert found.start is not None and found.start.time == at(0)


def test_hedged_and_conditional_resolution_do_not_count() -> None:
    events = [
        alert(0, "HighErrorRate"),
        ev(10, "rolled back", who="a"),
        ev(12, "errors back to normal", who="a"),
        ev(20, "I think we're resolved", who="b"),
        ev(25, "we'll call it resolved once the backlog drains", who="c"),
        ev(40, "agreed, resolved.", who="d"),
    ]
    found = times_of(events)
    assert found.resolved is not None and found.resolved.time == at(40)


def test_bot_alert_resolve_is_the_resolution_only_without_any_declaration() -> None:
    events = [
        alert(0, "HighErrorRate"),
        ev(5, "restarted the pods", who="a"),
        alert(9, "HighErrorRate", resolve=True),
    ]
    found = times_of(events)
    assert found.resolved is not None and found.resolved.time == at(9)
    assert found.end is not None and found.end.time == at(9)


def test_mitigation_phrasings_completed_versus_proposed() -> None:
    done = [
        "rolled back to v41",
        "rollback is done",
        "reverted the config push",
        "feature flag new-checkout is now off",
        "disabled the flag for everyone",
        "failed over to us-west-2",
        "killed the long running query",
        "`SELECT pg_cancel_backend(48213);` -> t",
        "Mitigated: flag set OFF in production",
    ]
    not_done = [
        "should we roll back?",
        "let's roll back",
        "we haven't rolled back yet",
        "if we kill the query will it recover?",
        "I will disable the flag after lunch",
        "rollback started on api",
    ]
    for text in done:
        assert completed_mitigation(ev(0, text), tag_event(ev(0, text))), text
    for text in not_done:
        assert not completed_mitigation(ev(0, text), tag_event(ev(0, text))), text
    started = ev(0, "Rollback started: api v42 -> v41", EventKind.ROLLBACK, bot=True, who="deploybot")
    assert not completed_mitigation(started, tag_event(started))


def test_detection_method_negatives() -> None:
    for text in (
        "the users table is locked",
        "customer_id column is null in staging",
        "who owns the support rotation?",
    ):
        event = ev(0, text)
        assert detection_method(event, tag_event(event)) is None, text
