"""Zendesk Support API JSON: tickets, ticket comments, ticket audits and users, alone or combined.

A support ticket is often how an incident was first noticed, so a ticket opened by an end user
and the end users' follow-up comments become CUSTOMER_REPORT events; agents' replies and internal
notes are the ticket's narrative (TICKET_COMMENT) and audit status changes its timeline.
Zendesk refers to people by numeric id only, so names come from sideloaded ``users`` or from a
users response saved beside the file. The API hands out a ticket, its comments, its audits and
its users as separate responses that get saved side by side, so each file also reads the Zendesk
files of its folder (``_zendesk_folder``): for names, and for the ticket a comments page belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._iso_times import IsoTimes
from pmdraft.ingest._ticket_text import first_part, html_to_text
from pmdraft.ingest._zendesk_folder import (
    API,
    NAME,
    Folder,
    as_dict,
    as_id,
    first_item,
    folder_of,
    has_content,
    is_audit,
    is_comment,
    is_ticket,
    plain,
    sender_name,
    site_of,
    texts,
    tickets_in,
    to_second,
    users_in,
    users_only,
)

__all__ = ["ADAPTER"]

_AGENT_ROLES = frozenset({"agent", "admin"})
_ROLES = _AGENT_ROLES | {"end-user"}
_SYSTEM = Actor(name="Zendesk", id="-1", is_bot=True)
#: The ticket id in the paging links of ``GET /api/v2/tickets/{id}/comments``.
_COMMENTS_URL = re.compile(r"/api/v2/tickets/(\d+)/comments")


def _is_user(item: object) -> bool:
    """A Zendesk user: numeric id and name, plus its API URL or one of Zendesk's three roles."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return False
    uid = item.get("id")
    if isinstance(uid, bool) or not (isinstance(uid, int) or (isinstance(uid, str) and uid.isdigit())):
        return False
    return API + "users/" in str(item.get("url")) or item.get("role") in _ROLES


def _is_users_export(data: object) -> bool:
    """``GET /users/show_many``, ``/users`` or ``/users/{id}``: names for the Zendesk files beside it."""
    return isinstance(data, dict) and (_is_user(first_item(data.get("users"))) or _is_user(data.get("user")))


def sniff(source: Source) -> bool:
    """Zendesk objects name people as ``requester_id``/``author_id``; users carry a ``role`` or API URL."""
    if not source.head_text.startswith("{"):
        return False
    head = source.head_text
    people = '"user' in head and ('"role"' in head or API + "users/" in head)
    if '"requester_id"' not in head and '"author_id"' not in head and not people:
        return False
    try:
        data = source.json()
    except InputError:
        return ".zendesk.com" + API in head
    return has_content(data) or _is_users_export(data)


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
    created: datetime | None = None
    description: str = ""
    #: The ticket object and the file that holds it, when some file of the folder has it.
    raw: dict[str, Any] | None = None
    origin: str | None = None
    reported: bool = False


