"""The normalized event: the one unit every stage after ingestion speaks.

Events are plain slotted dataclasses rather than Pydantic models because ingestion builds hundreds of
thousands of them and validation there would cost more than the parsing itself; adapters are
responsible for giving them aware datetimes and non-empty ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import chain, pairwise, starmap
from operator import attrgetter, eq
from typing import Any


class EventKind(StrEnum):
    """What happened. Later stages find detection, mitigation and resolution through these."""

    CHAT = "chat"
    ALERT_TRIGGER = "alert.trigger"
    ALERT_ACK = "alert.ack"
    ALERT_RESOLVE = "alert.resolve"
    ALERT_NOTIFY = "alert.notify"
    ALERT_ANNOTATE = "alert.annotate"
    ALERT_ESCALATE = "alert.escalate"
    TICKET_CREATED = "ticket.created"
    TICKET_COMMENT = "ticket.comment"
    TICKET_STATUS = "ticket.status"
    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    STATUS_PAGE = "status_page"
    CUSTOMER_REPORT = "customer_report"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: the resolved display name, and the source system's own id when it has one."""

    name: str
    id: str | None = None
    is_bot: bool = False


SYSTEM_ACTOR = Actor(name="system")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, from one source, at one aware instant.

    ``id`` is stable for the same input (Slack: ``slack:<channel>:<ts>``) so drafts can cite it.
    ``time`` is stored in UTC; ``raw_time`` keeps the source's own spelling and ``time_assumed``
    says the zone came from ``--tz`` rather than from the source.
    """

    id: str
    time: datetime
    kind: EventKind
    source_file: str
    source_format: str
    actor: Actor
    text: str
    thread_id: str | None = None
    url: str | None = None
    is_bot: bool = False
    edited: bool = False
    deleted: bool = False
    noise: bool = False
    time_assumed: bool = False
    raw_time: str | None = None
    attrs: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``pmdraft timeline --format jsonl|json`` and by drafts."""
        out: dict[str, Any] = {
            "id": self.id,
            "time": self.time.isoformat(),
            "kind": self.kind.value,
            "actor": self.actor.name,
            "actor_id": self.actor.id,
            "text": self.text,
            "source": {"file": self.source_file, "format": self.source_format},
        }
        if self.thread_id:
            out["thread_id"] = self.thread_id
        if self.url:
            out["url"] = self.url
        flags = [
            name
            for name, on in (
                ("bot", self.is_bot),
                ("edited", self.edited),
                ("deleted", self.deleted),
                ("noise", self.noise),
                ("time_assumed", self.time_assumed),
            )
            if on
        ]
        if flags:
            out["flags"] = flags
        if self.attrs:
            out["attrs"] = dict(self.attrs)
        return out


def as_utc(moment: datetime) -> datetime:
    """Convert an aware datetime to UTC; refuse naive ones, which would silently mean 'local'."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime given where an aware one is required")
    return moment.astimezone(UTC)


_BY_ID = attrgetter("id")
_BY_TIME = attrgetter("time")


def sort_key(event: Event) -> tuple[datetime, str]:
    """Order by time with a stable tiebreak on the source id (sources deliver out of order)."""
    return (event.time, event.id)


def merge_events(streams: Iterable[Iterable[Event]]) -> list[Event]:
    """One sorted stream; an id seen twice (the same file given twice, overlapping exports) is kept once.

    Written for hundreds of thousands of events: the dict is filled from the reversed stream so the
    first event with an id is the one kept, and sorting on the time alone is several times faster
    than on (time, id) tuples; only when two events share a time is the id tiebreak sorted in.
    """
    everything = list(chain.from_iterable(streams))
    everything.reverse()
    unique = dict(zip(map(_BY_ID, everything), everything, strict=True))
    events = sorted(unique.values(), key=_BY_TIME)
    if any(starmap(eq, pairwise(map(_BY_TIME, events)))):
        events.sort(key=sort_key)
    return events
