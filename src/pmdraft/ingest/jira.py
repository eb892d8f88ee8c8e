"""Jira REST issue JSON: issues, searches, comment pages and changelog pages (API v2 and v3).

The changelog's status transitions are the ticket's timeline and comments are its narrative, so
both become events. v3 bodies are Atlassian Document Format (ADF) trees and v2 bodies are
wiki-markup strings; ``_ticket_text`` reduces both to plain text so later stages see one dialect.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, parse_iso
from pmdraft.ingest._iso_times import IsoTimes
from pmdraft.ingest._ticket_text import body_text, first_part

__all__ = ["ADAPTER"]

NAME = "jira"
_UNKNOWN = Actor(name="unknown")
#: Changelog fields that belong on an incident timeline; other edits (labels, sprint...) are skipped.
_TIMELINE_FIELDS = frozenset({"status", "priority"})
#: Head markers that only a Jira REST response carries; a file with them that fails to parse is ours.
_STRONG_MARKERS = ("/rest/api/2/", "/rest/api/3/", "/rest/agile/", '"fromString"')
_ISSUE_IN_URL = re.compile(r"/issue/([^/?#]+)")

# --- shapes ------------------------------------------------------------------------------------


def _is_issue(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("fields"), dict) and ("key" in item or "id" in item)


def _is_comment(item: object) -> bool:
    return (
        isinstance(item, dict)
        and "body" in item
        and "created" in item
        and isinstance(item.get("author"), dict)
        and (
            "displayName" in item["author"]
            or "accountId" in item["author"]
            or "/rest/" in str(item.get("self"))
        )
    )


def _is_history(item: object) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("items"), list) or "created" not in item:
        return False
    first = item["items"][0] if item["items"] else {}
    return isinstance(first, dict) and "field" in first and ("toString" in first or "fromString" in first)


def _shape(data: object) -> str | None:
    """Which Jira response this is, or None when it is not one."""
    if isinstance(data, list):
        return "issues" if data and _is_issue(data[0]) else None
    if not isinstance(data, dict):
        return None
    issues = data.get("issues")
    if isinstance(issues, list) and issues and _is_issue(issues[0]):
        return "search"
    if _is_issue(data):
        return "issue"
    comments = data.get("comments")
    if isinstance(comments, list) and comments and _is_comment(comments[0]):
        return "comments"
    values = data.get("values")
    if isinstance(values, list) and values and _is_history(values[0]):
        return "changelog"
    return None


# --- adapter -----------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    """Issues carry ``key`` + ``fields``; comment and changelog pages carry Jira's author and item keys."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    if '"fields"' not in head and '"fromString"' not in head and '"comments"' not in head:
        return False
    try:
        data = source.json()
    except InputError:
        return '"key"' in head and any(m in head for m in _STRONG_MARKERS)
    return _shape(data) is not None


def site_of(url: object) -> str | None:
    """``https://x.atlassian.net`` (or a Server base with context path) from any REST ``self`` URL."""
    if isinstance(url, str) and "/rest/" in url and url.startswith(("http://", "https://")):
        return url.split("/rest/", 1)[0]
    return None


def _key_from_url(url: object) -> str | None:
    match = _ISSUE_IN_URL.search(url) if isinstance(url, str) else None
    return match.group(1) if match else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _name_of(value: object) -> str:
    """The ``name`` of a Jira named object (status, priority) or a plain string."""
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _resolver(changelog: object, resolved: object) -> Actor:
    """Who resolved the issue: the author of the changelog entry that set the resolution at that time.

    ``resolutiondate`` carries no author; the history that changed the ``resolution`` field in the same
    second does. Unknown when the changelog is absent or no entry matches."""
    when, _ = parse_iso(resolved)
    histories = changelog.get("histories") if isinstance(changelog, dict) else None
    if when is None or not isinstance(histories, list):
        return _UNKNOWN
    for history in histories:
        if not isinstance(history, dict) or not isinstance(history.get("items"), list):
            continue
        at, _ = parse_iso(history.get("created"))
        sets_resolution = any(
            isinstance(i, dict)
            and str(i.get("field", "")).lower() == "resolution"
            and (i.get("to") is not None or bool(i.get("toString")))
            for i in history["items"]
        )
        if at is not None and sets_resolution and abs((at - when).total_seconds()) < 1:
            return _actor(history.get("author"))
    return _UNKNOWN


