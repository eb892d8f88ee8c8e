"""Prometheus Alertmanager webhook payloads (``version: "4"``): one payload, a JSON array, or JSON Lines.

A firing alert becomes a trigger at ``startsAt`` and a resolved one a resolve at ``endsAt`` (plus the
trigger its ``startsAt`` implies). Alertmanager re-sends the same alert every ``repeat_interval``, so
events are keyed by (fingerprint, status, time string) and repeats are dropped. Grafana's unified
alerting posts the same body with extra keys: grafana.py reuses the payload helpers here, and this
adapter declines payloads that carry Grafana's markers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source, parse_iso

FORMAT = "alertmanager"
ACTOR = Actor(name="Alertmanager", is_bot=True)

_ALERTS_KEY = re.compile(r'"alerts"\s*:')
_STARTS_AT_KEY = re.compile(r'"startsAt"\s*:')
#: Keys only Grafana's unified alerting adds to the Alertmanager body (top level, then per alert).
_GRAFANA_PAYLOAD_KEYS = ("orgId",)
_GRAFANA_ALERT_KEYS = ("silenceURL", "dashboardURL", "panelURL", "valueString", "values", "imageURL")
#: Labels that say where an alert fired, most telling first.
_TARGET_LABELS = ("service", "job", "host", "instance", "pod", "namespace", "cluster")
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1


# --- reading payloads (shared with grafana.py) ----------------------------------------------------


def first_payload(source: Source) -> dict[str, Any] | None:
    """The first payload object of a JSON document, array or JSON Lines file; None when there is none.

    Used by sniffing, so it never raises: a file that is not JSON simply has no payload.
    """
    try:
        doc = source.json()
    except InputError:
        first, newline, _ = source.head_text.partition("\n")
        if not newline:
            return None
        try:
            doc = json.loads(first)
        except ValueError:
            return None
    if isinstance(doc, list):
        doc = doc[0] if doc else None
    return doc if isinstance(doc, dict) else None


def is_grafana_payload(payload: Mapping[str, Any]) -> bool:
    """Grafana unified alerting: ``orgId`` at the top, or panel/dashboard links and values per alert."""
    if payload.get("version") == "4":
        return False
    if any(key in payload for key in _GRAFANA_PAYLOAD_KEYS):
        return True
    alerts = payload.get("alerts")
    first = alerts[0] if isinstance(alerts, list) and alerts else None
    return isinstance(first, dict) and any(key in first for key in _GRAFANA_ALERT_KEYS)


def is_alert_payload(payload: Mapping[str, Any]) -> bool:
    """An ``alerts`` array whose items look like Alertmanager alerts (labels, startsAt)."""
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        return False
    if not alerts:
        return "groupKey" in payload or "receiver" in payload
    first = alerts[0]
    return isinstance(first, dict) and "startsAt" in first and isinstance(first.get("labels"), dict)


def read_payloads(source: Source, result: IngestResult) -> list[tuple[str, Any]]:
    """(where, payload) for a single JSON payload, a JSON array of payloads, or JSON Lines.

    A JSON Lines line that does not parse is recorded as skipped (logs are often cut mid-line);
    a file that is neither valid JSON nor JSON Lines raises the JSON parser's one-line error.
    """
    path = result.path
    try:
        doc = source.json()
    except InputError as error:
        lines = _json_lines(source, result)
        if lines is None:
            raise error from None
        return lines
    if isinstance(doc, list):
        return [(f"{path}: payload {n}", item) for n, item in enumerate(doc, 1)]
    return [(path, doc)]


def _json_lines(source: Source, result: IngestResult) -> list[tuple[str, Any]] | None:
    """Parse JSON Lines, or None when even the first line is not a JSON object (so: not JSON Lines)."""
    out: list[tuple[str, Any]] = []
    for number, line in enumerate(source.text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((f"{result.path}: line {number}", json.loads(line)))
        except ValueError as e:
            if not out:
                return None
            result.skipped.append(Skipped(f"{result.path}: line {number}", f"invalid JSON ({e})"))
    if not out or not isinstance(out[0][1], dict):
        return None
    return out


# --- alerts to events (shared with grafana.py) ----------------------------------------------------


def label_fingerprint(labels: Mapping[str, Any]) -> str:
    """Alertmanager's own fingerprint (FNV-1a 64 over sorted label names and values, 0xFF separated).

    Payloads that lost their ``fingerprint`` thus get the id Alertmanager itself would have given.
    """
    value = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, str(labels[name])):
            for byte in part.encode("utf-8"):
                value = ((value ^ byte) * _FNV_PRIME) & _MASK64
            value = ((value ^ 0xFF) * _FNV_PRIME) & _MASK64
    return f"{value:016x}"


@dataclass(frozen=True)
class AlertFamily:
    """What differs between Alertmanager and Grafana bodies: id prefix, format, actor, extra detail."""

    prefix: str
    format: str
    actor: Actor
    detail: Callable[[Mapping[str, Any]], str] | None = None


FAMILY = AlertFamily(prefix="alertmanager", format=FORMAT, actor=ACTOR)


def convert_payloads(
    payloads: list[tuple[str, Any]], family: AlertFamily, options: LoadOptions, result: IngestResult
) -> None:
    """Append the events of every payload's alerts to ``result``; raise when no payload is usable."""
    reader = _AlertReader(family, options, result)
    usable = 0
    for where, payload in payloads:
        if not isinstance(payload, dict):
            result.skipped.append(Skipped(where, "not a JSON object"))
            continue
        alerts = payload.get("alerts")
        if not isinstance(alerts, list):
            result.skipped.append(Skipped(where, "payload has no 'alerts' array"))
            continue
        usable += 1
        for number, alert in enumerate(alerts, 1):
            spot = f"{where}: alert {number}"
            if isinstance(alert, dict):
                reader.add_alert(alert, payload, spot)
            else:
                result.skipped.append(Skipped(spot, "alert is not a JSON object"))
    if not usable:
        what = "webhook payload" if len(payloads) == 1 else f"none of the {len(payloads)} JSON values"
        raise InputError(result.path, f"{what} has no 'alerts' array (expected an {family.format} body)")
    if any(e.time_assumed for e in result.events):
        zone = options.tz or "UTC"
        result.assumptions.append(f"{result.path}: alert times without a zone read as {zone}")
    result.events.sort(key=sort_key)


