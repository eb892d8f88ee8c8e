"""Slack Web API responses: ``conversations.history``/``conversations.replies`` and slackdump dumps.

The message objects are the ones a workspace export holds, so turning them into events is shared
with the export adapter (``_slack_message.py``), and event ids use the same ``slack:<channel>:<ts>``
scheme so an API capture and an export of the same channel de-duplicate. History arrives newest
first, so events are sorted here.

A capture rarely comes alone, and a raw API response does not name its channel (slackdump's
envelope, ``channel_id``/``name`` with replies nested under ``slackdump_thread_replies``, does). So
the JSON files beside it are read too: users lists for author names, and for the channel a named
capture holding the same messages, a ``conversations.info`` response, or channel lists that hold
exactly one channel. What cannot be known stays ``unknown``; unnamed captures that cannot be one
channel (different messages at the same ``ts``) get labels of their own, so their ids never collide.
The reading of those files lives in ``_slack_api_folder.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._slack_api_folder import REPLIES_KEY, Capture, Channel, Labels, SlackApiResult, as_channel
from pmdraft.ingest._slack_message import MessageConverter

FORMAT = "slack-api"

_TS = re.compile(r'"ts"\s*:\s*"\d{9,11}\.\d+"')
_TYPE_MESSAGE = re.compile(r'"type"\s*:\s*"message"')


def sniff(source: Source) -> bool:
    """A JSON object holding Slack ``ts`` strings: a response/dump envelope or one message object.

    Bare arrays of messages are export day files, which belong to the export adapter.
    """
    head = source.head_text
    if not head.startswith("{") or not _TS.search(head):
        return False
    return '"messages"' in head or _TYPE_MESSAGE.search(head) is not None


# --- reading the document ----------------------------------------------------------------------


def _envelope_channel(page: dict[str, Any]) -> Channel | None:
    """The channel a page's envelope names (slackdump's ``channel_id``/``name``, or ``channel``)."""
    inner = as_channel(page.get("channel")) or (None, None)
    name, cid = page.get("name"), page.get("channel_id")
    name = name if isinstance(name, str) and name else inner[0]
    cid = cid if isinstance(cid, str) and cid else inner[1]
    return (name, cid) if name or cid else None


def _message_channels(messages: list[Any]) -> dict[str, Channel]:
    """Channels the messages name in their own ``channel`` field, by id (or name)."""
    found: dict[str, Channel] = {}
    for m in messages:
        if type(m) is dict and "channel" in m:
            channel = as_channel(m["channel"])
            if channel is not None:
                found.setdefault(channel[1] or channel[0] or "", channel)
    return found


def _page_channels(page: dict[str, Any]) -> tuple[Channel | None, dict[str, Channel]]:
    """(the page's one channel, or None; the channels of its messages when they name several)."""
    own = _envelope_channel(page)
    if own is not None:
        return own, {}
    by_message = _message_channels(page["messages"])
    if len(by_message) == 1:
        return next(iter(by_message.values())), {}
    return None, by_message


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
        if isinstance(message, dict) and isinstance(message.get(REPLIES_KEY), list):
            for r_index, reply in enumerate(message[REPLIES_KEY]):
                yield f"{here}.{REPLIES_KEY}[{r_index}]", reply


_CAPTURE = Capture(sniff, _pages, _page_channels)


# --- loading -----------------------------------------------------------------------------------


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Read every page's messages and nested replies; ``ts`` is UTC epoch, so no zone is assumed."""
    path = str(source.path)
    result = SlackApiResult(path=path, format=FORMAT)
    pages = _pages(source.json(), path)
    labels = Labels(source, pages, options, _CAPTURE)
    users, bots, users_files = labels.folder.users
    result.assumptions.extend(labels.folder.problems)
    mentions = {cid: name for cid, (name, _) in labels.folder.channel_names.items()}
    seen: set[str] = set()
    for page_no, page in enumerate(pages):
        own, by_message = _page_channels(page)
        label = labels.named(own) if own is not None else labels.unnamed(page_no)
        cid = own[1] if own is not None else None
        convert = MessageConverter(label, FORMAT, users, bots, {**mentions, cid: label} if cid else mentions)
        converters = {
            key: MessageConverter(labels.named(ch), FORMAT, users, bots, mentions)
            for key, ch in by_message.items()
        }
        where = f"{path}: page {page_no + 1} messages" if len(pages) > 1 else f"{path}: messages"
        for here, message in _walk(page["messages"], where):
            if not isinstance(message, dict):
                result.skipped.append(Skipped(here, "not a message object"))
                continue
            if converters:
                named = as_channel(message.get("channel"))
                key = (named[1] or named[0]) if named else None
                outcome = converters.get(key or "", convert).to_event(message, path)
            else:
                outcome = convert.to_event(message, path)
            if isinstance(outcome, str):
                result.skipped.append(Skipped(here, outcome))
            elif outcome.id in seen:
                result.skipped.append(Skipped(here, f"duplicate message {outcome.id}, kept the first"))
            else:
                seen.add(outcome.id)
                result.events.append(outcome)
    result.assumptions.extend(labels.notes)
    result.read_beside.extend(str(labels.parent / f) for f in users_files)
    result.read_beside.extend(f for f in labels.used if f not in result.read_beside)
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
