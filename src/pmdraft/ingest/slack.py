"""Slack workspace export: the official zip, its unpacked folder, or one channel folder of day files.

Layout (see ../shared/FORMATS.md §1.1): ``channels.json``/``groups.json``/``mpims.json``/``dms.json``
and ``users.json`` at the root, and one folder per conversation holding ``YYYY-MM-DD.json`` arrays of
messages. A message's ``ts`` string is both its time and its key, so it is kept exactly (never a
float) and threads are joined on it across day files.

This adapter reads whole exports that can hold hundreds of thousands of messages, so the per-message
path avoids anything heavier than dict lookups: one precompiled regex pass over the text and only
when it holds markup, integer arithmetic for the time, and shared Actor objects.
"""

from __future__ import annotations

import dataclasses
import gc
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import (
    IngestResult,
    LoadOptions,
    Skipped,
    Source,
    from_epoch,
    parse_json_bytes,
)
from pmdraft.ingest._kinds import classify_chat
from pmdraft.ingest._slack_markup import attachments_to_text, blocks_to_text, decode_slack_text
from pmdraft.ingest._slack_tree import Tree, open_tree, sniff_dir, sniff_zip

#: Conversation lists: public channels, private channels, group DMs (all by name), DMs (by id).
_NAMED_CONVERSATIONS = ("channels.json", "groups.json", "mpims.json")
_DMS = "dms.json"
_USERS = ("users.json", "org_users.json")

#: Channel housekeeping: kept as SYSTEM events marked noise, so --include-noise can show them.
_NOISE_SUBTYPES = frozenset(
    (
        "channel_join channel_leave channel_purpose channel_topic channel_name channel_archive "
        "channel_unarchive channel_convert_to_private channel_convert_to_public group_join group_leave "
        "group_purpose group_topic group_name group_archive group_unarchive pinned_item unpinned_item "
        "bot_add bot_remove bot_enable bot_disable reminder_add"
    ).split()
)
#: Edit and delete notifications repeat a message that is (or was) there; exports rarely hold them.
_DROPPED_SUBTYPES = frozenset({"message_changed", "message_deleted", "message_replied"})

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHAT, _SYSTEM = EventKind.CHAT, EventKind.SYSTEM
#: Event is built positionally in the hot loop; fail at import, not silently, if its fields move.
_EVENT_FIELDS = (
    "id time kind source_file source_format actor text thread_id url is_bot edited deleted noise "
    "time_assumed raw_time attrs"
).split()
if [f.name for f in dataclasses.fields(Event)][: len(_EVENT_FIELDS)] != _EVENT_FIELDS:
    raise ImportError("pmdraft.events.Event fields changed order; update slack._EVENT_FIELDS and to_event")


class _SlackExportAdapter:
    name = "slack"
    priority = 10

    def sniff(self, source: Source) -> bool:
        try:
            if source.is_dir:
                return sniff_dir(source.path)
            if source.is_zip:
                return sniff_zip(source.path)
        except (OSError, zipfile.BadZipFile, ValueError):
            return False
        return False

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        tree = open_tree(source)
        # Messages and events hold no reference cycles, but the collector would still walk every
        # event built so far each time a day file's worth of dicts is allocated: pausing it cuts
        # the load time of a large export by about a third.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return _load_tree(tree, source.path, options)
        finally:
            if was_enabled:
                gc.enable()
            tree.close()


ADAPTER = _SlackExportAdapter()


# --- metadata ------------------------------------------------------------------------------------


def _read_list(tree: Tree, name: str) -> list[dict[str, Any]]:
    key = tree.meta.get(name)
    if key is None:
        return []
    where = tree.where(key)
    data = parse_json_bytes(tree.read(key), where)
    if not isinstance(data, list):
        raise InputError(where, f"expected a JSON array, got {_json_type(data)}")
    return [item for item in data if isinstance(item, dict)]


def _read_users(tree: Tree) -> tuple[dict[str, str], set[str]]:
    """User id -> the name Slack shows (display name, else real name, else handle), and bot ids."""
    names: dict[str, str] = {}
    bots: set[str] = set()
    for file_name in _USERS:
        for user in _read_list(tree, file_name):
            uid = user.get("id")
            if not isinstance(uid, str) or uid in names:
                continue
            profile = user.get("profile")
            profile = profile if isinstance(profile, dict) else {}
            name = _first_text(
                profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")
            )
            if name:
                names[uid] = name
            if user.get("is_bot") is True:
                bots.add(uid)
    return names, bots


def _read_channel_names(tree: Tree) -> dict[str, str]:
    """Conversation id -> folder name (DM folders are named by their id)."""
    names: dict[str, str] = {}
    for file_name in _NAMED_CONVERSATIONS:
        for conv in _read_list(tree, file_name):
            cid, name = conv.get("id"), conv.get("name")
            if isinstance(cid, str) and isinstance(name, str) and name:
                names[cid] = name
    for conv in _read_list(tree, _DMS):
        cid = conv.get("id")
        if isinstance(cid, str):
            names[cid] = cid
    return names


