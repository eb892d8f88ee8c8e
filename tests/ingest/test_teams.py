"""Teams (Graph chatMessage) adapter: the shared Graph doc samples and hand-written edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import LoadOptions, Source, detect
from pmdraft.ingest.teams import ADAPTER, html_to_text

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "teams-graph"
CHAT = "19:2da4c29f6d7041eca70b638b43d45437@thread.v2"
CHANNEL = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    return SAMPLES


def _write(tmp_path: Path, doc: Any, name: str = "messages.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _msg(msg_id: str, created: str, html: str, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "id": msg_id,
        "replyToId": None,
        "messageType": "message",
        "createdDateTime": created,
        "lastEditedDateTime": None,
        "deletedDateTime": None,
        "chatId": "19:incident@thread.v2",
        "webUrl": None,
        "from": {"application": None, "device": None, "user": {"id": "u1", "displayName": "Dana Ops"}},
        "body": {"contentType": "html", "content": html},
    }
    msg.update(extra)
    return msg


def test_list_sample(samples: Path) -> None:
    path = samples / "graph-docs_chat-list-messages_example1.json"
    result = ADAPTER.load(Source(path), LoadOptions())
    # Three messages; the system rename event has the doc's malformed '2021-03-1706:47:05.123Z'.
    assert len(result.events) == 2
    assert [e.time for e in result.events] == [
        datetime(2021, 3, 17, 8, 59, 8, 136000, tzinfo=UTC),
        datetime(2021, 3, 28, 20, 48, 29, 832000, tzinfo=UTC),
    ]
    image, hello = result.events
    assert hello.id == f"teams:{CHAT}:1616964509832"
    assert hello.text == "Hello world"
    assert hello.actor.name == "Robin Kline"
    assert hello.actor.id == "8ea0e38b-efb3-4757-924a-5f94061cf8c2"
    assert hello.kind is EventKind.CHAT
    assert hello.raw_time == "2021-03-28T20:48:29.832Z"
    assert not hello.time_assumed
    assert image.text == "[image]"  # the HTML body is only a hosted-content <img>
    assert [s.reason for s in result.skipped] == ["unparseable createdDateTime '2021-03-1706:47:05.123Z'"]
    assert "message 3" in result.skipped[0].where


def test_channel_reply_sample(samples: Path) -> None:
    path = samples / "graph-docs_chatmessage-get_example3_channel_reply.json"
    [event] = ADAPTER.load(Source(path), LoadOptions()).events
    assert event.id == f"teams:{CHANNEL}:1613671348387"
    assert event.thread_id == f"teams:{CHANNEL}:1612509044972"
    assert event.text == "Test"
    assert event.time == datetime(2021, 2, 18, 18, 2, 28, 387000, tzinfo=UTC)
    assert event.url is not None and event.url.startswith("https://teams.microsoft.com/l/message/")
    assert "parentMessageId=1612509044972" in event.url
    assert event.attrs == {"channel": CHANNEL}


def test_samples_are_sniffed_as_teams(samples: Path) -> None:
    files = sorted(samples.glob("*.json"))
    assert len(files) == 2
    for path in files:
        adapter = detect(Source(path))
        assert adapter is not None and adapter.name == "teams", path.name


def test_html_body_mentions_emoji_attachments(tmp_path: Path) -> None:
    html = (
        '<p><at id="0">Sam Lee</at> checkout is 500ing &amp; latency &gt; 2s <emoji id="fire" alt="🔥" '
        'title="Fire"></emoji></p><p>see <a href="https://grafana.example/d/1">dashboard</a><br>'
        'and the log<attachment id="a1b2"></attachment></p>'
    )
    path = _write(tmp_path, {"value": [_msg("1700000000001", "2023-11-14T22:13:20.001Z", html)]})
    [event] = ADAPTER.load(Source(path), LoadOptions()).events
    assert event.text == (
        "@Sam Lee checkout is 500ing & latency > 2s 🔥\n"
        "see dashboard (https://grafana.example/d/1)\n"
        "and the log[attachment]"
    )
    assert event.id == "teams:19:incident@thread.v2:1700000000001"


def test_flags_actors_and_system_events(tmp_path: Path) -> None:
    bot = {"application": {"id": "app1", "displayName": "Alertmanager"}, "user": None}
    messages = [
        _msg("1", "2023-11-14T22:00:00Z", "<p>was here</p>", deletedDateTime="2023-11-14T22:05:00Z"),
        _msg("2", "2023-11-14T22:01:00Z", "<p>fixed typo</p>", lastEditedDateTime="2023-11-14T22:02:00Z"),
        _msg("3", "2023-11-14T22:02:00Z", "[FIRING:1] HighErrorRate checkout", **{"from": bot}),
        _msg(
            "4",
            "2023-11-14T22:03:00Z",
            "<p>hello</p>",
            **{"from": {"user": {"id": "u9", "displayName": None}}},
        ),
        _msg(
            "5",
            "2023-11-14T22:04:00Z",
            "<systemEventMessage/>",
            messageType="systemEventMessage",
            eventDetail={
                "@odata.type": "#microsoft.graph.chatRenamedEventMessageDetail",
                "chatDisplayName": "INC-42 checkout",
                "initiator": {"user": {"id": "u1", "displayName": "Dana Ops"}},
            },
            **{"from": None},
        ),
        _msg("6", "2023-11-14T22:05:00Z", "", messageType="typing"),
        _msg("2", "2023-11-14T22:06:00Z", "<p>same id again</p>"),
    ]
    result = ADAPTER.load(Source(_write(tmp_path, {"value": messages})), LoadOptions())
    by_id = {e.id.rsplit(":", 1)[-1]: e for e in result.events}
    assert sorted(by_id) == ["1", "2", "3", "4", "5"]
    assert by_id["1"].deleted and by_id["1"].text == "was here"
    assert by_id["2"].edited and not by_id["2"].deleted
    assert by_id["3"].is_bot and by_id["3"].actor.name == "Alertmanager"
    assert by_id["3"].kind is EventKind.ALERT_TRIGGER
    assert by_id["4"].actor.name == "unknown user"
    system = by_id["5"]
    assert system.kind is EventKind.SYSTEM and system.noise
    assert system.actor.name == "Dana Ops"  # from: null, so the event's initiator
    assert system.text == "chat renamed: INC-42 checkout"
    reasons = sorted(s.reason for s in result.skipped)
    assert reasons == [
        "duplicate message id teams:19:incident@thread.v2:2",
        "typing indicator, not a message",
    ]


def test_deleted_message_with_empty_body_gets_placeholder(tmp_path: Path) -> None:
    msg = _msg("7", "2023-11-14T22:00:00Z", "", deletedDateTime="2023-11-14T22:01:00Z")
    [event] = ADAPTER.load(Source(_write(tmp_path, msg)), LoadOptions()).events
    assert event.deleted and event.text == "(message deleted)"


def test_bare_list_and_naive_time_uses_tz(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    msg = _msg("8", "2023-11-14T10:00:00", "plain", body={"contentType": "text", "content": " a < b "})
    result = ADAPTER.load(Source(_write(tmp_path, [msg])), LoadOptions(tz=ZoneInfo("Europe/Berlin")))
    [event] = result.events
    assert event.time == datetime(2023, 11, 14, 9, 0, tzinfo=UTC)
    assert event.time_assumed
    assert event.text == "a < b"  # text bodies are not HTML
    assert result.assumptions and "Europe/Berlin" in result.assumptions[0]


def test_broken_json_is_one_line_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"value": [{"id": "1", "messageType": "message", "createdDateTime": "2023-', "utf-8")
    source = Source(path)
    assert ADAPTER.sniff(source)
    with pytest.raises(InputError) as info:
        ADAPTER.load(source, LoadOptions())
    assert "\n" not in str(info.value)
    assert "invalid JSON" in str(info.value)


def test_wrong_shape_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a Graph chatMessage response"):
        ADAPTER.load(Source(_write(tmp_path, {"something": 1})), LoadOptions())


def test_sniff_ignores_other_json(tmp_path: Path) -> None:
    assert not ADAPTER.sniff(Source(_write(tmp_path, {"messages": [{"ts": "1.2", "text": "x"}]})))
    assert not ADAPTER.sniff(Source(_write(tmp_path, [{"createdDateTime": "2023"}], "other.json")))


def test_html_to_text_blocks_and_lists() -> None:
    assert html_to_text("<div><div>Test</div></div>") == "Test"
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"
    assert html_to_text("<pre>a\n  b</pre>") == "a\n  b"
    assert html_to_text('<img src="x" alt="graph">') == "graph"
    assert html_to_text("no markup") == "no markup"
