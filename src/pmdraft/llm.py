"""The LLM boundary: the only module that imports openai.

``LLM.complete(messages, Type)`` returns a validated ``Type`` plus usage and the raw reply. It works
against any OpenAI-compatible server by negotiating the structured-output dialect once and
remembering it:

* ``json_schema`` — ``response_format={"type": "json_schema", ...}`` (OpenAI, Azure, vLLM, Ollama);
* ``json_object`` with a ``schema`` — llama-cpp-python's server, which rejects ``json_schema``;
* ``prompt`` — no response_format; the schema goes into the prompt and the JSON is cut out of prose.

Whatever the server claims to enforce, the reply is validated here, and a reply that does not validate
is re-asked with the validation error a bounded number of times. Rate limits (``Retry-After``), 5xx
and timeouts are retried with backoff; every SDK error leaves this module as a one-line LLMError.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

import httpx2
import openai
from pydantic import BaseModel, ValidationError

from pmdraft.config import Settings
from pmdraft.errors import ConfigError, LLMError, StructuredOutputError

T = TypeVar("T", bound=BaseModel)
Dialect = Literal["json_schema", "json_object", "prompt"]
DIALECTS: tuple[Dialect, ...] = ("json_schema", "json_object", "prompt")
Message = dict[str, str]

#: Longest server-requested wait pmdraft honors before giving up instead.
MAX_RETRY_AFTER = 120.0
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)
_UNSUPPORTED = re.compile(r"unsupported (?:parameter|value):\s*'(\w+)'", re.I)


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens
        )


class AnswerError(LLMError):
    """The server answered but the answer is unusable: the model refused, or never produced a reply
    that validates. Carries what the attempts cost; retrying the same request would likely fail again."""

    def __init__(self, message: str, usage: Usage | None = None, requests: int = 0) -> None:
        super().__init__(message)
        self.usage = usage or Usage()
        self.requests = requests


class RefusalError(AnswerError):
    """The model declined to answer (``refusal`` or a content filter)."""


class RepairsExhaustedError(AnswerError, StructuredOutputError):
    """Every attempt's reply failed validation (or was cut off)."""


@dataclass(frozen=True, slots=True)
class Completion(Generic[T]):
    """A validated reply and what it cost."""

    value: T
    usage: Usage
    raw: str
    dialect: Dialect
    requests: int


def make_client(settings: Settings, *, http_client: httpx2.Client | None = None) -> openai.OpenAI:
    """An SDK client for the configured endpoint, with the SDK's own retries off (ours honor more)."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if not settings.base_url and not key:
        raise ConfigError("No LLM endpoint: set --base-url (or OPENAI_BASE_URL) or OPENAI_API_KEY.")
    base = settings.base_url
    try:
        if settings.api_version or (base and ".openai.azure.com" in base):
            if not settings.api_version:
                raise ConfigError("Azure OpenAI needs an api-version: set PMDRAFT_API_VERSION.")
            if base and "/openai/deployments/" in base:
                return openai.AzureOpenAI(
                    base_url=base,
                    api_version=settings.api_version,
                    api_key=key,
                    timeout=settings.timeout,
                    max_retries=0,
                    http_client=http_client,
                )
            return openai.AzureOpenAI(
                azure_endpoint=base or "",
                api_version=settings.api_version,
                api_key=key,
                timeout=settings.timeout,
                max_retries=0,
                http_client=http_client,
            )
        # Local servers (vLLM, Ollama, LM Studio, llama.cpp) ignore the key but the SDK wants one.
        return openai.OpenAI(
            base_url=base,
            api_key=key or "not-needed",
            timeout=settings.timeout,
            max_retries=0,
            http_client=http_client,
        )
    except openai.OpenAIError as e:
        raise ConfigError(f"Cannot set up the LLM client: {_one_line(str(e))}") from None


def response_schema(output: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema sent to the server; models passed here must already be strict-compatible."""
    return output.model_json_schema()


