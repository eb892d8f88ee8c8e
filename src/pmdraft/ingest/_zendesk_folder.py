"""The Zendesk files beside the one being loaded: people, tickets, and which comments are whose.

The Support API hands out a ticket, its comments, its audits and its users as separate responses
that get saved side by side, so each Zendesk file reads the Zendesk files of its folder: for names
(a users response alone is read for that only), and for the ticket a comments page without a
ticket id belongs to. Kept apart from the adapter in ``zendesk.py`` so both stay readable; the
small readers of Zendesk JSON that both need live here, so that module imports this one and never
the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from pmdraft.errors import InputError
from pmdraft.ingest._common import IngestResult, Skipped, Source, parse_iso
from pmdraft.ingest._folder_cache import Listing, folder_facts
from pmdraft.ingest._ticket_text import html_to_text

#: The adapter's ``--format`` name, here so that results built in this module carry it too.
NAME = "zendesk"
API = "/api/v2/"
_PEOPLE = ("requester_id", "submitter_id", "assignee_id")


def is_ticket(item: object) -> bool:
    return (
        isinstance(item, dict)
        and "id" in item
        and "created_at" in item
        and ("requester_id" in item or "submitter_id" in item or API in str(item.get("url")))
    )


def is_comment(item: object) -> bool:
    return (
        isinstance(item, dict)
        and "author_id" in item
        and "created_at" in item
        and ("public" in item or "plain_body" in item or "html_body" in item)
    )


def is_audit(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("events"), list) and "author_id" in item


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def sender_name(ticket: dict[str, Any]) -> str | None:
    """The display name on the e-mail that opened a ticket: a name when ``users`` were not sideloaded."""
    sender = as_dict(as_dict(as_dict(ticket.get("via")).get("source")).get("from"))
    name = sender.get("name")
    return name if isinstance(name, str) and name.strip() else None


def first_item(value: object) -> object:
    return value[0] if isinstance(value, list) and value else None


def has_content(data: object) -> bool:
    """True for the envelopes that hold events: a ticket, a ticket list, comments or audits."""
    if not isinstance(data, dict):
        return False
    return (
        is_ticket(data.get("ticket"))
        or is_ticket(first_item(data.get("tickets")))
        or is_comment(first_item(data.get("comments")))
        or is_audit(first_item(data.get("audits")))
    )


def as_id(value: object) -> str | None:
    """Zendesk ids are JSON integers; keep them as the decimal string."""
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, int | str) and str(value) else None


def site_of(url: object) -> str | None:
    if isinstance(url, str) and API in url and url.startswith(("http://", "https://")):
        return url.split(API, 1)[0]
    return None


def plain(text: str) -> str:
    return " ".join(text.split())


def texts(item: dict[str, Any]) -> set[str]:
    """Every spelling of a comment's text, whitespace-folded, to compare with a ticket's description."""
    found = {plain(v) for v in (item.get("body"), item.get("plain_body")) if isinstance(v, str)}
    if isinstance(item.get("html_body"), str):
        found.add(plain(html_to_text(item["html_body"])))
    return found - {""}


def to_second(value: object, tz: tzinfo | None) -> datetime | None:
    moment = parse_iso(value, tz)[0]
    return moment.replace(microsecond=0) if moment else None


def users_in(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Sideloaded ``users``, a users list response, or the one ``user`` of ``/users/{id}``."""
    users = data.get("users")
    found = [*users, data.get("user")] if isinstance(users, list) else [data.get("user")]
    return [u for u in found if isinstance(u, dict) and as_id(u.get("id"))]


def tickets_in(data: dict[str, Any]) -> list[dict[str, Any]]:
    tickets = data.get("tickets")
    found = [data.get("ticket"), *tickets] if isinstance(tickets, list) else [data.get("ticket")]
    return [t for t in found if isinstance(t, dict) and is_ticket(t) and as_id(t.get("id"))]


def _listing(ids: Iterable[str]) -> str:
    shown = sorted(set(ids), key=lambda i: (len(i), i))
    return ", ".join(shown[:5]) + (", …" if len(shown) > 5 else "")


