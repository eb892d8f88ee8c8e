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

    python bench/synth.py OUT_DIR [--messages 200000] [--alerts 400] [--days 5] [--seed 7]

Reuse: import ``SynthSpec`` and ``generate_slack_export``; ``SynthStats`` says what was written.
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

__all__ = ["SynthSpec", "SynthStats", "generate_slack_export"]

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded synthetic Slack export.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=SynthSpec.messages)
    parser.add_argument("--alerts", type=int, default=SynthSpec.alerts)
    parser.add_argument("--days", type=int, default=SynthSpec.days)
    parser.add_argument("--seed", type=int, default=SynthSpec.seed)
    parser.add_argument("--profile", choices=("mixed", "stress"), default=SynthSpec.profile)
    args = parser.parse_args(argv)
    spec = SynthSpec(
        messages=args.messages, alerts=args.alerts, days=args.days, seed=args.seed, profile=args.profile
    )
    stats = generate_slack_export(args.out, spec)
    print(
        f"wrote {stats.messages} messages ({stats.replies} thread replies, {stats.alerts} alerts, "
        f"{stats.bot_posts} bot posts, {stats.joins} joins) in {stats.day_files} day files, "
        f"{stats.bytes / 1e6:.1f} MB, to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
