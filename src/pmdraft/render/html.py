"""The HTML review page: one self-contained file (no network), for reading a draft before the meeting.

Incident text is untrusted (pasted logs, customer messages): everything goes through Jinja2's
autoescaping, and the page has a Content-Security-Policy that forbids loading anything at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2

from pmdraft.events import Event, EventKind
from pmdraft.schema import CitedEvent, PostMortem

_CHART_WIDTH = 900
_CHART_HEIGHT = 160
_MAX_BARS = 240
_ALERT_KINDS = {k.value for k in EventKind if k.value.startswith("alert.")}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pmdraft.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def display_zone(pm: PostMortem) -> tzinfo:
    name = pm.generated_by.display_timezone
    if name.upper() in ("UTC", "Z", ""):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class _Point:
    """One moment of activity for the chart: when, and whether it was an alert."""

    time: datetime
    alert: bool


def _points(pm: PostMortem, events: Sequence[Event] | None) -> list[_Point]:
    if events:
        return [_Point(e.time, e.kind.value in _ALERT_KINDS) for e in events if not e.noise]
    return [_Point(c.time, c.kind in _ALERT_KINDS) for c in pm.cited_events]


def activity_chart(pm: PostMortem, events: Sequence[Event] | None, zone: tzinfo) -> dict[str, object]:
    """Bars of messages and alerts per time bucket (a minute, or wider for long incidents) as SVG data."""
    points = _points(pm, events)
    if not points:
        return {"bars": [], "marks": [], "width": _CHART_WIDTH, "height": _CHART_HEIGHT, "bucket": ""}
    first = min(p.time for p in points).replace(second=0, microsecond=0)
    last = max(p.time for p in points)
    minutes = max(1, int((last - first).total_seconds() // 60) + 1)
    bucket = max(1, -(-minutes // _MAX_BARS))
    count = -(-minutes // bucket)
    chat = [0] * count
    alerts = [0] * count
    for p in points:
        i = min(count - 1, int((p.time - first).total_seconds() // 60) // bucket)
        (alerts if p.alert else chat)[i] += 1
    peak = max(c + a for c, a in zip(chat, alerts, strict=True)) or 1
    plot_h = _CHART_HEIGHT - 30
    step = _CHART_WIDTH / count
    bars = []
    for i, (c, a) in enumerate(zip(chat, alerts, strict=True)):
        if not c and not a:
            continue
        start = first + timedelta(minutes=i * bucket)
        ch = plot_h * c / peak
        ah = plot_h * a / peak
        bars.append(
            {
                "x": round(i * step, 2),
                "w": round(max(step - 0.5, 0.8), 2),
                "chat_y": round(plot_h - ch - ah, 2),
                "chat_h": round(ch, 2),
                "alert_y": round(plot_h - ah, 2),
                "alert_h": round(ah, 2),
                "title": f"{start.astimezone(zone):%Y-%m-%d %H:%M}: {c} messages, {a} alerts",
            }
        )
    span = (count * bucket) * 60
    marks = []
    for label, point in (
        ("start", pm.times.start),
        ("detected", pm.times.detected),
        ("mitigated", pm.times.mitigated),
        ("resolved", pm.times.resolved),
    ):
        if point.at is None:
            continue
        offset = (point.at.astimezone(UTC) - first).total_seconds()
        if 0 <= offset <= span:
            marks.append({"x": round(_CHART_WIDTH * offset / span, 2), "label": label})
    return {
        "bars": bars,
        "marks": marks,
        "width": _CHART_WIDTH,
        "height": _CHART_HEIGHT,
        "bucket": f"{bucket} min" if bucket > 1 else "1 min",
        "first": first.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "last": last.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "peak": peak,
    }


def _quotes(pm: PostMortem, zone: tzinfo) -> dict[str, dict[str, str]]:
    return {c.id: _quote(c, zone) for c in pm.cited_events}


def _quote(c: CitedEvent, zone: tzinfo) -> dict[str, str]:
    return {
        "id": c.id,
        "when": c.time.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z"),
        "actor": c.actor,
        "text": c.text,
        "url": c.url or "",
        "kind": c.kind,
    }


def render_html(pm: PostMortem, events: Iterable[Event] | None = None) -> str:
    """The review page for ``pm``; ``events`` (all ingested events) feeds the activity chart."""
    zone = display_zone(pm)
    event_list = list(events) if events is not None else None

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "unknown"
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")

    template = _environment().get_template("review.html.j2")
    return template.render(
        pm=pm,
        when=when,
        quotes=_quotes(pm, zone),
        chart=activity_chart(pm, event_list, zone),
        zone_name=pm.generated_by.display_timezone,
    )
