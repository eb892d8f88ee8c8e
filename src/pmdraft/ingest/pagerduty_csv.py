"""PagerDuty incident CSV exports (incident list download, Analytics export, API-to-CSV scripts).

No real sample exists and the column set depends on where the CSV came from, so columns are matched by
header name (``created_on``/``created_at``/``Created``, ``resolved_on``, ``seconds_to_first_ack``, ...)
rather than by position. Each row yields the events the incident implies, with the REST adapter's ids
(``pagerduty:<incident id>:trigger|ack|resolve``) so a CSV and an API export of the same incident merge.
Times are whatever the UI showed: ISO or locale-formatted, usually without a zone, so naive ones take
``--tz`` and are flagged as assumed; slash dates are month-first unless a day > 12 proves otherwise.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest.pagerduty import PAGERDUTY

FORMAT = "pagerduty-csv"

#: Field -> header spellings (normalized: lower case, non-alphanumerics as ``_``), best first.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "incident_id", "incident_key_id"),
    "number": ("incident_number", "number", "incident_no", "incident"),
    "title": ("title", "incident_title", "description", "summary", "name"),
    "status": ("status", "current_status", "incident_status"),
    "urgency": ("urgency",),
    "priority": ("priority", "priority_name"),
    "service": ("service", "service_name"),
    "escalation_policy": ("escalation_policy", "escalation_policy_name"),
    "assigned": ("assigned_to", "assigned_to_user", "assignee", "assignees", "assigned_to_name"),
    "created": ("created_on", "created_at", "created", "triggered_at", "triggered_on", "created_date"),
    "acknowledged": ("acknowledged_at", "acknowledged_on", "acknowledged", "first_acknowledged_at", "ack_at"),
    "acknowledged_by": ("acknowledged_by", "acknowledged_by_user", "acknowledged_by_name", "ack_by"),
    "resolved": ("resolved_on", "resolved_at", "resolved", "resolved_date"),
    "resolved_by": ("resolved_by", "resolved_by_user", "resolved_by_name", "last_status_change_by"),
    "seconds_to_ack": ("seconds_to_first_ack", "seconds_to_ack", "time_to_first_ack_seconds"),
    "seconds_to_resolve": ("seconds_to_resolve", "time_to_resolve_seconds"),
    "url": ("html_url", "url", "incident_url", "link"),
}
#: Headers that only a PagerDuty export has; one of them (or urgency + service) must be present.
_MARKERS = ("incident_number", "escalation_policy", "escalation_policy_name", "seconds_to_first_ack")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/\d{2,4}")
_ZONE_WORD = re.compile(r"\s+(?:UTC|GMT|Z)$", re.IGNORECASE)
_TIME_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %H:%M",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S %z",
)


def _norm(header: str) -> str:
    return "number" if header.strip() == "#" else _NON_WORD.sub("_", header.strip().lower()).strip("_")


def _columns(header: list[str]) -> dict[str, int]:
    """Field -> column index by alias; an alias matched earlier wins, each column is used once."""
    names = [_norm(h) for h in header]
    found: dict[str, int] = {}
    for field, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in names and names.index(alias) not in found.values():
                found[field] = names.index(alias)
                break
    return found


def _delimiter(first_line: str) -> str:
    return max(",;\t", key=first_line.count)


class _Times:
    """Parses the export's time cells: ISO first, then the locale forms the UI and scripts write."""

    def __init__(self, tz: tzinfo | None, day_first: bool) -> None:
        self.tz = tz
        self.formats = (
            tuple(f.replace("%m/%d", "%d/%m") for f in _TIME_FORMATS) if day_first else _TIME_FORMATS
        )
        self.assumed = False

    def parse(self, text: str) -> tuple[datetime | None, bool]:
        text = text.strip()
        if not text:
            return None, False
        zoned = bool(_ZONE_WORD.search(text))
        text = _ZONE_WORD.sub("", text)
        moment: datetime | None = None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in self.formats:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            return None, False
        if moment.tzinfo is None:
            if zoned:
                return moment.replace(tzinfo=UTC), False
            self.assumed = True
            return moment.replace(tzinfo=self.tz or UTC).astimezone(UTC), True
        return moment.astimezone(UTC), False


def sniff(source: Source) -> bool:
    """A CSV header with a created column, an incident id or number, and a PagerDuty-only column."""
    head = source.head_text
    if not head or source.looks_like_json:
        return False
    first = head.partition("\n")[0].strip()
    if len(first) > 4000:
        return False
    try:
        header = next(csv.reader([first], delimiter=_delimiter(first)))
    except (csv.Error, StopIteration):
        return False
    columns = _columns(header)
    names = {_norm(h) for h in header}
    pagerduty = any(m in names for m in _MARKERS) or {"urgency", "service"} <= columns.keys()
    return "created" in columns and ("id" in columns or "number" in columns) and pagerduty


