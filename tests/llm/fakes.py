"""Scripted OpenAI-compatible replies for fault tests, served through ``httpx2.MockTransport``."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpx2

from pmdraft.config import Settings
from pmdraft.llm import LLM, make_client

Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response] | BaseException


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 11,
    completion_tokens: int = 7,
) -> httpx2.Response:
    """A chat.completion body as OpenAI-compatible servers return it."""
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return httpx2.Response(200, json=body)


def error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> httpx2.Response:
    return httpx2.Response(
        status, json={"error": {"message": message, "type": "x", **extra}}, headers=headers
    )


class Script:
    """Replies in order, one per request; records every request body. Thread-safe."""

    def __init__(self, replies: Iterable[Reply] = ()) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        with self._lock:
            self.requests.append(json.loads(request.content))
            if not self.replies:
                raise AssertionError(f"unexpected request #{len(self.requests)}")
            reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply) and not isinstance(reply, httpx2.Response):
            return reply(request)
        return reply


def fake_llm(handler: Callable[[httpx2.Request], httpx2.Response], **kwargs: Any) -> tuple[LLM, list[float]]:
    """An LLM over a mock transport; returns the list the (non-)sleeps are recorded in."""
    settings = Settings(model="test-model", base_url="http://fake.test/v1", timeout=5)
    client = make_client(settings, http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    slept: list[float] = []
    llm = LLM(client, "test-model", sleep=slept.append, **kwargs)
    return llm, slept


_NAMED_NOTES = {"json_schema": {"name": "ChunkNotes"}}
_RECORD = re.compile(r"^(E\d+)(?: \(part \d+/\d+\))? \|", re.M)
_NOTE_REFS = re.compile(r"\[(E\d+(?:, E\d+)*)\]")


def notes_for(body: dict[str, Any]) -> dict[str, Any]:
    """What a diligent but careless model answers: real citations, plus one to an id that does not
    exist and one to a record outside the chunk it was given."""
    user = body["messages"][-1]["content"]
    named = body.get("response_format", {}).get("json_schema", {}).get("name")
    schema = named or "ChunkNotes"
    if not named and "fill two parts" in user:
        schema = "WholeDraft"
    elif not named and "Notes gathered" in user:
        schema = "DraftText"
    if schema == "WholeDraft":
        # One call: the notes as for a map call, the narrative citing the second record (which no
        # note cites) and an id that does not exist.
        notes = notes_for({"messages": [{"role": "user", "content": user}], "response_format": _NAMED_NOTES})
        draft = notes_for({"messages": [{"role": "user", "content": "Notes gathered"}]})
        aliases = _RECORD.findall(user)
        second = aliases[min(1, len(aliases) - 1)]
        draft["what_changed"] = {"text": "The CDN was ruled out.", "events": [second, "E404"]}
        return {"notes": notes, "draft": draft}
    if schema == "ChunkNotes":
        aliases = _RECORD.findall(user)
        first, last = aliases[0], aliases[-1]
        outside = f"E{int(last[1:]) + 5}"
        return {
            "key_events": [
                {
                    "text": f"Record {first} happened at 09:99 according to the model.",
                    "events": [first, "E999"],
                },
                {"text": f"Record {last} was important.", "events": [last]},
            ],
            "hypotheses": [{"text": "Something unrelated broke.", "status": "raised", "events": ["E999"]}],
            "impact": [{"text": "Users saw errors.", "events": [outside]}],
            "detection": [{"text": "An alert fired.", "events": [first]}],
            "actions_taken": [],
            "action_items": [
                {"text": "Add a canary check.", "type": "prevent", "agreed": True, "events": [last]}
            ],
            "customer_communication": [],
        }
    cited = [ref for group in _NOTE_REFS.findall(user) for ref in group.split(", ")]
    first = cited[0] if cited else "E1"
    return {
        "title": "Checkout errors after a flag change",
        "impact": {"text": "Users could not save invoices.", "events": [first]},
        "detection": None,
        "beliefs": None,
        "hypotheses": None,
        "resolution": {"text": "The flag was turned off.", "events": ["E404"]},
        "what_changed": None,
        "trigger": {"text": "A flag was switched on.", "events": [first]},
        "root_cause": None,
        "went_well": [{"text": "The alert fired quickly.", "events": [first]}],
        "went_poorly": [],
        "lessons_learned": [],
    }


def smart_completion(body: dict[str, Any]) -> dict[str, Any]:
    """A chat.completion body answering a map or reduce request with ``notes_for``."""
    content = json.dumps(notes_for(body))
    reply: dict[str, Any] = json.loads(completion(content).content)
    return reply


def smart(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json=smart_completion(json.loads(request.content)))


def minimal_value(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """The smallest value a JSON Schema accepts: null when allowed, empty lists, first enum value.

    Fake models answer with it so they follow the LLM path's reply models as those change.
    """
    if "$ref" in schema:
        return minimal_value(defs[schema["$ref"].split("/")[-1]], defs)
    options = schema.get("anyOf", [])
    if any(o.get("type") == "null" for o in options):
        return None
    if options:
        return minimal_value(options[0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = str(schema.get("type"))
    if kind == "object":
        return {k: minimal_value(v, defs) for k, v in schema.get("properties", {}).items()}
    return {"array": [], "string": "fake", "boolean": False, "integer": 0, "number": 0}[kind]
