"""Jira adapter: the shared samples (facts checked by hand in the raw files) and hand-written data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest._ticket_text import adf_to_text
from pmdraft.ingest.jira import ADAPTER

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "jira"
DATA = Path(__file__).resolve().parents[1] / "data" / "tickets"

#: Every shared sample that is a Jira export (the ADF document is a body fragment, tested below).
EXPORTS = [
    "atlassian_openapi_v3_get_changelog.json",
    "atlassian_openapi_v3_get_comments.json",
    "atlassian_openapi_v3_get_issue.json",
    "atlassian_openapi_v3_search.json",
    "go-jira_issues_in_sprint.json",
    "jira-cli_issue_v2_plain.json",
    "jira-cli_issue_v3_adf.json",
    "jira-cli_search.json",
]


def sample(name: str) -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples folder not available")
    return SAMPLES / name


def load(path: Path, options: LoadOptions | None = None) -> IngestResult:
    return ADAPTER.load(Source(path), options or LoadOptions())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write(tmp_path: Path, data: object, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


# --- shared samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_sniffing_picks_jira_for_every_sample_export(name: str) -> None:
    adapter = detect(Source(sample(name)))
    assert adapter is not None and adapter.name == "jira"


@pytest.mark.parametrize("name", ["jira-cli_issue_v2_plain.json", "jira-cli_issue_v3_adf.json"])
def test_jira_cli_single_issue_v2_and_v3_give_the_same_created_event(name: str) -> None:
    result = load(sample(name))
    assert [e.id for e in result.events] == ["jira:TEST-1"]
    event = result.events[0]
    assert event.kind is EventKind.TICKET_CREATED
    # 2020-12-03T14:05:20.974+0100 (offset without a colon) is 13:05:20.974 UTC
    assert event.time == datetime(2020, 12, 3, 13, 5, 20, 974000, tzinfo=UTC)
    assert event.raw_time == "2020-12-03T14:05:20.974+0100"
    assert not event.time_assumed
    assert event.actor.name == "Person A"  # the reporter; no creator in the file
    assert event.text == "Bug summary\n\nTest description"
    assert event.attrs["priority"] == "Medium"
    assert event.url is None  # no 'self' URL, so no site to link to


def test_jira_cli_search_three_issues_with_their_reporters() -> None:
    result = load(sample("jira-cli_search.json"))
    assert [(e.id, e.actor.name, e.attrs["priority"]) for e in result.events] == [
        ("jira:TEST-1", "Person A", "Medium"),
        ("jira:TEST-2", "Person B", "High"),
        ("jira:TEST-3", "Person C", "Low"),
    ]
    assert {e.kind for e in result.events} == {EventKind.TICKET_CREATED}
    assert result.events[1].text == "Story summary"


def test_go_jira_agile_issue_created_and_resolved_with_offsets() -> None:
    result = load(sample("go-jira_issues_in_sprint.json"))
    created, resolved = result.events
    assert created.id == "jira:AR-86"
    assert created.time == utc("2015-12-02T15:39:15")  # 07:39:15-0800
    assert created.url == "https://example.atlassian.net/browse/AR-86"  # site from the agile 'self' URL
    assert created.attrs["priority"] == "Major"
    assert created.actor.name == "unknown"  # neither creator nor reporter in this export
    assert resolved.kind is EventKind.TICKET_STATUS
    assert resolved.id == "jira:AR-86:resolved"
    assert resolved.time == utc("2015-12-07T22:19:13")  # resolutiondate 14:19:13-0800
    assert resolved.attrs["resolution"] == "Done"


@pytest.mark.parametrize("name", ["atlassian_openapi_v3_get_issue.json", "atlassian_openapi_v3_search.json"])
def test_atlassian_example_issue_has_no_created_and_a_bare_comment_list(name: str) -> None:
    result = load(sample(name))
    assert [s.reason for s in result.skipped] == ["no timestamp"]
    assert "ED-1 (created)" in result.skipped[0].where
    (comment,) = result.events
    assert comment.id == "jira:ED-1:comment:10000"
    assert comment.kind is EventKind.TICKET_COMMENT
    assert comment.time == utc("2021-01-17T12:34:00")
    assert comment.actor.name == "Mia Krystof"
    assert comment.actor.id == "5b10a2844c20165700ede21g"
    assert comment.text.startswith("Lorem ipsum dolor sit amet")
    assert comment.url == "https://your-domain.atlassian.net/browse/ED-1?focusedCommentId=10000"
    assert comment.attrs["visibility"] == "role:Administrators"
    assert comment.edited  # updated 2021-01-18, a day after it was written


def test_bare_comments_page_takes_the_issue_from_the_comment_self_url() -> None:
    result = load(sample("atlassian_openapi_v3_get_comments.json"))
    (comment,) = result.events
    # .../rest/api/3/issue/10010/comment/10000: the issue is known only by its numeric id
    assert comment.id == "jira:10010:comment:10000"
    assert comment.attrs["ticket_key"] == "10010"
    assert comment.url is None  # /browse/ needs a key, not an id
    assert comment.actor.name == "Mia Krystof"


def test_changelog_page_with_only_non_status_fields_gives_no_events_and_says_why() -> None:
    result = load(sample("atlassian_openapi_v3_get_changelog.json"))
    assert result.events == []
    assert [s.where.rsplit(": ", 1)[-1] for s in result.skipped] == [
        "issue TT-1 history 10001",
        "issue TT-1 history 10002",
    ]
    assert all("not status or priority" in s.reason for s in result.skipped)


def test_adf_body_fragment_is_not_claimed_and_forcing_it_says_what_it_is() -> None:
    """jira-cli's md.json is a bare ADF document (a body), which no Jira export consists of."""
    path = sample("jira-cli_adf_document.json")
    adapter = detect(Source(path))
    assert adapter is None or adapter.name != "jira"
    with pytest.raises(InputError, match="Atlassian Document Format body"):
        load(path)