def _actor(user: object) -> Actor:
    if not isinstance(user, dict):
        return _UNKNOWN
    uid = user.get("accountId") or user.get("key") or user.get("name")
    name = user.get("displayName") or user.get("name") or uid
    if not isinstance(name, str) or not name:
        return _UNKNOWN
    return Actor(name=name, id=str(uid) if uid else None, is_bot=user.get("accountType") == "app")


class _Stamp(NamedTuple):
    """A parsed source time with its original spelling and whether its zone was assumed."""

    time: datetime
    assumed: bool
    raw: str


class _Reader:
    """Turns the issues, comments and histories of one file into events."""

    def __init__(self, source: Source, options: LoadOptions) -> None:
        self.path = str(source.path)
        self.result = IngestResult(path=self.path, format=NAME)
        self.times = IsoTimes(self.result, options.tz, "Jira times without an offset")

    def skip(self, what: str, reason: str) -> None:
        self.result.skipped.append(Skipped(f"{self.path}: {what}", reason))

    def time(self, value: object, what: str) -> _Stamp | None:
        found = self.times.read(value, what)
        return None if found is None else _Stamp(found[0], found[1], str(value))

    def event(
        self,
        id_: str,
        kind: EventKind,
        when: _Stamp,
        actor: Actor,
        text: str,
        ticket: tuple[str, str | None],
        attrs: dict[str, str],
        edited: bool = False,
    ) -> None:
        """One event of the ticket ``ticket`` = (key, browse URL)."""
        key, url = ticket
        self.result.events.append(
            Event(
                id=id_,
                time=when.time,
                kind=kind,
                source_file=self.path,
                source_format=NAME,
                actor=actor,
                text=text,
                thread_id=f"jira:{key}",
                url=url,
                is_bot=actor.is_bot,
                edited=edited,
                time_assumed=when.assumed,
                raw_time=when.raw,
                attrs={"ticket_key": key, **attrs},
            )
        )

    def issue(self, issue: dict[str, Any]) -> None:
        key = str(issue.get("key") or issue.get("id") or "")
        if not key:
            self.skip("issue", "no key or id")
            return
        fields = issue["fields"]
        site = site_of(issue.get("self"))
        url = f"{site}/browse/{key}" if site and _looks_like_key(key) else None
        priority = _name_of(fields.get("priority"))
        when = self.time(fields.get("created"), f"issue {key} (created)")
        if when is not None:
            summary = _text(fields.get("summary")).strip()
            description = first_part(body_text(fields.get("description")))
            text = "\n\n".join(p for p in (summary, description) if p) or f"Issue {key} created"
            attrs = {"priority": priority} if priority else {}
            issuetype = _name_of(fields.get("issuetype"))
            if issuetype:
                attrs["issue_type"] = issuetype
            actor = _actor(fields.get("creator") or fields.get("reporter"))
            self.event(f"jira:{key}", EventKind.TICKET_CREATED, when, actor, text, (key, url), attrs)
        resolved = fields.get("resolutiondate")
        if resolved and (when := self.time(resolved, f"issue {key} (resolutiondate)")) is not None:
            resolution = _name_of(fields.get("resolution"))
            text = f"Resolved as {resolution}" if resolution else "Resolved"
            attrs = {"resolution": resolution} if resolution else {}
            actor = _resolver(issue.get("changelog"), resolved)
            self.event(f"jira:{key}:resolved", EventKind.TICKET_STATUS, when, actor, text, (key, url), attrs)
        comment = fields.get("comment")
        comments = comment.get("comments") if isinstance(comment, dict) else comment
        if isinstance(comments, list):
            self.comments(comments, key, site)
        changelog = issue.get("changelog")
        if isinstance(changelog, dict) and isinstance(changelog.get("histories"), list):
            self.histories(changelog["histories"], key, site)

    def comments(self, comments: list[Any], key: str, site: str | None) -> None:
        for comment in comments:
            if not isinstance(comment, dict) or "id" not in comment:
                self.skip(f"issue {key} comment", "not a comment object")
                continue
            cid = str(comment["id"])
            when = self.time(comment.get("created"), f"issue {key} comment {cid}")
            if when is None:
                continue
            attrs: dict[str, str] = {}
            visibility = comment.get("visibility")
            if isinstance(visibility, dict) and visibility.get("value"):
                attrs["visibility"] = f"{visibility.get('type', 'restricted')}:{visibility['value']}"
            url = f"{site}/browse/{key}?focusedCommentId={cid}" if site and _looks_like_key(key) else None
            updated = comment.get("updated")
            self.event(
                f"jira:{key}:comment:{cid}",
                EventKind.TICKET_COMMENT,
                when,
                _actor(comment.get("author")),
                body_text(comment.get("body")),
                (key, url),
                attrs,
                edited=bool(updated) and updated != comment["created"],
            )

    def histories(self, histories: list[Any], key: str, site: str | None) -> None:
        url = f"{site}/browse/{key}" if site and _looks_like_key(key) else None
        for history in histories:
            if not isinstance(history, dict) or "id" not in history:
                self.skip(f"issue {key} history", "not a changelog history")
                continue
            hid = str(history["id"])
            items = history.get("items")
            items = items if isinstance(items, list) else []
            relevant = [
                (i, item)
                for i, item in enumerate(items)
                if isinstance(item, dict) and str(item.get("field", "")).lower() in _TIMELINE_FIELDS
            ]
            if not relevant:
                fields = ", ".join(sorted({str(i.get("field")) for i in items if isinstance(i, dict)}))
                reason = f"changes only {fields or 'nothing'}, not status or priority"
                self.skip(f"issue {key} history {hid}", reason)
                continue
            when = self.time(history.get("created"), f"issue {key} history {hid}")
            if when is None:
                continue
            actor = _actor(history.get("author"))
            for n, (index, item) in enumerate(relevant):
                old, new = _text(item.get("fromString")), _text(item.get("toString"))
                field = str(item["field"]).lower()
                if field == "status":
                    attrs = {"status_from": old, "status_to": new}
                    text = f"Status changed from {old or '(none)'} to {new or '(none)'}"
                else:
                    attrs = {"priority": new, "priority_from": old}
                    text = f"Priority changed from {old or '(none)'} to {new or '(none)'}"
                id_ = f"jira:{key}:history:{hid}" + (f":{index}" if n else "")
                self.event(id_, EventKind.TICKET_STATUS, when, actor, text, (key, url), attrs)


