"""The eval loop: ingest each case, draft it the way ``pmdraft draft`` would, score it, judge it.

How a draft is produced is a ``Drafter`` so the same loop scores offline drafts, live model drafts
and drafts replayed from cassettes; a drafter also hands back the request bodies it sent, which the
secrets scorer searches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from time import perf_counter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmdraft.errors import InputError, PmdraftError
from pmdraft.evals.cases import Case
from pmdraft.evals.results import CaseReport, JudgeResult, case_report
from pmdraft.evals.scorers import score_draft
from pmdraft.ingest import Ingested, LoadOptions, ingest
from pmdraft.render.markdown import render_markdown
from pmdraft.schema import PostMortem

#: Drafts carry a generation time; a fixed one keeps eval drafts reproducible.
EVAL_NOW = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Drafted:
    draft: PostMortem
    #: Bodies of the HTTP requests sent to a model while drafting (empty offline).
    requests: list[bytes] = field(default_factory=list)


Drafter = Callable[[Case, Ingested], Drafted]
Judge = Callable[[PostMortem, str], JudgeResult]


def case_zone(case: Case) -> tzinfo:
    if not case.tz or case.tz.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(case.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(case.folder / "case.toml", f"unknown timezone '{case.tz}'.") from None


def draft_offline_case(case: Case, ingested: Ingested) -> Drafted:
    """The offline rules, exactly as ``pmdraft draft --offline`` runs them."""
    from pmdraft.pipeline import draft_postmortem

    return Drafted(draft_postmortem(ingested, display_tz=case_zone(case), offline=True, now=EVAL_NOW))


def evaluate_case(case: Case, drafter: Drafter, judge: Judge | None = None) -> CaseReport:
    """One case end to end; an expected failure (bad input, model error) becomes the case's error."""
    started = perf_counter()
    try:
        ingested = ingest(list(case.inputs), LoadOptions(tz=case_zone(case), date=case.date))
        drafted = drafter(case, ingested)
        markdown = render_markdown(drafted.draft)
        metrics = score_draft(
            drafted.draft, case.key, ingested.events, markdown=markdown, requests=drafted.requests
        )
    except PmdraftError as e:
        return case_report(
            case.name, [], description=case.description, error=str(e), seconds=perf_counter() - started
        )
    verdict: JudgeResult | None = None
    judge_error: str | None = None
    if judge is not None:
        try:
            verdict = judge(drafted.draft, markdown)
        except PmdraftError as e:
            judge_error = str(e)
    report = case_report(
        case.name, metrics, description=case.description, judge=verdict, seconds=perf_counter() - started
    )
    report.judge_error = judge_error
    return report


def run_evals(
    cases: Sequence[Case],
    drafter: Drafter,
    *,
    judge: Judge | None = None,
    on_case: Callable[[Case], None] | None = None,
) -> list[CaseReport]:
    """Every case in order; ``on_case`` is told after each one (the CLI's progress bar)."""
    reports = []
    for case in cases:
        reports.append(evaluate_case(case, drafter, judge))
        if on_case is not None:
            on_case(case)
    return reports
