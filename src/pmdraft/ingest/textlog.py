"""Plain-text chat logs: IRC clients and bouncers, ``[date time] name: text`` logs, Slack copy-paste.

Text logs carry the least structure of any input: times usually have no zone, often no date, and
lines from different clients are mixed with join/quit noise and wrapped continuation lines. The
reader is therefore line-based and forgiving, but honest about what it guessed: every time read
without a zone is marked assumed, and day roll-overs it infers are listed in the result's
assumptions (see ../shared/FORMATS.md §1.7).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from pmdraft.errors import InputError
from pmdraft.events import SYSTEM_ACTOR, Actor, Event, EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._kinds import classify_chat

#: mIRC formatting: bold, colour (with optional fg,bg numbers), hex colour, reset, reverse, italic, ...
_MIRC = re.compile(
    r"\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]"
)
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_STAMPED = re.compile(
    rf"""^(?:
        \[(?P<bdate>\d{{4}}-\d{{2}}-\d{{2}})[ T](?P<btime>{_CLOCK})\]
      | (?P<date>\d{{4}}-\d{{2}}-\d{{2}})[ T](?P<time>{_CLOCK}(?:[.,]\d+)?)(?P<offset>Z|[+-]\d{{2}}:?\d{{2}})?
      | \[(?P<dday>\d{{1,2}})\ (?P<dmon>[A-Za-z]{{3}})\ (?P<dtime>{_CLOCK})\]
      | \[(?P<bclock>{_CLOCK})\]
      | (?P<clock>{_CLOCK})
    )[ \t]+(?P<body>\S.*)$""",
    re.VERBOSE,
)
_NICK_MSG = re.compile(r"<[ @+%&~]?(?P<nick>[^\s<>!]+)(?P<mask>![^\s<>]*)?>(?:[ \t](?P<text>.*))?$")
_SYSTEM_LINE = re.compile(r"(?:\*\*\*|-!-|-->|<--|--|==)[ \t]+(?P<text>\S.*)$")
_ACTION = re.compile(r"\*[ \t]+(?P<nick>[^\s*]+)[ \t]+(?P<text>.*)$")
_NAMED = re.compile(r"(?P<nick>[^\s<>\[\]:*][^<>\[\]:]{0,48}?):[ \t]+(?P<text>.*)$")
_AMPM = r"\d{1,2}:\d{2}(?::\d{2})?[ \u202f]?[AaPp][Mm]"
_SLACK_HEADER = re.compile(
    rf"(?P<name>[^\s\[<*][^\[\]<>]{{0,63}}?)"
    rf"(?:[ \t]{{2,}}\[?(?P<clock>{_AMPM}|{_CLOCK})\]?|[ \t]+\[(?P<bclock>{_AMPM})\])$"
)
_SLACK_STAMP = re.compile(rf"\[(?P<clock>{_AMPM})\][ \t]*(?P<text>\S.*)$")
_SLACK_BARE_CLOCK = re.compile(rf"\[?(?P<clock>{_AMPM}|{_CLOCK})\]?$")
#: Lines the Slack client adds between messages: day separators, unread markers, thread stubs.
_SLACK_CHROME = re.compile(
    r"(?:New messages?|Today|Yesterday|\d+ repl(?:y|ies)\b.*"
    r"|(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?[ \t]*)?"
    r"(?:(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t|tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?[ \t]+(?P<day>\d{1,2})"
    r"(?:st|nd|rd|th)?(?:,?[ \t]+(?P<year>\d{4}))?)?)$",
    re.IGNORECASE,
)
#: weechat writes ``date time<TAB>nick<TAB>text``.
_TABBED = re.compile(r"[@+%&~]?(?P<nick>[^\s]+)\t(?P<text>.*)$")
_DAY_MARKER = re.compile(r"---[ \t]+(?:Day changed|Log opened|Log closed)[ \t]+(?P<rest>.+)$", re.IGNORECASE)
_DATE_HEADER = re.compile(
    r"(?:Date|Day|Log date)[ \t]*:[ \t]*(?P<date>\d{4}-\d{2}-\d{2})[ \t]*$", re.IGNORECASE
)
_WORDY_DATE = re.compile(r"(?P<mon>[A-Za-z]{3})[a-z]*\.?[ \t]+(?P<day>\d{1,2})\b.*?\b(?P<year>\d{4})\b")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_EDITED = " (edited)"
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
#: A clock that steps back less than this is a reordered line, not midnight passing.
_ROLLBACK_TOLERANCE = timedelta(minutes=10)
_SNIFF_LINES = 30


class _TextLogAdapter:
    name = "text"
    priority = 90

    def sniff(self, source: Source) -> bool:
        # Not ``looks_like_json``: dircproxy and ``[date time]`` logs open with "[" too.
        if source.is_dir or source.is_zip or source.head_text[:1] == "{" or b"\x00" in source.head:
            return False
        lines = [line.strip() for line in source.head_text.split("\n")[:200] if line.strip()]
        lines = lines[:_SNIFF_LINES]
        if not lines:
            return False
        hits = sum(1 for line in lines if _recognized(_MIRC.sub("", line)))
        return hits >= min(3, len(lines))

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        data = source.read_bytes()
        reader = _LogReader(source.path, options)
        for number, raw in enumerate(data.split(b"\n"), 1):
            reader.feed(number, _decode_line(raw, number, reader))
        return reader.finish()


ADAPTER = _TextLogAdapter()


def _recognized(line: str) -> bool:
    """Whether a line has a shape this adapter knows (for sniffing)."""
    stamped = _STAMPED.match(line)
    if stamped:
        return _parse_body(stamped.group("body")) is not None
    return bool(
        _DAY_MARKER.match(line)
        or _DATE_HEADER.match(line)
        or _SLACK_HEADER.fullmatch(line)
        or _SLACK_STAMP.match(line)
    )


def _decode_line(raw: bytes, number: int, reader: _LogReader) -> str:
    """UTF-8 per line, cp1252 for a line that is not (one log can mix both), control codes removed."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        reader.legacy_lines += 1
    return _MIRC.sub("", text)


