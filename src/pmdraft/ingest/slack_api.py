"""Slack Web API responses: ``conversations.history``/``conversations.replies`` and slackdump dumps.

The message objects are the ones a workspace export holds, so markup decoding and chat kinds are
shared with the export adapter, and event ids use the same ``slack:<channel>:<ts>`` scheme so an
API capture and an export of the same channel de-duplicate. API responses do not name their
channel; slackdump's envelope (``channel_id``, ``name``, ``messages[]`` with replies nested under
``slackdump_thread_replies``) does. History arrives newest first, so events are sorted here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, from_epoch
from pmdraft.ingest._kinds import classify_chat
from pmdraft.ingest._slack_markup import attachments_to_text, blocks_to_text, decode_slack_text

FORMAT = "slack-api"

_TS = re.compile(r'"ts"\s*:\s*"\d{9,11}\.\d+"')
_TYPE_MESSAGE = re.compile(r'"type"\s*:\s*"message"')
_REPLIES_KEY = "slackdump_thread_replies"
_USER_FILES = ("users.json", "org_users.json")

#: Channel housekeeping, kept as SYSTEM noise (the same set the export adapter uses).
_NOISE_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_purpose",
        "channel_topic",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "channel_convert_to_private",
        "channel_convert_to_public",
        "group_join",
        "group_leave",
        "group_purpose",
        "group_topic",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "bot_add",
        "bot_remove",
        "bot_enable",
        "bot_disable",
        "reminder_add",
    }
)
_DROPPED_SUBTYPES = frozenset({"message_changed", "message_deleted", "message_replied"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        members = doc.get("members") if isinstance(doc, dict) else doc
        for user in members if isinstance(members, list) else ():
            if not isinstance(user, dict) or not isinstance(user.get("id"), str):
                continue
            profile = user["profile"] if isinstance(user.get("profile"), dict) else {}
            name = _first_text(
                profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")
            )
            if name:
                names.setdefault(user["id"], name)
            if user.get("is_bot") is True:
                bots.add(user["id"])
    return names, bots


# --- messages ----------------------------------------------------------------------------------


class _Converter:
    """One channel's messages to events, following the export adapter's conventions."""

    def __init__(
        self, channel: str, path: str, users: Mapping[str, str], bots: set[str], channels: Mapping[str, str]
    ) -> None:
        self.prefix = f"slack:{channel}:"
        self.path = path
        self.users = users
        self.bots = bots
        self.channels = channels
        self.attrs: Mapping[str, str] = {"channel": channel}
        self.broadcast_attrs: Mapping[str, str] = {"channel": channel, "broadcast": "true"}
        #: One Actor per (name, id, bot) rather than one per message.
        self.actors: dict[tuple[str, str | None, bool], Actor] = {}

    def to_event(self, m: dict[str, Any]) -> Event | str:
        """The event for one message, or the reason it was passed over."""
        ts = m.get("ts")
        if not isinstance(ts, str) or not ts:
            return "message has no ts"
        time = _ts_time(ts)
        if time is None:
            return f"unreadable ts {ts!r}"
        subtype = m.get("subtype")
        if subtype in _DROPPED_SUBTYPES:
            return f"{subtype} notification, not a message"
        uid = m.get("user") if isinstance(m.get("user"), str) and m.get("user") else None
        bot_id = m.get("bot_id") if isinstance(m.get("bot_id"), str) and m.get("bot_id") else None
        is_bot = subtype == "bot_message" or bot_id is not None or uid in self.bots
        actor = self._actor(m, uid, bot_id, is_bot)
        text = self._text(m)
        kind, noise, deleted = EventKind.CHAT, False, False
        if subtype in _NOISE_SUBTYPES:
            kind, noise = EventKind.SYSTEM, True
        elif subtype == "tombstone":
            noise = deleted = True
        elif is_bot:
            kind = classify_chat(text, actor.name, True)
        thread_ts = m.get("thread_ts")
        thread_id = None
        attrs = self.attrs
        if isinstance(thread_ts, str) and thread_ts and thread_ts != ts:
            thread_id = self.prefix + thread_ts
            if subtype == "thread_broadcast":
                attrs = self.broadcast_attrs
        url = m.get("permalink")
        return Event(
            id=self.prefix + ts,
            time=time,
            kind=kind,
            source_file=self.path,
            source_format=FORMAT,
            actor=actor,
            text=text,
            thread_id=thread_id,
            url=url if isinstance(url, str) and url.startswith("http") else None,
            is_bot=is_bot,
            edited="edited" in m,
            deleted=deleted,
            noise=noise,
            raw_time=ts,
            attrs=attrs,
        )

    def _text(self, m: dict[str, Any]) -> str:
        raw = m.get("text")
        text = decode_slack_text(raw, self.users, self.channels) if isinstance(raw, str) and raw else ""
        if not text and m.get("blocks"):
            text = blocks_to_text(m["blocks"], self.users, self.channels)
        if m.get("attachments"):
            extra = attachments_to_text(m["attachments"], self.users, self.channels, include_unfurls=not text)
            if extra:
                text = f"{text}\n{extra}" if text else extra
        files = m.get("files")
        for item in files if isinstance(files, list) else ():
            name = (
                _first_text(item.get("name"), item.get("title"), item.get("id"))
                if isinstance(item, dict)
                else None
            )
            if name:
                text = f"{text} [file: {name}]" if text else f"[file: {name}]"
        return text

    def _actor(self, m: dict[str, Any], uid: str | None, bot_id: str | None, is_bot: bool) -> Actor:
        name = self.users.get(uid) if uid else None
        if name is None:
            profile = m.get("user_profile")
            if isinstance(profile, dict):
                name = _first_text(profile.get("display_name"), profile.get("real_name"), profile.get("name"))
        if not name and is_bot:
            bot_profile = m.get("bot_profile")
            bot_name = bot_profile.get("name") if isinstance(bot_profile, dict) else None
            username = m.get("username")
            if m.get("subtype") == "bot_message":
                name = _first_text(username, bot_name)
            else:
                name = _first_text(bot_name, username)
        name = name or uid or bot_id or "unknown"
        key = (name, uid or bot_id, is_bot)
        actor = self.actors.get(key)
        if actor is None:
            actor = self.actors[key] = Actor(name=name, id=uid or bot_id, is_bot=is_bot)
        return actor


def _ts_time(ts: str) -> datetime | None:
    """Exact time of a ``ts`` string; the common ``seconds.micros`` shape skips Decimal for speed."""
    whole, _, frac = ts.partition(".")
    if len(frac) == 6 and 0 < len(whole) <= 11 and whole.isascii() and whole.isdigit() and frac.isdigit():
        return _EPOCH + timedelta(0, int(whole), int(frac))
    return from_epoch(ts)


def _first_text(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


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
        convert = _Converter(label, path, users, bots, channels)
        where = f"{path}: page {page_no + 1} messages" if len(pages) > 1 else f"{path}: messages"
        for here, message in _walk(page["messages"], where):
            if not isinstance(message, dict):
                result.skipped.append(Skipped(here, "not a message object"))
                continue
            outcome = convert.to_event(message)
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
