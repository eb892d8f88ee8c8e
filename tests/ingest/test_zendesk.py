"""Zendesk adapter: the shared samples (facts checked by hand in the raw files) and hand-written data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.zendesk import ADAPTER
from tests.ingest._samples import sample_folder, utc, write_json

DATA = Path(__file__).resolve().parents[1] / "data" / "tickets"

#: Shared samples this adapter claims (the user record is not a ticket export, tested below).
EXPORTS = [
    "go-zendesk_GET_ticket.json",
    "go-zendesk_GET_ticket_audits.json",
    "go-zendesk_GET_ticket_comments.json",
    "go-zendesk_GET_tickets.json",
]


def sample(name: str) -> Path:
    return sample_folder("zendesk") / name


def load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def write(tmp_path: Path, data: Any, name: str = "zendesk.json") -> Path:
    return write_json(tmp_path, data, name)


# --- shared samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_sniffing_picks_zendesk_for_every_sample_export(name: str) -> None:
    adapter = detect(Source(sample(name)))
    assert adapter is not None and adapter.name == "zendesk"


def test_single_ticket_opened_by_an_agent_by_email() -> None:
    (event,) = load(sample("go-zendesk_GET_ticket.json")).events
    assert event.id == "zendesk:2"
    # requester 377922500012 is also the assignee, i.e. an agent: not a customer report
    assert event.kind is EventKind.TICKET_CREATED
    assert event.time == utc("2019-06-03T02:23:47")
    assert event.actor.id == "377922500012"
    assert event.actor.name == "Yosuke Tamura"  # via.source.from.name, no users sideloaded
    assert event.url == "https://d3v-terraform-provider.zendesk.com/agent/tickets/2"
    assert event.text.startswith("Mail to create fixture ticket for testing\n\n")
    assert event.text.endswith("nukosuke (●ↀ ω ↀ●)")
    assert event.attrs["channel"] == "email"
    assert "priority" not in event.attrs  # priority is null


def test_ticket_list() -> None:
    result = load(sample("go-zendesk_GET_tickets.json"))
    assert [e.id for e in result.events] == ["zendesk:2", "zendesk:3"]
    second = result.events[1]
    assert second.time == utc("2019-06-03T02:34:52")
    assert second.text == "にゃー\n\nぬこすけ"
    assert second.attrs["channel"] == "web"
    # the same requester id wrote ticket 2 by e-mail, so the name carries over
    assert second.actor.name == "Yosuke Tamura"


def test_audits_private_comment_and_trigger_status_change() -> None:
    result = load(sample("go-zendesk_GET_ticket_audits.json"))
    by_id = {e.id: e for e in result.events}
    assert sorted(by_id) == ["zendesk:666:audit:2127301143:2127301163", "zendesk:666:comment:2127301148"]
    note = by_id["zendesk:666:comment:2127301148"]
    assert note.kind is EventKind.TICKET_COMMENT
    assert note.attrs["visibility"] == "internal"  # public: false
    assert note.text == "This is a new private comment"  # body, not html_body
    assert note.actor.id == "5246746"
    change = by_id["zendesk:666:audit:2127301143:2127301163"]
    assert change.kind is EventKind.TICKET_STATUS
    assert change.attrs["status_from"] == "new" and change.attrs["status_to"] == "open"
    assert change.actor.name == "Zendesk trigger: Assign to first responder" and change.is_bot
    assert {e.time for e in result.events} == {utc("2011-09-25T22:35:44")}
    assert result.skipped == []


def test_comments_page_alone_does_not_say_which_ticket() -> None:
    """GET /tickets/{id}/comments does not repeat the ticket id, and the ids need it."""
    with pytest.raises(InputError, match="without a ticket id") as info:
        load(sample("go-zendesk_GET_ticket_comments.json"))
    assert "\n" not in str(info.value)


def test_comments_page_with_a_ticket_id_hint(tmp_path: Path) -> None:
    page = json.loads(sample("go-zendesk_GET_ticket_comments.json").read_text(encoding="utf-8"))
    page["ticket_id"] = 2
    result = load(write(tmp_path, page))
    assert [e.id for e in result.events] == ["zendesk:2:comment:2", "zendesk:2:comment:3"]
    assert [e.time for e in result.events] == [utc("2019-06-03T01:23:47"), utc("2019-06-03T02:23:47")]
    assert {e.kind for e in result.events} == {EventKind.TICKET_COMMENT}  # no requester known: not customers


def test_user_record_is_not_a_ticket_export() -> None:
    path = sample("go-zendesk_GET_user.json")
    assert detect(Source(path)) is not ADAPTER
    with pytest.raises(InputError, match="user record"):
        load(path)


# --- hand-written data -------------------------------------------------------------------------


def test_combined_ticket_comments_users_and_audits() -> None:
    result = load(DATA / "zendesk_combined.json")
    by_id = {e.id: e for e in result.events}
    assert sorted(by_id) == [
        "zendesk:4711",
        "zendesk:4711:audit:70:71",
        "zendesk:4711:comment:1",
        "zendesk:4711:comment:2",
        "zendesk:4711:comment:3",
        "zendesk:4711:comment:4",
    ]
    opened = by_id["zendesk:4711"]
    assert opened.kind is EventKind.CUSTOMER_REPORT  # requester role end-user
    assert opened.actor.name == "Dana Customer"
    assert opened.attrs["priority"] == "urgent"
    assert opened.url == "https://acme.zendesk.com/agent/tickets/4711"
    first = by_id["zendesk:4711:comment:1"]
    assert first.noise and first.kind is EventKind.CUSTOMER_REPORT  # repeats the description
    note = by_id["zendesk:4711:comment:2"]
    assert note.kind is EventKind.TICKET_COMMENT and note.attrs["visibility"] == "internal"
    reply = by_id["zendesk:4711:comment:3"]
    assert reply.kind is EventKind.TICKET_COMMENT and reply.actor.name == "Sam Agent"
    assert reply.text == "We are aware & working on it.\nSorry!"  # html_body only: tags stripped
    other = by_id["zendesk:4711:comment:4"]
    assert other.kind is EventKind.CUSTOMER_REPORT and other.actor.name == "Eli Shopper"
    solved = by_id["zendesk:4711:audit:70:71"]
    assert solved.attrs["status_to"] == "solved" and solved.actor.name == "Sam Agent"
    assert solved.time == utc("2024-03-05T14:40:00")
    reasons = sorted(s.reason for s in result.skipped)
    assert reasons == ["not timeline events: Notification", "unparseable timestamp 'not a time'"]


def test_requester_without_users_is_a_customer_unless_assigned(tmp_path: Path) -> None:
    ticket = {"id": 9, "created_at": "2024-01-01T00:00:00Z", "subject": "down", "requester_id": 1}
    customer = load(write(tmp_path, {"ticket": {**ticket, "assignee_id": 2}}, "a.json")).events[0]
    agent = load(write(tmp_path, {"ticket": {**ticket, "assignee_id": 1}}, "b.json")).events[0]
    assert customer.kind is EventKind.CUSTOMER_REPORT
    assert agent.kind is EventKind.TICKET_CREATED


def test_ticket_without_time_is_skipped(tmp_path: Path) -> None:
    result = load(write(tmp_path, {"tickets": [{"id": 5, "created_at": None, "requester_id": 1}]}))
    assert result.events == []
    assert [s.reason for s in result.skipped] == ["no timestamp"]


def test_generic_comment_json_is_not_claimed(tmp_path: Path) -> None:
    path = write(tmp_path, {"comments": [{"id": 1, "author": "x", "body": "y", "created_at": "2024-01-01"}]})
    assert detect(Source(path)) is not ADAPTER
    with pytest.raises(InputError, match="not a Zendesk ticket export"):
        load(path)


def test_truncated_ticket_is_claimed_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "ticket.json"
    path.write_text(
        '{"ticket": {"url": "https://acme.zendesk.com/api/v2/tickets/1.json", "requester_id": 1, "subj',
        encoding="utf-8",
    )
    assert detect(Source(path)) is ADAPTER
    with pytest.raises(InputError, match="invalid JSON"):
        load(path)
