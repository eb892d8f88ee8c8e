"""`pmdraft export-actions` on a JSON draft that `pmdraft draft` wrote, and on files that are not drafts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pmdraft.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "flag-outage"
_MODEL_ENV = ("PMDRAFT_MODEL", "PMDRAFT_BASE_URL", "OPENAI_BASE_URL", "PMDRAFT_API_KEY", "OPENAI_API_KEY")
# Stated in the fixture's review thread: "flag-service refuses to turn on a flag in an environment where its
# required migration isn't applied, owner @priya, due 2024-03-15" and "production flag changes post to
# #deploys and appear as annotations on the api dashboards, owner @mei, due 2024-03-22".
FLAG_GUARD = "flag-service refuses to turn on a flag in an environment where its required migration"
ANNOTATIONS = "production flag changes post to #deploys and appear as annotations on the api dashboards"
HINT = "write one with pmdraft draft ... -o draft.json"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (*_MODEL_ENV, "PMDRAFT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, list(map(str, args)))


@pytest.fixture
def draft_json(tmp_path: Path) -> Path:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is not there")
    out = tmp_path / "x.json"
    result = cli("draft", FIXTURE, "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_jira_csv_rows_carry_stated_owners_and_dates(draft_json: Path) -> None:
    result = cli("export-actions", draft_json, "--to", "jira-csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:5] == ["Summary", "Description", "Issue Type", "Assignee", "Due Date"]
    guard = next(r for r in rows[1:] if r[0].startswith(FLAG_GUARD))
    assert guard[2:5] == ["Task", "priya", "2024-03-15"]
    assert "inc-217" in guard[5:]
    annotations = next(r for r in rows[1:] if r[0].startswith(ANNOTATIONS))
    assert annotations[3:5] == ["mei", "2024-03-22"]


def test_github_json_to_a_file_with_overwrite_protection(draft_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "issues.json"
    result = cli("export-actions", draft_json, "--to", "github-json", "-o", out)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"wrote {out}\n")
    issues = json.loads(out.read_text(encoding="utf-8"))
    assert all(set(i) == {"title", "body", "labels"} for i in issues)
    guard = next(i for i in issues if i["title"].startswith(FLAG_GUARD))
    assert "Owner (as stated): priya" in guard["body"] and "Due (as stated): 2024-03-15" in guard["body"]
    assert guard["labels"] == ["postmortem", "action-prevent", "inc-217"]
    assert cli("export-actions", draft_json, "--to", "github-json", "-o", out).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("priya", "Priya N."), encoding="utf-8")
    refused = cli("export-actions", draft_json, "--to", "github-json", "-o", out)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: {out}: changed since pmdraft wrote it; pass --force to overwrite, or -o to write elsewhere "
        f"(e.g. {tmp_path / 'issues.new.json'})\n"
    )
    assert "Priya N." in out.read_text(encoding="utf-8")


def test_an_edited_draft_without_its_hash_file_still_exports(draft_json: Path) -> None:
    data = json.loads(draft_json.read_text(encoding="utf-8"))
    for item in data["action_items"]:
        if item["description"].startswith(ANNOTATIONS):
            item["owner"] = "Mei Lin"
    draft_json.write_text(json.dumps(data), encoding="utf-8")
    draft_json.with_name(draft_json.name + ".pmdraft-hash").unlink()
    result = cli("export-actions", draft_json, "--to", "jira-csv")
    assert result.exit_code == 0, result.stderr
    row = next(r for r in csv.reader(io.StringIO(result.stdout)) if r[0].startswith(ANNOTATIONS))
    assert row[3] == "Mei Lin"


def test_the_draft_itself_is_never_the_output(draft_json: Path) -> None:
    before = draft_json.read_text(encoding="utf-8")
    result = cli("export-actions", draft_json, "--to", "github-json", "-o", draft_json)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {draft_json}: is the draft itself; pass another -o file\n",
    )
    assert draft_json.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# INC-217\n\nA Markdown draft.\n", f"is not JSON (line 1, column 1); pmdraft reads drafts in JSON, {HINT}"),
        ("[1, 2]", f"is not a pmdraft draft: top level: Input should be a valid dictionary or instance of PostMortem; {HINT}"),
        ('{"incident_id": "INC-1"}', f"is not a pmdraft draft: title: Field required (and 25 more); {HINT}"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_draft_is_one_line_exit_2(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = cli("export-actions", bad, "--to", "jira-csv")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {bad}: {message}\n"


def test_missing_file_and_unknown_target(tmp_path: Path) -> None:
    missing = cli("export-actions", tmp_path / "none.json", "--to", "jira-csv")
    assert (missing.exit_code, missing.stderr) == (2, f"Error: {tmp_path / 'none.json'}: no such file\n")
    unknown = cli("export-actions", tmp_path / "none.json", "--to", "trello")
    assert unknown.exit_code == 2 and "'trello' is not one of 'jira-csv', 'github-json'" in unknown.stderr
