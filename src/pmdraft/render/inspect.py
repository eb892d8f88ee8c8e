"""`pmdraft inspect`: what each input was read as, so a user can trust (or fix) detection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import tzinfo

from pmdraft.ingest import IngestResult
from pmdraft.render.timeline import zone_label


def render_inspection(results: Sequence[IngestResult], zone: tzinfo) -> str:
    lines: list[str] = []
    for result in results:
        lines.append(f"{result.path}")
        lines.append(f"  format: {result.format}")
        lines.append(f"  events: {len(result.events)}")
        kinds = Counter(e.kind.value for e in result.events)
        for kind, count in sorted(kinds.items()):
            lines.append(f"    {kind}: {count}")
        noise = sum(1 for e in result.events if e.noise)
        if noise:
            lines.append(f"    (noise: {noise})")
        if result.events:
            first = min(e.time for e in result.events).astimezone(zone)
            last = max(e.time for e in result.events).astimezone(zone)
            lines.append(f"  from: {first.isoformat()}")
            lines.append(f"  to:   {last.isoformat()}  ({zone_label(zone)})")
        assumed = sum(1 for e in result.events if e.time_assumed)
        if assumed:
            lines.append(f"  times with an assumed zone: {assumed}")
        for note in result.assumptions:
            lines.append(f"  assumed: {note}")
        lines.append(f"  skipped: {len(result.skipped)}")
        for item in result.skipped:
            lines.append(f"    {item.where}: {item.reason}")
    return "\n".join(lines) + "\n"
