"""bench/bench_ingest.py runs end to end on a small synthetic export and prints its table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_ingest.py"


def test_small_run_prints_both_rows_with_ratio_and_rss() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--messages", "2000", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = {}
    for line in done.stdout.splitlines():
        match = re.match(r"(json\.loads \(baseline\)|pmdraft ingest)\s+([\d.]+)\s.*?([\d.]+) MiB$", line)
        if match:
            rows[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    assert set(rows) == {"json.loads (baseline)", "pmdraft ingest"}, done.stdout
    assert all(seconds > 0 and rss > 5 for seconds, rss in rows.values())
    made = re.search(r"pmdraft made (\d+) events", done.stdout)
    messages = re.search(r"\((\d+) messages in \d+ day files", done.stdout)
    assert made and messages and 0 < int(made.group(1)) <= int(messages.group(1))
