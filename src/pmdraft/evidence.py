"""Citation verification: code, never the model, decides what a claim rests on.

* A cited id must name a real event, and — for a claim written from one chunk — an event of that chunk.
  Invalid ids are removed; a claim left without evidence is marked ``unsupported`` and flagged.
* Times come from cited events: an ``at`` that is not the time of a cited event is replaced by the
  earliest cited event's time (or null when nothing is cited). Model text never sets a time.
* Plausibility: numbers and quoted words in a claim should appear in what it cites; when they do
  not, the claim is flagged for the reviewer (an impact number that appears nowhere is removed).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pmdraft.events import Event
from pmdraft.schema import (
    CitedEvent,
    Durations,
    PostMortem,
    ReviewFlag,
    Statement,
    TimePoint,
)

_QUOTED = re.compile(r"\"([^\"]{3,80})\"|“([^”]{3,80})”")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*\s?%?")
_WORD = re.compile(r"[a-z0-9][a-z0-9_\-]{3,}")


@dataclass(slots=True)
class Checked:
    """The citations that survived, and why the others did not."""

    ids: list[str]
    dropped: list[tuple[str, str]] = field(default_factory=list)


def check_citations(
    cited: Iterable[str], known: Mapping[str, Event], allowed: Collection[str] | None = None
) -> Checked:
    """Keep ids that exist (and lie in ``allowed`` when given), in order, without duplicates."""
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    for raw in cited:
        cid = raw.strip()
        if cid in kept:
            continue
        if cid not in known:
            dropped.append((cid, "no such event"))
        elif allowed is not None and cid not in allowed:
            dropped.append((cid, "not in the part of the sources the claim was written from"))
        else:
            kept.append(cid)
    return Checked(kept, dropped)


def earliest(ids: Iterable[str], known: Mapping[str, Event]) -> datetime | None:
    """The time of the earliest cited event: the only source of times in a draft."""
    times = [known[i].time for i in ids if i in known]
    return min(times) if times else None


def cited_time(at: datetime | None, ids: Sequence[str], known: Mapping[str, Event]) -> datetime | None:
    """Keep ``at`` when it is a cited event's time, else take the earliest cited event's."""
    times = {known[i].time for i in ids if i in known}
    if at is not None and at in times:
        return at
    return min(times) if times else None


def missing_quotes(text: str, events: Iterable[Event]) -> list[str]:
    """Numbers and quoted phrases in ``text`` that no cited event contains."""
    haystack = " ".join(" ".join(e.text.split()) for e in events).lower()
    wanted = [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]
    wanted += [m.group(0).strip() for m in _NUMBER.finditer(text)]
    return [w for w in wanted if " ".join(w.split()).lower() not in haystack]


def shares_words(text: str, events: Iterable[Event]) -> bool:
    """Whether the claim and its events have any content word in common (a weak relatedness test)."""
    words = set(_WORD.findall(text.lower()))
    if not words:
        return True
    return any(words & set(_WORD.findall(e.text.lower())) for e in events)


class _Verifier:
    def __init__(self, known: Mapping[str, Event]) -> None:
        self.known = known
        self.flags: list[ReviewFlag] = []
        self.cited: dict[str, None] = {}

    def ids(self, cited: list[str], where: str) -> list[str]:
        checked = check_citations(cited, self.known)
        for cid, reason in checked.dropped:
            self.flags.append(
                ReviewFlag(
                    type="unsupported_claim",
                    message=f"Removed citation '{cid}': {reason}.",
                    category=where.split("[")[0].split(".")[0],
                    quote=None,
                    evidence=[],
                    location=where,
                    suggestion=None,
                )
            )
        self.cited.update(dict.fromkeys(checked.ids))
        return checked.ids

    def unsupported(self, text: str, where: str, already: bool, evidence: list[str]) -> bool:
        if evidence and not already:
            self.plausible(text, evidence, where)
            return False
        if not evidence:
            self.flags.append(
                ReviewFlag(
                    type="unsupported_claim",
                    message="No cited event supports this; check it or remove it.",
                    category=where.split("[")[0].split(".")[0],
                    quote=text[:300],
                    evidence=[],
                    location=where,
                    suggestion=None,
                )
            )
        return True

    def plausible(self, text: str, evidence: list[str], where: str) -> None:
        events = [self.known[i] for i in evidence]
        missing = missing_quotes(text, events)
        if missing:
            self.flags.append(
                ReviewFlag(
                    type="low_confidence",
                    message=f"Not found in the cited events: {', '.join(missing[:5])}.",
                    category=where.split("[")[0].split(".")[0],
                    quote=text[:300],
                    evidence=evidence,
                    location=where,
                    suggestion=None,
                )
            )

    def statement(self, s: Statement | None, where: str) -> None:
        if s is None:
            return
        s.evidence = self.ids(s.evidence, where)
        s.unsupported = self.unsupported(s.text, where, s.unsupported, s.evidence)

    def point(self, p: TimePoint, where: str) -> None:
        p.evidence = self.ids(p.evidence, where)
        p.at = cited_time(p.at, p.evidence, self.known)


def verify_draft(draft: PostMortem, events: Mapping[str, Event]) -> PostMortem:
    """A copy of ``draft`` whose every citation exists, whose times come from cited events, and
    whose unsupported claims are marked and listed in ``review_flags``."""
    pm = draft.model_copy(deep=True)
    v = _Verifier(events)
    for name in ("start", "detected", "acknowledged", "mitigated", "resolved", "end"):
        v.point(getattr(pm.times, name), f"times.{name}")
    pm.durations = durations_from(pm)
    for label, stated in (("postmortem_owner", pm.postmortem_owner), ("review_date", pm.review_date)):
        if stated is not None:
            stated.evidence = v.ids(stated.evidence, label)
    pm.severity.evidence = v.ids(pm.severity.evidence, "severity")
    v.statement(pm.impact.summary, "impact.summary")
    kept_metrics = []
    for i, metric in enumerate(pm.impact.metrics):
        metric.evidence = v.ids(metric.evidence, f"impact.metrics[{i}]")
        cited = [events[e] for e in metric.evidence]
        if cited and not missing_quotes(f'"{metric.value}"', cited):
            kept_metrics.append(metric)
        else:
            pm.impact.unknowns.append(f"Unverified figure removed: {metric.value} ({metric.what}).")
    pm.impact.metrics = kept_metrics
    for i, comm in enumerate(pm.customer_communication):
        comm.evidence = v.ids(comm.evidence, f"customer_communication[{i}]")
        comm.at = cited_time(comm.at, comm.evidence, events)
    d = pm.detection
    d.evidence = v.ids(d.evidence, "detection")
    d.at = cited_time(d.at, d.evidence, events)
    d.unsupported = d.method != "unknown" and v.unsupported(d.text, "detection", d.unsupported, d.evidence)
    for i, responder in enumerate(pm.responders):
        responder.evidence = v.ids(responder.evidence, f"responders[{i}]")
    v.statement(pm.trigger, "trigger")
    v.statement(pm.root_cause, "root_cause")
    for i, entry in enumerate(pm.timeline):
        where = f"timeline[{i}]"
        entry.evidence = v.ids(entry.evidence, where)
        entry.at = cited_time(entry.at, entry.evidence, events)
        entry.unsupported = v.unsupported(entry.text, where, entry.unsupported, entry.evidence)
    pm.timeline.sort(key=lambda e: e.at.timestamp() if e.at else float("inf"))
    for part in ("impact", "detection", "beliefs", "hypotheses", "resolution", "what_changed"):
        v.statement(getattr(pm.narrative, part), f"narrative.{part}")
    for i, h in enumerate(pm.hypotheses):
        where = f"hypotheses[{i}]"
        h.evidence = v.ids(h.evidence, where)
        h.settled_evidence = v.ids(h.settled_evidence, where)
        h.raised_at = cited_time(h.raised_at, h.evidence, events)
        h.unsupported = v.unsupported(h.text, where, h.unsupported, h.evidence)
    for i, factor in enumerate(pm.contributing_factors):
        where = f"contributing_factors[{i}]"
        factor.evidence = v.ids(factor.evidence, where)
        factor.unsupported = v.unsupported(factor.text, where, factor.unsupported, factor.evidence)
    for section in ("went_well", "went_poorly", "where_we_got_lucky", "lessons_learned"):
        for i, s in enumerate(getattr(pm, section)):
            v.statement(s, f"{section}[{i}]")
    for i, item in enumerate(pm.action_items):
        where = f"action_items[{i}]"
        item.evidence = v.ids(item.evidence, where)
        if item.origin == "agreed":
            item.unsupported = v.unsupported(item.description, where, item.unsupported, item.evidence)
    for i, q in enumerate(pm.open_questions):
        q.evidence = v.ids(q.evidence, f"open_questions[{i}]")
    for flag in pm.review_flags:
        flag.evidence = [e for e in flag.evidence if e in events]
        v.cited.update(dict.fromkeys(flag.evidence))
    pm.review_flags.extend(_new_flags(pm.review_flags, v.flags))
    pm.cited_events = [cited_event(events[i]) for i in sorted(v.cited, key=lambda i: (events[i].time, i))]
    return pm


def _new_flags(existing: Sequence[ReviewFlag], found: Sequence[ReviewFlag]) -> list[ReviewFlag]:
    seen = {(f.type, f.location, f.message) for f in existing}
    out = []
    for flag in found:
        key = (flag.type, flag.location, flag.message)
        if key not in seen:
            seen.add(key)
            out.append(flag)
    return out


def durations_from(pm: PostMortem) -> Durations:
    """Minutes between the verified times; null when either end is unknown."""

    def minutes(a: datetime | None, b: datetime | None) -> float | None:
        return round((b - a).total_seconds() / 60, 1) if a and b else None

    t = pm.times
    return Durations(
        time_to_detect_minutes=minutes(t.start.at, t.detected.at),
        time_to_mitigate_minutes=minutes(t.start.at, t.mitigated.at),
        time_to_resolve_minutes=minutes(t.start.at, t.resolved.at),
    )


def cited_event(event: Event) -> CitedEvent:
    """The copy of a source event a draft carries so it can be reviewed on its own."""
    return CitedEvent(
        id=event.id,
        time=event.time,
        kind=event.kind.value,
        actor=event.actor.name,
        text=event.text,
        url=event.url,
        source=f"{event.source_format}:{event.source_file}",
    )
