"""Replay of real recordings (llama-cpp-python's server running SmolLM2-135M-Instruct).

Nothing listens at the recorded URL while these run, and sockets are blocked: a request that is not
in the cassette fails instead of reaching a server. The 135M model writes poor content, so these tests
check what the pipeline guarantees — negotiation, validation, repair, citation checks, a schema-valid
draft — never the quality of the prose.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from vcr.errors import CannotOverwriteExistingCassetteException  # type: ignore[import-untyped]

from pmdraft.cli import main
from pmdraft.config import Settings
from pmdraft.llm import LLM, make_client
from pmdraft.llm_draft import connect, run_llm_draft
from pmdraft.llm_draft.models import Note
from pmdraft.schema import PostMortem
from tests.llm.cassette import CASSETTES, use_cassette
from tests.llm.replay import FIXTURES, run_cli_flag_outage, run_single_call, run_small_incident
from tests.llm.scenarios import incident_events, recorded_settings

SMALL = CASSETTES / "small_incident.yaml"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network blocked by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def _needs_cassette() -> None:
    if not SMALL.exists():
        pytest.fail(f"{SMALL} is missing; record it (tests/cassettes/README.md)")


def test_vcrpy_is_new_enough_to_intercept_the_openai_sdk() -> None:
    import vcr  # type: ignore[import-untyped]

    major, minor = (int(p) for p in vcr.__version__.split(".")[:2])
    assert (major, minor) >= (8, 2)


def test_small_incident_replays_with_no_server(tmp_path: Path, no_network: None) -> None:
    with use_cassette(SMALL.name) as cassette:
        (result, dialect) = run_small_incident(tmp_path)
        assert cassette.all_played, "a recorded interaction was not requested"
    pm = PostMortem.model_validate(result.postmortem.model_dump(mode="json"))
    # llama-cpp-python's server refuses response_format json_schema; json_object with a schema works.
    assert dialect == "json_object"
    first = cassette.requests[0]
    assert b'"type":"json_schema"' in first.body.replace(b" ", b"")
    known = {e.id for e in incident_events()}
    claims = _claims(pm)
    assert claims
    for claim in claims:
        assert set(claim["evidence"]) <= known
        exempt = claim.get("method") == "unknown"  # the detection placeholder claims nothing
        if not claim["evidence"] and "unsupported" in claim and not exempt:
            assert claim["unsupported"], claim
    assert {c.id for c in pm.cited_events} <= known
    assert pm.generated_by.mode == "llm" and pm.generated_by.model == "smollm2-135m"
    assert sum(not c.cached for c in result.usage.calls) == len(result.usage.calls)
    assert result.usage.total.prompt_tokens > 0


def _claims(pm: PostMortem) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "evidence" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(pm.model_dump(mode="json"))
    return found


def test_a_request_missing_from_the_cassette_fails(tmp_path: Path, no_network: None) -> None:
    settings = Settings(**recorded_settings(tmp_path))
    llm = LLM(make_client(settings), "smollm2-135m", max_retries=0)
    with use_cassette(SMALL.name), pytest.raises(CannotOverwriteExistingCassetteException):
        # A prompt that was never recorded: vcrpy refuses it rather than letting it out.
        llm.complete([{"role": "user", "content": "never recorded"}], Note, max_tokens=5, name="x")


def test_cassettes_carry_no_secrets() -> None:
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text().lower()
        for header in ("authorization:", "api-key:", "set-cookie:", "openai-organization:", "cookie:"):
            assert header not in text, f"{path.name} has {header}"


def test_rerun_from_cache_makes_no_request(tmp_path: Path, no_network: None) -> None:
    with use_cassette(SMALL.name):
        run_small_incident(tmp_path)
    settings = Settings(**recorded_settings(tmp_path))
    with use_cassette(SMALL.name) as cassette:
        again = run_llm_draft(incident_events(), settings, connect(settings))
        assert cassette.play_count == 0
    assert again.usage.requests == 0


SINGLE = CASSETTES / "single_call.yaml"


def test_the_one_call_path_replays_with_no_server(tmp_path: Path, no_network: None) -> None:
    if not SINGLE.exists():
        pytest.fail(f"{SINGLE} is missing; record it (tests/cassettes/README.md)")
    with use_cassette(SINGLE.name) as cassette:
        result, _ = run_single_call(tmp_path)
        assert cassette.all_played, "a recorded interaction was not requested"
    assert result.plan.single
    assert [c.name for c in result.usage.calls] == ["draft"]
    bodies = [json.loads(r.body) for r in cassette.requests]
    # Room for notes and narrative: twice the configured reply; a truncated reply is re-asked with more.
    assert bodies[0]["max_tokens"] == 2 * 300 and all(b["max_tokens"] >= 600 for b in bodies)
    assert "fill two parts" in bodies[0]["messages"][-1]["content"]
    pm = PostMortem.model_validate(result.postmortem.model_dump(mode="json"))
    known = {e.id for e in incident_events()}
    for claim in _claims(pm):
        assert set(claim["evidence"]) <= known
    assert {c.id for c in pm.cited_events} <= known
    # Whatever the small model wrote, each of its claims is either backed by a cited record or marked.
    for entry in pm.timeline:
        assert entry.evidence or entry.unsupported or entry.origin != "model"


CLI = CASSETTES / "cli_flag_outage.yaml"


def test_cli_draft_of_the_flag_outage_replays_with_no_server(tmp_path: Path, no_network: None) -> None:
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing; record it (tests/cassettes/README.md)")
    with use_cassette(CLI.name) as cassette:
        data = run_cli_flag_outage(tmp_path)
        assert cassette.all_played, "a recorded interaction was not requested"
    pm = PostMortem.model_validate(data)
    assert pm.generated_by.mode == "llm" and pm.generated_by.model == "smollm2-135m"
    timeline = CliRunner().invoke(main, ["timeline", str(FIXTURES / "flag-outage"), "--format", "jsonl"])
    ids = {json.loads(line)["id"] for line in timeline.stdout.splitlines()}
    for claim in _claims(pm):
        assert set(claim["evidence"]) <= ids
    assert {c.id for c in pm.cited_events} <= ids
    assert any(t.origin == "source" for t in pm.timeline)  # the offline draft is the base

    with use_cassette(CLI.name) as cassette:
        run_cli_flag_outage(tmp_path)  # same cache folder: every call is a cache hit
        assert cassette.play_count == 0
