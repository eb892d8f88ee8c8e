"""Slack Web API adapter: slackdump captures and conversations.history/replies responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import LoadOptions, Source, detect
from pmdraft.ingest.slack_api import ADAPTER

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "slack-api"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    return SAMPLES


def _write(tmp_path: Path, doc: Any, name: str = "history.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _ts(value: str) -> datetime:
    whole, frac = value.split(".")
    return datetime.fromtimestamp(int(whole), UTC).replace(microsecond=int(frac))


def test_slackdump_sample(samples: Path) -> None:
    result = ADAPTER.load(Source(samples / "slackdump_dump_CHY5HUESG.json"), LoadOptions())
    events = result.events
    assert len(events) == 16 and not result.skipped  # 12 messages + 4 nested thread replies
    assert events[0].id == "slack:everyone:1736478514.897649"
    assert events[0].time == datetime(2025, 1, 10, 3, 8, 34, 897649, tzinfo=UTC)
    assert events[-1].time == _ts("1737716342.919259")
    assert events[-1].text == (
        "Hello <MARQUEE> frenchesco's old friend *bold _bolditalic_* test link (http://github.com/rusq/slackdump)"
    )
    by_ts = {e.raw_time: e for e in events}
    join = by_ts["1736554636.807919"]
    assert join.kind is EventKind.SYSTEM and join.noise and join.text == "@U0887G31L03 has joined the channel"
    tombstone = by_ts["1736554828.343759"]
    assert tombstone.deleted and tombstone.noise and tombstone.actor.id == "USLACKBOT"
    replies = [e for e in events if e.thread_id == "slack:everyone:1736478630.905399"]
    assert [e.text for e in replies] == ["A message from a deactivated account", "Reply to the same thread"]
    assert by_ts["1736554838.911679"].thread_id == "slack:everyone:1736554828.343759"
    polly = by_ts["1737160363.583369"]
    assert polly.is_bot and polly.edited and polly.actor.name == "Polly"
    assert polly.actor.id == "U089AJ964TE"
    assert by_ts["1736582524.607359"].text == "[file: 36728585980_dfbd95cc84_o.jpg]"  # text is absent
    assert by_ts["1736560990.444379"].text.endswith("[file: Как быстро снизить уровень тревоги]")
    assert all(e.attrs["channel"] == "everyone" for e in events)


def test_single_bot_message_sample(samples: Path) -> None:
    path = samples / "bot_message_edited.json"
    result = ADAPTER.load(Source(path), LoadOptions())
    [event] = result.events
    assert event.id == "slack:unknown:1677029631.029259"
    assert event.time == datetime(2023, 2, 22, 1, 33, 51, 29259, tzinfo=UTC)
    assert event.is_bot and event.edited and event.actor.name == "BUEBX9AUR"
    # "Some question?" is only the notification fallback: the poll itself is in section and context blocks.
    assert event.text == (
        "Some question?\n*Poll title*\n:one: this is one    `8`\n"
        "@U12345678, @U12345679, @U12345680, @U12345681, @U12345682, @U12345683, @U12345684, @U12345685\n"
        ":two: this is two    `3`\n@U12345687, @U12346720, @U12345686\nCreated by @U12345678 with /poll"
    )
    assert "--channel" in result.assumptions[0]
    [named] = ADAPTER.load(Source(path), LoadOptions(channel="#polls")).events
    assert named.id == "slack:polls:1677029631.029259"


def test_samples_are_sniffed_as_slack_api(samples: Path) -> None:
    files = sorted(samples.glob("*.json"))
    assert len(files) == 2
    for path in files:
        adapter = detect(Source(path))
        assert adapter is not None and adapter.name == "slack-api", path.name


def test_history_response_newest_first_with_users_file(tmp_path: Path) -> None:
    users = [
        {"id": "U1", "name": "dana", "real_name": "Dana Ortiz", "profile": {"display_name": "dana.o"}},
        {"id": "U2", "name": "kim", "profile": {"display_name": "", "real_name": "Kim Park"}},
    ]
    _write(tmp_path, users, "users.json")
    history = {
        "ok": True,
        "messages": [
            {"type": "message", "user": "U2", "text": "<@U1> rolling back now", "ts": "1714554120.000300"},
            {
                "type": "message",
                "subtype": "bot_message",
                "username": "alertmanager",
                "bot_id": "B1",
                "text": "",
                "ts": "1714554060.000200",
                "attachments": [{"title": "[FIRING:1] CheckoutErrors", "text": "error rate 12%"}],
            },
            {"type": "message", "subtype": "message_changed", "ts": "1714554050.000150"},
            {
                "type": "message",
                "user": "U1",
                "text": "checkout 500s &amp; timeouts",
                "ts": "1714554000.000100",
                "thread_ts": "1714554000.000100",
                "reply_count": 1,
            },
            {"type": "message", "user": "U1", "text": "again", "ts": "1714554000.000100"},
        ],
        "has_more": False,
        "channel_id": "C0INC",
    }
    result = ADAPTER.load(Source(_write(tmp_path, history)), LoadOptions())
    assert [e.raw_time for e in result.events] == [
        "1714554000.000100",
        "1714554060.000200",
        "1714554120.000300",
    ]
    first, alert, rollback = result.events
    assert first.id == "slack:C0INC:1714554000.000100"  # no channel name in the file: the id
    assert first.actor.name == "dana.o" and first.text == "checkout 500s & timeouts"
    assert alert.kind is EventKind.ALERT_TRIGGER and alert.actor.name == "alertmanager"
    assert alert.text == "[FIRING:1] CheckoutErrors\nerror rate 12%"
    assert rollback.actor.name == "Kim Park" and rollback.text == "@dana.o rolling back now"
    assert rollback.kind is EventKind.CHAT  # a person saying it is not a rollback event
    assert sorted(s.reason for s in result.skipped) == [
        "duplicate message slack:C0INC:1714554000.000100, kept the first",
        "message_changed notification, not a message",
    ]


def test_replies_pages_and_broadcast(tmp_path: Path) -> None:
    pages = [
        {
            "ok": True,
            "channel": {"id": "C1", "name": "inc-42"},
            "messages": [
                {
                    "type": "message",
                    "user": "U1",
                    "text": "root",
                    "ts": "1714554000.000100",
                    "thread_ts": "1714554000.000100",
                },
                {
                    "type": "message",
                    "subtype": "thread_broadcast",
                    "user": "U2",
                    "text": "fixed",
                    "ts": "1714554300.000100",
                    "thread_ts": "1714554000.000100",
                },
            ],
        },
        {"ok": True, "messages": [{"type": "message", "user": "U3", "text": "bad", "ts": "x.y"}]},
    ]
    result = ADAPTER.load(Source(_write(tmp_path, pages)), LoadOptions())
    root, fixed = result.events
    assert root.id == "slack:inc-42:1714554000.000100" and root.thread_id is None
    assert fixed.thread_id == root.id and fixed.attrs == {"channel": "inc-42", "broadcast": "true"}
    assert [s.reason for s in result.skipped] == ["unreadable ts 'x.y'"]
    assert "page 2" in result.skipped[0].where


def test_error_and_broken_responses(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Slack API error response: not_in_channel"):
        ADAPTER.load(Source(_write(tmp_path, {"ok": False, "error": "not_in_channel"})), LoadOptions())
    cut = tmp_path / "cut.json"
    cut.write_text('{"ok": true, "messages": [{"type": "message", "ts": "1714554000.000100", "te', "utf-8")
    assert ADAPTER.sniff(Source(cut))
    with pytest.raises(InputError) as info:
        ADAPTER.load(Source(cut), LoadOptions())
    assert "\n" not in str(info.value) and "invalid JSON" in str(info.value)


def test_sniff_leaves_day_files_and_other_chat_json(tmp_path: Path) -> None:
    day = [{"type": "message", "user": "U1", "text": "hi", "ts": "1714554000.000100"}]
    assert not ADAPTER.sniff(Source(_write(tmp_path, day, "2024-05-01.json")))
    dce = {"guild": {}, "channel": {}, "messages": [{"id": "1", "timestamp": "2024-05-01T00:00:00Z"}]}
    assert not ADAPTER.sniff(Source(_write(tmp_path, dce, "dce.json")))
    zulip = {"messages": [{"id": 1, "timestamp": 1714554000, "display_recipient": "x"}]}
    assert not ADAPTER.sniff(Source(_write(tmp_path, zulip, "zulip.json")))
