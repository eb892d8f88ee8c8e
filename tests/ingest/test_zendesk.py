"""Zendesk adapter: the shared samples (facts checked by hand in the raw files) and hand-written data."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect, ingest
from pmdraft.ingest.zendesk import ADAPTER
from tests.ingest._samples import sample_folder, utc, write_json

DATA = Path(__file__).resolve().parents[1] / "data" / "tickets"
#: One incident saved one API response per file: ticket 5120, its comments page (which does not say
#: its ticket), another ticket, and the users that name everyone.
BUNDLE = Path(__file__).resolve().parents[1] / "data" / "zendesk" / "comments-bundle"

#: Shared samples this adapter claims (the user record names people and holds no events, tested below).
EXPORTS = [
    "go-zendesk_GET_ticket.json",
    "go-zendesk_GET_ticket_audits.json",
    "go-zendesk_GET_ticket_comments.json",
    "go-zendesk_GET_tickets.json",
    "go-zendesk_GET_user.json",
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
    """GET /tickets/{id}/comments does not repeat the ticket id, and the ids need it.

    The samples folder holds tickets 2 and 3 and audits of 666: ticket 2 opens at the second of
    comment 3 but with a longer text (the fixture was hand-edited), so nothing says which one.
    """
    with pytest.raises(InputError, match="without a ticket id") as info:
        load(sample("go-zendesk_GET_ticket_comments.json"))
    assert "\n" not in str(info.value)
    assert "none of the Zendesk tickets beside it (2, 3, 666)" in str(info.value)
    assert '"ticket_id": <id>' in str(info.value)


def test_comments_page_with_a_ticket_id_hint(tmp_path: Path) -> None:
    page = json.loads(sample("go-zendesk_GET_ticket_comments.json").read_text(encoding="utf-8"))
    page["ticket_id"] = 2
    result = load(write(tmp_path, page))
    assert [e.id for e in result.events] == ["zendesk:2:comment:2", "zendesk:2:comment:3"]
    assert [e.time for e in result.events] == [utc("2019-06-03T01:23:47"), utc("2019-06-03T02:23:47")]
    assert {e.kind for e in result.events} == {EventKind.TICKET_COMMENT}  # no requester known: not customers


def test_user_record_names_people_but_holds_no_events() -> None:
    result = load(sample("go-zendesk_GET_user.json"))
    assert result.events == [] and result.assumptions == []
    # the sample tickets, comments and audits never mention user 369531345753
    assert [s.reason for s in result.skipped] == [
        "Zendesk users that no Zendesk ticket, comment or audit beside them mentions"
    ]


# --- hand-written data -------------------------------------------------------------------------


def test_combined_ticket_comments_users_and_audits() -> None:
    result = load(DATA / "zendesk_combined.json")
    by_id = {e.id: e for e in result.events}
    assert sorted(by_id) == [
        "zendesk:4711",
        "zendesk:4711:audit:70:71",
        "zendesk:4711:comment:2",
        "zendesk:4711:comment:3",
        "zendesk:4711:comment:4",
    ]
    opened = by_id["zendesk:4711"]
    assert opened.kind is EventKind.CUSTOMER_REPORT  # requester role end-user
    assert opened.actor.name == "Dana Customer"
    assert opened.attrs["priority"] == "urgent"
    assert opened.url == "https://acme.zendesk.com/agent/tickets/4711"
    # comment 1 is the description: Dana's report is the ticket event alone
    assert [e.id for e in result.events if e.kind is EventKind.CUSTOMER_REPORT] == [
        "zendesk:4711",
        "zendesk:4711:comment:4",
    ]
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
    assert reasons == [
        "not timeline events: Notification",
        "the description of ticket 4711, kept once as zendesk:4711",
        "unparseable timestamp 'not a time'",
    ]


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


# --- one API response per file: the files of a folder complete each other ----------------------


def copy_bundle(tmp_path: Path, *drop: str) -> Path:
    folder = tmp_path / "zendesk"
    shutil.copytree(BUNDLE, folder)
    for name in drop:
        (folder / name).unlink()
    return folder


def edit_ticket(folder: Path, **fields: Any) -> None:
    path = folder / "ticket-5120.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["ticket"].update(fields)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_comments_page_pairs_with_the_ticket_it_opens() -> None:
    """Two tickets beside it; 5120's description is comment 91000001's text at the same second."""
    result = load(BUNDLE / "ticket-5120-comments.json")
    assert [e.id for e in result.events] == [
        "zendesk:5120",  # comment 91000001 is the description: reported as the ticket
        "zendesk:5120:comment:91000005",
        "zendesk:5120:comment:91000007",
        "zendesk:5120:comment:91000009",
    ]
    (assumption,) = result.assumptions
    assert assumption.endswith(
        "comments attached to Zendesk ticket 5120: ticket 5120 in "
        f"{BUNDLE / 'ticket-5120.json'} has one of its comments as its description, at the same second"
    )
    opened, note, reply, again = result.events
    assert opened.source_file == str(BUNDLE / "ticket-5120.json")
    assert opened.kind is EventKind.CUSTOMER_REPORT and opened.text.startswith("Invoice PDFs download blank")
    assert note.kind is EventKind.TICKET_COMMENT and note.attrs["visibility"] == "internal"
    assert reply.kind is EventKind.TICKET_COMMENT and reply.actor.name == "Tomasz Nowak"
    assert again.kind is EventKind.CUSTOMER_REPORT and again.actor.name == "Ines Duarte"
    assert again.url == "https://northwind-billing.zendesk.com/agent/tickets/5120"
    assert [s.reason for s in result.skipped] == ["the description of ticket 5120, kept once as zendesk:5120"]


def test_bundle_reads_every_file_and_reports_each_customer_once() -> None:
    ingested = ingest([BUNDLE])
    assert [(e.id, e.kind.value, e.actor.name) for e in ingested.events] == [
        ("zendesk:5120", "customer_report", "Ines Duarte"),
        ("zendesk:5120:comment:91000005", "ticket.comment", "Tomasz Nowak"),
        ("zendesk:5120:comment:91000007", "ticket.comment", "Tomasz Nowak"),
        ("zendesk:5123", "customer_report", "Kwame Mensah"),
        ("zendesk:5120:comment:91000009", "customer_report", "Ines Duarte"),
    ]
    # the users response is read as Zendesk, used, and not reported as unrecognized
    users = next(r for r in ingested.results if r.path.endswith("users-show_many.json"))
    assert users.format == "zendesk" and users.events == [] and users.skipped == []
    assert users.assumptions[0].endswith(
        "names 3 of the people in the Zendesk files beside it "
        "(3 users listed; taken to be the same Zendesk account)"
    )
    assert [s.reason for s in ingested.skipped] == [
        "the description of ticket 5120, kept once as zendesk:5120"
    ]


def test_users_response_beside_names_the_requester_over_the_mail_sender() -> None:
    (event,) = load(BUNDLE / "ticket-5120.json").events
    assert event.actor.name == "Ines Duarte"  # not via.source.from.name "Ines D."
    assert event.kind is EventKind.CUSTOMER_REPORT  # role end-user, from the users response


def test_users_response_is_sniffed_as_zendesk_only(tmp_path: Path) -> None:
    assert detect(Source(BUNDLE / "users-show_many.json")) is ADAPTER
    bare = write(tmp_path, {"users": [{"id": 5, "name": "Ana", "role": "agent"}]}, "bare.json")
    assert detect(Source(bare)) is ADAPTER
    # another tool's users: ids that are not Zendesk's numbers
    other = write(tmp_path, {"users": [{"id": "U024BE7LH", "name": "ana", "role": "admin"}]}, "other.json")
    assert detect(Source(other)) is not ADAPTER


def test_users_response_alone_says_it_names_nobody(tmp_path: Path) -> None:
    shutil.copy(BUNDLE / "users-show_many.json", tmp_path)
    result = load(tmp_path / "users-show_many.json")
    assert result.events == [] and result.assumptions == []
    assert [s.reason for s in result.skipped] == [
        "Zendesk users only, and no Zendesk ticket, comment or audit export beside them"
    ]


def test_only_ticket_in_the_folder_takes_the_comments(tmp_path: Path) -> None:
    folder = copy_bundle(tmp_path, "ticket-5123.json")
    edit_ticket(folder, description="Invoices are blank.")  # no longer the first comment's text
    result = load(folder / "ticket-5120-comments.json")
    assert result.assumptions[0].endswith(
        f"comments attached to Zendesk ticket 5120: ticket 5120 in {folder / 'ticket-5120.json'} "
        "is the only Zendesk ticket in its folder"
    )
    assert result.events[0].id == "zendesk:5120:comment:91000001"  # not the description any more
    assert len(result.events) == 4 and result.skipped == []


def test_comments_no_ticket_claims_are_an_error_with_the_fix(tmp_path: Path) -> None:
    folder = copy_bundle(tmp_path)
    edit_ticket(folder, description="Invoices are blank.")
    with pytest.raises(InputError, match="without a ticket id") as info:
        load(folder / "ticket-5120-comments.json")
    message = str(info.value)
    assert "\n" not in message
    assert "none of the Zendesk tickets beside it (5120, 5123) opens with its comments" in message
    assert '"ticket_id": <id>' in message


def test_only_ticket_created_after_the_comments_is_not_theirs(tmp_path: Path) -> None:
    folder = copy_bundle(tmp_path, "ticket-5123.json")
    edit_ticket(folder, description="Invoices are blank.", created_at="2024-06-11T09:00:00Z")
    with pytest.raises(InputError, match="ticket 5120 beside it was created after its first comment"):
        load(folder / "ticket-5120-comments.json")


def test_comments_alone_in_their_folder(tmp_path: Path) -> None:
    shutil.copy(BUNDLE / "ticket-5120-comments.json", tmp_path)
    with pytest.raises(InputError, match="no Zendesk ticket export is beside it"):
        load(tmp_path / "ticket-5120-comments.json")
    # the folder is read again once it changes, even within one tick of its clock
    before = tmp_path.stat().st_mtime_ns
    shutil.copy(BUNDLE / "ticket-5120.json", tmp_path)
    os.utime(tmp_path, ns=(before, before))
    assert load(tmp_path / "ticket-5120-comments.json").events[0].id == "zendesk:5120"
    # and a file rewritten in place is read again too
    edit_ticket(tmp_path, description="Invoices are blank.")
    assert load(tmp_path / "ticket-5120-comments.json").events[0].id == "zendesk:5120:comment:91000001"


def test_unknown_ticket_exits_2_with_one_line(tmp_path: Path) -> None:
    folder = copy_bundle(tmp_path)
    edit_ticket(folder, description="Invoices are blank.")
    result = CliRunner().invoke(main, ["timeline", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "without a ticket id" in result.stderr


COMMENT = {"type": "Comment", "author_id": 1, "public": True, "created_at": "2024-01-01T00:05:00Z"}


def test_comment_ids_in_audits_beside_name_the_ticket(tmp_path: Path) -> None:
    write(tmp_path, {"comments": [{**COMMENT, "id": 301, "body": "hello"}]}, "comments.json")
    audit = {"id": 30, "ticket_id": 77, "author_id": 1, "created_at": "2024-01-01T00:05:00Z"}
    audits = {"audits": [{**audit, "events": [{"id": 301, "type": "Comment", "body": "hello"}]}]}
    write(tmp_path, audits, "audits.json")
    write(tmp_path, {"ticket": {"id": 78, "created_at": "2024-01-01T00:00:00Z", "requester_id": 1}}, "t.json")
    result = load(tmp_path / "comments.json")
    assert [e.id for e in result.events] == ["zendesk:77:comment:301"]
    assert result.assumptions[0].endswith(
        f"its comment ids are in {tmp_path / 'audits.json'}, which names ticket 77"
    )


def test_paging_links_name_the_ticket(tmp_path: Path) -> None:
    page = {
        "comments": [{**COMMENT, "id": 9, "body": "hello"}],
        "links": {"next": "https://acme.zendesk.com/api/v2/tickets/42/comments.json?page[after]=x"},
        "meta": {"has_more": True},
    }
    result = load(write(tmp_path, page))
    assert [e.id for e in result.events] == ["zendesk:42:comment:9"]
    assert result.assumptions[0].endswith("the page's own links name ticket 42")


def test_description_kept_once_when_ticket_and_audits_are_separate_files(tmp_path: Path) -> None:
    created = "2024-01-01T00:00:00Z"
    ticket = {"id": 8, "created_at": created, "subject": "Down", "description": "Site is down.\n"}
    write(tmp_path, {"ticket": {**ticket, "requester_id": 1, "assignee_id": 2}}, "ticket.json")
    opening = {"id": 81, "type": "Comment", "body": "Site  is down.", "public": True}
    reply = {"id": 83, "type": "Comment", "body": "Looking.", "public": True}
    audits = [
        {"id": 80, "ticket_id": 8, "author_id": 1, "created_at": created, "events": [opening]},
        {"id": 82, "ticket_id": 8, "author_id": 2, "created_at": "2024-01-01T00:03:00Z", "events": [reply]},
    ]
    write(tmp_path, {"audits": audits}, "ticket-audits.json")
    alone = load(tmp_path / "ticket-audits.json")
    # the ticket file would not be read if only the audits were given: the report must not be lost
    assert [e.id for e in alone.events] == ["zendesk:8", "zendesk:8:comment:83"]
    assert alone.events[0].source_file == str(tmp_path / "ticket.json")
    merged = ingest([tmp_path])
    assert [e.id for e in merged.events] == ["zendesk:8", "zendesk:8:comment:83"]
    assert (
        merged.events[0].kind is EventKind.CUSTOMER_REPORT
        and merged.events[0].text == "Down\n\nSite is down."
    )
    (ticket_only,) = load(tmp_path / "ticket.json").events  # a ticket without its comments still reports
    assert ticket_only.id == "zendesk:8"


def test_only_the_description_itself_is_dropped(tmp_path: Path) -> None:
    created = "2024-01-01T00:00:00Z"
    ticket = {"id": 8, "created_at": created, "description": "Site is down.", "requester_id": 1}
    comments = [
        {**COMMENT, "id": 1, "created_at": "2024-01-01T00:00:01Z", "body": "Site is down."},
        {**COMMENT, "id": 2, "created_at": created, "body": "Also the API."},
    ]
    result = load(write(tmp_path, {"ticket": ticket, "comments": comments}))
    assert [e.id for e in result.events] == ["zendesk:8", "zendesk:8:comment:1", "zendesk:8:comment:2"]
