"""Opsgenie alert webhooks (``action`` + ``alert{}``) and Alert API responses (``data`` alert or list).

Webhook times mix units: ``createdAt`` is epoch milliseconds while ``updatedAt``/``insertedAt`` are epoch
nanoseconds (19 digits, beyond float precision), so every epoch value is read as an exact integer and its
unit is taken from its magnitude. An action happened at ``updatedAt``; ``Create`` at ``createdAt``.
The Alert API gives ISO strings and a ``report`` with ack/close durations, from which the acknowledge and
close events are derived. Ids: ``opsgenie:<alertId>:create`` for both shapes, so they merge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, from_epoch, parse_iso
from pmdraft.ingest._payload import first_payload, payloads

FORMAT = "opsgenie"
OPSGENIE = Actor(name="Opsgenie", is_bot=True)

#: Webhook action -> (kind, verb for the timeline); any other action is a notification.
_ACTIONS = {
    "Create": (EventKind.ALERT_TRIGGER, "Triggered"),
    "Acknowledge": (EventKind.ALERT_ACK, "Acknowledged"),
    "UnAcknowledge": (EventKind.ALERT_NOTIFY, "Unacknowledged"),
    "AddNote": (EventKind.ALERT_ANNOTATE, "Note"),
    "Close": (EventKind.ALERT_RESOLVE, "Closed"),
    "Escalate": (EventKind.ALERT_ESCALATE, "Escalated"),
    "EscalateNext": (EventKind.ALERT_ESCALATE, "Escalated"),
    "AssignOwnership": (EventKind.ALERT_ESCALATE, "Assigned"),
    "AddRecipient": (EventKind.ALERT_ESCALATE, "Recipient added"),
    "AddTeam": (EventKind.ALERT_ESCALATE, "Team added"),
    "AddResponder": (EventKind.ALERT_ESCALATE, "Responder added"),
    "TakeOwnership": (EventKind.ALERT_NOTIFY, "Ownership taken"),
    "Delete": (EventKind.ALERT_NOTIFY, "Deleted"),
}
_WEBHOOK_HINT = re.compile(r'"action"\s*:')
_API_HINT = re.compile(r'"data"\s*:')
_ALERT_HINT = re.compile(r'"(?:alertId|tinyId)"\s*:')
_SYSTEM_USERS = frozenset({"", "system", "alert api", "opsgenie"})
_NANOS, _MICROS, _MILLIS = 10**17, 10**14, 10**11


def epoch_auto(value: Any) -> datetime | None:
    """An epoch int (or digit string) in s, ms, µs or ns, told apart by magnitude (no float on the way)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        return None
    size = abs(value)
    if size >= _NANOS:
        return from_epoch(value, "ns")
    if size >= _MICROS:
        return from_epoch(value * 1000, "ns")
    return from_epoch(value, "ms") if size >= _MILLIS else from_epoch(value, "s")


def _is_webhook(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("action"), str)
        and isinstance(value.get("alert"), dict)
    )


def _is_api_alert(value: Any) -> bool:
    return isinstance(value, dict) and "tinyId" in value and "createdAt" in value and "action" not in value


def _api_alerts(doc: Any) -> list[Any] | None:
    """The alerts of an Alert API response (``data`` object or list), else None."""
    data = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(data, dict) and _is_api_alert(data):
        return [data]
    if isinstance(data, list) and data and _is_api_alert(data[0]):
        return data
    return None


def sniff(source: Source) -> bool:
    """A webhook (``action`` with an ``alert`` carrying ``alertId``) or an Alert API ``data`` response."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    if not _ALERT_HINT.search(head) or not (_WEBHOOK_HINT.search(head) or _API_HINT.search(head)):
        return False
    first = first_payload(source)
    return _is_webhook(first) or _api_alerts(first) is not None


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Webhook deliveries (one or a list) and Alert API alerts, sorted by time."""
    path = str(source.path)
    doc = source.json()
    result = IngestResult(path=path, format=FORMAT)
    usable = 0
    seen: set[str] = set()
    for where, item in payloads(doc, path):
        alerts = _api_alerts(item)
        if _is_webhook(item):
            usable += 1
            _webhook_event(item, where, result, seen)
        elif alerts is not None:
            usable += 1
            for m, alert in enumerate(alerts, 1):
                _api_events(alert, f"{where}: data[{m}]", options, result, seen)
        else:
            result.skipped.append(
                Skipped(where, "neither a webhook ('action' + 'alert') nor an API 'data' alert")
            )
    if not usable:
        raise InputError(
            path, "no Opsgenie alert: expected 'action' with an 'alert' object, or 'data' alerts"
        )
    if any(e.time_assumed for e in result.events):
        result.assumptions.append(f"{path}: Alert API times without a zone read as {options.tz or 'UTC'}")
    if any(e.id.endswith((":ack", ":close")) for e in result.events):
        result.assumptions.append(f"{path}: report.ackTime/closeTime read as milliseconds after createdAt")
    result.events.sort(key=sort_key)
    return result


