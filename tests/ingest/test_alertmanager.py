"""Alertmanager webhook adapter: the shared sample, a hand-written array of payloads, JSON Lines, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.alertmanager import ADAPTER, label_fingerprint

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
DATA = Path(__file__).resolve().parents[1] / "data" / "alerts"
PAYLOADS = DATA / "alertmanager_payloads.json"


@pytest.fixture
def sample() -> Path:
    path = SAMPLES / "alertmanager-webhook" / "zulip_alert.json"
    if not path.is_file():
        pytest.skip("shared samples not available")
    return path


def _load(path: Path, options: LoadOptions | None = None) -> IngestResult:
    return ADAPTER.load(Source(path), options or LoadOptions())


def _write(tmp_path: Path, payload: Any, name: str = "am.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def _alert(**over: Any) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "service": "api", "severity": "page"},
        "annotations": {"summary": "error rate 31% > 5%"},
        "startsAt": "2024-03-05T14:01:30Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "abc123",
    }
    alert.update(over)
    return alert


# --- the shared sample (a real two-alert group, both firing) --------------------------------------


def test_sample_is_detected_as_alertmanager(sample: Path) -> None:
    adapter = detect(Source(sample))
    assert adapter is not None and adapter.name == "alertmanager"


def test_sample_gives_two_firing_triggers_at_the_nanosecond_start(sample: Path) -> None:
    result = _load(sample)
    assert [e.id for e in result.events] == [
        "alertmanager:a1bc48475b20e73d:firing:2020-02-06T00:17:58.432911368Z",
        "alertmanager:c2ea85182f28cbd9:firing:2020-02-06T00:17:58.432911368Z",
    ]
    started = datetime(2020, 2, 6, 0, 17, 58, 432911, tzinfo=UTC)
    assert all(e.time == started for e in result.events)
    assert all(e.kind is EventKind.ALERT_TRIGGER for e in result.events)
    assert all(e.actor.name == "Alertmanager" and e.actor.is_bot and e.is_bot for e in result.events)
    assert result.events[0].raw_time == "2020-02-06T00:17:58.432911368Z"
    assert result.skipped == []


def test_sample_text_and_attrs_come_from_labels_and_annotations(sample: Path) -> None:
    first, second = _load(sample).events
    assert first.text == (
        "Triggered: High CPU Temperature on andromeda — High CPU core temperature: CPU core temperature is 34.75C"
    )
    assert second.text.endswith("CPU core temperature is 17.625C")
    assert first.attrs == {"status": "firing", "alert_name": "High CPU Temperature", "severity": "critical"}
    assert first.url is not None and first.url.startswith("http://cobalt:9090/graph?")
    assert first.thread_id == "alertmanager:a1bc48475b20e73d"


def test_grafana_sample_is_not_claimed() -> None:
    path = SAMPLES / "grafana-webhook" / "zulip_alert_values_v11.json"
    if not path.is_file():
        pytest.skip("shared samples not available")
    assert not ADAPTER.sniff(Source(path))


# --- a hand-written array of payloads: repeats, Go zero time, offsets, missing fingerprint ------------


def test_array_of_payloads_dedupes_repeats_and_keeps_lifecycle() -> None:
    result = _load(PAYLOADS)
    latency_fp = label_fingerprint({"alertname": "HighLatency", "job": "checkout", "severity": "warning"})
    assert [(e.id, e.kind) for e in result.events] == [
        ("alertmanager:00aa11bb22cc33dd:firing:2024-03-05T13:55:00+01:00", EventKind.ALERT_TRIGGER),
        ("alertmanager:1f2e3d4c5b6a7980:firing:2024-03-05T14:01:30.123456789Z", EventKind.ALERT_TRIGGER),
        (f"alertmanager:{latency_fp}:firing:2024-03-05T14:03:00Z", EventKind.ALERT_TRIGGER),
        ("alertmanager:1f2e3d4c5b6a7980:resolved:2024-03-05T14:40:12.5Z", EventKind.ALERT_RESOLVE),
    ]
    assert [e.time for e in result.events] == [
        datetime(2024, 3, 5, 12, 55, tzinfo=UTC),
        datetime(2024, 3, 5, 14, 1, 30, 123456, tzinfo=UTC),
        datetime(2024, 3, 5, 14, 3, tzinfo=UTC),
        datetime(2024, 3, 5, 14, 40, 12, 500000, tzinfo=UTC),
    ]


def test_repeats_and_go_zero_end_are_skipped_with_reasons() -> None:
    skipped = _load(PAYLOADS).skipped
    assert [s.where.rsplit(": ", 2)[-2:] for s in skipped] == [
        ["payload 2", "alert 1"],
        ["payload 3", "alert 2"],
        ["payload 4", "alert 1"],
    ]
    assert skipped[0].reason.startswith("repeat notification of alertmanager:1f2e3d4c5b6a7980:firing:")
    assert "endsAt" in skipped[2].reason and "0001-01-01T00:00:00Z" in skipped[2].reason


def test_text_reads_as_a_timeline_line() -> None:
    events = {e.id: e for e in _load(PAYLOADS).events}
    trigger = events["alertmanager:1f2e3d4c5b6a7980:firing:2024-03-05T14:01:30.123456789Z"]
    assert trigger.text == "Triggered: HighErrorRate on api — Error rate above 5%: error rate 31% > 5%"
    assert trigger.attrs == {
        "status": "firing",
        "alert_name": "HighErrorRate",
        "severity": "page",
        "service": "api",
    }
    resolve = events["alertmanager:1f2e3d4c5b6a7980:resolved:2024-03-05T14:40:12.5Z"]
    assert resolve.text.startswith("Resolved: HighErrorRate on api")
    assert resolve.attrs["status"] == "resolved"
    latency = next(e for e in events.values() if e.attrs.get("alert_name") == "HighLatency")
    assert latency.attrs["service"] == "checkout"  # from the job label
    assert latency.url is None  # empty generatorURL


def test_label_fingerprint_matches_prometheus_signature() -> None:
    # Test vectors of prometheus/common model.LabelsToSignature (FNV-1a 64, 0xFF separators).
    assert label_fingerprint({}) == f"{14695981039346656037:016x}"
    assert label_fingerprint({"name": "garland, briggs", "fear": "love is not enough"}) == (
        f"{5799056148416392346:016x}"
    )


def test_firing_notification_after_its_resolve_is_not_called_a_repeat(tmp_path: Path) -> None:
    resolved = _alert(status="resolved", endsAt="2024-03-05T14:30:00Z")
    path = _write(tmp_path, [{"alerts": [resolved]}, {"alerts": [_alert()]}])
    result = _load(path)
    assert [e.kind for e in result.events] == [EventKind.ALERT_TRIGGER, EventKind.ALERT_RESOLVE]
    assert result.skipped == []


def test_naive_times_take_the_tz_option_and_are_flagged(tmp_path: Path) -> None:
    path = _write(tmp_path, {"version": "4", "alerts": [_alert(startsAt="2024-03-05T14:01:30")]})
    result = _load(path, LoadOptions(tz=ZoneInfo("Europe/Berlin")))
    (event,) = result.events
    assert event.time == datetime(2024, 3, 5, 13, 1, 30, tzinfo=UTC)
    assert event.time_assumed
    assert result.assumptions and "Europe/Berlin" in result.assumptions[0]


def test_unparseable_start_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = _write(tmp_path, {"alerts": [_alert(startsAt="yesterday"), _alert(fingerprint="def456")]})
    result = _load(path)
    assert [e.id for e in result.events] == ["alertmanager:def456:firing:2024-03-05T14:01:30Z"]
    assert len(result.skipped) == 1 and "startsAt" in result.skipped[0].reason


# --- JSON Lines and broken input --------------------------------------------------------------------


def test_json_lines_of_payloads_with_a_cut_last_line(tmp_path: Path) -> None:
    line = json.dumps({"version": "4", "status": "firing", "alerts": [_alert()]})
    path = tmp_path / "notifications.jsonl"
    path.write_text(f"{line}\n{line}\n{line[:40]}\n", encoding="utf-8")
    source = Source(path)
    assert ADAPTER.sniff(source)
    result = ADAPTER.load(source, LoadOptions())
    assert [e.id for e in result.events] == ["alertmanager:abc123:firing:2024-03-05T14:01:30Z"]
    skipped = {s.where.removeprefix(f"{path}: "): s.reason for s in result.skipped}
    assert skipped.keys() == {"line 2: alert 1", "line 3"}
    assert skipped["line 2: alert 1"].startswith("repeat notification")
    assert skipped["line 3"].startswith("invalid JSON")


def test_payload_without_alerts_array_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"receiver": "x", "status": "firing", "version": "4", "groupKey": "{}"})
    with pytest.raises(InputError, match="no 'alerts' array"):
        _load(path)


def test_truncated_json_is_a_one_line_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"version": "4", "alerts": [{"status": "firing", "startsAt": "2024', encoding="utf-8")
    with pytest.raises(InputError) as info:
        _load(path)
    assert "invalid JSON" in str(info.value) and "\n" not in str(info.value)


def test_other_json_is_not_sniffed(tmp_path: Path) -> None:
    assert not ADAPTER.sniff(Source(_write(tmp_path, {"alerts": [{"id": 1, "startsAt": 3}], "other": True})))
    assert not ADAPTER.sniff(Source(_write(tmp_path, [{"text": '"alerts": [] "startsAt": 1'}], "chat.json")))


# --- the CLI ---------------------------------------------------------------------------------------


def test_cli_timeline_jsonl_reads_the_payload_array() -> None:
    run = CliRunner().invoke(main, ["timeline", str(PAYLOADS), "--format", "jsonl"])
    assert run.exit_code == 0, run.output
    rows = [json.loads(line) for line in run.output.splitlines()]
    assert [r["kind"] for r in rows] == ["alert.trigger", "alert.trigger", "alert.trigger", "alert.resolve"]
    assert rows[1]["time"] == "2024-03-05T14:01:30.123456+00:00"
    assert rows[1]["source"]["format"] == "alertmanager"
    assert rows[1]["actor"] == "Alertmanager" and rows[1]["flags"] == ["bot"]


def test_cli_reports_a_broken_payload_as_one_error_line(tmp_path: Path) -> None:
    path = _write(tmp_path, {"receiver": "x", "version": "4", "groupKey": "{}"})
    run = CliRunner().invoke(main, ["timeline", str(path), "--input-format", "alertmanager"])
    assert run.exit_code == 2
    assert run.output.strip().splitlines() == [
        f"Error: {path}: webhook payload has no 'alerts' array (expected an alertmanager body)"
    ]
