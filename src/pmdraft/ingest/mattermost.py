"""Mattermost bulk export (JSON Lines: one typed object per line, ``version`` first).

Posts name their author by username and carry no stable id, so events are keyed by
(channel, username, create_at) and display names come from the file's ``user``/``bot`` lines.
Files are often named ``.json`` and lines are not chronological; a single pretty-printed line
object (as in Mattermost's own samples) is accepted too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, from_epoch
from pmdraft.ingest._kinds import classify_chat

FORMAT = "mattermost"

_LINE_TYPES = frozenset(
    {
        "version",
        "scheme",
        "emoji",
        "team",
        "channel",
        "user",
        "post",
        "direct_channel",
        "direct_post",
        "bot",
        "role",
    }
)
_PRETTY_LINE = re.compile(r'\{\s*"type"\s*:\s*"(\w+)"\s*,\s*"(\w+)"\s*:\s*\{')
#: Mattermost's own join/leave wording, which older exports store as ordinary posts.
_MEMBERSHIP_TEXT = re.compile(
    r"@?\S+ (?:joined|left) the (?:channel|team)\."
    r"|@?\S+ (?:added to|removed from) the (?:channel|team) by @?\S+\."
)
_NOISE_TYPES = ("system_",)


def _is_line(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    kind = obj.get("type")
    if kind not in _LINE_TYPES:
        return False
    return "version" in obj if kind == "version" else isinstance(obj.get(kind), dict)


def sniff(source: Source) -> bool:
    """A first line that is a typed Mattermost object, or one pretty-printed such object."""
    head = source.head_text
    if not head.startswith("{"):
        return False
    first, newline, _ = head.partition("\n")
    if '"type"' in first and (newline or len(source.head) < 65536):
        try:
            return _is_line(json.loads(first))
        except ValueError:
            pass
    match = _PRETTY_LINE.match(head)
    return match is not None and match.group(1) == match.group(2) and match.group(1) in _LINE_TYPES


@dataclass
class _People:
    """username -> (display name, is_bot), from ``user`` and ``bot`` lines."""

    names: dict[str, str] = field(default_factory=dict)
    bots: set[str] = field(default_factory=set)

    def add_user(self, user: dict[str, Any]) -> None:
        username = user.get("username")
        if not isinstance(username, str) or not username:
            return
        full = f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip()
        self.names[username] = full or str(user.get("nickname") or "").strip() or username

    def add_bot(self, bot: dict[str, Any]) -> None:
        username = bot.get("username")
        if isinstance(username, str) and username:
            self.names[username] = str(bot.get("display_name") or "").strip() or username
            self.bots.add(username)

    def actor(self, username: str, props: Any) -> Actor:
        if isinstance(props, dict) and props.get("from_webhook") in ("true", True):
            name = props.get("override_username") or self.names.get(username, username)
            return Actor(name=str(name), id=username, is_bot=True)
        is_bot = username in self.bots or (isinstance(props, dict) and bool(props.get("from_bot")))
        return Actor(name=self.names.get(username, username), id=username, is_bot=is_bot)


def _read_objects(source: Source, path: str) -> tuple[list[tuple[int, Any]], list[Skipped]]:
    """Parsed (line number, object) pairs; a bad line is skipped unless nothing parses at all."""
    text = source.text()
    lines = text.split("\n")
    objects: list[tuple[int, Any]] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            objects.append((number, json.loads(line)))
        except json.JSONDecodeError as e:
            if objects:
                skipped.append(Skipped(f"{path}: line {number}", "not valid JSON (truncated line?)"))
                continue
            first_error = (
                f"line {number} is not a JSON object ({e.msg}) and the file is not one JSON document"
            )
            break
    else:
        return objects, skipped
    try:
        doc = source.json()
    except InputError:
        raise InputError(path, first_error) from None
    if isinstance(doc, dict):
        return [(1, doc)], []
    if isinstance(doc, list):
        return [(i + 1, obj) for i, obj in enumerate(doc)], []
    raise InputError(path, "not a Mattermost bulk export (expected one JSON object per line)")


class _Builder:
    """Turns post objects (and their nested replies) into events."""

    def __init__(self, path: str, people: _People, result: IngestResult) -> None:
        self.path = path
        self.people = people
        self.result = result
        self.seen: set[str] = set()

    def add_post(self, post: dict[str, Any], where: str, direct: bool) -> None:
        if direct:
            members = post.get("channel_members")
            names = sorted(str(m) for m in members) if isinstance(members, list) else []
            channel = "__".join(names) or "direct"
            attrs = {"channel": f"@{', @'.join(names)}" if names else "direct"}
        else:
            channel = str(post.get("channel") or "unknown")
            attrs = {"channel": channel}
            if post.get("team"):
                attrs["team"] = str(post["team"])
        root = self._add(post, where, channel, attrs, None)
        replies = post.get("replies")
        if not isinstance(replies, list):
            return
        for index, reply in enumerate(replies):
            reply_where = f"{where} reply {index + 1}"
            if not isinstance(reply, dict):
                self.result.skipped.append(Skipped(reply_where, "reply is not an object"))
                continue
            root_id = root or self._key(channel, post)
            self._add(reply, reply_where, channel, attrs, root_id)

    @staticmethod
    def _key(channel: str, post: dict[str, Any]) -> str:
        return f"mattermost:{channel}:{post.get('user')}:{post.get('create_at')}"

    def _add(
        self, post: dict[str, Any], where: str, channel: str, attrs: dict[str, str], thread: str | None
    ) -> str | None:
        user = post.get("user")
        raw_time = post.get("create_at")
        if not isinstance(user, str) or not user:
            self.result.skipped.append(Skipped(where, "post has no user"))
            return None
        moment = from_epoch(raw_time, "ms") if isinstance(raw_time, int | str) else None
        if moment is None:
            self.result.skipped.append(Skipped(where, f"unreadable create_at {raw_time!r}"))
            return None
        key = self._key(channel, post)
        if key in self.seen:
            self.result.skipped.append(Skipped(where, f"duplicate post {key}, kept the first"))
            return key
        self.seen.add(key)
        message = post.get("message")
        text = message.strip() if isinstance(message, str) else ""
        props = post.get("props")
        text += _attachment_text(props) + _file_text(post.get("attachments"))
        post_type = str(post.get("type") or "")
        system = post_type.startswith(_NOISE_TYPES) or (
            not post_type and _MEMBERSHIP_TEXT.fullmatch(text) is not None
        )
        actor = self.people.actor(user, props)
        text = text.strip()
        kind = EventKind.SYSTEM if system else classify_chat(text, actor.name, actor.is_bot)
        self.result.events.append(
            Event(
                id=key,
                time=moment,
                kind=kind,
                source_file=self.path,
                source_format=FORMAT,
                actor=actor,
                text=text,
                thread_id=thread,
                is_bot=actor.is_bot,
                edited=_positive(post.get("edit_at")),
                deleted=_positive(post.get("delete_at")),
                noise=system,
                raw_time=str(raw_time),
                attrs=attrs,
            )
        )
        return key


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _attachment_text(props: Any) -> str:
    """Bot and webhook posts (alerts, deploys) keep their content in Slack-style attachments."""
    if not isinstance(props, dict) or not isinstance(props.get("attachments"), list):
        return ""
    out: list[str] = []
    for item in props["attachments"]:
        if not isinstance(item, dict):
            continue
        parts = [str(item.get(k) or "").strip() for k in ("pretext", "title", "text")]
        line = " - ".join(p for p in parts if p) or str(item.get("fallback") or "").strip()
        if line:
            out.append(f"\n{line}")
    return "".join(out)


def _file_text(attachments: Any) -> str:
    if not isinstance(attachments, list):
        return ""
    out: list[str] = []
    for item in attachments:
        if isinstance(item, dict) and item.get("path"):
            out.append(f" [file: {str(item['path']).replace(chr(92), '/').rsplit('/', 1)[-1]}]")
    return "".join(out)


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Read users first (names), then every post and reply; epoch-ms times need no zone."""
    path = str(source.path)
    objects, skipped = _read_objects(source, path)
    result = IngestResult(path=path, format=FORMAT, skipped=skipped)
    people = _People()
    posts: list[tuple[int, dict[str, Any], bool]] = []
    if not any(isinstance(obj, dict) and obj.get("type") in _LINE_TYPES for _, obj in objects):
        raise InputError(path, "not a Mattermost bulk export (no line has a known 'type')")
    for number, obj in objects:
        if not isinstance(obj, dict):
            result.skipped.append(Skipped(f"{path}: line {number}", "not a JSON object"))
            continue
        kind = obj.get("type")
        body = obj.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, dict):
            if kind != "version":
                result.skipped.append(
                    Skipped(f"{path}: line {number}", f"no '{kind}' object on a {kind} line")
                )
            continue
        if kind == "user":
            people.add_user(body)
        elif kind == "bot":
            people.add_bot(body)
        elif kind in ("post", "direct_post"):
            posts.append((number, body, kind == "direct_post"))
    builder = _Builder(path, people, result)
    for number, post, direct in posts:
        builder.add_post(post, f"{path}: line {number}", direct)
    result.events.sort(key=sort_key)
    return result


class _MattermostAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _MattermostAdapter()
