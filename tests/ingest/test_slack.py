"""Slack workspace export adapter: layouts, messages, threads, bots, errors, and the real samples."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import Event, EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect, slack
from pmdraft.ingest._common import from_epoch
from pmdraft.ingest.slack import ADAPTER, _ts_time

DATA = Path(__file__).resolve().parents[1] / "data" / "slack"
EXPORT = DATA / "export"
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "slack-export"


def load(path: Path, **options: Any) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions(**options))


def by_id(result: IngestResult) -> dict[str, Event]:
    return {e.id: e for e in result.events}


def write_export(root: Path, days: dict[str, list[Any]], users: list[Any] | None = None) -> Path:
    """A minimal export folder: channels.json, users.json and one day file per channel."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "channels.json").write_text(
        json.dumps([{"id": f"C{i}", "name": name} for i, name in enumerate(days)]), "utf-8"
    )
    (root / "users.json").write_text(json.dumps(users or []), "utf-8")
    for name, messages in days.items():
        (root / name).mkdir()
        (root / name / "2024-03-05.json").write_text(json.dumps(messages), "utf-8")
    return root


def zip_folder(folder: Path, target: Path, prefix: str = "", rename: dict[str, str] | None = None) -> Path:
    rename = rename or {}
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                rel = file.relative_to(folder).as_posix()
                archive.write(file, prefix + rename.get(rel, rel))
    return target


# --- the hand-written export (tests/data/slack/export) -------------------------------------------


def test_hand_written_export_events() -> None:
    result = load(EXPORT)
    events = by_id(result)
    assert len(events) == 10
    alert = events["slack:inc-checkout:1709682612.000200"]
    # 1709682612 = 1709596800 (2024-03-05T00:00Z) + 85812 s = 23:50:12
    assert alert.time == datetime(2024, 3, 5, 23, 50, 12, 200, tzinfo=UTC)
    assert alert.raw_time == "1709682612.000200"
    assert alert.kind is EventKind.ALERT_TRIGGER
    assert alert.is_bot and alert.actor.name == "Alertmanager" and alert.actor.id == "B0ALERTS"
    assert alert.text.startswith("[FIRING:1] HighErrorRate checkout (critical)")
    assert "service: checkout" in alert.text
    resolved = events["slack:inc-checkout:1709683500.000700"]
    assert resolved.kind is EventKind.ALERT_RESOLVE
    assert resolved.time == datetime(2024, 3, 6, 0, 5, 0, 700, tzinfo=UTC)
    rollback = events["slack:inc-checkout:1709682900.000500"]
    assert rollback.kind is EventKind.ROLLBACK
    assert rollback.actor.name == "Deploy Bot"  # users.json real_name, user flagged is_bot there
    assert rollback.text == "Rollback of checkout to v1.41.2 started by @Bob Ortiz"


def test_hand_written_export_actors_and_markup() -> None:
    events = by_id(load(EXPORT))
    parent = events["slack:inc-checkout:1709682700.000300"]
    assert parent.actor.name == "alice" and parent.actor.id == "U0ALICE"
    assert (
        parent.text
        == "@here checkout 5xx spiking, see dashboard (https://grafana.example.com/d/abc) & #general"
    )
    assert parent.thread_id is None
    assert events["slack:general:1709650000.000001"].actor.name == "Bob Ortiz"  # empty display_name
    assert events["slack:inc-checkout:1709682300.000100"].actor.name == "carol"  # only the handle
    dave = events["slack:inc-checkout:1709683620.000800"]
    assert (dave.actor.name, dave.actor.id) == ("Dave Kim", "U0DAVE")  # not in users.json: user_profile
    assert dave.text == "graph attached [file: error-graph.png]"
    erin = events["slack:inc-checkout:1709683700.000900"]
    assert (erin.actor.name, erin.actor.id) == ("U0ERIN", "U0ERIN")
    assert erin.text == "thanks all :tada:"


