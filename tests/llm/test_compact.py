"""What the map calls are shown: repeated alert deliveries left out, machine clutter trimmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pmdraft.events import Actor, Event, EventKind
from pmdraft.llm_draft.compact import compact_events, compact_text

T0 = datetime(2024, 5, 14, 6, 15, tzinfo=UTC)
BOT = Actor("Opsgenie", is_bot=True)


def _event(
    n: int,
    minutes: float,
    text: str,
    kind: EventKind = EventKind.CHAT,
    actor: Actor = BOT,
    **attrs: str,
) -> Event:
    return Event(
        id=f"t:{n}",
        time=T0 + timedelta(minutes=minutes),
        kind=kind,
        source_file="x",
        source_format="test",
        actor=actor,
        text=text,
        attrs=attrs,
    )


def test_the_same_alert_delivered_twice_is_sent_once() -> None:
    events = [
        _event(
            1, 0, "Triggered: partner-sync: 42 job failures in 10m on partner-sync", EventKind.ALERT_TRIGGER
        ),
        _event(2, 0.5, "Triggered - #5122: partner-sync: 42 job failures in 10m - Priority: P3"),
        _event(3, 50, "Renotify - #5122: partner-sync: 42 job failures in 10m - Priority: P3"),
        _event(4, 52, "the partner-sync failures are the gateway again", actor=Actor("irene")),
    ]
    assert [e.id for e in compact_events(events)] == ["t:1", "t:4"]


def test_firing_and_resolved_posts_of_one_alert_are_both_kept() -> None:
    events = [
        _event(
            1, 0, "[FIRING:1] HighErrorRate api (production critical) 5xx ratio 31%", EventKind.ALERT_TRIGGER
        ),
        _event(
            2, 40, "[RESOLVED] HighErrorRate api (production critical) 5xx ratio 31%", EventKind.ALERT_RESOLVE
        ),
    ]
    assert [e.id for e in compact_events(events)] == ["t:1", "t:2"]


def test_alerts_the_source_names_differently_are_never_merged() -> None:
    high = "Resolved: OrdersQueueDepthHigh orders.payment-capture depth above 10,000"
    critical = "Resolved: OrdersQueueDepthCritical orders.payment-capture depth above 10,000"
    events = [
        _event(1, 0, critical, EventKind.ALERT_RESOLVE, alert_name="OrdersQueueDepthCritical"),
        _event(2, 15, high, EventKind.ALERT_RESOLVE, alert_name="OrdersQueueDepthHigh"),
    ]
    assert len(compact_events(events)) == 2


def test_people_status_pages_and_old_repeats_are_kept() -> None:
    update = "Investigating - Partner API: we are investigating failed requests to the partner API"
    events = [
        _event(1, 0, update, EventKind.STATUS_PAGE, Actor("Statuspage", is_bot=True)),
        _event(2, 10, update, EventKind.STATUS_PAGE, Actor("Statuspage", is_bot=True)),
        _event(3, 11, "is the partner API down for everyone or only mobile", actor=Actor("ana")),
        _event(4, 12, "is the partner API down for everyone or only mobile", actor=Actor("ben")),
        _event(5, 20, "Triggered: api-gw ping failing from 3 of 3 probes", EventKind.ALERT_TRIGGER),
        _event(6, 200, "Triggered: api-gw ping failing from 3 of 3 probes", EventKind.ALERT_TRIGGER),
    ]
    assert [e.id for e in compact_events(events)] == [f"t:{i}" for i in range(1, 7)]


def test_a_pagers_repeated_title_is_said_once_per_run_of_the_same_alert() -> None:
    title = "([#4821] [FIRING:1] HighErrorRate api (production critical))"
    other = "([#4822] DiskFull db-1 (production warning))"
    person = Actor("Tomás Ibarra")
    events = [
        _event(1, 0, f"Notified Tomás Ibarra by phone {title}", EventKind.ALERT_NOTIFY),
        _event(2, 1, f"Acknowledged by Tomás Ibarra {title}", EventKind.ALERT_ACK, person),
        _event(3, 2, f"Acknowledged by Tomás Ibarra {other}", EventKind.ALERT_ACK, person),
        _event(4, 3, f"Note added: rolling back {title}", EventKind.ALERT_ANNOTATE, person),
    ]
    texts = [e.text for e in compact_events(events)]
    assert texts == [
        f"Notified Tomás Ibarra by phone {title}",
        "Acknowledged by Tomás Ibarra",
        f"Acknowledged by Tomás Ibarra {other}",
        f"Note added: rolling back {title}",
    ]


def test_ids_times_and_order_are_unchanged_and_unchanged_events_are_the_same_objects() -> None:
    events = [_event(i, i, f"message {i} about the checkout errors", actor=Actor("ana")) for i in range(5)]
    kept = compact_events(events)
    assert kept == events and all(a is b for a, b in zip(kept, events, strict=True))


def test_links_lose_scheme_query_and_fragment_and_emoji_codes_go() -> None:
    text = (
        ":rewind: Rollback started, see https://grafana.example.com/d/api-red/api-overview/x/y?orgId=1&from=17"
        " and (http://alertmanager.internal:9093/#/alerts?receiver=slack) done :white_check_mark:"
    )
    assert compact_text(text) == (
        "Rollback started, see grafana.example.com/d/api-red/api-overview and (alertmanager.internal:9093) done"
    )
    assert compact_text("line one\n\n  line two") == "line one line two"
    assert compact_text("time is 12:30: fine") == "time is 12:30: fine"
