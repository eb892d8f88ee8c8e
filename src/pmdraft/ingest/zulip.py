"""Zulip messages: API message objects and the server export's ``messages-NNNNNN.json`` files.

The API shape (``GET /messages`` response, a bare list, or one message) carries names inline. The
export shape (``zerver_message`` rows) carries only numeric ids; names, streams and recipients live
in ``realm.json`` next to it, which is read when present. Passing the export folder itself reads
every ``messages-*.json`` in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import (
    IngestResult,
    LoadOptions,
    Skipped,
    Source,
    from_epoch,
    parse_iso,
)
from pmdraft.ingest._kinds import classify_chat
from pmdraft.ingest.teams import html_to_text

FORMAT = "zulip"

_MENTION = re.compile(r"@_?\*\*([^*|]+)(?:\|\d+)?\*\*")
_STREAM_LINK = re.compile(r"#\*\*([^*]+)\*\*")
_EXPORT_GLOB = "messages-*.json"
#: zerver_recipient.type values.
_PERSONAL, _STREAM, _HUDDLE = 1, 2, 3


def sniff(source: Source) -> bool:
    """API objects name ``display_recipient``/``sender_full_name``; export files ``zerver_message``."""
    if source.is_dir:
        folder = source.path
        return (folder / "realm.json").is_file() and any(folder.glob(_EXPORT_GLOB))
    if not source.looks_like_json:
        return False
    head = source.head_text
    return '"zerver_message"' in head or '"display_recipient"' in head or '"sender_full_name"' in head


def markdown_to_text(content: str) -> str:
    """Zulip Markdown mentions ``@**Full Name**`` (and ``|id``, silent ``@_``) read as ``@Full Name``."""
    if "**" not in content:
        return content.strip()
    return _STREAM_LINK.sub(r"#\1", _MENTION.sub(r"@\1", content)).strip()


def _content_text(content: Any, html: bool) -> str:
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if html else markdown_to_text(content)


def _is_bot_email(email: Any) -> bool:
    """Zulip gives bots ``<name>-bot@<realm>`` addresses; the API message has no bot flag."""
    return isinstance(email, str) and email.partition("@")[0].endswith("-bot")


# --- API messages ------------------------------------------------------------------------------


def _api_messages(doc: Any, path: str) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        if isinstance(doc.get("messages"), list):
            return list(doc["messages"])
        if isinstance(doc.get("message"), dict):
            return [doc["message"]]
        if "display_recipient" in doc or "sender_id" in doc:
            return [doc]
    raise InputError(path, "not a Zulip message response (expected 'messages' list or a message object)")


def _api_channel(msg: dict[str, Any]) -> str:
    recipient = msg.get("display_recipient")
    if isinstance(recipient, str):
        topic = msg.get("subject") if isinstance(msg.get("subject"), str) else msg.get("topic")
        return f"{recipient}>{topic}" if topic else recipient
    if isinstance(recipient, list):
        names = [
            str(r.get("full_name") or r.get("email") or r.get("id")) for r in recipient if isinstance(r, dict)
        ]
        return "@" + ", @".join(names) if names else "private"
    return "unknown"


def _api_event(msg: dict[str, Any], where: str, path: str) -> Event | Skipped:
    msg_id = msg.get("id")
    if msg_id is None or msg_id == "":
        return Skipped(where, "message has no id")
    raw_time = msg.get("timestamp")
    moment = from_epoch(raw_time, "s")
    if moment is None:
        return Skipped(where, f"unreadable timestamp {raw_time!r}")
    email = msg.get("sender_email")
    sender_id = msg.get("sender_id")
    name = (
        msg.get("sender_full_name") or email or (str(sender_id) if sender_id is not None else "unknown user")
    )
    is_notification = isinstance(email, str) and email.startswith("notification-bot@")
    actor = Actor(
        name=str(name),
        id=str(sender_id) if sender_id is not None else None,
        is_bot=_is_bot_email(email) or is_notification,
    )
    content = msg.get("content")
    content_type = msg.get("content_type")
    html = content_type == "text/html" or (
        content_type is None and isinstance(content, str) and content.lstrip().startswith("<")
    )
    edited = bool(msg.get("last_edit_timestamp") or msg.get("edit_history"))
    text = _content_text(content, html)
    kind = EventKind.SYSTEM if is_notification else classify_chat(text, actor.name, actor.is_bot)
    return Event(
        id=f"zulip:{msg_id}",
        time=moment,
        kind=kind,
        source_file=path,
        source_format=FORMAT,
        actor=actor,
        text=text,
        is_bot=actor.is_bot,
        edited=edited,
        noise=is_notification,
        raw_time=str(raw_time),
        attrs={"channel": _api_channel(msg)},
    )


# --- server export -----------------------------------------------------------------------------


@dataclass
class _Realm:
    """Id -> name tables from ``realm.json``; empty when the file is absent."""

    users: dict[int, tuple[str, bool]] = field(default_factory=dict)
    streams: dict[int, str] = field(default_factory=dict)
    recipients: dict[int, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: Any) -> _Realm:
        realm = cls()
        if not isinstance(doc, dict):
            return realm
        for table in (
            "zerver_userprofile",
            "zerver_userprofile_mirrordummy",
            "zerver_userprofile_crossrealm",
        ):
            for row in _rows(doc, table):
                name = row.get("full_name") or row.get("delivery_email") or row.get("email") or row.get("id")
                realm.users[row["id"]] = (
                    str(name),
                    row.get("bot_type") is not None or bool(row.get("is_bot")),
                )
        for row in _rows(doc, "zerver_stream"):
            realm.streams[row["id"]] = str(row.get("name") or row["id"])
        for row in _rows(doc, "zerver_recipient"):
            if isinstance(row.get("type"), int) and isinstance(row.get("type_id"), int):
                realm.recipients[row["id"]] = (row["type"], row["type_id"])
        return realm

    def channel(self, recipient: Any, topic: str) -> str:
        if not isinstance(recipient, int):
            return "unknown"
        kind, type_id = self.recipients.get(recipient, (0, 0))
        if kind == _STREAM:
            stream = self.streams.get(type_id, f"stream {type_id}")
            return f"{stream}>{topic}" if topic else stream
        if kind == _PERSONAL:
            return f"@{self.users.get(type_id, (str(type_id), False))[0]}"
        if kind == _HUDDLE:
            return f"group {type_id}"
        return f"recipient {recipient}"


def _rows(doc: dict[str, Any], table: str) -> list[dict[str, Any]]:
    rows = doc.get(table)
    if not isinstance(rows, list):
        return []
    return [r for r in rows if isinstance(r, dict) and isinstance(r.get("id"), int)]


def _read_realm(messages_file: Path, result: IngestResult) -> _Realm:
    realm_file = messages_file.parent / "realm.json"
    if not realm_file.is_file():
        result.assumptions.append(f"{messages_file}: no realm.json beside it; senders shown by numeric id")
        return _Realm()
    try:
        return _Realm.from_doc(Source(realm_file).json())
    except InputError as e:
        result.assumptions.append(f"{e}; senders shown by numeric id")
        return _Realm()


def _export_event(row: dict[str, Any], where: str, path: str, realm: _Realm) -> Event | Skipped:
    msg_id = row.get("id")
    if msg_id is None:
        return Skipped(where, "row has no id")
    sender = row.get("sender")
    content, rendered = row.get("content"), row.get("rendered_content")
    if sender is None and not content and not rendered:
        return Skipped(where, "row has no sender and no content")
    raw_time = row.get("date_sent", row.get("pub_date"))
    moment = from_epoch(raw_time, "s") if isinstance(raw_time, int | float) else parse_iso(raw_time)[0]
    if moment is None:
        return Skipped(where, f"unreadable date_sent {raw_time!r}")
    fallback = (str(sender) if sender is not None else "unknown user", False)
    name, is_bot = realm.users.get(sender, fallback) if isinstance(sender, int) else fallback
    text = (
        _content_text(rendered, True)
        if isinstance(rendered, str) and rendered
        else _content_text(content, False)
    )
    topic = row.get("subject") if isinstance(row.get("subject"), str) else ""
    actor = Actor(name=name, id=str(sender) if sender is not None else None, is_bot=is_bot)
    return Event(
        id=f"zulip:{msg_id}",
        time=moment,
        kind=classify_chat(text, name, is_bot),
        source_file=path,
        source_format=FORMAT,
        actor=actor,
        text=text,
        is_bot=is_bot,
        edited=bool(row.get("last_edit_time") or row.get("edit_history")),
        raw_time=str(raw_time),
        attrs={"channel": realm.channel(row.get("recipient"), str(topic))},
    )


# --- loading -----------------------------------------------------------------------------------


_Make = Callable[[dict[str, Any], str], Event | Skipped]


def _collect(items: list[Any], label: str, make: _Make, result: IngestResult, seen: set[str]) -> None:
    for index, item in enumerate(items):
        where = f"{label} {index + 1}"
        made = make(item, where) if isinstance(item, dict) else Skipped(where, "not an object")
        if isinstance(made, Skipped):
            result.skipped.append(made)
        elif made.id in seen:
            result.skipped.append(Skipped(where, f"duplicate message id {made.id}, kept the first"))
        else:
            seen.add(made.id)
            result.events.append(made)


def _load_export(sources: list[Source], result: IngestResult, seen: set[str]) -> None:
    realm = _read_realm(sources[0].path, result)
    for source in sources:
        doc = source.json()
        rows = doc.get("zerver_message") if isinstance(doc, dict) else None
        if not isinstance(rows, list):
            raise InputError(source.path, "not a Zulip export messages file (no 'zerver_message' list)")
        path = str(source.path)

        def make(row: dict[str, Any], where: str, path: str = path) -> Event | Skipped:
            return _export_event(row, where, path, realm)

        _collect(rows, f"{path}: zerver_message row", make, result, seen)


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Read API messages or export rows; epoch-second times need no zone."""
    path = str(source.path)
    result = IngestResult(path=path, format=FORMAT)
    seen: set[str] = set()
    if source.is_dir:
        files = sorted(source.path.glob(_EXPORT_GLOB))
        if not files:
            raise InputError(path, "no messages-*.json files in this Zulip export folder")
        _load_export([Source(f) for f in files], result, seen)
    else:
        doc = source.json()
        if isinstance(doc, dict) and "zerver_message" in doc:
            _load_export([source], result, seen)
        else:

            def make(msg: dict[str, Any], where: str) -> Event | Skipped:
                return _api_event(msg, where, path)

            _collect(_api_messages(doc, path), f"{path}: message", make, result, seen)
    result.events.sort(key=sort_key)
    return result


class _ZulipAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _ZulipAdapter()
