"""One call for notes and narrative when every record fits: the plan, the call, its checks, its cache."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx2

from pmdraft.config import Settings
from pmdraft.llm import LLM, make_client
from pmdraft.llm_draft import draft_with_llm, plan_llm_draft, render_plan, run_llm_draft
from pmdraft.schema import PostMortem
from tests.llm.fakes import Script, completion, smart
from tests.llm.scenarios import incident_events

EVENTS = incident_events()
KNOWN = {e.id: e for e in EVENTS}


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "model": "test-model",
        "base_url": "http://fake.test/v1",
        "max_concurrency": 1,
        "cache_dir": tmp_path / "cache",
        "quiet": True,
    }
    return Settings(**(values | extra))


def _llm(settings: Settings, handler: Any) -> LLM:
    client = make_client(settings, http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    return LLM(client, settings.model or "", sleep=lambda _: None, max_repairs=settings.max_repairs)


def test_the_plan_is_one_call_when_every_record_fits_and_it_costs_less(tmp_path: Path) -> None:
    single = plan_llm_draft(EVENTS, _settings(tmp_path))
    assert single.single and len(single.chunks) == 1 and single.reduce_overhead_tokens == 0
    assert list(single.chunks[0].event_ids) == [e.id for e in EVENTS]
    text = render_plan(single, _settings(tmp_path))
    assert f"estimated prompt tokens: {single.map_prompt_tokens[0]} for one call" in text

    split = plan_llm_draft(EVENTS, _settings(tmp_path, single_call=False))
    assert not split.single and len(split.chunks) == 1 and split.reduce_overhead_tokens > 0
    # The map call alone holds the same records; the reduce call (prompt, schema) comes on top.
    assert single.map_prompt_tokens[0] < split.map_prompt_tokens[0] + split.reduce_overhead_tokens


def test_records_that_need_more_than_one_call_still_go_through_map_and_reduce(tmp_path: Path) -> None:
    plan = plan_llm_draft(EVENTS, _settings(tmp_path, chunk_tokens=140, chunk_overlap_events=1))
    assert not plan.single and len(plan.chunks) == 3


def test_a_window_too_small_for_one_call_falls_back_to_map_and_reduce(tmp_path: Path) -> None:
    # The single call needs room for twice the reply; the map call still fits in 2,600 tokens.
    settings = _settings(tmp_path, context_tokens=2600, max_output_tokens=600)
    plan = plan_llm_draft(EVENTS, settings)
    assert not plan.single and plan.chunks


def test_one_call_writes_notes_and_narrative_and_every_citation_is_checked(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    script = Script([smart])  # a second request fails the test
    result = run_llm_draft(EVENTS, settings, _llm(settings, script))
    body = script.requests[0]
    assert body["response_format"]["json_schema"]["name"] == "WholeDraft"
    assert body["max_tokens"] == 2 * settings.max_output_tokens
    assert "From these records only, fill two parts." in body["messages"][-1]["content"]
    assert [c.name for c in result.usage.calls] == ["draft"]

    pm = PostMortem.model_validate(result.postmortem.model_dump(mode="json"))
    assert pm.title == "Checkout errors after a flag change"
    first = next(t for t in pm.timeline if t.text.startswith("Record E1 "))
    assert first.evidence == ["test:0"] and first.at == KNOWN["test:0"].time
    # The narrative may cite any record the call was given, also one no note cites...
    changed = pm.narrative.what_changed
    assert changed is not None and changed.evidence == ["test:1"] and not changed.unsupported
    # ...but never one that does not exist.
    messages = {f.message for f in pm.review_flags if f.type == "unsupported_claim"}
    assert {"Removed citation 'E404': no such event.", "Removed citation 'E999': no such event."} <= messages
    assert pm.narrative.resolution is not None and pm.narrative.resolution.unsupported
    assert all(c in KNOWN for entry in pm.timeline for c in entry.evidence)


def test_the_one_call_reports_progress_and_usage(tmp_path: Path) -> None:
    settings = _settings(tmp_path, quiet=False)
    err = io.StringIO()
    draft_with_llm(EVENTS, settings, _llm(settings, Script([smart])), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == f"draft [{'#' * 24}] 1/1"
    assert lines[1].startswith("  draft: 11 in / 7 out (1 request, ")
    assert lines[-1] == "tokens: 11 in / 7 out in total; 1 requests, 0 of 1 calls from cache"


def test_a_rerun_of_the_one_call_asks_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = run_llm_draft(EVENTS, settings, _llm(settings, Script([smart])))
    idle = Script([])
    second = run_llm_draft(EVENTS, settings, _llm(settings, idle))
    assert idle.requests == [] and [c.cached for c in second.usage.calls] == [True]
    skip = {"generated_by": {"generated_at"}}
    assert second.postmortem.model_dump(exclude=skip) == first.postmortem.model_dump(exclude=skip)


def test_an_unusable_reply_to_the_one_call_still_yields_a_valid_draft(tmp_path: Path) -> None:
    settings = _settings(tmp_path, max_repairs=1)
    garbage = completion("The incident was bad.")
    result = run_llm_draft(EVENTS, settings, _llm(settings, Script([garbage, garbage])))
    pm = PostMortem.model_validate(result.postmortem.model_dump(mode="json"))
    assert any(f.location == "draft" and "no notes and no narrative" in f.message for f in pm.review_flags)
    assert not any(t.origin == "model" for t in pm.timeline)
