"""PagerDuty REST v2 adapter: the OpenAPI example responses and a hand-written log_entries export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect, ingest
from pmdraft.ingest.pagerduty import ADAPTER
from tests.ingest._samples import SAMPLES, sample_folder, write_json

LOG_ENTRIES = Path(__file__).resolve().parents[1] / "data" / "alerts" / "pagerduty_log_entries.json"
SAMPLE_FILES = [
    "openapi_example_get_incident.json",
    "openapi_example_incident_alerts.json",
    "openapi_example_incident_log_entries.json",
    "openapi_example_incident_notes.json",
    "openapi_example_list_incidents.json",
]


@pytest.fixture
def samples() -> Path:
    return sample_folder("pagerduty-rest-v2")


def _load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def _write(tmp_path: Path, payload: Any) -> Path:
    return write_json(tmp_path, payload, "pd.json")


# --- the OpenAPI examples ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_samples_are_detected_as_pagerduty(samples: Path, name: str) -> None:
    adapter = detect(Source(samples / name))
    assert adapter is not None and adapter.name == "pagerduty"


def test_log_entries_sample_gives_the_trigger_by_its_service(samples: Path) -> None:
    (event,) = _load(samples / "openapi_example_incident_log_entries.json").events
    assert event.id == "pagerduty:Q02JTSNZWHSEKV"
    assert event.time == datetime(2015, 11, 7, 0, 14, 20, tzinfo=UTC)
    assert event.kind is EventKind.ALERT_TRIGGER
    assert event.actor.name == "My Mail Service" and event.actor.is_bot
    assert event.text == (
        "Triggered through the API: Tasks::SFDCValidator - PD_Data__c - duplicates ([#1234] The server is on fire.)"
    )
    assert event.attrs == {"incident_id": "PT4KHLK", "status": "triggered"}
    assert event.thread_id == "pagerduty:PT4KHLK"


def test_get_incident_implies_trigger_assignment_and_ack(samples: Path) -> None:
    result = _load(samples / "openapi_example_get_incident.json")
    assert [(e.id, e.kind, e.actor.name) for e in result.events] == [
        ("pagerduty:PT4KHLK:trigger", EventKind.ALERT_TRIGGER, "My Mail Service"),
        ("pagerduty:PT4KHLK:assign:2015-11-10T00:31:52Z:PXPGF42", EventKind.ALERT_NOTIFY, "PagerDuty"),
        ("pagerduty:PT4KHLK:ack:2015-11-10T00:32:52Z", EventKind.ALERT_ACK, "Earline Greenholt"),
    ]
    trigger, _, ack = result.events
    assert trigger.time == datetime(2015, 10, 6, 21, 30, 42, tzinfo=UTC)
    assert trigger.text == "Triggered: [#1234] The server is on fire. (My Mail Service, high urgency)"
    assert trigger.attrs["severity"] == "P2" and trigger.attrs["service"] == "My Mail Service"
    assert ack.time == datetime(2015, 11, 10, 0, 32, 52, tzinfo=UTC) and not ack.actor.is_bot
    assert all(e.kind is not EventKind.ALERT_RESOLVE for e in result.events)  # status is acknowledged


def test_list_incidents_resolved_incident_gets_resolve_by_last_changer(samples: Path) -> None:
    result = _load(samples / "openapi_example_list_incidents.json")
    assert [e.id for e in result.events] == ["pagerduty:PT4KHLK:trigger", "pagerduty:PT4KHLK:resolve"]
    resolve = result.events[1]
    assert resolve.time == datetime(2015, 10, 6, 21, 38, 23, tzinfo=UTC)
    assert resolve.actor.name == "Earline Greenholt" and not resolve.actor.is_bot
    assert resolve.text == "Resolved by Earline Greenholt ([#1234] The server is on fire.)"


def test_notes_sample_converts_offsets_and_marks_rule_notes_as_bot(samples: Path) -> None:
    result = _load(samples / "openapi_example_incident_notes.json")
    assert [(e.id, e.time, e.actor.name, e.actor.is_bot) for e in result.events] == [
        ("pagerduty:note:PCQC25", datetime(2013, 3, 6, 20, 28, 42, tzinfo=UTC), "A Global Event Rule", True),
        ("pagerduty:note:PWL7QXS", datetime(2013, 3, 6, 20, 28, 51, tzinfo=UTC), "Earline Greenholt", False),
    ]
    assert result.events[1].raw_time == "2013-03-06T15:28:51-05:00"
    assert result.events[1].text == "Note: Firefighters are on the scene."
    assert all(e.kind is EventKind.ALERT_ANNOTATE for e in result.events)


def test_alerts_sample_gives_an_alert_trigger(samples: Path) -> None:
    (event,) = _load(samples / "openapi_example_incident_alerts.json").events
    assert event.id == "pagerduty:alert:PT4KHLK"
    assert event.time == datetime(2015, 10, 6, 21, 30, 42, tzinfo=UTC)
    assert event.actor.name == "Email Integration" and event.actor.is_bot
    assert event.attrs["severity"] == "critical"


def test_sample_folder_as_a_bundle_merges_the_shared_trigger(samples: Path) -> None:
    ingested = ingest([samples])
    assert {r.format for r in ingested.results} == {"pagerduty"}
    assert len(ingested.results) == 5
    # 3 + 1 + 1 + 2 + 2 events; the incident's trigger appears in two files with one id.
    assert len(ingested.events) == 8
    assert [e.id for e in ingested.events].count("pagerduty:PT4KHLK:trigger") == 1


# --- a hand-written log_entries export -----------------------------------------------------------


def test_log_entries_export_in_order_with_kinds_and_actors() -> None:
    result = _load(LOG_ENTRIES)
    rows = [
        (e.id.removeprefix("pagerduty:")[:5], e.kind, e.actor.name, e.actor.is_bot) for e in result.events
    ]
    assert rows == [
        ("RASGN", EventKind.ALERT_NOTIFY, "checkout-api", True),
        ("RTRIG", EventKind.ALERT_TRIGGER, "checkout-api", True),
        ("RNTFY", EventKind.ALERT_NOTIFY, "PagerDuty", True),
        ("RNTFY", EventKind.ALERT_NOTIFY, "PagerDuty", True),
        ("RACKN", EventKind.ALERT_ACK, "Dana Ruiz", False),
        ("RANNO", EventKind.ALERT_ANNOTATE, "Dana Ruiz", False),
        ("RESCL", EventKind.ALERT_ESCALATE, "PagerDuty", True),
        ("RNTFY", EventKind.ALERT_NOTIFY, "PagerDuty", True),
        ("RRSLV", EventKind.ALERT_RESOLVE, "Sam Okafor", False),
    ]
    assert result.events[0].time == datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)
    assert result.events[-1].time == datetime(2024, 3, 5, 14, 47, 30, tzinfo=UTC)


def test_log_entry_times_offsets_text_and_attrs() -> None:
    events = {e.id: e for e in _load(LOG_ENTRIES).events}
    ack = events["pagerduty:RACKN0000000000000000000005"]
    assert ack.time == datetime(2024, 3, 5, 14, 4, 40, tzinfo=UTC)
    assert ack.raw_time == "2024-03-05T09:04:40-05:00" and not ack.time_assumed
    assert ack.text == "Acknowledged by Dana Ruiz ([#101] Checkout API 5xx above 5%)"
    assert ack.attrs == {"incident_id": "PINC101", "status": "acknowledged"}
    note = events["pagerduty:RANNO0000000000000000000006"]
    assert note.text == "Note added: Rolling back deploy 2024.03.05-2 ([#101] Checkout API 5xx above 5%)"
    resolve = events["pagerduty:RRSLV0000000000000000000009"]
    assert "Error rate back under 1% after rollback" in resolve.text
    trigger = events["pagerduty:RTRIG0000000000000000000001"]
    assert trigger.attrs == {"incident_id": "PINC101", "service": "checkout-api", "status": "triggered"}
    assert (
        trigger.url
        == "https://acme.pagerduty.example/incidents/PINC101/log_entries/RTRIG0000000000000000000001"
    )


def test_repeated_notifications_of_one_user_are_noise() -> None:
    notes = [e for e in _load(LOG_ENTRIES).events if e.id.startswith("pagerduty:RNTFY")]
    assert [(e.id[-1], e.noise) for e in notes] == [("3", False), ("4", True), ("8", False)]


def test_reference_and_timeless_entries_are_skipped_with_reasons() -> None:
    skipped = _load(LOG_ENTRIES).skipped
    assert [s.where.rsplit(": ", 1)[-1] for s in skipped] == ["log_entries[10]", "log_entries[11]"]
    assert "trigger_log_entry_reference" in skipped[0].reason
    assert skipped[1].reason == "log entry RACKN0000000000000000000010 has no created_at"


def test_bare_list_of_log_entries(tmp_path: Path) -> None:
    entries = json.loads(LOG_ENTRIES.read_text(encoding="utf-8"))["log_entries"]
    path = _write(tmp_path, entries)
    assert ADAPTER.sniff(Source(path))
    assert len(_load(path).events) == 9


def test_entry_without_id_is_keyed_by_incident_type_and_time(tmp_path: Path) -> None:
    entry = {
        "type": "acknowledge_log_entry",
        "created_at": "2024-03-05T14:04:40Z",
        "agent": {"type": "user_reference", "summary": "Dana Ruiz"},
        "incident": {"id": "PINC101"},
    }
    (event,) = _load(_write(tmp_path, {"log_entries": [entry]})).events
    assert event.id == "pagerduty:PINC101:acknowledge:2024-03-05T14:04:40Z"
    assert event.kind is EventKind.ALERT_ACK and event.actor.name == "Dana Ruiz"


def test_unparseable_created_at_is_skipped(tmp_path: Path) -> None:
    entry = {"id": "R1", "type": "trigger_log_entry", "created_at": "2021-03-1706:47:05.123Z", "summary": "x"}
    result = _load(_write(tmp_path, {"log_entries": [entry]}))
    assert result.events == []
    assert "no usable timestamp" in result.skipped[0].reason


def test_log_entries_that_are_not_a_list_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'log_entries' is not in PagerDuty's shape \(expected a list"):
        _load(_write(tmp_path, {"log_entries": {"id": "R1"}}))


def test_other_tools_incident_objects_are_not_claimed(tmp_path: Path) -> None:
    path = _write(
        tmp_path, {"incident": {"id": "INC-1", "name": "Checkout down", "created_at": "2024-03-05"}}
    )
    assert not ADAPTER.sniff(Source(path))
    with pytest.raises(InputError, match="expected an incident object with type 'incident'"):
        _load(path)


def test_unrelated_json_is_an_input_error_and_not_sniffed(tmp_path: Path) -> None:
    path = _write(tmp_path, {"items": [{"id": 1}]})
    assert not ADAPTER.sniff(Source(path))
    with pytest.raises(InputError, match="not a PagerDuty REST response"):
        _load(path)


def test_webhook_payloads_are_left_to_the_webhook_adapter() -> None:
    for name in ("pagerduty-webhook-v2-legacy/acknowledge_v2.json", "pagerduty-webhook-v3/triggered_v3.json"):
        path = SAMPLES / name
        if not path.is_file():
            pytest.skip("shared samples not available")
        assert not ADAPTER.sniff(Source(path))
