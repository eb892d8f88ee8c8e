"""merge_events: one stream, the first event of an id kept, ordered by time then id."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pmdraft.events import Actor, Event, EventKind, merge_events, sort_key

START = datetime(2024, 5, 1, tzinfo=UTC)


def event(eid: str, seconds: int, text: str = "") -> Event:
    return Event(
        id=eid,
        time=START + timedelta(seconds=seconds),
        kind=EventKind.CHAT,
        source_file="f",
        source_format="test",
        actor=Actor(name="a"),
        text=text,
    )


def test_first_event_of_an_id_is_kept_and_ties_are_ordered_by_id() -> None:
    first_c = event("c", 9, "first")
    merged = merge_events([[event("b", 5), first_c], [event("c", 1, "second"), event("a", 5)]])
    assert [(e.id, e.text) for e in merged] == [("a", ""), ("b", ""), ("c", "first")]
    assert merged[2] is first_c


def test_same_order_as_sorting_on_sort_key_over_random_streams() -> None:
    rng = random.Random(3)
    streams = [
        [event(f"e{rng.randrange(400)}", rng.randrange(300), str(n)) for _ in range(rng.randrange(200))]
        for n in range(5)
    ]
    seen: dict[str, Event] = {}
    for stream in streams:
        for e in stream:
            seen.setdefault(e.id, e)
    assert merge_events(streams) == sorted(seen.values(), key=sort_key)
    assert merge_events(iter(s) for s in streams) == sorted(seen.values(), key=sort_key)
    untied = [event(f"u{n}", n) for n in range(100)][::-1]
    assert merge_events([untied]) == untied[::-1]
    assert merge_events([]) == []
