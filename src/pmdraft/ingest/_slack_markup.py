"""Slack message markup to plain text: mrkdwn control sequences, Block Kit and attachments.

Shared by the Slack export adapter and the Slack Web API adapter, which see the same message
objects. Slack escapes only ``&``, ``<`` and ``>`` in ``text``, so every literal ``<...>`` is a
control sequence (mention, channel, special mention, date or link) and is decoded before the
entities are unescaped. ``*bold*``, ``_italic_`` and ``:emoji:`` stay as written: they already
read as text and are close to Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["attachments_to_text", "blocks_to_text", "decode_slack_text", "unescape_slack"]

_CONTROL = re.compile(r"<([^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone", "group"})
_EMPTY: Mapping[str, str] = {}


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``& < >`` in one pass, so ``&amp;lt;`` stays ``&lt;``."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def decode_slack_text(
    text: str, users: Mapping[str, str] = _EMPTY, channels: Mapping[str, str] = _EMPTY
) -> str:
    """Turn a message's ``text`` into plain text.

    ``users`` maps user ids to display names and ``channels`` channel ids to names; a mention
    that carries its own label (``<@U1|name>``) keeps the label Slack showed at the time.
    """
    if "<" not in text:
        return unescape_slack(text)
    parts = _CONTROL.split(text)  # literal, control, literal, ..., literal
    for i in range(1, len(parts), 2):
        parts[i] = _control_to_text(parts[i], users, channels)
    return unescape_slack("".join(parts))


def _control_to_text(inner: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    target, bar, label = inner.partition("|")
    if not target:
        return label
    head = target[0]
    if head == "@":
        uid = target[1:]
        return "@" + (label or users.get(uid) or uid)
    if head == "#":
        cid = target[1:]
        return "#" + (label or channels.get(cid) or cid)
    if head == "!":
        return _special_to_text(target[1:], label)
    if target.startswith("mailto:"):
        return label or target[7:]
    if not bar or not label or label == target or _same_link(label, target):
        return target
    return f"{label} ({target})"


def _same_link(label: str, url: str) -> bool:
    """Slack auto-links ``example.com`` as ``<http://example.com|example.com>``; show it once."""
    return url.partition("://")[2].rstrip("/") == label.rstrip("/")


def _special_to_text(command: str, label: str) -> str:
    name, _, rest = command.partition("^")
    if name in _SPECIAL_MENTIONS:
        return "@" + name
    if name == "subteam":
        if label:
            return label if label.startswith("@") else "@" + label
        return "@" + (rest or "subteam")
    if name == "date":
        if label:
            return label
        epoch = rest.partition("^")[0]
        return _epoch_text(epoch) or epoch
    return label or "@" + name


def _epoch_text(epoch: str) -> str | None:
    try:
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, OverflowError, OSError):
        return None


# --- Block Kit -----------------------------------------------------------------------------------


def blocks_to_text(
    blocks: object, users: Mapping[str, str] = _EMPTY, channels: Mapping[str, str] = _EMPTY
) -> str:
    """Plain text of a message's ``blocks`` (``rich_text`` is the structured truth of modern messages).

    Unknown block and element types contribute the text they carry, if any, so new Block Kit
    features degrade to less text rather than an error.
    """
    if not isinstance(blocks, list):
        return ""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, dict):
            text = _block_text(block, users, channels)
            if text:
                parts.append(text)
    return "\n".join(parts)


