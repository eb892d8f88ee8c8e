"""Datadog adapter: the default-template webhook sample, custom templates, and Events API v1/v2 JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.datadog import ADAPTER, clean_body

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "samples"
    / "datadog-webhook"
    / "relay_event_fired_default_payload.json"
)


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.is_file():
        pytest.skip("shared samples not available")
    return SAMPLE


def _load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def _write(tmp_path: Path, payload: Any) -> Path:
    path = tmp_path / "dd.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_sample_is_detected_as_datadog(sample: Path) -> None:
    adapter = detect(Source(sample))
    assert adapter is not None and adapter.name == "datadog"


def test_default_template_sample(sample: Path) -> None:
    result = _load(sample)
    (event,) = result.events
    assert event.id == "datadog:5485379890863845239"
    assert event.time == datetime(2020, 6, 3, 20, 43, 5, tzinfo=UTC)
    assert event.raw_time == "1591216985000"
    assert event.kind is EventKind.ALERT_TRIGGER
    assert event.actor.name == "Datadog" and event.actor.is_bot
    assert event.text == (
        "Triggered: [TEST] Host Cluster Alert — Test notification triggered by kenaz@puppet.com. "
        "The monitor was last triggered at Wed Jun 03 2020 20:43:04 UTC."
    )
    assert event.url == "https://app.datadoghq.com/monitors#18692904?"
    assert event.attrs == {"alert_name": "[TEST] Host Cluster Alert", "status": "triggered"}
    assert result.skipped == []


def test_clean_body_drops_fences_handles_and_footer() -> None:
    body = "%%%\n@slack-ops @webhook-x\nDisk 95% on db-2, mail ops@example.com\n\n- - -\n[[Status](https://x)]\n%%%"
    assert clean_body(body) == "Disk 95% on db-2, mail ops@example.com"


def test_custom_templates_map_transition_and_fields(tmp_path: Path) -> None:
    payload = [
        {
            "alert_id": "18692904",
            "alert_transition": "Recovered",
            "title": "[Recovered] Checkout 5xx",
            "event_msg": "%%%\n5xx back to 0.4%\n%%%",
            "date": "1709650050000",
            "alert_priority": "P1",
            "tags": "service:checkout,env:prod",
            "link": "https://app.datadoghq.com/event/event?id=1",
        },
        {
            "id": "e-2",
            "title": "[Warn on {host:web-1}] Load high",
            "body": "load 7",
            "date": 1709647331000,
            "org": {},
        },
        {
            "id": "e-3",
            "title": "[No Data] Heartbeat",
            "body": "",
            "last_updated": "1709647400000",
            "event_type": "x",
        },
    ]
    result = _load(_write(tmp_path, payload))
    rows = [(e.id, e.kind, e.time, e.attrs.get("status")) for e in result.events]
    assert rows == [
        ("datadog:e-2", EventKind.ALERT_TRIGGER, datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC), "warn"),
        ("datadog:e-3", EventKind.ALERT_NOTIFY, datetime(2024, 3, 5, 14, 3, 20, tzinfo=UTC), "no data"),
        (
            "datadog:18692904:recovered:1709650050000",
            EventKind.ALERT_RESOLVE,
            datetime(2024, 3, 5, 14, 47, 30, tzinfo=UTC),
            "recovered",
        ),
    ]
    recovered = result.events[2]
    assert recovered.text == "Recovered: Checkout 5xx — 5xx back to 0.4%"
    assert recovered.attrs == {
        "alert_name": "Checkout 5xx",
        "severity": "P1",
        "service": "checkout",
        "status": "recovered",
    }
    assert recovered.url == "https://app.datadoghq.com/event/event?id=1"
    assert recovered.thread_id == "datadog:18692904"
    assert result.events[0].text == "Warn: Load high — load 7"


def test_events_api_v1_and_v2(tmp_path: Path) -> None:
    v1 = {
        "event": {
            "id": 7001,
            "title": "[Triggered] CPU high on api",
            "text": "%%%\n@pagerduty-api CPU at 95%\n%%%",
            "date_happened": 1709647331,
            "alert_type": "error",
            "tags": ["service:api", "env:prod"],
            "url": "/event/event?id=7001",
        }
    }
    v2 = {
        "data": [
            {
                "id": "AQAAAY",
                "type": "event",
                "attributes": {
                    "timestamp": "2024-03-05T14:47:30.000Z",
                    "message": "CPU back to 20%",
                    "tags": ["service:api"],
                    "attributes": {"title": "[Recovered] CPU high on api", "status": "ok"},
                },
            }
        ]
    }
    first = _load(_write(tmp_path, v1)).events
    second = _load(_write(tmp_path, v2)).events
    assert [(e.id, e.kind, e.time, e.text) for e in first + second] == [
        (
            "datadog:7001",
            EventKind.ALERT_TRIGGER,
            datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
            "Triggered: CPU high on api — CPU at 95%",
        ),
        (
            "datadog:AQAAAY",
            EventKind.ALERT_RESOLVE,
            datetime(2024, 3, 5, 14, 47, 30, tzinfo=UTC),
            "Recovered: CPU high on api — CPU back to 20%",
        ),
    ]
    assert first[0].attrs["service"] == "api"


def test_unusable_date_is_skipped(tmp_path: Path) -> None:
    result = _load(
        _write(tmp_path, [{"id": "e-1", "title": "[Triggered] x", "date": "soon", "event_type": "y"}])
    )
    assert result.events == []
    assert result.skipped[0].reason == "no usable date ('soon')"


def test_payload_without_a_date_is_an_input_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path, {"title": "[Triggered] x", "body": "%%%\nhi\n%%%", "event_type": "query_alert_monitor"}
    )
    assert not ADAPTER.sniff(Source(path))
    with pytest.raises(InputError, match="no Datadog webhook body"):
        _load(path)
