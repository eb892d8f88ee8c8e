"""llm.py against scripted HTTP: dialects, validation and repair, retries, and error translation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

from pmdraft.errors import LLMError, StructuredOutputError
from pmdraft.llm import RefusalError, parse_reply, retry_after
from pmdraft.llm_draft.models import ChunkNotes, DraftText, Note
from tests.llm.fakes import Script, completion, error, fake_llm
from tests.strict_schema import strict_schema_problems

GOOD = '{"text": "The alert fired.", "events": ["E2"]}'
ASK = [{"role": "system", "content": "sys"}, {"role": "user", "content": "records"}]
LLAMA_CPP_REJECTION = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
)


def _ask(llm: Any, output: type[BaseModel] = Note, max_tokens: int = 100) -> Any:
    return llm.complete(ASK, output, max_tokens=max_tokens, name="test call")


def test_json_schema_dialect_is_used_first_and_strict() -> None:
    script = Script([completion(GOOD)])
    llm, _ = fake_llm(script)
    done = _ask(llm)
    assert done.value == Note(text="The alert fired.", events=["E2"])
    assert done.dialect == "json_schema" and llm.dialect == "json_schema"
    sent = script.requests[0]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["schema"]["additionalProperties"] is False
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (11, 7)


def test_server_rejecting_json_schema_falls_back_to_json_object_and_remembers() -> None:
    # llama-cpp-python's server answers a json_schema response_format with a 500 naming it.
    script = Script([error(500, LLAMA_CPP_REJECTION), completion(GOOD), completion(GOOD)])
    llm, slept = fake_llm(script)
    first = _ask(llm)
    assert first.dialect == "json_object" and first.requests == 2
    second = _ask(llm)
    assert second.requests == 1
    assert [r["response_format"]["type"] for r in script.requests] == [
        "json_schema",
        "json_object",
        "json_object",
    ]
    assert script.requests[1]["response_format"]["schema"]["required"] == ["text", "events"]
    assert slept == []


def test_no_response_format_at_all_falls_back_to_prompt_and_extracts_json() -> None:
    reject = error(400, "response_format is not supported by this server")
    prose = 'Sure! Here it is:\n```json\n{"text": "The alert fired.", "events": ["E2"]}\n```\nHope it helps.'
    script = Script([reject, reject, completion(prose)])
    llm, _ = fake_llm(script)
    done = _ask(llm)
    assert done.dialect == "prompt"
    assert done.value.events == ["E2"]
    last = script.requests[2]
    assert "response_format" not in last
    assert "JSON Schema" in last["messages"][-1]["content"]
    assert ASK[-1]["content"] == "records"  # the caller's messages are never mutated


def test_429_then_success_honors_retry_after() -> None:
    script = Script([error(429, "slow down", headers={"retry-after": "3"}), completion(GOOD)])
    llm, slept = fake_llm(script)
    assert _ask(llm).requests == 2
    assert slept == [3.0]


def test_retry_after_forms() -> None:
    assert retry_after(httpx2.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after(httpx2.Headers({"retry-after": "7"})) == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after(httpx2.Headers({"retry-after": later})) or 0) <= 31
    assert retry_after(httpx2.Headers({})) is None


def test_repeated_500s_give_up_with_one_line_error() -> None:
    script = Script([error(500, "model crashed\nstack trace") for _ in range(3)])
    llm, slept = fake_llm(script, max_retries=2)
    with pytest.raises(LLMError) as caught:
        _ask(llm)
    assert "\n" not in str(caught.value)
    assert str(caught.value) == "http://fake.test/v1 answered 500: model crashed stack trace"
    assert len(script.requests) == 3
    assert len(slept) == 2 and all(0 < s <= 30 for s in slept)


def test_timeout_is_retried_then_reported() -> None:
    def timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    script = Script([timeout, completion(GOOD)])
    llm, slept = fake_llm(script)
    assert _ask(llm).value.text == "The alert fired."
    assert len(slept) == 1

    always = Script([timeout] * 2)
    llm, _ = fake_llm(always, max_retries=1)
    with pytest.raises(LLMError, match=r"did not answer in time \(2 attempts\)"):
        _ask(llm)


def test_malformed_json_is_re_asked_with_the_error() -> None:
    script = Script([completion('{"text": "The alert fired", "events": [E2]}'), completion(GOOD)])
    llm, _ = fake_llm(script)
    done = _ask(llm)
    assert done.requests == 2 and done.usage.prompt_tokens == 22
    repair = script.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"text": "The alert fired", "events": [E2]}'}
    assert "not valid JSON" in repair[-1]["content"]
    assert len(ASK) == 2


def test_schema_violation_is_re_asked_with_the_validation_error() -> None:
    script = Script([completion('{"text": "x", "events": "E2", "extra": 1}'), completion(GOOD)])
    llm, _ = fake_llm(script)
    _ask(llm)
    said = script.requests[1]["messages"][-1]["content"]
    assert "events: Input should be a valid list" in said
    assert "extra: Extra inputs are not permitted" in said


def test_truncated_json_is_re_asked_and_bounded() -> None:
    cut = completion('{"text": "The alert fi', finish_reason="length")
    script = Script([cut, completion(GOOD)])
    llm, _ = fake_llm(script)
    assert _ask(llm).value.text == "The alert fired."
    assert "cut off" in script.requests[1]["messages"][-1]["content"]

    script = Script([cut, cut, cut, cut])
    llm, _ = fake_llm(script, max_repairs=3)
    with pytest.raises(
        StructuredOutputError, match=r"after 4 attempts \(the reply was cut off at the 400-token"
    ):
        _ask(llm)
    assert [r["max_tokens"] for r in script.requests] == [100, 200, 400, 400]


def test_refusal_raises_refusal_error() -> None:
    llm, _ = fake_llm(Script([completion(None, refusal="I can't help with that.")]))
    with pytest.raises(RefusalError, match=r"test call: the model refused: I can.t help with that\."):
        _ask(llm)


def test_sdk_errors_become_one_line_pmdraft_errors() -> None:
    llm, _ = fake_llm(Script([error(401, "bad key")]))
    with pytest.raises(LLMError, match=r"^http://fake.test/v1 rejected the API key \(401\)"):
        _ask(llm)
    llm, _ = fake_llm(Script([error(404, "no such model")]))
    with pytest.raises(LLMError, match="has no model 'test-model' \\(404\\)"):
        _ask(llm)


def test_connection_refused_is_one_line() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)

    llm, _ = fake_llm(Script([refuse, refuse]), max_retries=1)
    with pytest.raises(LLMError, match=r"^Cannot reach http://fake.test/v1: .*Connection refused$"):
        _ask(llm)


def test_unsupported_max_tokens_switches_to_max_completion_tokens() -> None:
    reject = error(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens'.",
        param="max_tokens",
    )
    script = Script([reject, completion(GOOD), completion(GOOD)])
    llm, _ = fake_llm(script)
    _ask(llm)
    _ask(llm)
    assert "max_tokens" in script.requests[0] and "max_tokens" not in script.requests[1]
    assert script.requests[2]["max_completion_tokens"] == 100


def test_rate_limit_asking_too_long_gives_up() -> None:
    llm, slept = fake_llm(Script([error(429, "quota", headers={"retry-after": "3600"})]))
    with pytest.raises(LLMError, match=r"kept rate-limiting requests \(429\); it asks to wait 3600 s"):
        _ask(llm)
    assert slept == []


def test_parse_reply_reasons() -> None:
    with pytest.raises(ValueError, match="no JSON object"):
        parse_reply("I cannot do that", Note)
    assert parse_reply('noise {"text": "a", "events": []} trailing }', Note).text == "a"


@pytest.mark.parametrize("model", [ChunkNotes, DraftText])
def test_partials_are_strict_mode_compatible(model: type[BaseModel]) -> None:
    assert strict_schema_problems(model.model_json_schema()) == []


def test_azure_endpoint_uses_deployment_url_api_version_and_api_key_header() -> None:
    from pmdraft.config import Settings
    from pmdraft.llm import LLM, make_client

    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return completion(GOOD)

    settings = Settings(
        model="my-deployment",
        base_url="https://example-resource.openai.azure.com",
        api_key="azure-key",  # type: ignore[arg-type]
        api_version="2024-10-21",
    )
    client = make_client(settings, http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    LLM(client, "my-deployment").complete(ASK, Note, max_tokens=50, name="azure")
    (request,) = seen
    assert request.url.path == "/openai/deployments/my-deployment/chat/completions"
    assert request.url.params["api-version"] == "2024-10-21"
    assert request.headers["api-key"] == "azure-key"


def test_azure_without_api_version_is_a_config_error() -> None:
    from pmdraft.config import Settings
    from pmdraft.errors import ConfigError
    from pmdraft.llm import make_client

    with pytest.raises(ConfigError, match="Azure OpenAI needs an api-version"):
        make_client(Settings(model="d", base_url="https://x.openai.azure.com", api_key="k"))  # type: ignore[arg-type]
