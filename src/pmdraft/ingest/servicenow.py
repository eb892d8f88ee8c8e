"""ServiceNow Table API JSON: incident records and ``sys_journal_field`` comment/work-note rows.

Raw Table API times (``2019-09-26 21:19:11``) carry no zone but are documented UTC, so they are
read as UTC and not marked assumed. With ``sysparm_display_value=true`` the same fields are
rendered in the exporting user's zone and date format, which the file does not state: those times
take ``--tz`` and are marked assumed. With ``=all`` every field is ``{display_value, value}`` and
the raw ``value`` is used for times.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest._ticket_text import first_part

__all__ = ["ADAPTER"]

NAME = "servicenow"
_UNKNOWN = Actor(name="unknown")
_RAW_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")
_CHOICE_FIELDS = ("state", "incident_state", "priority", "impact", "urgency")
_STATES = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"}
#: Date formats a user profile can choose; day/month order is tried both ways and must not be ambiguous.
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%Y", "%m/%d/%Y")
_CLOCK_FORMATS = ("%H:%M:%S", "%I:%M:%S %p", "%H:%M")
_BLOB_HEADER = re.compile(
    r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) - (.+?) \((Work notes|Additional comments)\)$", re.MULTILINE
)
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_BLOB_FIELDS = {"Work notes": "work_notes", "Additional comments": "comments"}


def _raw(value: object) -> object:
    return value.get("value") if isinstance(value, dict) else value


def _shown(value: object) -> str:
    """What a person would read: the display value of a reference or choice, else the value."""
    if isinstance(value, dict):
        value = value.get("display_value") or value.get("value")
    return value if isinstance(value, str) else ""


def _is_record(item: object) -> bool:
    return isinstance(item, dict) and "sys_id" in item and ("sys_created_on" in item or "opened_at" in item)


def _is_journal(item: object) -> bool:
    return (
        isinstance(item, dict)
        and _is_record(item)
        and all(k in item for k in ("element", "element_id", "value"))
    )


def _records(data: object) -> list[Any] | None:
    """The records of a Table API response, a bare list, or a one-key wrapper around journal rows."""
    if isinstance(data, dict):
        result = data.get("result")
        if isinstance(result, dict | list):
            records = result if isinstance(result, list) else [result]
            return records if records and _is_record(records[0]) else None
        if _is_record(data):
            return [data]
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1 and lists[0] and _is_journal(lists[0][0]):
            return lists[0]
        return None
    if isinstance(data, list) and data and _is_record(data[0]):
        return data
    return None


def sniff(source: Source) -> bool:
    """``sys_id`` next to ``sys_created_on``/``opened_at`` appears in ServiceNow records only."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    if '"sys_id"' not in head or ('"sys_created_on"' not in head and '"opened_at"' not in head):
        return False
    try:
        data = source.json()
    except InputError:
        return True
    return _records(data) is not None


def _mode(record: dict[str, Any]) -> str:
    """``raw`` (UTC values), ``all`` (``{display_value, value}`` pairs) or ``display`` (user's zone)."""
    for value in record.values():
        if isinstance(value, dict) and "display_value" in value:
            return "all" if "value" in value else "display"
    for name in _CHOICE_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and value and not value.lstrip("-").isdigit():
            return "display"
    for name in ("sys_created_on", "opened_at"):
        value = record.get(name)
        if isinstance(value, str) and value and not _RAW_TIME.match(value):
            return "display"
    return "raw"


def parse_display_time(text: str, zone: tzinfo) -> datetime | None:
    """A display-value time in the user's format, or None when unreadable or day/month ambiguous."""
    found: set[datetime] = set()
    for date_format in _DATE_FORMATS:
        for clock_format in _CLOCK_FORMATS:
            try:
                found.add(datetime.strptime(text.strip(), f"{date_format} {clock_format}"))
            except ValueError:
                continue
    if len(found) != 1:
        return None
    return found.pop().replace(tzinfo=zone).astimezone(UTC)


