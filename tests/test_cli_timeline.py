"""`pmdraft timeline` end to end on a hand-written Slack export (tests/data/slack/export).

The export crosses midnight UTC (2024-03-05 -> 2024-03-06) and holds a thread with a broadcast
reply, alert-bot posts, a rollback bot, a channel join and a message without ts. Expected times
were converted from the raw ``ts`` values by hand: 2024-03-05T00:00:00Z is epoch 1709596800.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pmdraft.cli import main

EXPORT = Path(__file__).resolve().parent / "data" / "slack" / "export"
DAY1 = EXPORT / "inc-checkout" / "2024-03-05.json"
DAY2 = EXPORT / "inc-checkout" / "2024-03-06.json"


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMDRAFT_DEBUG", raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["timeline", *args])


def jsonl(*args: str) -> list[dict[str, Any]]:
    result = run(*args, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_fields_match_the_raw_export() -> None:
    rows = {row["id"]: row for row in jsonl(str(EXPORT))}
    assert rows["slack:inc-checkout:1709682612.000200"] == {
        "id": "slack:inc-checkout:1709682612.000200",
        "time": "2024-03-05T23:50:12.000200+00:00",  # 1709682612 - 1709596800 = 85812 s = 23:50:12
        "kind": "alert.trigger",
        "actor": "Alertmanager",
        "actor_id": "B0ALERTS",
        "text": "[FIRING:1] HighErrorRate checkout (critical) (https://alertmanager.example.com/#/alerts?receiver=slack)"
        "\n5xx ratio above 5% for 5m\nservice: checkout",
        "source": {"file": str(DAY1), "format": "slack"},
        "flags": ["bot"],
        "attrs": {"channel": "inc-checkout"},
    }
    assert rows["slack:inc-checkout:1709682760.000400"] == {
        "id": "slack:inc-checkout:1709682760.000400",
        "time": "2024-03-05T23:52:40.000400+00:00",  # 85960 s = 23:52:40
        "kind": "chat",
        "actor": "Bob Ortiz",
        "actor_id": "U0BOB",
        "text": "looking, @alice I think it's the 23:30 deploy",
        "source": {"file": str(DAY1), "format": "slack"},
        "thread_id": "slack:inc-checkout:1709682700.000300",
        "flags": ["edited"],
        "attrs": {"channel": "inc-checkout"},
    }
    broadcast = rows["slack:inc-checkout:1709683300.000600"]
    assert broadcast["time"] == "2024-03-06T00:01:40.000600+00:00"  # 86500 s = one day + 100 s
    assert (broadcast["actor"], broadcast["source"]["file"]) == ("carol", str(DAY2))
    assert rows["slack:inc-checkout:1709683500.000700"]["kind"] == "alert.resolve"
    assert rows["slack:inc-checkout:1709682900.000500"]["kind"] == "rollback"
    assert list(rows) == sorted(rows, key=lambda i: rows[i]["time"])  # one sorted stream


def test_markdown_shows_dates_and_zone() -> None:
    utc = run(str(EXPORT))
    assert utc.exit_code == 0
    assert utc.stdout.startswith("# Timeline (9 events, times in UTC)")
    assert "| 2024-03-05 | 23:50:12 +0000 | alert.trigger | Alertmanager |" in utc.stdout
    assert "| 2024-03-06 | 00:05:00 +0000 | alert.resolve | Alertmanager |" in utc.stdout
    berlin = run(str(EXPORT), "--tz", "Europe/Berlin")
    assert "times in Europe/Berlin" in berlin.stdout
    assert "| 2024-03-06 | 00:50:12 +0100 | alert.trigger |" in berlin.stdout  # CET is UTC+1 in March


def test_joins_are_noise_unless_asked_for() -> None:
    join_id = "slack:inc-checkout:1709682300.000100"
    assert join_id not in {row["id"] for row in jsonl(str(EXPORT))}
    rows = {row["id"]: row for row in jsonl(str(EXPORT), "--include-noise")}
    assert rows[join_id]["kind"] == "system"
    assert rows[join_id]["flags"] == ["noise"]
    assert rows[join_id]["time"] == "2024-03-05T23:45:00.000100+00:00"
    assert len(rows) == 10


def test_since_and_until_filter() -> None:
    after_midnight = [row["id"] for row in jsonl(str(EXPORT), "--since", "2024-03-06")]
    assert after_midnight == [
        "slack:inc-checkout:1709683300.000600",
        "slack:inc-checkout:1709683500.000700",
        "slack:inc-checkout:1709683620.000800",
        "slack:inc-checkout:1709683700.000900",
    ]
    # --since in --tz: 01:00 in Berlin is midnight UTC
    assert [r["id"] for r in jsonl(str(EXPORT), "--tz", "Europe/Berlin", "--since", "2024-03-06T01:00")] == (
        after_midnight
    )
    # --until is inclusive and exact to the microsecond of ts
    until = [r["id"] for r in jsonl(str(EXPORT), "--until", "2024-03-05T23:51:40.000300Z")]
    assert until == [
        "slack:general:1709650000.000001",
        "slack:inc-checkout:1709682612.000200",
        "slack:inc-checkout:1709682700.000300",
    ]
    window = jsonl(str(EXPORT), "--since", "2024-03-05T23:52:00Z", "--until", "2024-03-05T23:59:59Z")
    assert [r["id"] for r in window] == [
        "slack:inc-checkout:1709682760.000400",
        "slack:inc-checkout:1709682900.000500",
    ]


def test_channel_option() -> None:
    assert [r["id"] for r in jsonl(str(EXPORT), "--channel", "general")] == [
        "slack:general:1709650000.000001"
    ]
    result = run(str(EXPORT), "--channel", "random")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"Error: {EXPORT}: no channel 'random' in this export; channels present: general, inc-checkout\n"
    )


# --- bad input: exit 2, one "Error: <path>: ..." line, no traceback ------------------------------


def make_export(root: Path, day: bytes) -> Path:
    (root / "general").mkdir(parents=True)
    (root / "channels.json").write_text('[{"id": "C1", "name": "general"}]', "utf-8")
    (root / "users.json").write_text("[]", "utf-8")
    (root / "general" / "2024-03-05.json").write_bytes(day)
    return root


def zip_of(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return target


def assert_one_error_line(result: Result, path: str, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {path}: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_truncated_day_file_in_folder_and_zip(tmp_path: Path) -> None:
    root = make_export(tmp_path / "export", b'[{"type": "message", "ts": "1709682612.000200", "text": "hi"')
    day = root / "general" / "2024-03-05.json"
    assert_one_error_line(run(str(root)), str(day), "invalid JSON at line 1", "truncated")
    archive = zip_of(root, tmp_path / "export.zip")
    assert_one_error_line(
        run(str(archive)), f"{archive}:general/2024-03-05.json", "invalid JSON", "truncated"
    )


def test_non_utf8_binary_and_empty_day_files(tmp_path: Path) -> None:
    latin1 = make_export(tmp_path / "a", '[{"ts": "1.000001", "text": "café"}]'.encode("latin-1"))
    assert_one_error_line(
        run(str(latin1)), str(latin1 / "general" / "2024-03-05.json"), "not UTF-8 text (byte 0xe9"
    )
    binary = make_export(tmp_path / "b", b"\x00\x01\x02\x03PNG\x89")
    assert_one_error_line(run(str(binary)), str(binary / "general" / "2024-03-05.json"), "not UTF-8 text")
    empty = make_export(tmp_path / "c", b"")
    assert_one_error_line(run(str(empty)), str(empty / "general" / "2024-03-05.json"), "empty file")
    no_messages = make_export(tmp_path / "d", b"[]")
    assert_one_error_line(run(str(no_messages)), str(no_messages), "no messages in channel 'general'")


def test_bad_standalone_files(tmp_path: Path) -> None:
    binary = tmp_path / "capture.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert_one_error_line(run(str(binary)), str(binary), "binary file")
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert_one_error_line(run(str(empty)), str(empty), "empty file")
    latin1 = tmp_path / "notes.txt"
    latin1.write_bytes("Réunion: la panne a commencé hier.\n".encode("latin-1"))
    assert_one_error_line(run(str(latin1)), str(latin1), "not a recognized export")


def test_folder_that_is_not_an_export(tmp_path: Path) -> None:
    folder = tmp_path / "stuff"
    folder.mkdir()
    (folder / "notes.txt").write_text("Dear team,\nthe outage was bad.\n", "utf-8")
    assert_one_error_line(run(str(folder)), str(folder), "no recognized export in this folder")
    assert_one_error_line(run(str(folder), "--input-format", "slack"), str(folder), "no channel folders")


def test_zip_with_no_channel(tmp_path: Path) -> None:
    archive = tmp_path / "slack.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("channels.json", '[{"id": "C1", "name": "general"}]')
        z.writestr("users.json", "[]")
    assert_one_error_line(run(str(archive)), str(archive), "no channel folders")


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.zip"
    assert_one_error_line(run(str(missing)), str(missing), "no such file or folder")


def test_bundle_folder_notes_unrecognized_files_and_subfolders(tmp_path: Path) -> None:
    """A folder of exports may hold notes and empty subfolders; they are reported, not fatal."""
    from pmdraft.ingest import ingest

    bundle = tmp_path / "incident"
    (bundle / "notes").mkdir(parents=True)
    (bundle / "notes" / "scratch.txt").write_text("just some words\nnothing else\n", encoding="utf-8")
    shutil.copytree(Path(__file__).parent / "data" / "alerts", bundle / "alerts")
    result = ingest([bundle])
    assert result.events
    assert any(s.where.endswith("scratch.txt") for s in result.skipped)
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "x.txt").write_text("hello\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["timeline", str(empty)])
    assert out.exit_code == 2
    assert out.stderr.startswith(f"Error: {empty}: no recognized export in this folder")
