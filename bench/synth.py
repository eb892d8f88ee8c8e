"""Seeded synthetic Slack workspace exports for benchmarks.

``generate_slack_export(out, SynthSpec(messages=200_000, alerts=400))`` writes an unpacked Slack export
(``channels.json``, ``users.json``, one folder of ``YYYY-MM-DD.json`` day files per channel) with
realistic per-message shape and cost: day-to-day engineering chatter with some incident-ish words in
it, ``incidents`` dense incident episodes (an alert, responders, hypotheses, a rollback, status posts,
recovery, follow-ups) in their own channels, threads spanning day files, reactions, edits, bot posts
(deploys, alert firing/resolved pairs as Alertmanager attachments) and channel joins. Files are
indented like Slack's own export. The same spec and seed always give the same bytes.

``profile="stress"`` makes every chat message incident-room phrasing, so the whole export looks like
one incident: the worst case for the drafting rules, which then analyse every message.

``generate_bundle(out, spec)`` writes what a team hands pmdraft for one incident review: the Slack
export in ``out/slack/`` plus ``spec.webhook_alerts`` alerts as Alertmanager webhook payloads
(``out/alertmanager-webhooks.json``, each alert firing then resolved, the incident episodes' own alerts
among them) and ``spec.tickets`` Jira issues (``out/jira-issues.json``, API v2: the incident tickets
with comments and status changes, then ordinary tickets). Both use a generator seeded apart from the
chat, so adding them never changes the Slack bytes.

    python bench/synth.py OUT_DIR [--messages 200000] [--alerts 400] [--days 5] [--seed 7]
                                  [--webhook-alerts M --tickets K]   # a bundle: OUT_DIR/slack/ + files

Reuse: import ``SynthSpec`` and ``generate_slack_export`` or ``generate_bundle``; ``SynthStats`` says
what was written.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["Bundle", "SynthSpec", "SynthStats", "generate_bundle", "generate_slack_export"]

_TEAM = "T0BENCH01"
_START = datetime(2024, 5, 6, 6, 0, tzinfo=UTC)

_FIRST = (
    "Ana Ben Chen Dara Eli Farah Gus Hana Ivo Jun Kai Lena Mo Nia Omar Pia Quinn Rui Sol Tao Uma Vik Wen Yara"
).split()
_LAST = (
    "Okafor Berg Lin Ibarra Sato Menon Nowak Adebayo Park Rossi Kim Costa Weber Haddad Silva Moreau".split()
)
_SERVICES = (
    "api checkout billing search auth payments dashboard ingest worker gateway cdn notifications".split()
)
_THINGS = (
    "the DB", "the cache", "the CDN", "DNS", "the connection pool", "the new deploy", "the feature flag",
    "the load balancer", "the queue", "a noisy neighbour", "the migration", "the config push",
)  # fmt: skip
_CHATTER = (
    "can someone review my PR for {svc}? it's small",
    "lgtm, merging",
    "lunch?",
    "standup in 5",
    "the {svc} dashboard is here https://grafana.example.com/d/{svc}?orgId=1",
    "nice work everyone",
    "deploying {svc} v{n}.{n2} now",
    "who owns the {svc} terraform module?",
    "I pushed a fix for the flaky {svc} test, CI is green now",
    "heads up: {svc} staging will be down for maintenance at {n2}:00",
    "we should upgrade the {svc} client library this sprint",
    "there's a typo in the {svc} README, fixing",
    "anyone know why the {svc} build takes {n} minutes?",
    "planning meeting moved to thursday",
    "thanks @{handle}!",
    "I'll pair with @{handle} on the {svc} migration after lunch",
    "the {svc} p50 looks fine after the refactor, {ms}ms",
    "cc @{handle} for the {svc} review",
    "retro notes are in the doc",
    "does `{svc}` still read from the replica? ```SELECT count(*) FROM jobs WHERE state = 'stuck'```",
)
_TEMPLATES = (
    "anyone else seeing {n}% errors on {svc}?",
    "{svc} p99 latency is {ms}ms, normally ~{base}ms",
    "could it be {thing}? we changed it {n} minutes ago",
    "not {thing}, graphs are flat",
    "I think it's {thing} again",
    "rolling back {svc} to the previous release",
    "rollback done, {svc} on v{n}.{n2}",
    "error rate back to baseline on {svc}",
    "we should add an alert on {svc} saturation",
    "action item: document the {svc} failover runbook, owner @{handle}, due 2024-06-{day:02d}",
    "deploying {svc} v{n}.{n2} now",
    "lgtm, merging",
    "lunch?",
    "can someone review my PR for {svc}? it's small",
    "{n} customers reported slow {svc} pages",
    "status page updated: investigating elevated errors on {svc}",
    "flag {svc}-fast-path is OFF in production",
    "ack, looking",
    "standup in 5",
    "the {svc} dashboard is here https://grafana.example.com/d/{svc}?orgId=1",
    "I'll take it",
    "TODO: clean up the {svc} alerts that flap",
    "nice work everyone",
    "hmm, {svc} CPU at {n}% on {n2} pods",
    "does `{svc}` still read from the replica? ```SELECT count(*) FROM jobs WHERE state = 'stuck'```",
)
_REACTIONS = ("+1", "eyes", "white_check_mark", "tada", "thinking_face")


@dataclass(frozen=True)
class SynthSpec:
    """What to generate. ``messages`` counts every message written (chat, replies, bots, joins)."""

    messages: int = 200_000
    alerts: int = 400
    days: int = 5
    channels: int = 6
    users: int = 40
    seed: int = 7
    #: "mixed": chatter with a few incident episodes; "stress": every chat message is incident talk.
    profile: str = "mixed"
    incidents: int = 2
    incident_messages: int = 600
    #: Share of ordinary chatter that still uses incident words ('errors', 'latency', 'customers').
    incident_words_share: float = 0.05
    thread_share: float = 0.12
    join_share: float = 0.02
    deploy_share: float = 0.01
    #: Alerts written as Alertmanager webhook payloads by ``generate_bundle`` (firing + resolved each).
    webhook_alerts: int = 0
    #: Jira issues written by ``generate_bundle``; the first ``incidents`` are the incidents' tickets.
    tickets: int = 0


@dataclass
class SynthStats:
    """What ``generate_slack_export`` wrote."""

    messages: int = 0
    replies: int = 0
    bot_posts: int = 0
    alerts: int = 0
    joins: int = 0
    day_files: int = 0
    bytes: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    #: (channel, start epoch seconds, service) of each incident episode.
    episodes: list[tuple[str, float, str]] = field(default_factory=list)


@dataclass
class _User:
    id: str
    handle: str
    real_name: str
    is_bot: bool = False


def _users(rng: random.Random, n: int) -> list[_User]:
    out: list[_User] = []
    for i in range(n):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        out.append(_User(f"U{i:08d}", f"{first.lower()}.{last[0].lower()}{i}", f"{first} {last}"))
    return out


def _profile(user: _User) -> dict[str, Any]:
    return {
        "real_name": user.real_name,
        "display_name": user.handle,
        "name": user.handle,
        "first_name": user.real_name.split()[0],
        "team": _TEAM,
    }


def _ts(seconds: float, used: set[str]) -> str:
    whole = int(seconds)
    micro = int((seconds - whole) * 1_000_000)
    ts = f"{whole}.{micro:06d}"
    while ts in used:
        micro = (micro + 1) % 1_000_000
        ts = f"{whole}.{micro:06d}"
    used.add(ts)
    return ts


def _text(rng: random.Random, handles: list[str], incident: bool = True) -> str:
    template = rng.choice(_TEMPLATES if incident else _CHATTER)
    return template.format(
        n=rng.randint(1, 95),
        n2=rng.randint(0, 30),
        ms=rng.randint(300, 9000),
        base=rng.randint(80, 400),
        svc=rng.choice(_SERVICES),
        thing=rng.choice(_THINGS),
        handle=rng.choice(handles),
        day=rng.randint(1, 28),
    )


def _alert_post(rng: random.Random, firing: bool, name: str, svc: str) -> dict[str, Any]:
    state = "FIRING:1" if firing else "RESOLVED"
    value = rng.randint(6, 60) if firing else rng.randint(0, 2)
    return {
        "type": "message",
        "subtype": "bot_message",
        "text": "",
        "username": "Alertmanager",
        "bot_id": "B0ALERTS1",
        "attachments": [
            {
                "id": 1,
                "color": "danger" if firing else "good",
                "title": f"[{state}] {name} {svc} (production critical)",
                "title_link": "http://alertmanager.internal:9093/#/alerts",
                "fallback": f"[{state}] {name} {svc} (production critical)",
                "text": f"*Alert:* {svc} error ratio above 5% - `critical`\n*Description:* ratio is {value}%",
            }
        ],
    }


def _schedule(spec: SynthSpec, rng: random.Random) -> list[float]:
    """Sorted epoch seconds for the top-level posts, denser in working hours."""
    span = spec.days * 86_400
    start = _START.timestamp()
    out: list[float] = []
    while len(out) < spec.messages:
        t = rng.random() * span
        hour = (t % 86_400) / 3600
        if 8 <= hour <= 19 or rng.random() < 0.25:
            out.append(start + t)
    out.sort()
    return out


def generate_slack_export(out: Path, spec: SynthSpec | None = None) -> SynthStats:
    """Write a synthetic Slack export under ``out`` (created; existing day files are overwritten)."""
    spec = spec or SynthSpec()
    rng = random.Random(spec.seed)
    out.mkdir(parents=True, exist_ok=True)
    users = _users(rng, spec.users)
    handles = [u.handle for u in users]
    deploy_bot = _User("U0DEPLOYB", "deploybot", "deploybot", is_bot=True)
    channels = [
        f"ch-{i}-{name}" for i, name in enumerate(("incidents", "eng", "ops", "support", "random", "deploys"))
    ]
    channels = (channels * (spec.channels // len(channels) + 1))[: spec.channels]
    channels = [c if i < 6 else f"{c}-{i}" for i, c in enumerate(channels)]
    stats = SynthStats()
    per_channel: dict[str, list[dict[str, Any]]] = defaultdict(list)
    used: dict[str, set[str]] = defaultdict(set)

    budget = spec.messages
    span_start, span = _START.timestamp(), spec.days * 86_400
    if spec.profile == "mixed":
        for k in range(spec.incidents):
            budget -= _episode(rng, spec, k, users, handles, per_channel, used, stats)
    for _ in range(min(spec.alerts, spec.messages // 2)):
        t = span_start + rng.random() * span
        channel = rng.choice(channels)
        name, svc = rng.choice(("HighErrorRate", "LatencyHigh", "DiskFull")), rng.choice(_SERVICES)
        per_channel[channel].append({**_alert_post(rng, True, name, svc), "ts": _ts(t, used[channel])})
        resolved = _ts(t + rng.randint(120, 3600), used[channel])
        per_channel[channel].append({**_alert_post(rng, False, name, svc), "ts": resolved})
        stats.alerts += 1
        stats.bot_posts += 2
        budget -= 2
    times = _schedule(spec, rng)
    i = 0
    while budget > 0 and i < len(times):
        t = times[i]
        i += 1
        channel = rng.choice(channels)
        ts = _ts(t, used[channel])
        roll = rng.random()
        if roll < spec.join_share:
            user = rng.choice(users)
            message: dict[str, Any] = {
                "type": "message",
                "subtype": "channel_join",
                "user": user.id,
                "text": f"<@{user.id}> has joined the channel",
                "ts": ts,
                "user_profile": _profile(user),
            }
            stats.joins += 1
        elif roll < spec.join_share + spec.deploy_share:
            svc = rng.choice(_SERVICES)
            message = {
                "type": "message",
                "text": f":rocket: Deployed *{svc}* `v{rng.randint(1, 9)}.{rng.randint(0, 99)}` to prod",
                "user": deploy_bot.id,
                "bot_id": "B0DEPLOY1",
                "ts": ts,
                "user_profile": _profile(deploy_bot),
            }
            stats.bot_posts += 1
        else:
            user = rng.choice(users)
            text = _text(rng, handles, spec.profile == "stress" or rng.random() < spec.incident_words_share)
            if rng.random() < 0.3:
                text = text.replace(f"@{handles[0]}", f"<@{users[0].id}>")
            message = {
                "type": "message",
                "user": user.id,
                "text": text,
                "ts": ts,
                "user_profile": _profile(user),
            }
            if rng.random() < 0.08:
                message["reactions"] = [{"name": rng.choice(_REACTIONS), "users": [users[0].id], "count": 1}]
            if rng.random() < 0.03:
                message["edited"] = {"user": user.id, "ts": _ts(t + 30, used[channel])}
            if rng.random() < spec.thread_share and budget > 3:
                replies = []
                for k in range(rng.randint(1, 5)):
                    if budget <= 2:
                        break
                    replier = rng.choice(users)
                    rts = _ts(t + 20 + k * rng.randint(10, 900), used[channel])
                    per_channel[channel].append(
                        {
                            "type": "message",
                            "user": replier.id,
                            "text": _text(rng, handles, spec.profile == "stress"),
                            "ts": rts,
                            "thread_ts": ts,
                            "parent_user_id": user.id,
                            "user_profile": _profile(replier),
                        }
                    )
                    replies.append({"user": replier.id, "ts": rts})
                    stats.replies += 1
                    budget -= 1
                message.update(
                    thread_ts=ts,
                    reply_count=len(replies),
                    reply_users=sorted({r["user"] for r in replies}),
                    replies=replies,
                    latest_reply=replies[-1]["ts"],
                )
        per_channel[channel].append(message)
        budget -= 1

    incident_rooms = sorted(c for c in per_channel if c not in channels)
    _write(out, spec, [*users, deploy_bot], channels + incident_rooms, per_channel, stats)
    return stats


_EPISODE = (
    "[FIRING] alert",
    "ack, looking",
    "I'm IC. @{handle} ops lead, @{handle2} comms",
    "{svc} 5xx went from ~0.2% to about {n}%, every pod",
    "{n} customers reported errors on {svc} in the last ten minutes",
    "could it be {thing}?",
    "not {thing}, graphs are flat",
    "status page: investigating elevated errors on {svc}",
    "we shipped {svc} v{n}.{n2} an hour ago, rolling back",
    "rollback done, error rate hasn't moved",
    "ok so not the deploy",
    "found it: the {svc} flag flipped on at the same time. confirmed cause",
    "flag {svc}-fast-path is OFF in production",
    "error rate dropping",
    "{svc} error rate back to baseline",
    "status page: resolved - errors on {svc} are back to normal",
    "agreed, resolved.",
    "Closing the incident. Review tomorrow",
    "action item: {svc} flag changes need a canary, owner @{handle}, due 2024-06-{day:02d}",
    "agreed",
)


def _episode(
    rng: random.Random,
    spec: SynthSpec,
    k: int,
    users: list[_User],
    handles: list[str],
    per_channel: dict[str, list[dict[str, Any]]],
    used: dict[str, set[str]],
    stats: SynthStats,
) -> int:
    """One incident in its own channel: the story in order, padded with incident-room chatter."""
    channel = f"inc-{k + 1}-synthetic"
    start = _START.timestamp() + (k + 1) * spec.days * 86_400 / (spec.incidents + 1)
    svc, thing = rng.choice(_SERVICES), rng.choice(_THINGS)
    stats.episodes.append((channel, start, svc))
    responders = rng.sample(users, min(8, len(users)))
    n = max(len(_EPISODE), spec.incident_messages)
    beats = {round(i * n / len(_EPISODE)): line for i, line in enumerate(_EPISODE)}
    for i in range(n):
        t = start + i * (3 * 3600 / n)
        ts = _ts(t, used[channel])
        line = beats.get(i)
        if line == "[FIRING] alert":
            per_channel[channel].append(
                {**_alert_post(rng, True, f"Incident{k + 1}ErrorRate", svc), "ts": ts}
            )
            stats.bot_posts += 1
            continue
        user = rng.choice(responders)
        text = (line or rng.choice(_TEMPLATES)).format(
            n=rng.randint(5, 60),
            n2=rng.randint(0, 30),
            ms=rng.randint(300, 9000),
            base=rng.randint(80, 400),
            svc=svc,
            thing=thing,
            handle=rng.choice(handles),
            handle2=rng.choice(handles),
            day=rng.randint(1, 28),
        )
        per_channel[channel].append(
            {"type": "message", "user": user.id, "text": text, "ts": ts, "user_profile": _profile(user)}
        )
    return n


def _write(
    out: Path,
    spec: SynthSpec,
    users: list[_User],
    channels: list[str],
    per_channel: dict[str, list[dict[str, Any]]],
    stats: SynthStats,
) -> None:
    members = [u.id for u in users]
    created = int(_START.timestamp()) - 86_400
    channel_list = [
        {
            "id": f"C{i:08d}",
            "name": name,
            "created": created,
            "creator": users[0].id,
            "is_archived": False,
            "is_general": i == 0,
            "members": members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": f"synthetic channel {name}", "creator": users[0].id, "last_set": created},
        }
        for i, name in enumerate(channels)
    ]
    user_list = [
        {
            "id": u.id,
            "team_id": _TEAM,
            "name": u.handle,
            "deleted": False,
            "real_name": u.real_name,
            "tz": "Europe/Berlin",
            "tz_offset": 7200,
            "is_bot": u.is_bot,
            "profile": {"real_name": u.real_name, "display_name": u.handle, "team": _TEAM},
        }
        for u in users
    ]
    stats.bytes += _dump(out / "channels.json", channel_list)
    stats.bytes += _dump(out / "users.json", user_list)
    for channel, messages in per_channel.items():
        messages.sort(key=lambda m: (int(m["ts"].split(".")[0]), m["ts"]))
        folder = out / channel
        folder.mkdir(exist_ok=True)
        by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in messages:
            day = datetime.fromtimestamp(int(m["ts"].split(".")[0]), UTC).strftime("%Y-%m-%d")
            by_day[day].append(m)
        for day, items in sorted(by_day.items()):
            stats.bytes += _dump(folder / f"{day}.json", items)
            stats.day_files += 1
        stats.by_channel[channel] = len(messages)
        stats.messages += len(messages)


def _dump(path: Path, data: object) -> int:
    text = json.dumps(data, ensure_ascii=False, indent=4)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


_ALERT_NAMES = (
    "HighErrorRate", "LatencyHigh", "DiskFull", "PodCrashLooping", "QueueBacklog", "CertExpiringSoon",
    "ReplicaLag", "MemoryPressure", "5xxBurst", "SaturationHigh",
)  # fmt: skip
_TICKET_WORK = (
    "Upgrade the {svc} client library",
    "Flaky {svc} integration test",
    "Add dashboards for {svc} saturation",
    "{svc}: document the failover runbook",
    "Customer reports slow {svc} pages",
    "Rotate {svc} credentials",
    "Reduce {svc} build time",
)
_TICKET_COMMENTS = (
    "Looked into it, {n} affected requests in the last day.",
    "Linked the {svc} dashboard and the PR.",
    "Can we pair on this after standup?",
    "Moved to next sprint, blocked on the {svc} migration.",
    "Fixed in v{n}.{n2}, please verify.",
)
_INCIDENT_COMMENTS = (
    "Customers report errors on {svc}; {n} support tickets so far.",
    "Rolled back {svc}; error rate unchanged.",
    "Cause found: the {svc} flag flipped at the same time. Flag is OFF again.",
    "Error rate back to baseline. Monitoring.",
    "Action items: canary for {svc} flag changes (owner {owner}); alert on {svc} saturation.",
)


@dataclass(frozen=True)
class Bundle:
    """The inputs ``generate_bundle`` wrote: pass them all to ``pmdraft draft``."""

    slack: Path
    alerts: Path | None
    tickets: Path | None
    stats: SynthStats

    @property
    def inputs(self) -> list[Path]:
        return [p for p in (self.slack, self.alerts, self.tickets) if p is not None]


def generate_bundle(out: Path, spec: SynthSpec | None = None) -> Bundle:
    """The Slack export in ``out/slack`` plus the alert and ticket files the spec asks for."""
    spec = spec or SynthSpec()
    stats = generate_slack_export(out / "slack", spec)
    rng = random.Random(spec.seed * 7919 + 1)
    alerts = tickets = None
    if spec.webhook_alerts > 0:
        alerts = out / "alertmanager-webhooks.json"
        stats.bytes += _dump(alerts, _alert_payloads(rng, spec, stats.episodes))
    if spec.tickets > 0:
        tickets = out / "jira-issues.json"
        stats.bytes += _dump(tickets, _jira_issues(rng, spec, stats.episodes))
    return Bundle(out / "slack", alerts, tickets, stats)


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def _jira_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _alert_payloads(
    rng: random.Random, spec: SynthSpec, episodes: list[tuple[str, float, str]]
) -> list[dict[str, Any]]:
    """``webhook_alerts`` alerts, each a firing payload and a later resolved one; the episodes' first."""
    start, span = _START.timestamp(), spec.days * 86_400
    fired: list[tuple[float, str, str, str]] = [
        (t - 120, f"Incident{k + 1}ErrorRate", svc, "critical") for k, (_, t, svc) in enumerate(episodes)
    ]
    while len(fired) < spec.webhook_alerts:
        severity = rng.choice(("warning", "warning", "critical"))
        fired.append((start + rng.random() * span, rng.choice(_ALERT_NAMES), rng.choice(_SERVICES), severity))
    payloads: list[tuple[float, dict[str, Any]]] = []
    for i, (t, name, svc, severity) in enumerate(fired[: spec.webhook_alerts]):
        labels = {"alertname": name, "service": svc, "severity": severity, "env": "production"}
        annotations = {
            "summary": f"{name} on {svc}",
            "description": f"{svc} {name} at {rng.randint(5, 95)}% over 5m",
            "runbook_url": f"https://runbooks.example.com/{svc}/{name.lower()}",
        }
        fingerprint = f"{i:016x}"
        ended = t + rng.randint(120, 5400)
        for status, at, ends in (("firing", t, "0001-01-01T00:00:00Z"), ("resolved", ended, _rfc3339(ended))):
            alert = {
                "status": status,
                "labels": labels,
                "annotations": annotations,
                "startsAt": _rfc3339(t),
                "endsAt": ends,
                "generatorURL": f"http://prometheus.internal:9090/graph?g0.expr={name}",
                "fingerprint": fingerprint,
            }
            payload = {
                "receiver": "incident-webhook",
                "status": status,
                "alerts": [alert],
                "groupLabels": {"alertname": name},
                "commonLabels": labels,
                "commonAnnotations": annotations,
                "externalURL": "http://alertmanager.internal:9093",
                "version": "4",
                "groupKey": f'{{}}:{{alertname="{name}"}}',
            }
            payloads.append((at, payload))
    payloads.sort(key=lambda p: p[0])
    return [p for _, p in payloads]


