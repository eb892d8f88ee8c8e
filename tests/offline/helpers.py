"""Hand-made events for the offline-rule tests: a tiny incident script is easier to read than fixtures."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pmdraft.events import Actor, Event, EventKind
from pmdraft.offline._text import Tag, tag_event

BASE = datetime(2024, 6, 3, 14, 0, tzinfo=UTC)
_counter = iter(range(1, 1_000_000))


def ev(
    minute: float,
    text: str,
    kind: EventKind = EventKind.CHAT,
    *,
    who: str = "dana",
    bot: bool = False,
    id: str | None = None,
    thread: str | None = None,
    fmt: str = "slack",
    channel: str = "inc",
    attrs: Mapping[str, str] | None = None,
    url: str | None = None,
    noise: bool = False,
) -> Event:
    """An event ``minute`` minutes after 14:00 UTC on 2024-06-03."""
    n = next(_counter)
    merged = {"channel": channel} if fmt == "slack" else {}
    merged.update(attrs or {})
    return Event(
        id=id or f"{fmt}:{channel}:{n}",
        time=BASE + timedelta(minutes=minute),
        kind=kind,
        source_file=f"{fmt}-export",
        source_format=fmt,
        actor=Actor(name=who, is_bot=bot),
        text=text,
        thread_id=thread,
        is_bot=bot,
        attrs=merged,
        url=url,
        noise=noise,
    )


def alert(
    minute: float, name: str, *, service: str = "api", resolve: bool = False, who: str = "Alertmanager"
) -> Event:
    kind = EventKind.ALERT_RESOLVE if resolve else EventKind.ALERT_TRIGGER
    state = "RESOLVED" if resolve else "FIRING:1"
    return ev(
        minute,
        f"[{state}] {name} {service} (production critical)",
        kind,
        who=who,
        bot=who == "Alertmanager",
        fmt="alertmanager",
        attrs={"alert_name": name, "service": service},
    )


def tagged(events: list[Event]) -> list[tuple[Event, Tag]]:
    return [(e, tag_event(e)) for e in events]


def at(minute: float) -> datetime:
    return BASE + timedelta(minutes=minute)
