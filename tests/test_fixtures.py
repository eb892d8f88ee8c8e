"""The bundled fixtures, their hand-written answer keys and the adapters must agree."""

from __future__ import annotations

import json
import runpy
import sys
from datetime import datetime
from pathlib import Path

import pytest

from pmdraft.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ("flag-outage", "db-hotspot")


def test_fixture_checker_passes() -> None:
    """fixtures/_check.py re-derives ids and times from the raw files, independently of the adapters."""
    sys.argv = ["_check.py"]
    namespace = runpy.run_path(str(ROOT / "fixtures" / "_check.py"))
    assert namespace["main"]() == 0


@pytest.mark.parametrize("name", FIXTURES)
def test_every_answer_key_id_is_ingested_at_the_keyed_time(name: str) -> None:
    events = {e.id: e for e in ingest([ROOT / "fixtures" / name]).events}
    key = json.loads((ROOT / "evals" / "cases" / name / "answer_key.json").read_text(encoding="utf-8"))
    checked = 0
    for entry in key["key_events"]:
        first = entry["evidence"][0]
        assert first in events, first
        assert events[first].time == datetime.fromisoformat(entry["time"]), first
        for eid in entry["evidence"]:
            assert eid in events, eid
        checked += 1
    for moment in ("detection", "start", "end", "acknowledged", "mitigated", "resolved"):
        point = key[moment]
        assert events[point["evidence"][0]].time == datetime.fromisoformat(point["time"]), moment
    assert checked >= 10


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_spans_midnight_and_has_each_source_kind(name: str) -> None:
    events = ingest([ROOT / "fixtures" / name]).events
    days = {e.time.date() for e in events}
    assert len(days) >= 2
    kinds = {e.kind.value.split(".")[0] for e in events}
    assert "chat" in kinds
    assert "alert" in kinds
    assert kinds & {"ticket", "customer_report"}
