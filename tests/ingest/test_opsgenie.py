"""Opsgenie adapter: the two webhook fixtures, hand-written webhooks and Alert API responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect, ingest
from pmdraft.ingest.opsgenie import ADAPTER, epoch_auto

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "opsgenie-webhook"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    return SAMPLES


def _load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def _write(tmp_path: Path, payload: Any, name: str = "og.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def _hook(action: str, **alert: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "alertId": "a-1",
        "tinyId": "17",
        "message": "Checkout 5xx above 5%",
        "entity": "checkout-api",
        "createdAt": 1709647331000,
        "username": "dana@example.com",
        "priority": "P1",
    }
    body.update(alert)
    return {"action": action, "alert": body, "source": {"name": "web", "type": "API"}}


def _api_alert(**over: Any) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "id": "a-1",
        "tinyId": "17",
        "message": "Checkout 5xx above 5%",
        "status": "closed",
        "createdAt": "2024-03-05T14:02:11.000Z",
        "updatedAt": "2024-03-05T14:47:30.000Z",
        "priority": "P1",
        "integration": {"id": "i-1", "name": "Prometheus", "type": "Prometheus"},
        "report": {
            "ackTime": 95000,
            "closeTime": 2719000,
            "acknowledgedBy": "Dana Ruiz",
            "closedBy": "Sam Okafor",
        },
    }
    alert.update(over)
    return alert


@pytest.mark.parametrize("name", ["zulip_create.json", "zulip_addnote.json"])
def test_samples_are_detected_as_opsgenie(samples: Path, name: str) -> None:
    adapter = detect(Source(samples / name))
    assert adapter is not None and adapter.name == "opsgenie"


def test_create_sample_uses_millisecond_created_at(samples: Path) -> None:
    (event,) = _load(samples / "zulip_create.json").events
    assert event.id == "opsgenie:ec03dad6-62c8-4c94-b38b-d88f398e900f:create"
    assert event.time == datetime(2017, 8, 14, 11, 25, 56, 288000, tzinfo=UTC)
    assert event.kind is EventKind.ALERT_TRIGGER
    assert event.actor.name == "test@example.com" and event.actor.id == "8d43133c-a002-4e95-bf2b-2d6f95e47c96"
    assert event.text == "Triggered: another alert on Server"
    assert event.attrs == {
        "alert_name": "another alert",
        "severity": "P3",
        "service": "Server",
        "status": "open",
        "incident_id": "2",
    }


def test_addnote_sample_uses_nanosecond_updated_at(samples: Path) -> None:
    (event,) = _load(samples / "zulip_addnote.json").events
    assert event.time == datetime(2015, 1, 5, 10, 4, 35, 2000, tzinfo=UTC)
    assert event.raw_time == "1420452275002000962"
    assert event.id == "opsgenie:052652ac-5d1c-464a-812a-7dd18bbfba8c:addnote:1420452275002000962"
    assert event.kind is EventKind.ALERT_ANNOTATE
    assert event.actor.name == "fili@ifountain.com" and not event.actor.is_bot
    assert event.text == "Note: note to test alert (test alert)"


def test_epoch_units_are_told_apart_by_magnitude() -> None:
    moment = datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)
    assert epoch_auto(1709647331) == moment
    assert epoch_auto(1709647331000) == moment
    assert epoch_auto("1709647331000000") == moment
    assert epoch_auto(1709647331000000123) == moment
    assert epoch_auto(True) is None and epoch_auto("soon") is None and epoch_auto(1.5e12) is None


def test_webhook_stream_with_system_actor_duplicate_and_timeless_note(tmp_path: Path) -> None:
    ack = _hook("Acknowledge", updatedAt=1709647426000000000, username="System")
    payload = [
        _hook("Create"),
        ack,
        ack,
        _hook("AddNote", note="rolling back"),
        _hook("Close", updatedAt=1709650050000000000, username="sam@example.com"),
        _hook("AddTags", updatedAt=1709650051000000000),
    ]
    result = _load(_write(tmp_path, payload))
    assert [(e.kind, e.actor.name, e.time) for e in result.events] == [
        (EventKind.ALERT_TRIGGER, "dana@example.com", datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)),
        (EventKind.ALERT_ACK, "Opsgenie", datetime(2024, 3, 5, 14, 3, 46, tzinfo=UTC)),
        (EventKind.ALERT_RESOLVE, "sam@example.com", datetime(2024, 3, 5, 14, 47, 30, tzinfo=UTC)),
        (EventKind.ALERT_NOTIFY, "dana@example.com", datetime(2024, 3, 5, 14, 47, 31, tzinfo=UTC)),
    ]
    assert result.events[1].actor.is_bot
    assert result.events[2].text == "Closed: Checkout 5xx above 5%"
    assert [(s.where.rsplit(": ", 1)[-1], s.reason.split(" (")[0]) for s in result.skipped] == [
        ("item 3", "duplicate of opsgenie:a-1:acknowledge:1709647426000000000"),
        ("item 4", "AddNote has no usable updatedAt"),
    ]


def test_api_alert_derives_ack_and_close_from_report(tmp_path: Path) -> None:
    result = _load(_write(tmp_path, {"data": _api_alert(), "took": 0.01, "requestId": "r-1"}))
    assert [(e.id, e.kind, e.actor.name, e.time) for e in result.events] == [
        (
            "opsgenie:a-1:create",
            EventKind.ALERT_TRIGGER,
            "Prometheus",
            datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
        ),
        ("opsgenie:a-1:ack", EventKind.ALERT_ACK, "Dana Ruiz", datetime(2024, 3, 5, 14, 3, 46, tzinfo=UTC)),
        (
            "opsgenie:a-1:close",
            EventKind.ALERT_RESOLVE,
            "Sam Okafor",
            datetime(2024, 3, 5, 14, 47, 30, tzinfo=UTC),
        ),
    ]
    assert result.events[0].actor.is_bot and not result.events[1].actor.is_bot
    assert any("milliseconds" in a for a in result.assumptions)


def test_api_list_reports_a_closed_alert_without_close_time(tmp_path: Path) -> None:
    other = _api_alert(id="a-2", tinyId="18", report={})
    result = _load(_write(tmp_path, {"data": [_api_alert(status="open", report={"ackTime": 1000}), other]}))
    assert [e.id for e in result.events] == ["opsgenie:a-1:create", "opsgenie:a-2:create", "opsgenie:a-1:ack"]
    assert [s.reason for s in result.skipped] == ["alert a-2 is closed but report.closeTime is missing"]


def test_webhook_create_and_api_alert_merge_on_one_id(tmp_path: Path) -> None:
    hook = _write(tmp_path, _hook("Create"), "hook.json")
    api = _write(tmp_path, {"data": _api_alert()}, "api.json")
    ingested = ingest([hook, api])
    assert [e.id for e in ingested.events].count("opsgenie:a-1:create") == 1
    assert len(ingested.events) == 3


def test_action_without_alert_object_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"action": "Create", "alertId": "a-1"})
    assert not ADAPTER.sniff(Source(path))
    with pytest.raises(InputError, match="no Opsgenie alert"):
        _load(path)
