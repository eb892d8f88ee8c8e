"""Zendesk Support API JSON: tickets, ticket comments and ticket audits, alone or combined.

A support ticket is often how an incident was first noticed, so a ticket opened by an end user
and the end users' follow-up comments become CUSTOMER_REPORT events; agents' replies and internal
notes are the ticket's narrative (TICKET_COMMENT) and audit status changes its timeline.
Zendesk refers to people by numeric id only, so names come from sideloaded ``users``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._iso_times import IsoTimes
from pmdraft.ingest._ticket_text import first_part, html_to_text

__all__ = ["ADAPTER"]

NAME = "zendesk"
_AGENT_ROLES = frozenset({"agent", "admin"})
_SYSTEM = Actor(name="Zendesk", id="-1", is_bot=True)
_API = "/api/v2/"


def _is_ticket(item: object) -> bool:
    return (
        isinstance(item, dict)
        and "id" in item
        and "created_at" in item
        and ("requester_id" in item or "submitter_id" in item or _API in str(item.get("url")))
    )


def _is_comment(item: object) -> bool:
    return (
        isinstance(item, dict)
        and "author_id" in item
        and "created_at" in item
        and ("public" in item or "plain_body" in item or "html_body" in item)
    )


def _is_audit(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("events"), list) and "author_id" in item


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sender_name(ticket: dict[str, Any]) -> str | None:
    """The display name on the e-mail that opened a ticket: a name when ``users`` were not sideloaded."""
    sender = _dict(_dict(_dict(ticket.get("via")).get("source")).get("from"))
    name = sender.get("name")
    return name if isinstance(name, str) and name.strip() else None


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else None


def _has_content(data: object) -> bool:
    """True for the envelopes this adapter reads: a ticket, a ticket list, comments or audits."""
    if not isinstance(data, dict):
        return False
    return (
        _is_ticket(data.get("ticket"))
        or _is_ticket(_first(data.get("tickets")))
        or _is_comment(_first(data.get("comments")))
        or _is_audit(_first(data.get("audits")))
    )


def sniff(source: Source) -> bool:
    """Zendesk objects name people as ``requester_id``/``author_id`` and live under ``/api/v2/``."""
    if not source.head_text.startswith("{"):
        return False
    head = source.head_text
    if '"requester_id"' not in head and '"author_id"' not in head:
        return False
    try:
        data = source.json()
    except InputError:
        return ".zendesk.com" + _API in head
    return _has_content(data)


def _id(value: object) -> str | None:
    """Zendesk ids are JSON integers; keep them as the decimal string."""
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, int | str) and str(value) else None


def _site(url: object) -> str | None:
    if isinstance(url, str) and _API in url and url.startswith(("http://", "https://")):
        return url.split(_API, 1)[0]
    return None


def _body(item: dict[str, Any]) -> str:
    """The plain ``body`` first: ``html_body`` is for display and needs tag stripping."""
    for key in ("body", "plain_body"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    value = item.get("html_body")
    return html_to_text(value) if isinstance(value, str) else ""


@dataclass
class _Ticket:
    """What comments and audits need to know about their ticket."""

    id: str
    requester_id: str | None = None
    assignee_id: str | None = None
    url: str | None = None
    created_raw: str | None = None
    description: str = ""


class _Reader:
    """Collects the events of one file; users and tickets are indexed first so lookups are O(1)."""

    def __init__(self, source: Source, options: LoadOptions, data: dict[str, Any]) -> None:
        self.path = str(source.path)
        self.result = IngestResult(path=self.path, format=NAME)
        self.users: dict[str, dict[str, Any]] = {}
        for user in data.get("users") or ():
            if isinstance(user, dict) and _id(user.get("id")):
                self.users[str(user["id"])] = user
        self.site = next((s for u in self.users.values() if (s := _site(u.get("url")))), None)
        #: E-mail sender names by requester id, so every ticket of one sender shows the same name.
        self.senders: dict[str, str] = {}
        for ticket in [data.get("ticket"), *(data.get("tickets") or ())]:
            if (
                isinstance(ticket, dict)
                and (rid := _id(ticket.get("requester_id")))
                and rid not in self.users
            ):
                name = _sender_name(ticket)
                if name:
                    self.senders.setdefault(rid, name)
        self.tickets: dict[str, _Ticket] = {}
        self.times = IsoTimes(self.result, options.tz, "Zendesk times without a zone")

    def skip(self, what: str, reason: str) -> None:
        self.result.skipped.append(Skipped(f"{self.path}: {what}", reason))

    def role(self, user_id: str | None) -> str | None:
        user = self.users.get(user_id or "")
        role = user.get("role") if user else None
        return role if isinstance(role, str) else None

    def name(self, user_id: str | None) -> Actor:
        if user_id is None:
            return Actor(name="unknown")
        if user_id == "-1":
            return _SYSTEM
        user = self.users.get(user_id)
        name = user.get("name") if user else None
        if not isinstance(name, str) or not name:
            name = self.senders.get(user_id) or f"Zendesk user {user_id}"
        return Actor(name=name, id=user_id)

    def is_customer(self, user_id: str | None, ticket: _Ticket | None) -> bool:
        """End users by role; without a role, the requester counts unless they are known to be an agent."""
        role = self.role(user_id)
        if role is not None:
            return role == "end-user"
        if ticket is None or user_id is None or user_id != ticket.requester_id:
            return False
        return user_id != ticket.assignee_id

    def event(
        self,
        id_: str,
        kind: EventKind,
        value: object,
        actor: Actor,
        text: str,
        ticket: _Ticket,
        attrs: dict[str, str],
        *,
        noise: bool = False,
    ) -> None:
        found = self.times.read(value, id_)
        if found is None:
            return
        moment, assumed = found
        self.result.events.append(
            Event(
                id=id_,
                time=moment,
                kind=kind,
                source_file=self.path,
                source_format=NAME,
                actor=actor,
                text=text,
                thread_id=f"zendesk:{ticket.id}",
                url=ticket.url,
                is_bot=actor.is_bot,
                noise=noise,
                time_assumed=assumed,
                raw_time=str(value),
                attrs={"ticket_key": ticket.id, **attrs},
            )
        )

    def ticket_of(self, raw_id: object) -> _Ticket | None:
        tid = _id(raw_id)
        if tid is None:
            return None
        if tid not in self.tickets:
            url = f"{self.site}/agent/tickets/{tid}" if self.site else None
            self.tickets[tid] = _Ticket(id=tid, url=url)
        return self.tickets[tid]

    def ticket(self, item: dict[str, Any]) -> None:
        tid = _id(item.get("id"))
        if tid is None:
            self.skip("ticket", "no ticket id")
            return
        site = _site(item.get("url")) or self.site
        ticket = _Ticket(
            id=tid,
            requester_id=_id(item.get("requester_id")),
            assignee_id=_id(item.get("assignee_id")),
            url=f"{site}/agent/tickets/{tid}" if site else None,
            created_raw=item.get("created_at") if isinstance(item.get("created_at"), str) else None,
            description=_body({"body": item.get("description")}),
        )
        self.tickets[tid] = ticket
        subject = str(item.get("subject") or item.get("raw_subject") or "").strip()
        text = "\n\n".join(p for p in (subject, first_part(ticket.description)) if p) or f"Ticket {tid}"
        via = _dict(item.get("via"))
        actor = self.name(ticket.requester_id)
        customer = self.is_customer(ticket.requester_id, ticket)
        kind = EventKind.CUSTOMER_REPORT if customer else EventKind.TICKET_CREATED
        attrs = {"priority": str(item["priority"])} if item.get("priority") else {}
        if isinstance(via.get("channel"), str):
            attrs["channel"] = via["channel"]
        self.event(f"zendesk:{tid}", kind, item.get("created_at"), actor, text, ticket, attrs)

    def comment(self, item: dict[str, Any], ticket: _Ticket) -> None:
        cid = _id(item.get("id"))
        if cid is None:
            self.skip(f"zendesk:{ticket.id} comment", "no comment id")
            return
        author = _id(item.get("author_id"))
        text = _body(item)
        public = item.get("public") is not False
        attrs = {} if public else {"visibility": "internal"}
        if public and self.is_customer(author, ticket):
            kind = EventKind.CUSTOMER_REPORT
        else:
            kind = EventKind.TICKET_COMMENT
        created = item.get("created_at")
        # The ticket's description is its first comment; keep it once, on the ticket event.
        noise = created == ticket.created_raw and bool(text) and text == ticket.description
        id_ = f"zendesk:{ticket.id}:comment:{cid}"
        self.event(id_, kind, created, self.name(author), text, ticket, attrs, noise=noise)

    def audit(self, audit: dict[str, Any], ticket: _Ticket) -> None:
        aid = _id(audit.get("id"))
        if aid is None:
            self.skip(f"zendesk:{ticket.id} audit", "no audit id")
            return
        passed: set[str] = set()
        for change in audit["events"]:
            if not isinstance(change, dict):
                continue
            kind = change.get("type")
            eid = _id(change.get("id"))
            if kind == "Comment" and eid is not None:
                comment = {
                    "author_id": audit.get("author_id"),
                    "created_at": audit.get("created_at"),
                    **change,
                }
                self.comment(comment, ticket)
            elif kind == "Change" and eid is not None and change.get("field_name") in ("status", "priority"):
                self.change(audit, aid, eid, change, ticket)
            else:
                passed.add(str(kind))
        if passed:
            self.skip(f"zendesk:{ticket.id}:audit:{aid}", f"not timeline events: {', '.join(sorted(passed))}")

    def change(
        self, audit: dict[str, Any], aid: str, eid: str, change: dict[str, Any], ticket: _Ticket
    ) -> None:
        old, new = str(change.get("previous_value") or ""), str(change.get("value") or "")
        if change["field_name"] == "status":
            attrs = {"status_from": old, "status_to": new}
            text = f"Status changed from {old or '(none)'} to {new or '(none)'}"
        else:
            attrs = {"priority": new, "priority_from": old}
            text = f"Priority changed from {old or '(none)'} to {new or '(none)'}"
        actor = _rule_actor(change.get("via")) or self.name(_id(audit.get("author_id")))
        id_ = f"zendesk:{ticket.id}:audit:{aid}:{eid}"
        self.event(id_, EventKind.TICKET_STATUS, audit.get("created_at"), actor, text, ticket, attrs)


def _rule_actor(via: object) -> Actor | None:
    """A change a trigger or automation made belongs to that rule, not to the person whose update fired it."""
    if not isinstance(via, dict) or via.get("channel") != "rule":
        return None
    source = _dict(via.get("source"))
    rule = _dict(source.get("from"))
    title = rule.get("title") or rule.get("id") or "rule"
    kind = source.get("rel") or "rule"
    return Actor(name=f"Zendesk {kind}: {title}", id=f"rule:{rule.get('id', '')}", is_bot=True)


def _comments_ticket(reader: _Reader, data: dict[str, Any], source: Source) -> _Ticket:
    for hint in (data.get("ticket_id"), _dict(data.get("ticket")).get("id")):
        ticket = reader.ticket_of(hint)
        if ticket is not None:
            return ticket
    raise InputError(
        source.path,
        "Zendesk comments without a ticket id (the comments API does not repeat it); "
        'add "ticket_id": <id> at the top level or save {"ticket": {...}, "comments": [...]}',
    )


class ZendeskAdapter:
    """``--input-format zendesk``."""

    name = NAME
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        data = source.json()
        if not _has_content(data):
            what = (
                "a user record" if isinstance(data, dict) and ("user" in data or "users" in data) else "this"
            )
            raise InputError(
                source.path,
                f"not a Zendesk ticket export ({what}): expected {{ticket}}, {{tickets: [...]}}, "
                "{comments: [...]} or {audits: [...]} from the Support API",
            )
        reader = _Reader(source, options, data)
        tickets = [data["ticket"]] if isinstance(data.get("ticket"), dict) else []
        tickets += [t for t in data.get("tickets") or () if isinstance(t, dict)]
        for item in tickets:
            if _is_ticket(item):
                reader.ticket(item)
            else:
                reader.skip("ticket", "not a Zendesk ticket object")
        comments = data.get("comments")
        if isinstance(comments, list) and comments:
            hinted = all(isinstance(c, dict) and "ticket_id" in c for c in comments)
            ticket = None if hinted else _comments_ticket(reader, data, source)
            for item in comments:
                target = reader.ticket_of(item.get("ticket_id")) if isinstance(item, dict) else None
                target = target or ticket
                if target is not None and _is_comment(item):
                    reader.comment(item, target)
                else:
                    reader.skip("comment", "not a Zendesk comment object")
        for audit in data.get("audits") or ():
            target = reader.ticket_of(audit.get("ticket_id")) if isinstance(audit, dict) else None
            target = target or reader.ticket_of(_dict(data.get("ticket")).get("id"))
            if target is not None and _is_audit(audit):
                reader.audit(audit, target)
            else:
                reader.skip("audit", "not a Zendesk audit with a ticket_id")
        return reader.result


ADAPTER = ZendeskAdapter()
