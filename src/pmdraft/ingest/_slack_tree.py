"""Where a Slack export's files are: an export folder, one channel folder, or the export zip.

Kept apart from the message parsing in ``slack.py`` so both stay readable; only that module uses it.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from pmdraft.errors import InputError
from pmdraft.ingest._common import Source, max_input_bytes

DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_ZIP_DAY_MEMBER = re.compile(r"(?:^|.*/)([^/]+)/(\d{4}-\d{2}-\d{2}\.json)")
#: Metadata files at the export root.
META = frozenset(("channels.json", "groups.json", "mpims.json", "dms.json", "users.json", "org_users.json"))


def sniff_dir(path: Path) -> bool:
    """An export folder (metadata plus channel folders) or one channel folder of day files."""
    entries = list(os.scandir(path))
    names = {e.name for e in entries}
    if names & META:
        return any(e.is_dir() and _has_day_file(Path(e.path)) for e in entries if not e.name.startswith("."))
    day = next((e for e in entries if DAY_FILE.fullmatch(e.name) and e.is_file()), None)
    if day is None:
        return False
    with open(day.path, "rb") as f:
        head = f.read(64 * 1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    # A dated JSON array alone is not enough: other tools name their dumps by day too.
    return head[:1] == b"[" and (b'"ts"' in head or head[1:].lstrip()[:1] == b"]")


def _has_day_file(folder: Path) -> bool:
    return any(DAY_FILE.fullmatch(name) for name in os.listdir(folder))


def sniff_zip(path: Path) -> bool:
    """A zip holding export metadata or ``<channel>/YYYY-MM-DD.json`` members."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("__MACOSX/"):
                continue
            if name.rsplit("/", 1)[-1] in META or _ZIP_DAY_MEMBER.fullmatch(name):
                return True
    return False


# --- reading folders and zips --------------------------------------------------------------------


class Tree:
    """The export's files by role, whether they sit in a folder or a zip."""

    def __init__(self) -> None:
        #: channel folder name -> day-file keys, in date order
        self.days: dict[str, list[str]] = {}
        #: metadata file name (users.json, ...) -> key
        self.meta: dict[str, str] = {}

    def read(self, key: str) -> bytes:
        raise NotImplementedError

    def where(self, key: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Release the zip handle, if any."""


class _DirTree(Tree):
    def __init__(self, root: Path) -> None:
        super().__init__()
        entries = sorted(os.scandir(root), key=lambda e: e.name)
        if any(DAY_FILE.fullmatch(e.name) and e.is_file() for e in entries):
            # One channel folder: metadata, if any, sits next to it in the export.
            self.days[root.name] = [e.path for e in entries if DAY_FILE.fullmatch(e.name) and e.is_file()]
            parent = root.parent
            for name in META:
                if (parent / name).is_file():
                    self.meta[name] = str(parent / name)
            return
        for entry in entries:
            if entry.name in META and entry.is_file():
                self.meta[entry.name] = entry.path
            elif entry.is_dir() and not entry.name.startswith("."):
                days = sorted(n for n in os.listdir(entry.path) if DAY_FILE.fullmatch(n))
                if days:
                    self.days[entry.name] = [os.path.join(entry.path, n) for n in days]

    def read(self, key: str) -> bytes:
        try:
            size = os.path.getsize(key)
            if size > max_input_bytes():
                raise InputError(key, f"file is {size // (1024 * 1024)} MiB, over the input size limit")
            with open(key, "rb") as f:
                return f.read()
        except OSError as e:
            raise InputError(key, f"cannot read: {e.strerror or e}") from None

    def where(self, key: str) -> str:
        return key


class _ZipTree(Tree):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError) as e:
            raise InputError(path, f"cannot open zip: {e}") from None
        total = sum(info.file_size for info in infos)
        if total > max_input_bytes():
            self.archive.close()
            raise InputError(
                path,
                f"zip unpacks to {total // (1024 * 1024)} MiB, over the "
                f"{max_input_bytes() // (1024 * 1024)} MiB limit (set PMDRAFT_MAX_INPUT_MB to raise it)",
            )
        meta_depth: dict[str, int] = {}
        for info in infos:
            name = info.filename
            if info.is_dir() or name.startswith("__MACOSX/"):
                continue
            day = _ZIP_DAY_MEMBER.fullmatch(name)
            if day:
                self.days.setdefault(day.group(1), []).append(name)
                continue
            base = name.rsplit("/", 1)[-1]
            depth = name.count("/")
            if base in META and depth < meta_depth.get(base, 99):
                self.meta[base] = name
                meta_depth[base] = depth
        for keys in self.days.values():
            keys.sort(key=lambda k: k.rsplit("/", 1)[-1])

    def read(self, key: str) -> bytes:
        try:
            return self.archive.read(key)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise InputError(self.where(key), f"cannot read from the zip: {e}") from None

    def where(self, key: str) -> str:
        return f"{self.path}:{key}"

    def close(self) -> None:
        self.archive.close()


def open_tree(source: Source) -> Tree:
    """The export behind an input path; a plain file that is not a zip cannot be one."""
    if source.is_dir:
        return _DirTree(source.path)
    source.check_file()
    if not source.is_zip:
        raise InputError(
            source.path, "not a Slack export: expected the export .zip, its folder, or a channel folder"
        )
    return _ZipTree(source.path)
