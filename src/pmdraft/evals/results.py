"""The results file (``--out``): what ran, every metric per case, totals and threshold checks.

Two results files are what ``pmdraft eval --compare`` reads, so the format is a validated model
with a version number rather than loose JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from statistics import mean
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pmdraft.errors import InputError, OutputError
from pmdraft.evals.scorers import METRICS, Metric, Value
from pmdraft.evals.thresholds import EvalConfig

FORMAT = 1
Mode = Literal["offline", "llm"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricResult(_Model):
    value: float | int | bool | None
    detail: str = ""
    applicable: bool = True


#: The rubric's criteria, in the order reports show them.
JUDGE_CRITERIA = ("blamelessness", "clarity", "usefulness")


class JudgeResult(_Model):
    """The LLM-as-judge rubric: 1-5 per criterion with the judge's reason; kept apart from metrics."""

    model: str
    scores: dict[str, int]
    reasons: dict[str, str]


class CaseReport(_Model):
    name: str
    description: str = ""
    metrics: dict[str, MetricResult]
    judge: JudgeResult | None = None
    judge_error: str | None = None
    error: str | None = None
    seconds: float = 0.0


class Check(_Model):
    case: str
    metric: str
    rule: str
    hard: bool
    value: float | int | bool | None
    passed: bool


class Results(_Model):
    format: int = FORMAT
    tool_version: str
    mode: Mode
    model: str | None
    prompt_version: str | None
    generated_at: datetime
    config: str | None
    judge_model: str | None = None
    #: metric -> rule as printed (">= 0.7", "<= 0 (hard)").
    thresholds: dict[str, str]
    cases: list[CaseReport]
    totals: dict[str, MetricResult]
    checks: list[Check]
    passed: bool

    def hard_failures(self) -> list[Check]:
        return [c for c in self.checks if c.hard and not c.passed]


def case_report(
    name: str,
    metrics: Sequence[Metric],
    *,
    description: str = "",
    judge: JudgeResult | None = None,
    error: str | None = None,
    seconds: float = 0.0,
) -> CaseReport:
    return CaseReport(
        name=name,
        description=description,
        metrics={
            m.name: MetricResult(value=m.value, detail=m.detail, applicable=m.applicable) for m in metrics
        },
        judge=judge,
        error=error,
        seconds=round(seconds, 2),
    )


def total(name: str, values: Sequence[MetricResult]) -> MetricResult:
    """Counts add up, booleans count the cases where they are true, everything else is a mean."""
    used = [v for v in values if v.applicable]
    present = [v.value for v in used if v.value is not None]
    missing = len(used) - len(present)
    note = f"{missing} case(s) missing" if missing else ""
    if not present:
        return MetricResult(value=None, detail=note or "not applicable", applicable=bool(used))
    if all(isinstance(v, bool) for v in present):
        return MetricResult(value=sum(bool(v) for v in present), detail=f"cases true of {len(present)}")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present) and METRICS.get(name) == "lower":
        return MetricResult(value=sum(int(v) for v in present), detail=note or "sum")
    return MetricResult(value=round(mean(float(v) for v in present), 3), detail=note or "mean")


def check_cases(cases: Sequence[CaseReport], config: EvalConfig) -> list[Check]:
    """Every threshold against every case where the metric applies; a failed case fails hard."""
    checks: list[Check] = []
    for case in cases:
        if case.error is not None:
            checks.append(
                Check(case=case.name, metric="error", rule="runs", hard=True, value=None, passed=False)
            )
            continue
        for name, threshold in config.thresholds.items():
            result = case.metrics.get(name)
            if result is None or not result.applicable:
                continue
            checks.append(
                Check(
                    case=case.name,
                    metric=name,
                    rule=threshold.describe(),
                    hard=threshold.hard,
                    value=result.value,
                    passed=threshold.passes(result.value),
                )
            )
    return checks


def summarize(
    cases: Sequence[CaseReport],
    config: EvalConfig,
    *,
    tool_version: str,
    mode: Mode,
    model: str | None,
    prompt_version: str | None,
    generated_at: datetime,
) -> Results:
    names = [n for n in METRICS if any(n in c.metrics for c in cases)]
    totals = {n: total(n, [c.metrics[n] for c in cases if n in c.metrics]) for n in names}
    checks = check_cases(cases, config)
    return Results(
        tool_version=tool_version,
        mode=mode,
        model=model,
        prompt_version=prompt_version,
        generated_at=generated_at,
        config=str(config.path) if config.path else None,
        judge_model=config.judge_model,
        thresholds={n: t.describe() + (" (hard)" if t.hard else "") for n, t in config.thresholds.items()},
        cases=list(cases),
        totals=totals,
        checks=checks,
        passed=not any(c.hard and not c.passed for c in checks),
    )


def save_results(results: Results, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(results.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise OutputError(f"Cannot write {path}: {e.strerror}.") from None


def load_results(path: Path) -> Results:
    """A results file written by ``pmdraft eval --out``; anything else is a one-line error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no such results file; write one with pmdraft eval --out FILE.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read it ({e}).") from None
    except json.JSONDecodeError as e:
        raise InputError(path, f"not valid JSON ({e.msg} at line {e.lineno}).") from None
    if isinstance(data, dict) and data.get("format") != FORMAT:
        raise InputError(path, f"results format {data.get('format')!r}; this pmdraft reads format {FORMAT}.")
    try:
        return Results.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "results"
        raise InputError(path, f"not a pmdraft eval results file ({where}: {first['msg']}).") from None


def metric_value(value: Value) -> str:
    """How a value prints in tables: 2 decimals, whole counts, yes/no, and a dash for missing."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}"