class LLM:
    """A configured model endpoint; thread-safe, so a pool of map calls can share one."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        dialect: Dialect | Literal["auto"] = "auto",
        max_retries: int = 4,
        max_repairs: int = 2,
        temperature: float | None = 0.0,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_dialect: Callable[[Dialect], None] | None = None,
    ) -> None:
        self._client = client
        self.model = model
        self._dialect: Dialect | None = None if dialect == "auto" else dialect
        self._negotiate = threading.Lock()
        self._count = threading.Lock()
        self._max_retries = max_retries
        self._max_repairs = max_repairs
        self._params: dict[str, Any] = {"temperature": temperature, "seed": seed}
        self._token_param = "max_tokens"
        self._sleep = sleep
        self._on_dialect = on_dialect
        self._random = random.Random()
        self.requests = 0

    @classmethod
    def from_settings(
        cls, settings: Settings, client: openai.OpenAI, *, dialect: Dialect | None = None
    ) -> LLM:
        if not settings.model:
            raise ConfigError("No model configured: pass --model or set PMDRAFT_MODEL.")
        return cls(
            client,
            settings.model,
            dialect=dialect or settings.dialect,
            max_retries=settings.max_retries,
            max_repairs=settings.max_repairs,
            temperature=settings.temperature,
            seed=settings.seed,
        )

    @property
    def dialect(self) -> Dialect | None:
        """The structured-output dialect the server accepted, once known."""
        return self._dialect

    def complete(
        self, messages: Sequence[Message], output: type[T], *, max_tokens: int, name: str
    ) -> Completion[T]:
        """Ask until the reply validates as ``output`` (bounded); never mutates ``messages``."""
        convo = [dict(m) for m in messages]
        usage = Usage()
        requests = 0
        problem = ""
        budget = max_tokens
        for _ in range(self._max_repairs + 1):
            reply, dialect, used, n = self._ask(convo, output, budget)
            usage += used
            requests += n
            choice = reply.choices[0] if reply.choices else None
            if choice is None:
                problem = "the server returned no choices"
                continue
            if choice.message.refusal or choice.finish_reason == "content_filter":
                why = choice.message.refusal or "content filter"
                raise RefusalError(f"{name}: the model refused: {_one_line(why)[:200]}", usage, requests)
            raw = choice.message.content or ""
            if choice.finish_reason == "length":
                problem = f"the reply was cut off at the {budget}-token limit"
                budget = min(budget * 2, max_tokens * 4)  # ask for less, and allow more
                redo = (
                    "Your reply was cut off because it was too long. Reply again with a shorter JSON "
                    "object: fewer items and shorter sentences."
                )
            else:
                try:
                    value = parse_reply(raw, output)
                except ValueError as e:
                    problem = str(e)
                    redo = (
                        f"Your reply was not valid: {problem}. Reply again with only one JSON object "
                        "that matches the schema."
                    )
                else:
                    return Completion(value, usage, raw, dialect, requests)
            convo = [*convo, {"role": "assistant", "content": raw[:2000]}, {"role": "user", "content": redo}]
        raise RepairsExhaustedError(
            f"{name}: the model's reply did not match the {output.__name__} schema after "
            f"{self._max_repairs + 1} attempts ({problem}).",
            usage,
            requests,
        )

    def _ask(
        self, convo: list[Message], output: type[BaseModel], max_tokens: int
    ) -> tuple[Any, Dialect, Usage, int]:
        if self._dialect is None:
            with self._negotiate:
                if self._dialect is None:
                    return self._negotiate_dialect(convo, output, max_tokens)
        dialect = self._dialect
        try:
            reply, n = self._send(convo, output, max_tokens, dialect)
        except _DialectRejected:
            raise LLMError(f"The server stopped accepting the {dialect} response format.") from None
        return reply, dialect, _usage(reply), n

    def _negotiate_dialect(
        self, convo: list[Message], output: type[BaseModel], max_tokens: int
    ) -> tuple[Any, Dialect, Usage, int]:
        """Try the dialects best-first; the first the server accepts is kept for every later call."""
        total = 0
        for dialect in DIALECTS:
            try:
                reply, n = self._send(convo, output, max_tokens, dialect)
            except _DialectRejected as e:
                total += e.requests
                continue
            self._dialect = dialect
            if self._on_dialect is not None:
                self._on_dialect(dialect)
            return reply, dialect, _usage(reply), total + n
        raise LLMError("The server rejected every structured-output format pmdraft knows.")

    def _send(
        self, convo: list[Message], output: type[BaseModel], max_tokens: int, dialect: Dialect
    ) -> tuple[Any, int]:
        """One logical request: retried on 429/5xx/timeouts, adapted on unsupported parameters."""
        kwargs = self._request(convo, output, max_tokens, dialect)
        attempts = 0
        adapted = 0
        while True:
            attempts += 1
            with self._count:
                self.requests += 1
            try:
                return self._client.chat.completions.create(**kwargs), attempts
            except openai.APIStatusError as e:
                if dialect != "prompt" and _rejects_dialect(e):
                    raise _DialectRejected(attempts) from None
                param = _unsupported_param(e)
                if param and adapted < 3:
                    adapted += 1
                    changed = self._adapt(kwargs, param)
                    if changed is not None:
                        kwargs = changed
                        continue
                    raise self._translate(e) from None
                delay = self._retry_delay(e, attempts)
                if delay is None:
                    raise self._translate(e) from None
            except openai.APIConnectionError as e:  # includes APITimeoutError
                if attempts > self._max_retries:
                    raise self._translate(e) from None
                delay = self._backoff(attempts)
            except openai.OpenAIError as e:
                raise self._translate(e) from None
            self._sleep(delay)

    def _request(
        self, convo: list[Message], output: type[BaseModel], max_tokens: int, dialect: Dialect
    ) -> dict[str, Any]:
        schema = response_schema(output)
        messages = [dict(m) for m in convo]
        kwargs: dict[str, Any] = {"model": self.model, self._token_param: max_tokens}
        kwargs.update({k: v for k, v in self._params.items() if v is not None})
        if dialect == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": output.__name__, "schema": schema, "strict": True},
            }
        elif dialect == "json_object":
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        else:
            note = (
                "\n\nReply with only one JSON object, no prose and no code fence, that matches this "
                f"JSON Schema:\n{json.dumps(schema, separators=(',', ':'))}"
            )
            messages[-1] = {**messages[-1], "content": messages[-1]["content"] + note}
        kwargs["messages"] = messages
        return kwargs

    def _adapt(self, kwargs: dict[str, Any], param: str) -> dict[str, Any] | None:
        """Servers such as OpenAI's reasoning models refuse some parameters; drop or rename them."""
        adapted = dict(kwargs)
        if param == "max_tokens" and "max_tokens" in adapted:
            self._token_param = "max_completion_tokens"
            adapted["max_completion_tokens"] = adapted.pop("max_tokens")
            return adapted
        if param in ("temperature", "seed") and param in adapted:
            self._params[param] = None
            adapted.pop(param)
            return adapted
        return None

    def _retry_delay(self, e: openai.APIStatusError, attempts: int) -> float | None:
        if attempts > self._max_retries:
            return None
        if e.status_code == 429:
            asked = retry_after(e.response.headers)
            if asked is not None:
                return asked if asked <= MAX_RETRY_AFTER else None
            return self._backoff(attempts)
        if e.status_code >= 500 or e.status_code == 408:
            return self._backoff(attempts)
        return None

    def _backoff(self, attempts: int) -> float:
        return float(min(2.0 ** (attempts - 1), 30.0) * (0.5 + self._random.random() / 2))

    def _translate(self, e: openai.OpenAIError) -> LLMError:
        where = str(self._client.base_url).rstrip("/")
        if isinstance(e, openai.AuthenticationError):
            return LLMError(f"{where} rejected the API key (401). Check OPENAI_API_KEY.")
        if isinstance(e, openai.PermissionDeniedError):
            return LLMError(f"{where} denied access to model '{self.model}' (403).")
        if isinstance(e, openai.NotFoundError):
            return LLMError(f"{where} has no model '{self.model}' (404). Check --model and --base-url.")
        if isinstance(e, openai.RateLimitError):
            asked = retry_after(e.response.headers)
            wait = f"; it asks to wait {asked:.0f} s" if asked else ""
            return LLMError(f"{where} kept rate-limiting requests (429){wait}. Lower --max-concurrency.")
        if isinstance(e, openai.APIStatusError):
            detail = _one_line(_error_message(e))[:200]
            return LLMError(f"{where} answered {e.status_code}: {detail}")
        if isinstance(e, openai.APITimeoutError):
            tries = self._max_retries + 1
            return LLMError(f"{where} did not answer in time ({tries} attempts). Raise the timeout.")
        if isinstance(e, openai.APIConnectionError):
            return LLMError(f"Cannot reach {where}: {_one_line(str(e.__cause__ or e))[:200]}")
        return LLMError(f"{where}: {_one_line(str(e))[:200]}")


