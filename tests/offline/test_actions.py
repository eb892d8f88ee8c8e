"""Action items: cues, owners and due dates only where stated, agreement only where said."""

from __future__ import annotations

from datetime import timedelta

from pmdraft.events import Event, EventKind
from pmdraft.offline.actions import action_type, find_action_items, find_postmortem_owner, find_review_date
from pmdraft.schema import ActionItem
from tests.offline.helpers import at, ev, tagged

MITIGATED = at(0)
PEOPLE = {"Priya Natarajan", "Jonas Berg", "tomas", "sam", "Rina"}


def items(events: list[Event]) -> list[ActionItem]:
    return find_action_items(tagged(events), PEOPLE, MITIGATED)


def test_explicit_items_with_stated_owner_and_due() -> None:
    events = [
        ev(60, "action item: flag-service refuses unsafe flags, owner @priya, due 2024-03-15", who="Rina"),
        ev(61, "AI-2: a failed migration step fails the release - Jonas Berg, due 2024-03-15", who="Rina"),
        ev(62, "TODO: rotate the db password. I'll take it.", who="tomas"),
        ev(63, "AI 4: document the runbook. Owner me, due Friday", who="sam"),
    ]
    got = [(a.owner, a.due, a.origin) for a in items(events)]
    assert got == [
        ("priya", "2024-03-15", "suggested"),
        ("Jonas Berg", "2024-03-15", "suggested"),
        ("tomas", None, "suggested"),
        ("sam", "Friday", "suggested"),
    ]


def test_no_owner_or_date_unless_stated() -> None:
    [item] = items([ev(60, "we should alert on 5xx per route, not only overall", who="mei")])
    assert item.owner is None and item.due is None and item.origin == "suggested"
    assert item.type == "detect"


def test_a_placeholder_or_a_word_inside_another_is_not_an_owner() -> None:
    events = [
        ev(60, "action item: run a failover drill every quarter: owner TBD", who="Rina"),
        ev(61, "action item: the quarterly drill needs an owner in identity", who="Rina"),
        ev(62, "action item: DRI: Jonas Berg, canary the pool size", who="Rina"),
    ]
    assert [a.owner for a in items(events)] == [None, None, "Jonas Berg"]  # not "ll" from "drill"


def test_we_should_during_the_incident_is_a_decision_not_a_follow_up() -> None:
    assert items([ev(-10, "we should roll back now", who="a")]) == []
    assert items([ev(5, "should we add an alert?", who="a")]) == []


def test_agreement_only_when_said() -> None:
    proposed = ev(60, "action item: canary for flag pushes, owner @priya", who="Rina", channel="inc")
    other_room = ev(61, "ok", who="zed", channel="random")
    agreed = ev(62, "agreed", who="Jonas Berg", channel="inc")
    [item] = items([proposed, other_room, agreed])
    assert item.origin == "agreed" and agreed.id in item.evidence and other_room.id not in item.evidence
    [silent] = items([ev(60, "action item: canary for flag pushes", who="Rina"), ev(90, "agreed", who="x")])
    assert silent.origin == "suggested"


def test_mine_reply_takes_the_item_and_summary_restates_it() -> None:
    events = [
        ev(60, "AI 2: the renewal cron pages platform on failure", who="Rina"),
        ev(61, "+1, mine", who="tomas"),
        ev(
            120,
            "Agreed action items:\n- the renewal cron pages platform on a failure (@tomas, 2024-05-21)",
            EventKind.TICKET_COMMENT,
            who="Rina Okafor",
            fmt="jira",
        ),
    ]
    [item] = items(events)
    assert item.owner == "tomas" and item.origin == "agreed" and item.due == "2024-05-21"
    assert set(item.evidence) == {e.id for e in events}


def test_tickets_filed_after_mitigation_are_follow_ups() -> None:
    events = [
        ev(-5, "Checkout errors", EventKind.TICKET_CREATED, fmt="jira", attrs={"issue_type": "Incident"}),
        ev(30, "Add per-route 5xx alerting\n\ndetails", EventKind.TICKET_CREATED, fmt="jira"),
    ]
    [item] = items(events)
    assert item.description == "Add per-route 5xx alerting" and item.evidence == [events[1].id]


def test_action_types() -> None:
    assert action_type("alert when certificates expire") == "detect"
    assert action_type("write a runbook for the failover") == "mitigate"
    assert action_type("add it to the on-call handoff checklist") == "process"
    assert action_type("validate flag dependencies in CI") == "prevent"


def test_postmortem_owner_and_review_date() -> None:
    events = tagged(
        [ev(0, "I'll write the postmortem", who="Rina"), ev(1, "postmortem review on Thursday", who="Rina")]
    )
    owner, review = find_postmortem_owner(events), find_review_date(events)
    assert owner is not None and owner.value == "Rina"
    assert review is not None and review.value == "Thursday"
    assert find_postmortem_owner(tagged([ev(0, "who will write the postmortem?")])) is None


def test_items_need_to_come_after_mitigation_without_a_cue() -> None:
    late = ev(60, "we need to move reporting to the replica", who="a")
    assert [a.description for a in find_action_items(tagged([late]), PEOPLE, None)] == []
    assert len(find_action_items(tagged([late]), PEOPLE, late.time - timedelta(minutes=1))) == 1
