"""ISO-8601 times of the ticket adapters (GitHub, Jira, Zendesk): skip what does not parse, note zones.

Each of these adapters reads every timestamp the same way: an unparseable or missing one skips its
item with a reason, and a time without a zone is read in ``--tz`` (UTC by default), said once per file.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from pmdraft.ingest._common import IngestResult, Skipped, parse_iso

__all__ = ["IsoTimes"]


class IsoTimes:
    """The time reader of one file; ``assumption`` names the times, e.g. "Jira times without an offset"."""

    def __init__(self, result: IngestResult, tz: tzinfo | None, assumption: str) -> None:
        self.result = result
        self.tz = tz
        self.assumption = assumption
        self._noted = False

    def read(self, value: object, what: str) -> tuple[datetime, bool] | None:
        """(UTC time, zone assumed); None after recording ``what`` as skipped."""
        moment, assumed = parse_iso(value, self.tz)
        if moment is None:
            reason = "no timestamp" if value in (None, "") else f"unparseable timestamp {value!r}"
            self.result.skipped.append(Skipped(f"{self.result.path}: {what}", reason))
            return None
        if assumed and not self._noted:
            self._noted = True
            zone = getattr(self.tz, "key", None) or str(self.tz or "UTC")
            self.result.assumptions.append(f"{self.result.path}: {self.assumption} read as {zone}")
        return moment, assumed