def _block_text(block: dict[str, Any], users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    kind = block.get("type")
    if kind == "rich_text":
        return "\n".join(_rich_part(el, users, channels) for el in _dicts(block.get("elements")))
    if kind in ("section", "header"):
        lines = [_text_object(block.get("text"), users, channels)]
        lines += [_text_object(field, users, channels) for field in _dicts(block.get("fields"))]
        return "\n".join(line for line in lines if line)
    if kind == "context":
        return " ".join(_element_texts(block, users, channels))
    if kind == "image":
        title = _text_object(block.get("title"), users, channels)
        return title or _str(block.get("alt_text"))
    if kind == "actions":
        return " | ".join(_element_texts(block, users, channels))
    return _text_object(block.get("text"), users, channels)


def _element_texts(block: dict[str, Any], users: Mapping[str, str], channels: Mapping[str, str]) -> list[str]:
    texts = (_element_text(el, users, channels) for el in _dicts(block.get("elements")))
    return [text for text in texts if text]


def _element_text(element: dict[str, Any], users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    kind = element.get("type")
    if kind in ("mrkdwn", "plain_text"):
        return _text_object(element, users, channels)
    if kind == "image":
        return _str(element.get("alt_text"))
    return _text_object(element.get("text"), users, channels)


def _text_object(obj: object, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """A Block Kit text object: ``mrkdwn`` carries control sequences, ``plain_text`` does not."""
    if not isinstance(obj, dict):
        return ""
    text = obj.get("text")
    if not isinstance(text, str):
        return ""
    if obj.get("type") == "mrkdwn":
        return decode_slack_text(text, users, channels)
    return text


def _rich_part(part: dict[str, Any], users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    kind = part.get("type")
    if kind == "rich_text_list":
        ordered = part.get("style") == "ordered"
        items = [_rich_part(item, users, channels) for item in _dicts(part.get("elements"))]
        return "\n".join(f"{i}. {text}" if ordered else f"- {text}" for i, text in enumerate(items, 1))
    if kind == "rich_text_quote":
        body = "".join(_inline(el, users, channels) for el in _dicts(part.get("elements")))
        return "\n".join("> " + line for line in body.split("\n"))
    if kind == "rich_text_preformatted":
        body = "".join(_inline(el, users, channels) for el in _dicts(part.get("elements")))
        return f"```\n{body}\n```"
    return "".join(_inline(el, users, channels) for el in _dicts(part.get("elements")))


def _inline(element: dict[str, Any], users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    kind = element.get("type")
    if kind == "text":
        return _str(element.get("text"))
    if kind == "link":
        url = _str(element.get("url"))
        label = _str(element.get("text"))
        return f"{label} ({url})" if label and label != url else url
    if kind == "user":
        uid = _str(element.get("user_id"))
        return "@" + (users.get(uid) or uid)
    if kind == "usergroup":
        return "@" + _str(element.get("usergroup_id"))
    if kind == "channel":
        cid = _str(element.get("channel_id"))
        return "#" + (channels.get(cid) or cid)
    if kind == "broadcast":
        return "@" + _str(element.get("range"))
    if kind == "emoji":
        return ":" + _str(element.get("name")) + ":"
    if kind == "date":
        fallback = _str(element.get("fallback"))
        return fallback or _epoch_text(_str(element.get("timestamp"))) or ""
    if kind == "color":
        return _str(element.get("value"))
    if "elements" in element:
        return _rich_part(element, users, channels)
    return _str(element.get("text"))


# --- legacy attachments --------------------------------------------------------------------------


def attachments_to_text(
    attachments: object,
    users: Mapping[str, str] = _EMPTY,
    channels: Mapping[str, str] = _EMPTY,
    *,
    include_unfurls: bool = False,
) -> str:
    """Plain text of ``attachments``, where alert and deploy bots put their content.

    Link previews (``from_url``/``original_url``) repeat a URL already in the message, so they are
    left out unless ``include_unfurls`` is set (for messages whose only content is the preview).
    """
    if not isinstance(attachments, list):
        return ""
    parts: list[str] = []
    for att in attachments:
        if not isinstance(att, dict):
            continue
        if not include_unfurls and ("from_url" in att or "original_url" in att):
            continue
        text = _attachment_text(att, users, channels)
        if text:
            parts.append(text)
    return "\n".join(parts)


def _attachment_text(att: dict[str, Any], users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    lines: list[str] = []
    for key in ("pretext", "author_name", "title", "text"):
        value = att.get(key)
        if isinstance(value, str) and value.strip():
            line = decode_slack_text(value.strip(), users, channels)
            link = att.get("title_link") if key == "title" else None
            if isinstance(link, str) and link and link != line:
                line = f"{line} ({link})"
            lines.append(line)
    for field in _dicts(att.get("fields")):
        title = _str(field.get("title")).strip()
        value = decode_slack_text(_str(field.get("value")).strip(), users, channels)
        if title or value:
            lines.append(f"{title}: {value}" if title and value else title or value)
    block_text = blocks_to_text(att.get("blocks"), users, channels)
    if block_text:
        lines.append(block_text)
    if not lines:
        fallback = att.get("fallback")
        if isinstance(fallback, str) and fallback.strip():
            lines.append(decode_slack_text(fallback.strip(), users, channels))
    return "\n".join(lines)


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
