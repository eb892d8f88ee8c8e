"""Air-gapped drafting: the LLM path's calls carried by files a person pastes, not by HTTP.

Many teams may put incident data into one approved assistant (an enterprise chat UI) and hold no API
key. ``ExchangeLLM`` is the ``LLM`` class with a different transport, so the pipeline, its prompts,
its redaction and its citation checks stay the same: for each call it writes ``NNN-<stage>.prompt.md``
into a folder and raises ``PromptsWaiting`` until a person saves the assistant's reply next to it as
``NNN-<stage>.answer.json`` (or ``.answer.md`` holding a JSON block). An answer is validated like a
server reply — schema, and citations limited to the record ids the prompt gave; an invalid one gets
``NNN-<stage>.followup.md`` with the error and a ready-to-paste follow-up, and keeps waiting.

Map calls are independent, so a waiting one is given an empty placeholder (never cached) and the run
goes on: one run writes every map prompt. Any later call (reduce) reads the map answers, so it waits
until all of them are valid. ``NNN`` follows the plan (map ``i/n`` is ``i``, reduce is ``n + 1``) and
every prompt file records its call's cache key: an answer is used only when the prompt it sits next
to has the current key, so a changed input never reuses a stale answer. Valid answers go into the
project's call cache under that key, so an answered prompt is never asked again.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from pmdraft.config import Settings
from pmdraft.errors import ConfigError
from pmdraft.ingest import Ingested
from pmdraft.llm import LLM, Completion, Message, T, Usage, parse_reply, response_schema
from pmdraft.llm_draft.cache import CallCache, call_key
from pmdraft.llm_draft.prompts import PROMPT_VERSION, fence_for
from pmdraft.redact import Redactor
from pmdraft.schema import PostMortem

__all__ = ["ExchangeLLM", "PromptsWaiting", "draft_through_exchange"]

#: The one-line instruction that ends every exported prompt.
REPLY_INSTRUCTION = "Reply with JSON only: one JSON object that matches the JSON Schema below, no prose."
ANSWER_SUFFIXES = (".answer.json", ".answer.md")
_HEADER = re.compile(r'^<!-- pmdraft-exchange call="[^"]*" key="([0-9a-f]{64})" -->$', re.M)
_MAP_NAME = re.compile(r"^map (\d+)/(\d+)$")
_DATA = re.compile(r"^(~{3,}) DATA:[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
_ALIAS_IN_DATA = re.compile(r"\bE0*(\d+)\b")
_ALIAS_REF = re.compile(r"^\[?\s*E\s*0*(\d+)\s*\]?$", re.I)


class PromptsWaiting(Exception):
    """Some call has no valid answer yet: the run stops here and the prompts are in the folder.

    Not a PmdraftError, so no handler reports it as a failure; the caller prints its message."""

    def __init__(self, waiting: int, folder: Path) -> None:
        super().__init__(f"{waiting} prompts waiting in {folder}")
        self.waiting = waiting
        self.folder = folder


class ExchangeLLM(LLM):
    """An ``LLM`` whose replies are files pasted by a person.

    It has no client, dialect negotiation or retries, so ``LLM.__init__`` is deliberately not called;
    only ``complete`` (the interface the drafting path uses), ``model`` and ``requests`` are provided.
    The call cache is kept here rather than in the drafting run, because a waiting map call's
    placeholder must never be cached: run the pipeline with this object's ``settings`` (its cache off),
    as ``draft_through_exchange`` does.
    """

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.model = settings.model or "exchange"
        self.requests = 0
        self._dialect = "prompt"
        self._cache = CallCache(settings.cache_dir if settings.use_cache else None)
        self._lock = threading.Lock()
        self._parts = 0
        self._later: dict[str, int] = {}
        #: Prompt files without a valid answer in this run, and answers used (from files or cache).
        self.waiting: list[str] = []
        self.answered = 0
        #: The settings the drafting run gets: its own cache off (this class caches valid answers),
        #: no progress bar, and one call at a time (there is no server to wait for).
        self.settings = settings.model_copy(update={"use_cache": False, "quiet": True, "max_concurrency": 1})

    def complete(
        self, messages: Sequence[Message], output: type[T], *, max_tokens: int, name: str
    ) -> Completion[T]:
        """The validated answer to this call, or (for a map call) an empty placeholder while it waits.

        Raises PromptsWaiting for a later call while any prompt is waiting."""
        stage = name.split()[0]
        key = call_key(self.model, PROMPT_VERSION, stage, output.__name__, max_tokens, messages)
        with self._lock:
            stem = f"{self._number(name):03d}-{stage}"
            if stage != "map" and self.waiting:
                raise PromptsWaiting(len(self.waiting), self.folder)
            answer = self._answer_file(stem, key)
            if answer is not None:
                found = self._read_answer(stem, name, key, answer, messages, output)
            else:
                found = self._from_cache(key, output)
                if found is None:
                    self._write_prompt(stem, name, key, messages, output)
                else:
                    _remove(self.folder / f"{stem}.followup.md")
            if found is not None:
                self.answered += 1
                return Completion(found[0], Usage(), found[1], "prompt", 0)
            if stage != "map":
                raise PromptsWaiting(len(self.waiting), self.folder)
            return Completion(_empty(output), Usage(), "", "prompt", 0)

    def _number(self, name: str) -> int:
        """Map ``i/n`` is ``i``; calls after the map phase follow in the order they are first made."""
        found = _MAP_NAME.match(name)
        if found:
            self._parts = max(self._parts, int(found.group(2)))
            return int(found.group(1))
        if name not in self._later:
            self._later[name] = len(self._later)
        return self._parts + 1 + self._later[name]

    def _answer_file(self, stem: str, key: str) -> Path | None:
        """The newest of ``NNN-stage.answer.json`` and ``.answer.md`` (a person may switch), when the
        prompt beside it was written for ``key``; an answer to an older prompt is moved aside."""
        found = [p for p in (self.folder / f"{stem}{s}" for s in ANSWER_SUFFIXES) if p.is_file()]
        if not found:
            return None
        answer = max(found, key=lambda p: p.stat().st_mtime_ns)
        if _recorded_key(self.folder / f"{stem}.prompt.md") == key:
            return answer
        for path in found:
            try:
                os.replace(path, path.with_name(path.name + ".stale"))
            except OSError as e:
                raise ConfigError(f"Cannot move the stale answer {path} aside: {e.strerror}.") from None
        return None

    def _read_answer(
        self, stem: str, name: str, key: str, answer: Path, messages: Sequence[Message], output: type[T]
    ) -> tuple[T, str] | None:
        """The answer's value when it validates (it is cached, too); else None, a follow-up is
        written and the prompt counts as waiting."""
        try:
            raw = answer.read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise ConfigError(f"{answer}: cannot read it ({e.strerror}).") from None
        try:
            value = parse_reply(raw, output)
            check_refs(value, messages)
        except ValueError as e:
            self._write_followup(stem, name, key, answer.name, str(e))
            self.waiting.append(f"{stem}.prompt.md")
            return None
        self._cache.put(
            key,
            {
                "call": name,
                "model": self.model,
                "prompt_version": PROMPT_VERSION,
                "dialect": "prompt",
                "transport": "exchange",
                "usage": {"prompt_tokens": 0, "completion_tokens": 0},
                "value": value.model_dump(mode="json"),
                "raw": raw,
            },
        )
        _remove(self.folder / f"{stem}.followup.md")
        return value, raw

    def _from_cache(self, key: str, output: type[T]) -> tuple[T, str] | None:
        hit = self._cache.get(key)
        if hit is None or "value" not in hit:
            return None  # no entry, or a server's error record: ask the person instead
        try:
            return output.model_validate(hit["value"]), str(hit.get("raw", ""))
        except ValidationError:
            return None

    def _write_prompt(
        self, stem: str, name: str, key: str, messages: Sequence[Message], output: type[BaseModel]
    ) -> None:
        schema = json.dumps(response_schema(output), separators=(",", ":"))
        body = "\n\n".join(m["content"].strip() for m in messages)
        text = (
            f"{_header(name, key)}\n"
            f"<!-- Paste this whole file into the assistant. Save its reply as {stem}.answer.json (or "
            f"{stem}.answer.md) in this folder, then run the same pmdraft command again. -->\n\n"
            f"{body}\n\n{REPLY_INSTRUCTION}\n\n```json\n{schema}\n```\n"
        )
        _write(self.folder / f"{stem}.prompt.md", text)
        _remove(self.folder / f"{stem}.followup.md")
        self.waiting.append(f"{stem}.prompt.md")

    def _write_followup(self, stem: str, name: str, key: str, answer: str, problem: str) -> None:
        redo = (
            f"Your reply was not valid: {problem}. Reply again with only one JSON object "
            "that matches the schema."
        )
        fence = fence_for(redo)
        text = (
            f"{_header(name, key)}\n"
            f"# {stem}: the answer in {answer} is not valid\n\n{problem}\n\n"
            f"Paste the text below into the same conversation as {stem}.prompt.md, replace {answer} "
            "with the new reply and run the same pmdraft command again. In a new conversation, paste "
            f"{stem}.prompt.md instead.\n\n{fence}\n{redo}\n{fence}\n"
        )
        _write(self.folder / f"{stem}.followup.md", text)


def check_refs(value: BaseModel, messages: Sequence[Message]) -> None:
    """Raise ValueError when the answer cites an id that is not among the records the prompt gave.

    A server reply's wrong citations are dropped and flagged later (and still are); a pasted answer
    is asked again instead, because a person is already in the loop and one more paste is cheap."""
    given = _given_aliases(messages)
    if given is None:
        return
    unknown: list[str] = []
    for ref in _refs(value.model_dump(mode="json")):
        found = _ALIAS_REF.match(ref.strip())
        if (found is None or f"E{int(found.group(1))}" not in given) and ref not in unknown:
            unknown.append(ref)
    if unknown:
        listed = ", ".join(repr(r) for r in unknown[:8])
        raise ValueError(
            f"events cites {listed}, which the data you were given does not contain; cite only ids "
            "copied from the data (such as E3)"
        )


def _given_aliases(messages: Sequence[Message]) -> set[str] | None:
    """Every alias inside the prompt's DATA fences; None when the prompt has no such fence."""
    blocks = [m.group(2) for msg in messages for m in _DATA.finditer(msg["content"])]
    if not blocks:
        return None
    return {f"E{int(m.group(1))}" for block in blocks for m in _ALIAS_IN_DATA.finditer(block)}


