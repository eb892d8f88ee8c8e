"""PagerDuty REST API v2 responses: log entries, incidents, incident notes and incident alerts.

Log entries are the audit trail (``pagerduty:<log entry id>``). An incident object is a summary, so it
yields the events it implies: a trigger at ``created_at``, one event per ``acknowledgements[]`` and
``assignments[]`` item, and a resolve when resolved (``pagerduty:<incident id>:<event>``). References
carry display names in ``summary``; an agent that is a service or integration is a bot. Times can carry
the account's offset (``-05:00``) and are stored in UTC. The webhook and CSV adapters reuse ``Reader``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, parse_iso

FORMAT = "pagerduty"
PAGERDUTY = Actor(name="PagerDuty", is_bot=True)

_HUMAN_TYPES = frozenset({"user_reference", "user"})
#: Log entry type (without ``_log_entry``) -> kind; any other type is a notification.
_LOG_KINDS = {
    "trigger": EventKind.ALERT_TRIGGER,
    "acknowledge": EventKind.ALERT_ACK,
    "resolve": EventKind.ALERT_RESOLVE,
    "annotate": EventKind.ALERT_ANNOTATE,
    "status_update": EventKind.ALERT_ANNOTATE,
    "escalate": EventKind.ALERT_ESCALATE,
    "repeat_escalation_path": EventKind.ALERT_ESCALATE,
    "exhaust_escalation_path": EventKind.ALERT_ESCALATE,
    "delegate": EventKind.ALERT_ESCALATE,
    "responder_request": EventKind.ALERT_ESCALATE,
}
_STATUS_AFTER = {
    EventKind.ALERT_TRIGGER: "triggered",
    EventKind.ALERT_ACK: "acknowledged",
    EventKind.ALERT_RESOLVE: "resolved",
}
_CONTAINERS = ("log_entries", "log_entry", "incidents", "incident", "notes", "alerts")
_SHAPES = {
    "log_entries": "a list of log entries",
    "log_entry": "a log entry object",
    "incidents": "a list of incidents with type 'incident'",
    "incident": "an incident object with type 'incident'",
    "notes": "a list of notes with content and created_at",
    "alerts": "a list of alerts with alert_key",
}
_HINT = re.compile(
    r'"(?:log_entries|log_entry|incidents|incident|notes|alerts)"\s*:|"type"\s*:\s*"(?:\w+_log_entry|incident)"'
)


def ref_actor(ref: Any, default: Actor = PAGERDUTY) -> Actor:
    """The actor a PagerDuty reference names; only user references are people."""
    if not isinstance(ref, dict):
        return default
    name = ref.get("summary") or ref.get("name") or ref.get("email") or ref.get("id")
    if not isinstance(name, str) or not name:
        return default
    ident = ref.get("id")
    return Actor(
        name=name, id=ident if isinstance(ident, str) else None, is_bot=ref.get("type") not in _HUMAN_TYPES
    )


def ref_name(ref: Any) -> str:
    """A reference's display name, or '' (services in webhook v2 use ``name``)."""
    if not isinstance(ref, dict):
        return ""
    name = ref.get("summary") or ref.get("name")
    return name if isinstance(name, str) else ""


