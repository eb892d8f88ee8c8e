"""PagerDuty webhooks: V3 (``{"event": {event_type, occurred_at, data}}``) and legacy V2 (``messages[]``).

V3 delivers at least once and out of order, so events are keyed by the webhook event id
(``pagerduty:<event id>``), a repeat delivery is dropped, and the stream is sorted. ``data`` changes shape
with the type: an incident for status events, an ``incident_note`` for ``incident.annotated``. V2
payloads (end of support 2022) embed REST-shaped log entries, read exactly as the REST adapter reads them
so the same entry from both sources gets the same id, plus a full incident whose trigger they imply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest._common import IngestResult, LoadOptions, Source
from pmdraft.ingest._payload import first_payload, payloads
from pmdraft.ingest.pagerduty import PAGERDUTY, Reader, incident_label, ref_actor, ref_name

FORMAT = "pagerduty-webhook"

#: V3 event type -> (kind, verb for the timeline).
_V3_KINDS = {
    "incident.triggered": (EventKind.ALERT_TRIGGER, "Triggered"),
    "incident.reopened": (EventKind.ALERT_TRIGGER, "Reopened"),
    "incident.acknowledged": (EventKind.ALERT_ACK, "Acknowledged"),
    "incident.unacknowledged": (EventKind.ALERT_NOTIFY, "Unacknowledged"),
    "incident.resolved": (EventKind.ALERT_RESOLVE, "Resolved"),
    "incident.escalated": (EventKind.ALERT_ESCALATE, "Escalated"),
    "incident.reassigned": (EventKind.ALERT_ESCALATE, "Reassigned"),
    "incident.delegated": (EventKind.ALERT_ESCALATE, "Delegated"),
    "incident.responder.added": (EventKind.ALERT_ESCALATE, "Responder added"),
    "incident.responder.replied": (EventKind.ALERT_NOTIFY, "Responder replied"),
    "incident.annotated": (EventKind.ALERT_ANNOTATE, "Note"),
    "incident.status_update_published": (EventKind.ALERT_ANNOTATE, "Status update"),
    "incident.priority_updated": (EventKind.ALERT_NOTIFY, "Priority updated"),
}
#: V2 message ``event`` -> kind, used only when a message carries no log entries.
_V2_KINDS = {
    "incident.trigger": (EventKind.ALERT_TRIGGER, "Triggered"),
    "incident.acknowledge": (EventKind.ALERT_ACK, "Acknowledged"),
    "incident.unacknowledge": (EventKind.ALERT_NOTIFY, "Unacknowledged"),
    "incident.resolve": (EventKind.ALERT_RESOLVE, "Resolved"),
    "incident.assign": (EventKind.ALERT_NOTIFY, "Assigned"),
    "incident.escalate": (EventKind.ALERT_ESCALATE, "Escalated"),
    "incident.delegate": (EventKind.ALERT_ESCALATE, "Delegated"),
    "incident.annotate": (EventKind.ALERT_ANNOTATE, "Note added"),
}
_V3_HINT = re.compile(r'"event_type"\s*:\s*"(?:incident|service)\.')
_V2_HINT = re.compile(r'"messages"\s*:')


def _v3_event(value: Any) -> Mapping[str, Any] | None:
    """The ``event`` of a V3 envelope (or an unwrapped event), else None."""
    if not isinstance(value, dict):
        return None
    event = value.get("event", value)
    if isinstance(event, dict) and isinstance(event.get("event_type"), str) and "occurred_at" in event:
        return event
    return None


def _is_v2(value: Any) -> bool:
    messages = value.get("messages") if isinstance(value, dict) else None
    first = messages[0] if isinstance(messages, list) and messages else None
    return isinstance(first, dict) and str(first.get("event", "")).startswith("incident.")


def sniff(source: Source) -> bool:
    """A V3 event envelope (or a list of them), or a V2 ``messages`` payload of ``incident.*`` events."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    if not (_V3_HINT.search(head) or (_V2_HINT.search(head) and '"incident.' in head)):
        return False
    first = first_payload(source)
    return _v3_event(first) is not None or _is_v2(first)


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Every V3 event and every V2 message, in one stream sorted by time."""
    path = str(source.path)
    doc = source.json()
    reader = Reader(FORMAT, options, IngestResult(path=path, format=FORMAT))
    usable = 0
    for where, item in payloads(doc, path):
        event = _v3_event(item)
        if event is not None:
            usable += 1
            _read_v3(reader, event, where)
        elif isinstance(item, dict) and isinstance(item.get("messages"), list):
            usable += 1
            for m, message in enumerate(item["messages"], 1):
                _read_v2(reader, message, f"{where}: messages[{m}]")
        else:
            reader.skip(where, "neither a V3 'event' with event_type/occurred_at nor a V2 'messages' array")
    if not usable:
        raise InputError(
            path,
            "no PagerDuty webhook event: expected 'event' with event_type and occurred_at (V3) "
            "or 'messages' (V2)",
        )
    return reader.finish()


def _read_v3(reader: Reader, event: Mapping[str, Any], where: str) -> None:
    event_type = str(event["event_type"])
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        reader.skip(where, f"{event_type} event without an id")
        return
    if not event_type.startswith("incident."):
        reader.skip(where, f"{event_type} is not an incident event")
        return
    words = event_type.removeprefix("incident.").replace(".", " ").replace("_", " ")
    kind, verb = _V3_KINDS.get(event_type, (EventKind.ALERT_NOTIFY, words.capitalize()))
    data = _obj(event.get("data"))
    is_incident = data.get("type") == "incident"
    incident = data if is_incident else _obj(data.get("incident"))
    label = incident_label(incident) if is_incident else ref_name(incident)
    service = ref_name(data.get("service"))
    severity = ref_name(data.get("priority")) or str(data.get("urgency") or "")
    if event_type == "incident.priority_updated" and ref_name(data.get("priority")):
        verb = f"Priority set to {ref_name(data.get('priority'))}"
    body = _v3_body(data)
    text = f"{verb}: {body}" if body else verb
    if label:
        text += f" ({label})" if body else f": {label}"
    context = ", ".join(
        p for p in (service, f"{data['urgency']} urgency" if data.get("urgency") else "") if p
    )
    if context and kind is EventKind.ALERT_TRIGGER:
        text += f" ({context})"
    incident_id = str(incident.get("id") or "")
    url = data.get("html_url") if is_incident else incident.get("html_url")
    reader.add(
        f"pagerduty:{event_id}",
        event.get("occurred_at"),
        kind,
        ref_actor(event.get("agent")),
        text,
        where,
        attrs={
            "incident_id": incident_id,
            "service": service,
            "severity": severity,
            "status": str(data.get("status") or "") if is_incident else "",
            "alert_name": str(data.get("title") or "") if is_incident else "",
        },
        thread_id=f"pagerduty:{incident_id}" if incident_id else None,
        url=url if isinstance(url, str) else None,
    )


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _v3_body(data: Mapping[str, Any]) -> str:
    """What a note, status update or responder reply said; status events have no body of their own."""
    for key in ("content", "message"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _read_v2(reader: Reader, message: Any, where: str) -> None:
    if not isinstance(message, dict):
        reader.skip(where, "message is not a JSON object")
        return
    incident = _obj(message.get("incident"))
    raw_entries = message.get("log_entries")
    entries: list[Any] = raw_entries if isinstance(raw_entries, list) else []
    for n, entry in enumerate(entries, 1):
        reader.log_entry(entry, f"{where}: log_entries[{n}]")
    iid = incident.get("id")
    if isinstance(iid, str) and iid and f"pagerduty:{iid}:trigger" not in reader.seen:
        has_trigger = any(isinstance(e, dict) and e.get("type") == "trigger_log_entry" for e in entries)
        if not has_trigger:
            reader.incident_trigger(incident, f"{where}: incident")
    if entries:
        return
    event = str(message.get("event") or "")
    known = _V2_KINDS.get(event)
    message_id = message.get("id")
    if known is None:
        reader.skip(where, f"unknown V2 event {event!r} and no log entries")
        return
    kind, verb = known
    if kind is EventKind.ALERT_TRIGGER:
        return  # the incident's own trigger, added above
    if not isinstance(message_id, str) or not message_id:
        reader.skip(where, f"{event} message without an id")
        return
    by = incident.get("last_status_change_by")
    actor = ref_actor(by) if kind in (EventKind.ALERT_ACK, EventKind.ALERT_RESOLVE) else PAGERDUTY
    reader.add(
        f"pagerduty:{message_id}",
        message.get("created_on"),
        kind,
        actor,
        f"{verb}: {incident_label(incident) or iid}",
        where,
        attrs={"incident_id": str(iid or ""), "status": str(incident.get("status") or "")},
        thread_id=f"pagerduty:{iid}" if iid else None,
    )


class _PagerDutyWebhookAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _PagerDutyWebhookAdapter()
