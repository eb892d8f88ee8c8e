"""What an adapter learns from the JSON files beside its input, read once per folder state.

Some exports are several API responses saved side by side (a Zendesk ticket, its comments and its
users; a Slack history page and a users list), so an adapter reading one file needs facts from its
neighbours. A bundle loads every file of a folder in a row: reading the folder again for each file
would make a folder of n files cost n², so the facts an adapter builds are kept per folder (and per
adapter ``kind``) while the folder's JSON files stay unchanged.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from pmdraft.ingest import _IGNORED_IN_FOLDERS

__all__ = ["Listing", "folder_facts", "json_files"]

T = TypeVar("T")
#: (name, size, mtime in ns) of each JSON file a bundle would read, by name.
Listing = tuple[tuple[str, int, int], ...]
#: Folders remembered at once, and how long a folder's file stamps are trusted without a new look.
_KEPT = 8
_RECHECK_SECONDS = 1.0


def json_files(folder: Path) -> Listing:
    """The JSON files a bundle would read in ``folder`` (hidden, ``_`` and README-like names skipped)."""
    found: list[tuple[str, int, int]] = []
    for child in sorted(folder.iterdir()):
        name = child.name
        if name.startswith((".", "_")) or name.lower() in _IGNORED_IN_FOLDERS:
            continue
        if child.suffix.lower() == ".json" and stat.S_ISREG((info := child.stat()).st_mode):
            found.append((name, info.st_size, info.st_mtime_ns))
    return tuple(found)


@dataclass
class _Seen:
    listing: Listing
    facts: object
    #: The folder's mtime (ns) and the wall-clock time the listing was last compared.
    changed: int
    checked: float


_SEEN: dict[tuple[str, Hashable], _Seen] = {}


def folder_facts(folder: Path, kind: Hashable, build: Callable[[Listing], T], empty: Callable[[], T]) -> T:
    """``build(listing)`` for ``folder``, reused while its JSON files are unchanged; ``empty()`` when
    the folder cannot be read.

    Files are compared by (name, size, mtime) unless the folder's own mtime is unchanged and both it
    and the last comparison are over ``_RECHECK_SECONDS`` old. A file added or removed changes the
    folder's mtime; the age rule covers a change within the same clock tick, and a file rewritten in
    place is noticed once the last comparison is that old. ``kind`` keeps the facts of different
    adapters (or of differently configured readers) apart.
    """
    now = time.time()
    try:
        key = (str(folder.resolve()), kind)
        changed = folder.stat().st_mtime_ns
        seen = _SEEN.get(key)
        if (
            seen is not None
            and seen.changed == changed
            and now - seen.checked < _RECHECK_SECONDS
            and seen.checked - changed / 1e9 > _RECHECK_SECONDS
        ):
            return cast(T, seen.facts)
        listing = json_files(folder)
    except OSError:
        return empty()
    if seen is None or seen.listing != listing:
        seen = _Seen(listing, build(listing), changed, now)
        _SEEN.pop(key, None)
        while len(_SEEN) >= _KEPT:
            del _SEEN[next(iter(_SEEN))]
        _SEEN[key] = seen
    seen.changed, seen.checked = changed, now
    return cast(T, seen.facts)