def test_hand_written_export_threads_noise_and_skips() -> None:
    result = load(EXPORT)
    events = by_id(result)
    reply = events["slack:inc-checkout:1709682760.000400"]
    assert reply.thread_id == "slack:inc-checkout:1709682700.000300"
    assert reply.edited
    broadcast = events["slack:inc-checkout:1709683300.000600"]
    assert broadcast.thread_id == "slack:inc-checkout:1709682700.000300"
    assert broadcast.attrs == {"channel": "inc-checkout", "broadcast": "true"}
    assert broadcast.time.date().isoformat() == "2024-03-06"
    join = events["slack:inc-checkout:1709682300.000100"]
    assert (join.kind, join.noise) == (EventKind.SYSTEM, True)
    assert sum(e.noise for e in result.events) == 1
    reasons = [s.reason for s in result.skipped]
    assert "message has no ts" in reasons
    missing = [s for s in result.skipped if "1709682800.000999" in s.reason]
    assert len(missing) == 1 and "not in the export" in missing[0].reason
    assert "slack:inc-checkout:1709682700.000300" in missing[0].where
    assert all(e.source_format == "slack" and e.attrs["channel"] in e.id for e in result.events)


def test_channel_option_selects_one_channel() -> None:
    assert [e.id for e in load(EXPORT, channel="general").events] == ["slack:general:1709650000.000001"]
    assert len(load(EXPORT, channel="#inc-checkout").events) == 9
    assert len(load(EXPORT, channel="C0INC0001").events) == 9  # by id, through channels.json
    with pytest.raises(
        InputError, match=r"no channel 'nope' in this export; channels present: general, inc-checkout"
    ):
        load(EXPORT, channel="nope")


def test_zip_with_top_folder_and_single_channel_folder(tmp_path: Path) -> None:
    archive = zip_folder(EXPORT, tmp_path / "export.zip", prefix="acme-export/")
    source = Source(archive)
    assert ADAPTER.sniff(source)
    from_zip = load(archive)
    assert sorted(e.id for e in from_zip.events) == sorted(e.id for e in load(EXPORT).events)
    assert from_zip.events[0].source_file.startswith(f"{archive}:acme-export/")
    single = load(EXPORT / "inc-checkout")  # users.json is found in the parent folder
    assert len(single.events) == 9
    assert by_id(single)["slack:inc-checkout:1709682700.000300"].actor.name == "alice"


def test_sniff_accepts_exports_and_refuses_others(tmp_path: Path) -> None:
    assert ADAPTER.sniff(Source(EXPORT))
    assert ADAPTER.sniff(Source(EXPORT / "general"))
    assert detect(Source(EXPORT)) is ADAPTER
    (tmp_path / "notes.txt").write_text("hello\n", "utf-8")
    (tmp_path / "users.json").write_text("[]", "utf-8")  # metadata but no channel folders
    assert not ADAPTER.sniff(Source(tmp_path))
    assert not ADAPTER.sniff(Source(tmp_path / "notes.txt"))
    assert not ADAPTER.sniff(Source(EXPORT / "channels.json"))
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data/readme.txt", "not slack")
    assert not ADAPTER.sniff(Source(other))
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 definitely not a zip")
    assert not ADAPTER.sniff(Source(tmp_path / "broken.zip"))


# --- messages -----------------------------------------------------------------------------------


def one(tmp_path: Path, message: dict[str, Any], users: list[Any] | None = None) -> Event:
    root = write_export(tmp_path / "x", {"ops": [message]}, users)
    events = load(root).events
    assert len(events) == 1
    return events[0]


def test_tombstone_is_deleted_noise(tmp_path: Path) -> None:
    event = one(
        tmp_path,
        {
            "type": "message",
            "subtype": "tombstone",
            "user": "USLACKBOT",
            "hidden": True,
            "text": "This message was deleted.",
            "ts": "1709682700.000300",
            "thread_ts": "1709682700.000300",
        },
    )
    assert (event.deleted, event.noise, event.kind) == (True, True, EventKind.CHAT)
    assert event.text == "This message was deleted."


def test_blocks_used_when_text_is_empty(tmp_path: Path) -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "paged "},
                        {"type": "user", "user_id": "U1"},
                        {"type": "text", "text": " <MARQUEE>"},
                    ],
                }
            ],
        }
    ]
    users = [{"id": "U1", "name": "oncall", "profile": {"display_name": "On Call"}}]
    event = one(tmp_path, {"user": "U1", "text": "", "blocks": blocks, "ts": "1.000001"}, users)
    assert event.text == "paged @On Call <MARQUEE>"


