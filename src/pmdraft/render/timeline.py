"""The timeline as Markdown, JSON or JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import tzinfo

from pmdraft.events import Event


def zone_label(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def md_cell(text: str, limit: int = 300) -> str:
    """Table-safe single line: pipes escaped, newlines folded, long text shortened."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("|", "\\|")


def render_timeline(events: Sequence[Event], fmt: str, zone: tzinfo) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in events)
    if fmt == "json":
        return json.dumps([e.to_dict() for e in events], ensure_ascii=False, indent=2) + "\n"
    return _markdown(events, zone)


def _markdown(events: Sequence[Event], zone: tzinfo) -> str:
    label = zone_label(zone)
    lines = [
        f"# Timeline ({len(events)} events, times in {label})",
        "",
        "| Date | Time | Kind | Who | What | Id |",
        "|---|---|---|---|---|---|",
    ]
    for e in events:
        local = e.time.astimezone(zone)
        clock = local.strftime("%H:%M:%S") + ("*" if e.time_assumed else "")
        lines.append(
            f"| {local.strftime('%Y-%m-%d')} | {clock} {local.strftime('%z')} | {e.kind.value} "
            f"| {md_cell(e.actor.name, 60)} | {md_cell(e.text)} | `{e.id}` |"
        )
    if any(e.time_assumed for e in events):
        lines += ["", "\\* time written without a zone in the source; zone assumed (see --tz)."]
    return "\n".join(lines) + "\n"
