"""Plain-text chat log adapter: IRC and bouncer logs, bracketed logs, Slack copy-paste, dates and encodings."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pmdraft.errors import InputError
from pmdraft.events import EventKind
from pmdraft.ingest import IngestResult, LoadOptions, Source, detect
from pmdraft.ingest.textlog import ADAPTER

DATA = Path(__file__).resolve().parents[1] / "data" / "textlog"
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "irc-logs"


def load(path: Path, **options: Any) -> IngestResult:
    return ADAPTER.load(Source(path), LoadOptions(**options))


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    return path


# --- hand-written logs (tests/data/textlog) ------------------------------------------------------


def test_irssi_log_with_day_change() -> None:
    result = load(DATA / "irssi-inc-checkout.log")
    events = {e.id: e for e in result.events}
    assert list(events) == [f"text:irssi-inc-checkout:{n}" for n in (2, 3, 4, 6, 8, 9)]
    join = events["text:irssi-inc-checkout:2"]
    assert (join.kind, join.noise, join.actor.name) == (EventKind.SYSTEM, True, "alice")
    said = events["text:irssi-inc-checkout:3"]
    assert said.text == "checkout is throwing 500s since ~23:45"  # mIRC colour and bold codes removed
    assert said.time == datetime(2024, 3, 5, 23, 51, tzinfo=UTC)  # date from "--- Log opened"
    assert said.time_assumed and said.raw_time == "23:51"
    bob = events["text:irssi-inc-checkout:4"]
    assert bob.actor.name == "bob"  # the @ op prefix is not part of the nick
    assert bob.text == "looking\nthe error rate graph is attached in the ticket"  # continuation line
    assert events["text:irssi-inc-checkout:6"].text == "* bob rolls back checkout"
    resolved = events["text:irssi-inc-checkout:8"]
    assert resolved.time == datetime(2024, 3, 6, 0, 2, tzinfo=UTC)  # after "--- Day changed"
    assert resolved.kind is EventKind.ALERT_RESOLVE
    assert events["text:irssi-inc-checkout:9"].actor.name == "carol"
    assert result.assumptions == [
        f"{DATA / 'irssi-inc-checkout.log'}: times have no zone; read as UTC (pass --tz to change)"
    ]


def test_bracketed_and_iso_lines() -> None:
    result = load(DATA / "bracket.txt")
    events = {e.id: e for e in result.events}
    first = events["text:bracket:1"]
    assert (first.actor.name, first.text, first.time) == (
        "alice",
        "api latency up",
        datetime(2024, 3, 5, 14, 2, tzinfo=UTC),
    )
    assert first.raw_time == "2024-03-05 14:02"
    second = events["text:bracket:2"]
    assert (second.actor.name, second.time) == ("Bob Ortiz", datetime(2024, 3, 5, 14, 2, 33, tzinfo=UTC))
    assert events["text:bracket:3"].text == "deploy 1.42 paused"  # a person saying it: CHAT
    assert events["text:bracket:3"].kind is EventKind.CHAT
    offset = events["text:bracket:4"]
    assert offset.time == datetime(2024, 3, 5, 13, 7, 10, tzinfo=UTC)  # +01:00 in the line
    assert not offset.time_assumed


def test_zone_option_applies_to_naive_times() -> None:
    result = load(DATA / "bracket.txt", tz=ZoneInfo("America/New_York"))
    first = result.events[0]
    assert first.time == datetime(2024, 3, 5, 19, 2, tzinfo=UTC)  # 14:02 EST is UTC-5
    assert result.assumptions == [f"{DATA / 'bracket.txt'}: times have no zone; read as America/New_York"]


def test_slack_copy_paste_needs_a_date_and_rolls_over_midnight() -> None:
    with pytest.raises(
        InputError, match=r"slack-paste.txt: line 1 has a time of day \(11:58 PM\).*pass --date"
    ):
        load(DATA / "slack-paste.txt")
    result = load(DATA / "slack-paste.txt", date=date(2024, 3, 5))
    events = {e.id: e for e in result.events}
    assert list(events) == [
        "text:slack-paste:1",
        "text:slack-paste:5",
        "text:slack-paste:7",
        "text:slack-paste:8",
    ]
    alice = events["text:slack-paste:1"]
    assert (alice.actor.name, alice.time) == ("Alice Ng", datetime(2024, 3, 5, 23, 58, tzinfo=UTC))
    assert alice.text == "checkout is throwing 500s\nanyone deploying?"
    bob = events["text:slack-paste:5"]
    assert bob.edited and bob.text == "yes, 1.42 went out at 23:30"
    stamped = events["text:slack-paste:7"]
    assert (stamped.actor.name, stamped.text) == ("Bob Ortiz", "rolling back now")
    assert stamped.time == datetime(2024, 3, 6, 0, 1, tzinfo=UTC)  # 12:01 AM after 11:59 PM: next day
    assert events["text:slack-paste:8"].kind is EventKind.ROLLBACK  # posted by "deploybot"
    assert any("clock went back to 12:01 AM" in a and "2024-03-06" in a for a in result.assumptions)


# --- small inline logs --------------------------------------------------------------------------


def test_clock_only_irc_with_file_name_date_and_rollover(tmp_path: Path) -> None:
    log = write(tmp_path, "inc-2024-03-05.log", "23:58 <alice> a\n[23:59:30] <bob> b\n00:01 <alice> c\n")
    result = load(log)
    assert [e.time for e in result.events] == [
        datetime(2024, 3, 5, 23, 58, tzinfo=UTC),
        datetime(2024, 3, 5, 23, 59, 30, tzinfo=UTC),
        datetime(2024, 3, 6, 0, 1, tzinfo=UTC),
    ]
    assert len(result.assumptions) == 2  # the zone, and one roll-over


def test_date_header_and_small_backwards_step(tmp_path: Path) -> None:
    log = write(tmp_path, "chat.log", "Date: 2024-03-05\n14:05 <a> x\n14:03 <b> late line\n")
    times = [e.time for e in load(log).events]
    assert times == [datetime(2024, 3, 5, 14, 5, tzinfo=UTC), datetime(2024, 3, 5, 14, 3, tzinfo=UTC)]


def test_clock_only_without_any_date_is_an_error(tmp_path: Path) -> None:
    log = write(tmp_path, "chat.log", "14:02 <alice> hi\n14:03 <bob> hello\n")
    with pytest.raises(InputError, match="pass --date YYYY-MM-DD"):
        load(log)
    assert load(log, date=date(2024, 3, 5)).events[0].time == datetime(2024, 3, 5, 14, 2, tzinfo=UTC)


def test_mixed_encodings_crlf_and_control_codes(tmp_path: Path) -> None:
    raw = (
        "2024-03-05 10:00 <alice> caf\u00e9 ok\r\n".encode()
        + b"2024-03-05 10:01 <bob> ai\x9aku \x96 done\r\n"
        + b"2024-03-05 10:02 <carol> \x0312blue\x0f plain \x1funder\x1f\n"
    )
    result = load(write(tmp_path, "mixed.log", raw))
    assert [e.text for e in result.events] == ["caf\u00e9 ok", "ai\u0161ku \u2013 done", "blue plain under"]
    assert any("1 line(s) were not UTF-8 and were read as cp1252" in a for a in result.assumptions)


def test_lines_are_split_on_newline_only(tmp_path: Path) -> None:
    # U+0085 (NEL) and U+2028 are line breaks for str.splitlines(), not for log files.
    raw = "2024-03-05 10:00 <alice> one\u0085two\u2028three\n2024-03-05 10:01 <bob> next\n".encode()
    events = load(write(tmp_path, "nel.log", raw)).events
    assert len(events) == 2 and events[0].text == "one\u0085two\u2028three"


def test_lines_before_the_first_message_are_reported(tmp_path: Path) -> None:
    log = write(tmp_path, "x.log", "exported by someclient\n\n[2024-03-05 14:02] alice: hi\n")
    result = load(log)
    assert len(result.events) == 1
    assert result.skipped[0].where.endswith("x.log:line 1")


def test_no_recognizable_line_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no chat lines recognized"):
        load(write(tmp_path, "prose.txt", "Dear team,\nthe outage was bad.\n"))


def test_sniff(tmp_path: Path) -> None:
    assert ADAPTER.sniff(Source(DATA / "irssi-inc-checkout.log"))
    assert ADAPTER.sniff(Source(DATA / "slack-paste.txt"))
    assert ADAPTER.sniff(Source(DATA / "bracket.txt"))
    assert not ADAPTER.sniff(Source(write(tmp_path, "prose.txt", "Dear team,\nthe outage was bad.\nBye\n")))
    assert not ADAPTER.sniff(Source(write(tmp_path, "a.json", '[{"ts": "1.000001", "text": "14:02 <a> b"}]')))
    assert not ADAPTER.sniff(Source(write(tmp_path, "b.bin", b"14:02 <a> b\n\x00\x01\x02")))
    assert not ADAPTER.sniff(Source(tmp_path))
    assert detect(Source(DATA / "irssi-inc-checkout.log")) is ADAPTER


def test_empty_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty file"):
        load(write(tmp_path, "empty.log", ""))
    with pytest.raises(InputError, match="binary file"):
        load(write(tmp_path, "bin.log", b"\x00\x01\x02 14:02 <a> b"))


# --- the real samples (../shared/samples/irc-logs) -----------------------------------------------


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample {path} is not present")
    return path


def test_real_irclog2html_iso_log() -> None:
    path = sample("irclog2html_2005-01-09-test2.log")
    assert detect(Source(path)) is ADAPTER
    result = load(path)
    assert len(result.events) == 57  # one event per line: 48 <nick>, 2 actions, 7 *** lines
    assert Counter(e.kind for e in result.events) == {EventKind.CHAT: 50, EventKind.SYSTEM: 7}
    assert sum(e.noise for e in result.events) == 7
    first, last = result.events[0], result.events[-1]
    assert (first.actor.name, first.text) == ("Aiste", "mgedmin: ayt?")
    assert first.time == datetime(2005, 1, 9, 2, 5, 4, tzinfo=UTC)
    assert (last.actor.name, last.text) == ("ryzaja", ":)")
    assert last.time == datetime(2005, 1, 9, 9, 17, 35, tzinfo=UTC)
    assert all(e.time_assumed for e in result.events)
    action = next(e for e in result.events if e.id == "text:irclog2html_2005-01-09-test2:25")
    assert action.text == "* mgedmin tried https://www.ivija.com/temporary-location-for-zope3/"
    rename = next(e for e in result.events if e.id == "text:irclog2html_2005-01-09-test2:55")
    assert (rename.kind, rename.text) == (EventKind.SYSTEM, "ryzaja_ is now known as ryzaja")


def test_real_dircproxy_log_takes_its_year_from_the_file_name(tmp_path: Path) -> None:
    path = sample("irclog2html_2009-01-14-dircproxy.log")
    result = load(path)
    assert len(result.events) == 25
    chat = [e for e in result.events if e.kind is EventKind.CHAT]
    assert len(chat) == 9
    assert sum(e.noise for e in result.events) == 16  # 4 "-->" joins and 12 "*** You ..." lines
    jsmith = next(e for e in result.events if e.id.endswith(":6"))
    assert jsmith.actor.name == "jsmith"
    assert jsmith.text == "No clue... there's probably an Eclipse plugin that does it"  # "+" marker dropped
    assert jsmith.time == datetime(2009, 1, 14, 12, 37, tzinfo=UTC)
    assert result.events[-1].time == datetime(2009, 1, 14, 23, 35, tzinfo=UTC)
    renamed = shutil.copy(path, tmp_path / "dircproxy.log")
    with pytest.raises(InputError, match="has no year"):
        load(Path(renamed))
    assert load(Path(renamed), date=date(2009, 1, 1)).events[0].time == datetime(
        2009, 1, 14, 10, 36, tzinfo=UTC
    )


def test_real_mixed_charset_logs() -> None:
    hybrid = load(sample("irclog2html_2011-01-16-hybrid-charset.log"))
    assert hybrid.events[0].text == "aišku :)"  # byte 0x9a, read as cp1252
    assert hybrid.events[1].text.startswith("* mgedmin naudoja Ubuntu lietuviškai")  # valid UTF-8 line
    assert any("1 line(s) were not UTF-8" in a for a in hybrid.assumptions)
    sample_log = load(sample("irclog2html_tests_sample.log"))
    assert len(sample_log.events) == 10
    assert sample_log.events[1].text == "let's see if irc logging works... ąčę"
    assert sample_log.events[2].text == "š"
    assert sum(e.noise for e in sample_log.events) == 3


def test_unreadable_times_skip_the_line_and_its_continuation(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "odd-2024-03-05.log",
        "14:02 <alice> fine\n25:61 <bob> impossible clock\nstill bob\n[31 Feb 10:00] <carol!c@h> no such day\n"
        "2024-02-30 10:00 <dave> no such date\n14:10 <erin> fine again\n",
    )
    result = load(log)
    assert [e.text for e in result.events] == ["fine", "fine again"]
    assert [(s.where.rsplit(":", 1)[-1], s.reason) for s in result.skipped] == [
        ("2", "unreadable time '25:61'"),
        ("4", "unreadable time '31 Feb 10:00'"),
        ("5", "unreadable time '2024-02-30 10:00'"),
        ("line 3", "no time or speaker, and no message to continue"),
    ]


def test_slack_paste_client_chrome_and_day_separator(tmp_path: Path) -> None:
    paste = (
        "Tuesday, March 5th, 2024\n"
        "New messages\n"
        "Alice Ng  [11:58 PM]\n"
        "checkout is down\n"
        "2 replies\n"
        "11:59 PM\n"
        "paging bob\n"
        "Today\n"
        "bob [12:04 AM]\n"
        "on it :eyes:\n"
    )
    result = load(write(tmp_path, "paste.txt", paste))  # the separator gives the day: no --date needed
    assert [(e.actor.name, e.text, e.time) for e in result.events] == [
        ("Alice Ng", "checkout is down", datetime(2024, 3, 5, 23, 58, tzinfo=UTC)),
        ("Alice Ng", "paging bob", datetime(2024, 3, 5, 23, 59, tzinfo=UTC)),
        ("bob", "on it :eyes:", datetime(2024, 3, 6, 0, 4, tzinfo=UTC)),
    ]
    assert result.skipped == []


def test_weechat_tab_separated_lines(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "weechat.log",
        "2024-03-05 14:02:33\t-->\talice (a@host) has joined #inc\n"
        "2024-03-05 14:02:40\t@bob\tcheckout 5xx, looking\n"
        "2024-03-05 14:02:51\t *\tbob restarts the pods\n",
    )
    events = load(log).events
    assert [(e.kind, e.noise, e.actor.name, e.text) for e in events] == [
        (EventKind.SYSTEM, True, "alice", "alice (a@host) has joined #inc"),
        (EventKind.CHAT, False, "bob", "checkout 5xx, looking"),
        (EventKind.CHAT, False, "bob", "* bob restarts the pods"),
    ]
