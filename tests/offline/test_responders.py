"""Roles only as stated; page acks make the on-call responder; everyone else who spoke has no role."""

from __future__ import annotations

from pmdraft.events import EventKind
from pmdraft.offline.responders import find_responders
from tests.offline.helpers import ev, tagged


def test_stated_roles_and_page_acks() -> None:
    events = [
        ev(0, "Acknowledged by Tomás Ibarra", EventKind.ALERT_ACK, who="Tomás Ibarra", fmt="pagerduty"),
        ev(1, "I'm IC. Tomás, you're ops lead. Sam, can you take comms?", who="Rina"),
        ev(2, "taking comms, statuspage post in 10 min", who="sam"),
        ev(3, "@kai is scribe", who="Rina"),
        ev(4, "lurking, ping me if needed", who="alex"),
    ]
    people = {"Tomás Ibarra", "Rina", "sam", "kai", "alex"}
    got = [(r.name, r.role) for r in find_responders(tagged(events), people)]
    assert got[:5] == [
        ("Tomás Ibarra", "on-call"),
        ("Rina", "incident commander"),
        ("Tomás Ibarra", "operations lead"),
        ("kai", "scribe"),
        ("sam", "communications"),
    ] or sorted(got[:5]) == sorted(
        [("Tomás Ibarra", "on-call"), ("Rina", "incident commander"), ("Tomás Ibarra", "operations lead"),
         ("kai", "scribe"), ("sam", "communications")]
    )  # fmt: skip
    assert ("alex", None) in got


def test_requests_and_mentions_are_not_roles() -> None:
    events = [
        ev(0, "Sam, can you take comms?", who="Rina"),
        ev(1, "I'm in the IC channel already", who="kai"),
        ev(2, "who is IC?", who="alex"),
    ]
    got = find_responders(tagged(events), {"Sam Okoye", "Rina", "kai", "alex"})
    assert all(r.role is None for r in got)
    assert {r.name for r in got} == {"Rina", "kai", "alex"}
