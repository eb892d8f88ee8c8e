"""What the files beside a Slack Web API capture say: users lists, channel metadata, sibling captures.

Kept apart from the adapter in ``slack_api.py`` so both stay readable; only that module uses it. The
adapter imports this module, so this one imports nothing from it: the adapter hands in how it sniffs
and reads a capture (``Capture``), and the channel values both of them read are parsed here.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from hashlib import blake2b
from itertools import combinations
from pathlib import Path
from typing import Any

from pmdraft.errors import InputError
from pmdraft.ingest._common import IngestResult, LoadOptions, Source
from pmdraft.ingest._folder_cache import Listing, folder_facts
from pmdraft.ingest._slack_message import add_users

REPLIES_KEY = "slackdump_thread_replies"
#: Users lists the tools write: an export's users.json (org_users.json on Enterprise Grid), a saved
#: users.list response, slackdump's ``list users`` (users-<TEAM>.json). Responses are also known by content.
_USERS_FILE = re.compile(r"(?:org_)?users\.json|(?:.+[._-])?users\.list\.json|users-[TE][A-Z0-9]+\.json")
#: Channel lists written as bare arrays: an export's, and slackdump's ``list channels`` (channels-<TEAM>).
_CHANNEL_LIST_FILE = re.compile(r"(?:channels|groups|mpims|dms|channels-[TE][A-Z0-9]+)\.json")


@dataclass
class SlackApiResult(IngestResult):
    #: Files beside the input that were read for it (users lists, channel metadata). A folder of
    #: exports does not report them as unrecognized (see ``pmdraft.ingest._load_bundle``).
    read_beside: list[str] = field(default_factory=list)


#: A conversation as (name, id); either may be missing, not both.
Channel = tuple[str | None, str | None]


def as_channel(value: object) -> Channel | None:
    """A ``channel`` value: an id string or an object with ``id`` and ``name``."""
    if isinstance(value, str):
        return (None, value) if value else None
    if isinstance(value, dict):
        name, cid = value.get("name"), value.get("id")
        name = name if isinstance(name, str) and name else None
        cid = cid if isinstance(cid, str) and cid else None
        return (name, cid) if name or cid else None
    return None


@dataclass(frozen=True)
class Capture:
    """How the adapter recognizes a capture, reads its pages, and finds the channel a page names;
    its own functions, handed in because it imports this module."""

    sniff: Callable[[Source], bool]
    pages: Callable[[Any, str], list[dict[str, Any]]]
    page_channels: Callable[[dict[str, Any]], tuple[Channel | None, dict[str, Channel]]]


# --- what the files beside a capture say -------------------------------------------------------

#: A message reduced to what tells two copies of it from two different messages at one ``ts``:
#: (author, client_msg_id, CRC of the text, edited).
_Print = tuple[str, str, int, bool]


def _print(m: dict[str, Any]) -> _Print:
    author = m.get("user") or m.get("bot_id") or m.get("username")
    cmid, text = m.get("client_msg_id"), m.get("text")
    return (
        author if isinstance(author, str) else "",
        cmid if isinstance(cmid, str) else "",
        zlib.crc32(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0,
        "edited" in m,
    )


def _same(a: _Print, b: _Print) -> bool:
    """One message seen twice: history and replies are fetched apart, so an edit may change the text."""
    return a[0] == b[0] and (a[1] == b[1] or not a[1] or not b[1]) and (a[2] == b[2] or a[3] or b[3])


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of a capture in the folder, while the folder's captures are grouped."""

    file: str
    #: the channel the page names, if one
    channel: Channel | None
    #: ids and names of every channel the page names, its messages' included
    named: frozenset[str]
    messages: list[Any]


def _summary(capture: Capture, file: str, pages: list[dict[str, Any]]) -> list[_Page]:
    summary = []
    for page in pages:
        own, by_message = capture.page_channels(page)
        named = frozenset(n for channel in (own, *by_message.values()) if channel for n in channel if n)
        summary.append(_Page(file, own, named, page["messages"]))
    return summary