def _refs(node: object, key: str | None = None) -> Iterator[str]:
    """The strings of every ``events`` list in an answer (the citing field of every note)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _refs(v, k)
    elif isinstance(node, list):
        for item in node:
            if key == "events" and isinstance(item, str):
                yield item
            else:
                yield from _refs(item, key)


def _empty(output: type[T]) -> T:
    """The answer that says nothing: empty lists, no notes. A waiting map call's placeholder."""
    values: dict[str, Any] = {}
    for name, field in output.model_fields.items():
        shape = get_origin(field.annotation)
        if shape is list:
            values[name] = []
        elif type(None) in get_args(field.annotation):
            values[name] = None
        else:
            values[name] = ""
    return output.model_validate(values)


def _header(name: str, key: str) -> str:
    return f'<!-- pmdraft-exchange call="{name}" key="{key}" -->'


def _recorded_key(prompt: Path) -> str | None:
    """The cache key a prompt file was written for (its first line), or None without one."""
    try:
        with prompt.open(encoding="utf-8", errors="replace") as f:
            first = f.readline().rstrip("\n")
    except OSError:
        return None
    found = _HEADER.match(first)
    return found.group(1) if found else None


def _write(path: Path, text: str) -> None:
    """Write atomically: a person may be reading or pasting the folder while pmdraft runs."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise ConfigError(f"Cannot write {path}: {e.strerror}. Check the --exchange folder.") from None


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise ConfigError(f"Cannot remove {path}: {e.strerror}.") from None


def draft_through_exchange(
    folder: Path,
    ingested: Ingested,
    settings: Settings,
    *,
    display_tz: tzinfo,
    offline: bool = False,
    redact: bool = True,
    redactor: Redactor | None = None,
) -> PostMortem:
    """``draft_postmortem`` over the exchange folder: the finished draft once every answer is in.

    Raises PromptsWaiting (after writing the prompts) while any call has no valid answer."""
    from pmdraft.pipeline import draft_postmortem

    if offline:
        raise ConfigError("--exchange drafts with a model through files; it cannot be used with --offline.")
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--exchange {folder}: not a folder.")
    client = ExchangeLLM(folder, settings)
    return draft_postmortem(
        ingested,
        display_tz=display_tz,
        settings=client.settings,
        redact=redact,
        redactor=redactor,
        llm=client,
    )
