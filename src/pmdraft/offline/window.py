"""The incident window: the stretch of the exports where the incident happened.

Exports hold more than the incident: days of unrelated chat, a flapping alert all week, follow-up
tickets later. Detection is read inside the window, the other times from it onwards; key events and
impact numbers around it; action items in the days after. The window is the highest-scoring chain of
incident signals (alerts, acks, rollbacks, status posts, customer reports, incident-handling words in
chat) split where they pause for longer than ``GAP``. Alerts that fire over and over weigh little.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmdraft.events import Event
from pmdraft.offline._text import Cue, Tag
from pmdraft.offline.times import detection_method

#: Chained signals further apart than this belong to different clusters.
GAP = timedelta(minutes=90)
#: Signals at least this heavy chain a cluster; lighter ones only add to its score.
STRONG = 1.0
#: Without any strong signal (a chat log alone), chat about handling an incident chains instead.
CHAIN_WEIGHT = 0.5

_WEIGHTS: dict[Tag, float] = {
    Tag.ALERT: 3.0,
    Tag.ALERT_ACK: 2.0,
    Tag.ALERT_RESOLVE: 1.0,
    Tag.ALERT_OTHER: 1.0,
    Tag.ROLLBACK: 3.0,
    Tag.STATUS: 3.0,
    Tag.CUSTOMER: 3.0,
    Tag.TICKET: 1.0,
    Tag.TICKET_STATUS: 0.5,
    Tag.FLAG: 1.0,
    Tag.DEPLOY: 0.3,
}
#: A monitor clearing by itself says nothing about people handling an incident.
_BOT_RESOLVE = 0.3
_ALERT_TAGS = frozenset({Tag.ALERT, Tag.ALERT_ACK, Tag.ALERT_RESOLVE, Tag.ALERT_OTHER})
_ALERT_KEY_NOISE = re.compile(r"\[[^\]]*\]|\d+|https?://\S+")

#: Chat that says an incident is being handled: extends a cluster.
INCIDENT_CHAT = Cue(
    r"incident|outage|sev|roll|revert|mitigat|fail|status|paged|war room|root cause|degrad|5xx|500|error rate"
    r"|resolved|customer",
    re.compile(
        r"\b(?:incident|outage|sev[- ]?[0-4]|roll(?:ed|ing)?[ -]?back|rollback|revert\w*|mitigat\w*|"
        r"fail(?:ed|ing)?[ -]?over|status ?page|paged|war ?room|root cause|degraded|5xx|500s|error rate|"
        r"resolved|customers?\b[^.?!\n]{0,20}?\b(?:report\w*|complain\w*|can'?t|cannot|unable))\b",
        re.IGNORECASE,
    ),
)
_ANY_WORD = re.compile(
    r"incident|outage|sev|roll|revert|mitigat|fail|status|paged|war room|root cause|degrad|5xx|500|error"
    r"|resolved|customer|support|report|complain|[45]\d\d|timeout|timing|latency|spik|elevated|down|broken|alert|firing|call"
)
#: Chat weights: handling words chain; symptom words only add to a cluster's score.
_CHAT_CHAIN = 0.5
_CHAT_SCORE = 0.2
INCIDENT_WORDS = Cue(
    r"error|[45]\d\d|timeout|timing|latency|spik|elevated|down|broken|alert|firing|call",
    re.compile(
        r"\b(?:errors?|5\d\d|timeouts?|timing out|latency|spik\w*|elevated|down|broken|alerts?|firing|"
        r"on-?call)\b",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class Window:
    """First and last chained signal of the chosen cluster (both inclusive)."""

    start: datetime
    end: datetime


def alert_key(event: Event) -> str:
    """The same alert across re-fires: its name without counters, states and links."""
    name = event.attrs.get("alert_name") or event.text.split("\n", 1)[0]
    return _ALERT_KEY_NOISE.sub("", name.lower()).strip()[:80]


def _weights(events: Sequence[Event], tags: Sequence[Tag]) -> list[float]:
    """Each event's signal weight. An alert that fires again and again is background: its weight is
    shared among its firings, so a flapping alert never outweighs one that fired once."""
    counts: dict[str, int] = {}
    for event, tag in zip(events, tags, strict=True):
        if tag is Tag.ALERT:
            key = alert_key(event)
            counts[key] = counts.get(key, 0) + 1
    weights: list[float] = []
    for event, tag in zip(events, tags, strict=True):
        weight = _WEIGHTS.get(tag, 0.0)
        if tag is Tag.ALERT_RESOLVE and (event.is_bot or event.actor.is_bot):
            weight = _BOT_RESOLVE
        elif tag in _ALERT_TAGS:
            weight /= max(1, counts.get(alert_key(event), 1))
        elif tag is Tag.CHAT:
            low = event.text.lower()
            if _ANY_WORD.search(low) is None:
                weight = 0.0
            elif INCIDENT_CHAT.search(event.text, low) or detection_method(event, tag) is not None:
                weight = _CHAT_CHAIN
            elif INCIDENT_WORDS.search(event.text, low):
                weight = _CHAT_SCORE
        weights.append(weight)
    return weights


def find_window(events: Sequence[Event], tags: Sequence[Tag]) -> Window | None:
    """The highest-scoring cluster of incident signals; None when there are no events at all.

    Clusters chain the strong signals (weight >= ``STRONG``: a rare alert, an ack, a rollback, a
    status post, a customer report, a ticket) with no pause longer than ``GAP``; light signals (chat,
    noisy alerts, deploys) add to the score of the cluster they fall in or just after, but never chain:
    in a busy workspace someone says 'rollback' every few minutes. Exports without any strong signal
    (a chat log alone) chain on chat instead.
    """
    if not events:
        return None
    weights = _weights(events, tags)
    chain = STRONG if any(w >= STRONG for w in weights) else CHAIN_WEIGHT
    light_times: list[datetime] = []
    light_sums: list[float] = [0.0]
    clusters: list[tuple[float, datetime, datetime]] = []
    first: datetime | None = None
    last: datetime | None = None
    score = 0.0
    for event, weight in zip(events, weights, strict=True):
        if weight <= 0.0:
            continue
        if weight < chain:
            light_times.append(event.time)
            light_sums.append(light_sums[-1] + weight)
            continue
        if first is not None and last is not None and event.time - last > GAP:
            clusters.append((score, first, last))
            first, score = None, 0.0
        if first is None:
            first = event.time
        score += weight
        last = event.time
    if first is not None and last is not None:
        clusters.append((score, first, last))
    if not clusters:
        return Window(events[0].time, events[-1].time)

    def total(cluster: tuple[float, datetime, datetime]) -> float:
        lo = bisect_left(light_times, cluster[1])
        hi = bisect_right(light_times, cluster[2] + GAP)
        return cluster[0] + light_sums[hi] - light_sums[lo]

    best = max(clusters, key=total)
    return Window(best[1], best[2])
