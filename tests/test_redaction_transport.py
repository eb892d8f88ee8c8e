"""Proof that no planted secret or personal datum leaves the machine, for every fixture and eval case.

The real openai client talks to a fake model through an HTTP transport that keeps every request body;
the fake answers with the smallest valid reply, so the whole LLM path (map, repairs, reduce) runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmdraft.config import load_settings
from pmdraft.evals import load_case
from pmdraft.evals.llm_mode import recording_client
from pmdraft.ingest import LoadOptions, ingest
from pmdraft.llm_draft import connect
from pmdraft.pipeline import draft_postmortem
from pmdraft.render.markdown import render_markdown
from tests.test_evals_llm import fake_model

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.name for p in (ROOT / "evals" / "cases").iterdir() if (p / "case.toml").exists())


@pytest.fixture(autouse=True)
def _fake_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_API_KEY", "PMDRAFT_API_KEY", "PMDRAFT_MODEL", "PMDRAFT_DIALECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://fake.test/v1")
    monkeypatch.setenv("PMDRAFT_CACHE_DIR", str(tmp_path / "cache"))


def test_every_fixture_is_an_eval_case() -> None:
    assert {"flag-outage", "db-hotspot"} <= set(CASES)
    assert len(CASES) >= 6


@pytest.mark.parametrize("name", CASES)
def test_no_planted_secret_in_any_request_body(name: str) -> None:
    case = load_case(ROOT / "evals" / "cases" / name)
    secrets = list(case.key.planted_secrets)
    assert len(secrets) >= 4
    ingested = ingest(list(case.inputs), LoadOptions())
    raw = "\n".join(e.text for e in ingested.events)
    assert all(s in raw for s in secrets), "every planted secret is in the ingested text"
    bodies: list[bytes] = []
    settings = load_settings({"model": "fake-model", "quiet": True, "use_cache": False})
    llm = connect(settings, http_client=recording_client(bodies, fake_model(False, [])))
    pm = draft_postmortem(ingested, settings=settings, llm=llm)
    assert len(bodies) >= 2
    sent = "\n".join(json.dumps(json.loads(b), ensure_ascii=False) for b in bodies)
    assert "[EMAIL_" in sent  # the incident text went out, with its placeholders
    assert [s for s in secrets if s in sent] == []
    draft_text = pm.model_dump_json() + render_markdown(pm)
    assert [s for s in secrets if s in draft_text] == []
    assert any(f.type == "redaction" for f in pm.review_flags)
    assert any(f.type == "injection" for f in pm.review_flags)


def test_no_redact_is_explicit_and_flagged() -> None:
    case = load_case(ROOT / "evals" / "cases" / "flag-outage")
    ingested = ingest(list(case.inputs), LoadOptions())
    bodies: list[bytes] = []
    settings = load_settings({"model": "fake-model", "quiet": True, "use_cache": False})
    llm = connect(settings, http_client=recording_client(bodies, fake_model(False, [])))
    pm = draft_postmortem(ingested, settings=settings, llm=llm, redact=False)
    sent = b"\n".join(bodies).decode()
    assert any(s in sent for s in case.key.planted_secrets)  # the test above can fail
    assert any(f.type == "redaction" and "--no-redact" in f.message for f in pm.review_flags)
