"""PagerDuty webhook adapter: the V3 captures, the legacy V2 capture, and hand-written deliveries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.pagerduty_webhook import ADAPTER

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
V3 = SAMPLES / "pagerduty-webhook-v3"
V2 = SAMPLES / "pagerduty-webhook-v2-legacy" / "acknowledge_v2.json"


@pytest.fixture
def v3() -> Path:
    if not V3.is_dir():
        pytest.skip("shared samples not available")
    return V3


def _load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def _write(tmp_path: Path, payload: Any) -> Path:
    path = tmp_path / "hook.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def _v3(event_id: str, event_type: str, occurred_at: str, **data: Any) -> dict[str, Any]:
    incident = {
        "id": "PINC1",
        "type": "incident",
        "number": 42,
        "title": "Checkout down",
        "status": "triggered",
    }
    incident.update(data)
    return {
        "event": {
            "id": event_id,
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": occurred_at,
            "agent": {"id": "PU1", "type": "user_reference", "summary": "Dana Ruiz"},
            "data": incident,
        }
    }


@pytest.mark.parametrize(
    "path",
    [V3 / "triggered_v3.json", V3 / "resolved_v3.json", V3 / "annotated_v3.json", V2],
    ids=lambda p: p.name,
)
def test_samples_are_detected_as_pagerduty_webhook(path: Path) -> None:
    if not path.is_file():
        pytest.skip("shared samples not available")
    adapter = detect(Source(path))
    assert adapter is not None and adapter.name == "pagerduty-webhook"


def test_v3_triggered_sample(v3: Path) -> None:
    (event,) = _load(v3 / "triggered_v3.json").events
    assert event.id == "pagerduty:01BZYIL05THJDFF2Y08X9SVMTU"
    assert event.time == datetime(2021, 6, 4, 13, 35, 29, 781000, tzinfo=UTC)
    assert event.kind is EventKind.ALERT_TRIGGER
    assert event.actor.name == "PIG 208" and not event.actor.is_bot
    assert event.text == "Triggered: [#9] Test Incident 3 (pig208, high urgency)"
    assert event.attrs == {
        "incident_id": "PFQZPSY",
        "service": "pig208",
        "severity": "high",
        "status": "triggered",
        "alert_name": "Test Incident 3",
    }
    assert event.url == "https://pig208.pagerduty.com/incidents/PFQZPSY"


def test_v3_resolved_sample(v3: Path) -> None:
    (event,) = _load(v3 / "resolved_v3.json").events
    assert event.id == "pagerduty:01BZYH1JJY09P9LEIST8HG2PMN"
    assert event.time == datetime(2021, 6, 4, 13, 16, 53, 816000, tzinfo=UTC)
    assert event.kind is EventKind.ALERT_RESOLVE
    assert event.actor.name == "PIG 208"
    assert event.text == "Resolved: [#6] Test Incident"
    assert event.attrs["incident_id"] == "PCPZE64" and event.attrs["status"] == "resolved"


def test_v3_annotated_sample_reads_the_note(v3: Path) -> None:
    (event,) = _load(v3 / "annotated_v3.json").events
    assert event.id == "pagerduty:01GI0KTE33V5QXBVIJDEVJFUNE"
    assert event.time == datetime(2026, 4, 1, 2, 18, 59, 674000, tzinfo=UTC)
    assert event.kind is EventKind.ALERT_ANNOTATE
    assert event.actor.name == "Harsh Santwani"
    assert event.text == (
        "Note: Running KILL on long-running queries from the reporting-service. "
        "(Critical: Checkout API High Latency)"
    )
    assert event.attrs == {"incident_id": "Q3B15VLMF3ASBD"}
    assert event.thread_id == "pagerduty:Q3B15VLMF3ASBD"


def test_v2_legacy_sample_gives_trigger_and_the_ack_log_entry() -> None:
    if not V2.is_file():
        pytest.skip("shared samples not available")
    result = _load(V2)
    assert [(e.id, e.kind, e.actor.name, e.time) for e in result.events] == [
        (
            "pagerduty:PRORDTY:trigger",
            EventKind.ALERT_TRIGGER,
            "Production XDB Cluster",
            datetime(2017, 9, 26, 15, 14, 36, tzinfo=UTC),
        ),
        (
            "pagerduty:RRPP3746OFFZZ742NSP1G67AWC",
            EventKind.ALERT_ACK,
            "Laura Haley",
            datetime(2017, 9, 26, 15, 15, 17, tzinfo=UTC),
        ),
    ]
    ack = result.events[1]
    assert ack.text == "Acknowledged by Laura Haley ([#33] My new incident)"
    assert ack.source_format == "pagerduty-webhook"
    assert ack.url == "https://webdemo.pagerduty.com/incidents/PRORDTY"  # the entry's own html_url is null


def test_v3_duplicate_delivery_out_of_order_and_service_events(tmp_path: Path) -> None:
    ack = _v3("E2", "incident.acknowledged", "2024-03-05T14:04:40.000Z", status="acknowledged")
    payload = [
        ack,
        _v3("E1", "incident.triggered", "2024-03-05T14:02:11.500Z"),
        ack,
        {
            "event": {
                "id": "E3",
                "event_type": "service.updated",
                "occurred_at": "2024-03-05T14:05:00Z",
                "data": {},
            }
        },
        _v3("E4", "incident.workflow.started", "2024-03-05T14:06:00Z"),
    ]
    result = _load(_write(tmp_path, payload))
    assert [(e.id, e.kind) for e in result.events] == [
        ("pagerduty:E1", EventKind.ALERT_TRIGGER),
        ("pagerduty:E2", EventKind.ALERT_ACK),
        ("pagerduty:E4", EventKind.ALERT_NOTIFY),
    ]
    assert result.events[2].text == "Workflow started: [#42] Checkout down"
    assert [(s.where.rsplit(": ", 1)[-1], s.reason) for s in result.skipped] == [
        ("item 3", "duplicate of pagerduty:E2"),
        ("item 4", "service.updated is not an incident event"),
    ]


def test_v2_message_without_log_entries_uses_the_message(tmp_path: Path) -> None:
    incident = {
        "id": "PINC9",
        "incident_number": 9,
        "title": "Queue backlog",
        "status": "resolved",
        "created_at": "2024-03-05T10:00:00Z",
        "last_status_change_by": {"id": "PU2", "type": "user_reference", "summary": "Sam Okafor"},
    }
    message = {
        "id": "m-1",
        "event": "incident.resolve",
        "created_on": "2024-03-05T10:30:00Z",
        "incident": incident,
    }
    result = _load(_write(tmp_path, {"messages": [message]}))
    assert [(e.id, e.kind, e.actor.name) for e in result.events] == [
        ("pagerduty:PINC9:trigger", EventKind.ALERT_TRIGGER, "PagerDuty"),
        ("pagerduty:m-1", EventKind.ALERT_RESOLVE, "Sam Okafor"),
    ]
    assert result.events[1].text == "Resolved: [#9] Queue backlog"


def test_v3_bad_occurred_at_is_skipped(tmp_path: Path) -> None:
    result = _load(_write(tmp_path, [_v3("E1", "incident.triggered", "not a time")]))
    assert result.events == []
    assert "no usable timestamp" in result.skipped[0].reason


def test_envelope_without_occurred_at_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"event": {"id": "E1", "event_type": "incident.triggered", "data": {}}})
    with pytest.raises(InputError, match="occurred_at"):
        _load(path)


def test_rest_samples_are_left_to_the_rest_adapter() -> None:
    path = SAMPLES / "pagerduty-rest-v2" / "openapi_example_incident_log_entries.json"
    if not path.is_file():
        pytest.skip("shared samples not available")
    assert not ADAPTER.sniff(Source(path))