@dataclass
class _Body:
    nick: str | None
    text: str
    kind: EventKind = EventKind.CHAT
    noise: bool = False


def _parse_body(body: str) -> _Body | None:
    """Who said what in the part of a line after its time; None when no speaker is recognizable."""
    m = _NICK_MSG.match(body)
    if m:
        text = (m.group("text") or "").strip()
        if m.group("mask") and text[:1] in ("+", "-"):
            text = text[1:]  # dircproxy marks each line + (identified) or - (not)
        return _Body(m.group("nick"), text)
    m = _SYSTEM_LINE.match(body)
    if m:
        text = m.group("text").strip()
        first = text.split(maxsplit=1)[0]
        nick = None if first in ("You", "Topic", "Mode", "Log", "Netsplit") else first
        return _Body(nick, text, EventKind.SYSTEM, True)
    m = _ACTION.match(body)
    if m:
        return _Body(m.group("nick"), f"* {m.group('nick')} {m.group('text').strip()}")
    m = _TABBED.match(body)
    if m:
        return _Body(m.group("nick"), m.group("text").strip())
    m = _NAMED.match(body)
    if m:
        return _Body(m.group("nick").strip(), m.group("text").strip())
    return None


def _parse_clock(text: str) -> time | None:
    """``14:02``, ``14:02:33``, ``14:02:33.5`` or ``10:42 AM``."""
    clock = text.strip().replace("\u202f", " ")
    meridiem = clock[-2:].upper()
    if meridiem in ("AM", "PM"):
        clock = clock[:-2].strip()
    parts = clock.replace(",", ".").split(":")
    try:
        hour, minute = int(parts[0]), int(parts[1])
        second, _, fraction = parts[2].partition(".") if len(parts) > 2 else ("0", "", "")
        micros = int(fraction[:6].ljust(6, "0")) if fraction else 0
        if meridiem in ("AM", "PM"):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem == "PM" else 0)
        return time(hour, minute, int(second), micros)
    except (ValueError, IndexError):
        return None


def _wordy_date(text: str) -> date | None:
    """``Tue Mar 05 2024`` or ``Tue Mar  5 14:00:00 2024`` (irssi), or an ISO date."""
    m = _WORDY_DATE.search(text)
    if m and m.group("mon").lower() in _MONTHS:
        try:
            return date(int(m.group("year")), _MONTHS[m.group("mon").lower()], int(m.group("day")))
        except ValueError:
            return None
    return _iso_date(text)


def _iso_date(text: str) -> date | None:
    m = _ISO_DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@dataclass
class _Pending:
    number: int
    moment: datetime
    assumed: bool
    raw_time: str
    body: _Body
    lines: list[str] = field(default_factory=list)
    #: index in ``lines`` where the lines without a time of their own begin
    first_continuation: int = 0
    edited: bool = False


