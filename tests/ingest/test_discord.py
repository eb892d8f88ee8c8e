"""Discord (DiscordChatExporter JSON) adapter: the shared DCE samples and hand-written edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import LoadOptions, Source, detect
from pmdraft.ingest.discord import ADAPTER

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "discord-chat-exporter"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    return SAMPLES


def _load(path: Path) -> Any:
    return ADAPTER.load(Source(path), LoadOptions())


def _export(messages: list[dict[str, Any]], channel_id: str = "900") -> dict[str, Any]:
    return {
        "guild": {"id": "800", "name": "Acme", "iconUrl": ""},
        "channel": {"id": channel_id, "type": "GuildTextChat", "name": "incidents", "topic": None},
        "dateRange": {"after": None, "before": None},
        "messages": messages,
        "messageCount": len(messages),
    }


def _author(uid: str, name: str, nickname: str | None = None, bot: bool = False) -> dict[str, Any]:
    author: dict[str, Any] = {"id": uid, "name": name, "discriminator": "0000", "isBot": bot}
    if nickname is not None:
        author["nickname"] = nickname
    return author


def _message(mid: str, when: str, content: str, author: dict[str, Any], **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "id": mid,
        "type": "Default",
        "timestamp": when,
        "timestampEdited": None,
        "content": content,
        "author": author,
        "attachments": [],
        "embeds": [],
        "reactions": [],
        "mentions": [],
    }
    msg.update(extra)
    return msg


def _write(tmp_path: Path, doc: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_real_export_sample(samples: Path) -> None:
    result = _load(samples / "zulip_general_real_export.json")
    events = result.events
    assert len(events) == 12 and not result.skipped
    # DCE wrote +07:00 local times with 2- and 3-digit fractions.
    assert events[0].time == datetime(2026, 6, 24, 12, 4, 23, 180000, tzinfo=UTC)
    assert events[0].raw_time == "2026-06-24T19:04:23.18+07:00"
    assert events[-1].time == datetime(2026, 6, 24, 12, 8, 33, 812000, tzinfo=UTC)
    assert events[-1].text == "Reactions"
    join = events[0]
    assert join.kind is EventKind.SYSTEM and join.noise and join.is_bot
    assert join.actor.name == "test-zulip-import"
    assert join.id == "discord:1519311538035490958:1519312230385057824"
    assert join.url == (
        "https://discord.com/channels/1519311536839983195/1519311538035490958/1519312230385057824"
    )
    chat = events[1:]
    assert all(e.kind is EventKind.CHAT and not e.noise for e in chat)
    assert {e.actor.name for e in chat} == {"pieter"}
    assert events[6].text == "\U0001f4af"  # surrogate-pair escaped emoji
    edited = [e for e in events if e.edited]
    assert [e.text for e in edited] == ["Image files [file: Screenshot_2026-03-18_222549.png]"]
    assert events[9].text == "[file: textfile.txt]"
    assert all(e.attrs == {"channel": "general"} for e in events)


def test_handmade_reply_pin_bot_sample(samples: Path) -> None:
    events = _load(samples / "zulip_handmade_reply_pin_bot.json").events
    assert [e.id.rsplit(":", 1)[-1] for e in events] == [
        "msg004",  # out of order in the file, earliest in time
        "msg001",
        "msg002",
        "msg003",
        "msg005",
        "msg006",
        "msg007",
    ]
    by_id = {e.id: e for e in events}
    assert by_id["discord:100:msg004"].kind is EventKind.SYSTEM
    assert by_id["discord:100:msg004"].time == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert by_id["discord:100:msg003"].thread_id == "discord:100:msg001"
    assert by_id["discord:100:msg005"].is_bot and by_id["discord:100:msg005"].actor.name == "Test Bot"
    assert by_id["discord:100:msg006"].text == "Hello @Bob Jones, check #101 and @everyone"
    pin = by_id["discord:100:msg007"]
    assert pin.kind is EventKind.SYSTEM and pin.noise and pin.actor.name == "Alice Smith"
    assert by_id["discord:100:msg001"].url is None  # non-snowflake ids make no Discord link


def test_deleted_user_and_duplicate_sample(samples: Path) -> None:
    result = _load(samples / "chat-analytics_SV_5A_5M.json")
    assert len(result.events) == 4
    [dup] = result.skipped
    assert "message 2" in dup.where and "duplicate message id 459136077417021488" in dup.reason
    first = result.events[0]
    assert first.actor.name == "Deleted User" and first.edited
    assert first.time == datetime(2018, 5, 20, 16, 9, 44, 209000, tzinfo=UTC)
    assert result.events[1].actor.name == "mlomb"  # no nickname: falls back to name
    assert (
        result.events[2].text
        == "This message has attachments and stickers. [file: unknown.png] [sticker: Laugh]"
    )


def test_group_dm_system_messages_sample(samples: Path) -> None:
    events = _load(samples / "chat-analytics_GC_3A_5M.json").events
    assert len(events) == 6  # the file's messageCount says 5
    assert [e.kind for e in events] == [
        EventKind.SYSTEM,
        EventKind.CHAT,
        EventKind.SYSTEM,
        EventKind.CHAT,
        EventKind.CHAT,
        EventKind.SYSTEM,
    ]
    assert events[0].text == "Changed the channel name." and events[0].noise
    assert events[1].actor.name == "theplant"  # nickname over name "not a plant"
    call = events[-1]
    assert call.text == "Started a call that lasted 113 minutes." and not call.noise
    assert call.time == datetime(2023, 3, 3, 14, 47, 59, 187000, tzinfo=UTC)
    assert events[4].thread_id == "discord:1064990764406419508:1064990824305274930"
    assert events[0].url is not None and "/channels/@me/" in events[0].url  # guild "0" is DMs


def test_samples_are_sniffed_as_discord(samples: Path) -> None:
    files = sorted(samples.glob("*.json"))
    assert len(files) == 4
    for path in files:
        adapter = detect(Source(path))
        assert adapter is not None and adapter.name == "discord", path.name


def test_markup_embeds_and_bot_kinds(tmp_path: Path) -> None:
    ana = _author("11", "ana", "Ana (SRE)")
    bot = _author("99", "grafana", bot=True)
    messages = [
        _message(
            "1",
            "2024-05-01T09:00:00.1234567-04:00",
            "<@!11> <@77> look at <#900> and <#555> <:blobfire:123456> <@&42> since <t:1714554000:R>",
            ana,
            mentions=[_author("77", "bo", "Bo")],
        ),
        _message(
            "2",
            "2024-05-01T09:01:00-04:00",
            "",
            bot,
            embeds=[{"title": "[FIRING:1] HighLatency", "description": "p99 > 2s on checkout"}],
        ),
        _message("3", "2024-05-01T09:02:00-04:00", "Joined", ana, type="GuildMemberJoin"),
        _message("4", "2024-05-01T09:03:00-04:00", "slash reply", bot, type="20"),
        _message("5", "2024-05-01T09:04:00-04:00", "thread", ana, type="18"),
    ]
    events = _load(_write(tmp_path, _export(messages))).events
    assert events[0].text == (
        "@Ana (SRE) @Bo look at #incidents and #555 :blobfire: @role:42 since 2024-05-01 09:00 UTC"
    )
    assert events[0].time == datetime(2024, 5, 1, 13, 0, 0, 123456, tzinfo=UTC)
    assert events[1].text == "[FIRING:1] HighLatency - p99 > 2s on checkout"
    assert events[1].kind is EventKind.ALERT_TRIGGER and events[1].is_bot
    assert events[2].kind is EventKind.SYSTEM and events[2].noise
    assert events[3].kind is EventKind.CHAT  # numeric types above 18 are not system notifications
    assert events[4].kind is EventKind.SYSTEM  # 18 = ThreadCreated


def test_bad_timestamp_is_skipped_and_naive_time_assumed(tmp_path: Path) -> None:
    ana = _author("11", "ana")
    messages = [
        _message("1", "yesterday", "hm", ana),
        _message("2", "2024-05-01T09:00:00", "naive", ana),
    ]
    result = _load(_write(tmp_path, _export(messages)))
    [event] = result.events
    assert event.time_assumed and event.time == datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    assert [s.reason for s in result.skipped] == ["unparseable timestamp 'yesterday'"]
    assert result.assumptions


def test_broken_and_wrong_shape_files(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text('{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": [{"id": ', "utf-8")
    source = Source(cut)
    assert ADAPTER.sniff(source)
    with pytest.raises(InputError) as info:
        ADAPTER.load(source, LoadOptions())
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="no 'messages' list"):
        ADAPTER.load(Source(_write(tmp_path, {"guild": {}, "channel": {}, "messages": {}})), LoadOptions())


def test_sniff_ignores_other_json(tmp_path: Path) -> None:
    assert not ADAPTER.sniff(Source(_write(tmp_path, {"ok": True, "messages": []})))
    assert not ADAPTER.sniff(Source(_write(tmp_path, [{"guild": 1, "channel": 2, "messages": 3}], "l.json")))
