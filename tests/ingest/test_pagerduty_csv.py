"""PagerDuty CSV incident export adapter: a hand-written export (no real sample exists) and variants."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.pagerduty_csv import ADAPTER

CSV = Path(__file__).resolve().parents[1] / "data" / "alerts" / "pagerduty_incidents.csv"


def _load(path: Path, options: LoadOptions | None = None) -> IngestResult:
    return ADAPTER.load(Source(path), options or LoadOptions())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_export_is_detected_as_pagerduty_csv() -> None:
    adapter = detect(Source(CSV))
    assert adapter is not None and adapter.name == "pagerduty-csv"


def test_rows_give_trigger_ack_and_resolve_in_time_order() -> None:
    result = _load(CSV)
    assert [(e.id, e.kind, e.time) for e in result.events] == [
        ("pagerduty:PX1AAAA:trigger", EventKind.ALERT_TRIGGER, datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        ("pagerduty:PX1AAAA:ack", EventKind.ALERT_ACK, datetime(2024, 3, 5, 14, 3, 46, tzinfo=UTC)),
        ("pagerduty:PX1BBBB:trigger", EventKind.ALERT_TRIGGER, datetime(2024, 3, 5, 14, 10, tzinfo=UTC)),
        ("pagerduty:PX1BBBB:ack", EventKind.ALERT_ACK, datetime(2024, 3, 5, 14, 20, tzinfo=UTC)),
        ("pagerduty:PX1AAAA:resolve", EventKind.ALERT_RESOLVE, datetime(2024, 3, 5, 14, 47, 30, tzinfo=UTC)),
    ]
    assert all(e.time_assumed for e in result.events)


def test_actors_text_and_attrs() -> None:
    events = {e.id: e for e in _load(CSV).events}
    trigger = events["pagerduty:PX1AAAA:trigger"]
    assert trigger.actor.name == "checkout-api" and trigger.actor.is_bot
    assert trigger.text == (
        "Triggered: [#101] Checkout API 5xx above 5% (checkout-api, high urgency, assigned to Dana Ruiz)"
    )
    assert trigger.attrs == {
        "incident_id": "PX1AAAA",
        "service": "checkout-api",
        "severity": "high",
        "status": "resolved",
        "alert_name": "Checkout API 5xx above 5%",
    }
    ack = events["pagerduty:PX1AAAA:ack"]
    assert ack.actor.name == "Dana Ruiz" and not ack.actor.is_bot
    assert ack.raw_time == "2024-03-05 14:02:11 + 95s"
    resolve = events["pagerduty:PX1AAAA:resolve"]
    assert resolve.text == "Resolved by Sam Okafor ([#101] Checkout API 5xx above 5%)"
    assert events["pagerduty:PX1BBBB:trigger"].attrs["alert_name"] == "Disk 91% on db-2, growing"


def test_bad_row_is_skipped_and_assumptions_are_stated() -> None:
    result = _load(CSV)
    assert [(s.where.rsplit(": ", 1)[-1], s.reason) for s in result.skipped] == [
        ("row 4", "no usable created time ('not a date')")
    ]
    assert any("read as UTC" in a for a in result.assumptions)
    assert any("month-first" in a for a in result.assumptions)


def test_tz_option_applies_to_naive_times() -> None:
    result = _load(CSV, LoadOptions(tz=ZoneInfo("Europe/Berlin")))
    first = result.events[0]
    assert first.id == "pagerduty:PX1AAAA:trigger"
    assert first.time == datetime(2024, 3, 5, 13, 2, 11, tzinfo=UTC)


def test_semicolons_day_first_and_iso_with_zone(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Incident Number;Title;Urgency;Service;Created;Resolved\n"
        "7;Login errors;high;auth;13/03/2024 09:00;2024-03-13T09:30:00Z\n",
    )
    assert ADAPTER.sniff(Source(path))
    result = _load(path)
    assert [(e.id, e.time, e.time_assumed) for e in result.events] == [
        ("pagerduty:#7:trigger", datetime(2024, 3, 13, 9, 0, tzinfo=UTC), True),
        ("pagerduty:#7:resolve", datetime(2024, 3, 13, 9, 30, tzinfo=UTC), False),
    ]
    assert any("day-first" in a for a in result.assumptions)


def test_resolved_status_without_resolve_time_is_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id,status,urgency,service,created_at\nP1,resolved,low,web,2024-03-05T10:00:00Z\n"
    )
    result = _load(path)
    assert [e.kind for e in result.events] == [EventKind.ALERT_TRIGGER]
    assert "resolved time missing" in result.skipped[0].reason


def test_csv_without_created_column_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,incident_number,title,urgency\nP1,1,x,high\n")
    assert not ADAPTER.sniff(Source(path))
    with pytest.raises(InputError, match="no created column"):
        _load(path)


def test_other_csv_is_not_sniffed(tmp_path: Path) -> None:
    path = _write(tmp_path, "number,short_description,opened_at,state\nINC001,Down,2024-03-05 10:00:00,2\n")
    assert not ADAPTER.sniff(Source(path))