def _each(messages: list[Any]) -> Iterator[dict[str, Any]]:
    """Every message with a ``ts`` string, nested slackdump replies included."""
    for top in messages:
        if type(top) is dict:
            if type(top.get("ts")) is str:
                yield top
            replies = top.get(REPLIES_KEY)
            if type(replies) is list:
                yield from (m for m in replies if type(m) is dict and type(m.get("ts")) is str)


@dataclass
class _Groups:
    """How the unnamed pages of a folder's captures relate to each other and to the named ones."""

    #: unnamed page -> the named channel of a page holding the same messages, and that page's file
    anchors: dict[int, tuple[Channel, str]] = field(default_factory=dict)
    #: unnamed page -> a label suffix, when another unnamed page has a different message at one ts
    suffixes: dict[int, str] = field(default_factory=dict)
    #: ids and names of the channels the captures name themselves
    named: set[str] = field(default_factory=set)


def _group(pages: list[_Page]) -> _Groups:
    """Join pages that share a message (one conversation); pages of two unnamed conversations with
    different messages at one ``ts`` are two channels, whose labels then get a suffix."""
    groups = _Groups(named=set().union(*(p.named for p in pages)))
    if len(pages) < 2:
        return groups
    parent = list(range(len(pages)))
    channel = [p.channel for p in pages]
    source = [p.file if p.channel else "" for p in pages]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, tuple[int, dict[str, Any]]] = {}
    shared: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, page in enumerate(pages):
        for m in _each(page.messages):
            held = first.setdefault(m["ts"], (i, m))
            if held[0] != i:
                shared.setdefault(m["ts"], [held]).append((i, m))
    clashes: list[tuple[int, int]] = []
    for holders in shared.values():
        for (a, ma), (b, mb) in combinations(holders, 2):
            if not _same(_print(ma), _print(mb)):
                clashes.append((a, b))
                continue
            ra, rb = find(a), find(b)
            ca, cb = channel[ra], channel[rb]
            if ra != rb and (ca is None or cb is None or (ca[1] or ca[0]) == (cb[1] or cb[0])):
                parent[rb] = ra
                channel[ra], source[ra] = (ca, source[ra]) if ca else (cb, source[rb])
    clashing: set[int] = set()
    for a, b in clashes:
        ra, rb = find(a), find(b)
        if ra != rb and channel[ra] is None and channel[rb] is None:
            clashing.update((ra, rb))
    members: dict[int, list[int]] = {}
    for i in range(len(pages)):
        members.setdefault(find(i), []).append(i)
    for root, nodes in members.items():
        known = channel[root]
        for i in nodes:
            if pages[i].channel is not None:
                continue
            if known is not None:
                groups.anchors[i] = (known, source[root])
            elif root in clashing:
                groups.suffixes[i] = _suffix([pages[n] for n in nodes])
    return groups


def _suffix(pages: list[_Page]) -> str:
    """A label suffix from the conversation's earliest message: stable, and never from a file name."""
    earliest = min((m for p in pages for m in _each(p.messages)), key=lambda m: str(m["ts"]))
    author, cmid, text, _ = _print(earliest)
    return blake2b(f"{earliest['ts']}\0{author}\0{cmid}\0{text}".encode(), digest_size=4).hexdigest()


def _members(doc: Any) -> list[Any]:
    """The users of a users list: an export array, a ``users.list`` response, or saved pages of one."""
    if isinstance(doc, dict):
        members = doc.get("members")
        return members if isinstance(members, list) else []
    if isinstance(doc, list) and doc and all(isinstance(p, dict) and "members" in p for p in doc):
        return [u for p in doc if isinstance(p["members"], list) for u in p["members"]]
    return doc if isinstance(doc, list) else []


