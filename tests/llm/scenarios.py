"""A small incident written for these tests, and the settings its cassette was recorded with.

The recorder (tests/cassettes/record.py) and the replay tests import the same values, so the replayed
requests are byte-for-byte the recorded ones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pmdraft.events import Actor, Event, EventKind

T0 = datetime(2024, 3, 7, 22, 36, 50, tzinfo=UTC)

_ROWS: list[tuple[int, EventKind, str, str]] = [
    (
        0,
        EventKind.DEPLOY,
        "flagbot",
        "Flag new-billing-writes default switched to ON in production (push #4412)",
    ),
    (5, EventKind.ALERT_TRIGGER, "alertmanager", "[FIRING:1] HighErrorRate api: 5xx ratio 31% over 5m"),
    (7, EventKind.CHAT, "priya", "Ack. I'm IC. Seeing 500s on invoice save. Could it be the CDN?"),
    (11, EventKind.CHAT, "tomas", "CDN edge logs are clean, origin returns the 500s. Ruling out the CDN."),
    (16, EventKind.CUSTOMER_REPORT, "support", "Three customers report they cannot save invoices"),
    (
        24,
        EventKind.CHAT,
        "mei",
        "Sentry: UndefinedColumn billing_account_v2_id. Migration 0147 never ran in prod.",
    ),
    (26, EventKind.CHAT, "priya", "Turning new-billing-writes off now."),
    (28, EventKind.ALERT_RESOLVE, "alertmanager", "[RESOLVED] HighErrorRate api"),
    (31, EventKind.STATUS_PAGE, "statuspage", "Resolved: invoice saving works again. We are monitoring."),
    (
        40,
        EventKind.CHAT,
        "priya",
        "Follow-up agreed: block flag pushes whose migrations have not run. Mei owns it.",
    ),
]


def incident_events() -> list[Event]:
    return [
        Event(
            id=f"test:{i}",
            time=T0 + timedelta(minutes=minutes),
            kind=kind,
            source_file="scenario",
            source_format="test",
            actor=Actor(actor),
            text=text,
        )
        for i, (minutes, kind, actor, text) in enumerate(_ROWS)
    ]


#: Where the recording server listened; replay uses the same URL with nothing listening there.
RECORDED_BASE_URL = "http://127.0.0.1:8765/v1"
RECORDED_MODEL = "smollm2-135m"


def recorded_settings(cache_dir: Path) -> dict[str, Any]:
    """Small chunks and replies so the 135M model finishes the recording in minutes."""
    return {
        "model": RECORDED_MODEL,
        "base_url": RECORDED_BASE_URL,
        "context_tokens": 8192,
        "chunk_tokens": 200,
        "chunk_overlap_events": 1,
        "max_output_tokens": 300,
        "max_repairs": 1,
        "max_concurrency": 2,
        "temperature": 0.0,
        "seed": 7,
        "timeout": 600.0,
        "cache_dir": cache_dir,
        "quiet": True,
    }
