"""What ``pmdraft eval`` sets up before the loop: cases, thresholds, the drafter and the judge.

Kept here rather than in cli.py so the command stays a few lines and tests can run a whole eval
without the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2

from pmdraft import __version__
from pmdraft.evals.cases import CONFIG_FILE, Case, find_root, select_cases
from pmdraft.evals.results import Mode, Results, summarize
from pmdraft.evals.run import Drafter, Judge, draft_offline_case, run_evals
from pmdraft.evals.thresholds import EvalConfig, load_config


@dataclass(frozen=True)
class EvalSession:
    cases: list[Case]
    config: EvalConfig
    drafter: Drafter
    mode: Mode
    model: str | None = None
    prompt_version: str | None = None
    judge: Judge | None = None

    def run(self, on_case: Callable[[Case], None] | None = None) -> Results:
        reports = run_evals(self.cases, self.drafter, judge=self.judge, on_case=on_case)
        return summarize(
            reports,
            self.config,
            tool_version=__version__,
            mode=self.mode,
            model=self.model,
            prompt_version=self.prompt_version,
            generated_at=datetime.now(UTC).replace(microsecond=0),
        )


def start_session(
    names: tuple[str, ...] | list[str],
    *,
    offline: bool = False,
    model: str | None = None,
    cwd: Path | None = None,
    transport: httpx2.BaseTransport | None = None,
) -> EvalSession:
    """Load the cases and config (found from ``cwd`` upwards) and choose how drafts are made.

    With ``--offline`` (or no model configured anywhere) the offline rules draft; otherwise the
    LLM path drafts with ``model`` or the configured one. A judge runs only when one is configured.
    ``transport`` puts a fake model behind both in tests.
    """
    root = find_root(cwd or Path.cwd())
    cases = select_cases(names, root)
    config = load_config(root / CONFIG_FILE if root else None)
    judge = _judge(config.judge_model, transport) if config.judge_model else None
    if offline:
        return EvalSession(cases, config, draft_offline_case, "offline", judge=judge)
    from pmdraft.evals.llm_mode import llm_drafter

    found = llm_drafter(model, transport)
    if found is None:
        return EvalSession(cases, config, draft_offline_case, "offline", judge=judge)
    drafter, model_name, prompt_version = found
    return EvalSession(cases, config, drafter, "llm", model_name, prompt_version, judge)


def _judge(model: str, transport: httpx2.BaseTransport | None) -> Judge:
    from pmdraft.config import load_settings
    from pmdraft.evals.judge import make_judge

    http = httpx2.Client(transport=transport) if transport is not None else None
    return make_judge(load_settings({"quiet": True}), model, http_client=http)