def test_legacy_bot_without_user_and_file_comment(tmp_path: Path) -> None:
    bot = one(
        tmp_path / "a",
        {"subtype": "bot_message", "bot_id": "B9", "text": "Deployed api v2 to prod", "ts": "5.000001"},
    )
    assert (bot.actor.name, bot.actor.id, bot.is_bot, bot.kind) == ("B9", "B9", True, EventKind.DEPLOY)
    comment = one(
        tmp_path / "b",
        {
            "subtype": "file_comment",
            "text": "<@U2|neer> commented on a file: nice",
            "comment": {"user": "U2", "comment": "nice"},
            "file": {"name": "plot.png"},
            "ts": "6.000001",
        },
    )
    assert comment.actor.id == "U2" and comment.text == "@neer commented on a file: nice [file: plot.png]"
    assert not comment.is_bot


def test_human_talking_about_deploys_stays_chat(tmp_path: Path) -> None:
    event = one(
        tmp_path, {"user": "U1", "text": "[FIRING] did the deploy break it? rollback?", "ts": "7.000001"}
    )
    assert event.kind is EventKind.CHAT


def test_unfurls_dropped_but_kept_when_they_are_all_there_is(tmp_path: Path) -> None:
    unfurl = {"from_url": "https://github.com/x/y", "title": "x/y", "text": "repo", "fallback": "GitHub: x/y"}
    with_text = one(
        tmp_path / "a",
        {"user": "U1", "text": "<https://github.com/x/y>", "attachments": [unfurl], "ts": "8.000001"},
    )
    assert with_text.text == "https://github.com/x/y"
    alone = one(tmp_path / "b", {"user": "U1", "text": "", "attachments": [unfurl], "ts": "9.000001"})
    assert alone.text == "x/y\nrepo"


def test_ts_time_is_exact_and_matches_decimal_path() -> None:
    for ts in (
        "1498401043.277604",
        "1709682612.000200",
        "1433860197.000002",
        "0.000001",
        "1709683700.999999",
    ):
        assert _ts_time(ts) == from_epoch(ts)
    assert _ts_time("1498401043.277604") == datetime(2017, 6, 25, 14, 30, 43, 277604, tzinfo=UTC)
    assert _ts_time("1498401043") == datetime(2017, 6, 25, 14, 30, 43, tzinfo=UTC)
    assert _ts_time("soon") is None


def test_unreadable_ts_is_skipped_not_fatal(tmp_path: Path) -> None:
    root = write_export(
        tmp_path / "x", {"ops": [{"user": "U1", "text": "a", "ts": "soon"}, {"text": "b", "ts": "3.000001"}]}
    )
    result = load(root)
    assert [e.id for e in result.events] == ["slack:ops:3.000001"]
    assert result.skipped[0].reason == "unreadable ts 'soon'"


# --- broken input -------------------------------------------------------------------------------


def test_truncated_day_file_names_the_file_inside_the_zip(tmp_path: Path) -> None:
    root = write_export(tmp_path / "x", {"general": []})
    (root / "general" / "2024-03-05.json").write_text('[{"ts": "1.000001", "text": "hi"', "utf-8")
    with pytest.raises(InputError) as folder_error:
        load(root)
    assert str(folder_error.value).startswith(f"{root / 'general' / '2024-03-05.json'}: invalid JSON")
    archive = zip_folder(root, tmp_path / "export.zip")
    with pytest.raises(InputError) as zip_error:
        load(archive)
    message = str(zip_error.value)
    assert message.startswith(f"{archive}:general/2024-03-05.json: invalid JSON at line 1")
    assert "truncated" in message and "\n" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"ts": "1.000001"}', "expected a JSON array of messages, got an object"),
        (b"[]", "no messages in channel 'general'"),
        (b'["caf\xe9"]', "not UTF-8 text (byte 0xe9"),
        (b"", "empty file, expected JSON"),
    ],
)
def test_bad_day_files(tmp_path: Path, content: bytes, expected: str) -> None:
    root = write_export(tmp_path / "x", {"general": []})
    (root / "general" / "2024-03-05.json").write_bytes(content)
    with pytest.raises(InputError, match=re.escape(expected)):
        load(root)


