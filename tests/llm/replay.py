"""The recorded runs: the recorder and the replay tests call exactly these."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pmdraft.config import Settings
from pmdraft.llm_draft import LLMDraft, connect, run_llm_draft
from tests.llm.scenarios import incident_events, recorded_settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def run_small_incident(cache_dir: Path) -> tuple[LLMDraft, str | None]:
    """The small incident through map, reduce and verification; returns the negotiated dialect."""
    settings = Settings(**recorded_settings(cache_dir))
    llm = connect(settings)
    return run_llm_draft(incident_events(), settings, llm), llm.dialect


def run_single_call(cache_dir: Path) -> tuple[LLMDraft, str | None]:
    """The small incident at the default chunk size: every record fits, so one call writes notes and
    narrative."""
    values = recorded_settings(cache_dir)
    del values["chunk_tokens"]
    settings = Settings(**values)
    llm = connect(settings)
    return run_llm_draft(incident_events(), settings, llm), llm.dialect


def cli_args(cache_dir: Path) -> list[str]:
    s = recorded_settings(cache_dir)
    return [
        "draft",
        str(FIXTURES / "flag-outage"),
        "--format",
        "json",
        "--model",
        s["model"],
        "--base-url",
        s["base_url"],
        "--max-concurrency",
        "2",
        "--quiet",
    ]


def cli_env(cache_dir: Path) -> dict[str, str]:
    """Settings the CLI has no flag for, given the way users give them: PMDRAFT_* variables."""
    return {
        "PMDRAFT_CACHE_DIR": str(cache_dir),
        "PMDRAFT_CHUNK_TOKENS": "1800",
        "PMDRAFT_MAX_OUTPUT_TOKENS": "300",
        "PMDRAFT_MAX_REPAIRS": "1",
        "PMDRAFT_CONTEXT_TOKENS": "8192",
        "PMDRAFT_SEED": "7",
        "PMDRAFT_TIMEOUT": "600",
        "SOURCE_DATE_EPOCH": "1710000000",
    }


def run_cli_flag_outage(cache_dir: Path) -> dict[str, Any]:
    """``pmdraft draft fixtures/flag-outage`` with the recorded model; returns the JSON draft."""
    from click.testing import CliRunner

    from pmdraft.cli import main

    result = CliRunner().invoke(main, cli_args(cache_dir), env=cli_env(cache_dir), catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(f"pmdraft draft failed ({result.exit_code}): {result.output}")
    data: dict[str, Any] = json.loads(result.stdout)
    return data
