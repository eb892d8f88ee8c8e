"""Microsoft Teams messages as Microsoft Graph returns them (``chatMessage`` JSON).

Accepts a list response (``{"value": [...]}``, as saved from ``/chats/{id}/messages`` or
``/teams/{t}/channels/{c}/messages``), a single message (``GET .../messages/{id}``) or a bare list.
Bodies are usually HTML, so this module also owns the small HTML-to-text converter the Zulip
adapter reuses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import SYSTEM_ACTOR, Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, parse_iso
from pmdraft.ingest._kinds import classify_chat

FORMAT = "teams"

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    }
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_SPACE_BEFORE_NL = re.compile(r" +\n")
_MANY_NL = re.compile(r"\n{3,}")
_CAMEL_BREAK = re.compile(r"(?<!^)(?=[A-Z])")


class _HtmlText(HTMLParser):
    """Collects readable text: mentions as ``@Name``, emoji as their alt text, media as placeholders."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._pre = 0
        self._links: list[tuple[str, int]] = []

    def _ends_with_newline(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def _newline(self) -> None:
        if not self._ends_with_newline():
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag == "pre":
                self._pre += 1
            elif tag == "li":
                self.parts.append("- ")
        elif tag == "at":
            self.parts.append("@")
        elif tag == "emoji":
            self.parts.append(_attr(attrs, "alt"))
        elif tag == "attachment":
            self.parts.append("[attachment]")
        elif tag == "img":
            self.parts.append(_attr(attrs, "alt") or "[image]")
        elif tag == "a":
            self._links.append((_attr(attrs, "href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._newline()
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            if href.startswith(("http://", "https://")) and href != label:
                self.parts.append(f" ({href})" if label else href)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._pre:
            self.parts.append(data)
            return
        text = _SPACES.sub(" ", data.replace("\n", " "))
        if self._ends_with_newline():
            text = text.lstrip()
        if text:
            self.parts.append(text)


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str:
    for key, value in attrs:
        if key == name:
            return value or ""
    return ""


def html_to_text(html: str) -> str:
    """Plain text from a chat HTML body; `<br>`/block ends become newlines, entities are unescaped."""
    if "<" not in html and "&" not in html:
        return html.strip()
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    return _MANY_NL.sub("\n\n", _SPACE_BEFORE_NL.sub("\n", text)).strip()


# --- sniffing ----------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    """Graph's ``messageType`` + ``createdDateTime`` pair appears in no other chat export."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    return '"messageType"' in head and '"createdDateTime"' in head


# --- loading -----------------------------------------------------------------------------------


def _messages(doc: Any, path: str) -> list[Any]:
    if isinstance(doc, dict):
        if isinstance(doc.get("value"), list):
            return list(doc["value"])
        if "messageType" in doc or "createdDateTime" in doc:
            return [doc]
    elif isinstance(doc, list):
        return doc
    raise InputError(path, "not a Graph chatMessage response (expected 'value' list or a message object)")


def _container(msg: dict[str, Any]) -> str:
    chat = msg.get("chatId")
    if isinstance(chat, str) and chat:
        return chat
    ident = msg.get("channelIdentity")
    if isinstance(ident, dict) and isinstance(ident.get("channelId"), str) and ident["channelId"]:
        return str(ident["channelId"])
    return "unknown"


def _identity_actor(identity: Any) -> Actor | None:
    """``from``/``initiator`` identity set -> Actor; applications (bots, connectors) are flagged."""
    if not isinstance(identity, dict):
        return None
    user = identity.get("user")
    if isinstance(user, dict):
        return Actor(name=user.get("displayName") or "unknown user", id=user.get("id"))
    app = identity.get("application")
    if isinstance(app, dict):
        return Actor(name=app.get("displayName") or "unknown app", id=app.get("id"), is_bot=True)
    return None


def _event_text(detail: dict[str, Any]) -> str:
    """A readable line for a system event from its polymorphic ``eventDetail`` type name."""
    kind = str(detail.get("@odata.type") or "").rsplit(".", 1)[-1].removesuffix("EventMessageDetail")
    words = _CAMEL_BREAK.sub(" ", kind).lower() or "system event"
    for key in ("chatDisplayName", "channelDisplayName", "teamDisplayName"):
        name = detail.get(key)
        if isinstance(name, str) and name:
            return f"{words}: {name}"
    return words


def _body_text(msg: dict[str, Any]) -> str:
    body = msg.get("body")
    if not isinstance(body, dict):
        return ""
    content = body.get("content")
    if not isinstance(content, str):
        return ""
    if str(body.get("contentType", "")).lower() == "html":
        return html_to_text(content)
    return content.strip()


def _to_event(msg: dict[str, Any], where: str, path: str, options: LoadOptions) -> Event | Skipped:
    msg_id = msg.get("id")
    if not isinstance(msg_id, str | int) or msg_id == "":
        return Skipped(where, "message has no id")
    raw_time = msg.get("createdDateTime")
    moment, assumed = parse_iso(raw_time, options.tz)
    if moment is None:
        return Skipped(where, f"unparseable createdDateTime {raw_time!r}")
    msg_type = msg.get("messageType")
    if msg_type == "typing":
        return Skipped(where, "typing indicator, not a message")
    container = _container(msg)
    detail = msg.get("eventDetail")
    body = msg.get("body")
    content = body.get("content") if isinstance(body, dict) else None
    is_system = (
        msg_type in ("systemEventMessage", "chatEvent")
        or isinstance(detail, dict)
        or (isinstance(content, str) and "<systemEventMessage" in content)
    )
    actor = _identity_actor(msg.get("from"))
    if is_system:
        kind = EventKind.SYSTEM
        text = _event_text(detail) if isinstance(detail, dict) else _body_text(msg) or "system event"
        if actor is None and isinstance(detail, dict):
            actor = _identity_actor(detail.get("initiator"))
        actor = actor or SYSTEM_ACTOR
    else:
        text = _body_text(msg)
        subject = msg.get("subject")
        if isinstance(subject, str) and subject.strip():
            text = f"{subject.strip()}\n{text}" if text else subject.strip()
        actor = actor or Actor(name="unknown user")
        kind = classify_chat(text, actor.name, actor.is_bot)
    deleted = bool(msg.get("deletedDateTime"))
    if deleted and not text:
        text = "(message deleted)"
    reply_to = msg.get("replyToId")
    url = msg.get("webUrl")
    return Event(
        id=f"teams:{container}:{msg_id}",
        time=moment,
        kind=kind,
        source_file=path,
        source_format=FORMAT,
        actor=actor,
        text=text,
        thread_id=f"teams:{container}:{reply_to}" if reply_to else None,
        url=url if isinstance(url, str) and url else None,
        is_bot=actor.is_bot,
        edited=bool(msg.get("lastEditedDateTime")),
        deleted=deleted,
        noise=is_system,
        time_assumed=assumed,
        raw_time=str(raw_time),
        attrs={"channel": container},
    )


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Read every message; system events become noise, unreadable ones are skipped with a reason."""
    path = str(source.path)
    result = IngestResult(path=path, format=FORMAT)
    seen: set[str] = set()
    assumed = False
    for index, msg in enumerate(_messages(source.json(), path)):
        where = f"{path}: message {index + 1}"
        if not isinstance(msg, dict):
            result.skipped.append(Skipped(where, "not a message object"))
            continue
        item = _to_event(msg, where, path, options)
        if isinstance(item, Skipped):
            result.skipped.append(item)
        elif item.id in seen:
            result.skipped.append(Skipped(where, f"duplicate message id {item.id}"))
        else:
            seen.add(item.id)
            assumed = assumed or item.time_assumed
            result.events.append(item)
    if assumed:
        zone = options.tz or "UTC"
        result.assumptions.append(f"{path}: timestamps without a zone read as {zone}")
    result.events.sort(key=sort_key)
    return result


class _TeamsAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _TeamsAdapter()