def incident_label(incident: Mapping[str, Any]) -> str:
    """``[#1234] The server is on fire.`` as PagerDuty itself prints it."""
    title = incident.get("title") or incident.get("description")
    number = incident.get("incident_number", incident.get("number"))
    if isinstance(title, str) and title:
        return f"[#{number}] {title}" if number is not None else title
    summary = incident.get("summary")
    return summary if isinstance(summary, str) else ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _clean(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


class Reader:
    """Builds events for one input: ids seen (for duplicates), who was already notified, assumed zones."""

    def __init__(self, fmt: str, options: LoadOptions, result: IngestResult) -> None:
        self.fmt = fmt
        self.options = options
        self.result = result
        self.seen: set[str] = set()
        self.notified: set[tuple[str, str]] = set()
        self.assumed = False

    def skip(self, where: str, reason: str) -> None:
        self.result.skipped.append(Skipped(where, reason))

    def add(
        self,
        event_id: str,
        raw_time: Any,
        kind: EventKind,
        actor: Actor,
        text: str,
        where: str,
        attrs: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> bool:
        """Append one event; a missing/unparseable time or a duplicate id is skipped with a reason."""
        moment, assumed = parse_iso(raw_time, self.options.tz)
        if moment is None:
            self.skip(where, f"no usable timestamp ({raw_time!r})")
            return False
        if event_id in self.seen:
            self.skip(where, f"duplicate of {event_id}")
            return False
        self.seen.add(event_id)
        self.assumed = self.assumed or assumed
        self.result.events.append(
            Event(
                id=event_id,
                time=moment,
                kind=kind,
                source_file=self.result.path,
                source_format=self.fmt,
                actor=actor,
                text=text,
                is_bot=actor.is_bot,
                time_assumed=assumed,
                raw_time=str(raw_time),
                attrs={k: v for k, v in (attrs or {}).items() if v},
                **extra,
            )
        )
        return True

    def finish(self) -> IngestResult:
        if self.assumed:
            zone = self.options.tz or "UTC"
            self.result.assumptions.append(f"{self.result.path}: times without a zone read as {zone}")
        self.result.events.sort(key=sort_key)
        return self.result

    # --- log entries ------------------------------------------------------------------------------

    def log_entry(self, entry: Any, where: str) -> None:
        if not isinstance(entry, dict):
            self.skip(where, "log entry is not a JSON object")
            return
        entry_type = entry.get("type")
        if not isinstance(entry_type, str) or not entry_type.endswith("_log_entry"):
            self.skip(where, f"not a log entry (type {entry_type!r})")
            return
        incident = _obj(entry.get("incident"))
        incident_id = _str(incident.get("id"))
        short_type = entry_type.removesuffix("_log_entry")
        # Hand-trimmed exports sometimes drop ids; the incident, type and time still key the entry.
        key = _str(entry.get("id")) or f"{incident_id or 'unknown'}:{short_type}:{entry.get('created_at')}"
        if "created_at" not in entry:
            self.skip(where, f"log entry {key} has no created_at")
            return
        kind = _LOG_KINDS.get(short_type, EventKind.ALERT_NOTIFY)
        words = short_type.replace("_", " ")
        summary = _clean(entry.get("summary")).rstrip(".") or words
        detail = _entry_detail(entry, kind, incident)
        text = summary + (f": {detail}" if detail else "")
        label = ref_name(incident)
        if label:
            text += f" ({label})"
        url = entry.get("html_url") or incident.get("html_url")
        self.add(
            f"pagerduty:{key}",
            entry.get("created_at"),
            kind,
            ref_actor(entry.get("agent")),
            text,
            where,
            thread_id=f"pagerduty:{incident_id}" if incident_id else None,
            url=url if isinstance(url, str) else None,
            noise=self._repeat_notification(entry, incident_id),
            attrs={
                "incident_id": incident_id,
                "service": ref_name(entry.get("service")),
                "status": _STATUS_AFTER.get(kind, ""),
            },
        )

    def _repeat_notification(self, entry: Mapping[str, Any], incident_id: str) -> bool:
        """PagerDuty logs one notify entry per channel per user; only the first per user is signal."""
        if entry.get("type") != "notify_log_entry":
            return False
        user = entry.get("user")
        who = str(user.get("id") or user.get("summary")) if isinstance(user, dict) else ""
        key = (incident_id, who)
        if key in self.notified:
            return True
        self.notified.add(key)
        return False

    # --- incidents --------------------------------------------------------------------------------

    def incident(self, incident: Any, where: str) -> None:
        """The events an incident object implies: trigger, assignments, acknowledgements, resolve."""
        if not isinstance(incident, dict):
            self.skip(where, "incident is not a JSON object")
            return
        iid = incident.get("id")
        if not isinstance(iid, str) or not iid:
            self.skip(where, "incident without an id")
            return
        label = incident_label(incident) or iid
        service = ref_name(incident.get("service"))
        severity = ref_name(incident.get("priority")) or _clean(incident.get("urgency"))
        url = incident.get("html_url")
        common: dict[str, Any] = {
            "thread_id": f"pagerduty:{iid}",
            "url": url if isinstance(url, str) else None,
        }
        base = {
            "incident_id": iid,
            "service": service,
            "severity": severity,
            "alert_name": _clean(incident.get("title")),
        }
        self.incident_trigger(incident, where)
        for n, item in enumerate(_dicts(incident.get("assignments")), 1):
            who = ref_actor(item.get("assignee"))
            self.add(
                f"pagerduty:{iid}:assign:{item.get('at')}:{who.id or who.name}",
                item.get("at"),
                EventKind.ALERT_NOTIFY,
                PAGERDUTY,
                f"Assigned to {who.name} ({label})",
                f"{where}: assignments {n}",
                attrs=base,
                **common,
            )
        for n, item in enumerate(_dicts(incident.get("acknowledgements")), 1):
            who = ref_actor(item.get("acknowledger"))
            self.add(
                f"pagerduty:{iid}:ack:{item.get('at')}",
                item.get("at"),
                EventKind.ALERT_ACK,
                who,
                f"Acknowledged by {who.name} ({label})",
                f"{where}: acknowledgements {n}",
                attrs={**base, "status": "acknowledged"},
                **common,
            )
        if incident.get("status") == "resolved":
            by = incident.get("last_status_change_by")
            who = ref_actor(by)
            text = (f"Resolved by {who.name}" if isinstance(by, dict) else "Resolved") + f" ({label})"
            self.add(
                f"pagerduty:{iid}:resolve",
                incident.get("resolved_at") or incident.get("last_status_change_at"),
                EventKind.ALERT_RESOLVE,
                who,
                text,
                f"{where}: resolved",
                attrs={**base, "status": "resolved"},
                **common,
            )

    def incident_trigger(self, incident: Mapping[str, Any], where: str) -> None:
        """The trigger an incident implies, at ``created_at``, attributed to its service."""
        iid = str(incident.get("id"))
        service = ref_name(incident.get("service"))
        urgency = _clean(incident.get("urgency"))
        context = ", ".join(p for p in (service, f"{urgency} urgency" if urgency else "") if p)
        service_actor = ref_actor(incident.get("service"))
        url = incident.get("html_url")
        self.add(
            f"pagerduty:{iid}:trigger",
            incident.get("created_at"),
            EventKind.ALERT_TRIGGER,
            Actor(service_actor.name, service_actor.id, is_bot=True),
            f"Triggered: {incident_label(incident) or iid}" + (f" ({context})" if context else ""),
            f"{where}: created_at",
            attrs={
                "incident_id": iid,
                "service": service,
                "severity": ref_name(incident.get("priority")) or urgency,
                "alert_name": _clean(incident.get("title")),
                "status": "triggered",
            },
            thread_id=f"pagerduty:{iid}",
            url=url if isinstance(url, str) else None,
        )

    # --- notes and alerts -------------------------------------------------------------------------

    def note(self, note: Any, where: str) -> None:
        if not isinstance(note, dict) or not isinstance(note.get("id"), str):
            self.skip(where, "note without an id")
            return
        content = _clean(note.get("content"))
        if not content:
            self.skip(where, f"note {note['id']} has no content")
            return
        incident = _obj(note.get("incident"))
        incident_id = _str(incident.get("id"))
        label = ref_name(incident)
        self.add(
            f"pagerduty:note:{note['id']}",
            note.get("created_at"),
            EventKind.ALERT_ANNOTATE,
            ref_actor(note.get("user")),
            f"Note: {content}" + (f" ({label})" if label else ""),
            where,
            thread_id=f"pagerduty:{incident_id}" if incident_id else None,
            attrs={"incident_id": incident_id},
        )

    def alert(self, alert: Any, where: str) -> None:
        if not isinstance(alert, dict) or not isinstance(alert.get("id"), str):
            self.skip(where, "alert without an id")
            return
        incident = _obj(alert.get("incident"))
        incident_id = _str(incident.get("id"))
        service = ref_name(alert.get("service"))
        severity = _clean(alert.get("severity"))
        context = ", ".join(p for p in (service, severity) if p)
        url = alert.get("html_url")
        self.add(
            f"pagerduty:alert:{alert['id']}",
            alert.get("created_at"),
            EventKind.ALERT_TRIGGER,
            ref_actor(alert.get("integration"), ref_actor(alert.get("service"))),
            f"Alert: {_clean(alert.get('summary')) or alert['id']}" + (f" ({context})" if context else ""),
            where,
            thread_id=f"pagerduty:{incident_id}" if incident_id else None,
            url=url if isinstance(url, str) else None,
            attrs={
                "incident_id": incident_id,
                "service": service,
                "severity": severity,
                "status": _clean(alert.get("status")),
            },
        )


def _entry_detail(entry: Mapping[str, Any], kind: EventKind, incident: Mapping[str, Any]) -> str:
    """The note of an annotate/resolve entry, or the trigger's event description."""
    note = entry.get("note")
    channel = _obj(entry.get("channel"))
    if not isinstance(note, str) and kind is EventKind.ALERT_ANNOTATE:
        note = channel.get("summary")
    if isinstance(note, str) and note.strip():
        return _clean(note)
    if kind is EventKind.ALERT_TRIGGER:
        details = entry.get("event_details")
        description = _clean(details.get("description")) if isinstance(details, dict) else ""
        if description and description != ref_name(incident):
            return description
    return ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- the adapter ----------------------------------------------------------------------------------


def _is_incident(value: Any) -> bool:
    """PagerDuty's incident objects say so (``type``) and carry a number; other tools' ``incident`` do not."""
    return isinstance(value, dict) and (value.get("type") == "incident" or "incident_number" in value)


def _container(doc: Mapping[str, Any]) -> str | None:
    """Which REST response this is (its top-level key), or None."""
    if "messages" in doc or "event" in doc:
        return None
    for key in _CONTAINERS:
        if key not in doc:
            continue
        value = doc[key]
        if key in ("log_entry", "incident"):
            good = isinstance(value, dict) and (key == "log_entry" or _is_incident(value))
            return key if good else None
        if not isinstance(value, list):
            return None
        first = value[0] if value else None
        if key == "incidents":
            return key if first is None or _is_incident(first) else None
        if key == "alerts":
            good = isinstance(first, dict) and ("alert_key" in first or first.get("type") == "alert")
            return key if good else None
        if key == "notes":
            return key if isinstance(first, dict) and "content" in first and "created_at" in first else None
        return key
    return None


def _item_type(item: Any) -> str | None:
    kind = item.get("type") if isinstance(item, dict) else None
    if not isinstance(kind, str):
        return None
    if kind.endswith("_log_entry"):
        return "log_entries"
    return "incidents" if kind == "incident" else None


def sniff(source: Source) -> bool:
    """A REST response keyed ``log_entries``/``incident(s)``/``notes``/``alerts``, or a bare list of them."""
    if not source.looks_like_json or not _HINT.search(source.head_text):
        return False
    try:
        doc = source.json()
    except InputError:
        return False
    if isinstance(doc, dict):
        return _container(doc) is not None or _item_type(doc) == "incidents"
    return isinstance(doc, list) and bool(doc) and _item_type(doc[0]) is not None


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Dispatch on the response's top-level key (or on each item's ``type`` in a bare list)."""
    path = str(source.path)
    doc = source.json()
    reader = Reader(FORMAT, options, IngestResult(path=path, format=FORMAT))
    if isinstance(doc, list):
        for n, item in enumerate(doc, 1):
            kind = _item_type(item)
            if kind is None:
                reader.skip(f"{path}: item {n}", "neither a log entry nor an incident")
            else:
                _read_item(reader, kind, item, f"{path}: item {n}")
        return reader.finish()
    if not isinstance(doc, dict):
        raise InputError(path, "expected a PagerDuty REST response object or array")
    key = _container(doc) or ("incidents" if _item_type(doc) == "incidents" else None)
    if key is None:
        present = [k for k in _CONTAINERS if k in doc]
        if present:
            expected = _SHAPES[present[0]]
            raise InputError(path, f"'{present[0]}' is not in PagerDuty's shape (expected {expected})")
        raise InputError(
            path, "not a PagerDuty REST response: no 'log_entries', 'incident(s)', 'notes' or 'alerts' key"
        )
    value = doc.get(key, doc)
    items = value if isinstance(value, list) else [value]
    plural = {"log_entry": "log_entries", "incident": "incidents"}.get(key, key)
    for n, item in enumerate(items, 1):
        _read_item(
            reader, plural, item, f"{path}: {key}[{n}]" if isinstance(value, list) else f"{path}: {key}"
        )
    return reader.finish()


def _read_item(reader: Reader, kind: str, item: Any, where: str) -> None:
    if kind == "log_entries":
        reader.log_entry(item, where)
    elif kind == "incidents":
        reader.incident(item, where)
    elif kind == "notes":
        reader.note(item, where)
    else:
        reader.alert(item, where)


class _PagerDutyAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _PagerDutyAdapter()
