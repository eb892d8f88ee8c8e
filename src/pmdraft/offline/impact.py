"""Impact numbers, affected services and severity, each as written in the sources.

A number is kept only with a unit or noun that says what it measures (``30%``, ``HTTP 503``,
``p99 8 s``, ``1,200 users``); bare numbers, clock times, versions and ticket numbers are not
impact. The value is copied exactly as written, with the sentence it appears in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pmdraft.events import Event
from pmdraft.offline._text import Cue, Tag, own_words, quote, sentence_at
from pmdraft.schema import ImpactMetric, Severity

#: Impact numbers kept at most (the first ones seen, which is where impact is first described).
MAX_METRICS = 15

_NUM = r"(?<![\w.:/#-])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.:/#-])\d+(?:\.\d+)?"
_PERCENT = re.compile(rf"(?:{_NUM})[ \t]?%")
#: A threshold, not a measurement: 'above 5%', '> 2s', 'threshold of 1%', 'SLO 1.5s'.
_THRESHOLD_BEFORE = re.compile(
    r"(?:\babove|\bbelow|\bthreshold(?: of| is)?|\bslo|\btarget|[<>]=?)\W{0,2}$", re.I
)
_HTTP = re.compile(
    r"\b(?:HTTP|status(?: code)?|returning|returned|throwing|threw|got|getting|seeing|serving)\s+"
    r"(?:an? |some |lots of |many )?([45]\d\d)\b|(?<![\w.:/#-])([45]\d\d)s\b"
    r"|(?<![\w.:/#-])([45]\d\d)\b(?=\s*(?:errors?|responses?|codes?|status)\b)",
    re.IGNORECASE,
)
_DURATION = re.compile(
    rf"(?:{_NUM})[ \t]?(?:ms|milliseconds?|s|secs?|seconds?|min|mins|minutes?)\b", re.IGNORECASE
)
_HTTP_LIKE_PLURAL = re.compile(r"[45]\d\ds")
_LATENCY_CONTEXT = re.compile(
    r"\b(?:latency|p50|p90|p95|p99|p999|response times?|load times?|slow\w*|timeouts?|timing out|"
    r"lag)\b",
    re.IGNORECASE,
)
_COUNT = re.compile(
    rf"(?:{_NUM})[ \t]?[kKmM]?\+?[ \t]+(?:[a-z][a-z-]*[ \t]+){{0,2}}"
    r"(?:users?|customers?|accounts?|merchants?|orders?|requests?|transactions?|payments?|checkouts?|"
    r"tenants?|sessions?|tickets?|reports?|complaints?|sign-?ups?|logins?|jobs?|messages?|emails?)\b",
    re.IGNORECASE,
)
_RATE = re.compile(
    rf"(?:{_NUM})[ \t]?[kKmM]?[ \t]?(?:rps|qps|req/s|requests?/s(?:ec)?|/s|per second)\b", re.I
)
_MEASURES = (
    ("error rate", re.compile(r"\berror[- ]rate|\berrors?\b|\bfail\w*|\b[45](?:\d\d|xx)s?\b", re.I)),
    ("cache hit rate", re.compile(r"\bhit[- ]rate\b", re.I)),
    ("latency", _LATENCY_CONTEXT),
    ("success rate", re.compile(r"\bsuccess(?:ful)?\b|\bavailability\b|\buptime\b", re.I)),
    ("traffic", re.compile(r"\btraffic\b|\brequests?\b|\bthroughput\b", re.I)),
    ("CPU", re.compile(r"\bcpu\b|\bsteal\b", re.I)),
    ("memory", re.compile(r"\bmemory\b|\bram\b|\bheap\b", re.I)),
    ("disk", re.compile(r"\bdisk\b|\bstorage\b", re.I)),
    ("connections", re.compile(r"\bconnections?\b|\bpool\b", re.I)),
)
_SEVERITY = Cue(
    r"sev|p[0-4]",
    re.compile(
        r"\b((?i:sev(?:erity)?)[- ]?[0-5])\b|\b(P[0-4])\b(?![.\d])"
        r"|\b(?i:severity(?: level)?\s*(?:is|:|=)?\s*(critical|major|high|medium|moderate|minor|low))\b",
    ),
)
_SEVERITY_SOURCES = frozenset({Tag.CHAT, Tag.TICKET, Tag.TICKET_STATUS, Tag.TICKET_COMMENT, Tag.STATUS})


@dataclass(frozen=True)
class _Found:
    value: str
    what: str
    start: int


def _what(sentence: str, pos: int, fallback: str) -> str:
    """The measure named closest to the number at ``pos`` in ``sentence``."""
    best: tuple[int, str] | None = None
    for name, pattern in _MEASURES:
        for m in pattern.finditer(sentence):
            distance = min(abs(m.start() - pos), abs(m.end() - pos))
            if best is None or distance < best[0]:
                best = (distance, name)
    return best[1] if best else fallback


def numbers_in(text: str) -> list[_Found]:
    """Impact numbers in one text, in reading order, each with what it measures."""
    found: list[_Found] = []
    for m in _PERCENT.finditer(text):
        if _THRESHOLD_BEFORE.search(text, max(0, m.start() - 14), m.start()):
            continue
        sentence = sentence_at(text, m.start())
        what = _what(sentence, sentence.find(m.group(0)), "")
        if what:
            found.append(_Found(m.group(0), what, m.start()))
    for m in _HTTP.finditer(text):
        code = m.group(1) or m.group(2) or m.group(3)
        written = m.group(0).strip()
        value = written if written.upper().startswith("HTTP") or written.endswith("s") else code
        found.append(_Found(value, f"HTTP {code} responses", m.start(1) if m.group(1) else m.start()))
    for m in _DURATION.finditer(text):
        if _HTTP_LIKE_PLURAL.fullmatch(m.group(0)) or _THRESHOLD_BEFORE.search(
            text, max(0, m.start() - 14), m.start()
        ):
            continue
        sentence = sentence_at(text, m.start())
        if _LATENCY_CONTEXT.search(sentence):
            found.append(_Found(m.group(0), "latency", m.start()))
    for m in _COUNT.finditer(text):
        noun = m.group(0).split()[-1].lower()
        found.append(_Found(m.group(0), f"count of {noun}", m.start()))
    for m in _RATE.finditer(text):
        found.append(_Found(m.group(0), "request rate", m.start()))
    found.sort(key=lambda f: (f.start, -len(f.value)))
    kept: list[_Found] = []
    for f in found:
        if kept and f.start < kept[-1].start + len(kept[-1].value):
            continue
        kept.append(f)
    return kept


def find_metrics(events: Iterable[Event], limit: int = MAX_METRICS) -> list[ImpactMetric]:
    """Impact numbers from human, alert, status and ticket text, deduplicated on (value, what)."""
    metrics: list[ImpactMetric] = []
    seen: set[str] = set()
    for event in events:
        for f in numbers_in(own_words(event.text)):
            key = f.value.lower()
            if key in seen:
                continue
            seen.add(key)
            metrics.append(
                ImpactMetric(
                    value=f.value,
                    what=f.what,
                    quote=quote(sentence_at(own_words(event.text), f.start)),
                    evidence=[event.id],
                )
            )
            if len(metrics) >= limit:
                return metrics
    return metrics


def find_services(events: Iterable[Event]) -> list[str]:
    """Services named by alerts and tickets (``attrs['service']``), in first-seen order."""
    services: dict[str, None] = {}
    for event in events:
        service = event.attrs.get("service")
        if service:
            services.setdefault(service.strip(), None)
    return [s for s in services if s]


def _stated_reason(level: str, event: Event) -> str:
    if event.attrs.get("priority") == level:
        key = event.attrs.get("ticket_key", "")
        return f"Priority {level} on ticket {key}".rstrip() + " (as set in the ticket system)."
    return f"Stated in the sources: “{quote(event.text, 160)}”"


def find_severity(events: Sequence[Event], tags: Sequence[Tag]) -> Severity:
    """The last severity people or tickets state (upgrades and downgrades win); else unknown."""
    stated: tuple[str, Event] | None = None
    for event, tag in zip(events, tags, strict=True):
        level: str | None = None
        if tag in (Tag.TICKET, Tag.TICKET_STATUS) and event.attrs.get("priority"):
            level = event.attrs["priority"]
        elif tag in _SEVERITY_SOURCES:
            m = _SEVERITY.search(event.text)
            if m is not None:
                level = next(g for g in m.groups() if g)
        if level:
            stated = (level.strip(), event)
    if stated is not None:
        level, event = stated
        return Severity(
            level=level,
            stated=True,
            reason=_stated_reason(level, event),
            evidence=[event.id],
        )
    return Severity(
        level=None,
        stated=False,
        reason="No severity is stated in the sources; a person (or the model path) should set it.",
        evidence=[],
    )