def _jira_user(rng: random.Random, i: int) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return {"accountId": f"5f{i:022x}", "displayName": f"{first} {last}", "accountType": "atlassian"}


def _jira_issues(
    rng: random.Random, spec: SynthSpec, episodes: list[tuple[str, float, str]]
) -> list[dict[str, Any]]:
    """``tickets`` Jira issues (REST v2): the incidents' tickets first, then ordinary work."""
    start, span = _START.timestamp(), spec.days * 86_400
    people = [_jira_user(rng, i) for i in range(12)]
    issues: list[dict[str, Any]] = []
    for i in range(spec.tickets):
        incident = i < len(episodes)
        if incident:
            _, t, svc = episodes[i]
            t += 600
            summary, kind, priority = f"{svc}: customers see errors", "Incident", "Highest"
            lines = _INCIDENT_COMMENTS
        else:
            t, svc = start + rng.random() * span, rng.choice(_SERVICES)
            summary = rng.choice(_TICKET_WORK).format(svc=svc)
            kind, priority = rng.choice(("Task", "Bug", "Story")), rng.choice(("Low", "Medium", "High"))
            lines = _TICKET_COMMENTS
        key = f"{'INC' if incident else 'ENG'}-{100 + i}"
        creator = rng.choice(people)
        comments = []
        for c in range(len(lines) if incident else rng.randint(0, 3)):
            line = lines[c] if incident else rng.choice(lines)
            text = line.format(
                svc=svc, n=rng.randint(2, 60), n2=rng.randint(0, 30), owner="@" + creator["displayName"]
            )
            comments.append(
                {
                    "id": str(20_000 + i * 10 + c),
                    "author": rng.choice(people),
                    "body": text,
                    "created": _jira_time(t + 900 * (c + 1)),
                }
            )
        histories = []
        for h, (old, new) in enumerate(
            (("Open", "In Progress"), ("In Progress", "Done"))[: rng.randint(1, 2)]
        ):
            item = {
                "field": "status",
                "fieldtype": "jira",
                "from": str(h),
                "fromString": old,
                "to": str(h + 1),
            }
            item["toString"] = new
            histories.append(
                {
                    "id": str(30_000 + i * 10 + h),
                    "author": creator,
                    "created": _jira_time(t + 1800 * (h + 1)),
                    "items": [item],
                }
            )
        issues.append(
            {
                "id": str(10_000 + i),
                "self": f"https://synthetic.atlassian.net/rest/api/2/issue/{10_000 + i}",
                "key": key,
                "fields": {
                    "summary": summary,
                    "description": f"Seen on {svc} in production. See the {svc} dashboard.",
                    "issuetype": {"name": kind},
                    "priority": {"name": priority},
                    "status": {"name": "Done" if len(histories) == 2 else "In Progress"},
                    "creator": creator,
                    "reporter": creator,
                    "created": _jira_time(t),
                    "comment": {"comments": comments, "total": len(comments)},
                },
                "changelog": {"histories": histories},
            }
        )
    return issues


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded synthetic Slack export.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=SynthSpec.messages)
    parser.add_argument("--alerts", type=int, default=SynthSpec.alerts)
    parser.add_argument("--days", type=int, default=SynthSpec.days)
    parser.add_argument("--seed", type=int, default=SynthSpec.seed)
    parser.add_argument("--profile", choices=("mixed", "stress"), default=SynthSpec.profile)
    parser.add_argument("--webhook-alerts", type=int, default=0, help="Alertmanager alerts (a bundle).")
    parser.add_argument("--tickets", type=int, default=0, help="Jira issues (a bundle).")
    args = parser.parse_args(argv)
    spec = SynthSpec(
        messages=args.messages,
        alerts=args.alerts,
        days=args.days,
        seed=args.seed,
        profile=args.profile,
        webhook_alerts=args.webhook_alerts,
        tickets=args.tickets,
    )
    if spec.webhook_alerts or spec.tickets:
        bundle = generate_bundle(args.out, spec)
        stats = bundle.stats
        print(f"bundle: {' '.join(str(p) for p in bundle.inputs)}")
    else:
        stats = generate_slack_export(args.out, spec)
    print(
        f"wrote {stats.messages} messages ({stats.replies} thread replies, {stats.alerts} alerts, "
        f"{stats.bot_posts} bot posts, {stats.joins} joins) in {stats.day_files} day files, "
        f"{stats.bytes / 1e6:.1f} MB, to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