@dataclass
class Folder:
    """What the Zendesk files of one folder tell each other: people, tickets, and which comments are whose.

    Only ``*.json`` files directly in the folder are read, as the bundle reader skips hidden,
    ``_``-prefixed and documentation files. A file reads its own folder, so it also learns from
    itself; the first file (by name) to mention a user or ticket wins.
    """

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Ticket objects by id, with the file that holds each.
    tickets: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    #: Comment id -> (ticket id, file), from audits and comments that say their ticket.
    comment_tickets: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: E-mail sender names of requesters that no users list names.
    senders: dict[str, str] = field(default_factory=dict)
    #: User ids that tickets, comments and audits mention.
    mentioned: set[str] = field(default_factory=set)
    exports: int = 0
    site: str | None = None

    def add(self, path: str, data: dict[str, Any]) -> None:
        for user in users_in(data):
            self.users.setdefault(str(user["id"]), user)
            self.site = self.site or site_of(user.get("url"))
        if not has_content(data):
            return
        self.exports += 1
        for ticket in tickets_in(data):
            self.tickets.setdefault(str(ticket["id"]), (path, ticket))
            self.mentioned.update(uid for key in _PEOPLE if (uid := as_id(ticket.get(key))))
            self.site = self.site or site_of(ticket.get("url"))
        top = as_id(data.get("ticket_id")) or as_id(as_dict(data.get("ticket")).get("id"))
        comments = [c for c in data.get("comments") or () if isinstance(c, dict)]
        for comment in comments:
            self.note_comment(comment, as_id(comment.get("ticket_id")) or top, path)
        for audit in data.get("audits") or ():
            if isinstance(audit, dict) and isinstance(audit.get("events"), list):
                self.mentioned.update(filter(None, [as_id(audit.get("author_id"))]))
                tid = as_id(audit.get("ticket_id")) or top
                for change in audit["events"]:
                    if isinstance(change, dict) and change.get("type") == "Comment":
                        self.note_comment(change, tid, path)

    def note_comment(self, comment: dict[str, Any], tid: str | None, path: str) -> None:
        self.mentioned.update(filter(None, [as_id(comment.get("author_id"))]))
        cid = as_id(comment.get("id"))
        if tid and cid:
            self.comment_tickets.setdefault(cid, (tid, path))

    def finish(self) -> None:
        for _, ticket in self.tickets.values():
            rid = as_id(ticket.get("requester_id"))
            if rid and rid not in self.users and (name := sender_name(ticket)):
                self.senders.setdefault(rid, name)

    def ticket_for(self, comments: list[dict[str, Any]], tz: tzinfo | None) -> tuple[str | None, str]:
        """The ticket a comments page without a ticket id belongs to, and why; or None and why not.

        In order: its comment ids appear in another file that names their ticket (audits hold
        every comment); one ticket's description is one of its comments, written the same second
        (Zendesk stores the description as the first comment); the folder knows one ticket only and
        no comment predates it. Anything else would be a guess.
        """
        ids = {as_id(c.get("id")) for c in comments}
        owners = {self.comment_tickets[cid] for cid in ids if cid in self.comment_tickets}
        if len({tid for tid, _ in owners}) == 1:
            (tid, path), *_ = sorted(owners)
            return tid, f"its comment ids are in {path}, which names ticket {tid}"
        if owners:
            return None, f"its comment ids are spread over tickets {_listing({t for t, _ in owners})}"
        times = [t for c in comments if (t := to_second(c.get("created_at"), tz))]
        said = {(t, text) for c in comments if (t := to_second(c.get("created_at"), tz)) for text in texts(c)}
        matches = [
            (tid, path)
            for tid, (path, ticket) in self.tickets.items()
            if (to_second(ticket.get("created_at"), tz), plain(str(ticket.get("description") or ""))) in said
        ]
        known = set(self.tickets) | {tid for tid, _ in self.comment_tickets.values()}
        if len(matches) > 1:
            return None, f"tickets {_listing([t for t, _ in matches])} all open with one of its comments"
        if matches:
            tid, path = matches[0]
            why = f"ticket {tid} in {path} has one of its comments as its description, at the same second"
        elif len(known) == 1 and (tid := next(iter(known))) in self.tickets:
            path = self.tickets[tid][0]
            why = f"ticket {tid} in {path} is the only Zendesk ticket in its folder"
        elif known:
            return None, f"none of the Zendesk tickets beside it ({_listing(known)}) opens with its comments"
        else:
            return None, "no Zendesk ticket export is beside it"
        created = to_second(self.tickets[tid][1].get("created_at"), tz)
        if created is not None and times and min(times) < created:
            return None, f"ticket {tid} beside it was created after its first comment"
        return tid, why


def _read_folder(source: Source, listing: Listing, is_zendesk: Callable[[Source], bool]) -> Folder:
    found = Folder()
    for name, _, _ in listing:
        sibling = source if name == source.path.name else None
        try:
            sibling = sibling or Source(source.path.parent / name)
            sibling.check_file()
            if is_zendesk(sibling) and isinstance(data := sibling.json(), dict):
                found.add(str(sibling.path), data)
        except (InputError, OSError):
            continue
    found.finish()
    return found


def folder_of(source: Source, is_zendesk: Callable[[Source], bool]) -> Folder:
    """The Zendesk facts of ``source``'s folder, read again only when it may have changed
    (``_folder_cache``). ``is_zendesk`` is the adapter's sniff, passed in so that this module need not
    import the adapter."""
    return folder_facts(
        source.path.parent, NAME, lambda listing: _read_folder(source, listing, is_zendesk), Folder
    )


def users_only(source: Source, data: dict[str, Any], folder: Folder) -> IngestResult:
    """A users response holds no events; it names the people of the Zendesk files beside it."""
    path = str(source.path)
    result = IngestResult(path=path, format=NAME)
    ids = {str(u["id"]) for u in users_in(data)}
    named = ids & folder.mentioned
    if named:
        result.assumptions.append(
            f"{path}: names {len(named)} of the people in the Zendesk files beside it "
            f"({len(ids)} users listed; taken to be the same Zendesk account)"
        )
    elif folder.exports:
        result.skipped.append(
            Skipped(path, "Zendesk users that no Zendesk ticket, comment or audit beside them mentions")
        )
    else:
        result.skipped.append(
            Skipped(path, "Zendesk users only, and no Zendesk ticket, comment or audit export beside them")
        )
    return result
