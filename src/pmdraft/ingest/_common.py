"""What every adapter needs: a guarded view of one input, options, results, and time parsing."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import orjson

from pmdraft.errors import InputError
from pmdraft.events import Event

#: Inputs larger than this are refused rather than read into memory (override with PMDRAFT_MAX_INPUT_MB).
DEFAULT_MAX_INPUT_MB = 2048
_HEAD_BYTES = 64 * 1024


def max_input_bytes() -> int:
    raw = os.environ.get("PMDRAFT_MAX_INPUT_MB", "")
    try:
        return int(raw) * 1024 * 1024 if raw else DEFAULT_MAX_INPUT_MB * 1024 * 1024
    except ValueError:
        return DEFAULT_MAX_INPUT_MB * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    """Choices the user makes about how inputs are read."""

    #: Zone for times the source writes without one. None means UTC, recorded as an assumption.
    tz: tzinfo | None = None
    #: Day for logs that carry only clock times.
    date: date | None = None
    #: Slack export: read only this channel.
    channel: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An item an adapter did not turn into an event, and why (shown by --verbose and inspect)."""

    where: str
    reason: str


@dataclass
class IngestResult:
    """What one adapter made of one input."""

    path: str
    format: str
    events: list[Event] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


def decode_utf8(data: bytes, where: str | Path) -> str:
    """Strict UTF-8 with a one-line error naming the first bad byte (a BOM is tolerated)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1].hex()
        raise InputError(where, f"not UTF-8 text (byte 0x{bad} at offset {e.start})") from None


#: Maps ASCII digits to "0" and every other byte to " ", so a run of 19 digits is one substring search.
_DIGITS_ONLY = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
#: orjson reads an integer beyond the int64/uint64 range as a float; the json module keeps it exact.
_LONG_NUMBER = b"0" * 19


def parse_json_bytes(data: bytes, where: str | Path, *, exact_numbers: bool = True) -> Any:
    """Parse JSON with a one-line error that says where it broke and whether it looks truncated.

    orjson parses first, being faster and lighter on memory. Whatever it refuses goes to the json
    module, which accepts what orjson does not (a BOM, NaN, lone surrogates, 1e400) and words the
    error. Pass ``exact_numbers=False`` where no number is read, to skip the check that sends
    documents with 19-digit runs (integers orjson would round) to the json module.
    """
    if not (exact_numbers and _LONG_NUMBER in data.translate(_DIGITS_ONLY)):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    text = decode_utf8(data, where)
    if not text.strip():
        raise InputError(where, "empty file, expected JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        hint = " (the file looks truncated)" if e.pos >= len(text.rstrip()) else ""
        raise InputError(where, f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}{hint}") from None


class Source:
    """One input path as given on the command line: a file, a folder, or a zip archive.

    Sniffing asks every adapter about the same input, so the expensive views (head bytes, parsed
    JSON) are computed once and cached here.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise InputError(path, "no such file or folder")

    @cached_property
    def is_dir(self) -> bool:
        return self.path.is_dir()

    @cached_property
    def is_zip(self) -> bool:
        return self.path.is_file() and zipfile.is_zipfile(self.path)

    @cached_property
    def size(self) -> int:
        return 0 if self.is_dir else self.path.stat().st_size

    @cached_property
    def head(self) -> bytes:
        """The first bytes of a file (empty for folders), for cheap sniffing."""
        if self.is_dir:
            return b""
        with self.path.open("rb") as f:
            return f.read(_HEAD_BYTES)

    @cached_property
    def head_text(self) -> str:
        """The head decoded leniently: sniffing must not fail on a split multi-byte character."""
        return self.head.decode("utf-8-sig", errors="replace").lstrip()

    @property
    def looks_like_json(self) -> bool:
        return self.head_text[:1] in ("{", "[")

    def read_bytes(self) -> bytes:
        self.check_file()
        return self.path.read_bytes()

    def check_file(self) -> None:
        """Refuse what no adapter can read: folders, empty, binary and oversized files."""
        if self.is_dir:
            raise InputError(self.path, "is a folder, expected a file")
        if self.size == 0:
            raise InputError(self.path, "empty file")
        if self.size > max_input_bytes():
            raise InputError(
                self.path,
                f"file is {self.size // (1024 * 1024)} MiB, over the "
                f"{max_input_bytes() // (1024 * 1024)} MiB limit (set PMDRAFT_MAX_INPUT_MB to raise it)",
            )
        if b"\x00" in self.head and not self.is_zip:
            raise InputError(self.path, "binary file, not a text export")

    def text(self) -> str:
        return decode_utf8(self.read_bytes(), self.path)

    @cached_property
    def _json(self) -> Any:
        return parse_json_bytes(self.read_bytes(), self.path)

    def json(self) -> Any:
        """The parsed JSON document (cached); raises InputError with a one-line reason."""
        return self._json


class Adapter(Protocol):
    """One export format. ``name`` equals its ``--format`` value; lower ``priority`` sniffs first."""

    name: str
    priority: int

    def sniff(self, source: Source) -> bool:
        """True when the input is this format. Must not raise on inputs of other formats."""
        ...

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        """Read the input into events; raise InputError for an input of this format that is broken."""
        ...


# --- time --------------------------------------------------------------------------------------

_GO_ZERO_PREFIX = "0001-01-01"


def parse_iso(value: object, tz: tzinfo | None = None) -> tuple[datetime | None, bool]:
    """Parse an ISO-8601 string; returns (UTC datetime or None, whether the zone was assumed).

    Go's zero time and unparseable values give None, so a bad timestamp degrades to 'unknown'
    instead of crashing. A naive value takes ``tz`` (UTC when not given) and is reported assumed.
    """
    if not isinstance(value, str) or not value.strip() or value.startswith(_GO_ZERO_PREFIX):
        return None, False
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, False
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz or UTC).astimezone(UTC), True
    return moment.astimezone(UTC), False


def from_epoch(value: object, unit: str = "s") -> datetime | None:
    """Epoch seconds ('s'), milliseconds ('ms') or nanoseconds ('ns'), as int, float or string.

    Strings are read as Decimal so Slack's ``"1498401043.277604"`` keeps its microseconds exactly.
    """
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    divisor = {"s": 1, "ms": 1_000, "ns": 1_000_000_000}[unit]
    seconds = number / divisor
    try:
        whole = int(seconds)
        micros = int((seconds - whole) * 1_000_000)
        return datetime.fromtimestamp(whole, UTC).replace(microsecond=micros)
    except (OverflowError, OSError, ValueError):
        return None
