"""pmdraft.lint and the ``pmdraft lint`` command on hand-written and rendered post-mortems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.lint import lint_markdown, lint_path

DATA = Path(__file__).resolve().parent / "data" / "lint"
GAPS = DATA / "gaps.md"
CLEAN = DATA / "clean.md"

GAPS_EXPECTED = [
    ("blame", 40, "Root Cause(s)"),
    ("empty_section", 16, "Customer communication"),
    ("missing_section", None, "Hypotheses"),
    ("action_item", 76, "Action Items"),
    ("action_item", 77, "Action Items"),
    ("timezone", None, None),
]


def test_hand_written_post_mortem_with_gaps_has_exactly_the_expected_findings() -> None:
    findings = lint_path(GAPS)
    assert [(f.kind, f.line, f.section) for f in findings] == GAPS_EXPECTED
    blame = findings[0].blame
    assert blame is not None
    assert (blame.category, blame.severity) == ("counterfactual", "high")
    assert blame.quote == "Felix should have checked the eviction policy before switching traffic."
    assert blame.location == "Root Cause(s), line 40"
    assert findings[3].message.startswith("Action item without a due date: “Make the cache client switch")
    assert findings[4].message.startswith("Action item without an owner: “Run the load test")


def test_strict_also_requires_the_optional_sections() -> None:
    kinds = [(f.kind, f.section) for f in lint_path(GAPS, strict=True)]
    # "Lessons Learnt" is there (a variant); "Where we got lucky" is not.
    assert ("missing_section", "Where we got lucky") in kinds
    assert ("missing_section", "Lessons learned") not in kinds
    assert len(kinds) == len(GAPS_EXPECTED) + 1


@pytest.mark.parametrize("strict", [False, True])
def test_clean_hand_written_post_mortem_has_no_findings(strict: bool) -> None:
    assert lint_path(CLEAN, strict=strict) == []


def test_systemic_and_neutral_sentences_in_the_gaps_file_are_not_flagged() -> None:
    text = GAPS.read_text(encoding="utf-8")
    assert "The provisioning module failed\nto set the eviction policy" in text
    assert "The load test should have caught this" in text
    assert [f.line for f in lint_path(GAPS) if f.kind == "blame"] == [40]


_RENDERED = """# Checkout errors

> Times are shown in **UTC**.

## Review flags

- **blame** (counterfactual): Quote: “Dave should have checked the config.” Suggestion: say what the pipeline lacked.

## Incident ID

`INC-1`

## Root cause

Dave should have checked the config. The canary failed to catch it because config pushes skip it.

## Evidence

