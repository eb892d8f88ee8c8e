"""Slack ingestion throughput against a bare ``json.loads`` of the same day files.

    python bench/bench_ingest.py [--messages 200000] [--runs 3] [--seed 7] [--export DIR]

Writes a seeded synthetic Slack export (``bench/synth.py``: threads across day files, bots with
alert attachments, joins, mentions, edits, several days) into a temp folder, or reads ``--export``,
then measures, each in a fresh subprocess so neither warms the other's caches or heap:

- ``json.loads``: read and parse every ``<channel>/YYYY-MM-DD.json`` with the standard library (the
  baseline: the least any ingestion of these files can cost);
- ``pmdraft ingest``: ``pmdraft.ingest.ingest([export])``, i.e. sniffing, parsing, normalizing into
  Events and the merged sort.

Wall time (and CPU time, steadier on a busy machine) is the best of ``--runs`` in one process; the
clock stops when ``ingest`` returns its events, whose freeing belongs to whatever stage uses them.
Peak RSS is that of a separate one-pass process, read with ``resource.getrusage(RUSAGE_CHILDREN)``
by a wrapper whose only child it is. The goal is a ratio (pmdraft msgs/s over json.loads msgs/s) of
at least 0.5.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_BENCH = Path(__file__).resolve().parent
_MODES = ("json", "pmdraft")
_LABELS = {"json": "json.loads (baseline)", "pmdraft": "pmdraft ingest"}


def _day_files(export: Path) -> list[Path]:
    return sorted(p for p in export.glob("*/*.json") if p.stem[:4].isdigit())


def _run_json(export: Path) -> tuple[int, object]:
    messages = 0
    for path in _day_files(export):
        messages += len(json.loads(path.read_bytes()))
    return messages, None


def _run_pmdraft(export: Path) -> tuple[int, object]:
    from pmdraft.ingest import ingest

    ingested = ingest([export])
    return len(ingested.events), ingested


def _worker(mode: str, export: Path, runs: int) -> dict[str, Any]:
    """Time ``runs`` passes in this process; the count is messages read (json) or events made."""
    if mode == "pmdraft":
        import pmdraft.ingest

        pmdraft.ingest.adapters()  # importing the adapters is start-up, not ingestion
    run = _run_json if mode == "json" else _run_pmdraft
    wall: list[float] = []
    cpu: list[float] = []
    count = 0
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        count, product = run(export)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        del product
    return {"wall": wall, "cpu": cpu, "count": count}


def _subprocess(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"bench subprocess {args} failed:\n{done.stderr}")
    return done.stdout


def _peak_rss_kib(mode: str, export: Path) -> int:
    """Peak RSS of one fresh pass: this wrapper's only child is that pass, so the children's max is its."""
    _subprocess("--worker", mode, str(export), "--runs", "1")
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux


def _measure(export: Path, runs: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for mode in _MODES:
        timed = json.loads(_subprocess("--worker", mode, str(export), "--runs", str(runs)))
        timed["rss_kib"] = int(_subprocess("--rss", mode, str(export)))
        out[mode] = timed
    return out


def _table(export: Path, stats: dict[str, dict[str, Any]], runs: int) -> str:
    messages = stats["json"]["count"]
    days = _day_files(export)
    size = sum(p.stat().st_size for p in days)
    lines = [
        f"export: {export} ({messages} messages in {len(days)} day files, {size / 1e6:.1f} MB)",
        f"{'':23}{'best s':>7}{'runs (s)':>21}{'msgs/s':>10}{'ratio':>7}{'cpu s':>7}{'cpu ratio':>10}"
        f"{'peak RSS':>10}",
    ]
    base_wall, base_cpu = min(stats["json"]["wall"]), min(stats["json"]["cpu"])
    for mode in _MODES:
        wall, cpu = min(stats[mode]["wall"]), min(stats[mode]["cpu"])
        each = " ".join(f"{t:.3f}" for t in stats[mode]["wall"])
        rss = f"{stats[mode]['rss_kib'] / 1024:.0f} MiB"
        lines.append(
            f"{_LABELS[mode]:23}{wall:>7.3f}{each:>21}{messages / wall:>10,.0f}{base_wall / wall:>7.2f}"
            f"{cpu:>7.3f}{base_cpu / cpu:>10.2f}{rss:>10}"
        )
    lines.append(
        f"pmdraft made {stats['pmdraft']['count']} events. Times: best of {runs} runs. Ratio: throughput "
        "over the baseline's (goal >= 0.5). Peak RSS: one pass in a fresh process."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Slack ingestion throughput vs bare json.loads.")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--export", type=Path, help="measure this export instead of generating one")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "EXPORT"), help=argparse.SUPPRESS)
    parser.add_argument("--rss", nargs=2, metavar=("MODE", "EXPORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker[0], Path(args.worker[1]), args.runs)))
        return 0
    if args.rss:
        print(_peak_rss_kib(args.rss[0], Path(args.rss[1])))
        return 0
    if args.export is not None:
        print(_table(args.export, _measure(args.export, args.runs), args.runs))
        return 0
    sys.path.insert(0, str(_BENCH))
    from synth import SynthSpec, generate_slack_export

    with tempfile.TemporaryDirectory(prefix="pmdraft-bench-") as tmp:
        export = Path(tmp) / "export"
        generate_slack_export(export, SynthSpec(messages=args.messages, seed=args.seed))
        print(_table(export, _measure(export, args.runs), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
