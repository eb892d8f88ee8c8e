"""Discord channels as DiscordChatExporter (DCE) writes them in its JSON format.

One file is one channel (or thread, or one ``[part N]`` of a large channel): ``guild``, ``channel``
and ``messages[]``. DCE writes times in the exporting machine's zone with a numeric offset, so no
zone is ever assumed here unless a hand-made file leaves it out.
"""

from __future__ import annotations

import re
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, from_epoch, parse_iso
from pmdraft.ingest._kinds import classify_chat

FORMAT = "discord"

#: DCE's MessageKind names for Discord's system notifications (types 1-18); the rest carry chat.
_SYSTEM_TYPES = frozenset(
    {
        "RecipientAdd",
        "RecipientRemove",
        "Call",
        "ChannelNameChange",
        "ChannelIconChange",
        "ChannelPinnedMessage",
        "GuildMemberJoin",
        "ThreadCreated",
    }
)
#: A call is a system message, but "we were on a bridge for 2 hours" matters to a post-mortem.
_SIGNAL_SYSTEM_TYPES = frozenset({"Call"})
_MARKUP = re.compile(r"<(@!|@&|@|#)([^<>\s]+)>|<a?(:[\w~-]+:)\d+>|<t:(-?\d{1,12})(?::[tTdDfFR])?>")


def sniff(source: Source) -> bool:
    """DCE files open with ``guild`` and ``channel`` objects ahead of ``messages``."""
    if not source.head_text.startswith("{"):
        return False
    head = source.head_text
    return '"guild"' in head and '"channel"' in head and '"messages"' in head


def _names(messages: list[Any]) -> dict[str, str]:
    """Every user id the file shows (authors, mentions) -> the name people saw."""
    names: dict[str, str] = {}
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        people = [msg.get("author")]
        mentions = msg.get("mentions")
        if isinstance(mentions, list):
            people.extend(mentions)
        for person in people:
            if isinstance(person, dict) and person.get("id") is not None:
                names.setdefault(str(person["id"]), _display(person))
    return names


def _display(person: dict[str, Any]) -> str:
    return str(person.get("nickname") or person.get("name") or person.get("id") or "unknown user")


class _Markup:
    """Resolves raw ``<@id>``/``<#id>``/``<:emoji:id>`` tokens (hand-made files) and ``<t:epoch>`` stamps."""

    def __init__(self, names: dict[str, str], channel_id: str, channel_name: str) -> None:
        self.names = names
        self.channel_id = channel_id
        self.channel_name = channel_name

    def __call__(self, match: re.Match[str]) -> str:
        sigil, ref, emoji, epoch = match.group(1, 2, 3, 4)
        if emoji:
            return emoji
        if epoch:
            moment = from_epoch(epoch)
            return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else match.group(0)
        if sigil == "#":
            return f"#{self.channel_name}" if ref == self.channel_id and self.channel_name else f"#{ref}"
        if sigil == "@&":
            return f"@role:{ref}"
        return f"@{self.names.get(ref, ref)}"


def _text(msg: dict[str, Any], markup: _Markup) -> str:
    content = msg.get("content")
    text = content if isinstance(content, str) else ""
    if "<" in text:
        text = _MARKUP.sub(markup, text)
    extras: list[str] = []
    for embed in msg.get("embeds") or ():
        if isinstance(embed, dict):
            parts = [str(embed.get(k) or "").strip() for k in ("title", "description")]
            joined = " - ".join(p for p in parts if p)
            if joined:
                extras.append(f"\n{joined}")
    for attachment in msg.get("attachments") or ():
        if isinstance(attachment, dict):
            extras.append(f" [file: {attachment.get('fileName') or attachment.get('url') or '?'}]")
    for sticker in msg.get("stickers") or ():
        if isinstance(sticker, dict):
            extras.append(f" [sticker: {sticker.get('name') or '?'}]")
    if extras:
        text = (text + "".join(extras)).strip()
    return text


