"""`pmdraft draft` end to end, offline: stdout or -o, md or json, overwrite protection, --offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pmdraft.cli import main
from pmdraft.schema import PostMortem

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "flag-outage"
EXPORT = ROOT / "tests" / "data" / "slack" / "export"
_MODEL_ENV = ("PMDRAFT_MODEL", "PMDRAFT_BASE_URL", "OPENAI_BASE_URL", "PMDRAFT_API_KEY", "OPENAI_API_KEY")


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key, no endpoint, no config file on the way up: the situation the offline path is for."""
    for name in (*_MODEL_ENV, "PMDRAFT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def inputs() -> Path:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is not there yet")
    return FIXTURE


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["draft", *map(str, args)])


def test_markdown_on_stdout_says_what_needs_a_person_first() -> None:
    result = run(inputs())
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# ")
    head = md.split("## Incident ID")[0]
    assert "## Needs a model or a person" in head and "narrative" in head and "lessons learned" in head
    assert "INC-217" in md and "[^1]:" in md and "pmdraft:sha256" not in md


def test_json_is_the_schema() -> None:
    result = run(inputs(), "--format", "json")
    assert result.exit_code == 0, result.stderr
    pm = PostMortem.model_validate_json(result.stdout)
    assert pm.generated_by.mode == "offline" and pm.timeline and pm.cited_events


def test_output_file_format_from_suffix_and_overwrite_rules(tmp_path: Path) -> None:
    out = tmp_path / "draft.json"
    first = run(inputs(), "-o", out)
    assert first.exit_code == 0 and first.stdout == "" and first.stderr == f"wrote {out}\n"
    assert PostMortem.model_validate_json(out.read_text()).incident_id == "INC-217"
    assert (tmp_path / "draft.json.pmdraft-hash").is_file()
    assert run(inputs(), "-o", out).exit_code == 0

    md = tmp_path / "draft.md"
    assert run(inputs(), "-o", md).exit_code == 0
    md.write_text(md.read_text().replace("## Trigger", "## Trigger\n\nThe flag push, says Rina."))
    refused = run(inputs(), "-o", md)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: {md}: changed since pmdraft wrote it; pass --force to overwrite, or -o to write elsewhere "
        f"(e.g. {tmp_path / 'draft.new.md'})\n"
    )
    assert "says Rina" in md.read_text()
    assert run(inputs(), "-o", md, "--force").exit_code == 0
    assert "says Rina" not in md.read_text()


def test_a_file_pmdraft_did_not_write_is_refused_before_any_work(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("mine\n")
    result = run(tmp_path / "no-such-export", "-o", notes)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {notes}: was not written by pmdraft; pass --force")
    assert notes.read_text() == "mine\n"


def test_offline_flag_wins_over_a_configured_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMDRAFT_MODEL", "some-model")
    monkeypatch.setenv("PMDRAFT_BASE_URL", "http://127.0.0.1:9/v1")
    result = run(inputs(), "--offline", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["generated_by"]["mode"] == "offline"


def test_bad_input_is_one_line() -> None:
    result = run("/no/such/place")
    assert result.exit_code == 2 and result.stderr == "Error: /no/such/place: no such file or folder\n"


def test_the_small_hand_written_export_drafts_too() -> None:
    if not EXPORT.is_dir():
        pytest.skip("tests/data/slack/export is not there")
    result = run(EXPORT, "--format", "json", "--tz", "Europe/Berlin")
    assert result.exit_code == 0, result.stderr
    pm = PostMortem.model_validate_json(result.stdout)
    assert pm.generated_by.display_timezone == "Europe/Berlin"
    assert pm.times.detected.at is not None
