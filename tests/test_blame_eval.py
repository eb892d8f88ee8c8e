"""The blame corpus, its scoring, and the goal CI holds the detector to."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmdraft.blame import CATEGORIES
from pmdraft.blame_eval import (
    GOAL_PRECISION,
    GOAL_RECALL,
    Case,
    default_corpus,
    evaluate,
    format_report,
    load_corpus,
)
from pmdraft.cli import main
from pmdraft.errors import InputError

CORPUS = Path(__file__).resolve().parents[1] / "evals" / "blame" / "corpus.jsonl"


def test_corpus_is_big_and_balanced_enough() -> None:
    cases = load_corpus(CORPUS)
    counts = Counter(c.label for c in cases)
    assert len(cases) >= 300
    assert all(counts[c] >= 25 for c in CATEGORIES), counts
    assert counts["none"] >= 120
    assert len({c.text for c in cases}) == len(cases)  # no duplicate sentences


def test_detector_meets_the_goal_on_the_corpus() -> None:
    """Fails CI when a change drops overall precision below 0.9 or recall below 0.85."""
    report = evaluate(load_corpus(CORPUS))
    assert report.overall.precision >= GOAL_PRECISION, format_report(report, show_errors=True)
    assert report.overall.recall >= GOAL_RECALL, format_report(report, show_errors=True)
    assert report.meets_goal()


def test_scoring_counts_per_category_and_overall() -> None:
    cases = [
        Case("Root cause: human error.", "human_error"),  # TP human_error
        Case("ops was careless again", "human_error"),  # predicted group_blame: FP there, FN here
        Case("The deploy failed the health check.", "none"),  # TN
        Case("Kenji should have known better.", "none"),  # FP counterfactual (mislabelled on purpose)
        Case("Rolling back now.", "judgmental"),  # FN judgmental
    ]
    report = evaluate(cases)
    he, group, cf, judg = (
        report.per_category[c] for c in ("human_error", "group_blame", "counterfactual", "judgmental")
    )
    assert (he.tp, he.fp, he.fn) == (1, 0, 1)
    assert (group.tp, group.fp, group.fn) == (0, 1, 0)
    assert (cf.tp, cf.fp, cf.fn) == (0, 1, 0)
    assert (judg.tp, judg.fp, judg.fn) == (0, 0, 1)
    o = report.overall
    assert (o.tp, o.fp, o.fn) == (2, 1, 1)  # the wrong-category row still counts as blame overall
    assert (round(o.precision, 3), round(o.recall, 3)) == (0.667, 0.667)
    assert he.precision == 1.0 and he.recall == 0.5
    assert len(report.errors) == 3
    assert not report.meets_goal()


def test_report_table_lists_every_category_and_the_verdict() -> None:
    text = format_report(evaluate([Case("Root cause: human error.", "human_error")]))
    lines = text.splitlines()
    assert lines[0].split() == ["category", "precision", "recall", "support", "tp", "fp", "fn"]
    assert [line.split()[0] for line in lines[1:8]] == [*CATEGORIES, "overall"]
    assert lines[-1] == "goal: precision >= 0.9, recall >= 0.85 (overall): met"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "a", "label": "none"}\nnot json\n', "line 2 is not JSON"),
        ('{"text": "a", "label": "blamey"}\n', "line 1: label 'blamey' is not one of"),
        ('{"label": "none"}\n', 'line 1 has no "text" string'),
        ('{"text": "a", "label": "none", "people": "Dave"}\n', 'line 1: "people" must be a list'),
        ("\n", "the corpus has no cases"),
    ],
)
def test_malformed_corpus_is_an_input_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_corpus(path)
    assert message in str(err.value)


def test_default_corpus_is_the_checkout_corpus() -> None:
    assert default_corpus().resolve() == CORPUS.resolve()


def test_cli_blame_eval_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["blame-eval", str(CORPUS)])
    assert good.exit_code == 0, good.output
    assert good.output.splitlines()[-1].endswith(": met")
    bad = tmp_path / "bad.jsonl"
    rows = [
        {"text": "Rolling back now.", "label": "judgmental"},
        {"text": "Root cause: human error.", "label": "none"},
    ]
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    missed = runner.invoke(main, ["blame-eval", str(bad), "--show-errors"])
    assert missed.exit_code == 1
    assert "goal: precision >= 0.9, recall >= 0.85 (overall): MISSED" in missed.output
    assert "label=none predicted=human_error: Root cause: human error." in missed.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(main, ["blame-eval", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {broken}: line 1 is not JSON")
