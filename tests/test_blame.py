"""Unit tests for pmdraft.blame: each category, its near misses, people-awareness and the API shape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmdraft.blame import (
    BLAME_IDIOM,
    COUNTERFACTUAL,
    GROUP_BLAME,
    HUMAN_ERROR,
    JUDGMENTAL,
    PERSON_AS_CAUSE,
    BlameFinding,
    find_blame,
    find_blame_in_events,
    split_sentences,
)
from pmdraft.events import Actor, Event, EventKind
from pmdraft.schema import ReviewFlag

ROSTER = ["Dave Okafor", "Priya Nair", "Kenji Sato", "Will Turner", "Grace Ito"]


def categories(text: str, people: list[str] | None = None) -> list[str]:
    return [f.category for f in find_blame(text, people=ROSTER if people is None else people)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@dave broke prod", PERSON_AS_CAUSE),
        ("this is on Dave", PERSON_AS_CAUSE),
        ("she pushed the bad config", PERSON_AS_CAUSE),
        ("Grace's bad change caused the outage.", PERSON_AS_CAUSE),
        ("The outage was caused by Priya's migration.", PERSON_AS_CAUSE),
        ("Kenji should have known better.", COUNTERFACTUAL),
        ("The on-call engineer failed to check the replica lag.", COUNTERFACTUAL),
        ("If only we had looked at the disk graph.", COUNTERFACTUAL),
        ("he didn't bother to read the runbook", COUNTERFACTUAL),
        ("This was entirely avoidable.", COUNTERFACTUAL),
        ("That was a careless rollout.", JUDGMENTAL),
        ("Sloppy review by the approver.", JUDGMENTAL),
        ("what a stupid thing to do", JUDGMENTAL),
        ("Dave is incompetent.", JUDGMENTAL),
        ("Root cause: human error.", HUMAN_ERROR),
        ("Operator error led to the data loss.", HUMAN_ERROR),
        ("classic PEBKAC", HUMAN_ERROR),
        ("Kenji fat-fingered the replica count.", BLAME_IDIOM),
        ("we dropped the ball on comms", BLAME_IDIOM),
        ("The approver was asleep at the wheel.", BLAME_IDIOM),
        ("Dave screwed up the DNS change.", BLAME_IDIOM),
        ("ops was careless again", GROUP_BLAME),
        ("the DBAs never test anything", GROUP_BLAME),
        ("The security team should have caught this.", GROUP_BLAME),
    ],
)
def test_each_category_is_detected(text: str, expected: str) -> None:
    assert categories(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "The deploy failed the health check.",
        "The runbook didn't cover this case.",
        "The alert should have fired at 80% but the threshold was 95%.",
        "If the canary had covered the EU region, the regression would have been caught.",
        "Priya rolled back the flag at 14:15.",
        "Dave: looks like the deploy broke checkout, rolling back",
        "We should add an alert on replication lag.",
        "The runbook should include a drain step.",
        "Priya: I should have the fix ready in ten minutes.",
        "The config loader uses lazy loading.",
        "Cassandra's sloppy quorum accepted the writes.",
        "The job was killed by the OOM killer.",
        "To reduce the chance of operator error, the failover is now scripted.",
        "The Kubernetes operator error logs showed the reconcile loop crashing.",
        "Add a fat-finger check to the CLI.",
        "Clock skew screwed up the ordering of writes.",
        "Nobody was careless here; the tool defaulted to prod.",
        "This isn't on Dave; the pipeline let the change through.",
        "The DBA team rebuilt the index at 15:00.",
        "Ben couldn't have seen the warning: it only appears in the debug log.",
        "The linter printed `you should have called close()` 400 times.",
        'The deploy bot replied "someone forgot to bump the version".',
        "Thanks to Priya's quick rollback, impact stayed small.",
    ],
)
def test_near_misses_are_not_flagged(text: str) -> None:
    assert categories(text) == []


def test_a_known_name_as_subject_of_broke_is_person_as_cause() -> None:
    assert categories("Priya broke checkout with the 14:02 deploy.") == [PERSON_AS_CAUSE]
    assert categories("The deploy broke checkout at 14:02.") == []


def test_names_count_only_when_they_are_on_the_roster() -> None:
    assert categories("Marta broke the build.", people=[]) == []
    assert categories("Marta broke the build.", people=["Marta Kowalski"]) == [PERSON_AS_CAUSE]
    # Only first names count: a surname that is also a system name does not make a person.
    assert categories("Jenkins failed to start the agent.", people=["Sarah Jenkins"]) == []


def test_names_that_are_common_words_count_only_capitalised() -> None:
    assert categories("Will should have checked the config.") == [COUNTERFACTUAL]
    assert categories("will should have checked the config") == []  # not a name written like this


def test_system_counterfactual_is_not_flagged_but_person_counterfactual_is() -> None:
    assert categories("The alert should have fired.") == []
    assert categories("The on-call should have fired the alert manually.") == [COUNTERFACTUAL]


def test_one_finding_per_sentence_by_precedence() -> None:
    # fat-finger (idiom) and carelessly (judgmental) in one sentence: one flag, the idiom.
    assert categories("Kenji carelessly fat-fingered the count.") == [BLAME_IDIOM]
    # human error outranks the team named in the same sentence.
    assert categories("Human error by ops caused the stale DNS entries.") == [HUMAN_ERROR]


def test_finding_quotes_the_exact_sentence_with_offsets() -> None:
    text = "Rollback started at 14:02. Dave should have checked the config first! Errors fell."
    [f] = find_blame(text, people=ROSTER, location="Root cause")
    assert f.quote == "Dave should have checked the config first!"
    assert text[f.start : f.end] == f.quote
    assert f.trigger == "should have checked"
    assert (f.severity, f.location, f.evidence) == ("high", "Root cause", None)
    assert "process or tooling" in f.suggestion


def test_severity_is_lower_for_hindsight_and_minimising() -> None:
    assert [f.severity for f in find_blame("The warning signs were clear.")] == ["medium"]
    assert [f.severity for f in find_blame("The SRE simply needed to read the dashboard.")] == ["low"]


def test_findings_convert_to_review_flags() -> None:
    [f] = find_blame("@kim's deploy took down prod")
    flag = ReviewFlag(**f.to_flag())
    assert (flag.type, flag.category, flag.quote, flag.evidence) == (
        "blame",
        PERSON_AS_CAUSE,
        "@kim's deploy took down prod",
        [],
    )


def _event(
    i: int, text: str, actor: str = "Dave Okafor", *, bot: bool = False, kind: EventKind = EventKind.CHAT
) -> Event:
    return Event(
        id=f"slack:C1:{i}",
        time=datetime(2024, 3, 5, 14, i, tzinfo=UTC),
        kind=kind,
        source_file="x.json",
        source_format="slack",
        actor=Actor(actor, is_bot=bot),
        text=text,
    )


def test_events_cite_their_id_and_use_actors_as_the_roster() -> None:
    events = [
        _event(1, "rolling back now", "Dave Okafor"),
        _event(2, "ugh, dave broke prod again", "Marco Rossi"),
        _event(3, "someone forgot to bump the version", "deploybot", bot=True),
        _event(4, "Root cause: human error", "alertmanager", kind=EventKind.ALERT_TRIGGER),
    ]
    findings = find_blame_in_events(events)
    assert [(f.evidence, f.category, f.quote) for f in findings] == [
        ("slack:C1:2", PERSON_AS_CAUSE, "ugh, dave broke prod again")
    ]
    # Without Dave among the actors or people, "dave" is just a word.
    assert find_blame_in_events(events[1:2]) == []
    assert [f.evidence for f in find_blame_in_events(events[1:2], ["Dave Okafor"])] == ["slack:C1:2"]


def test_sentence_splitting_keeps_chat_and_abbreviations_whole() -> None:
    text = "ok. rolling back now\nSee e.g. the Grafana board. Done!\n- item one | cell"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "ok. rolling back now",
        "See e.g. the Grafana board.",
        "Done!",
        "item one",
        "cell",
    ]


def test_scanning_is_linear_on_a_huge_single_line() -> None:
    # Every "broke" has a system subject; a quadratic look-back would take minutes here.
    text = "the deploy broke the cache and " * 10_000
    assert find_blame(text) == []


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("name", "blame", "systemic"),
    [
        (
            "flag-outage",
            "Honestly this one's on Dave, he flipped the default in prod without checking the migration had run.",
            (
                "the migration job for 0147 failed its health check",
                "The canary failed to catch it because flag config pushes",
                "The staging soak failed to surface it because staging runs",
            ),
        ),
        (
            "db-hotspot",
            "Honestly Kasia should have known better than to run a 400-day report on the primary at peak.",
            (
                "The statement_timeout guard failed to apply",
                "The slow-query alert failed to page",
                "The replica-routing check failed silently",
            ),
        ),
    ],
)
def test_bundled_fixtures_flag_only_the_planted_blame_sentence(
    name: str, blame: str, systemic: tuple[str, ...]
) -> None:
    from pmdraft.ingest import LoadOptions, ingest

    if not (FIXTURES / name).is_dir():
        pytest.skip(f"fixtures/{name} is not present")
    events = ingest([FIXTURES / name], LoadOptions(), None).events
    texts = " ".join(e.text for e in events)
    assert all(s in texts for s in systemic)  # the systemic sentences are really there
    findings: list[BlameFinding] = find_blame_in_events(events)
    assert [f.quote for f in findings] == [blame]