def _select_channels(tree: Tree, path: Path, wanted: str | None, known: Mapping[str, str]) -> list[str]:
    present = sorted(tree.days)
    if not present:
        raise InputError(path, "Slack export has no channel folders (<channel>/YYYY-MM-DD.json)")
    if wanted is None:
        return present
    name = wanted.lstrip("#")
    if name in tree.days:
        return [name]
    if known.get(name) in tree.days:
        return [known[name]]
    if name in known.values() or name in known:
        raise InputError(path, f"channel '{name}' has no messages in this export")
    shown = ", ".join(present[:30]) + (f", ... ({len(present) - 30} more)" if len(present) > 30 else "")
    raise InputError(path, f"no channel '{name}' in this export; channels present: {shown}")


# --- messages ------------------------------------------------------------------------------------


def _load_tree(tree: Tree, path: Path, options: LoadOptions) -> IngestResult:
    users, bots = _read_users(tree)
    channel_names = _read_channel_names(tree)
    selected = _select_channels(tree, path, options.channel, channel_names)
    result = IngestResult(path=str(path), format=ADAPTER.name)
    total = 0
    for channel in selected:
        reader = _ChannelReader(channel, users, bots, channel_names, result)
        for key in tree.days[channel]:
            where = tree.where(key)
            data = parse_json_bytes(tree.read(key), where)
            if not isinstance(data, list):
                raise InputError(where, f"expected a JSON array of messages, got {_json_type(data)}")
            total += len(data)
            reader.read_day(data, where)
        reader.note_missing_replies()
    if total == 0:
        what = f"channel '{selected[0]}'" if len(selected) == 1 else "any channel"
        raise InputError(path, f"no messages in {what} of this Slack export")
    return result