def _listed_channels(doc: Any) -> tuple[bool, list[Channel]] | None:
    """(whether it describes one conversation, its channels) of conversations.info/.list or an array."""
    if isinstance(doc, dict):
        if doc.get("ok") is not True:
            return None
        if isinstance(doc.get("channel"), dict):
            items, info = [doc["channel"]], True
        elif isinstance(doc.get("channels"), list):
            items, info = doc["channels"], False
        else:
            return None
    elif isinstance(doc, list):
        pages = all(isinstance(p, dict) and isinstance(p.get("channels"), list) for p in doc)
        items, info = ([c for p in doc for c in p["channels"]] if doc and pages else doc), False
    else:
        return None
    return info, [c for c in map(as_channel, items) if c is not None and c[1]]


def _is_response(head: str) -> bool:
    return head.startswith("{") and '"ok"' in head and any(k in head for k in ('"members"', '"channel'))


@dataclass
class _Beside:
    users: list[tuple[str, list[Any]]] = field(default_factory=list)
    #: (file, whether it describes one conversation, its channels)
    channels: list[tuple[str, bool, list[Channel]]] = field(default_factory=list)
    captures: list[str] = field(default_factory=list)
    #: users lists that could not be read
    problems: list[str] = field(default_factory=list)


class _Folder:
    """What the JSON files of one folder say about the captures in it; built once per folder state."""

    def __init__(self, folder: Path, names: tuple[str, ...], capture: Capture) -> None:
        self.folder = folder
        self.names = names
        self.capture = capture
        self._groups: _Groups | None = None
        self._starts: dict[str, int] = {}

    @cached_property
    def _files(self) -> _Beside:
        """The folder's users lists, channel metadata and captures; other JSON is left alone."""
        beside = _Beside()
        for name in self.names:
            users_file = _USERS_FILE.fullmatch(name) is not None
            list_file = _CHANNEL_LIST_FILE.fullmatch(name) is not None
            try:
                source = Source(self.folder / name)
                if self.capture.sniff(source):
                    beside.captures.append(name)
                    continue
                if not (users_file or list_file or _is_response(source.head_text)):
                    continue
                doc = source.json()
            except InputError as e:
                if users_file:
                    beside.problems.append(f"{e}; user ids shown instead of names")
                continue
            except OSError:
                continue
            response = isinstance(doc, dict) and doc.get("ok") is True
            if users_file or (response and isinstance(doc.get("members"), list)):
                beside.users.append((name, _members(doc)))
            elif list_file or response:
                listed = _listed_channels(doc)
                if listed is not None and listed[1]:
                    beside.channels.append((name, *listed))
        beside.users.sort(key=lambda u: (u[0] != "users.json", u[0] != "org_users.json", u[0]))
        return beside

    @property
    def problems(self) -> list[str]:
        return self._files.problems

    @cached_property
    def users(self) -> tuple[dict[str, str], set[str], list[str]]:
        """(id -> shown name, bot ids, the files that gave any), the first file naming an id winning."""
        names: dict[str, str] = {}
        bots: set[str] = set()
        used: list[str] = []
        for file, members in self._files.users:
            before = (len(names), len(bots))
            add_users(members, names, bots)
            if (len(names), len(bots)) != before:
                used.append(file)
        return names, bots, used

    @cached_property
    def channel_names(self) -> dict[str, tuple[str, str]]:
        """Channel id -> (name, file naming it), from the channel metadata."""
        found: dict[str, tuple[str, str]] = {}
        for file, _, channels in self._files.channels:
            for name, cid in channels:
                if name and cid:
                    found.setdefault(cid, (name, file))
        return found

    @cached_property
    def described(self) -> tuple[Channel, str] | None:
        """The one channel the metadata is about, and its file: a conversations.info response, or
        channel lists holding one channel between them. None when they name none or several."""
        about: dict[str, tuple[Channel, str]] = {}
        listed: dict[str, tuple[Channel, str]] = {}
        for file, info, channels in self._files.channels:
            for channel in channels:
                (about if info else listed).setdefault(channel[1] or "", (channel, file))
        if len(listed) == 1:
            for cid, value in listed.items():
                about.setdefault(cid, value)
        return next(iter(about.values())) if len(about) == 1 else None

    def groups(self, file: str, pages: list[dict[str, Any]]) -> tuple[_Groups, int]:
        """The grouping of every capture's pages, and where ``file``'s pages start in it.

        Built once per folder (``file`` joins when it is a capture only by ``--input-format``); the
        message prints are dropped once grouped, as the folder stays cached.
        """
        if self._groups is None or file not in self._starts:
            summaries = {file: _summary(self.capture, file, pages)}
            for name in self._files.captures:
                if name not in summaries:
                    try:
                        doc = Source(self.folder / name).json()
                        summaries[name] = _summary(self.capture, name, self.capture.pages(doc, name))
                    except (InputError, OSError):
                        continue
            order = [page for summary in summaries.values() for page in summary]
            self._groups = _group(order)
            self._starts = {}
            for i, page in enumerate(order):
                self._starts.setdefault(page.file, i)
        return self._groups, self._starts[file]


