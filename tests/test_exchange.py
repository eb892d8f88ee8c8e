"""`pmdraft draft --exchange DIR`: the LLM path with prompts and answers carried as files.

A helper plays the person with the approved assistant: it reads each prompt file and writes an answer
that follows the schema and cites record ids taken from that prompt (and, once, an invalid answer).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pmdraft.config import Settings
from pmdraft.ingest import LoadOptions, ingest
from pmdraft.llm_draft.exchange import ExchangeLLM, PromptsWaiting
from pmdraft.llm_draft.models import ChunkNotes, DraftText
from pmdraft.llm_draft.prompts import map_messages, reduce_messages
from pmdraft.schema import PostMortem

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "flag-outage"
ANSWER_KEY = ROOT / "evals" / "cases" / "flag-outage" / "answer_key.json"
TITLE = "Invoice saving failed after a feature flag change"

_DATA = re.compile(r"^(~{3,}) DATA:[^\n]*\n(.*?)^\1$", re.M | re.S)
_RECORD = re.compile(r"^(E\d+)(?: \(part \d+/\d+\))? \|", re.M)
_NOTE_REFS = re.compile(r"\[(E\d+(?:, E\d+)*)\]$", re.M)


# --- the person with the assistant -------------------------------------------------------------


def data_of(prompt: str) -> str:
    found = _DATA.search(prompt)
    assert found, "the prompt has a DATA block"
    return found.group(2)


def answer_for(prompt: str) -> dict[str, Any]:
    """A schema-valid answer citing ids that the prompt's data holds."""
    data = data_of(prompt)
    if '"title":"ChunkNotes"' in prompt:
        aliases = _RECORD.findall(data)
        first, last = aliases[0], aliases[-1]
        return {
            "key_events": [
                {"text": f"Record {first} opened this part of the incident.", "events": [first]},
                {"text": f"Record {last} closed this part of the incident.", "events": [last]},
            ],
            "hypotheses": [
                {"text": "A recent change broke invoice saving.", "status": "raised", "events": [first]}
            ],
            "impact": [],
            "detection": [{"text": "An alert reported the errors.", "events": [first]}],
            "actions_taken": [],
            "action_items": [
                {
                    "text": "Check migrations before flag pushes.",
                    "type": "prevent",
                    "agreed": False,
                    "events": [last],
                }
            ],
            "customer_communication": [],
        }
    assert '"title":"DraftText"' in prompt
    cited = [ref for group in _NOTE_REFS.findall(data) for ref in group.split(", ")]
    assert cited, "the notes cite records"
    first = cited[0]
    return {
        "title": TITLE,
        "impact": {"text": "Customers could not save invoices.", "events": [first]},
        "detection": {"text": "An alert fired on the error rate.", "events": [first]},
        "beliefs": None,
        "hypotheses": None,
        "resolution": None,
        "what_changed": None,
        "trigger": {"text": "A feature flag was switched on.", "events": [first]},
        "root_cause": None,
        "went_well": [{"text": "The alert fired quickly.", "events": [first]}],
        "went_poorly": [],
        "lessons_learned": [],
    }


def invalid_answer_for(prompt: str) -> dict[str, Any]:
    """What a careless assistant replies: a status the schema does not allow."""
    answer = answer_for(prompt)
    answer["hypotheses"][0]["status"] = "maybe"
    return answer