def _is_system(msg_type: str) -> bool:
    if msg_type.isdigit():
        return 1 <= int(msg_type) <= 18
    return msg_type in _SYSTEM_TYPES


def _url(guild_id: str, channel_id: str, msg_id: str) -> str | None:
    if not (channel_id.isdigit() and msg_id.isdigit()):
        return None
    guild = guild_id if guild_id.isdigit() and guild_id != "0" else "@me"
    return f"https://discord.com/channels/{guild}/{channel_id}/{msg_id}"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class _Context:
    """What every message of one file shares."""

    def __init__(self, doc: dict[str, Any], messages: list[Any], path: str, options: LoadOptions) -> None:
        channel = _dict(doc.get("channel"))
        guild = _dict(doc.get("guild"))
        self.channel_id = str(channel.get("id") or "unknown")
        self.channel_name = str(channel.get("name") or self.channel_id)
        self.guild_id = str(guild.get("id") or "")
        self.markup = _Markup(_names(messages), self.channel_id, self.channel_name)
        self.path = path
        self.options = options


def _to_event(msg: dict[str, Any], where: str, ctx: _Context) -> Event | Skipped:
    msg_id = msg.get("id")
    if msg_id is None or msg_id == "":
        return Skipped(where, "message has no id")
    msg_id = str(msg_id)
    raw_time = msg.get("timestamp")
    moment, assumed = parse_iso(raw_time, ctx.options.tz)
    if moment is None:
        return Skipped(where, f"unparseable timestamp {raw_time!r}")
    author = msg.get("author")
    if isinstance(author, dict):
        actor = Actor(
            name=_display(author),
            id=str(author["id"]) if author.get("id") is not None else None,
            is_bot=bool(author.get("isBot")),
        )
    else:
        actor = Actor(name="unknown user")
    msg_type = str(msg.get("type") or "Default")
    system = _is_system(msg_type)
    thread_id = None
    reference = msg.get("reference")
    if not system and isinstance(reference, dict) and reference.get("messageId"):
        ref_channel = reference.get("channelId") or ctx.channel_id
        thread_id = f"discord:{ref_channel}:{reference['messageId']}"
    text = _text(msg, ctx.markup)
    return Event(
        id=f"discord:{ctx.channel_id}:{msg_id}",
        time=moment,
        kind=EventKind.SYSTEM if system else classify_chat(text, actor.name, actor.is_bot),
        source_file=ctx.path,
        source_format=FORMAT,
        actor=actor,
        text=text,
        thread_id=thread_id,
        url=_url(ctx.guild_id, ctx.channel_id, msg_id),
        is_bot=actor.is_bot,
        edited=bool(msg.get("timestampEdited")),
        noise=system and msg_type not in _SIGNAL_SYSTEM_TYPES,
        time_assumed=assumed,
        raw_time=str(raw_time),
        attrs={"channel": ctx.channel_name},
    )


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Read one DCE file; a message id seen twice is kept once (the first) and the repeat reported."""
    path = str(source.path)
    doc = source.json()
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise InputError(path, "not a DiscordChatExporter JSON export (no 'messages' list)")
    messages: list[Any] = doc["messages"]
    ctx = _Context(doc, messages, path, options)
    result = IngestResult(path=path, format=FORMAT)
    seen: set[str] = set()
    assumed = False
    for index, msg in enumerate(messages):
        where = f"{path}: message {index + 1}"
        if not isinstance(msg, dict):
            result.skipped.append(Skipped(where, "not a message object"))
            continue
        item = _to_event(msg, where, ctx)
        if isinstance(item, Skipped):
            result.skipped.append(item)
        elif item.id in seen:
            result.skipped.append(Skipped(where, f"duplicate message id {msg.get('id')}, kept the first"))
        else:
            seen.add(item.id)
            assumed = assumed or item.time_assumed
            result.events.append(item)
    if assumed:
        result.assumptions.append(f"{path}: timestamps without a zone read as {options.tz or 'UTC'}")
    result.events.sort(key=sort_key)
    return result


class _DiscordAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _DiscordAdapter()
