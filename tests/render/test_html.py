"""The HTML review page: self-contained, escaped, every section, flags and evidence present."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pmdraft.events import Actor, Event, EventKind
from pmdraft.render.html import activity_chart, display_zone, render_html
from tests.render.sample_draft import E1, E2, XSS, sample_postmortem

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_page_loads_nothing_from_the_network() -> None:
    page = render_html(sample_postmortem())
    assert "default-src 'none'" in page
    assert not re.search(
        r"""(src|href)=["']?(https?:)?//""",
        page.replace('href="https://acme.pagerduty.com/incidents/Q1"', ""),
    )
    assert "<link" not in page and "@import" not in page


def test_incident_text_is_escaped() -> None:
    page = render_html(sample_postmortem())
    assert XSS not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page


def test_flags_evidence_and_unsupported_are_visible() -> None:
    page = render_html(sample_postmortem())
    assert 'data-flag-type="blame"' in page
    assert "<mark>honestly this is on Dave</mark>" in page
    assert "Suggested: The flag rollout did not check for pending migrations." in page
    assert f'data-event-id="{E1}"' in page and f'data-event-id="{E2}"' in page
    assert "about 30% of requests 500" in page  # the quoted source message
    assert page.count("badge-unsupported") >= 2  # the badge style and the unsupported root cause
    assert "model-written" in page


def test_sections_in_template_order() -> None:
    page = render_html(sample_postmortem())
    order = ["review-flags", "times", "severity", "impact", "customer-communication", "detection", "responders",
             "trigger", "root-cause", "timeline", "narrative", "hypotheses", "contributing-factors", "went-well",
             "went-poorly", "lucky", "lessons", "action-items", "open-questions"]  # fmt: skip
    positions = [page.index(f'<section id="{s}"') for s in order]
    assert positions == sorted(positions)


def test_times_shown_in_display_zone_with_date() -> None:
    pm = sample_postmortem()
    assert str(display_zone(pm)) == "Europe/Berlin"
    page = render_html(pm)
    # 22:43 UTC on 5 March is 23:43 CET; 00:10 UTC on 6 March is 01:10 CET.
    assert "2024-03-05 23:43:00 CET" in page
    assert "2024-03-06 01:10:00 CET" in page


def _events(minutes: list[int], alerts: set[int]) -> list[Event]:
    t0 = datetime(2024, 3, 5, 22, 40, tzinfo=UTC)
    return [
        Event(
            id=f"x:{i}",
            time=t0 + timedelta(minutes=m),
            kind=EventKind.ALERT_TRIGGER if i in alerts else EventKind.CHAT,
            source_file="f",
            source_format="slack",
            actor=Actor("a"),
            text="t",
        )
        for i, m in enumerate(minutes)
    ]


def test_activity_chart_counts_per_minute_and_marks_key_moments() -> None:
    pm = sample_postmortem()
    events = _events([1, 1, 3, 3, 3, 90], alerts={2})
    chart = activity_chart(pm, events, UTC)
    bars = chart["bars"]
    assert isinstance(bars, list)
    assert [b["title"] for b in bars] == [
        "2024-03-05 22:41: 2 messages, 0 alerts",
        "2024-03-05 22:43: 2 messages, 1 alerts",
        "2024-03-06 00:10: 1 messages, 0 alerts",
    ]
    assert chart["peak"] == 3
    assert [m["label"] for m in chart["marks"]] == ["start", "detected", "mitigated"]  # type: ignore[union-attr]


def test_long_incidents_use_wider_buckets() -> None:
    events = _events([0, 60 * 24 * 3], alerts=set())
    chart = activity_chart(sample_postmortem(), events, UTC)
    assert chart["bucket"] == "19 min"  # 4321 minutes over at most 240 bars


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_page_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    page.write_text(render_html(sample_postmortem(), _events([1, 2, 3, 3, 60], alerts={1})), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-page.png"
    shot.unlink(missing_ok=True)
    base = [
        _chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
    ]  # fmt: skip
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    assert 'data-flag-type="blame"' in dom.stdout
    assert f'data-event-id="{E1}"' in dom.stdout
    assert "<svg" in dom.stdout
    assert "window.__pwned" not in dom.stdout.replace("&lt;script&gt;window.__pwned", "")
    shot_run = subprocess.run(
        [*base, "--window-size=1100,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot_run.returncode == 0, shot_run.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
