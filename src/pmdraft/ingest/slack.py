"""Slack workspace export: the official zip, its unpacked folder, or one channel folder of day files.

Layout (see ../shared/FORMATS.md §1.1): ``channels.json``/``groups.json``/``mpims.json``/``dms.json``
and ``users.json`` at the root, and one folder per conversation holding ``YYYY-MM-DD.json`` arrays of
messages. A message's ``ts`` string is both its time and its key, so it is kept exactly (never a
float) and threads are joined on it across day files.

Turning each message into an event is shared with the Web API adapter (``_slack_message.py``);
this module finds the conversations and day files, names channels and users, and notes thread
replies a parent lists that the export lacks.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any

import orjson

from pmdraft.errors import InputError
from pmdraft.events import Event
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, parse_json_bytes
from pmdraft.ingest._slack_message import MessageConverter, add_users, ts_time
from pmdraft.ingest._slack_tree import Tree, open_tree, sniff_dir, sniff_zip

#: Conversation lists: public channels, private channels, group DMs (all by name), DMs (by id).
_NAMED_CONVERSATIONS = ("channels.json", "groups.json", "mpims.json")
_DMS = "dms.json"
_USERS = ("users.json", "org_users.json")
#: The start of a day file as exports write it, one message per indented block: the indent.
_FIRST_MESSAGE = re.compile(rb"\[\n( +)\{")
#: Large day files are parsed in pieces of about this size (see _day_pieces).
_PIECE_BYTES = 64 * 1024
#: The time of a ``ts`` string, under the name callers of this module have used.
_ts_time = ts_time
_RAW_TIME = attrgetter("raw_time")


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
        try:
            return _load_tree(tree, source.path, options)
        finally:
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
        add_users(_read_list(tree, file_name), names, bots)
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
            read = 0
            for messages in _day_pieces(tree.read(key), where):
                reader.read_messages(messages, where, read)
                read += len(messages)
            total += read
        reader.note_missing_replies()
    if total == 0:
        what = f"channel '{selected[0]}'" if len(selected) == 1 else "any channel"
        raise InputError(path, f"no messages in {what} of this Slack export")
    return result


def _day_pieces(data: bytes, where: str) -> Iterator[list[Any]]:
    """A day file's messages; a large file's in pieces of a few dozen, where its layout allows.

    orjson reserves a working buffer of about twenty times its input on each call, and for a day
    file of a few MB that buffer is mapped fresh from the kernel every time; page-faulting it cost
    a quarter of the parse. Pieces cut where one top-level message ends and the next begins keep
    the buffer small and reused, and each piece's messages are still in the CPU cache when they
    are read: together a fifth off the load time of a large export. The same bytes inside a
    nested value would leave both pieces with unbalanced brackets, so they fail to parse; then
    (and for any piece that fails) the file is parsed whole, which words the error or yields the
    messages not yielded yet. No number in a message is read, so orjson's rounding of huge
    integers cannot matter here.
    """
    done = 0
    layout = _FIRST_MESSAGE.match(data) if len(data) > 2 * _PIECE_BYTES else None
    if layout is not None:
        indent = layout.group(1)
        for piece in _pieces(data, b"\n%b},\n%b{" % (indent, indent)):
            try:
                messages = orjson.loads(piece)
            except orjson.JSONDecodeError:
                break
            yield messages
            done += len(messages)
        else:
            return  # every piece parsed
    messages = parse_json_bytes(data, where, exact_numbers=False)
    if not isinstance(messages, list):
        raise InputError(where, f"expected a JSON array of messages, got {_json_type(messages)}")
    yield messages[done:]


def _pieces(data: bytes, between: bytes) -> Iterator[bytes]:
    """The JSON array ``data`` as arrays of consecutive elements, cut where ``between`` stands."""
    view = memoryview(data)
    start = 0
    comma = between.index(b",")
    while (cut := data.find(between, start + _PIECE_BYTES)) >= 0:
        end = cut + comma
        yield b"".join((b"[" if start else b"", view[start:end], b"]"))
        start = end + 1
    yield b"".join((b"[" if start else b"", view[start:]))


class _ChannelReader:
    """Reads one conversation's day files into events and tracks its threads across them."""

    def __init__(
        self,
        channel: str,
        users: Mapping[str, str],
        bots: set[str],
        channels: Mapping[str, str],
        result: IngestResult,
    ) -> None:
        self.convert = MessageConverter(channel, ADAPTER.name, users, bots, channels)
        self.result = result
        #: where this channel's events start in the shared result list
        self.first_event = len(result.events)

    def read_messages(self, messages: list[Any], where: str, first: int) -> None:
        """Messages ``first``... of the day file ``where``."""
        events = self.result.events
        skipped = self.result.skipped
        for index, outcome in enumerate(self.convert.to_events(messages, where), first):
            if isinstance(outcome, Event):
                events.append(outcome)
            else:
                skipped.append(Skipped(f"{where}[{index}]", outcome))

    def note_missing_replies(self) -> None:
        """Replies a parent lists but the export lacks: their text is not in the export, so say so."""
        listed_by_parent = self.convert.listed
        if not listed_by_parent:
            return
        prefix = self.convert.prefix
        seen = set(map(_RAW_TIME, islice(self.result.events, self.first_event, None)))
        for parent_ts, (where, listed) in listed_by_parent.items():
            missing = [ts for ts in listed if ts not in seen]
            if missing:
                one = len(missing) == 1
                shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
                self.result.skipped.append(
                    Skipped(
                        f"{where}: thread {prefix}{parent_ts}",
                        f"{len(missing)} repl{'y' if one else 'ies'} listed on the parent ({shown}) "
                        f"{'is' if one else 'are'} not in the export; the text is unknown",
                    )
                )


def _json_type(value: object) -> str:
    names = {dict: "an object", str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)
