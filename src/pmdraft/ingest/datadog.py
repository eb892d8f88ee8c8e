"""Datadog monitor webhooks (default or customised template) and Datadog Events API JSON (v1 and v2).

A webhook body is a customer-written template, so fields are mapped by the names the default template
and Datadog's variables suggest (``title``, ``body``/``event_msg``, ``date``/``last_updated``,
``alert_transition``, ``alert_id``, ``link``, ``tags``) and the state falls back to the title prefix
(``[Triggered]``, ``[Recovered]``, ``[Warn]``). Bodies come wrapped in ``%%%`` markdown fences with
``@webhook-…`` notification handles and a links footer, all removed from the timeline text.
Epoch times are milliseconds in webhooks (often as strings) and seconds in Events API v1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, from_epoch, parse_iso
from pmdraft.ingest._payload import first_payload, payloads

FORMAT = "datadog"
DATADOG = Actor(name="Datadog", is_bot=True)

_TRANSITIONS = {
    "triggered": EventKind.ALERT_TRIGGER,
    "re-triggered": EventKind.ALERT_TRIGGER,
    "warn": EventKind.ALERT_TRIGGER,
    "warning": EventKind.ALERT_TRIGGER,
    "re-warn": EventKind.ALERT_TRIGGER,
    "alert": EventKind.ALERT_TRIGGER,
    "recovered": EventKind.ALERT_RESOLVE,
    "resolved": EventKind.ALERT_RESOLVE,
    "ok": EventKind.ALERT_RESOLVE,
}
_TITLE_STATE = re.compile(
    r"\[(Triggered|Re-Triggered|Recovered|Resolved|Warn|Warning|Re-Warn|No Data|Re-No Data|Renotify|Alert|OK)"
    r"(?: on [^\]]*)?\]\s*",
    re.IGNORECASE,
)
_HINT = re.compile(
    r'%%%|"(?:alert_transition|date_happened|last_updated|event_msg|alert_cycle_key)"\s*:|datadoghq'
)
_HANDLE = re.compile(r"(?<!\S)@[\w.\-]+")
_FOOTER = re.compile(r"\n\s*- - -\s*\n.*", re.DOTALL)
_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
_WEBHOOK_MARKERS = ("event_type", "alert_transition", "alert_id", "alert_cycle_key", "org", "event_msg")
_TIME_KEYS = ("date", "last_updated", "date_happened", "timestamp")


def _is_webhook(item: Any) -> bool:
    if not isinstance(item, dict) or not any(k in item for k in ("date", "last_updated", "date_happened")):
        return False
    if not any(k in item for k in ("title", "body", "event_msg", "text_only_msg")):
        return False
    return any(k in item for k in _WEBHOOK_MARKERS) or "%%%" in str(item.get("body", ""))


def _events_of(item: Any) -> list[Any] | None:
    """Events API items in one JSON value: v1 ``event``/``events``, v2 ``data``; None when none."""
    if not isinstance(item, dict):
        return None
    v1 = item.get("events", [item.get("event")] if isinstance(item.get("event"), dict) else None)
    if isinstance(v1, list) and v1 and isinstance(v1[0], dict) and "date_happened" in v1[0]:
        return v1
    data = item.get("data")
    v2 = data if isinstance(data, list) else [data]
    if (
        v2
        and isinstance(v2[0], dict)
        and v2[0].get("type") == "event"
        and isinstance(v2[0].get("attributes"), dict)
    ):
        return v2
    return None


def sniff(source: Source) -> bool:
    """A webhook body with Datadog's variable names or ``%%%`` fence, or an Events API response."""
    if not source.looks_like_json or not _HINT.search(source.head_text):
        return False
    first = first_payload(source)
    return _is_webhook(first) or _events_of(first) is not None


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Every webhook delivery or API event in the file, one event each."""
    path = str(source.path)
    doc = source.json()
    result = IngestResult(path=path, format=FORMAT)
    seen: set[str] = set()
    usable = 0
    for where, item in payloads(doc, path):
        events = None if _is_webhook(item) else _events_of(item)
        if _is_webhook(item):
            usable += 1
            _add(_webhook_fields(item), where, options, result, seen)
        elif events is not None:
            usable += 1
            for m, event in enumerate(events, 1):
                fields = _v2_fields(event) if "attributes" in event else _v1_fields(event)
                _add(fields, f"{where}: event {m}", options, result, seen)
        else:
            result.skipped.append(Skipped(where, "neither a Datadog webhook body nor an Events API event"))
    if not usable:
        raise InputError(path, "no Datadog webhook body (title/body + date) or Events API 'event(s)'/'data'")
    if any(e.time_assumed for e in result.events):
        result.assumptions.append(f"{path}: times without a zone read as {options.tz or 'UTC'}")
    result.events.sort(key=sort_key)
    return result


def _webhook_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    raw_time = next((item[k] for k in _TIME_KEYS if item.get(k) not in (None, "")), None)
    return {
        "id": item.get("id") or item.get("event_id"),
        "alert_id": item.get("alert_id"),
        "time": raw_time,
        "title": item.get("title") or item.get("event_title") or "",
        "body": item.get("body") or item.get("event_msg") or item.get("text_only_msg") or "",
        "transition": item.get("alert_transition") or item.get("transition"),
        "priority": item.get("alert_priority") or item.get("priority"),
        "tags": item.get("tags"),
        "url": item.get("link") or item.get("url"),
    }


def _v1_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": event.get("id"),
        "time": event.get("date_happened"),
        "title": event.get("title") or "",
        "body": event.get("text") or "",
        "priority": event.get("priority"),
        "tags": event.get("tags"),
        "url": event.get("url"),
    }


def _v2_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    outer = event["attributes"]
    inner = outer.get("attributes") if isinstance(outer.get("attributes"), dict) else {}
    return {
        "id": event.get("id"),
        "time": outer.get("timestamp") or inner.get("timestamp"),
        "title": inner.get("title") or outer.get("title") or "",
        "body": outer.get("message") or "",
        "priority": inner.get("priority"),
        "tags": outer.get("tags"),
        "url": None,
    }


def _time(raw: Any, options: LoadOptions) -> tuple[datetime | None, bool]:
    """Epoch digits (13+ digits are ms, fewer are seconds) or an ISO string."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str) and raw.strip().replace(".", "", 1).isdigit():
        whole = raw.strip().split(".", 1)[0]
        return from_epoch(raw, "ms" if len(whole) >= 12 else "s"), False
    return parse_iso(raw, options.tz)