def _alert_attrs(alert: Mapping[str, Any], status: str) -> dict[str, str]:
    priority = alert.get("priority")
    if isinstance(priority, int) and not isinstance(priority, bool):
        priority = f"P{priority}"
    tiny = alert.get("tinyId")
    return {
        k: v
        for k, v in {
            "alert_name": _text(alert.get("message")),
            "severity": priority if isinstance(priority, str) else "",
            "service": _text(alert.get("entity")),
            "status": status,
            "incident_id": str(tiny) if tiny is not None else "",
        }.items()
        if v
    }


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _user(name: Any, ident: Any = None) -> Actor:
    """The person who acted; Opsgenie writes ``System`` (or nothing) when no person did."""
    text = _text(name)
    if text.lower() in _SYSTEM_USERS:
        return OPSGENIE
    return Actor(name=text, id=ident if isinstance(ident, str) and ident else None)


def _append(result: IngestResult, seen: set[str], where: str, event: Event) -> None:
    if event.id in seen:
        result.skipped.append(Skipped(where, f"duplicate of {event.id}"))
        return
    seen.add(event.id)
    result.events.append(event)


def _alert_event(
    result: IngestResult,
    alert: Mapping[str, Any],
    alert_id: str,
    suffix: str,
    moment: datetime,
    kind: EventKind,
    actor: Actor,
    text: str,
    raw_time: str,
    status: str,
    *,
    assumed: bool,
) -> Event:
    """One event of an alert; webhook and API events share the id scheme so the two shapes merge."""
    return Event(
        id=f"opsgenie:{alert_id}:{suffix}",
        time=moment,
        kind=kind,
        source_file=result.path,
        source_format=FORMAT,
        actor=actor,
        text=text,
        thread_id=f"opsgenie:{alert_id}",
        is_bot=actor.is_bot,
        time_assumed=assumed,
        raw_time=raw_time,
        attrs=_alert_attrs(alert, status),
    )


def _webhook_event(payload: Mapping[str, Any], where: str, result: IngestResult, seen: set[str]) -> None:
    action = str(payload["action"])
    alert = payload["alert"]
    alert_id = alert.get("alertId")
    if not isinstance(alert_id, str) or not alert_id:
        result.skipped.append(Skipped(where, f"{action} without alert.alertId"))
        return
    kind, verb = _ACTIONS.get(action, (EventKind.ALERT_NOTIFY, action))
    field = (
        "createdAt"
        if action == "Create"
        else next((f for f in ("updatedAt", "insertedAt") if f in alert), "")
    )
    raw = alert.get(field) if field else None
    moment = epoch_auto(raw)
    if moment is None:
        result.skipped.append(Skipped(where, f"{action} has no usable {field or 'updatedAt'} ({raw!r})"))
        return
    message = _text(alert.get("message")) or alert_id
    note = _text(alert.get("note"))
    text = f"{verb}: {note} ({message})" if note else f"{verb}: {message}"
    if kind is EventKind.ALERT_TRIGGER and _text(alert.get("entity")):
        text += f" on {_text(alert.get('entity'))}"
    actor = _user(alert.get("username"), alert.get("userId"))
    suffix = "create" if action == "Create" else f"{action.lower()}:{raw}"
    status = {"Create": "open", "Close": "closed", "Acknowledge": "acknowledged"}.get(action, "")
    _append(
        result,
        seen,
        where,
        _alert_event(
            result, alert, alert_id, suffix, moment, kind, actor, text, str(raw), status, assumed=False
        ),
    )


def _api_events(
    alert: Mapping[str, Any], where: str, options: LoadOptions, result: IngestResult, seen: set[str]
) -> None:
    """Trigger at ``createdAt``; acknowledge/close at createdAt + ``report.ackTime``/``closeTime`` (ms)."""
    alert_id = alert.get("id")
    if not isinstance(alert_id, str) or not alert_id:
        result.skipped.append(Skipped(where, "alert without an id"))
        return
    raw = alert.get("createdAt")
    created, assumed = parse_iso(raw, options.tz)
    if created is None:
        result.skipped.append(Skipped(where, f"alert {alert_id} has no usable createdAt ({raw!r})"))
        return
    message = _text(alert.get("message")) or alert_id
    status = _text(alert.get("status"))
    integration = _obj(alert.get("integration"))
    source_name = _text(integration.get("name")) or _text(alert.get("source"))
    creator = Actor(name=source_name, is_bot=True) if source_name else OPSGENIE
    report = _obj(alert.get("report"))
    steps = [("create", created, str(raw), EventKind.ALERT_TRIGGER, creator, f"Triggered: {message}")]
    for key, by_key, suffix, kind, verb in (
        ("ackTime", "acknowledgedBy", "ack", EventKind.ALERT_ACK, "Acknowledged"),
        ("closeTime", "closedBy", "close", EventKind.ALERT_RESOLVE, "Closed"),
    ):
        millis = report.get(key)
        if isinstance(millis, int) and not isinstance(millis, bool) and millis >= 0:
            actor = _user(report.get(by_key))
            steps.append(
                (
                    suffix,
                    created + timedelta(milliseconds=millis),
                    f"{raw} + {millis}ms",
                    kind,
                    actor,
                    f"{verb}: {message}",
                )
            )
        elif kind is EventKind.ALERT_RESOLVE and status == "closed":
            result.skipped.append(
                Skipped(where, f"alert {alert_id} is closed but report.closeTime is missing")
            )
    for suffix, moment, raw_time, kind, actor, text in steps:
        _append(
            result,
            seen,
            where,
            _alert_event(
                result, alert, alert_id, suffix, moment, kind, actor, text, raw_time, status, assumed=assumed
            ),
        )


class _OpsgenieAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _OpsgenieAdapter()
