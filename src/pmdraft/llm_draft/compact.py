"""What the map calls are shown: repeats left out and machine clutter trimmed, so tokens buy content.

Teams pay per prompt token, and an incident channel repeats itself: the alerting tool's webhook and
its chat bot post the same alert a minute apart, the pager re-notifies, every acknowledgement and note
repeats the alert's title in parentheses, and links carry long query strings. ``compact_events``
keeps the first telling of each and returns the events to send, in order, with compacted text; ids
are untouched, so citations still name the source events. Noise (joins, leaves) is left out earlier,
by ``pipeline.events_for_model``.

Deterministic and linear: each event is compared with a bounded number of recent machine posts.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from pmdraft.events import Event, EventKind

__all__ = ["compact_events", "compact_text"]

#: A repeat of a machine post this soon after the first telling is a duplicate delivery or re-notification.
REPEAT_WINDOW = timedelta(hours=2)
#: Share of a post's words that must appear in the earlier post for it to count as a repeat.
REPEAT_SHARE = 0.7
#: Recent machine posts each one is compared with (bounds the work per event).
_RECENT = 24
#: Shorter texts are never treated as repeats: "resolved" twice can be two different things.
_MIN_WORDS = 4

_ALERT_KINDS = frozenset(
    {
        EventKind.ALERT_TRIGGER,
        EventKind.ALERT_RESOLVE,
        EventKind.ALERT_NOTIFY,
        EventKind.ALERT_ESCALATE,
        EventKind.ALERT_ACK,
        EventKind.ALERT_ANNOTATE,
    }
)
_RESOLVED = re.compile(r"^\W*(resolved|recovered|closed|ok)\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_URL = re.compile(r"\bhttps?://([^\s/?#|>()]+)([^\s?#|>()]*)[^\s|>()]*", re.I)
_EMOJI = re.compile(r"(?<!\S):[a-z0-9_+-]+:(?!\S)")
#: A trailing "(...)" that pagers append to every log entry: the incident's title.
_TRAILING_TITLE = re.compile(r"\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*$")


def compact_text(text: str) -> str:
    """One line; links shortened to host and path (no scheme, query or fragment); emoji codes dropped."""
    text = _URL.sub(_short_url, text)
    text = _EMOJI.sub("", text)
    return " ".join(text.split())


def _short_url(match: re.Match[str]) -> str:
    host, path = match.group(1), match.group(2).rstrip("/.,;:)")
    segments = [s for s in path.split("/") if s][:3]
    return host + "".join(f"/{s}" for s in segments)


def _machine(event: Event) -> bool:
    """Alerts and bots' chat posts, where a repeat is a second delivery, not conversation. Status
    pages, deploys and tickets are never repeats even when worded alike: each update says something."""
    if event.kind in _ALERT_KINDS:
        return True
    return event.kind is EventKind.CHAT and (event.is_bot or event.actor.is_bot)


def _phase(event: Event) -> str:
    """Firing and resolving posts of one alert share words but say opposite things."""
    if event.kind is EventKind.ALERT_RESOLVE or _RESOLVED.match(event.text):
        return "resolved"
    if event.kind in (EventKind.ALERT_TRIGGER, EventKind.CHAT):
        return "firing"
    return event.kind.value


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2 or w.isdigit())


def compact_events(events: Sequence[Event]) -> list[Event]:
    """The events worth sending, in order: repeated machine posts left out, texts compacted."""
    recent: deque[tuple[Event, str, frozenset[str]]] = deque(maxlen=_RECENT)
    last_title = [""]
    out: list[Event] = []
    for event in events:
        text = event.text
        if event.kind in _ALERT_KINDS:
            text = _drop_repeated_title(text, last_title)
        if _machine(event):
            words = _words(text)
            phase = _phase(event)
            repeat = len(words) >= _MIN_WORDS and _repeats(event, phase, words, recent)
            recent.append((event, phase, words))  # a left-out copy still matches its own later copies
            if repeat:
                continue
        compacted = compact_text(text)
        out.append(event if compacted == event.text else replace(event, text=compacted))
    return out


def _repeats(
    event: Event, phase: str, words: frozenset[str], recent: deque[tuple[Event, str, frozenset[str]]]
) -> bool:
    for earlier, earlier_phase, earlier_words in reversed(recent):
        if event.time - earlier.time > REPEAT_WINDOW:
            break
        if earlier_phase != phase or _other_alert(event, earlier):
            continue
        if len(words & earlier_words) >= REPEAT_SHARE * len(words):
            return True
    return False


def _other_alert(one: Event, other: Event) -> bool:
    """Two alerts the source names differently are two alerts, however alike their words."""
    a, b = one.attrs.get("alert_name"), other.attrs.get("alert_name")
    return bool(a and b and a != b)


def _drop_repeated_title(text: str, last: list[str]) -> str:
    """ "Acknowledged by X ([#4821] HighErrorRate api)": a trailing parenthesis equal to the previous
    alert post's is left out (kept when it changes, so interleaved alerts stay told apart)."""
    found = _TRAILING_TITLE.search(text)
    if found is None or len(found.group(1)) < 16:
        return text
    title = " ".join(found.group(1).split()).lower()
    if title == last[0]:
        return text[: found.start()]
    last[0] = title
    return text
