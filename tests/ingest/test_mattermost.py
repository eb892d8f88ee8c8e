"""Mattermost bulk export adapter: the shared importer fixtures and a hand-written incident export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import LoadOptions, Source, detect
from pmdraft.ingest.mattermost import ADAPTER

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "mattermost-bulk-export"
DATA = Path(__file__).resolve().parents[1] / "data" / "chat"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    return SAMPLES


def _ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def test_export_sample(samples: Path) -> None:
    result = ADAPTER.load(Source(samples / "zulip_mattermost_export.jsonl"), LoadOptions())
    events = result.events
    assert len(events) == 21 and not result.skipped  # 20 post lines + 1 nested reply
    assert events[0].time == datetime(2019, 3, 21, 10, 45, 41, 670000, tzinfo=UTC)
    assert events[0].id == "mattermost:gryffindor-quidditch-team:harry:1553165141670"
    assert events[0].text == "harry joined the team."
    assert events[-1].time == datetime(2019, 3, 21, 11, 15, 16, 448000, tzinfo=UTC)
    assert events[-1].text == ":rofl: 4"
    # The exporter stores join/add notices as ordinary posts; their wording gives them away.
    system = [e for e in events if e.kind is EventKind.SYSTEM]
    assert len(system) == 8 and all(e.noise for e in system)
    # Display names come from the user lines; malfoy has no first/last name or nickname.
    names = {e.actor.id: e.actor.name for e in events}
    assert names["harry"] == "Harry Potter" and names["snape"] == "Severus Snape"
    assert names["malfoy"] == "malfoy"
    # The nested reply is older than its root.
    [reply] = [e for e in events if e.thread_id]
    assert reply.text == "The weather is so hot!" and reply.actor.name == "Ron Weasley"
    assert reply.thread_id == "mattermost:dumbledores-army:harry:1553166657086"
    assert reply.time == _ms(1553166584976) < _ms(1553166657086)
    assert reply.attrs == {"channel": "dumbledores-army", "team": "gryffindor"}


def test_single_object_samples(samples: Path) -> None:
    [dm] = ADAPTER.load(Source(samples / "zulip_v11_direct_post.json"), LoadOptions()).events
    assert dm.id == "mattermost:adam.torres__eugene.montgomery__rebecca.diaz:eugene.montgomery:1768951608481"
    assert dm.time == datetime(2026, 1, 20, 23, 26, 48, 481000, tzinfo=UTC)
    assert dm.text.startswith("ea ab est deserunt") and "\nharum harum officia." in dm.text
    assert not dm.edited
    events = ADAPTER.load(Source(samples / "zulip_v11_post_with_replies.json"), LoadOptions()).events
    assert len(events) == 4
    root = events[0]
    assert root.time == datetime(2026, 1, 20, 13, 36, 41, 357000, tzinfo=UTC)
    assert root.actor.name == "eugene.montgomery" and root.thread_id is None
    assert [e.actor.id for e in events[1:]] == ["user-1", "user-1", "brandon.mccoy"]  # sorted by time
    assert all(e.thread_id == root.id for e in events[1:])
    assert events[-1].time == datetime(2026, 1, 20, 13, 38, 4, 233000, tzinfo=UTC)


def test_samples_are_sniffed_as_mattermost(samples: Path) -> None:
    files = sorted(p for p in samples.iterdir() if p.suffix in (".json", ".jsonl"))
    assert len(files) == 3
    for path in files:
        adapter = detect(Source(path))
        assert adapter is not None and adapter.name == "mattermost", path.name


def test_handwritten_incident_export() -> None:
    source = Source(DATA / "mattermost_incident.jsonl")
    assert detect(source) is ADAPTER
    result = ADAPTER.load(source, LoadOptions())
    by_text = {e.text: e for e in result.events}
    assert len(result.events) == 8
    root = by_text["checkout 500s, looking"]
    assert root.actor.name == "Dana Ortiz" and root.edited
    assert by_text["same from EU"].actor.name == "Kimmy"  # nickname when no first/last name
    assert by_text["same from EU"].thread_id == root.id
    assert by_text["on it [file: err.log]"].actor.name == "lee"
    alert = by_text["[FIRING:1] CheckoutErrors - checkout error rate 12% - runbook: https://wiki/rb"]
    assert alert.actor.name == "alertmanager" and alert.is_bot
    assert alert.kind is EventKind.ALERT_TRIGGER
    rollback = by_text["Rolled back checkout to v41"]
    assert rollback.actor.name == "Deploy Bot" and rollback.kind is EventKind.ROLLBACK
    assert by_text["lee joined the channel."].kind is EventKind.SYSTEM
    assert by_text["@lee joined the channel."].noise
    dm = by_text["call me"]
    assert dm.deleted and dm.attrs == {"channel": "@dana, @kim"}
    assert dm.id == "mattermost:dana__kim:kim:1714554900000"
    reasons = [s.reason for s in result.skipped]
    assert reasons == [
        "not valid JSON (truncated line?)",
        "unreadable create_at 'soon'",
        "duplicate post mattermost:inc-checkout:dana:1714554000000, kept the first",
    ]
    assert result.skipped[0].where.endswith("line 17")


def test_broken_first_line_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"type":"version","version":1\n{"type":"post"}\n', "utf-8")
    with pytest.raises(InputError) as info:
        ADAPTER.load(Source(path), LoadOptions())
    assert "\n" not in str(info.value)
    assert "line 1 is not a JSON object (Expecting ',' delimiter)" in str(info.value)


def test_unknown_lines_are_input_error(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"type": "whatever"}) + "\n" + json.dumps({"a": 1}) + "\n", "utf-8")
    with pytest.raises(InputError, match="no line has a known 'type'"):
        ADAPTER.load(Source(path), LoadOptions())


def test_sniff_ignores_other_json(tmp_path: Path) -> None:
    cases = {
        "slack.json": {"type": "message", "ts": "1700000000.000100", "text": "hi"},
        "am.json": {"receiver": "x", "status": "firing", "alerts": []},
        "post.json": {"type": "post", "post": "not an object"},
    }
    for name, doc in cases.items():
        path = tmp_path / name
        path.write_text(json.dumps(doc), "utf-8")
        assert not ADAPTER.sniff(Source(path)), name