def write_answer(folder: Path, stem: str, answer: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.answer.json").write_text(json.dumps(answer), encoding="utf-8")


def prompts_in(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.prompt.md"))}


# --- running the command -------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is missing")
    monkeypatch.chdir(tmp_path)
    return {
        "PMDRAFT_CACHE_DIR": str(tmp_path / "cache"),
        "PMDRAFT_CHUNK_TOKENS": "2000",
        "PMDRAFT_MODEL": None,
        "PMDRAFT_BASE_URL": None,
        "PMDRAFT_API_KEY": None,
        "PMDRAFT_USE_CACHE": None,
        "OPENAI_BASE_URL": None,
        "OPENAI_API_KEY": None,
    }


def run(env: dict[str, str | None], folder: Path, *extra: str) -> Result:
    args = ["draft", str(FIXTURE), "--exchange", str(folder), *extra]
    from pmdraft.cli import main

    return CliRunner().invoke(main, args, env=env)


def test_a_small_incident_is_one_prompt_with_notes_and_narrative(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    env = env | {"PMDRAFT_CHUNK_TOKENS": None, "PMDRAFT_CONTEXT_TOKENS": "32000"}  # room for one call
    folder = tmp_path / "exchange"
    out = tmp_path / "draft.json"
    first = run(env, folder, "-o", str(out))
    assert first.exit_code == 0, first.output
    assert first.stderr == f"1 prompts waiting in {folder}\n"
    prompts = prompts_in(folder)
    assert list(prompts) == ["001-draft.prompt.md"]
    prompt = prompts["001-draft.prompt.md"]
    assert '"title":"WholeDraft"' in prompt and "fill two parts" in prompt

    aliases = _RECORD.findall(data_of(prompt))
    notes = answer_for(prompt.replace('"title":"WholeDraft"', '"title":"ChunkNotes"'))
    narrative = answer_for('"title":"DraftText"\n~~~ DATA: notes\n- a note [' + aliases[2] + "]\n~~~\n")
    write_answer(folder, "001-draft", {"notes": notes, "draft": narrative})
    last = run(env, folder, "-o", str(out), "--quiet")
    assert last.exit_code == 0, last.output
    assert "waiting" not in last.stderr
    pm = PostMortem.model_validate_json(out.read_text(encoding="utf-8"))
    assert pm.title == TITLE and pm.generated_by.mode == "exchange"
    assert any(t.origin == "model" for t in pm.timeline)
    assert pm.trigger is not None and len(pm.trigger.evidence) == 1


def test_a_full_draft_goes_through_the_exchange_folder(env: dict[str, str | None], tmp_path: Path) -> None:
    folder = tmp_path / "exchange"
    out = tmp_path / "draft.json"

    first = run(env, folder, "-o", str(out))
    assert first.exit_code == 0, first.output
    assert first.stderr == f"3 prompts waiting in {folder}\n"
    assert first.stdout == "" and not out.exists()
    prompts = prompts_in(folder)
    assert list(prompts) == [
        "001-map.prompt.md",
        "002-map.prompt.md",
        "003-map.prompt.md",
    ]  # every map prompt at once
    for name, text in prompts.items():
        assert re.match(r'<!-- pmdraft-exchange call="map \d/3" key="[0-9a-f]{64}" -->\n', text), name
        assert "Reply with JSON only" in text and '"title":"ChunkNotes"' in text
        assert "You help an engineering team" in text  # the system message travels too

    again = run(env, folder, "-o", str(out))
    assert again.stderr == first.stderr
    assert prompts_in(folder) == prompts  # same inputs, same numbers and keys

    write_answer(folder, "001-map", answer_for(prompts["001-map.prompt.md"]))
    write_answer(folder, "002-map", invalid_answer_for(prompts["002-map.prompt.md"]))
    write_answer(folder, "003-map", answer_for(prompts["003-map.prompt.md"]))
    second = run(env, folder, "-o", str(out))
    assert second.exit_code == 0, second.output
    assert second.stderr == f"1 prompts waiting in {folder}\n"
    assert not out.exists()
    assert not list(folder.glob("*reduce*"))  # reduce waits for every map answer
    followup = (folder / "002-map.followup.md").read_text(encoding="utf-8")
    assert "hypotheses.0.status" in followup  # the validation error
    assert "Reply again with only one JSON object that matches the schema." in followup

    # The corrected reply, pasted from the chat UI with prose around a JSON block.
    fixed = json.dumps(answer_for(prompts["002-map.prompt.md"]), indent=2)
    (folder / "002-map.answer.md").write_text(
        f"Here are the notes:\n\n```json\n{fixed}\n```\n", encoding="utf-8"
    )
    third = run(env, folder, "-o", str(out))
    assert third.stderr == f"1 prompts waiting in {folder}\n"
    assert not (folder / "002-map.followup.md").exists()
    reduce_prompt = (folder / "004-reduce.prompt.md").read_text(encoding="utf-8")
    assert '"title":"DraftText"' in reduce_prompt
    assert "Record " in data_of(reduce_prompt)  # the notes come from the map answers

    write_answer(folder, "004-reduce", answer_for(reduce_prompt))
    last = run(env, folder, "-o", str(out), "--quiet")
    assert last.exit_code == 0, last.output
    assert "waiting" not in last.stderr and f"wrote {out}" in last.stderr
    pm = PostMortem.model_validate_json(out.read_text(encoding="utf-8"))
    assert pm.generated_by.mode == "exchange"
    assert pm.title == TITLE
    assert any(t.origin == "model" for t in pm.timeline)
    assert pm.trigger is not None and pm.trigger.evidence
    known = {e.id for e in ingest([FIXTURE], LoadOptions()).events}
    assert {c.id for c in pm.cited_events} <= known

    # Answered prompts are never asked again: a fresh folder with the same cache needs nothing.
    fresh = tmp_path / "fresh"
    cached = run(env, fresh, "--format", "json", "--quiet")
    assert cached.exit_code == 0, cached.output
    assert "waiting" not in cached.stderr
    assert PostMortem.model_validate_json(cached.stdout).title == TITLE
    assert not list(fresh.glob("*.prompt.md"))


def test_exported_prompts_are_redacted(env: dict[str, str | None], tmp_path: Path) -> None:
    secrets: list[str] = json.loads(ANSWER_KEY.read_text(encoding="utf-8"))["planted_secrets"]
    raw = "\n".join(e.text for e in ingest([FIXTURE], LoadOptions()).events)
    assert len(secrets) >= 4 and all(s in raw for s in secrets)  # the check below can fail
    folder = tmp_path / "exchange"
    result = run(env, folder)
    assert result.exit_code == 0, result.output
    exported = "\n".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert "[EMAIL_" in exported  # the incident text is there, with placeholders
    assert [s for s in secrets if s in exported] == []


def test_no_redact_exports_the_sources_as_they_are(env: dict[str, str | None], tmp_path: Path) -> None:
    secrets: list[str] = json.loads(ANSWER_KEY.read_text(encoding="utf-8"))["planted_secrets"]
    folder = tmp_path / "exchange"
    assert run(env, folder, "--no-redact").exit_code == 0
    exported = "\n".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert any(s in exported for s in secrets)


def test_a_changed_input_never_reuses_a_stale_answer(env: dict[str, str | None], tmp_path: Path) -> None:
    folder = tmp_path / "exchange"
    run(env, folder)
    before = prompts_in(folder)
    for name, text in before.items():
        write_answer(folder, name.removesuffix(".prompt.md"), answer_for(text))
    changed = run(env, folder, "--redact-names")  # participants' names become [PERSON_n]: new prompts
    assert changed.exit_code == 0, changed.output
    after = prompts_in(folder)
    moved = sorted(p.name for p in folder.glob("*.stale"))
    rewritten = [n for n in before if after[n] != before[n]]
    assert rewritten and moved == [n.replace(".prompt.md", ".answer.json.stale") for n in rewritten]
    assert changed.stderr == f"{len(rewritten)} prompts waiting in {folder}\n"
    assert all("[PERSON_" in after[n] for n in rewritten)


def test_exchange_and_offline_do_not_mix(env: dict[str, str | None], tmp_path: Path) -> None:
    result = run(env, tmp_path / "exchange", "--offline")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --exchange drafts with a model through files; it cannot be used with --offline.\n"
    )


# --- the transport on its own --------------------------------------------------------------------

RECORDS = "E1 | 2024-03-07 22:41:12Z | alert.trigger | alertmanager | HighErrorRate api\nE2 | 2024-03-07 22:45:02Z | chat | priya | Ack, looking"


def _exchange(tmp_path: Path) -> ExchangeLLM:
    return ExchangeLLM(tmp_path / "x", Settings(cache_dir=tmp_path / "cache"))


def test_an_answer_citing_records_the_prompt_lacks_gets_a_followup(tmp_path: Path) -> None:
    messages = map_messages(RECORDS, 1, 1)
    llm = _exchange(tmp_path)
    placeholder = llm.complete(messages, ChunkNotes, max_tokens=1024, name="map 1/1")
    assert placeholder.value == ChunkNotes.model_validate({key: [] for key in ChunkNotes.model_fields})
    assert llm.waiting == ["001-map.prompt.md"]
    prompt = (tmp_path / "x" / "001-map.prompt.md").read_text(encoding="utf-8")
    answer = answer_for(prompt)
    answer["impact"] = [{"text": "Users saw errors.", "events": ["E2", "E999"]}]
    write_answer(tmp_path / "x", "001-map", answer)

    llm = _exchange(tmp_path)
    llm.complete(messages, ChunkNotes, max_tokens=1024, name="map 1/1")
    assert llm.waiting == ["001-map.prompt.md"] and llm.answered == 0
    followup = (tmp_path / "x" / "001-map.followup.md").read_text(encoding="utf-8")
    assert "'E999'" in followup and "'E2'" not in followup
    with pytest.raises(PromptsWaiting, match="1 prompts waiting in"):
        llm.complete(reduce_messages("- a note [E1]"), DraftText, max_tokens=1024, name="reduce")
    assert not (tmp_path / "x" / "002-reduce.prompt.md").exists()

    write_answer(tmp_path / "x", "001-map", answer_for(prompt))
    llm = _exchange(tmp_path)
    done = llm.complete(messages, ChunkNotes, max_tokens=1024, name="map 1/1")
    assert done.value.key_events[0].events == ["E1"] and llm.waiting == [] and llm.answered == 1
    assert not (tmp_path / "x" / "001-map.followup.md").exists()

    # From the cache, with the folder's files gone; PMDRAFT_USE_CACHE=0 asks again.
    for path in (tmp_path / "x").iterdir():
        path.unlink()
    llm = _exchange(tmp_path)
    assert llm.complete(messages, ChunkNotes, max_tokens=1024, name="map 1/1").value == done.value
    assert llm.waiting == [] and not list((tmp_path / "x").iterdir())
    uncached = ExchangeLLM(tmp_path / "x", Settings(cache_dir=tmp_path / "cache", use_cache=False))
    uncached.complete(messages, ChunkNotes, max_tokens=1024, name="map 1/1")
    assert uncached.waiting == ["001-map.prompt.md"]


def test_reduce_is_numbered_after_the_last_map_call(tmp_path: Path) -> None:
    llm = _exchange(tmp_path)
    for part in (1, 2):
        write_answer(tmp_path / "x", f"00{part}-map", {})
        llm.complete(map_messages(RECORDS, part, 2), ChunkNotes, max_tokens=1024, name=f"map {part}/2")
    assert sorted(p.name for p in (tmp_path / "x").glob("*.stale")) == [
        "001-map.answer.json.stale",  # an answer with no prompt beside it answers nothing known
        "002-map.answer.json.stale",
    ]
    llm = _exchange(tmp_path)
    for part in (1, 2):
        prompt = (tmp_path / "x" / f"00{part}-map.prompt.md").read_text(encoding="utf-8")
        write_answer(tmp_path / "x", f"00{part}-map", answer_for(prompt))
        llm.complete(map_messages(RECORDS, part, 2), ChunkNotes, max_tokens=1024, name=f"map {part}/2")
    with pytest.raises(PromptsWaiting, match="1 prompts waiting"):
        llm.complete(reduce_messages("- a note [E1]"), DraftText, max_tokens=1024, name="reduce")
    assert (tmp_path / "x" / "003-reduce.prompt.md").is_file()
