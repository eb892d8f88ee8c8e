"""GitHub issues and issue comments: REST objects, lists and pages of them, and webhook payloads.

An issue's opening and closing bracket the incident's ticket trail and its comments are the
narrative. GitHub paginates with a ``Link`` header that a saved file loses, so lists of pages
(and recorded request/response pairs such as octokit fixtures) are flattened here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._iso_times import IsoTimes
from pmdraft.ingest._ticket_text import first_part

__all__ = ["ADAPTER"]

NAME = "github"
_UNKNOWN = Actor(name="unknown")
_REPOS_URL = re.compile(r"/repos/([^/]+/[^/]+?)(?:/issues/(\d+))?(?:[/?#]|$)")
_HTML_URL = re.compile(r"^https?://[^/]+/([^/]+/[^/]+)/(?:issues|pull)/(\d+)")
_HEAD_MARKERS = ('"html_url"', '"repository_url"', '"issue_url"')


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _login(item: dict[str, Any]) -> str | None:
    login = _dict(item.get("user")).get("login")
    return login if isinstance(login, str) and login else None


def _is_issue(item: object) -> bool:
    """GitHub's issue shape; ``number`` + ``user.login`` alone are too common to claim a file by."""
    if not isinstance(item, dict) or "number" not in item or "created_at" not in item:
        return False
    html_url = item.get("html_url")
    on_github = isinstance(html_url, str) and "github.com/" in html_url
    return on_github or ("repository_url" in item and _login(item) is not None)


def _is_comment(item: object) -> bool:
    if not isinstance(item, dict) or "id" not in item or "created_at" not in item or "body" not in item:
        return False
    return "issue_url" in item or "#issuecomment-" in str(item.get("html_url"))


def _is_webhook(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("action"), str) and _is_issue(data.get("issue"))


def _pages(data: object) -> Iterator[object]:
    """The items of a list, of a list of pages, or of recorded exchanges (``{path, status, response}``)."""
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, list):
            yield from item
        elif isinstance(item, dict) and "response" in item and ("path" in item or "status" in item):
            status = item.get("status")
            if isinstance(status, int) and not 200 <= status < 300:
                continue
            response = item["response"]
            yield from response if isinstance(response, list) else [response]
        else:
            yield item


def _shape(data: object) -> str | None:
    if _is_webhook(data):
        return "webhook"
    if isinstance(data, dict):
        if _is_issue(data.get("issue")):
            return "combined"
        if _is_issue(data):
            return "issue"
        items = data.get("items")
        if "total_count" in data and isinstance(items, list) and items and _is_issue(items[0]):
            return "search"
        return None
    if isinstance(data, list):
        first = next(_pages(data), None)
        return "list" if _is_issue(first) or _is_comment(first) else None
    return None


def sniff(source: Source) -> bool:
    """Issue and comment objects carry GitHub's ``html_url``/``repository_url``/``issue_url`` keys."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    if not any(m in head for m in _HEAD_MARKERS):
        return False
    try:
        data = source.json()
    except InputError:
        return "api.github.com/repos/" in head
    return _shape(data) is not None


def _repo_and_number(item: dict[str, Any], repository: dict[str, Any]) -> tuple[str, str] | None:
    """``owner/repo`` and the issue number, from the webhook repository or the object's own URLs."""
    number = item.get("number")
    full_name = repository.get("full_name")
    for url in (item.get("repository_url"), item.get("issue_url"), item.get("url")):
        match = _REPOS_URL.search(url) if isinstance(url, str) else None
        if match:
            full_name = full_name or match.group(1)
            number = number if number is not None else match.group(2)
    match = _HTML_URL.match(str(item.get("html_url") or ""))
    if match:
        full_name = full_name or match.group(1)
        number = number if number is not None else match.group(2)
    if not isinstance(full_name, str) or number is None or isinstance(number, bool):
        return None
    return full_name, str(number)


def _actor(user: object) -> Actor:
    user = _dict(user)
    login = user.get("login")
    if not isinstance(login, str) or not login:
        return _UNKNOWN
    uid = user.get("id")
    return Actor(name=login, id=str(uid) if uid is not None else login, is_bot=user.get("type") == "Bot")


