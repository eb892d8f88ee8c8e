"""One Slack message object to one Event: the rules both Slack adapters share.

A workspace export (``slack.py``) and a Web API capture (``slack_api.py``) hold the same message
objects, so who posted, what it says, what kind of event it is and which thread it belongs to are
decided here once; the adapters only find the messages and say which channel and file they are in.

This runs once per message of exports that can hold hundreds of thousands of them, so the common
shape (a person's plain message) stays on a short path of dict lookups: markup is decoded only
when the text holds ``<`` or ``&``, the times of a batch of messages are computed in C loops,
Actor objects are shared, and the Event is built through a mutable twin (see ``_EventDraft``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from itertools import repeat
from typing import Any

from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import from_epoch
from pmdraft.ingest._kinds import classify_chat
from pmdraft.ingest._slack_markup import attachments_to_text, blocks_to_text, decode_slack_text

__all__ = [
    "DROPPED_SUBTYPES",
    "NOISE_SUBTYPES",
    "MessageConverter",
    "add_users",
    "first_text",
    "ts_time",
    "ts_times",
]

#: Channel housekeeping: kept as SYSTEM events marked noise, so --include-noise can show them.
NOISE_SUBTYPES = frozenset(
    (
        "channel_join channel_leave channel_purpose channel_topic channel_name channel_archive "
        "channel_unarchive channel_convert_to_private channel_convert_to_public group_join group_leave "
        "group_purpose group_topic group_name group_archive group_unarchive pinned_item unpinned_item "
        "bot_add bot_remove bot_enable bot_disable reminder_add"
    ).split()
)
#: Edit and delete notifications repeat a message that is (or was) there; exports rarely hold them.
DROPPED_SUBTYPES = frozenset({"message_changed", "message_deleted", "message_replied"})

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHAT, _SYSTEM = EventKind.CHAT, EventKind.SYSTEM

#: The first fields of Event, in the order ``to_event`` passes them (later ones take their defaults);
#: checked at import so that a change fails loudly rather than filling the wrong fields.
_EVENT_FIELDS = (
    "id time kind source_file source_format actor text thread_id url is_bot edited deleted noise "
    "time_assumed raw_time attrs"
).split()
_FIELDS = dataclasses.fields(Event)
if [f.name for f in _FIELDS][: len(_EVENT_FIELDS)] != _EVENT_FIELDS or hasattr(Event, "__post_init__"):
    raise ImportError("pmdraft.events.Event changed: update _slack_message._EVENT_FIELDS and to_event")


def _twin_field(f: dataclasses.Field[Any]) -> tuple[str, Any, Any]:
    """An Event field for the twin, default included: fields Event gains later fill as in Event(...)."""
    if f.default_factory is not dataclasses.MISSING:
        return (f.name, f.type, dataclasses.field(default_factory=f.default_factory))
    return (f.name, f.type, dataclasses.field(default=f.default))


#: Event's mutable twin: the same slots in the same order. A frozen dataclass's __init__ stores each
#: field through object.__setattr__, several times slower than a plain slotted __init__; building
#: the twin and then assigning __class__ (allowed between classes of one layout) gives a genuine,
#: frozen Event for a third of the cost. Nothing outside ``to_event`` ever sees a twin.
_EventDraft: Callable[..., Event] = dataclasses.make_dataclass(
    "_EventDraft", [_twin_field(f) for f in _FIELDS], slots=True
)
if getattr(_EventDraft, "__slots__", None) != getattr(Event, "__slots__", ()):
    raise ImportError("pmdraft.events.Event no longer has plain slots: build it with Event(...) instead")


def first_text(*values: object) -> str | None:
    """The first value that is a non-blank string, stripped."""
    for value in values:
        if isinstance(value, str):
            stripped = value.strip()
            if stripped:
                return stripped
    return None


def add_users(members: object, names: dict[str, str], bots: set[str]) -> None:
    """Read a ``users.json`` list (or ``users.list`` members) into id -> shown name, and bot ids.

    The name is the one Slack shows: display name, else real name, else the handle. An id seen
    before (``users.json`` then ``org_users.json``) keeps its first entry.
    """
    for user in members if isinstance(members, list) else ():
        if not isinstance(user, dict):
            continue
        uid = user.get("id")
        if not isinstance(uid, str) or uid in names:
            continue
        profile = user.get("profile")
        profile = profile if isinstance(profile, dict) else {}
        name = first_text(
            profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")
        )
        if name:
            names[uid] = name
        if user.get("is_bot") is True:
            bots.add(uid)


def ts_time(ts: str) -> datetime | None:
    """Exact time of a ``ts`` string; the common ``seconds.micros`` shape skips Decimal for speed."""
    whole, _, frac = ts.partition(".")
    if len(frac) == 6 and 0 < len(whole) <= 11 and ts.isascii() and whole.isdigit() and frac.isdigit():
        return _EPOCH + timedelta(0, int(whole), int(frac))
    return from_epoch(ts)


#: ``ts`` values a float carries exactly enough: ten digits below 2**33 seconds (the year 2242) and
#: six decimals. The nearest double is then within 0.48 µs of the value, and fromtimestamp rounds
#: to the nearest µs, so the result is the exact time (tests check it against the Decimal path).
_FLOAT_EXACT_TS = re.compile(r"[1-7][0-9]{9}\.[0-9]{6}")
_fromtimestamp = datetime.fromtimestamp


def ts_times(tss: list[Any]) -> list[datetime | None]:
    """``ts_time`` of many values (None for a non-string): in C loops when all have the usual shape."""
    try:
        if all(map(_FLOAT_EXACT_TS.fullmatch, tss)):
            return list(map(_fromtimestamp, map(float, tss), repeat(UTC, len(tss))))
    except TypeError:  # a ts that is not a string
        pass
    return [ts_time(ts) if type(ts) is str else None for ts in tss]


class MessageConverter:
    """One conversation's messages to events, with the Actor objects and thread notes they share.

    ``listed`` collects, for thread parents that list their replies (older exports), the file and
    the reply ``ts`` values, so an export reader can say which replies it never saw.
    """

    def __init__(
        self,
        channel: str,
        source_format: str,
        users: Mapping[str, str],
        bots: set[str],
        channels: Mapping[str, str],
    ) -> None:
        self.prefix = f"slack:{channel}:"
        self.source_format = source_format
        self.users = users
        self.bots = bots
        self.channels = channels
        self.attrs: Mapping[str, str] = {"channel": channel}
        self.broadcast_attrs: Mapping[str, str] = {"channel": channel, "broadcast": "true"}
        #: One Actor per (name, id, bot) rather than one per message.
        self.actors: dict[tuple[str, str | None, bool], Actor] = {}
        #: user id -> actor, for the common message shape (no subtype, no bot_id)
        self.user_actors: dict[str, Actor] = {}
        #: thread parent ts -> (source file, reply ts listed on the parent)
        self.listed: dict[str, tuple[str, list[str]]] = {}

    def to_events(self, messages: list[Any], source_file: str) -> list[Event | str]:
        """``to_event`` of each message, the times of their ``ts`` values computed together."""
        times = ts_times([m.get("ts") if type(m) is dict else None for m in messages])
        to_event = self.to_event
        return [
            to_event(m, source_file, time) if type(m) is dict else "not a message object"
            for m, time in zip(messages, times, strict=True)
        ]

    def to_event(self, m: dict[str, Any], source_file: str, time: datetime | None = None) -> Event | str:
        """The event for one message, or the reason it was passed over.

        The common case stays on a short path of dict lookups; the rarer shapes branch off it.
        """
        ts = m.get("ts")
        if type(ts) is not str or not ts:
            return "message has no ts"
        if time is None:
            time = ts_time(ts)
            if time is None:
                return f"unreadable ts {ts!r}"
        subtype = m.get("subtype")
        if subtype is not None:
            if type(subtype) is not str:
                subtype = None
            elif subtype in DROPPED_SUBTYPES:
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
        text = ""
        if raw and type(raw) is str:
            text = decode_slack_text(raw, self.users, self.channels) if "<" in raw or "&" in raw else raw
        if "blocks" in m or "attachments" in m or "files" in m or "file" in m:
            text = self.with_content(text, m)
        else:
            text = text.strip()

        kind = _CHAT
        noise = deleted = False
        if subtype is not None and subtype in NOISE_SUBTYPES:
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
                    attrs = self.broadcast_attrs
            elif m.get("replies"):
                self.note_listed_replies(ts, m["replies"], source_file)
        url = m.get("permalink")
        if url is not None and not (type(url) is str and url.startswith("http")):
            url = None
        event = _EventDraft(
            self.prefix + ts, time, kind, source_file, self.source_format, actor, text, thread_id, url,
            is_bot, "edited" in m, deleted, noise, False, ts, attrs,
        )  # fmt: skip
        event.__class__ = Event
        return event

    def with_content(self, text: str, m: dict[str, Any]) -> str:
        """The decoded ``text`` with what blocks, attachments and files add to it, stripped."""
        blocks = m.get("blocks")
        if blocks:
            text = self.with_blocks(text, blocks)
        attachments = m.get("attachments")
        if attachments:
            extra = attachments_to_text(attachments, self.users, self.channels, include_unfurls=not text)
            if extra:
                text = f"{text}\n{extra}" if text else extra
        text = text.strip()
        if m.get("files") or "file" in m:
            text = _with_files(text, m)
        return text

    def with_blocks(self, text: str, blocks: object) -> str:
        """Blocks stand in for an empty ``text`` and add to a fallback one.

        A person's message repeats its ``text`` as ``rich_text``, so those blocks add nothing. An
        app's layout blocks (section, context, actions, ...) are its real content and ``text`` only
        the notification fallback ("Some question?" above a poll), so their text is appended.
        """
        if not text:
            return blocks_to_text(blocks, self.users, self.channels)
        if type(blocks) is not list:
            return text
        layout = [b for b in blocks if type(b) is dict and b.get("type") != "rich_text"]
        if not layout:
            return text
        extra = blocks_to_text(layout, self.users, self.channels).strip()
        if not extra or extra in text:
            return text
        if text.strip() in extra:
            return extra  # the blocks say all the text says, and more
        return f"{text}\n{extra}"

    def actor(self, m: dict[str, Any], subtype: str | None, uid: object, bot_id: object) -> Actor:
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
                name = first_text(profile.get("display_name"), profile.get("real_name"), profile.get("name"))
        if not name and is_bot:
            bot_profile = m.get("bot_profile")
            bot_name = bot_profile.get("name") if isinstance(bot_profile, dict) else None
            username = m.get("username")
            # A webhook's custom username is what Slack shows on a bot_message, over the app name.
            name = (
                first_text(username, bot_name) if subtype == "bot_message" else first_text(bot_name, username)
            )
        name = name or uid or bot_id or "unknown"
        key = (name, uid or bot_id, is_bot)
        actor = self.actors.get(key)
        if actor is None:
            actor = self.actors[key] = Actor(name=name, id=uid or bot_id, is_bot=is_bot)
        if uid is not None and bot_id is None and not subtype:
            self.user_actors.setdefault(uid, actor)
        return actor

    def note_listed_replies(self, parent_ts: str, replies: object, source_file: str) -> None:
        if not isinstance(replies, list):
            return
        listed = [r["ts"] for r in replies if isinstance(r, dict) and isinstance(r.get("ts"), str)]
        if listed:
            self.listed[parent_ts] = (source_file, listed)


def _with_files(text: str, m: dict[str, Any]) -> str:
    """Shared files as ``[file: name]``, including the single ``file`` of legacy file messages."""
    files = m.get("files")
    items = [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    legacy = m.get("file")
    if isinstance(legacy, dict):
        items.append(legacy)
    for item in items:
        name = first_text(item.get("name"), item.get("title"), item.get("id"))
        if name:
            text = f"{text} [file: {name}]" if text else f"[file: {name}]"
    return text
