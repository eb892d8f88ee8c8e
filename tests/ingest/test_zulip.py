"""Zulip adapter: API message objects, the server export's message files, and realm.json names."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import LoadOptions, Source, detect
from pmdraft.ingest.zulip import ADAPTER, markdown_to_text

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "zulip"
EXPORT = Path(__file__).resolve().parents[1] / "data" / "chat" / "zulip-export"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    return SAMPLES


def _write(tmp_path: Path, doc: Any, name: str = "messages.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_private_message_sample(samples: Path) -> None:
    [event] = ADAPTER.load(Source(samples / "zulip-php_readme_private_message.json"), LoadOptions()).events
    assert event.id == "zulip:6516"
    assert event.time == datetime(2017, 12, 10, 19, 37, 22, tzinfo=UTC)
    assert event.actor.name == "Federico Quagliotto" and event.actor.id == "9"
    assert event.text == "$ time"
    assert event.attrs == {"channel": "@Federico Quagliotto, @Khaleesi"}
    assert event.kind is EventKind.CHAT and not event.is_bot


def test_stream_message_sample(samples: Path) -> None:
    [event] = ADAPTER.load(Source(samples / "zulip-php_readme_stream_message.json"), LoadOptions()).events
    assert event.id == "zulip:6574"
    assert event.time == datetime(2017, 12, 11, 8, 53, 44, tzinfo=UTC)
    assert event.text == "@Alessandro Marino eheh vuoi altri messaggi?"
    assert event.attrs == {"channel": "Città dei Bot>hello"}


def test_export_stub_sample(samples: Path) -> None:
    # Two zerver_message rows with only id and date_sent: nothing to show, so both are reported.
    result = ADAPTER.load(Source(samples / "zulip_export_messages-000001.json"), LoadOptions())
    assert result.events == []
    assert [s.reason for s in result.skipped] == ["row has no sender and no content"] * 2
    assert "no realm.json" in result.assumptions[0]


def test_samples_are_sniffed_as_zulip(samples: Path) -> None:
    files = sorted(samples.glob("*.json"))
    assert len(files) == 3
    for path in files:
        adapter = detect(Source(path))
        assert adapter is not None and adapter.name == "zulip", path.name


def test_export_folder_with_realm() -> None:
    source = Source(EXPORT)
    assert detect(source) is ADAPTER
    result = ADAPTER.load(source, LoadOptions())
    assert [e.id for e in result.events] == ["zulip:501", "zulip:502", "zulip:503", "zulip:504"]
    alert, ask, reply, stranger = result.events
    assert alert.actor.name == "Alertmanager" and alert.is_bot
    assert alert.kind is EventKind.ALERT_TRIGGER
    assert alert.text == "[FIRING:1] CheckoutErrors"  # no rendered_content: the Markdown is used
    assert alert.time == datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    assert ask.text == "@Kim Park can you check #incidents > checkout 500s?"
    assert ask.attrs == {"channel": "incidents>checkout 500s"}
    assert reply.actor.name == "Kim Park" and reply.edited
    assert reply.attrs == {"channel": "@Kim Park"}
    assert stranger.actor.name == "99" and stranger.attrs == {"channel": "group 7"}
    assert stranger.time == datetime(2024, 5, 1, 9, 3, tzinfo=UTC)
    assert sorted(s.reason for s in result.skipped) == [
        "duplicate message id zulip:501, kept the first",
        "unreadable date_sent 'later'",
    ]
    assert not result.assumptions


def test_export_messages_file_reads_realm_beside_it() -> None:
    result = ADAPTER.load(Source(EXPORT / "messages-000001.json"), LoadOptions())
    assert result.events[0].actor.name == "Alertmanager"


def test_api_response_with_html_and_notification_bot(tmp_path: Path) -> None:
    doc = {
        "result": "success",
        "msg": "",
        "messages": [
            {
                "id": 9,
                "sender_id": 3,
                "sender_full_name": "Dana Ortiz",
                "sender_email": "dana@acme.example",
                "timestamp": 1714554000,
                "type": "stream",
                "display_recipient": "incidents",
                "subject": "checkout",
                "content": '<p>rolled back, see <a href="https://ci.example/1">build</a></p>\n<p>ok?</p>',
                "content_type": "text/html",
                "last_edit_timestamp": 1714554010,
            },
            {
                "id": 8,
                "sender_id": 4,
                "sender_full_name": "Notification Bot",
                "sender_email": "notification-bot@zulip.com",
                "timestamp": 1714553000,
                "type": "stream",
                "display_recipient": "incidents",
                "subject": "checkout",
                "content": "<p>Stream created.</p>",
            },
            {"id": 7, "sender_id": 3, "timestamp": "soon", "type": "stream", "display_recipient": "x"},
        ],
    }
    result = ADAPTER.load(Source(_write(tmp_path, doc)), LoadOptions())
    notice, dana = result.events
    assert dana.text == "rolled back, see build (https://ci.example/1)\nok?"
    assert dana.edited and dana.kind is EventKind.CHAT  # people talking about rollbacks stay chat
    assert notice.kind is EventKind.SYSTEM and notice.noise and notice.is_bot
    assert notice.text == "Stream created."  # no content_type, but it is HTML
    assert [s.reason for s in result.skipped] == ["unreadable timestamp 'soon'"]


def test_markdown_mentions() -> None:
    assert markdown_to_text("hi @**Kim Park|11** and @_**Dana Ortiz**") == "hi @Kim Park and @Dana Ortiz"
    assert markdown_to_text("see #**incidents>db**") == "see #incidents>db"


def test_wrong_shapes_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no 'zerver_message' list"):
        ADAPTER.load(Source(_write(tmp_path, {"zerver_message": {}})), LoadOptions())
    with pytest.raises(InputError, match="not a Zulip message response"):
        ADAPTER.load(Source(_write(tmp_path, {"x": 1}, "x.json")), LoadOptions())
    cut = tmp_path / "cut.json"
    cut.write_text('{"messages": [{"id": 1, "display_recipient": "a", "timestamp": 17', "utf-8")
    assert ADAPTER.sniff(Source(cut))
    with pytest.raises(InputError) as info:
        ADAPTER.load(Source(cut), LoadOptions())
    assert "\n" not in str(info.value)


def test_sniff_ignores_other_json_and_plain_folders(tmp_path: Path) -> None:
    assert not ADAPTER.sniff(Source(_write(tmp_path, {"ok": True, "messages": [{"ts": "1.1"}]})))
    assert not ADAPTER.sniff(Source(tmp_path))
    (tmp_path / "realm.json").write_text("{}", "utf-8")
    assert not ADAPTER.sniff(Source(tmp_path))  # realm.json without messages-*.json
