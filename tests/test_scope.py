"""What the LLM path sends: the records around the incident, not the whole export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.config import Settings
from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest import Ingested
from pmdraft.llm import LLM, make_client
from pmdraft.pipeline import draft_postmortem, model_input
from pmdraft.scope import LEAD, TAIL, Scope, incident_channels
from tests.llm.fakes import Script, smart

T0 = datetime(2024, 5, 7, 21, 0, tzinfo=UTC)


def _event(n: int, minutes: float, channel: str | None, text: str, kind: EventKind = EventKind.CHAT) -> Event:
    return Event(
        id=f"t:{n}",
        time=T0 + timedelta(minutes=minutes),
        kind=kind,
        source_file="x",
        source_format="test",
        actor=Actor("ana" if kind is EventKind.CHAT else "bot", is_bot=kind is not EventKind.CHAT),
        text=text,
        attrs={} if channel is None else {"channel": channel},
    )


def workspace() -> list[Event]:
    """Four days of #random and #eng chatter every 20 minutes, and one hour of incident in #inc-42."""
    events: list[Event] = []
    for i in range(-2 * 24 * 3, 2 * 24 * 3):  # two days either side of T0
        events.append(_event(len(events), i * 20, "random", f"lunch plans, and the wifi is down again {i}"))
        events.append(_event(len(events), i * 20 + 7, "eng", f"review my PR {i} please"))
    incident = [
        (0, "[FIRING] HighErrorRate checkout 5xx 12%", EventKind.ALERT_TRIGGER, None),
        (2, "ack, I'm IC. checkout is returning 500s", EventKind.CHAT, "inc-42"),
        (9, "the deploy at 20:50 changed the pool size, rolling back", EventKind.CHAT, "inc-42"),
        (14, "rollback of checkout v2.3.1 started", EventKind.ROLLBACK, "deploys"),
        (31, "error rate back to normal", EventKind.CHAT, "inc-42"),
        (33, "[RESOLVED] HighErrorRate checkout", EventKind.ALERT_RESOLVE, None),
        (40, "Resolved: checkout works again", EventKind.STATUS_PAGE, None),
        (60 * 20, "follow-up agreed: canary the pool size. Ana owns it", EventKind.CHAT, "inc-42"),
    ]
    for minutes, text, kind, channel in incident:
        events.append(_event(len(events), minutes, channel, text, kind))
    events.append(_event(len(events), -20, "deploys", "checkout v2.3.1 deployed", EventKind.DEPLOY))
    return sorted(events, key=lambda e: (e.time, e.id))


def test_only_channels_that_come_alive_during_the_incident_are_incident_channels() -> None:
    events = workspace()
    assert incident_channels(events, T0, T0 + timedelta(minutes=40)) == {"inc-42"}
    # A shared channel that spikes qualifies too: #eng gets ten messages in the incident's 40 minutes.
    busy = [_event(10_000 + i, 1 + i * 3, "eng", f"is checkout down for you? {i}") for i in range(10)]
    mixed = sorted(events + busy, key=lambda e: (e.time, e.id))
    assert incident_channels(mixed, T0, T0 + timedelta(minutes=40)) == {"inc-42", "eng"}
    # One channel (or every channel qualifying) means no filter by channel.
    alone = [e for e in events if e.attrs.get("channel") in ("inc-42", None)]
    assert incident_channels(alone, T0, T0 + timedelta(minutes=40)) == frozenset()


def test_the_scope_window_keeps_non_chat_from_any_channel_and_drops_other_chat() -> None:
    scope = Scope(T0 - LEAD, T0 + TAIL, frozenset({"inc-42"}))
    assert scope.holds(_event(1, 0, "inc-42", "x"))
    assert not scope.holds(_event(2, 0, "random", "x"))
    assert scope.holds(_event(3, 0, "random", "deployed", EventKind.DEPLOY))
    assert scope.holds(_event(4, 0, None, "a plain-text log line has no channel"))
    assert not scope.holds(_event(5, -LEAD.total_seconds() / 60 - 1, "inc-42", "before the window"))
    assert not scope.holds(_event(6, TAIL.total_seconds() / 60 + 41, "inc-42", "after the window"))