class _AlertReader:
    """Turns alerts into events for one input, remembering ids already emitted (repeat notifications)."""

    def __init__(self, family: AlertFamily, options: LoadOptions, result: IngestResult) -> None:
        self.family = family
        self.options = options
        self.result = result
        self.seen: set[str] = set()
        #: Trigger ids known only from a resolved notification; their firing notification is no repeat.
        self.implied: set[str] = set()

    def add_alert(self, alert: Mapping[str, Any], payload: Mapping[str, Any], where: str) -> None:
        labels = _str_map(alert.get("labels"))
        fingerprint = alert.get("fingerprint")
        if not isinstance(fingerprint, str) or not fingerprint:
            if not labels:
                self.result.skipped.append(Skipped(where, "alert has neither a fingerprint nor labels"))
                return
            fingerprint = label_fingerprint(labels)
        status = alert.get("status") or payload.get("status")
        if status == "firing":
            self._emit(alert, labels, fingerprint, "firing", where)
        elif status == "resolved":
            self._emit(alert, labels, fingerprint, "resolved", where)
            # A resolved notification still says when the alert started; the firing one may be missing.
            if parse_iso(alert.get("startsAt"))[0] is not None:
                self._emit(alert, labels, fingerprint, "firing", None)
        else:
            self.result.skipped.append(Skipped(where, f"unknown alert status {status!r}"))

    def _emit(
        self,
        alert: Mapping[str, Any],
        labels: Mapping[str, str],
        fingerprint: str,
        status: str,
        where: str | None,
    ) -> None:
        """One event; ``where`` None marks an implied trigger, whose absence or repeat is not reported."""
        field = "startsAt" if status == "firing" else "endsAt"
        raw = alert.get(field)
        moment, assumed = parse_iso(raw, self.options.tz)
        if moment is None:
            if where:
                self.result.skipped.append(
                    Skipped(where, f"{status} alert without a usable {field} ({raw!r})")
                )
            return
        event_id = f"{self.family.prefix}:{fingerprint}:{status}:{raw}"
        if event_id in self.seen:
            if where and event_id not in self.implied:
                self.result.skipped.append(Skipped(where, f"repeat notification of {event_id}"))
            elif where:
                self.implied.discard(event_id)
            return
        self.seen.add(event_id)
        if where is None:
            self.implied.add(event_id)
        attrs = {"status": status}
        for key, value in (
            ("alert_name", labels.get("alertname")),
            ("severity", labels.get("severity") or labels.get("priority")),
            ("service", labels.get("service") or labels.get("job")),
        ):
            if value:
                attrs[key] = value
        url = alert.get("generatorURL")
        family = self.family
        self.result.events.append(
            Event(
                id=event_id,
                time=moment,
                kind=EventKind.ALERT_TRIGGER if status == "firing" else EventKind.ALERT_RESOLVE,
                source_file=self.result.path,
                source_format=family.format,
                actor=family.actor,
                text=_alert_text(status, labels, alert, family),
                thread_id=f"{family.prefix}:{fingerprint}",
                url=url if isinstance(url, str) and url else None,
                is_bot=family.actor.is_bot,
                time_assumed=assumed,
                raw_time=str(raw),
                attrs=attrs,
            )
        )


def _alert_text(status: str, labels: Mapping[str, str], alert: Mapping[str, Any], family: AlertFamily) -> str:
    """``Triggered: HighErrorRate on api — error rate 31% > 5%``: state, alert, where, what."""
    verb = "Triggered" if status == "firing" else "Resolved"
    subject = labels.get("alertname") or "alert"
    target = next((labels[k] for k in _TARGET_LABELS if labels.get(k)), None)
    if target:
        subject += f" on {target}"
    annotations = _str_map(alert.get("annotations"))
    details = [annotations[k].strip() for k in ("summary", "description") if annotations.get(k, "").strip()]
    if len(details) == 2 and details[0] == details[1]:
        details.pop()
    text = f"{verb}: {subject}" + (f" — {': '.join(details)}" if details else "")
    extra = family.detail(alert) if family.detail else ""
    return f"{text} ({extra})" if extra else text


def _str_map(value: Any) -> dict[str, str]:
    """Labels/annotations as str->str; a null or malformed map is empty rather than an error."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


# --- the adapter ----------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    """An ``alerts`` array of Alertmanager alerts without Grafana's extra keys."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    if not (_ALERTS_KEY.search(head) and _STARTS_AT_KEY.search(head)):
        return False
    payload = first_payload(source)
    return payload is not None and is_alert_payload(payload) and not is_grafana_payload(payload)


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Every alert of every payload; repeats of the same (fingerprint, status, time) kept once."""
    result = IngestResult(path=str(source.path), format=FORMAT)
    convert_payloads(read_payloads(source, result), FAMILY, options, result)
    return result


class _AlertmanagerAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _AlertmanagerAdapter()
