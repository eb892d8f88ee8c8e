"""The incident window: strong signals chain, noisy alerts and chatter do not."""

from __future__ import annotations

from pmdraft.events import Event, EventKind
from pmdraft.offline._text import tag_event
from pmdraft.offline.window import Window, find_window
from tests.offline.helpers import alert, at, ev


def window_of(events: list[Event]) -> Window | None:
    events = sorted(events, key=lambda e: e.time)
    return find_window(events, [tag_event(e) for e in events])


def test_a_flapping_alert_does_not_outweigh_the_incident() -> None:
    noise = [alert(m, "DiskFull", service="batch") for m in range(-600, 0, 60)]
    incident = [
        alert(100, "HighErrorRate"),
        ev(103, "Acknowledged", EventKind.ALERT_ACK, who="Sam", fmt="pagerduty"),
        ev(110, "rolling back, 5xx at 30%", who="sam"),
        ev(130, "Investigating - errors", EventKind.STATUS_PAGE, who="Statuspage", bot=True),
    ]
    window = window_of(noise + incident)
    assert window is not None and window.start == at(100) and window.end == at(130)


def test_chatter_alone_does_not_chain_when_strong_signals_exist() -> None:
    chatter = [ev(m, "the rollback of my branch failed in CI") for m in range(-900, 0, 30)]
    window = window_of(
        [*chatter, alert(10, "HighErrorRate"), ev(12, "ack", EventKind.ALERT_ACK, fmt="pagerduty")]
    )
    assert window is not None and window.start == at(10)


def test_chat_only_logs_chain_on_incident_talk() -> None:
    events = [
        ev(0, "lunch?"),
        ev(100, "outage on checkout, rolling back"),
        ev(120, "rolled back, errors gone"),
    ]
    window = window_of(events)
    assert window is not None and window.start == at(100) and window.end == at(120)


def test_no_events_no_window() -> None:
    assert find_window([], []) is None