class _Reader:
    """The events of one file; ids seen once are not emitted twice (webhooks repeat the issue)."""

    def __init__(self, source: Source, options: LoadOptions) -> None:
        self.path = str(source.path)
        self.result = IngestResult(path=self.path, format=NAME)
        self.seen: set[str] = set()
        self.times = IsoTimes(self.result, options.tz, "GitHub times without a zone")

    def skip(self, what: str, reason: str) -> None:
        self.result.skipped.append(Skipped(f"{self.path}: {what}", reason))

    def event(
        self,
        id_: str,
        kind: EventKind,
        value: object,
        actor: Actor,
        text: str,
        key: str,
        url: object,
        attrs: dict[str, str],
        **flags: bool,
    ) -> None:
        if id_ in self.seen:
            return
        found = self.times.read(value, id_)
        if found is None:
            return
        moment, assumed = found
        self.seen.add(id_)
        self.result.events.append(
            Event(
                id=id_,
                time=moment,
                kind=kind,
                source_file=self.path,
                source_format=NAME,
                actor=actor,
                text=text,
                thread_id=f"github:{key}",
                url=url if isinstance(url, str) else None,
                is_bot=actor.is_bot,
                time_assumed=assumed,
                raw_time=str(value),
                attrs={"ticket_key": key, **attrs},
                **flags,
            )
        )

    def issue(
        self, issue: dict[str, Any], repository: dict[str, Any], closer: Actor | None = None
    ) -> str | None:
        """Opening and (when closed) closing events; returns the ``owner/repo#n`` key."""
        found = _repo_and_number(issue, repository)
        if found is None:
            self.skip(f"issue {issue.get('number')}", "no repository in repository_url or html_url")
            return None
        key = f"{found[0]}#{found[1]}"
        title = str(issue.get("title") or "").strip()
        body = _str(issue.get("body"))
        text = "\n\n".join(p for p in (title, first_part(body)) if p) or f"Issue {key} opened"
        attrs: dict[str, str] = {}
        labels = [
            str(x.get("name")) for x in issue.get("labels") or () if isinstance(x, dict) and x.get("name")
        ]
        if labels:
            attrs["labels"] = ", ".join(labels)
        if issue.get("pull_request"):
            attrs["pull_request"] = "true"
        url = issue.get("html_url")
        actor = _actor(issue.get("user"))
        self.event(
            f"github:{key}", EventKind.TICKET_CREATED, issue.get("created_at"), actor, text, key, url, attrs
        )
        closed_at = issue.get("closed_at")
        if closed_at:
            reason = issue.get("state_reason")
            status = {"status_from": "open", "status_to": "closed"}
            if isinstance(reason, str) and reason:
                status["state_reason"] = reason
            text = f"Closed ({reason})" if reason else "Closed"
            who = closer or (_actor(issue["closed_by"]) if issue.get("closed_by") else _UNKNOWN)
            id_ = f"github:{key}:closed:{closed_at}"
            self.event(id_, EventKind.TICKET_STATUS, closed_at, who, text, key, url, status)
        return key

    def comment(self, comment: dict[str, Any], repository: dict[str, Any], deleted: bool = False) -> None:
        found = _repo_and_number({**comment, "number": None}, repository)
        if found is None:
            self.skip(f"comment {comment.get('id')}", "no issue in issue_url or html_url")
            return
        key = f"{found[0]}#{found[1]}"
        created = comment.get("created_at")
        edited = bool(comment.get("updated_at")) and comment.get("updated_at") != created
        body = _str(comment.get("body"))
        self.event(
            f"github:{key}:comment:{comment['id']}",
            EventKind.TICKET_COMMENT,
            created,
            _actor(comment.get("user")),
            body.strip(),
            key,
            comment.get("html_url"),
            {},
            edited=edited,
            deleted=deleted,
        )

    def item(self, item: object, repository: dict[str, Any]) -> None:
        if _is_issue(item):
            self.issue(_dict(item), repository)
        elif _is_comment(item):
            self.comment(_dict(item), repository)
        else:
            self.skip("list item", "not a GitHub issue or issue comment")

    def webhook(self, data: dict[str, Any]) -> None:
        """``issues`` and ``issue_comment`` deliveries: the issue itself plus what the action did."""
        action = data["action"]
        repository = _dict(data.get("repository"))
        sender = _actor(data.get("sender")) if data.get("sender") else None
        issue = data["issue"]
        key = self.issue(issue, repository, closer=sender if action == "closed" else None)
        comment = data.get("comment")
        if isinstance(comment, dict):
            self.comment({"issue_url": issue.get("url"), **comment}, repository, deleted=action == "deleted")
        elif action == "reopened" and key is not None:
            when = issue.get("updated_at")
            status = {"status_from": "closed", "status_to": "open"}
            who = sender or _UNKNOWN
            url = issue.get("html_url")
            self.event(
                f"github:{key}:reopened:{when}",
                EventKind.TICKET_STATUS,
                when,
                who,
                "Reopened",
                key,
                url,
                status,
            )


class GitHubAdapter:
    """``--input-format github``."""

    name = NAME
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        data = source.json()
        shape = _shape(data)
        reader = _Reader(source, options)
        if shape == "webhook":
            reader.webhook(data)
        elif shape == "combined":
            repository = _dict(data.get("repository"))
            reader.issue(data["issue"], repository)
            for comment in data.get("comments") or ():
                reader.item(comment, repository)
        elif shape == "issue":
            reader.issue(data, {})
        elif shape == "search":
            for item in data["items"]:
                reader.item(item, {})
        elif shape == "list":
            for item in _pages(data):
                reader.item(item, {})
        else:
            raise InputError(
                source.path,
                "not a GitHub issues export: expected an issue, a list (or pages) of issues or issue "
                "comments, {issue, comments}, or an issues/issue_comment webhook payload",
            )
        return reader.result


ADAPTER = GitHubAdapter()