def test_adf_sample_document_renders_every_node_kind() -> None:
    text = adf_to_text(json.loads(sample("jira-cli_adf_document.json").read_text(encoding="utf-8")))
    lines = text.split("\n")
    assert lines[:4] == ["H1", "H2", "1. Some text", "2. Some more text"]
    assert "> Blockquote text" in lines
    assert "Inline Node https://antiklabs.atlassian.net/wiki/spaces/ANK/pages/124234/hello-world" in lines
    assert "@Person A" in lines  # mention attrs.text
    assert "Link (https://ankit.pl)" in lines  # link mark
    assert "Panel paragraph" in lines
    bullet = lines.index("- Prefix: Unordered list item 1")
    assert lines[bullet + 1 : bullet + 4] == ["  - Next", "    - Another", "      - New level"]
    assert "3. Ordered list item 3" in lines
    assert "Table Header 1 | Table Header 2 | Table Header 3" in lines
    assert '\tfmt.Println("Hello, World!")' in lines  # codeBlock kept verbatim, tabs included


# --- hand-written data -------------------------------------------------------------------------


def test_v3_issue_with_changelog_comments_and_adf() -> None:
    result = load(DATA / "jira_v3_incident.json")
    by_id = {e.id: e for e in result.events}
    assert sorted(by_id) == [
        "jira:OPS-7",
        "jira:OPS-7:comment:30001",
        "jira:OPS-7:history:2001",
        "jira:OPS-7:history:2001:2",
        "jira:OPS-7:history:2003",
    ]
    created = by_id["jira:OPS-7"]
    assert created.time == utc("2024-03-05T13:02:11")
    assert created.actor.name == "Ana Lima" and created.actor.id == "acc-ana"  # creator before reporter
    assert created.url == "https://acme.atlassian.net/browse/OPS-7"
    assert created.text.startswith("Checkout returns 502 for EU customers\n\nPaged by @Bo Chen at 13:58\n")
    assert "dashboard (https://grafana.example/d/eu) 🔥" in created.text
    assert "- eu-west only\n- since deploy 4512" in created.text
    assert "upstream connect error\nreset reason: overflow" in created.text
    assert created.text.endswith("https://acme.atlassian.net/browse/OPS-6")
    assert created.thread_id == "jira:OPS-7"

    status = by_id["jira:OPS-7:history:2001"]
    assert status.kind is EventKind.TICKET_STATUS
    assert dict(status.attrs) == {"ticket_key": "OPS-7", "status_from": "Open", "status_to": "In Progress"}
    priority = by_id["jira:OPS-7:history:2001:2"]  # second relevant item of the same history: suffixed
    assert priority.attrs["priority"] == "Highest" and priority.attrs["priority_from"] == "High"
    assert by_id["jira:OPS-7:history:2003"].attrs["status_to"] == "Resolved"
    assert by_id["jira:OPS-7:history:2003"].time == utc("2024-03-05T15:45:30")

    comment = by_id["jira:OPS-7:comment:30001"]
    assert comment.text == "Rolling back 4512 :rewind:"  # emoji without attrs.text falls back to shortName
    assert comment.url == "https://acme.atlassian.net/browse/OPS-7?focusedCommentId=30001"
    assert not comment.edited

    reasons = {s.where.rsplit(": ", 1)[-1]: s.reason for s in result.skipped}
    assert reasons == {
        "issue OPS-7 comment 30002": "unparseable timestamp 'yesterday'",
        "issue OPS-7 history 2002": "changes only assignee, not status or priority",
    }