class _Reader:
    """Collects the events of one file; users and tickets are indexed first so lookups are O(1)."""

    def __init__(self, source: Source, options: LoadOptions, data: dict[str, Any], folder: Folder) -> None:
        self.path = str(source.path)
        self.result = IngestResult(path=self.path, format=NAME)
        self.folder = folder
        self.tz = options.tz
        self.users = {str(u["id"]): u for u in users_in(data)}
        self.site = next((s for u in self.users.values() if (s := site_of(u.get("url")))), folder.site)
        #: E-mail sender names by requester id, so every ticket of one sender shows the same name.
        self.senders: dict[str, str] = {}
        for ticket in tickets_in(data):
            if (rid := as_id(ticket.get("requester_id"))) and rid not in self.users:
                name = sender_name(ticket)
                if name:
                    self.senders.setdefault(rid, name)
        self.tickets: dict[str, _Ticket] = {}
        self.times = IsoTimes(self.result, options.tz, "Zendesk times without a zone")

    def skip(self, what: str, reason: str) -> None:
        self.result.skipped.append(Skipped(f"{self.path}: {what}", reason))

    def user(self, user_id: str | None) -> dict[str, Any] | None:
        """This file's own users first, then those of the files beside it."""
        return self.users.get(user_id or "") or self.folder.users.get(user_id or "")

    def role(self, user_id: str | None) -> str | None:
        user = self.user(user_id)
        role = user.get("role") if user else None
        return role if isinstance(role, str) else None

    def name(self, user_id: str | None) -> Actor:
        if user_id is None:
            return Actor(name="unknown")
        if user_id == "-1":
            return _SYSTEM
        user = self.user(user_id)
        name = user.get("name") if user else None
        if not isinstance(name, str) or not name:
            name = self.senders.get(user_id) or self.folder.senders.get(user_id) or f"Zendesk user {user_id}"
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
        origin: str | None = None,
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
                source_file=origin or self.path,
                source_format=NAME,
                actor=actor,
                text=text,
                thread_id=f"zendesk:{ticket.id}",
                url=ticket.url,
                is_bot=actor.is_bot,
                time_assumed=assumed,
                raw_time=str(value),
                attrs={"ticket_key": ticket.id, **attrs},
            )
        )

    def record(self, item: dict[str, Any], origin: str) -> _Ticket | None:
        tid = as_id(item.get("id"))
        if tid is None:
            return None
        site = site_of(item.get("url")) or self.site
        return _Ticket(
            id=tid,
            requester_id=as_id(item.get("requester_id")),
            assignee_id=as_id(item.get("assignee_id")),
            url=f"{site}/agent/tickets/{tid}" if site else None,
            created=to_second(item.get("created_at"), self.tz),
            description=_body({"body": item.get("description")}),
            raw=item,
            origin=origin,
        )

    def ticket_of(self, raw_id: object) -> _Ticket | None:
        tid = as_id(raw_id)
        return None if tid is None else self.ticket_by_id(tid)

    def ticket_by_id(self, tid: str) -> _Ticket:
        """The ticket from this file, else from a file beside it, else known by its id only."""
        if tid not in self.tickets:
            path, item = self.folder.tickets.get(tid, (None, None))
            known = self.record(item, path) if item is not None and path is not None else None
            url = f"{self.site}/agent/tickets/{tid}" if self.site else None
            self.tickets[tid] = known or _Ticket(id=tid, url=url)
        return self.tickets[tid]

    def ticket(self, item: dict[str, Any]) -> None:
        ticket = self.record(item, self.path)
        if ticket is None:
            self.skip("ticket", "no ticket id")
            return
        self.tickets[ticket.id] = ticket
        self.report(ticket)

    def report(self, ticket: _Ticket) -> None:
        """The ticket's own event, once; built the same from whichever file of the folder asks."""
        item = ticket.raw
        if item is None or ticket.reported:
            return
        ticket.reported = True
        subject = str(item.get("subject") or item.get("raw_subject") or "").strip()
        text = "\n\n".join(p for p in (subject, first_part(ticket.description)) if p) or f"Ticket {ticket.id}"
        via = as_dict(item.get("via"))
        actor = self.name(ticket.requester_id)
        customer = self.is_customer(ticket.requester_id, ticket)
        kind = EventKind.CUSTOMER_REPORT if customer else EventKind.TICKET_CREATED
        attrs = {"priority": str(item["priority"])} if item.get("priority") else {}
        if isinstance(via.get("channel"), str):
            attrs["channel"] = via["channel"]
        id_ = f"zendesk:{ticket.id}"
        self.event(id_, kind, item.get("created_at"), actor, text, ticket, attrs, ticket.origin)

    def repeats_description(self, item: dict[str, Any], ticket: _Ticket) -> bool:
        if not ticket.description or ticket.created is None:
            return False
        same_time = to_second(item.get("created_at"), self.tz) == ticket.created
        return same_time and plain(ticket.description) in texts(item)

    def comment(self, item: dict[str, Any], ticket: _Ticket) -> None:
        cid = as_id(item.get("id"))
        if cid is None:
            self.skip(f"zendesk:{ticket.id} comment", "no comment id")
            return
        id_ = f"zendesk:{ticket.id}:comment:{cid}"
        if self.repeats_description(item, ticket):
            # Zendesk stores a ticket's description as its first comment: the same words at the
            # same second. The ticket event `zendesk:<id>` is the one kept, because it
            # exists whether or not the comments were exported, so drafts can always cite it; when
            # the ticket is in a file beside this one it is reported from here too (same id, merged).
            self.skip(id_, f"the description of ticket {ticket.id}, kept once as zendesk:{ticket.id}")
            self.report(ticket)
            return
        author = as_id(item.get("author_id"))
        public = item.get("public") is not False
        attrs = {} if public else {"visibility": "internal"}
        if public and self.is_customer(author, ticket):
            kind = EventKind.CUSTOMER_REPORT
        else:
            kind = EventKind.TICKET_COMMENT
        self.event(id_, kind, item.get("created_at"), self.name(author), _body(item), ticket, attrs)

    def audit(self, audit: dict[str, Any], ticket: _Ticket) -> None:
        aid = as_id(audit.get("id"))
        if aid is None:
            self.skip(f"zendesk:{ticket.id} audit", "no audit id")
            return
        passed: set[str] = set()
        for change in audit["events"]:
            if not isinstance(change, dict):
                continue
            kind = change.get("type")
            eid = as_id(change.get("id"))
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
        actor = _rule_actor(change.get("via")) or self.name(as_id(audit.get("author_id")))
        id_ = f"zendesk:{ticket.id}:audit:{aid}:{eid}"
        self.event(id_, EventKind.TICKET_STATUS, audit.get("created_at"), actor, text, ticket, attrs)


