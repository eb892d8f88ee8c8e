"""Slack Web API responses: ``conversations.history``/``conversations.replies`` and slackdump dumps.

The message objects are the ones a workspace export holds, so turning them into events is shared
with the export adapter (``_slack_message.py``), and event ids use the same ``slack:<channel>:<ts>``
scheme so an API capture and an export of the same channel de-duplicate. API responses do not name their
channel; slackdump's envelope (``channel_id``, ``name``, ``messages[]`` with replies nested under
``slackdump_thread_replies``) does. History arrives newest first, so events are sorted here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._slack_message import MessageConverter, add_users

FORMAT = "slack-api"

_TS = re.compile(r'"ts"\s*:\s*"\d{9,11}\.\d+"')
_TYPE_MESSAGE = re.compile(r'"type"\s*:\s*"message"')
_REPLIES_KEY = "slackdump_thread_replies"
_USER_FILES = ("users.json", "org_users.json")


def sniff(source: Source) -> bool:
    """A JSON object holding Slack ``ts`` strings: a response/dump envelope or one message object.

    Bare arrays of messages are export day files, which belong to the export adapter.
    """
    head = source.head_text
    if not head.startswith("{") or not _TS.search(head):
        return False
    return '"messages"' in head or _TYPE_MESSAGE.search(head) is not None


# --- reading the document ----------------------------------------------------------------------


def _channel_of(doc: dict[str, Any], options: LoadOptions) -> tuple[str | None, str | None]:
    """(name or id the ids use, channel id) from the envelope, a message, or ``--channel``."""
    name, cid = doc.get("name"), doc.get("channel_id")
    channel = doc.get("channel")
    if isinstance(channel, dict):
        name, cid = name or channel.get("name"), cid or channel.get("id")
    elif isinstance(channel, str):
        cid = cid or channel
    label = next((v for v in (name, cid) if isinstance(v, str) and v), None)
    if label is None and options.channel:
        label = options.channel.lstrip("#")
    return label, cid if isinstance(cid, str) and cid else None


def _pages(doc: Any, path: str) -> list[dict[str, Any]]:
    """Response objects: one envelope, a list of saved pages, or a lone message wrapped as a page."""
    if isinstance(doc, dict):
        if doc.get("ok") is False:
            raise InputError(path, f"Slack API error response: {doc.get('error') or 'unknown error'}")
        if isinstance(doc.get("messages"), list):
            return [doc]
        if doc.get("type") == "message" and "ts" in doc:
            page = {k: doc[k] for k in ("channel", "name", "channel_id") if k in doc}
            page["messages"] = [doc]
            return [page]
    elif isinstance(doc, list) and doc and all(isinstance(p, dict) and "messages" in p for p in doc):
        return list(doc)
    raise InputError(
        path,
        "not a Slack API response (expected {'ok': true, 'messages': [...]}, a slackdump dump, or a message)",
    )


def _walk(messages: list[Any], where: str) -> Iterator[tuple[str, Any]]:
    """Every message with its location, nested slackdump replies included."""
    for index, message in enumerate(messages):
        here = f"{where}[{index}]"
        yield here, message
        if isinstance(message, dict) and isinstance(message.get(_REPLIES_KEY), list):
            for r_index, reply in enumerate(message[_REPLIES_KEY]):
                yield f"{here}.{_REPLIES_KEY}[{r_index}]", reply


def _read_users(folder: Path, result: IngestResult) -> tuple[dict[str, str], set[str]]:
    """Names from a ``users.json`` beside the file (export list or ``users.list`` response), if any."""
    names: dict[str, str] = {}
    bots: set[str] = set()
    for file_name in _USER_FILES:
        file = folder / file_name
        if not file.is_file():
            continue
        try:
            doc = Source(file).json()
        except InputError as e:
            result.assumptions.append(f"{e}; user ids shown instead of names")
            continue
        add_users(doc.get("members") if isinstance(doc, dict) else doc, names, bots)
    return names, bots


# --- loading -----------------------------------------------------------------------------------


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Read every page's messages and nested replies; ``ts`` is UTC epoch, so no zone is assumed."""
    path = str(source.path)
    result = IngestResult(path=path, format=FORMAT)
    pages = _pages(source.json(), path)
    users, bots = _read_users(source.path.parent, result)
    seen: set[str] = set()
    unnamed = False
    for page_no, page in enumerate(pages):
        label, cid = _channel_of(page, options)
        if label is None:
            first = next((m for m in page["messages"] if isinstance(m, dict)), {})
            label, cid = _channel_of(first, options)
        if label is None:
            label, unnamed = "unknown", True
        channels = {cid: label} if cid else {}
        convert = MessageConverter(label, FORMAT, users, bots, channels)
        where = f"{path}: page {page_no + 1} messages" if len(pages) > 1 else f"{path}: messages"
        for here, message in _walk(page["messages"], where):
            if not isinstance(message, dict):
                result.skipped.append(Skipped(here, "not a message object"))
                continue
            outcome = convert.to_event(message, path)
            if isinstance(outcome, str):
                result.skipped.append(Skipped(here, outcome))
            elif outcome.id in seen:
                result.skipped.append(Skipped(here, f"duplicate message {outcome.id}, kept the first"))
            else:
                seen.add(outcome.id)
                result.events.append(outcome)
    if unnamed:
        result.assumptions.append(
            f"{path}: the file does not name its channel; ids use 'unknown' (pass --channel NAME to set it)"
        )
    result.events.sort(key=sort_key)
    return result


class _SlackApiAdapter:
    name = FORMAT
    priority = 30

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _SlackApiAdapter()