def test_v2_issue_wiki_markup_becomes_plain_text() -> None:
    result = load(DATA / "jira_v2_wiki.json")
    created, comment = result.events
    assert created.time == utc("2024-02-01T14:00:00")  # 09:00-0500
    assert created.actor.name == "Jane Doe" and created.actor.id == "jdoe"  # Server users: key/name
    assert created.url == "https://jira.example.org/jira/browse/SUP-31"  # Server context path kept
    body = created.text.split("\n\n", 1)[1]
    assert body.startswith(
        "Impact\nAll SSO logins fail for some tenants, see runbook (https://wiki.example.org/sso)."
    )
    assert "- first symptom\n  - nested symptom" in body
    assert "throw new *NotBold*();" in body  # no markup processing inside {code}
    assert "raw _log_ line" in body  # nor inside {noformat}
    assert "Region | Errors\neu | 4312" in body
    assert body.endswith("ping @5b10ac8d82e05b22cc7d4ef5")
    assert comment.text == "> cert expired at 08:55\nMitigated by re-issuing the cert."
    assert comment.url == "https://jira.example.org/jira/browse/SUP-31?focusedCommentId=900"


def test_search_and_changelog_pages_of_the_same_issue_share_ids(tmp_path: Path) -> None:
    issue = json.loads((DATA / "jira_v3_incident.json").read_text(encoding="utf-8"))
    page = {
        "self": "https://acme.atlassian.net/rest/api/3/issue/OPS-7/changelog?startAt=0",
        "isLast": True,
        "values": issue["changelog"]["histories"],
    }
    result = load(write(tmp_path, page))
    assert [e.id for e in result.events] == [
        "jira:OPS-7:history:2001",
        "jira:OPS-7:history:2001:2",
        "jira:OPS-7:history:2003",
    ]
    search = load(write(tmp_path, {"startAt": 0, "total": 1, "issues": [issue]}, "search.json"))
    assert {e.id for e in search.events} >= {e.id for e in result.events}


def test_bare_comments_without_any_issue_key_are_refused(tmp_path: Path) -> None:
    page: dict[str, Any] = {
        "comments": [
            {
                "id": "1",
                "author": {"displayName": "A"},
                "body": "hi",
                "created": "2024-03-05T14:02:11.000+0100",
            }
        ]
    }
    path = write(tmp_path, page)
    assert detect(Source(path)) is ADAPTER
    with pytest.raises(InputError, match="without an issue key") as info:
        load(path)
    assert "\n" not in str(info.value)
    page["issueKey"] = "OPS-9"
    assert [e.id for e in load(write(tmp_path, page, "hinted.json")).events] == ["jira:OPS-9:comment:1"]


def test_truncated_export_is_claimed_and_reported_in_one_line(tmp_path: Path) -> None:
    text = (DATA / "jira_v3_incident.json").read_text(encoding="utf-8")
    path = write(tmp_path, text[: len(text) // 2])
    assert detect(Source(path)) is ADAPTER
    with pytest.raises(InputError, match="invalid JSON at line") as info:
        load(path)
    assert "\n" not in str(info.value)


def test_other_json_is_neither_claimed_nor_read(tmp_path: Path) -> None:
    path = write(tmp_path, {"fields": {"a": 1}, "comments": [{"body": "x"}], "values": []})
    assert detect(Source(path)) is not ADAPTER
    with pytest.raises(InputError, match="not a Jira export"):
        load(path)


def test_naive_time_takes_tz_and_is_marked_assumed(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    issue = {"key": "X-1", "fields": {"summary": "s", "created": "2024-03-05T14:00:00"}}
    result = load(write(tmp_path, issue), LoadOptions(tz=ZoneInfo("Europe/Berlin")))
    (event,) = result.events
    assert event.time == utc("2024-03-05T13:00:00") and event.time_assumed
    assert result.assumptions and "Europe/Berlin" in result.assumptions[0]


def _resolved_issue(history_created: str, field: str = "resolution") -> dict[str, Any]:
    return {
        "key": "OPS-9",
        "fields": {
            "summary": "Checkout errors",
            "created": "2024-03-07T22:50:00.000+0000",
            "resolutiondate": "2024-03-08T03:24:10.815+0100",
            "resolution": {"name": "Fixed"},
        },
        "changelog": {
            "histories": [
                {
                    "id": "1",
                    "author": {"displayName": "Rina Okafor", "accountId": "acc-rina"},
                    "created": history_created,
                    "items": [
                        {"field": field, "fromString": None, "toString": "Fixed", "to": "1"},
                        {"field": "status", "fromString": "In Progress", "toString": "Done"},
                    ],
                }
            ]
        },
    }


def test_the_resolved_event_names_who_set_the_resolution(tmp_path: Path) -> None:
    same_second = load(write(tmp_path, _resolved_issue("2024-03-08T02:24:10.815+0000")))
    resolved = next(e for e in same_second.events if e.id == "jira:OPS-9:resolved")
    assert resolved.actor.name == "Rina Okafor" and resolved.actor.id == "acc-rina"
    # A changelog entry at another time, or one that did not set the resolution, names nobody.
    later = load(write(tmp_path, _resolved_issue("2024-03-08T05:00:00.000+0000"), "later.json"))
    assert next(e for e in later.events if e.id == "jira:OPS-9:resolved").actor.name == "unknown"
    other = load(write(tmp_path, _resolved_issue("2024-03-08T02:24:10.815+0000", "labels"), "other.json"))
    assert next(e for e in other.events if e.id == "jira:OPS-9:resolved").actor.name == "unknown"