def test_model_input_sends_the_incident_and_says_what_stayed_home() -> None:
    events = workspace()
    ingested = Ingested(events=events, results=[])
    sent, flags = model_input(ingested, None, Settings())
    sent_ids = {e.id for e in sent}
    incident = [
        e for e in events if e.attrs.get("channel") in ("inc-42", "deploys") or "channel" not in e.attrs
    ]
    assert {e.id for e in incident} <= sent_ids  # the incident, its deploy and rollback, and the follow-up
    assert not any(e.attrs.get("channel") in ("random", "eng") for e in sent)
    assert len(flags) == 1 and flags[0].category == "scope"
    assert f"given {len(sent)} of {len(events)} records" in flags[0].message
    assert "only #inc-42" in flags[0].message and "--scope all" in (flags[0].suggestion or "")

    everything, none = model_input(ingested, None, Settings(scope="all"))
    assert len(everything) == len(events) and none == []


def test_an_export_that_is_all_incident_is_sent_whole_without_a_flag() -> None:
    events = [
        e for e in workspace() if e.attrs.get("channel") in ("inc-42", "deploys") or "channel" not in e.attrs
    ]
    sent, flags = model_input(Ingested(events=events, results=[]), None, Settings())
    assert sent == events and flags == []


def test_records_out_of_scope_never_reach_the_model(tmp_path: Path) -> None:
    settings = Settings(model="test-model", base_url="http://fake.test/v1", cache_dir=tmp_path, quiet=True)
    script = Script([smart])
    client = make_client(settings, http_client=httpx2.Client(transport=httpx2.MockTransport(script)))
    llm = LLM(client, "test-model", sleep=lambda _: None)
    pm = draft_postmortem(Ingested(events=workspace(), results=[]), settings=settings, llm=llm)
    sent = json.dumps(script.requests)
    assert "rolling back" in sent and "canary the pool size" in sent
    assert "lunch plans" not in sent and "review my PR" not in sent
    assert any(f.category == "scope" for f in pm.review_flags)


def _slack_export(folder: Path) -> Path:
    """A two-channel Slack export: #random all week, #inc-42 for the incident's hour."""
    (folder / "channels.json").parent.mkdir(parents=True, exist_ok=True)
    channels = [{"id": "C1", "name": "inc-42"}, {"id": "C2", "name": "random"}]
    (folder / "channels.json").write_text(json.dumps(channels), encoding="utf-8")
    (folder / "users.json").write_text(json.dumps([{"id": "U1", "name": "ana"}]), encoding="utf-8")
    days: dict[tuple[str, str], list[dict[str, str]]] = {}
    for e in workspace():
        channel = e.attrs.get("channel")
        if channel in ("inc-42", "random"):
            message = {"type": "message", "user": "U1", "text": e.text, "ts": f"{e.time.timestamp():.6f}"}
            days.setdefault((channel, f"{e.time:%Y-%m-%d}"), []).append(message)
    for (channel, day), messages in days.items():
        (folder / channel).mkdir(exist_ok=True)
        (folder / channel / f"{day}.json").write_text(json.dumps(messages), encoding="utf-8")
    return folder


def test_dry_run_reports_the_scope(tmp_path: Path) -> None:
    export = _slack_export(tmp_path / "export")
    env = {"PMDRAFT_MODEL": "gpt-4o-mini", "PMDRAFT_BASE_URL": "http://fake.test/v1"}
    scoped = CliRunner().invoke(main, ["draft", str(export), "--dry-run"], env=env)
    assert scoped.exit_code == 0, scoped.output
    first = scoped.stdout.splitlines()[0]
    assert first.startswith("The model was given 4 of ") and "only #inc-42" in first, first
    assert "lunch plans" not in scoped.stdout and "rolling back" in scoped.stdout

    everything = CliRunner().invoke(main, ["draft", str(export), "--dry-run", "--scope", "all"], env=env)
    assert everything.exit_code == 0, everything.output
    assert "records were not sent" not in everything.stdout and "lunch plans" in everything.stdout