class _DialectRejected(Exception):
    def __init__(self, requests: int) -> None:
        super().__init__("response_format rejected")
        self.requests = requests


def parse_reply(raw: str, output: type[T]) -> T:
    """The JSON object in ``raw`` (fenced or embedded in prose) validated as ``output``.

    Raises ValueError with a short, model-readable reason.
    """
    text = raw.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    start = text.find("{")
    if start < 0:
        raise ValueError("the reply contains no JSON object")
    try:
        data, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as e:
        raise ValueError(f"the reply is not valid JSON ({e.msg} at character {e.pos})") from None
    try:
        return output.model_validate(data)
    except ValidationError as e:
        parts = [f"{'.'.join(str(p) for p in err['loc']) or 'reply'}: {err['msg']}" for err in e.errors()[:4]]
        more = f" (and {e.error_count() - 4} more)" if e.error_count() > 4 else ""
        raise ValueError("; ".join(parts) + more) from None


def retry_after(headers: httpx2.Headers | None) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``retry-after`` seconds or date)."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


def _rejects_dialect(e: openai.APIStatusError) -> bool:
    """A 4xx/500 about ``response_format`` means the server does not speak this dialect.

    llama-cpp-python's server answers ``json_schema`` with a 500 whose message names it.
    """
    if e.status_code not in (400, 422, 500, 501):
        return False
    text = f"{e.message} {json.dumps(e.body, default=str)}".lower()
    return any(word in text for word in ("response_format", "json_schema", "json_object"))


def _unsupported_param(e: openai.APIStatusError) -> str | None:
    if e.status_code != 400:
        return None
    found = _UNSUPPORTED.search(e.message)
    if found:
        return found.group(1)
    return e.param if e.param in ("max_tokens", "temperature", "seed") else None


def _error_message(e: openai.APIStatusError) -> str:
    body = e.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return cast(str, inner["message"])
        if isinstance(inner, str):
            return inner
    return e.message


def _usage(reply: Any) -> Usage:
    used = getattr(reply, "usage", None)
    if used is None:
        return Usage()
    return Usage(int(used.prompt_tokens or 0), int(used.completion_tokens or 0))


def _one_line(text: str) -> str:
    return " ".join(text.split())
