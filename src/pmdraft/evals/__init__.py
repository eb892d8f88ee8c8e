"""Scoring drafts against sample incidents with answer keys (``pmdraft eval``).

cases.py loads ``evals/cases/<name>/``; scorers.py holds one pure function per metric; run.py
drafts and scores each case; results.py is the results file and the threshold checks; report.py
prints the table and ``--compare`` deltas; judge.py is the optional LLM-as-judge rubric.
"""

from pmdraft.evals.cases import AnswerKey, Case, find_root, load_case, select_cases
from pmdraft.evals.results import Results, load_results, save_results, summarize
from pmdraft.evals.run import Drafted, draft_offline_case, run_evals
from pmdraft.evals.scorers import METRICS, Metric, score_draft
from pmdraft.evals.thresholds import EvalConfig, Threshold, load_config

__all__ = [
    "METRICS",
    "AnswerKey",
    "Case",
    "Drafted",
    "EvalConfig",
    "Metric",
    "Results",
    "Threshold",
    "draft_offline_case",
    "find_root",
    "load_case",
    "load_config",
    "load_results",
    "run_evals",
    "save_results",
    "score_draft",
    "select_cases",
    "summarize",
]