class _LogReader:
    """Line-by-line state: the current day, the message being assembled, and what was assumed."""

    def __init__(self, path: Path, options: LoadOptions) -> None:
        self.path = path
        self.stem = path.stem
        self.zone: tzinfo = options.tz or UTC
        self.day: date | None = options.date
        self.name_day = _iso_date(path.stem)
        self.last: datetime | None = None
        self.pending: _Pending | None = None
        self.slack_speaker: str | None = None
        self.result = IngestResult(path=str(path), format=ADAPTER.name)
        self.actors: dict[str, Actor] = {}
        self.legacy_lines = 0
        self.assumed_zone = False
        #: runs of line numbers that belong to no message
        self.unmatched: list[list[int]] = []
        #: the last non-blank line before the one being read
        self.previous_line = 0
        self.current_line = 0

    # -- lines -------------------------------------------------------------------------------

    def feed(self, number: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            return
        self.previous_line, self.current_line = self.current_line, number
        marker = _DAY_MARKER.match(stripped)
        if marker:
            self._set_day(_wordy_date(marker.group("rest")))
            return
        header = _DATE_HEADER.match(stripped)
        if header:
            self._set_day(_iso_date(header.group("date")))
            return
        stamped = _STAMPED.match(stripped)
        if stamped and self._stamped(number, stamped):
            return
        if self._slack(number, stripped):
            return
        self._continue(number, line.rstrip())

    def _set_day(self, day: date | None) -> None:
        if day is not None:
            self.day = day
            self.last = None

    def _stamped(self, number: int, m: re.Match[str]) -> bool:
        body = _parse_body(m.group("body"))
        if m.group("clock") or m.group("bclock"):
            if body is None:
                return False  # "10:30 we rolled back" inside a message is text, not a stamp
            clock = m.group("clock") or m.group("bclock")
            self._start(number, self._on_day(number, clock), clock, body)
            return True
        if body is None:
            body = _Body(None, m.group("body").strip(), EventKind.SYSTEM)
        if m.group("dday"):
            raw = f"{m.group('dday')} {m.group('dmon')} {m.group('dtime')}"
            self._start(number, self._dircproxy(number, m), raw, body)
            return True
        day_text = m.group("bdate") or m.group("date")
        clock_text = m.group("btime") or m.group("time")
        raw = f"{day_text} {clock_text}" if m.group("bdate") else m.group(0)[: m.start("body")].strip()
        offset = m.group("offset")
        if offset:
            try:
                aware = datetime.fromisoformat(f"{day_text}T{clock_text.replace(',', '.')}{offset}")
            except ValueError:
                aware = None
            self._start(number, aware, raw, body, assumed=False)
            return True
        day = _iso_date(day_text)
        clock = _parse_clock(clock_text)
        if day is None or clock is None:
            self._start(number, None, raw, body)
            return True
        self.day = day
        moment = datetime.combine(day, clock)
        self.last = moment
        self._start(number, moment, raw, body)
        return True

    def _slack(self, number: int, line: str) -> bool:
        """Slack desktop copy-paste: ``Name  10:42 AM`` headers, optional ``[10:43 AM]`` line stamps."""
        header = _SLACK_HEADER.fullmatch(line)
        if header:
            clock = header.group("clock") or header.group("bclock")
            name = header.group("name").strip()
            self.slack_speaker = name
            self._start(number, self._on_day(number, clock), clock, _Body(name, ""))
            return True
        if self.slack_speaker is None and self.pending is not None:
            return False
        stamp = _SLACK_STAMP.match(line) or _SLACK_BARE_CLOCK.match(line)
        if stamp and self.slack_speaker is not None:
            clock = stamp.group("clock")
            text = stamp.group("text").strip() if "text" in stamp.groupdict() else ""
            self._start(number, self._on_day(number, clock), clock, _Body(self.slack_speaker, text))
            return True
        chrome = _SLACK_CHROME.fullmatch(line)
        if chrome and line.strip():
            self._flush()
            self._slack_day(chrome)
            return True
        return False

    def _slack_day(self, m: re.Match[str]) -> None:
        """A ``Tuesday, March 5th, 2024`` separator sets the day (the year may come from --date)."""
        month = _MONTHS.get((m.group("mon") or "").lower()[:3])
        base = self.day or self.name_day
        year = int(m.group("year")) if m.group("year") else base.year if base else None
        if month is None or year is None:
            return
        try:
            self._set_day(date(year, month, int(m.group("day"))))
        except ValueError:
            return

    def _continue(self, number: int, line: str) -> None:
        if self.pending is None:
            if self.unmatched and self.unmatched[-1][-1] == self.previous_line:
                self.unmatched[-1].append(number)
            else:
                self.unmatched.append([number])
        else:
            self.pending.lines.append(line)

    # -- time ----------------------------------------------------------------------------------

    def _on_day(self, number: int, clock_text: str) -> datetime | None:
        """A clock-only time on the current day; a clock that steps back means the next day."""
        clock = _parse_clock(clock_text)
        if clock is None:
            return None
        if self.day is None:
            self.day = self.name_day
        if self.day is None:
            raise InputError(
                self.path,
                f"line {number} has a time of day ({clock_text}) but the log has no date; "
                "pass --date YYYY-MM-DD",
            )
        moment = datetime.combine(self.day, clock)
        if self.last is not None and moment < self.last - _ROLLBACK_TOLERANCE:
            moment += timedelta(days=1)
            self.day = moment.date()
            self.result.assumptions.append(
                f"{self.path}:{number}: clock went back to {clock_text} with no day-change line; "
                f"read as the next day, {self.day.isoformat()}"
            )
        self.last = max(moment, self.last) if self.last else moment
        return moment

    def _dircproxy(self, number: int, m: re.Match[str]) -> datetime | None:
        """``[14 Jan 10:36]``: the year comes from --date, a date line or the file name."""
        base = self.day or self.name_day
        if base is None:
            raise InputError(
                self.path,
                f"line {number} has no year ({m.group('dday')} {m.group('dmon')}); pass --date YYYY-MM-DD",
            )
        month = _MONTHS.get(m.group("dmon").lower())
        clock = _parse_clock(m.group("dtime"))
        year = base.year
        if self.last is not None and month is not None and month < self.last.month:
            year = self.last.year + 1
            self.result.assumptions.append(
                f"{self.path}:{number}: month went back to {m.group('dmon')}; read as {year}"
            )
        try:
            day = date(year, month or 0, int(m.group("dday")))
        except ValueError:
            return None
        if clock is None:
            return None
        self.day = day
        moment = datetime.combine(day, clock)
        self.last = moment
        return moment

    # -- events --------------------------------------------------------------------------------

    def _start(
        self, number: int, moment: datetime | None, raw: str, body: _Body, *, assumed: bool = True
    ) -> None:
        """Begin a new message; an unreadable time skips the line (and what continues it)."""
        self._flush()
        if moment is None:
            self.result.skipped.append(Skipped(f"{self.path}:{number}", f"unreadable time {raw!r}"))
            return
        self.pending = _Pending(number, moment, assumed, raw, body, [body.text] if body.text else [])
        self.pending.first_continuation = len(self.pending.lines)

    def _flush(self) -> None:
        p = self.pending
        if p is None:
            return
        self.pending = None
        start = p.first_continuation
        # Pasted configs and logs keep their relative indentation, minus the indent they all share.
        lines = p.lines[:start] + textwrap.dedent("\n".join(p.lines[start:])).split("\n")
        edited = False
        for i, line in enumerate(lines):
            if line.endswith(_EDITED) or line == _EDITED.strip():
                lines[i] = line[: -len(_EDITED)].rstrip() if line != _EDITED.strip() else ""
                edited = True
        text = "\n".join(line for line in lines if line)
        body = p.body
        actor = self._actor(body.nick) if body.nick else SYSTEM_ACTOR
        kind = body.kind
        if kind is EventKind.CHAT:
            kind = classify_chat(text, actor.name, False)
        if p.assumed:
            moment = p.moment.replace(tzinfo=self.zone).astimezone(UTC)
            self.assumed_zone = True
        else:
            moment = p.moment.astimezone(UTC)
        self.result.events.append(
            Event(
                id=f"text:{self.stem}:{p.number}",
                time=moment,
                kind=kind,
                source_file=str(self.path),
                source_format=ADAPTER.name,
                actor=actor,
                text=text,
                edited=edited,
                noise=body.noise,
                time_assumed=p.assumed,
                raw_time=p.raw_time,
            )
        )

    def _actor(self, nick: str) -> Actor:
        actor = self.actors.get(nick)
        if actor is None:
            actor = self.actors[nick] = Actor(name=nick)
        return actor

    def finish(self) -> IngestResult:
        self._flush()
        result = self.result
        for run in self.unmatched:
            span = f"line {run[0]}" if len(run) == 1 else f"lines {run[0]}-{run[-1]}"
            result.skipped.append(
                Skipped(f"{self.path}:{span}", "no time or speaker, and no message to continue")
            )
        if not result.events:
            raise InputError(
                self.path,
                "no chat lines recognized (expected lines like '[2024-03-05 14:02] name: text' "
                "or '14:02 <nick> text'); pass --input-format to read it as another format",
            )
        if self.assumed_zone:
            label = getattr(self.zone, "key", None) or str(self.zone)
            hint = "" if self.zone is not UTC else " (pass --tz to change)"
            result.assumptions.insert(0, f"{self.path}: times have no zone; read as {label}{hint}")
        if self.legacy_lines:
            result.assumptions.append(
                f"{self.path}: {self.legacy_lines} line(s) were not UTF-8 and were read as cp1252"
            )
        return result
