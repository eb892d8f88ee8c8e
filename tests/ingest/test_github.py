"""GitHub adapter: the shared samples (facts checked by hand in the raw files) and hand-written data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.github import ADAPTER
from tests.ingest._samples import sample_folder, utc, write_json

DATA = Path(__file__).resolve().parents[1] / "data" / "tickets"
EXPORTS = ["octokit_paginate-issues_normalized-fixture.json", "zulip_issue_comment_webhook_excerpt.json"]


def sample(name: str) -> Path:
    return sample_folder("github-issues") / name


def load(path: Path) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions())


def write(tmp_path: Path, data: Any, name: str = "github.json") -> Path:
    return write_json(tmp_path, data, name)


def issue(number: int, **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "html_url": f"https://github.com/acme/shop/issues/{number}",
        "repository_url": "https://api.github.com/repos/acme/shop",
        "title": f"issue {number}",
        "body": None,
        "user": {"login": "ana-lima", "id": 11},
        "state": "open",
        "created_at": "2024-03-05T13:05:00Z",
        "closed_at": None,
        **extra,
    }


# --- shared samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_sniffing_picks_github_for_every_sample(name: str) -> None:
    adapter = detect(Source(sample(name)))
    assert adapter is not None and adapter.name == "github"


def test_octokit_recorded_pages_give_all_thirteen_issues() -> None:
    """Five recorded pages of three issues (13 in all); pages 2-5 were fetched via /repositories/1000/."""
    result = load(sample("octokit_paginate-issues_normalized-fixture.json"))
    numbers = [int(e.id.rsplit("#", 1)[1]) for e in result.events]
    assert numbers == list(range(13, 0, -1))
    assert {e.kind for e in result.events} == {EventKind.TICKET_CREATED}  # all open, closed_at null
    assert {e.time for e in result.events} == {utc("2017-10-10T16:00:00")}
    assert {e.actor.name for e in result.events} == {"octokit-fixture-user-a"}
    first = result.events[0]
    assert first.id == "github:octokit-fixture-org/paginate-issues#13"
    assert first.url == "https://github.com/octokit-fixture-org/paginate-issues/issues/13"
    assert first.text == "Test issue 13"  # body is null
    assert result.skipped == []


def test_issue_comment_webhook_excerpt() -> None:
    """The excerpt has no ``repository``; the repo comes from the issue's URLs."""
    opened, comment = load(sample("zulip_issue_comment_webhook_excerpt.json")).events
    assert opened.id == "github:baxterthehacker/public-repo#2"
    assert opened.kind is EventKind.TICKET_CREATED
    assert opened.text == (
        "Spelling error in the README file\n\nIt looks like you accidentally spelled 'commit' with two 't's."
    )
    assert opened.attrs["labels"] == "bug"
    assert comment.id == "github:baxterthehacker/public-repo#2:comment:99262140"
    assert comment.kind is EventKind.TICKET_COMMENT
    assert comment.actor.name == "baxterthehacker" and comment.actor.id == "6752317"
    assert comment.time == opened.time == utc("2015-05-05T23:40:28")
    assert comment.url == "https://github.com/baxterthehacker/public-repo/issues/2#issuecomment-99262140"
    assert comment.text == "You are totally right! I'll get this fixed right away."
    assert not comment.edited


# --- hand-written data -------------------------------------------------------------------------


def test_combined_closed_issue_with_comments() -> None:
    result = load(DATA / "github_closed_issue.json")
    by_id = {e.id: e for e in result.events}
    assert sorted(by_id) == [
        "github:acme/shop#88",
        "github:acme/shop#88:closed:2024-03-05T15:45:00Z",
        "github:acme/shop#88:comment:5001",
        "github:acme/shop#88:comment:5002",
    ]
    closed = by_id["github:acme/shop#88:closed:2024-03-05T15:45:00Z"]
    assert closed.kind is EventKind.TICKET_STATUS
    assert closed.time == utc("2024-03-05T15:45:00")
    assert closed.actor.name == "bo-chen"  # closed_by
    assert dict(closed.attrs) == {
        "ticket_key": "acme/shop#88",
        "status_from": "open",
        "status_to": "closed",
        "state_reason": "completed",
    }
    assert by_id["github:acme/shop#88"].attrs["labels"] == "incident, sev1"
    bot = by_id["github:acme/shop#88:comment:5001"]
    assert bot.is_bot and bot.actor.is_bot
    assert by_id["github:acme/shop#88:comment:5002"].edited


def test_issues_webhook_closed_and_reopened_use_the_sender(tmp_path: Path) -> None:
    closed_issue = issue(
        4, state="closed", closed_at="2024-03-05T15:00:00Z", updated_at="2024-03-05T15:00:00Z"
    )
    payload = {
        "action": "closed",
        "issue": closed_issue,
        "repository": {"full_name": "acme/shop"},
        "sender": {"login": "bo-chen", "id": 12},
    }
    events = load(write(tmp_path, payload, "closed.json")).events
    assert [(e.kind, e.actor.name) for e in events] == [
        (EventKind.TICKET_CREATED, "ana-lima"),
        (EventKind.TICKET_STATUS, "bo-chen"),
    ]
    reopened = {**payload, "action": "reopened", "issue": issue(4, updated_at="2024-03-05T16:00:00Z")}
    events = load(write(tmp_path, reopened, "reopened.json")).events
    status = events[-1]
    assert status.id == "github:acme/shop#4:reopened:2024-03-05T16:00:00Z"
    assert status.attrs["status_to"] == "open" and status.actor.name == "bo-chen"


def test_pages_of_issues_and_comments_lists(tmp_path: Path) -> None:
    pages = [[issue(1), issue(2, pull_request={"url": "x"})], [issue(3, created_at="garbage")]]
    result = load(write(tmp_path, pages))
    assert [e.id for e in result.events] == ["github:acme/shop#1", "github:acme/shop#2"]
    assert result.events[1].attrs["pull_request"] == "true"
    assert [s.reason for s in result.skipped] == ["unparseable timestamp 'garbage'"]
    comments = [
        {
            "id": 7,
            "html_url": "https://ghe.corp.example/acme/shop/pull/9#issuecomment-7",
            "issue_url": "https://ghe.corp.example/api/v3/repos/acme/shop/issues/9",
            "user": {"login": "cy"},
            "body": "LGTM",
            "created_at": "2024-03-05T13:00:00Z",
        }
    ]
    (comment,) = load(write(tmp_path, comments, "comments.json")).events
    assert comment.id == "github:acme/shop#9:comment:7"  # GitHub Enterprise host


def test_generic_json_with_number_and_login_is_not_claimed(tmp_path: Path) -> None:
    lookalike = [{"number": 1, "user": {"login": "x"}, "created_at": "2024-01-01T00:00:00Z", "html_url": "x"}]
    path = write(tmp_path, lookalike)
    assert detect(Source(path)) is not ADAPTER
    with pytest.raises(InputError, match="not a GitHub issues export"):
        load(path)
