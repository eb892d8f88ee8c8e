"""ServiceNow adapter: the shared samples (facts checked by hand in the raw files) and hand-written data."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.servicenow import ADAPTER, parse_display_time
from tests.ingest._samples import sample_folder, utc, write_json

DATA = Path(__file__).resolve().parents[1] / "data" / "tickets"
EXPORTS = ["demisto_RESPONSE_CREATE_TICKET.json", "rapid7_sys_journal_field_comments_worknotes.json"]
BERLIN = ZoneInfo("Europe/Berlin")


def sample(name: str) -> Path:
    return sample_folder("servicenow") / name


def load(path: Path, tz: ZoneInfo | None = None) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions(tz=tz))


def write(tmp_path: Path, data: Any, name: str = "snow.json") -> Path:
    return write_json(tmp_path, data, name)


# --- shared samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_sniffing_picks_servicenow_for_every_sample(name: str) -> None:
    adapter = detect(Source(sample(name)))
    assert adapter is not None and adapter.name == "servicenow"


def test_table_api_incident_raw_values_are_utc_even_with_tz() -> None:
    result = load(sample("demisto_RESPONSE_CREATE_TICKET.json"), tz=BERLIN)
    (event,) = result.events
    assert event.id == "servicenow:INC0010007"
    assert event.kind is EventKind.TICKET_CREATED
    assert event.time == utc("2020-04-06T13:04:44")  # raw "2020-04-06 13:04:44" is UTC; --tz not applied
    assert not event.time_assumed and result.assumptions == []
    assert event.raw_time == "2020-04-06 13:04:44"
    assert event.text == "creating a test ticket"  # short_description is empty
    assert event.actor.name == "admin"  # raw opened_by is a sys_id only; sys_created_by names the user
    assert event.actor.id == "test"
    assert event.attrs["priority"] == "5"
    assert event.url is None  # the fixture's reference links are just "demisto.com"
    assert [e.kind for e in result.events] == [EventKind.TICKET_CREATED]  # resolved_at/closed_at empty


def test_journal_rows_comments_and_work_notes() -> None:
    """The rapid7 plugin wraps sys_journal_field rows in its own output key; rows are newest first."""
    result = load(sample("rapid7_sys_journal_field_comments_worknotes.json"), tz=BERLIN)
    events = sorted(result.events, key=lambda e: e.time)
    assert [e.time for e in events] == [
        utc("2019-09-26T21:00:43"),
        utc("2019-09-26T21:03:07"),
        utc("2019-09-26T21:19:11"),
    ]
    assert [e.attrs["field"] for e in events] == ["comments", "comments", "work_notes"]
    assert events[0].text == "Testing comments"
    assert events[-1].text == "Team is actively looking into it."
    assert events[-1].attrs["visibility"] == "internal"
    assert "visibility" not in events[0].attrs
    assert events[-1].id == "servicenow:journal:2c6420c31b0000506a4a85507e4bcb82"
    assert {e.actor.name for e in events} == {"admin"}
    assert {e.thread_id for e in events} == {"servicenow:965f140bdb4c8c105f6f00b5ca961922"}
    assert {e.kind for e in events} == {EventKind.TICKET_COMMENT}
    assert not any(e.time_assumed for e in events)


# --- hand-written data -------------------------------------------------------------------------


def test_display_values_take_tz_and_are_marked_assumed() -> None:
    result = load(DATA / "servicenow_display.json", tz=BERLIN)
    by_id = {e.id: e for e in result.events}
    assert sorted(by_id) == [
        "servicenow:INC0012345",
        "servicenow:INC0012345:resolved",
        "servicenow:INC0012345:work_notes:0",
        "servicenow:INC0012345:work_notes:1",
    ]
    assert all(e.time_assumed for e in result.events)
    assert len(result.assumptions) == 1 and "Europe/Berlin" in result.assumptions[0]
    opened = by_id["servicenow:INC0012345"]
    assert opened.time == utc("2024-03-05T13:03:00")  # 14:03 in Berlin (CET, +01:00)
    assert opened.actor.name == "Ana Lima"
    assert opened.actor.id == "6816f79cc0a8016401c5a33be04be441"  # read off the reference link
    assert opened.url == (
        "https://acme.service-now.com/nav_to.do?uri=incident.do?sys_id=9d385017c611228701d22104cc95c371"
    )
    assert opened.attrs["priority"] == "1 - Critical"
    resolved = by_id["servicenow:INC0012345:resolved"]
    assert resolved.kind is EventKind.TICKET_STATUS and resolved.attrs["status_to"] == "Resolved"
    assert resolved.time == utc("2024-03-05T15:46:00")
    assert resolved.text == "Resolved: Solved (Permanently) Rolled back release 4512."
    assert resolved.actor.name == "Bo Chen"
    oldest = by_id["servicenow:INC0012345:work_notes:0"]  # the blob is newest first; index 0 is the oldest
    assert oldest.text == "Paged payments on-call" and oldest.actor.name == "Ana Lima"
    assert oldest.time == utc("2024-03-05T13:10:00")
    assert oldest.attrs["visibility"] == "internal"


def test_display_values_without_tz_are_read_as_utc_and_still_assumed() -> None:
    result = load(DATA / "servicenow_display.json")
    opened = next(e for e in result.events if e.id == "servicenow:INC0012345")
    assert opened.time == utc("2024-03-05T14:03:00") and opened.time_assumed
    assert "UTC" in result.assumptions[0]


def test_display_value_all_uses_the_raw_utc_value() -> None:
    result = load(DATA / "servicenow_all.json", tz=BERLIN)
    opened, closed = result.events
    assert opened.id == "servicenow:INC0020001"
    assert opened.time == utc("2024-03-05T14:03:00") and not opened.time_assumed
    assert opened.actor.name == "Ana Lima" and opened.actor.id == "6816f79cc0a8016401c5a33be04be441"
    assert closed.id == "servicenow:INC0020001:closed" and closed.time == utc("2024-03-05T17:00:00")
    assert closed.actor.name == "unknown"
    assert result.assumptions == []


def test_naive_journal_result_list_and_bad_times(tmp_path: Path) -> None:
    rows = [
        {"sys_id": "a1", "element": "comments", "element_id": "inc1", "value": "ok",
         "sys_created_on": "2024-03-05 10:00:00", "sys_created_by": "ana"},
        {"sys_id": "a2", "element": "work_notes", "element_id": "inc1", "value": "bad time",
         "sys_created_on": "", "sys_created_by": "ana"},
        {"sys_id": "a3", "element": "comments", "element_id": "inc1", "value": "",
         "sys_created_on": "2024-03-05 10:05:00", "sys_created_by": "ana"},
    ]  # fmt: skip
    result = load(write(tmp_path, {"result": rows}), tz=BERLIN)
    assert [(e.id, e.time) for e in result.events] == [("servicenow:journal:a1", utc("2024-03-05T10:00:00"))]
    assert sorted(s.reason for s in result.skipped) == ["empty journal entry", "no timestamp"]


def test_parse_display_time_refuses_ambiguous_day_month() -> None:
    assert parse_display_time("03-05-2024 09:15:00", UTC) is None
    assert parse_display_time("13-05-2024 09:15:00", UTC) == utc("2024-05-13T09:15:00")
    assert parse_display_time("05/13/2024 09:15:00 PM", UTC) == utc("2024-05-13T21:15:00")
    assert parse_display_time("05.03.2024 15:03:00", BERLIN) == utc("2024-03-05T14:03:00")
    assert parse_display_time("yesterday", UTC) is None


def test_ambiguous_display_time_skips_the_event(tmp_path: Path) -> None:
    record = {"number": "INC1", "sys_id": "s1", "state": "New", "opened_at": "03-05-2024 09:15:00"}
    result = load(write(tmp_path, {"result": record}))
    assert result.events == []
    assert "ambiguous" in result.skipped[0].reason


def test_other_result_envelopes_are_not_claimed(tmp_path: Path) -> None:
    path = write(tmp_path, {"result": {"id": 1, "created": "2024-01-01"}})
    assert detect(Source(path)) is not ADAPTER
    with pytest.raises(InputError, match="not a ServiceNow Table API export"):
        load(path)