class _ChannelReader:
    """Turns one conversation's messages into events and tracks its threads across day files."""

    def __init__(
        self,
        channel: str,
        users: Mapping[str, str],
        bots: set[str],
        channels: Mapping[str, str],
        result: IngestResult,
    ) -> None:
        self.channel = channel
        self.prefix = f"slack:{channel}:"
        self.users = users
        self.bots = bots
        self.channels = channels
        self.result = result
        self.attrs: Mapping[str, str] = {"channel": channel}
        self.actors: dict[tuple[str, str | None, bool], Actor] = {}
        #: user id -> actor, for the common message shape (no subtype, no bot_id)
        self.user_actors: dict[str, Actor] = {}
        #: where this channel's events start in the shared result list
        self.first_event = len(result.events)
        #: thread parent ts -> (where, reply ts listed on the parent)
        self.listed: dict[str, tuple[str, list[str]]] = {}

    def read_day(self, messages: list[Any], where: str) -> None:
        events = self.result.events
        skipped = self.result.skipped
        for index, message in enumerate(messages):
            if not isinstance(message, dict):
                skipped.append(Skipped(f"{where}[{index}]", "not a message object"))
                continue
            outcome = self.to_event(message, where)
            if isinstance(outcome, Event):
                events.append(outcome)
            else:
                skipped.append(Skipped(f"{where}[{index}]", outcome))

    def to_event(self, m: dict[str, Any], where: str) -> Event | str:
        """The event for one message, or the reason it was passed over.

        This runs once per message of the whole export: the common case (a person's plain message)
        stays on a short path of dict lookups, and the rarer shapes branch off it.
        """
        ts = m.get("ts")
        if type(ts) is not str or not ts:
            return "message has no ts"
        time = _ts_time(ts)
        if time is None:
            return f"unreadable ts {ts!r}"
        subtype = m.get("subtype")
        if subtype is not None:
            if type(subtype) is not str:
                subtype = None
            elif subtype in _DROPPED_SUBTYPES:
                return f"{subtype} notification, not a message"

        uid = m.get("user")
        bot_id = m.get("bot_id")
        actor = None
        if subtype is None and bot_id is None and type(uid) is str:
            actor = self.user_actors.get(uid)
        if actor is None:
            actor = self.actor(m, subtype, uid, bot_id)
        is_bot = actor.is_bot

        raw = m.get("text")
        if raw and type(raw) is str:
            text = decode_slack_text(raw, self.users, self.channels) if "<" in raw or "&" in raw else raw
        else:
            text = blocks_to_text(m.get("blocks"), self.users, self.channels)
        attachments = m.get("attachments")
        if attachments:
            extra = attachments_to_text(attachments, self.users, self.channels, include_unfurls=not text)
            if extra:
                text = f"{text}\n{extra}" if text else extra
        text = text.strip()
        if m.get("files") or "file" in m:
            text = _with_files(text, m)

        kind = _CHAT
        noise = deleted = False
        if subtype is not None and subtype in _NOISE_SUBTYPES:
            kind, noise = _SYSTEM, True
        elif subtype == "tombstone":
            noise = deleted = True
        elif is_bot:
            kind = classify_chat(text, actor.name, True)

        thread_id = None
        attrs = self.attrs
        thread_ts = m.get("thread_ts")
        if thread_ts and type(thread_ts) is str:
            if thread_ts != ts:
                thread_id = self.prefix + thread_ts
                if subtype == "thread_broadcast":
                    attrs = {"channel": self.channel, "broadcast": "true"}
            elif m.get("replies"):
                self.note_listed_replies(ts, m["replies"], where)
        url = m.get("permalink")
        if url is not None and not (type(url) is str and url.startswith("http")):
            url = None
        # Positional on purpose: keyword calls of this 16-field dataclass cost a third of the budget.
        return Event(
            self.prefix + ts, time, kind, where, "slack", actor, text, thread_id, url,
            is_bot, "edited" in m, deleted, noise, False, ts, attrs,
        )  # fmt: skip

    def actor(self, m: dict[str, Any], subtype: object, uid: object, bot_id: object) -> Actor:
        """Who posted: users.json name, else the message's own profile, else the bot's names, else the id."""
        if type(uid) is not str:
            comment = m.get("comment")  # legacy file_comment keeps its author here
            uid = comment.get("user") if isinstance(comment, dict) else None
        uid = uid if isinstance(uid, str) and uid else None
        bot_id = bot_id if isinstance(bot_id, str) and bot_id else None
        is_bot = subtype == "bot_message" or bot_id is not None or uid in self.bots
        name = self.users.get(uid) if uid else None
        if name is None:
            profile = m.get("user_profile")
            if isinstance(profile, dict):
                name = _first_text(profile.get("display_name"), profile.get("real_name"), profile.get("name"))
        if not name and is_bot:
            bot_profile = m.get("bot_profile")
            bot_name = bot_profile.get("name") if isinstance(bot_profile, dict) else None
            username = m.get("username")
            # A webhook's custom username is what Slack shows on a bot_message, over the app name.
            name = (
                _first_text(username, bot_name)
                if subtype == "bot_message"
                else _first_text(bot_name, username)
            )
        name = name or uid or bot_id or "unknown"
        key = (name, uid or bot_id, is_bot)
        actor = self.actors.get(key)
        if actor is None:
            actor = self.actors[key] = Actor(name=name, id=uid or bot_id, is_bot=is_bot)
        if uid is not None and bot_id is None and not subtype:
            self.user_actors.setdefault(uid, actor)
        return actor

    def note_listed_replies(self, parent_ts: str, replies: object, where: str) -> None:
        if not isinstance(replies, list):
            return
        listed = [r["ts"] for r in replies if isinstance(r, dict) and isinstance(r.get("ts"), str)]
        if listed:
            self.listed[parent_ts] = (where, listed)

    def note_missing_replies(self) -> None:
        """Replies a parent lists but the export lacks: their text is not in the export, so say so."""
        if not self.listed:
            return
        seen = {e.raw_time for e in self.result.events[self.first_event :]}
        for parent_ts, (where, listed) in self.listed.items():
            missing = [ts for ts in listed if ts not in seen]
            if missing:
                one = len(missing) == 1
                shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
                self.result.skipped.append(
                    Skipped(
                        f"{where}: thread {self.prefix}{parent_ts}",
                        f"{len(missing)} repl{'y' if one else 'ies'} listed on the parent ({shown}) "
                        f"{'is' if one else 'are'} not in the export; the text is unknown",
                    )
                )


def _ts_time(ts: str) -> datetime | None:
    """Exact time of a ``ts`` string; the common ``seconds.micros`` shape skips Decimal for speed."""
    whole, _, frac = ts.partition(".")
    if len(frac) == 6 and 0 < len(whole) <= 11 and whole.isascii() and whole.isdigit() and frac.isdigit():
        return _EPOCH + timedelta(0, int(whole), int(frac))
    return from_epoch(ts)


def _with_files(text: str, m: dict[str, Any]) -> str:
    files = m.get("files")
    items = [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    legacy = m.get("file")
    if isinstance(legacy, dict):
        items.append(legacy)
    for item in items:
        name = _first_text(item.get("name"), item.get("title"), item.get("id"))
        if name:
            text = f"{text} [file: {name}]" if text else f"[file: {name}]"
    return text


def _first_text(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str):
            stripped = value.strip()
            if stripped:
                return stripped
    return None


def _json_type(value: object) -> str:
    names = {dict: "an object", str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)
