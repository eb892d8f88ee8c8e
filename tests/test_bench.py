"""`python bench/run.py --quick`: the one benchmark command runs end to end and prints every row.

Timings depend on the machine, so nothing here asserts a figure or whether a timed goal was met;
only that every benchmark ran and reported a figure, a baseline and a ratio. The deterministic
facts are checked: the cache rerun makes no call, no answer-key evidence is left unsent, and the
synthetic bundle's token rows report the ratios of their own figures (scoped below ``--scope all``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = "tokens sent: synthetic bundle (5,000 messages, 20 alerts, 10 tickets)"
BUNDLE_RECORDS = "tokens sent: synthetic bundle, records sent"
BUNDLE_CHANNEL = "tokens sent: synthetic bundle, incident channel's records sent"
BUNDLE_ALL = "tokens sent: synthetic bundle with --scope all (no scoping)"
ROWS = (
    "ingest: 5,000 Slack messages, throughput",
    "ingest: peak RSS",
    "offline draft (slack + alerts + tickets): wall",
    "offline draft: peak RSS",
    "tokens sent: 6 eval cases (both fixtures among them)",
    "tokens sent: answer-key items with evidence sent",
    BUNDLE,
    BUNDLE_RECORDS,
    BUNDLE_CHANNEL,
    BUNDLE_ALL,
    "eval, offline rules (6 cases): threshold checks passing",
    "concurrency: 20 chunks, 50 ms/call, concurrency 20, LLM time",
    "cache: rerun with unchanged inputs, LLM calls",
    "cache: rerun, wall",
)


@pytest.fixture(scope="module")
def quick_run() -> str:
    if not (ROOT / "evals" / "cases").is_dir() or not (ROOT / "fixtures" / "flag-outage").is_dir():
        pytest.skip("the eval cases and fixtures are part of the checkout")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _table_rows(out: str) -> dict[str, list[str]]:
    """Benchmark name -> its cells (figure, baseline, ratio, goal, met?), from the first table."""
    rows: dict[str, list[str]] = {}
    for line in out.split("\n\n", 2)[1].splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_quick_run_prints_every_row_with_a_figure_baseline_and_ratio(quick_run: str) -> None:
    assert quick_run.startswith("pmdraft benchmarks (--quick): ")
    assert re.search(r"\d+ CPUs \(.*\), \d+ GiB RAM", quick_run.splitlines()[0])
    rows = _table_rows(quick_run)
    assert list(rows) == list(ROWS)
    for name, (figure, baseline, ratio, goal, met) in rows.items():
        assert re.search(r"\d", figure) and baseline, name
        assert re.fullmatch(r"\d+\.\d+x?|-", ratio), (name, ratio)
        assert goal and met in ("yes", "**NO**", "-"), name
    assert f"{len(ROWS)} rows in " in quick_run


def test_the_cache_rerun_makes_no_call_and_key_evidence_is_sent(quick_run: str) -> None:
    rows = _table_rows(quick_run)
    assert rows["cache: rerun with unchanged inputs, LLM calls"][0] == "0"
    first = re.fullmatch(r"first run (\d+)", rows["cache: rerun with unchanged inputs, LLM calls"][1])
    assert first and int(first.group(1)) >= 21  # 20 map calls (at least) and the reduce
    sent = rows["tokens sent: answer-key items with evidence sent"]
    kept, total = sent[0].split("/")
    assert kept == total and sent[4] == "yes"


def test_the_token_profile_lists_every_case(quick_run: str) -> None:
    profile = quick_run.split("Where the prompt tokens go", 1)[1]
    for case in ("cert-expiry", "db-hotspot (fixture)", "dns-misconfig", "flag-outage (fixture)"):
        assert f"| {case} |" in profile
    assert "| **total** |" in profile


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _assert_ratio(ratio: str, figure: int, baseline: int) -> None:
    """The ratio cell is the figure over the baseline, to the decimals it shows (at least two)."""
    decimals = len(ratio.split(".")[1])
    assert decimals >= 2 and ratio == f"{figure / baseline:.{decimals}f}", (ratio, figure, baseline)


def test_the_bundle_rows_report_ratios_of_their_own_figures(quick_run: str) -> None:
    rows = _table_rows(quick_run)
    tokens: dict[str, int] = {}
    records = 0
    for name in BUNDLE, BUNDLE_ALL:
        figure, baseline, ratio = rows[name][:3]
        ours = re.match(r"([\d,]+) prompt tokens \(", figure)
        naive = re.fullmatch(r"naive prompt ([\d,]+) \(([\d,]+) records\)", baseline)
        assert ours and naive, (figure, baseline)
        _assert_ratio(ratio, _int(ours.group(1)), _int(naive.group(1)))
        tokens[name], records = _int(ours.group(1)), _int(naive.group(2))
    figure, _, ratio, goal, met = rows[BUNDLE]
    assert goal == "<= 0.5" and met == ("yes" if float(ratio) <= 0.5 else "**NO**")
    assert "notes counted at their cap: 7 sections x 30 notes x " in figure
    # The seeded bundle holds one incident in days of chatter: scoping sends less than --scope all.
    assert tokens[BUNDLE] < tokens[BUNDLE_ALL]

    figure, baseline, ratio = rows[BUNDLE_RECORDS][:3]
    sent = re.fullmatch(r"([\d,]+) of ([\d,]+)", figure)
    assert sent and _int(sent.group(2)) == records and baseline == f"naive prompt {sent.group(2)}"
    _assert_ratio(ratio, _int(sent.group(1)), records)
    assert 0 < _int(sent.group(1)) < records

    figure, baseline, ratio = rows[BUNDLE_CHANNEL][:3]
    channel = re.match(r"#inc-\d+-synthetic: (\d+)/(\d+)", figure)
    assert channel and baseline == f"naive prompt {channel.group(2)}/{channel.group(2)}", (figure, baseline)
    _assert_ratio(ratio, int(channel.group(1)), int(channel.group(2)))