def load(source: Source, options: LoadOptions) -> IngestResult:
    """One trigger per row, plus acknowledge and resolve when the row has their time (or duration)."""
    path = str(source.path)
    text = source.text()
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(path, "empty CSV: expected a header row")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    try:
        rows = list(reader)
    except csv.Error as e:
        raise InputError(path, f"broken CSV at line {reader.line_num}: {e}") from None
    columns = _columns(rows[0])
    if "created" not in columns or not ({"id", "number"} & columns.keys()):
        missing = (
            "created column (created_on/created_at)" if "created" not in columns else "id or number column"
        )
        raise InputError(path, f"not a PagerDuty incident CSV: no {missing} in header {rows[0][:8]}")
    result = IngestResult(path=path, format=FORMAT)
    day_first = _day_first([row[columns["created"]] for row in rows[1:] if len(row) > columns["created"]])
    times = _Times(options.tz, day_first)
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        _Row(row, columns, f"{path}: row {number}", result).read(times)
    if times.assumed:
        zone = options.tz or "UTC"
        result.assumptions.append(f"{path}: CSV times carry no zone; read as {zone}")
    if any(_SLASH_DATE.match(row[columns["created"]]) for row in rows[1:] if len(row) > columns["created"]):
        order = "day-first (a day > 12 appears first)" if day_first else "month-first (US)"
        result.assumptions.append(f"{path}: slash dates read {order}")
    result.events.sort(key=sort_key)
    return result


def _day_first(cells: list[str]) -> bool:
    for cell in cells:
        match = _SLASH_DATE.match(cell)
        if match and int(match.group(1)) > 12:
            return True
    return False


class _Row:
    """One CSV row, read by field name; it yields the trigger, acknowledge and resolve it implies."""

    def __init__(self, row: list[str], columns: Mapping[str, int], where: str, result: IngestResult) -> None:
        self.row = row
        self.columns = columns
        self.where = where
        self.result = result

    def cell(self, field: str) -> str:
        index = self.columns.get(field)
        return self.row[index].strip() if index is not None and index < len(self.row) else ""

    def read(self, times: _Times) -> None:
        cell = self.cell
        self.key = cell("id") or (f"#{cell('number')}" if cell("number") else "")
        if not self.key:
            self.skip("row has neither an incident id nor a number")
            return
        created_raw = cell("created")
        created, assumed = times.parse(created_raw)
        if created is None:
            self.skip(f"no usable created time ({created_raw!r})")
            return
        number, title, service, urgency = cell("number"), cell("title"), cell("service"), cell("urgency")
        self.label = (f"[#{number}] " if number else "") + (title or self.key)
        self.attrs = {
            "incident_id": cell("id") or number,
            "service": service,
            "severity": cell("priority") or urgency,
            "status": cell("status").lower(),
            "alert_name": title,
        }
        context = [p for p in (service, f"{urgency} urgency" if urgency else "") if p]
        if cell("assigned"):
            context.append(f"assigned to {cell('assigned')}")
        text = f"Triggered: {self.label}" + (f" ({', '.join(context)})" if context else "")
        actor = Actor(name=service, is_bot=True) if service else PAGERDUTY
        self.add("trigger", (created, created_raw, assumed), EventKind.ALERT_TRIGGER, actor, text)
        for field, seconds, by_field, kind, verb in (
            ("acknowledged", "seconds_to_ack", "acknowledged_by", EventKind.ALERT_ACK, "Acknowledged"),
            ("resolved", "seconds_to_resolve", "resolved_by", EventKind.ALERT_RESOLVE, "Resolved"),
        ):
            when = self._later(times, field, seconds, (created, created_raw, assumed))
            if when is None:
                if cell(field) or (kind is EventKind.ALERT_RESOLVE and self.attrs["status"] == "resolved"):
                    self.skip(f"{verb.lower()} time missing or unusable ({cell(field)!r})")
                continue
            by = cell(by_field)
            text = f"{verb} by {by} ({self.label})" if by else f"{verb} ({self.label})"
            suffix = "ack" if kind is EventKind.ALERT_ACK else "resolve"
            self.add(suffix, when, kind, Actor(name=by) if by else PAGERDUTY, text)

    def _later(
        self, times: _Times, field: str, seconds: str, created: tuple[datetime, str, bool]
    ) -> tuple[datetime, str, bool] | None:
        """(time, raw spelling, assumed) from a timestamp cell, else from created + a seconds-to-X cell."""
        text = self.cell(field)
        if text:
            moment, assumed = times.parse(text)
            return (moment, text, assumed) if moment is not None else None
        try:
            delta = float(self.cell(seconds))
        except ValueError:
            return None
        if delta < 0:
            return None
        moment, raw, assumed = created
        return moment + timedelta(seconds=delta), f"{raw} + {self.cell(seconds)}s", assumed

    def skip(self, reason: str) -> None:
        self.result.skipped.append(Skipped(self.where, reason))

    def add(
        self, suffix: str, when: tuple[datetime, str, bool], kind: EventKind, actor: Actor, text: str
    ) -> None:
        moment, raw, assumed = when
        self.result.events.append(
            Event(
                id=f"pagerduty:{self.key}:{suffix}",
                time=moment,
                kind=kind,
                source_file=self.result.path,
                source_format=FORMAT,
                actor=actor,
                text=text,
                thread_id=f"pagerduty:{self.key}",
                url=self.cell("url") or None,
                is_bot=actor.is_bot,
                time_assumed=assumed,
                raw_time=raw,
                attrs={k: v for k, v in self.attrs.items() if v},
            )
        )


class _PagerDutyCsvAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _PagerDutyCsvAdapter()
