"""Grafana alerting webhooks: unified alerting (v8+) and the legacy (pre-v8) rule notification.

Unified alerting posts the Alertmanager body plus ``orgId``, ``title``, ``state`` and per-alert
``values``/``dashboardURL``, so it is read with alertmanager.py's helpers (ids ``grafana:<fingerprint>:
<firing|resolved>:<time>``). Legacy payloads (``ruleId``, ``state``, ``evalMatches``) carry no
timestamp at all: they are placed at the file's modification time, flagged as assumed, and said so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pmdraft.errors import InputError
from pmdraft.events import Actor, Event, EventKind, sort_key
from pmdraft.ingest._common import IngestResult, LoadOptions, Skipped, Source
from pmdraft.ingest.alertmanager import (
    AlertFamily,
    convert_payloads,
    first_payload,
    is_alert_payload,
    is_grafana_payload,
    read_payloads,
)

FORMAT = "grafana"
ACTOR = Actor(name="Grafana", is_bot=True)

_UNIFIED_HINT = re.compile(r'"(?:orgId|silenceURL|dashboardURL|panelURL|valueString)"\s*:')
_LEGACY_HINT = re.compile(r'"(?:ruleId|ruleName|evalMatches)"\s*:')
#: Legacy states: (kind, verb for the timeline).
_LEGACY_STATES = {
    "alerting": (EventKind.ALERT_TRIGGER, "Triggered"),
    "ok": (EventKind.ALERT_RESOLVE, "Resolved"),
    "no_data": (EventKind.ALERT_NOTIFY, "No data"),
    "pending": (EventKind.ALERT_NOTIFY, "Pending"),
    "paused": (EventKind.ALERT_NOTIFY, "Paused"),
}


def _values_text(alert: Mapping[str, Any]) -> str:
    """``A=2473545728, B=0``: the query values Grafana evaluated, which say how bad it was."""
    values = alert.get("values")
    if not isinstance(values, dict) or not values:
        return ""
    return ", ".join(f"{k}={_number(v)}" for k, v in values.items())


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


FAMILY = AlertFamily(prefix="grafana", format=FORMAT, actor=ACTOR, detail=_values_text)


def _is_legacy(payload: Mapping[str, Any]) -> bool:
    return (
        "alerts" not in payload
        and isinstance(payload.get("state"), str)
        and any(key in payload for key in ("ruleId", "ruleName", "evalMatches"))
    )


def sniff(source: Source) -> bool:
    """Unified: an Alertmanager-like body with Grafana's keys. Legacy: a rule ``state`` notification."""
    if not source.looks_like_json:
        return False
    head = source.head_text
    unified = bool(_UNIFIED_HINT.search(head)) and '"alerts"' in head
    legacy = bool(_LEGACY_HINT.search(head)) and '"state"' in head
    if not (unified or legacy):
        return False
    payload = first_payload(source)
    if payload is None:
        return False
    return _is_legacy(payload) or (is_alert_payload(payload) and is_grafana_payload(payload))


def load(source: Source, options: LoadOptions) -> IngestResult:
    """Unified payloads through the Alertmanager reader, legacy ones at the file's mtime."""
    result = IngestResult(path=str(source.path), format=FORMAT)
    unified: list[tuple[str, Any]] = []
    legacy: list[tuple[str, dict[str, Any]]] = []
    for where, payload in read_payloads(source, result):
        if isinstance(payload, dict) and _is_legacy(payload):
            legacy.append((where, payload))
        elif isinstance(payload, dict) and "alerts" in payload:
            unified.append((where, payload))
        else:
            result.skipped.append(
                Skipped(where, "neither a unified ('alerts') nor a legacy ('state') payload")
            )
    if not unified and not legacy:
        raise InputError(
            result.path, "no Grafana alert payload: expected an 'alerts' array or a legacy rule 'state'"
        )
    if unified:
        convert_payloads(unified, FAMILY, options, result)
    if legacy:
        _legacy_events(source, legacy, result)
    result.events.sort(key=sort_key)
    return result


def _legacy_events(source: Source, payloads: list[tuple[str, dict[str, Any]]], result: IngestResult) -> None:
    """One event per state change of a rule; a rule repeating its state is a repeat notification."""
    moment = datetime.fromtimestamp(source.path.stat().st_mtime, UTC)
    last_state: dict[str, str] = {}
    changes: dict[tuple[str, str], int] = {}
    for where, payload in payloads:
        state = str(payload["state"])
        kind, verb = _LEGACY_STATES.get(state, (EventKind.ALERT_NOTIFY, state.replace("_", " ").capitalize()))
        rule = str(payload.get("ruleId", payload.get("ruleName", "")))
        if last_state.get(rule) == state:
            result.skipped.append(Skipped(where, f"repeat notification (rule {rule} still {state})"))
            continue
        last_state[rule] = state
        count = changes[(rule, state)] = changes.get((rule, state), 0) + 1
        name = str(payload.get("ruleName") or payload.get("title") or f"rule {rule}")
        text = f"{verb}: {name}"
        message = str(payload.get("message") or "").strip()
        if message:
            text += f" — {message}"
        matches = _eval_matches(payload.get("evalMatches"))
        if matches:
            text += f" ({matches})"
        url = payload.get("ruleUrl")
        result.events.append(
            Event(
                id=f"grafana:rule:{rule}:{state}:{count}",
                time=moment,
                kind=kind,
                source_file=result.path,
                source_format=FORMAT,
                actor=ACTOR,
                text=text,
                url=url if isinstance(url, str) and url else None,
                is_bot=True,
                time_assumed=True,
                attrs={"alert_name": name, "status": state},
            )
        )
    result.assumptions.append(
        f"{result.path}: legacy Grafana payloads carry no time; placed at the file's modification time "
        f"{moment.isoformat()}"
    )


def _eval_matches(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    parts = [
        f"{m.get('metric')}={_number(m.get('value'))}" for m in value if isinstance(m, dict) and "metric" in m
    ]
    return ", ".join(parts)


class _GrafanaAdapter:
    name = FORMAT
    priority = 40

    def sniff(self, source: Source) -> bool:
        return sniff(source)

    def load(self, source: Source, options: LoadOptions) -> IngestResult:
        return load(source, options)


ADAPTER = _GrafanaAdapter()