def clean_body(body: str) -> str:
    """Body text without ``%%%`` fences, ``@`` notification handles and the links footer, on one line."""
    text = body.replace("%%%", "\n")
    text = _FOOTER.sub("", text)
    text = _HANDLE.sub("", text)
    return " ".join(text.split())


def _service(tags: Any) -> str:
    items = tags.split(",") if isinstance(tags, str) else tags if isinstance(tags, list) else []
    for tag in items:
        if isinstance(tag, str) and tag.strip().startswith("service:"):
            return tag.strip().removeprefix("service:")
    return ""


def _add(
    fields: Mapping[str, Any], where: str, options: LoadOptions, result: IngestResult, seen: set[str]
) -> None:
    title = " ".join(str(fields["title"]).split())
    state = _TITLE_STATE.search(title)
    transition = str(fields.get("transition") or (state.group(1) if state else "")).strip()
    name = _TITLE_STATE.sub("", title, count=1).strip() if state else title
    kind = _TRANSITIONS.get(transition.lower(), EventKind.ALERT_NOTIFY)
    moment, assumed = _time(fields["time"], options)
    if moment is None:
        result.skipped.append(Skipped(where, f"no usable date ({fields['time']!r})"))
        return
    key = fields.get("id")
    if key in (None, ""):
        if fields.get("alert_id") in (None, ""):
            result.skipped.append(Skipped(where, "no event id and no alert_id to key it by"))
            return
        key = f"{fields['alert_id']}:{transition.lower() or 'event'}:{fields['time']}"
    event_id = f"datadog:{key}"
    if event_id in seen:
        result.skipped.append(Skipped(where, f"duplicate of {event_id}"))
        return
    seen.add(event_id)
    body = clean_body(str(fields["body"]))
    text = f"{transition.capitalize()}: {name}" if transition else name or "Datadog event"
    if body:
        text += f" — {body}"
    url = fields.get("url")
    if not (isinstance(url, str) and url):
        link = _LINK.search(str(fields["body"]))
        url = link.group(1) if link else None
    attrs = {
        "alert_name": name,
        "severity": str(fields.get("priority") or ""),
        "service": _service(fields.get("tags")),
        "status": transition.lower(),
    }
    result.events.append(
        Event(
            id=event_id,
            time=moment,
            kind=kind,
            source_file=result.path,
            source_format=FORMAT,
            actor=DATADOG,
            text=text,
            thread_id=f"datadog:{fields['alert_id']}" if fields.get("alert_id") else None,
            url=url,
            is_bot=True,
            time_assumed=assumed,
            raw_time=str(fields["time"]),
            attrs={k: v for k, v in attrs.items() if v},
        )
    )


class _DatadogAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _DatadogAdapter()