def _looks_like_key(key: str) -> bool:
    """``ABC-12`` rather than a numeric issue id: only keys make working browse links."""
    return "-" in key and not key.isdigit()


def _page_key(data: dict[str, Any], items: list[Any], what: str, path: Source) -> str:
    """The issue a bare comment or changelog page belongs to: stated, or read from a ``self`` URL."""
    for hint in (data.get("issueKey"), data.get("key")):
        if isinstance(hint, str) and hint:
            return hint
    key = _key_from_url(data.get("self"))
    for item in items:
        key = key or (_key_from_url(item.get("self")) if isinstance(item, dict) else None)
    if key is None:
        raise InputError(
            path.path,
            f"Jira {what} without an issue key (no 'self' URL names the issue); "
            'add "issueKey": "ABC-123" at the top level or export the issue with its comments',
        )
    return key


class JiraAdapter:
    """``--input-format jira``."""

    name = NAME
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        data = source.json()
        shape = _shape(data)
        reader = _Reader(source, options)
        if shape == "issues":
            for issue in data:
                if _is_issue(issue):
                    reader.issue(issue)
                else:
                    reader.skip("list item", "not a Jira issue")
        elif shape == "search":
            for issue in data["issues"]:
                if _is_issue(issue):
                    reader.issue(issue)
                else:
                    reader.skip("search result", "not a Jira issue")
        elif shape == "issue":
            reader.issue(data)
        elif shape == "comments":
            key = _page_key(data, data["comments"], "comments page", source)
            site = site_of(data.get("self")) or next(
                (s for c in data["comments"] if isinstance(c, dict) and (s := site_of(c.get("self")))), None
            )
            reader.comments(data["comments"], key, site)
        elif shape == "changelog":
            key = _page_key(data, data["values"], "changelog page", source)
            reader.histories(data["values"], key, site_of(data.get("self")))
        elif isinstance(data, dict) and data.get("type") == "doc":
            raise InputError(
                source.path,
                "an Atlassian Document Format body (a description or comment), not an issue export; "
                "export the issue with GET /rest/api/3/issue/KEY?expand=changelog",
            )
        else:
            raise InputError(
                source.path,
                "not a Jira export: expected an issue ({key, fields}), a search ({issues: [...]}), "
                "a comments page ({comments: [...]}) or a changelog page ({values: [...]})",
            )
        return reader.result


ADAPTER = JiraAdapter()