def test_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x", "utf-8")
    with pytest.raises(InputError, match="no channel folders"):
        load(tmp_path / "notes")
    archive = tmp_path / "meta-only.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("channels.json", "[]")
        z.writestr("users.json", "[]")
    assert ADAPTER.sniff(Source(archive))
    with pytest.raises(InputError, match=r"meta-only.zip: Slack export has no channel folders"):
        load(archive)
    with pytest.raises(InputError, match="not a Slack export"):
        load(EXPORT / "channels.json")


def test_channel_listed_but_without_messages(tmp_path: Path) -> None:
    root = write_export(tmp_path / "x", {"general": [{"text": "a", "ts": "1.000001"}]})
    (root / "channels.json").write_text(
        json.dumps([{"id": "C1", "name": "general"}, {"id": "C2", "name": "quiet"}])
    )
    with pytest.raises(InputError, match="channel 'quiet' has no messages in this export"):
        load(root, channel="quiet")


# --- the real samples (../shared/samples/slack-export) -------------------------------------------


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_dir():
        pytest.skip(f"sample folder {path} is not present")
    return path


def test_real_2016_export() -> None:
    root = sample("houstondatavis-real-2016")
    assert detect(Source(root)) is ADAPTER
    result = load(root)
    per_channel = Counter(e.attrs["channel"] for e in result.events)
    assert per_channel == {"examples": 27, "datajam": 13, "meetup-": 8}
    assert result.skipped == []
    noise = [e for e in result.events if e.noise]
    assert {e.kind for e in noise} == {EventKind.SYSTEM}
    joins = [e for e in noise if e.text.endswith("has joined the channel")]
    assert len(joins) == 7  # channel_join: 5 in examples, 2 in meetup-
    assert len(noise) == 9  # plus 2 channel_purpose in examples
    events = by_id(result)
    first = events["slack:examples:1433860197.000002"]
    assert first.time == datetime(2015, 6, 9, 14, 29, 57, 2, tzinfo=UTC)
    last = events["slack:meetup-:1468299217.000065"]
    assert last.time == datetime(2016, 7, 12, 4, 53, 37, 65, tzinfo=UTC)
    assert events["slack:datajam:1434776101.000017"].time == datetime(2015, 6, 20, 4, 55, 1, 17, tzinfo=UTC)
    assert sum(e.edited for e in result.events) == 2
    # The legacy mention carries its own label; file_comment messages have their user in comment.user.
    assert events["slack:examples:1433860197.000002"].text == "@micahstubbs has joined the channel"
    assert events["slack:datajam:1434772752.000007"].actor.id == "U061A5N1G"
    assert not any(e.is_bot for e in result.events)  # file_share has "bot_id": null
    with pytest.raises(InputError, match="channel 'general' has no messages in this export"):
        load(root, channel="general")


def test_real_2016_export_as_zip_with_users(tmp_path: Path) -> None:
    """The sample's users file is saved as users.REDACTED.json; zipped under its real name it resolves ids."""
    root = sample("houstondatavis-real-2016")
    archive = zip_folder(root, tmp_path / "slack.zip", rename={"users.REDACTED.json": "users.json"})
    events = by_id(load(archive))
    assert len(events) == 48
    assert events["slack:datajam:1434774160.000010"].actor.name == "Micah Stubbs"
    assert events["slack:datajam:1434774160.000010"].text == "@Tim Abram nice!"
    assert events["slack:meetup-:1468275097.000057"].actor.name == "CJ Carey"


