"""Precision and recall of the blame detector on a labelled corpus (``pmdraft blame-eval``).

Each corpus line is ``{"text", "label", "people"?, "note"?}`` with ``label`` a category from
pmdraft.blame or ``"none"``. Per category, a line counts as predicted when any finding in it has that
category; overall, a line counts as blame when it has any finding, so the overall figures measure
"was this sentence flagged at all" and the per-category ones "was it flagged as the right thing".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pmdraft.blame import CATEGORIES, find_blame
from pmdraft.errors import ConfigError, InputError

NONE_LABEL = "none"
GOAL_PRECISION = 0.9
GOAL_RECALL = 0.85


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    label: str
    people: tuple[str, ...] = ()
    note: str = ""


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        """1.0 when nothing was predicted: no false alarms were raised."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass(slots=True)
class Report:
    per_category: dict[str, Score]
    overall: Score
    errors: list[tuple[Case, tuple[str, ...]]] = field(default_factory=list)

    def meets_goal(self) -> bool:
        return self.overall.precision >= GOAL_PRECISION and self.overall.recall >= GOAL_RECALL


def default_corpus() -> Path:
    """evals/blame/corpus.jsonl under the working directory, else in the checkout this module runs
    from (an editable install); the corpus is not packaged into the wheel."""
    relative = Path("evals") / "blame" / "corpus.jsonl"
    for candidate in (Path.cwd() / relative, Path(__file__).resolve().parents[2] / relative):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"No corpus given and none found at {relative}. Pass the corpus path: pmdraft blame-eval CORPUS."
    )


def load_corpus(path: Path) -> list[Case]:
    """Read a JSONL corpus; a malformed line is an InputError naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError(path, f"cannot read the corpus ({e.strerror or e}).") from None
    cases: list[Case] = []
    allowed = {*CATEGORIES, NONE_LABEL}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(path, f"line {number} is not JSON ({e.msg}).") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(path, f'line {number} has no "text" string.')
        label = row.get("label")
        if label not in allowed:
            raise InputError(
                path, f"line {number}: label {label!r} is not one of {', '.join(sorted(allowed))}."
            )
        people = row.get("people") or []
        if not isinstance(people, list) or not all(isinstance(p, str) for p in people):
            raise InputError(path, f'line {number}: "people" must be a list of names.')
        cases.append(Case(row["text"], label, tuple(people), str(row.get("note") or "")))
    if not cases:
        raise InputError(path, "the corpus has no cases.")
    return cases


def predict(case: Case) -> tuple[str, ...]:
    """Categories the detector reports anywhere in the case's text."""
    return tuple(sorted({f.category for f in find_blame(case.text, people=case.people)}))


def evaluate(cases: Sequence[Case]) -> Report:
    per = {c: Score() for c in CATEGORIES}
    overall = Score()
    report = Report(per, overall)
    for case in cases:
        predicted = predict(case)
        is_blame = case.label != NONE_LABEL
        for category in CATEGORIES:
            hit = category in predicted
            if hit and category == case.label:
                per[category].tp += 1
            elif hit:
                per[category].fp += 1
            elif category == case.label:
                per[category].fn += 1
        if predicted and is_blame:
            overall.tp += 1
        elif predicted:
            overall.fp += 1
        elif is_blame:
            overall.fn += 1
        if predicted != ((case.label,) if is_blame else ()):
            report.errors.append((case, predicted))
    return report


def format_report(report: Report, *, show_errors: bool = False) -> str:
    """A fixed-width table: one row per category, then overall against the goal."""
    rows = [f"{'category':<18} {'precision':>9} {'recall':>7} {'support':>8} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for name, s in [*report.per_category.items(), ("overall", report.overall)]:
        rows.append(
            f"{name:<18} {s.precision:>9.3f} {s.recall:>7.3f} {s.support:>8} {s.tp:>4} {s.fp:>4} {s.fn:>4}"
        )
    verdict = "met" if report.meets_goal() else "MISSED"
    rows.append(f"goal: precision >= {GOAL_PRECISION}, recall >= {GOAL_RECALL} (overall): {verdict}")
    if show_errors:
        rows.append("")
        for case, predicted in report.errors:
            got = ",".join(predicted) or NONE_LABEL
            rows.append(f"label={case.label} predicted={got}: {case.text}")
    return "\n".join(rows) + "\n"