def _rule_actor(via: object) -> Actor | None:
    """A change a trigger or automation made belongs to that rule, not to the person whose update fired it."""
    if not isinstance(via, dict) or via.get("channel") != "rule":
        return None
    source = as_dict(via.get("source"))
    rule = as_dict(source.get("from"))
    title = rule.get("title") or rule.get("id") or "rule"
    kind = source.get("rel") or "rule"
    return Actor(name=f"Zendesk {kind}: {title}", id=f"rule:{rule.get('id', '')}", is_bot=True)


def _linked_ticket(data: dict[str, Any]) -> str | None:
    """The ticket id in the page's own paging links, when they all name the same one."""
    links = as_dict(data.get("links"))
    urls = (data.get("next_page"), data.get("previous_page"), links.get("next"), links.get("prev"))
    found = {m.group(1) for url in urls if isinstance(url, str) and (m := _COMMENTS_URL.search(url))}
    return found.pop() if len(found) == 1 else None


def _comments_ticket(reader: _Reader, data: dict[str, Any], comments: list[dict[str, Any]]) -> _Ticket:
    for hint in (data.get("ticket_id"), as_dict(data.get("ticket")).get("id")):
        ticket = reader.ticket_of(hint)
        if ticket is not None:
            return ticket
    # GET /tickets/{id}/comments does not repeat the id: the page's links may, or the folder may hold it.
    tid = _linked_ticket(data)
    why = f"the page's own links name ticket {tid}"
    if tid is None:
        tid, why = reader.folder.ticket_for(comments, reader.tz)
    if tid is None:
        raise InputError(
            reader.path,
            f"Zendesk comments without a ticket id (the comments API does not repeat it) and {why}; "
            'add "ticket_id": <id> at the top level, save {"ticket": {...}, "comments": [...]}, '
            "or put the ticket's own export (GET /api/v2/tickets/<id>.json) in the same folder",
        )
    reader.result.assumptions.append(f"{reader.path}: comments attached to Zendesk ticket {tid}: {why}")
    return reader.ticket_by_id(tid)


class ZendeskAdapter:
    """``--input-format zendesk``."""

    name = NAME
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        data = source.json()
        if not has_content(data):
            if _is_users_export(data):
                return users_only(source, data, folder_of(source, sniff))
            raise InputError(
                source.path,
                "not a Zendesk ticket export: expected {ticket}, {tickets: [...]}, {comments: [...]}, "
                "{audits: [...]} or {users: [...]} from the Support API",
            )
        reader = _Reader(source, options, data, folder_of(source, sniff))
        tickets = [data["ticket"]] if isinstance(data.get("ticket"), dict) else []
        tickets += [t for t in data.get("tickets") or () if isinstance(t, dict)]
        for item in tickets:
            if is_ticket(item):
                reader.ticket(item)
            else:
                reader.skip("ticket", "not a Zendesk ticket object")
        comments = data.get("comments")
        if isinstance(comments, list) and comments:
            hinted = all(isinstance(c, dict) and "ticket_id" in c for c in comments)
            listed = [c for c in comments if isinstance(c, dict)]
            ticket = None if hinted else _comments_ticket(reader, data, listed)
            for item in comments:
                target = reader.ticket_of(item.get("ticket_id")) if isinstance(item, dict) else None
                target = target or ticket
                if target is not None and is_comment(item):
                    reader.comment(item, target)
                else:
                    reader.skip("comment", "not a Zendesk comment object")
        for audit in data.get("audits") or ():
            target = reader.ticket_of(audit.get("ticket_id")) if isinstance(audit, dict) else None
            target = target or reader.ticket_of(as_dict(data.get("ticket")).get("id"))
            if target is not None and is_audit(audit):
                reader.audit(audit, target)
            else:
                reader.skip("audit", "not a Zendesk audit with a ticket_id")
        return reader.result


ADAPTER = ZendeskAdapter()