def test_real_slackdump_export() -> None:
    root = sample("slackdump-export")
    result = load(root)
    events = by_id(result)
    assert len(events) == 11
    ordered = sorted(result.events, key=lambda e: e.raw_time or "")
    assert ordered[0].time == datetime(2025, 1, 11, 0, 17, 16, 807919, tzinfo=UTC)
    assert ordered[-1].time == datetime(2025, 1, 11, 8, 2, 4, 607359, tzinfo=UTC)
    assert [e.id for e in result.events if e.noise and not e.deleted] == ["slack:B75B4C7:1736554636.807919"]
    reply = events["slack:B75B4C7:1736554819.539739"]
    assert reply.thread_id == "slack:B75B4C7:1736554801.872639"
    # users.json: display_name empty -> profile.real_name
    assert (reply.actor.id, reply.actor.name) == ("UOF82F39AE", "WgO268Xc0KtFylJ")
    assert events["slack:B75B4C7:1736554746.482349"].actor.name == "YTX35tuC1zyFhKZL"
    tombstone = events["slack:B75B4C7:1736554828.343759"]
    assert tombstone.deleted and tombstone.noise
    # a reply whose parent is not in the export still points at it
    assert events["slack:B75B4C7:1736554746.482349"].thread_id == "slack:B75B4C7:1736478630.905399"
    assert events["slack:B75B4C7:1736582524.607359"].text.startswith("[file: befvnsUNVjwGzKFcKxuIlJ2dYo5z59")
    assert result.skipped == []  # every reply listed on a parent is present


def test_real_zulip_fixtures_assembled_into_an_export(tmp_path: Path) -> None:
    base = sample("zulip-fixtures")
    root = tmp_path / "export"
    root.mkdir()
    shutil.copy(base / "slack_fixtures" / "channels.json", root / "channels.json")
    shutil.copy(base / "test_slack_importer" / "users.EXCERPT.json", root / "users.json")
    for folder, src in (
        ("random", base / "test_slack_importer" / "random" / "2017-06-25.json"),
        ("threads", base / "exported_messages_fixtures" / "normal_thread.json"),
        ("broadcast", base / "exported_messages_fixtures" / "thread_with_broadcast_reply.json"),
    ):
        (root / folder).mkdir()
        shutil.copy(src, root / folder / "2017-06-25.json")
    events = by_id(load(root))
    assert len(events) == 9
    joined = events["slack:random:1498401043.277604"]
    assert (joined.kind, joined.noise, joined.actor.name) == (EventKind.SYSTEM, True, "k._")
    assert joined.text == "@k._ has joined the channel"
    assert joined.time == datetime(2017, 6, 25, 14, 30, 43, 277604, tzinfo=UTC)
    # the reply that is older than its parent still belongs to it
    assert events["slack:threads:1449868294.000007"].thread_id == "slack:threads:1539868294.000007"
    assert events["slack:threads:1439868294.000007"].thread_id == "slack:threads:1434139102.000002"
    assert events["slack:threads:1434139102.000002"].actor.name == "U061A5N1G"  # not in users.json
    broadcast = events["slack:broadcast:1434139104.000002"]
    assert broadcast.thread_id == "slack:broadcast:1434139102.000002"
    assert broadcast.attrs.get("broadcast") == "true"


def test_real_single_channel_folder() -> None:
    folder = sample("zulip-fixtures") / "test_slack_importer" / "random"
    assert ADAPTER.sniff(Source(folder))
    events = load(folder).events
    assert [e.id for e in events] == ["slack:random:1498401043.277604", "slack:random:1498401071.279035"]
    assert events[1].actor.name == "U6006P1CN"  # users file in the parent is not named users.json
    assert events[1].text == "edfadfa"


ODD_VALUES: list[Any] = [None, 1, 1.5, True, [], {}, "", [1, "a", None], {"a": []}, "<@", [{"type": None}]]
FULL_MESSAGE: dict[str, Any] = {
    "type": "message",
    "user": "U1",
    "text": "hi <@U1>",
    "ts": "1.000001",
    "thread_ts": "0.000001",
    "subtype": "bot_message",
    "bot_id": "B1",
    "attachments": [{"title": "t", "fields": [{"title": "a", "value": "b"}]}],
    "blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [None]}]}],
    "files": [{"name": "f"}],
    "file": {"name": "g"},
    "edited": {},
    "replies": [{"ts": "2.000001"}],
    "user_profile": {"display_name": "d"},
    "bot_profile": {"name": "b"},
    "username": "u",
    "comment": {"user": "U2"},
    "permalink": "https://example.slack.com/archives/C1/p1000001",
}


