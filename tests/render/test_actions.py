"""Action-item export: the columns and bodies trackers import, with owners and dates only as stated."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pmdraft.errors import ConfigError
from pmdraft.render.actions import export_actions
from tests.render.sample_draft import E3, sample_postmortem

ITEMS = [
    {"description": "Block flag defaults that need a pending migration", "type": "prevent", "risk_reduction": "stops the same class of outage",
     "owner": "Priya Natarajan", "due": "2024-03-15", "origin": "agreed", "evidence": [E3], "unsupported": False},
    {"description": "Page on 5xx ratio per endpoint", "type": "detect", "risk_reduction": None,
     "owner": None, "due": "next sprint", "origin": "suggested", "evidence": [], "unsupported": True},
]  # fmt: skip


def test_jira_csv_rows() -> None:
    text = export_actions(sample_postmortem(action_items=ITEMS), "jira-csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Summary",
        "Description",
        "Issue Type",
        "Assignee",
        "Due Date",
        "Labels",
        "Labels",
        "Labels",
    ]
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[0] == "Block flag defaults that need a pending migration"
    assert first[3:6] == ["Priya Natarajan", "2024-03-15", "postmortem"]
    assert "Evidence: " + E3 in first[1]
    assert "Origin: agreed (stated in the sources)" in first[1]
    # An owner is never invented, and a due date that is not a date is kept out of the date column.
    assert second[3] == "" and second[4] == ""
    assert "Due (as stated): next sprint" in second[1]
    assert "no source event supports this item" in second[1]


def test_github_json_issue_bodies() -> None:
    issues = json.loads(export_actions(sample_postmortem(action_items=ITEMS), "github-json"))
    assert [i["title"] for i in issues] == [ITEMS[0]["description"], ITEMS[1]["description"]]
    assert issues[0]["labels"] == ["postmortem", "action-prevent", "inc-42"]
    assert set(issues[0]) == {"title", "body", "labels"}
    assert "Owner (as stated): Priya Natarajan" in issues[0]["body"]


def test_unknown_target_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Known formats: jira-csv, github-json"):
        export_actions(sample_postmortem(), "trello")