def _beside(path: Path, capture: Capture) -> _Folder:
    """The folder of ``path``, shared by every capture in it while its JSON files stay unchanged."""
    folder = path.parent

    def build(listing: Listing) -> _Folder:
        return _Folder(folder, tuple(name for name, _, _ in listing), capture)

    return folder_facts(folder, ("slack_api", capture), build, lambda: _Folder(folder, (), capture))


# --- naming the conversations of one input -----------------------------------------------------

_SET_IT = "(pass --channel NAME to set it)"


class Labels:
    """The label (name, else id) each conversation of one input gets in ids, and why, as notes."""

    def __init__(
        self, source: Source, pages: list[dict[str, Any]], options: LoadOptions, capture: Capture
    ) -> None:
        self.path = str(source.path)
        self.file = source.path.name
        self.pages = pages
        self.options = options
        self.parent = source.path.parent
        self.folder = _beside(source.path, capture)
        self.notes: dict[str, None] = {}
        self.used: dict[str, None] = {}

    def named(self, channel: Channel) -> str:
        name, cid = channel
        if name or not cid:
            return name or "unknown"
        known = self.folder.channel_names.get(cid)
        if known is None:
            return cid
        self.note(f"channel {cid} named '{known[0]}' from {known[1]} beside it", known[1])
        return known[0]

    def unnamed(self, page_no: int) -> str:
        """A page that does not name its channel: ask the captures and metadata beside it."""
        groups, start = self.folder.groups(self.file, self.pages)
        node = start + page_no
        anchored = groups.anchors.get(node)
        if anchored is not None:
            label = self.named(anchored[0])
            self.note(f"channel '{label}' from {anchored[1]}, which holds the same messages", None)
            return label
        suffix = groups.suffixes.get(node)
        described = self.folder.described
        clash = "another unnamed capture beside it has different messages at the same times"
        if self.options.channel:
            label = self.options.channel.lstrip("#")
            if suffix:
                self.note(f"{clash}; ids use '{label}-{suffix}' to keep the two apart", None)
        elif described and not groups.suffixes and not set(described[0]) & groups.named:
            label = self.named(described[0])
            self.note(f"channel '{label}' from {described[1]} beside it", described[1])
        else:
            label = "unknown"
            because = f" and {clash}" if suffix else ""
            shown = f"{label}-{suffix}" if suffix else label
            self.note(f"the file does not name its channel{because}; ids use '{shown}' {_SET_IT}", None)
        return f"{label}-{suffix}" if suffix else label

    def note(self, text: str, file: str | None) -> None:
        self.notes.setdefault(f"{self.path}: {text}", None)
        if file is not None:
            self.used.setdefault(str(self.parent / file), None)