[^1]: 2024-03-07 22:41:12 UTC · dave · chat · `slack:C1:1`: “Dave should have checked the config.”
"""


def test_review_flags_and_evidence_are_not_reflagged_but_prose_is() -> None:
    blame = [f for f in lint_markdown(_RENDERED, people=["Dave Okafor"]) if f.kind == "blame"]
    assert [(f.line, f.section) for f in blame] == [(15, "Root cause")]


def test_wrapped_sentence_is_read_whole_and_reported_at_its_first_line() -> None:
    doc = "# T\n\n## Root cause\n\nThe deploy went out at 14:02 and the on-call engineer\nfailed to notice the alert for an hour.\n"
    [f] = [f for f in lint_markdown(doc) if f.kind == "blame"]
    assert (f.line, f.section) == (5, "Root cause")
    assert f.blame is not None
    assert f.blame.quote.endswith("failed to notice the alert for an hour.")


def test_placeholders_count_as_empty_and_unknown_as_an_answer() -> None:
    doc = (
        "# T\n\nAll times UTC.\n\n## Trigger\n\nTODO\n\n## Severity\n\nUnknown — not stated in the sources.\n"
    )
    found = {(f.kind, f.section) for f in lint_markdown(doc)}
    assert ("empty_section", "Trigger") in found
    assert not any(section == "Severity" for _, section in found)


def test_action_item_table_with_unknown_owner_and_due() -> None:
    doc = (
        "# T\n\n## Action items\n\n| # | Action | Owner | Due |\n|---|---|---|---|\n"
        "| 1 | Add a canary for flags | Unknown (not stated) | 2024-04-01 |\n"
        "| 2 | Alert per route | Mei Lin | Unknown (not stated) |\n"
        "| 3 | Block failed migrations | Jonas | 2024-03-15 |\n"
    )
    items = [(f.line, f.message.split(":")[0]) for f in lint_markdown(doc) if f.kind == "action_item"]
    assert items == [(7, "Action item without an owner"), (8, "Action item without a due date")]


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("Started 14:02 (all times UTC).", True),
        ("Started 2024-03-07T14:02:00+01:00.", True),
        ("Times are Europe/Berlin.", True),
        ("Started at 14:02 PST.", True),
        ("Started at 14:02 and ended at 15:10.", False),
    ],
)
def test_timezone_detection(text: str, stated: bool) -> None:
    findings = lint_markdown(f"# T\n\n## Timeline\n\n{text}\n")
    assert (not any(f.kind == "timezone" for f in findings)) is stated


def test_lint_works_on_a_draft_pmdraft_rendered() -> None:
    from pmdraft.ingest import LoadOptions, ingest
    from pmdraft.pipeline import draft_postmortem
    from pmdraft.render.markdown import render_markdown

    bundle = Path(__file__).resolve().parents[1] / "fixtures" / "flag-outage"
    if not bundle.is_dir():
        pytest.skip("fixtures/flag-outage is not present")
    text = render_markdown(draft_postmortem(ingest([bundle], LoadOptions(), None)))
    findings = lint_markdown(text)
    kinds = {f.kind for f in findings}
    assert "missing_section" not in kinds  # the renderer writes every template section
    assert "timezone" not in kinds  # and states its display zone
    for f in findings:
        assert f.section not in ("Review flags", "Evidence", "Needs a model or a person")


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_lint_exit_codes() -> None:
    runner = CliRunner()
    clean = runner.invoke(main, ["lint", str(CLEAN)])
    assert (clean.exit_code, clean.output) == (0, f"{CLEAN}: no findings.\n")
    gaps = runner.invoke(main, ["lint", str(GAPS)])
    assert gaps.exit_code == 1
    assert (
        f"{GAPS}:40: blame/counterfactual (high) [Root Cause(s)]: “Felix should have checked" in gaps.output
    )
    assert gaps.output.endswith("6 finding(s): 1 blame, 5 completeness.\n")


def test_cli_lint_unreadable_file_exits_2_with_one_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    result = CliRunner().invoke(main, ["lint", str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {missing}: cannot be read (No such file or directory).\n"
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    result = CliRunner().invoke(main, ["lint", str(binary)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: {binary}: is not UTF-8 text; pmdraft lint reads Markdown files.\n",
    )


def test_cli_lint_json_and_several_files() -> None:
    runner = CliRunner()
    one = runner.invoke(main, ["lint", str(GAPS), "--format", "json"])
    payload = json.loads(one.output)
    assert one.exit_code == 1
    assert payload["summary"] == {"blame": 1, "completeness": 5}
    first = payload["findings"][0]
    assert {k: first[k] for k in ("kind", "category", "line", "section", "location")} == {
        "kind": "blame",
        "category": "counterfactual",
        "line": 40,
        "section": "Root Cause(s)",
        "location": "Root Cause(s), line 40",
    }
    both = runner.invoke(main, ["lint", str(CLEAN), str(GAPS), "--format", "json", "--strict"])
    assert both.exit_code == 1
    assert [p["file"] for p in json.loads(both.output)] == [str(CLEAN), str(GAPS)]
    only_clean = runner.invoke(main, ["lint", str(CLEAN), "--strict"])
    assert only_clean.exit_code == 0