@pytest.mark.parametrize("key", sorted(FULL_MESSAGE))
def test_odd_field_values_never_crash(tmp_path: Path, key: str) -> None:
    """Every field of a message replaced by a value of the wrong type: skipped or read, never a crash."""
    users = [
        {"id": "U1", "profile": None},
        {"id": None},
        "not a user",
        {"id": "U2", "profile": {"display_name": 5}},
    ]
    root = write_export(tmp_path / "x", {"c": []}, users)
    for number, value in enumerate(ODD_VALUES):
        for plain in (False, True):
            message = dict(FULL_MESSAGE, **{key: value})
            if plain:
                message.pop("subtype")
                message["text"] = ""
            day = root / "c" / "2024-03-05.json"
            day.write_text(json.dumps([message, "not a message", None]), "utf-8")
            result = load(root)
            assert len(result.events) + len(result.skipped) >= 3, (number, plain)
            assert all(isinstance(e.text, str) and e.id.startswith("slack:c:") for e in result.events)


def test_garbage_collector_is_restored_after_load_and_after_errors(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    load(EXPORT)
    assert gc.isenabled()
    root = write_export(tmp_path / "x", {"general": []})
    with pytest.raises(InputError):
        load(root)
    assert gc.isenabled()


# --- large day files are parsed in pieces (slack._day_pieces) ------------------------------------


def numbered(count: int) -> list[dict[str, Any]]:
    return [
        {"type": "message", "user": "U1", "text": f"message {i}", "ts": f"{1714554000 + i}.000100"}
        for i in range(count)
    ]


def test_large_day_file_is_read_in_pieces_with_every_message_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack, "_PIECE_BYTES", 512)
    messages: list[Any] = numbered(300)
    messages[150] = "not a message"
    data = json.dumps(messages, indent=4).encode()
    pieces = list(slack._day_pieces(data, "day.json"))
    assert len(pieces) > 10 and [m for piece in pieces for m in piece] == messages
    two_spaces = json.dumps(messages, indent=2).encode()  # slackdump's layout
    assert len(list(slack._day_pieces(two_spaces, "day.json"))) > 10
    root = write_export(tmp_path / "x", {"ops": []})
    day = root / "ops" / "2024-03-05.json"
    day.write_bytes(data)
    result = load(root)
    assert len(result.events) == 299 and result.events[-1].text == "message 299"
    assert [(s.where, s.reason) for s in result.skipped] == [(f"{day}[150]", "not a message object")]


def test_separator_bytes_inside_a_message_make_the_file_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack, "_PIECE_BYTES", 16)
    # A nested list laid out so that the bytes between two top-level messages appear inside it.
    text = (
        '[\n    {"ts": "1.000001", "attachments": [\n    {"title": "a"\n    },\n    {"title": "b"}\n    ]},'
        '\n    {"ts": "2.000002", "text": "' + "x" * 100 + '"\n    }\n]'
    )
    assert list(slack._day_pieces(text.encode(), "day.json")) == [json.loads(text)]


def test_a_piece_orjson_refuses_is_read_by_json_without_repeating_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(slack, "_PIECE_BYTES", 256)
    messages = numbered(60)
    text = json.dumps(messages, indent=4).replace('"message 45"', "NaN")  # json accepts NaN, orjson not
    pieces = list(slack._day_pieces(text.encode(), "day.json"))
    assert len(pieces) > 2
    assert [m["ts"] for piece in pieces for m in piece] == [m["ts"] for m in messages]


def test_truncated_large_day_file_reports_like_a_small_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack, "_PIECE_BYTES", 256)
    text = json.dumps(numbered(60), indent=4)[:-40]
    with pytest.raises(json.JSONDecodeError) as parsed:
        json.loads(text)
    e = parsed.value
    with pytest.raises(InputError) as info:
        list(slack._day_pieces(text.encode(), "day.json"))
    assert str(info.value) == (
        f"day.json: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg} (the file looks truncated)"
    )
