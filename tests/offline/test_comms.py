"""Customer communication: status posts, public support replies, and chat that says a message went out."""

from __future__ import annotations

from pmdraft.events import EventKind
from pmdraft.offline.comms import find_communications
from tests.offline.helpers import ev, tagged


def test_channels_found() -> None:
    events = [
        ev(0, "Investigating - elevated errors", EventKind.STATUS_PAGE, who="Statuspage", bot=True),
        ev(1, "Statuspage: Identified - we found the cause", who="sam"),
        ev(2, "Hi Nadia, we're on it", EventKind.TICKET_COMMENT, who="Olu", fmt="zendesk"),
        ev(3, "emailed the affected merchants", who="sam"),
        ev(4, "tweeted an update from the support account", who="sam"),
    ]
    got = [(c.channel, c.evidence) for c in find_communications(tagged(events))]
    assert got == [
        ("status_page", [events[0].id]),
        ("status_page", [events[1].id]),
        ("support", [events[2].id]),
        ("email", [events[3].id]),
        ("social", [events[4].id]),
    ]


def test_plans_questions_and_internal_notes_are_not_communication() -> None:
    events = [
        ev(0, "should we post to the status page?", who="a"),
        ev(1, "I will email customers once we know more", who="b"),
        ev(
            2,
            "internal: looks like the DB",
            EventKind.TICKET_COMMENT,
            fmt="zendesk",
            attrs={"visibility": "internal"},
        ),
        ev(3, "Linked to the incident", EventKind.TICKET_COMMENT, fmt="jira"),
        ev(4, "the first status page post went out 19 min after the alert", who="c"),
    ]
    assert find_communications(tagged(events)) == []
