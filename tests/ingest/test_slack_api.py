"""Slack Web API adapter: slackdump captures and conversations.history/replies responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import LoadOptions, Source, detect, ingest
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


def test_replies_beside_the_slackdump_sample_take_its_channel(samples: Path, tmp_path: Path) -> None:
    dump = json.loads((samples / "slackdump_dump_CHY5HUESG.json").read_text("utf-8"))
    (tmp_path / "CHY5HUESG.json").write_text(json.dumps(dump), "utf-8")
    parent = next(m for m in dump["messages"] if m.get("slackdump_thread_replies"))
    parent = {k: v for k, v in parent.items() if k != "slackdump_thread_replies"}
    reply = _msg("1799999999.000100", user=parent["user"], text="a later reply", thread_ts=parent["ts"])
    result = ADAPTER.load(Source(_write(tmp_path, _history(parent, reply), "replies.json")), LoadOptions())
    assert _ids(result) == [f"slack:everyone:{parent['ts']}", "slack:everyone:1799999999.000100"]
    assert "CHY5HUESG.json, which holds the same messages" in result.assumptions[0]


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


# --- the files beside a capture: users lists --------------------------------------------------------


def _msg(ts: str, user: str = "U1", text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": user, "text": text, "ts": ts, **extra}


def _history(*messages: dict[str, Any]) -> dict[str, Any]:
    """A raw conversations.history/replies response: it does not name its channel."""
    return {"ok": True, "messages": list(messages), "has_more": False}


def _user(uid: str, name: str) -> dict[str, Any]:
    return {"id": uid, "name": name.lower(), "profile": {"display_name": name, "real_name": ""}}


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("users.list.json", {"ok": True, "members": [_user("U1", "Dana")], "response_metadata": {}}),
        ("acme.users.list.json", {"ok": True, "members": [_user("U1", "Dana")]}),
        ("users-T01ABCDEF.json", [_user("U1", "Dana")]),  # slackdump `list users`
        ("people.json", {"ok": True, "members": [_user("U1", "Dana")]}),  # a users.list response by content
        ("users.json", [_user("U1", "Dana")]),
        ("org_users.json", [_user("U1", "Dana")]),
    ],
)
def test_authors_named_from_the_users_files_tools_write(tmp_path: Path, name: str, doc: Any) -> None:
    _write(tmp_path, doc, name)
    result = ADAPTER.load(Source(_write(tmp_path, _history(_msg("1714554000.000100")))), LoadOptions())
    assert result.events[0].actor.name == "Dana"
    assert getattr(result, "read_beside", None) == [str(tmp_path / name)]


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("users-report.json", [_user("U1", "Dana")]),  # not slackdump's users-<TEAM>.json
        ("team.json", [_user("U1", "Dana")]),  # a bare array is a users list only by its name
        ("people.json", {"members": [_user("U1", "Dana")]}),  # not an API response
        ("users.json", {"users": [{"id": 1, "name": "Dana"}]}),  # Zendesk's users, not Slack's
    ],
)
def test_unrelated_json_beside_is_not_read_for_names(tmp_path: Path, name: str, doc: Any) -> None:
    _write(tmp_path, doc, name)
    result = ADAPTER.load(Source(_write(tmp_path, _history(_msg("1714554000.000100")))), LoadOptions())
    assert result.events[0].actor.name == "U1"
    assert getattr(result, "read_beside", None) == []


def test_users_json_wins_over_other_users_files(tmp_path: Path) -> None:
    _write(tmp_path, [_user("U1", "From export")], "users.json")
    _write(tmp_path, [_user("U1", "From slackdump"), _user("U2", "Kim")], "users-T01ABCDEF.json")
    history = _history(_msg("1714554000.000100"), _msg("1714554060.000100", user="U2"))
    result = ADAPTER.load(Source(_write(tmp_path, history)), LoadOptions())
    assert [e.actor.name for e in result.events] == ["From export", "Kim"]


def test_broken_users_file_is_an_assumption_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text('[{"id": "U1", "na', "utf-8")
    result = ADAPTER.load(Source(_write(tmp_path, _history(_msg("1714554000.000100")))), LoadOptions())
    assert result.events[0].actor.name == "U1"
    assert any("users.json" in a and "user ids shown instead of names" in a for a in result.assumptions)


def test_a_used_users_file_is_not_reported_as_unrecognized_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "slack"
    folder.mkdir()
    _write(folder, _history(_msg("1714554000.000100")), "history.json")
    _write(folder, {"ok": True, "members": [_user("U1", "Dana")]}, "users.list.json")
    _write(folder, {"notes": "hand-written"}, "notes.json")
    ingested = ingest([tmp_path])
    assert [e.actor.name for e in ingested.events] == ["Dana"]
    assert [(s.where, s.reason) for s in ingested.skipped] == [
        (str(folder / "notes.json"), "not a recognized export")
    ]
    # A users list with no capture beside it is still reported: nothing read it.
    other = tmp_path / "elsewhere"
    other.mkdir()
    _write(other, {"ok": True, "members": [_user("U1", "Dana")]}, "users.list.json")
    assert str(other / "users.list.json") in [s.where for s in ingest([tmp_path]).skipped]


# --- the files beside a capture: channels -----------------------------------------------------------


def _ids(result: Any) -> list[str]:
    return [e.id for e in result.events]


def test_channel_field_on_messages_names_the_channel(tmp_path: Path) -> None:
    history = _history(
        _msg("1714554000.000100", channel="C0INC"), _msg("1714554060.000100", text="see <#C0INC>")
    )
    result = ADAPTER.load(Source(_write(tmp_path, history)), LoadOptions())
    assert _ids(result) == ["slack:C0INC:1714554000.000100", "slack:C0INC:1714554060.000100"]
    assert result.assumptions == []


def test_messages_of_several_channels_keep_their_own(tmp_path: Path) -> None:
    history = _history(
        _msg("1714554000.000100", channel="C1"),
        _msg("1714554000.000100", channel={"id": "C2", "name": "inc-2"}),
        _msg("1714554060.000100"),
    )
    _write(tmp_path, [{"id": "C1", "name": "inc-1"}], "channels.json")
    result = ADAPTER.load(Source(_write(tmp_path, history)), LoadOptions())
    assert sorted(_ids(result)) == [
        "slack:inc-1:1714554000.000100",
        "slack:inc-2:1714554000.000100",
        "slack:unknown:1714554060.000100",
    ]


def test_channel_id_named_from_a_channel_list_beside(tmp_path: Path) -> None:
    channels = [
        {"id": "C0OTHER", "name": "general"},
        {"id": "C0INC", "name": "inc-42", "created": 1714550000},
    ]
    _write(tmp_path, channels, "channels-T01ABCDEF.json")  # slackdump `list channels`
    history = {**_history(_msg("1714554000.000100", text="in <#C0INC>")), "channel_id": "C0INC"}
    result = ADAPTER.load(Source(_write(tmp_path, history)), LoadOptions())
    [event] = result.events
    assert event.id == "slack:inc-42:1714554000.000100" and event.attrs == {"channel": "inc-42"}
    assert event.text == "in #inc-42"
    assert result.assumptions == [
        f"{tmp_path / 'history.json'}: channel C0INC named 'inc-42' from channels-T01ABCDEF.json beside it"
    ]
    assert getattr(result, "read_beside", None) == [str(tmp_path / "channels-T01ABCDEF.json")]


def test_channel_from_a_conversations_info_response_beside(tmp_path: Path) -> None:
    info = {"ok": True, "channel": {"id": "C0INC", "name": "inc-42", "is_channel": True}}
    _write(tmp_path, info, "conversations.info.json")
    _write(tmp_path, [{"id": "C0INC", "name": "inc-42"}, {"id": "C0GEN", "name": "general"}], "channels.json")
    result = ADAPTER.load(Source(_write(tmp_path, _history(_msg("1714554000.000100")))), LoadOptions())
    assert _ids(result) == ["slack:inc-42:1714554000.000100"]
    assert result.assumptions == [
        f"{tmp_path / 'history.json'}: channel 'inc-42' from conversations.info.json beside it"
    ]
    # --channel is the user's word and still wins.
    named = ADAPTER.load(Source(tmp_path / "history.json"), LoadOptions(channel="#war-room"))
    assert _ids(named) == ["slack:war-room:1714554000.000100"] and named.assumptions == []


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        ([{"id": "C0INC", "name": "inc-42"}], "inc-42"),
        ([{"id": "C0INC", "name": "inc-42"}, {"id": "C0GEN", "name": "general"}], "unknown"),
        ({"ok": True, "channels": [{"id": "C0INC", "name": "inc-42"}]}, "inc-42"),  # conversations.list
    ],
)
def test_channel_list_beside_names_the_channel_only_when_it_holds_one(
    tmp_path: Path, channels: Any, expected: str
) -> None:
    _write(tmp_path, channels, "channels.json" if isinstance(channels, list) else "conversations.list.json")
    result = ADAPTER.load(Source(_write(tmp_path, _history(_msg("1714554000.000100")))), LoadOptions())
    assert _ids(result) == [f"slack:{expected}:1714554000.000100"]
    assert len(result.assumptions) == 1


def test_metadata_about_a_channel_another_capture_names_is_not_taken(tmp_path: Path) -> None:
    _write(tmp_path, {"ok": True, "channel": {"id": "C0INC", "name": "inc-42"}}, "conversations.info.json")
    dump = {"channel_id": "C0INC", "name": "inc-42", "messages": [_msg("1714554000.000100")]}
    _write(tmp_path, dump, "C0INC.json")
    result = ADAPTER.load(Source(_write(tmp_path, _history(_msg("1714550000.000100")))), LoadOptions())
    assert _ids(result) == ["slack:unknown:1714550000.000100"]


def test_a_capture_holding_the_same_messages_as_a_named_one_takes_its_channel(tmp_path: Path) -> None:
    parent = _msg("1714554000.000100", text="root", thread_ts="1714554000.000100", client_msg_id="a-1")
    reply = _msg("1714554060.000100", user="U2", text="reply", thread_ts="1714554000.000100")
    dump = {"channel_id": "C0INC", "name": "inc-42", "messages": [{**parent, "edited": {"ts": "1"}}]}
    _write(tmp_path, dump, "C0INC.json")
    replies = _write(tmp_path, _history({**parent, "text": "root (before the edit)"}, reply), "replies.json")
    result = ADAPTER.load(Source(replies), LoadOptions())
    assert _ids(result) == ["slack:inc-42:1714554000.000100", "slack:inc-42:1714554060.000100"]
    assert result.events[1].thread_id == "slack:inc-42:1714554000.000100"
    assert result.assumptions == [
        f"{replies}: channel 'inc-42' from C0INC.json, which holds the same messages"
    ]
    merged = ingest([tmp_path])
    assert [e.id for e in merged.events] == _ids(result) and not merged.skipped


def test_history_and_replies_of_one_unnamed_channel_share_ids(tmp_path: Path) -> None:
    parent = _msg("1714554000.000100", text="root", thread_ts="1714554000.000100", reply_count=1)
    reply = _msg("1714554060.000100", user="U2", text="reply", thread_ts="1714554000.000100")
    _write(tmp_path, _history(_msg("1714554120.000100", text="later"), parent), "history.json")
    _write(tmp_path, _history(parent, reply), "replies.json")
    merged = ingest([tmp_path])
    assert [e.id for e in merged.events] == [
        "slack:unknown:1714554000.000100",
        "slack:unknown:1714554060.000100",
        "slack:unknown:1714554120.000100",
    ]
    assert all("ids use 'unknown'" in a for a in merged.assumptions) and len(merged.assumptions) == 2


def test_two_unnamed_channels_with_one_ts_do_not_collide(tmp_path: Path) -> None:
    clash = "1714554000.000100"
    _write(tmp_path, _history(_msg(clash, text="db is down"), _msg("1714554060.000100")), "a.json")
    _write(tmp_path, _history(_msg(clash, text="lunch?")), "b.json")
    _write(tmp_path, _history(_msg("1714559999.000100", text="elsewhere")), "c.json")
    merged = ingest([tmp_path])
    texts = {e.text: e.id for e in merged.events}
    assert len(merged.events) == 4 and len(set(texts.values())) == 4
    a_label = texts["db is down"].split(":")[1]
    assert texts["hello"].split(":")[1] == a_label  # one file, one label
    assert a_label.startswith("unknown-") and texts["lunch?"].split(":")[1].startswith("unknown-")
    assert texts["lunch?"].split(":")[1] != a_label
    assert texts["elsewhere"] == "slack:unknown:1714559999.000100"  # clashes with nothing: unchanged
    assert any(f"ids use '{a_label}'" in a and "same times" in a for a in merged.assumptions)
    # Stable, and from the content rather than the file names.
    (tmp_path / "a.json").rename(tmp_path / "z.json")
    renamed = {e.text: e.id for e in ingest([tmp_path]).events}
    assert renamed == texts


def test_unnamed_pages_of_one_file_with_one_ts_do_not_collide(tmp_path: Path) -> None:
    pages = [_history(_msg("1714554000.000100", text="one")), _history(_msg("1714554000.000100", text="two"))]
    result = ADAPTER.load(Source(_write(tmp_path, pages)), LoadOptions())
    assert len(result.events) == 2 and len(set(_ids(result))) == 2 and not result.skipped
