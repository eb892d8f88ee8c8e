"""`pmdraft draft` with a model: the LLM branch, the cache, --dry-run, --offline and error lines."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.llm_draft.prompts import PROMPT_VERSION
from pmdraft.schema import PostMortem
from tests.llm.fakes import smart_completion
from tests.llm.fakeserver import FakeServer

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "flag-outage"


@pytest.fixture
def server() -> Any:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is missing")
    with FakeServer(lambda body: (200, smart_completion(body), {})) as running:
        yield running


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PMDRAFT_CACHE_DIR": str(tmp_path / "cache"),
        "PMDRAFT_CHUNK_TOKENS": "2000",
        "PMDRAFT_MODEL": None,  # type: ignore[dict-item]
        "OPENAI_BASE_URL": None,  # type: ignore[dict-item]
        "OPENAI_API_KEY": None,  # type: ignore[dict-item]
    }


def _draft(server: FakeServer, tmp_path: Path, *extra: str) -> Any:
    args = [
        "draft",
        str(FIXTURE),
        "--format",
        "json",
        "--model",
        "fake",
        "--base-url",
        server.base_url,
        *extra,
    ]
    return CliRunner().invoke(main, args, env=_env(tmp_path))


def test_draft_with_a_model_cites_only_real_events(server: FakeServer, tmp_path: Path) -> None:
    result = _draft(server, tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    pm = PostMortem.model_validate_json(result.stdout)
    assert pm.generated_by.mode == "llm" and pm.generated_by.model == "fake"
    assert pm.generated_by.prompt_version == PROMPT_VERSION
    timeline = CliRunner().invoke(main, ["timeline", str(FIXTURE), "--format", "jsonl", "--include-noise"])
    ids = {json.loads(line)["id"] for line in timeline.stdout.splitlines()}
    cited = {i for node in _evidence_lists(json.loads(result.stdout)) for i in node}
    assert cited and cited <= ids
    assert {c.id for c in pm.cited_events} <= ids
    assert any(t.origin == "model" for t in pm.timeline)
    assert any(t.origin == "source" for t in pm.timeline)  # the offline draft was the base
    assert "map [" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("tokens: ")
    assert len(server.requests) == 4  # 3 map calls and the reduce call


def _evidence_lists(node: Any) -> list[list[str]]:
    found: list[list[str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("evidence", "settled_evidence"):
                found.append(value)
            else:
                found.extend(_evidence_lists(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_evidence_lists(value))
    return found


def test_a_second_draft_makes_zero_calls(server: FakeServer, tmp_path: Path) -> None:
    assert _draft(server, tmp_path).exit_code == 0
    before = len(server.requests)
    again = _draft(server, tmp_path)
    assert again.exit_code == 0
    assert len(server.requests) == before
    assert "0 requests, 4 of 4 calls from cache" in again.stderr


def test_dry_run_prints_chunks_and_calls_nothing(server: FakeServer, tmp_path: Path) -> None:
    result = _draft(server, tmp_path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "chunk 1/3: " in result.stdout and "estimated prompt tokens: " in result.stdout
    assert "No call was made (--dry-run)." in result.stdout
    assert server.requests == []


def test_offline_flag_wins_over_a_configured_model(server: FakeServer, tmp_path: Path) -> None:
    result = _draft(server, tmp_path, "--offline")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["generated_by"]["mode"] == "offline"
    assert server.requests == []


def test_unreachable_server_is_one_error_line(tmp_path: Path) -> None:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is missing")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    env = _env(tmp_path) | {"PMDRAFT_MAX_RETRIES": "0"}
    result = CliRunner().invoke(
        main, ["draft", str(FIXTURE), "--model", "m", "--base-url", url, "--quiet"], env=env
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: Cannot reach {url}: ")
    assert result.stderr.count("\n") == 1


def test_bad_setting_is_one_error_line(tmp_path: Path) -> None:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is missing")
    env = _env(tmp_path) | {"PMDRAFT_MAX_OUTPUT_TOKENS": "lots"}
    result = CliRunner().invoke(
        main, ["draft", str(FIXTURE), "--model", "m", "--base-url", "http://x/v1"], env=env
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: environment: max_output_tokens: Input should be a valid integer, unable to parse string as an "
        "integer.\n"
    )
