"""The quality bar for the no-key draft, on the bundled fixtures against their hand-written answer keys.

Rules (evals/cases/<name>/answer_key.json, written by the fixtures' author, not from pmdraft's output):

* detection time exact (same instant as the key's), start and end within one minute;
* at least 70% of the key's events present in the draft's timeline. A key event counts as present when
  a timeline entry cites one of its evidence ids, or when an entry of the same kind lies within two
  minutes of it. The key names no kind, so a key event's kind is the timeline kind pmdraft gives its
  first evidence event (alert, chat, ticket, deploy, rollback, status_update, customer_report);
* no invented owners or due dates: an action item's owner must appear in the text of an event it
  cites (ignoring '@' and case) or be the author of one ('mine', "I'll take it"); its due date must
  appear in a cited event's text;
* every id the draft cites exists in the ingested events, and every cited event is carried in
  ``cited_events``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pmdraft.events import Event
from pmdraft.ingest import ingest
from pmdraft.offline._text import tag_event
from pmdraft.offline.timeline import KIND_OF
from pmdraft.pipeline import draft_postmortem
from pmdraft.schema import PostMortem

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ("flag-outage", "db-hotspot")
NOW = datetime(2024, 6, 1, tzinfo=UTC)
KEY_EVENT_SHARE = 0.7


@cache
def drafted(name: str) -> tuple[PostMortem, dict[str, Event], dict[str, Any]]:
    key_path = ROOT / "evals" / "cases" / name / "answer_key.json"
    if not key_path.is_file() or not (ROOT / "fixtures" / name).is_dir():
        pytest.skip(f"fixture or answer key for {name} not there yet")
    ingested = ingest([ROOT / "fixtures" / name])
    pm = draft_postmortem(ingested, offline=True, now=NOW)
    return pm, {e.id: e for e in ingested.events}, json.loads(key_path.read_text(encoding="utf-8"))


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.parametrize("name", FIXTURES)
def test_detection_exact_start_and_end_within_a_minute(name: str) -> None:
    pm, _, key = drafted(name)
    assert pm.times.detected.at == _when(key["detection"]["time"])
    assert pm.detection.at == pm.times.detected.at
    for ours, theirs in ((pm.times.start.at, key["start"]["time"]), (pm.times.end.at, key["end"]["time"])):
        assert ours is not None
        assert abs((ours - _when(theirs)).total_seconds()) <= 60


def key_events_present(pm: PostMortem, events: dict[str, Event], key: dict[str, Any]) -> list[bool]:
    cited = {i for entry in pm.timeline for i in entry.evidence}
    present: list[bool] = []
    for item in key["key_events"]:
        when = _when(item["time"])
        first = events.get(item["evidence"][0])
        kind = KIND_OF.get(tag_event(first), "chat") if first else None
        near = any(
            entry.at is not None and abs((entry.at - when).total_seconds()) <= 120 and entry.kind == kind
            for entry in pm.timeline
        )
        present.append(bool(cited & set(item["evidence"])) or near)
    return present


@pytest.mark.parametrize("name", FIXTURES)
def test_most_key_events_are_in_the_timeline(name: str) -> None:
    pm, events, key = drafted(name)
    present = key_events_present(pm, events, key)
    assert len(present) >= 5
    assert sum(present) / len(present) >= KEY_EVENT_SHARE, [
        k["what"] for k, ok in zip(key["key_events"], present, strict=True) if not ok
    ]


def _norm(text: str) -> str:
    return " ".join(text.replace("@", "").lower().split())


@pytest.mark.parametrize("name", FIXTURES)
def test_no_invented_owners_or_due_dates(name: str) -> None:
    pm, events, _ = drafted(name)
    assert pm.action_items, "the fixtures state follow-ups"
    for item in pm.action_items:
        cited = [events[i] for i in item.evidence]
        texts = " ".join(_norm(e.text) for e in cited)
        if item.owner is not None:
            assert _norm(item.owner) in texts or item.owner in {e.actor.name for e in cited}, item
        if item.due is not None:
            assert _norm(item.due) in texts, item
    assert any(item.owner for item in pm.action_items)


def _cited_ids(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("evidence", "settled_evidence") and isinstance(v, list):
                found.update(v)
            elif k != "cited_events":
                found |= _cited_ids(v)
    elif isinstance(node, list):
        for v in node:
            found |= _cited_ids(v)
    return found


@pytest.mark.parametrize("name", FIXTURES)
def test_every_citation_exists_and_is_carried(name: str) -> None:
    pm, events, _ = drafted(name)
    cited = _cited_ids(pm.model_dump())
    assert cited, "an offline draft cites its evidence"
    assert cited <= set(events)
    carried = {c.id for c in pm.cited_events}
    assert cited <= carried <= set(events)
    for copy in pm.cited_events:
        assert copy.time == events[copy.id].time and copy.kind == events[copy.id].kind.value


@pytest.mark.parametrize("name", FIXTURES)
def test_the_draft_is_offline_schema_valid_and_says_what_needs_a_person(name: str) -> None:
    pm, _, _ = drafted(name)
    again = PostMortem.model_validate_json(pm.model_dump_json())
    assert again == pm
    assert pm.generated_by.mode == "offline" and pm.generated_by.model is None
    assert pm.generated_by.generated_at == NOW
    needs = {f.category for f in pm.review_flags if f.type == "needs_author"}
    assert {"narrative", "lessons_learned"} <= needs
    assert pm.narrative.impact is None and pm.lessons_learned == []


def test_the_same_inputs_give_the_same_draft() -> None:
    first, _, _ = drafted("flag-outage")
    ingested = ingest([ROOT / "fixtures" / "flag-outage"])
    second = draft_postmortem(ingested, offline=True, now=NOW)
    assert second.model_dump() == first.model_dump()
    assert first.incident_id == "INC-217"


def test_flags_for_assumed_zones_blame_and_redaction_and_a_hashed_id() -> None:
    from dataclasses import replace

    from pmdraft.events import EventKind
    from pmdraft.offline import draft_offline
    from tests.offline.helpers import alert, ev

    events = [
        alert(0, "HighErrorRate"),
        replace(
            ev(2, "ack, looking. db url is postgres://app:S3cr3t-xyz@db:5432/x", who="sam"), time_assumed=True
        ),
        ev(5, "rolled back to v41", who="ivo"),
        ev(9, "error rate back to baseline", who="sam"),
        ev(12, "Resolved by Sam", EventKind.ALERT_RESOLVE, who="Sam Lee", fmt="pagerduty"),
        ev(30, "Honestly Ivo should have tested it before deploying.", who="rina"),
    ]
    people = {"sam", "ivo", "rina", "Sam Lee"}
    notes = ["slack-export: times without a zone read as UTC"]
    pm = draft_offline(events, display_tz=UTC, people=people, now=NOW, assumptions=notes)
    flags = {f.type: f for f in pm.review_flags}
    assert flags["assumption"].message == notes[0] and flags["assumption"].evidence == [events[1].id]
    assert flags["blame"].evidence == [events[5].id]
    assert "S3cr3t" not in pm.model_dump_json() and "redaction" in flags
    assert pm.incident_id.startswith("pmdraft-") and len(pm.incident_id) == len("pmdraft-") + 10
    again = draft_offline(events, display_tz=UTC, people=people, now=NOW, assumptions=notes)
    assert again.incident_id == pm.incident_id and pm.title == "HighErrorRate (api)"
    assert flags["assumption"].category == "timezone" and "--tz" in (flags["assumption"].suggestion or "")
    paired = ["export.json: comments attached to Zendesk ticket 5120: its description is one of them"]
    other = draft_offline(events, display_tz=UTC, people=people, now=NOW, assumptions=paired)
    [note] = [f for f in other.review_flags if f.message == paired[0]]
    assert note.type == "assumption" and note.category == "source" and "--tz" not in (note.suggestion or "")
    assert pm.durations.time_to_detect_minutes == 0 and pm.durations.time_to_mitigate_minutes == 5
