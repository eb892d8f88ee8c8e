"""The message rules both Slack adapters share: blocks, times, actors, files, and the Event they build."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmdraft.events import Actor, Event, EventKind
from pmdraft.ingest import LoadOptions, Source
from pmdraft.ingest._common import from_epoch
from pmdraft.ingest._slack_message import MessageConverter, add_users, ts_time, ts_times
from pmdraft.ingest.slack_api import ADAPTER as API

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "slack-api"
USERS = {"U1": "dana"}


def convert(message: dict[str, Any]) -> Event | str:
    return MessageConverter("ops", "slack", USERS, set(), {"C1": "general"}).to_event(message, "f.json")


def text_of(message: dict[str, Any]) -> str:
    event = convert({"ts": "1714554000.000100", **message})
    assert isinstance(event, Event)
    return event.text


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


RICH_HELLO = {
    "type": "rich_text",
    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "hello there"}]}],
}


# --- text from blocks ----------------------------------------------------------------------------


def test_rich_text_blocks_repeat_the_text_and_add_nothing() -> None:
    assert text_of({"user": "U1", "text": "hello there", "blocks": [RICH_HELLO]}) == "hello there"


def test_layout_blocks_are_appended_to_a_fallback_text() -> None:
    blocks = [
        section("*Deploy api v2?*"),
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Yes"}}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "asked by <@U1> in <#C1>"}]},
    ]
    text = text_of({"bot_id": "B1", "text": "New poll", "blocks": blocks})
    assert text == "New poll\n*Deploy api v2?*\nYes\nasked by @dana in #general"


def test_layout_blocks_that_repeat_or_contain_the_text_are_not_doubled() -> None:
    assert (
        text_of({"bot_id": "B1", "text": "Deploy done", "blocks": [section("Deploy done")]}) == "Deploy done"
    )
    wider = [
        section("Deploy done"),
        {"type": "context", "elements": [{"type": "plain_text", "text": "by bob"}]},
    ]
    assert text_of({"bot_id": "B1", "text": "Deploy done", "blocks": wider}) == "Deploy done\nby bob"
    shorter = text_of({"bot_id": "B1", "text": "Deploy done for api v2", "blocks": [section("api v2")]})
    assert shorter == "Deploy done for api v2"


def test_blocks_stand_in_for_an_empty_text_and_odd_blocks_are_ignored() -> None:
    assert text_of({"user": "U1", "text": "", "blocks": [RICH_HELLO, section("more")]}) == "hello there\nmore"
    assert text_of({"user": "U1", "text": "hi", "blocks": {"type": "section"}}) == "hi"
    assert text_of({"user": "U1", "text": "hi", "blocks": [None, 3, {"type": "divider"}]}) == "hi"


def test_polly_poll_in_the_slackdump_sample_keeps_its_options() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("shared samples not available")
    result = API.load(Source(SAMPLES / "slackdump_dump_CHY5HUESG.json"), LoadOptions())
    polly = {e.raw_time: e for e in result.events}["1737160363.583369"]
    lines = polly.text.split("\n")
    # text, then the blocks: title section, the voting buttons (an actions block), ...
    assert lines[:3] == [
        "*Joe Doe* (Polly Sender: @UHSD97ZA5) has a polly for you!",
        "*Test Poll #406*",
        "Monday | Tuesday | Wednesday | Thurdsday | Friday",
    ]
    assert "*Total Votes*: 1" in lines
    # ... and the last context block, whose <!date^...|label> shows its label
    assert lines[-1].endswith("*:clock930: Closes: *Jan 25, 2025 at 00:32 AM")
    assert "Settings" not in polly.text  # an overflow menu's options are not content


# --- times -----------------------------------------------------------------------------------------


def test_batch_times_are_exact_and_equal_to_the_decimal_path() -> None:
    rng = random.Random(11)
    values = [f"{rng.randrange(10**9, 8 * 10**9)}.{rng.randrange(10**6):06d}" for _ in range(20_000)]
    values += ["1000000000.000000", "7999999999.999999", "1714554000.000001", "1714554000.999999"]
    assert ts_times(values) == [from_epoch(v) for v in values]
    assert ts_times(["1498401043.277604"]) == [datetime(2017, 6, 25, 14, 30, 43, 277604, tzinfo=UTC)]


def test_batch_times_of_other_shapes_take_the_exact_path() -> None:
    odd: list[Any] = ["1714554000.000100", "8999999999.000001", "1714554000.5", "soon", None, 5, ""]
    assert ts_times(odd) == [
        from_epoch("1714554000.000100"),
        from_epoch("8999999999.000001"),
        datetime(2024, 5, 1, 9, 0, 0, 500000, tzinfo=UTC),
        None,
        None,
        None,
        None,
    ]


def test_non_ascii_digits_in_ts_are_unreadable_not_a_crash() -> None:
    assert ts_time("1.²²²²²²") is None
    assert convert({"user": "U1", "text": "x", "ts": "1.²²²²²²"}) == "unreadable ts '1.²²²²²²'"
    assert ts_times(["1714554000.²²²²²²"]) == [None]


# --- the Event it builds -----------------------------------------------------------------------------


def test_converted_event_is_a_genuine_frozen_event() -> None:
    event = convert({"user": "U1", "text": "hi", "ts": "1714554000.000100", "edited": {}})
    assert type(event) is Event
    expected = Event(
        id="slack:ops:1714554000.000100",
        time=datetime(2024, 5, 1, 9, 0, 0, 100, tzinfo=UTC),
        kind=EventKind.CHAT,
        source_file="f.json",
        source_format="slack",
        actor=Actor(name="dana", id="U1"),
        text="hi",
        edited=True,
        raw_time="1714554000.000100",
        attrs={"channel": "ops"},
    )
    assert event == expected and repr(event) == repr(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.text = "changed"  # type: ignore[misc]
    assert dataclasses.replace(event, text="changed").text == "changed"


# --- users ------------------------------------------------------------------------------------------


def test_users_list_names_and_bots() -> None:
    names: dict[str, str] = {}
    bots: set[str] = set()
    users = [
        {"id": "U1", "name": "dana", "real_name": "Dana Ortiz", "profile": {"display_name": "dana.o"}},
        {"id": "U2", "name": "kim", "profile": {"display_name": "", "real_name": "Kim Park"}},
        {"id": "U3", "name": "lee", "real_name": " Lee Wu ", "profile": None},
        {"id": "B1", "name": "deploybot", "is_bot": True},
        {"id": "U1", "name": "second entry"},
        {"id": 5},
        "junk",
    ]
    add_users(users, names, bots)
    assert names == {"U1": "dana.o", "U2": "Kim Park", "U3": "Lee Wu", "B1": "deploybot"}
    assert bots == {"B1"}
    add_users({"not": "a list"}, names, bots)
    assert len(names) == 4


# --- the Web API adapter gains what the export adapter handled ---------------------------------------


def api_events(tmp_path: Path, messages: list[Any]) -> list[Event]:
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"ok": True, "channel_id": "C1", "messages": messages}), "utf-8")
    return API.load(Source(path), LoadOptions()).events


def test_api_reads_legacy_file_comments_and_single_files(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text(json.dumps([{"id": "U2", "name": "neer"}]), "utf-8")
    [comment] = api_events(
        tmp_path,
        [
            {
                "type": "message",
                "subtype": "file_comment",
                "text": "<@U2> commented on a file: nice",
                "comment": {"user": "U2", "comment": "nice"},
                "file": {"name": "plot.png"},
                "ts": "1433860197.000002",
            }
        ],
    )
    assert (comment.actor.id, comment.actor.name) == ("U2", "neer")
    assert comment.text == "@neer commented on a file: nice [file: plot.png]"


def test_api_survives_odd_subtypes_and_strips_text(tmp_path: Path) -> None:
    events = api_events(
        tmp_path,
        [
            {
                "type": "message",
                "user": "U1",
                "subtype": ["x"],
                "text": "  padded  ",
                "ts": "1714554000.000100",
            },
            {"type": "message", "user": "U1", "subtype": {"a": 1}, "text": "b", "ts": "1714554001.000100"},
        ],
    )
    assert [e.text for e in events] == ["padded", "b"]
    assert all(e.kind is EventKind.CHAT and not e.noise for e in events)
