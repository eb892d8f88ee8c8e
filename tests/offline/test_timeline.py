"""Key events: salient ones kept, noise left out, key moments always in, capped and in time order."""

from __future__ import annotations

from pmdraft.events import EventKind
from pmdraft.offline._text import tag_event
from pmdraft.offline.timeline import build_timeline, chat_score
from tests.offline.helpers import alert, at, ev, tagged


def test_noise_never_enters_and_key_moments_always_do() -> None:
    detect = alert(0, "HighErrorRate")
    events = [
        detect,
        ev(1, "joined", EventKind.SYSTEM, noise=True),
        ev(2, ":+1:"),
        ev(3, "good morning", who="standup-bot", bot=True),
        ev(4, "lol"),
        ev(5, "rolled back to v41", who="ivo"),
        ev(6, "I'm IC", who="rina"),
    ]
    entries = build_timeline(tagged(events), {detect.id: "detection"}, {}, at(0), at(10))
    assert [e.evidence[0] for e in entries] == [detect.id, events[5].id, events[6].id]
    assert entries[0].key_moment == "detection" and entries[0].kind == "alert"
    assert all(e.origin == "source" and not e.unsupported for e in entries)


def test_cap_keeps_the_most_salient_in_time_order() -> None:
    chatter = [ev(m, f"looking at graph {m}, latency is high") for m in range(0, 40)]
    rollback = ev(20.5, "Rollback finished: api on v41", EventKind.ROLLBACK, who="deploybot", bot=True)
    entries = build_timeline(tagged([*chatter, rollback]), {}, {}, at(0), at(40), limit=5)
    assert len(entries) == 5 and rollback.id in {e.evidence[0] for e in entries}
    times = [e.at for e in entries if e.at is not None]
    assert times == sorted(times)


def test_repeated_alert_notifications_rank_low() -> None:
    first, echo = alert(0, "HighErrorRate"), alert(0.5, "HighErrorRate")
    entries = build_timeline(tagged([first, echo, ev(1, "I'm IC")]), {}, {}, at(0), at(5), limit=2)
    assert {e.evidence[0] for e in entries} == {first.id, entries[1].evidence[0]} and echo.id not in {
        e.evidence[0] for e in entries
    }


def test_chat_scores() -> None:
    def score(text: str) -> float:
        event = ev(0, text)
        return chat_score(event, tag_event(event))

    assert score("rolled back to v41") > score("rolling back") > score("lunch?") == 0
    assert score("is 0147 applied in prod?") == 0
    assert score("declaring SEV1") >= 7
