"""Which records go to a model: the incident, not the whole export.

A channel or workspace export can hold weeks of unrelated talk around an incident of a few hours.
Sending all of it costs tokens on every run and buries the incident in what the model reads. The
offline draft has already found the incident — its times and the records it cites — so the model gets
the records in a window around it:

- from ``LEAD`` before the first of its times (the change that set it off often comes hours before
  the first alert) to ``TAIL`` after the last (follow-ups and agreed action items come in the days
  after);
- of chat messages, only those in the channels the incident was discussed in: channels that are
  busier during the incident (first to last of its times) than ``SPIKE`` times their usual rate, or
  that only speak then. A dedicated incident channel qualifies, and so does a shared #incidents
  channel that comes alive; #random does not, however many of its messages contain the word "down".
  Alerts, tickets, deploys, status pages and customer reports in the window are kept whatever channel
  they come from. When every channel qualifies (or there is one), chat is not filtered by channel.

When the offline draft finds no incident time, everything is sent. ``--scope all`` sends everything
anyway, and a review flag says what stayed home, so a reviewer who misses something knows where to
look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmdraft.events import Event, EventKind
from pmdraft.schema import PostMortem, ReviewFlag

__all__ = ["LEAD", "SPIKE", "TAIL", "Scope", "in_scope", "incident_channels", "incident_scope", "scope_flag"]

LEAD = timedelta(hours=12)
TAIL = timedelta(hours=48)
SPIKE = 3.0


@dataclass(frozen=True, slots=True)
class Scope:
    """The records a model is given: a time window, and for chat the incident's channels."""

    start: datetime
    end: datetime
    #: Channels whose chat is sent; empty means every channel.
    channels: frozenset[str]

    def holds(self, event: Event) -> bool:
        if not self.start <= event.time <= self.end:
            return False
        if not self.channels or event.kind is not EventKind.CHAT:
            return True
        channel = event.attrs.get("channel")
        return channel is None or channel in self.channels


def incident_scope(draft: PostMortem, events: Sequence[Event]) -> Scope | None:
    """The window and channels around the incident the offline ``draft`` found; None when it found
    no time to centre on."""
    times = [point.at for point in (getattr(draft.times, name) for name in type(draft.times).model_fields)]
    found = [t for t in times if t is not None]
    if not found:
        return None
    start, end = min(found), max(found)
    return Scope(start - LEAD, end + TAIL, incident_channels(events, start, end))


def incident_channels(events: Sequence[Event], start: datetime, end: datetime) -> frozenset[str]:
    """Channels whose chat spikes between ``start`` and ``end``; empty when that is every channel."""
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    for e in events:
        channel = e.attrs.get("channel") if e.kind is EventKind.CHAT else None
        if channel is not None:
            (inside if start <= e.time <= end else outside)[channel] += 1
    if not events or not inside:
        return frozenset()
    during = max((end - start).total_seconds(), 60.0)
    rest = max((events[-1].time - events[0].time).total_seconds() - during, 60.0)
    busy = frozenset(
        c for c, n in inside.items() if not outside[c] or n / during >= SPIKE * outside[c] / rest
    )
    return frozenset() if busy >= set(inside) | set(outside) else busy


def in_scope(events: Sequence[Event], scope: Scope | None) -> list[Event]:
    return list(events) if scope is None else [e for e in events if scope.holds(e)]


def scope_flag(scope: Scope, sent: int, total: int) -> ReviewFlag:
    """What stayed on this machine, so a reviewer who misses something knows where it is."""
    where = f" and, of chat, only #{', #'.join(sorted(scope.channels))}" if scope.channels else ""
    return ReviewFlag(
        type="assumption",
        message=f"The model was given {sent} of {total} records: those from {scope.start:%Y-%m-%d %H:%M} "
        f"to {scope.end:%Y-%m-%d %H:%M} UTC{where}, around the incident the offline rules found. "
        f"{total - sent} records were not sent.",
        category="scope",
        quote=None,
        evidence=[],
        location=None,
        suggestion="If the draft misses something from the other records, draft again with --scope all; "
        "for another incident in the same export, pick its channel with --channel.",
    )
