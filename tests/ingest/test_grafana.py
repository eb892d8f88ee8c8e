"""Grafana webhook adapter: unified (v11 sample) and legacy (pre-v8 sample) payloads, and hand-written ones."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.grafana import ADAPTER
from tests.ingest._samples import SAMPLES, sample_folder, write_json


@pytest.fixture
def samples() -> Path:
    return sample_folder("grafana-webhook")


def _load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def _write(tmp_path: Path, payload: Any) -> Path:
    return write_json(tmp_path, payload, "grafana.json")


def _unified(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {
        "receiver": "webhook",
        "status": "firing",
        "orgId": 1,
        "state": "alerting",
        "title": "[FIRING:1] CheckoutErrors",
        "version": "1",
        "alerts": list(alerts),
    }


def _legacy(state: str, rule: int = 7) -> dict[str, Any]:
    return {
        "ruleId": rule,
        "ruleName": "Checkout errors",
        "state": state,
        "title": f"[{state}] Checkout errors",
    }


@pytest.mark.parametrize("name", ["zulip_alert_values_v11.json", "zulip_legacy_alert_pre_v8.json"])
def test_samples_are_detected_as_grafana(samples: Path, name: str) -> None:
    adapter = detect(Source(samples / name))
    assert adapter is not None and adapter.name == "grafana"


def test_alertmanager_sample_is_not_claimed() -> None:
    path = SAMPLES / "alertmanager-webhook" / "zulip_alert.json"
    if not path.is_file():
        pytest.skip("shared samples not available")
    assert not ADAPTER.sniff(Source(path))


def test_unified_sample_gives_one_trigger_with_values(samples: Path) -> None:
    result = _load(samples / "zulip_alert_values_v11.json")
    (event,) = result.events
    assert event.id == "grafana:e6349a25f5ef0e9e:firing:2024-03-01T02:09:00Z"
    assert event.time == datetime(2024, 3, 1, 2, 9, tzinfo=UTC)
    assert event.kind is EventKind.ALERT_TRIGGER
    assert event.actor.name == "Grafana" and event.actor.is_bot
    assert event.text == "Triggered: Memory (copy) — High memory usage (A=2473545728, B=0, C=1, minute=9)"
    assert event.attrs == {"status": "firing", "alert_name": "Memory (copy)"}
    assert event.url == (
        "https://play.grafana.org/alerting/grafana/dd2f0260-3cfc-4c65-a4c4-f3f632c551f4/view?orgId=1"
    )
    assert not event.time_assumed and result.skipped == []


def test_legacy_sample_is_placed_at_file_mtime_and_flagged(samples: Path) -> None:
    path = samples / "zulip_legacy_alert_pre_v8.json"
    result = _load(path)
    (event,) = result.events
    assert event.time == datetime.fromtimestamp(path.stat().st_mtime, UTC)
    assert event.time_assumed and event.raw_time is None
    assert event.id == "grafana:rule:0:alerting:1"
    assert event.kind is EventKind.ALERT_TRIGGER
    assert event.text == (
        "Triggered: Test rule — Someone is testing the alert notification within grafana. "
        "(High value=100, Higher Value=200)"
    )
    assert event.url == "http://localhost:3000/"
    assert len(result.assumptions) == 1 and "modification time" in result.assumptions[0]


def test_unified_resolved_alert_with_local_offset(tmp_path: Path) -> None:
    alert = {
        "status": "resolved",
        "labels": {"alertname": "CheckoutErrors", "service": "checkout"},
        "annotations": {"summary": "5xx above 2%"},
        "startsAt": "2024-03-05T15:00:00+02:00",
        "endsAt": "2024-03-05T15:20:00.25+02:00",
        "fingerprint": "f00d",
        "values": {"B": 0.0231456789},
    }
    result = _load(_write(tmp_path, _unified(alert)))
    assert [(e.kind, e.time) for e in result.events] == [
        (EventKind.ALERT_TRIGGER, datetime(2024, 3, 5, 13, 0, tzinfo=UTC)),
        (EventKind.ALERT_RESOLVE, datetime(2024, 3, 5, 13, 20, 0, 250000, tzinfo=UTC)),
    ]
    assert result.events[1].id == "grafana:f00d:resolved:2024-03-05T15:20:00.25+02:00"
    assert result.events[1].text == "Resolved: CheckoutErrors on checkout — 5xx above 2% (B=0.0231457)"


def test_legacy_repeats_are_dropped_and_transitions_counted(tmp_path: Path) -> None:
    path = _write(tmp_path, [_legacy("alerting"), _legacy("alerting"), _legacy("ok"), _legacy("alerting")])
    os.utime(path, (1_709_647_200, 1_709_647_200))
    result = _load(path)
    assert sorted(e.id for e in result.events) == [
        "grafana:rule:7:alerting:1",
        "grafana:rule:7:alerting:2",
        "grafana:rule:7:ok:1",
    ]
    assert {e.time for e in result.events} == {datetime(2024, 3, 5, 14, 0, tzinfo=UTC)}
    kinds = {e.id: e.kind for e in result.events}
    assert kinds["grafana:rule:7:ok:1"] is EventKind.ALERT_RESOLVE
    assert [s.where.rsplit(": ", 1)[-1] for s in result.skipped] == ["payload 2"]
    assert "repeat notification" in result.skipped[0].reason


def test_payload_with_neither_shape_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"orgId": 1, "state": "alerting", "title": "no alerts here"})
    with pytest.raises(InputError, match="no Grafana alert payload"):
        _load(path)