class _Reader:
    """The events of one file, with the display-value assumption noted once."""

    def __init__(self, source: Source, options: LoadOptions) -> None:
        self.path = str(source.path)
        self.zone = options.tz or UTC
        self.result = IngestResult(path=self.path, format=NAME)
        self._assumed_noted = False
        self.instance: str | None = None

    def skip(self, what: str, reason: str) -> None:
        self.result.skipped.append(Skipped(f"{self.path}: {what}", reason))

    def time(self, value: object, mode: str, what: str) -> tuple[datetime, bool, str] | None:
        """(UTC time, assumed, source spelling); raw values are UTC by definition, display values are not."""
        text = _raw(value) if mode != "display" else _shown(value)
        if not isinstance(text, str) or not text.strip():
            self.skip(what, "no timestamp")
            return None
        if mode != "display" and _RAW_TIME.match(text):
            return datetime.fromisoformat(text).replace(tzinfo=UTC), False, text
        moment = parse_display_time(text, self.zone)
        if moment is None:
            self.skip(what, f"unparseable or day/month-ambiguous timestamp {text!r}")
            return None
        self.note_assumption()
        return moment, True, text

    def note_assumption(self) -> None:
        if not self._assumed_noted:
            self._assumed_noted = True
            zone = getattr(self.zone, "key", None) or str(self.zone)
            self.result.assumptions.append(
                f"{self.path}: ServiceNow display values are in the exporting user's zone; read as {zone}"
            )

    def event(
        self,
        id_: str,
        kind: EventKind,
        when: tuple[datetime, bool, str],
        actor: Actor,
        text: str,
        thread: str,
        url: str | None,
        attrs: dict[str, str],
    ) -> None:
        self.result.events.append(
            Event(
                id=id_,
                time=when[0],
                kind=kind,
                source_file=self.path,
                source_format=NAME,
                actor=actor,
                text=text,
                thread_id=f"servicenow:{thread}",
                url=url,
                is_bot=actor.is_bot,
                time_assumed=when[1],
                raw_time=when[2],
                attrs=attrs,
            )
        )

    def person(self, record: dict[str, Any], reference: str, fallback: str | None = None) -> Actor:
        """A reference's display name; raw references carry only a sys_id, so a user name stands in."""
        value = record.get(reference)
        name = value.get("display_value") if isinstance(value, dict) else None
        uid = _raw(value)
        link = value.get("link") if isinstance(value, dict) else None
        if not uid and isinstance(link, str) and "/api/now/table/" in link:
            uid = link.rstrip("/").rsplit("/", 1)[-1]
        uid = uid if isinstance(uid, str) and uid else None
        if not (isinstance(name, str) and name) and fallback:
            name = _shown(record.get(fallback))
        name = name if isinstance(name, str) and name else uid
        return Actor(name=name, id=uid or name) if name else _UNKNOWN

    def incident(self, record: dict[str, Any], mode: str) -> None:
        number, sys_id = _shown(record.get("number")), str(_raw(record.get("sys_id")) or "")
        key = number or sys_id
        table = str(_raw(record.get("sys_class_name")) or "")
        table = table if _TABLE_NAME.match(table) else "incident"
        url = (
            f"{self.instance}/nav_to.do?uri={table}.do?sys_id={sys_id}" if self.instance and sys_id else None
        )
        thread = sys_id or key
        attrs = {"ticket_key": key}
        if sys_id:
            attrs["sys_id"] = sys_id
        if _shown(record.get("priority")):
            attrs["priority"] = _shown(record.get("priority"))
        opened = record.get("opened_at") or record.get("sys_created_on")
        when = self.time(opened, mode, f"{key} (opened)")
        if when is not None:
            summary = _shown(record.get("short_description")).strip()
            description = first_part(_shown(record.get("description")))
            text = "\n\n".join(p for p in (summary, description) if p) or f"Incident {key} opened"
            actor = self.person(record, "opened_by", "sys_created_by")
            self.event(f"servicenow:{key}", EventKind.TICKET_CREATED, when, actor, text, thread, url, attrs)
        for field, label, by in (
            ("resolved_at", "Resolved", "resolved_by"),
            ("closed_at", "Closed", "closed_by"),
        ):
            if not _raw(record.get(field)):
                continue
            when = self.time(record.get(field), mode, f"{key} ({field})")
            if when is None:
                continue
            notes = " ".join(
                p for p in (_shown(record.get("close_code")), _shown(record.get("close_notes"))) if p
            )
            text = f"{label}: {first_part(notes)}" if notes else label
            status = {**attrs, "status_to": label}
            actor = self.person(record, by)
            id_ = f"servicenow:{key}:{label.lower()}"
            self.event(id_, EventKind.TICKET_STATUS, when, actor, text, thread, url, status)
        for field in ("comments", "work_notes"):
            blob = _shown(record.get(field))
            if blob.strip():
                self.blob(blob, key, thread, url, attrs)

    def blob(self, blob: str, key: str, thread: str, url: str | None, attrs: dict[str, str]) -> None:
        """A journal field read off the record: ``<time> - <name> (Work notes)`` entries, newest first."""
        headers = list(_BLOB_HEADER.finditer(blob))
        if not headers:
            self.skip(f"{key} journal text", "no '<time> - <name> (Work notes)' entries to read")
            return
        for n, match in enumerate(headers):
            end = headers[n + 1].start() if n + 1 < len(headers) else len(blob)
            element = _BLOB_FIELDS[match.group(3)]
            index = len(headers) - 1 - n
            moment = parse_display_time(match.group(1), self.zone)
            if moment is None:
                self.skip(f"{key} {element} entry {index}", f"unparseable timestamp {match.group(1)!r}")
                continue
            self.note_assumption()
            when = (moment, True, match.group(1))
            entry = {**attrs, "field": element}
            if element == "work_notes":
                entry["visibility"] = "internal"
            actor = Actor(name=match.group(2), id=None)
            text = blob[match.end() : end].strip()
            id_ = f"servicenow:{key}:{element}:{index}"
            self.event(id_, EventKind.TICKET_COMMENT, when, actor, text, thread, url, entry)

    def journal(self, row: dict[str, Any], mode: str) -> None:
        sys_id = str(_raw(row.get("sys_id")) or "")
        text = _shown(row.get("value")).strip()
        if not text:
            self.skip(f"journal {sys_id}", "empty journal entry")
            return
        when = self.time(row.get("sys_created_on"), mode, f"journal {sys_id}")
        if when is None:
            return
        element = str(_raw(row.get("element")) or "")
        parent = str(_raw(row.get("element_id")) or "")
        attrs = {"ticket_key": parent, "field": element}
        if element == "work_notes":
            attrs["visibility"] = "internal"
        author = _shown(row.get("sys_created_by"))
        actor = Actor(name=author, id=author) if author else _UNKNOWN
        self.event(
            f"servicenow:journal:{sys_id}", EventKind.TICKET_COMMENT, when, actor, text, parent, None, attrs
        )


def _instance(records: list[Any]) -> str | None:
    """The instance base URL from any reference ``link`` (``https://x.service-now.com/api/now/...``)."""
    for record in records:
        for value in record.values() if isinstance(record, dict) else ():
            link = value.get("link") if isinstance(value, dict) else None
            if isinstance(link, str) and "/api/now/" in link and link.startswith("https://"):
                return link.split("/api/now/", 1)[0]
    return None


class ServiceNowAdapter:
    """``--input-format servicenow``."""

    name = NAME
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        records = _records(source.json())
        if records is None:
            raise InputError(
                source.path,
                "not a ServiceNow Table API export: expected {result: {...}} or {result: [...]} with "
                "incident or sys_journal_field records (sys_id, sys_created_on)",
            )
        reader = _Reader(source, options)
        reader.instance = _instance(records)
        for record in records:
            if not _is_record(record):
                reader.skip("record", "not a ServiceNow record (no sys_id)")
            elif _is_journal(record):
                reader.journal(record, _mode(record))
            else:
                reader.incident(record, _mode(record))
        return reader.result


ADAPTER = ServiceNowAdapter()
