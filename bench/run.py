"""pmdraft's benchmarks: every figure against a baseline measured in the same run, in one table.

    python bench/run.py            # the full run (200k messages, 300 ms per fake LLM call): about 2 min
    python bench/run.py --quick    # a smoke run with small inputs (what tests/test_bench.py runs)

Options: ``--messages N`` (chat messages), ``--webhook-alerts M``, ``--tickets K``, ``--latency S``,
``--chunks C``, ``--concurrency N``, ``--seed``, ``--profile mixed|stress``, ``--keep DIR`` (keep the
generated inputs and drafts), ``--fail-on-miss`` (exit 1 when a goal is missed).

Rows (details in bench/README.md):

- **ingest**: the synthetic Slack export through ``pmdraft.ingest`` (sniffing, parsing, normalizing,
  merge and sort) against a bare ``json.loads`` of the same files: throughput (best of ``--runs`` in a
  fresh process, imports done before the clock starts) and peak RSS (one pass in a fresh process);
- **tokens sent**: ``bench/bench_tokens.py`` over the six eval cases (both fixtures among them):
  prompt tokens of the LLM path against the naive single prompt; and the answer-key items whose
  evidence still reaches the model. Then the same generated bundle (``bench_tokens.py --bundle``):
  what ``pmdraft draft --dry-run`` plans for it (scoped to the incident, the default) against the
  naive prompt of all its records, with the reduce call's notes counted at their maximum size; the
  records sent, the incident channel's records sent, and the plan with ``--scope all``;
- **concurrency** and **cache**: ``bench/bench_llm.py``, ``pmdraft draft`` against a local fake
  OpenAI-compatible server with a fixed latency per call;
- **offline draft**: ``pmdraft draft SLACK ALERTS TICKETS --offline -o draft.md``, the whole command,
  against ``json.loads`` of the same files: wall time and peak RSS;
- **eval**: ``pmdraft eval --offline`` (the offline rules; the LLM path's scores need a real model).

Every step runs in a child process; peak RSS is the child's own (``os.wait4``). The parent stays
small and generates the inputs in a child too, so no figure inherits its memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Goals from the issue.
INGEST_MIN_RATIO = 0.5
TOKENS_MAX_RATIO = 0.5
CONCURRENCY_MAX_FACTOR = 1.5
DRAFT_MAX_SECONDS = 10.0
DRAFT_MAX_MIB = 1024.0

_JSON_WORKER = """
import gc, json, sys, time
from pathlib import Path
files = [Path(p) for p in sys.argv[2:]]
best, count = float("inf"), 0
for _ in range(int(sys.argv[1])):
    gc.collect()
    start = time.perf_counter()
    count = 0
    for path in files:
        data = json.loads(path.read_bytes())
        if path.stem[:4].isdigit():
            count += len(data)
    best = min(best, time.perf_counter() - start)
    del data
print(json.dumps({"seconds": best, "count": count}))
"""
_INGEST_WORKER = """
import gc, json, sys, time
from pathlib import Path
import pmdraft.ingest
from pmdraft.ingest import ingest
getattr(pmdraft.ingest, "adapters", lambda: None)()  # importing adapters is start-up, not ingestion
best, count = float("inf"), 0
for _ in range(int(sys.argv[1])):
    gc.collect()
    start = time.perf_counter()
    done = ingest([Path(p) for p in sys.argv[2:]])
    best = min(best, time.perf_counter() - start)
    count = len(done.events)
    del done
print(json.dumps({"seconds": best, "count": count}))
"""


@dataclass(frozen=True)
class Child:
    seconds: float
    peak_mib: float
    stdout: str


@dataclass(frozen=True)
class Row:
    name: str
    figure: str
    baseline: str
    ratio: str
    goal: str
    met: bool | None  # None: reported, no goal


def run_child(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Child:
    """Run ``argv``; its wall time, its own peak RSS and its stdout. A failure stops the benchmark."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv[:4])} ... failed ({proc.returncode}):\n{err.read().decode()}")
        return Child(seconds, usage.ru_maxrss / 1024, out.read().decode())


def machine() -> str:
    """nproc, CPU model, RAM, load, OS and Python: what the README's table was measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({cpu or platform.processor()}), "
        f"{ram:.0f} GiB RAM, load {load}; {platform.system()} {platform.release()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def _json_files(folder: Path) -> list[str]:
    return [str(p) for p in sorted(folder.rglob("*.json"))]


def bench_ingest(slack: Path, runs: int, separate_rss: bool) -> list[Row]:
    py = sys.executable
    files = _json_files(slack)
    base = run_child([py, "-c", _JSON_WORKER, str(runs), *files])
    ours = run_child([py, "-c", _INGEST_WORKER, str(runs), str(slack)])
    base_t, ours_t = json.loads(base.stdout), json.loads(ours.stdout)
    base_rss, ours_rss = base.peak_mib, ours.peak_mib
    if separate_rss and runs > 1:
        base_rss = run_child([py, "-c", _JSON_WORKER, "1", *files]).peak_mib
        ours_rss = run_child([py, "-c", _INGEST_WORKER, "1", str(slack)]).peak_mib
    messages = base_t["count"]
    base_rate, ours_rate = messages / base_t["seconds"], messages / ours_t["seconds"]
    ratio = ours_rate / base_rate
    return [
        Row(
            f"ingest: {messages:,} Slack messages, throughput",
            f"{ours_rate:,.0f} msg/s ({ours_t['seconds']:.2f} s, {ours_t['count']:,} events)",
            f"json.loads {base_rate:,.0f} msg/s ({base_t['seconds']:.2f} s)",
            f"{ratio:.2f}x",
            f">= {INGEST_MIN_RATIO}x",
            ratio >= INGEST_MIN_RATIO,
        ),
        Row(
            "ingest: peak RSS",
            f"{ours_rss:.0f} MiB",
            f"json.loads {base_rss:.0f} MiB",
            f"{ours_rss / base_rss:.2f}x",
            "reported",
            None,
        ),
    ]


def bench_draft(inputs: list[Path], out: Path) -> list[Row]:
    py = sys.executable
    files = [f for p in inputs for f in (_json_files(p) if p.is_dir() else [str(p)])]
    base = run_child([py, "-c", _JSON_WORKER, "1", *files])
    argv = [py, "-m", "pmdraft", "draft", *map(str, inputs), "--offline", "--force", "-o", str(out)]
    ours = run_child(argv, cwd=out.parent)
    ok_time, ok_rss = ours.seconds <= DRAFT_MAX_SECONDS, ours.peak_mib <= DRAFT_MAX_MIB
    return [
        Row(
            "offline draft (slack + alerts + tickets): wall",
            f"{ours.seconds:.2f} s",
            f"json.loads {base.seconds:.2f} s",
            f"{ours.seconds / base.seconds:.1f}x",
            f"<= {DRAFT_MAX_SECONDS:g} s",
            ok_time,
        ),
        Row(
            "offline draft: peak RSS",
            f"{ours.peak_mib:.0f} MiB",
            f"json.loads {base.peak_mib:.0f} MiB",
            f"{ours.peak_mib / base.peak_mib:.1f}x",
            f"<= {DRAFT_MAX_MIB:g} MiB",
            ok_rss,
        ),
    ]


def bench_tokens() -> tuple[list[Row], str]:
    child = run_child([sys.executable, str(HERE / "bench_tokens.py"), "--json"])
    cases = json.loads(child.stdout)
    naive = sum(c["naive"] for c in cases)
    ours = sum(c["pmdraft"] for c in cases)
    raw = sum(c["raw"] for c in cases)
    items = sum(c["key_items"] for c in cases)
    kept = sum(c["key_items_sent"] for c in cases)
    ratio = ours / naive
    rows = [
        Row(
            f"tokens sent: {len(cases)} eval cases (both fixtures among them)",
            f"{ours:,} prompt tokens ({ours / raw:.2f} per raw input token)",
            f"naive prompt {naive:,} ({naive / raw:.2f} per raw input token)",
            f"{ratio:.2f}",
            f"<= {TOKENS_MAX_RATIO}",
            ratio <= TOKENS_MAX_RATIO,
        ),
        Row(
            "tokens sent: answer-key items with evidence sent",
            f"{kept}/{items}",
            f"naive prompt {items}/{items}",
            f"{kept / items:.2f}",
            "no loss (1.00)",
            kept == items,
        ),
    ]
    sys.path.insert(0, str(HERE))
    from bench_tokens import CaseTokens, profile

    return rows, profile([CaseTokens(**c) for c in cases])


def bench_bundle_tokens(inputs: list[Path], label: str) -> list[Row]:
    """The generated bundle's tokens sent, scoped and not (``bench_tokens.py --bundle``)."""
    argv = [sys.executable, str(HERE / "bench_tokens.py"), "--json", "--bundle", *map(str, inputs)]
    data = json.loads(run_child(argv).stdout)
    naive, events, ours, wide = data["naive"], data["events"], data["scoped"], data["wide"]

    def calls(plan: dict[str, Any]) -> str:
        if plan["single"]:
            return "1 call"
        return (
            f"{plan['map_calls']} map calls + reduce; its notes counted at their cap: {data['sections']} "
            f"sections x {data['notes_limit']} notes x {plan['note_line']:.1f} tokens, the eval keys' mean "
            f"note line, = {plan['notes']:,}"
        )

    episodes = ours["channels"]
    # The incident channel: the episode's channel the scope centred on (the most of its records sent).
    main = max(episodes, key=lambda c: episodes[c][0]) if episodes else None
    sent, given, total = episodes[main] if main else (0, 0, 0)
    left = given - sent
    repeats = f" ({left} repeated deliver{'y' if left == 1 else 'ies'} left out)" if left else ""
    others = "".join(f"; #{c} (another episode) {n[0]}/{n[2]}" for c, n in episodes.items() if c != main)
    ratio, wide_ratio = ours["pmdraft"] / naive, wide["pmdraft"] / naive
    return [
        Row(
            f"tokens sent: synthetic bundle ({label})",
            f"{ours['pmdraft']:,} prompt tokens ({calls(ours)})",
            f"naive prompt {naive:,} ({events:,} records)",
            f"{ratio:.3f}",
            f"<= {TOKENS_MAX_RATIO}",
            ratio <= TOKENS_MAX_RATIO,
        ),
        Row(
            "tokens sent: synthetic bundle, records sent",
            f"{ours['records']:,} of {events:,}",
            f"naive prompt {events:,}",
            f"{ours['records'] / events:.3f}",
            "reported",
            None,
        ),
        Row(
            "tokens sent: synthetic bundle, incident channel's records sent",
            f"#{main}: {sent}/{total}{repeats}{others}",
            f"naive prompt {total}/{total}",
            f"{sent / total:.3f}" if total else "-",
            "reported",
            None,
        ),
        Row(
            "tokens sent: synthetic bundle with --scope all (no scoping)",
            f"{wide['pmdraft']:,} prompt tokens ({wide['records']:,} records, {calls(wide)})",
            f"naive prompt {naive:,} ({events:,} records)",
            f"{wide_ratio:.3f}",
            "reported",
            None,
        ),
    ]


def bench_llm(latency: float, chunks: int, concurrency: int) -> tuple[list[Row], str]:
    argv = [sys.executable, str(HERE / "bench_llm.py"), "--json", "--latency", str(latency)]
    argv += ["--chunks", str(chunks), "--concurrency", str(concurrency)]
    data = json.loads(run_child(argv).stdout)
    runs = {r["label"]: r for r in data["runs"]}
    fast, one, again = runs["concurrency N"], runs["concurrency 1"], runs["cache rerun"]
    auto, default = runs["concurrency N, dialect auto"], runs["concurrency 4 (default)"]
    limit = CONCURRENCY_MAX_FACTOR * 2 * latency
    n_chunks = data["chunks"]
    rows = [
        Row(
            f"concurrency: {n_chunks} chunks, {latency * 1000:.0f} ms/call, "
            f"concurrency {concurrency}, LLM time",
            f"{fast['llm']:.2f} s (wall {fast['wall']:.2f} s, {fast['calls']} calls)",
            f"concurrency 1: {one['llm']:.2f} s (wall {one['wall']:.2f} s)",
            f"{fast['llm'] / one['llm']:.2f}",
            f"<= 1.5 x (map + reduce) = {limit:.2f} s",
            fast["llm"] <= limit,
        ),
        Row(
            "cache: rerun with unchanged inputs, LLM calls",
            f"{again['calls']}",
            f"first run {fast['calls']}",
            f"{again['calls'] / fast['calls']:.2f}",
            "0 calls",
            again["calls"] == 0,
        ),
        Row(
            "cache: rerun, wall",
            f"{again['wall']:.2f} s",
            f"first run {fast['wall']:.2f} s",
            f"{again['wall'] / fast['wall']:.2f}",
            "reported",
            None,
        ),
    ]
    notes = (
        f"LLM runs: {n_chunks} map calls + 1 reduce (PMDRAFT_CHUNK_TOKENS={data['chunk_tokens']}, "
        f"PMDRAFT_DIALECT=json_schema). For reference: dialect auto with an empty cache (the first call "
        f"negotiates alone) {auto['llm']:.2f} s LLM time; pmdraft's default concurrency 4: "
        f"{default['llm']:.2f} s LLM time (wall {default['wall']:.2f} s)."
    )
    return rows, notes


def bench_eval(work: Path) -> list[Row]:
    out = work / "eval-offline.json"
    run_child([sys.executable, "-m", "pmdraft", "eval", "--offline", "--quiet", "--out", str(out)], cwd=ROOT)
    data = json.loads(out.read_text(encoding="utf-8"))
    checks = data["checks"]
    passed = sum(bool(c["passed"]) for c in checks)
    hard_failed = sum(bool(c["hard"]) and not c["passed"] for c in checks)
    cases = len(data["cases"])
    return [
        Row(
            f"eval, offline rules ({cases} cases): threshold checks passing",
            f"{passed}/{len(checks)}",
            "the answer keys",
            f"{passed / len(checks):.2f}" if checks else "-",
            "every hard threshold holds",
            hard_failed == 0,
        )
    ]


def table(rows: list[Row]) -> str:
    lines = ["| benchmark | figure | baseline | ratio | goal | met? |", "|---|---|---|---:|---|---|"]
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "**NO**")
        lines.append(f"| {r.name} | {r.figure} | {r.baseline} | {r.ratio} | {r.goal} | {met} |")
    return "\n".join(lines)


def _generate(args: argparse.Namespace, folder: Path) -> list[Path]:
    argv = [sys.executable, str(HERE / "synth.py"), str(folder), "--messages", str(args.messages)]
    argv += ["--webhook-alerts", str(args.webhook_alerts), "--tickets", str(args.tickets)]
    argv += ["--seed", str(args.seed), "--profile", args.profile]
    made = run_child(argv)
    lines = made.stdout.strip().splitlines()
    print(f"inputs: {lines[-1]} ({made.seconds:.1f} s)")
    return [Path(p) for p in lines[0].removeprefix("bundle: ").split()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small inputs: a smoke run of every row.")
    parser.add_argument("--messages", type=int, help="Chat messages (default 200000; quick 5000).")
    parser.add_argument("--webhook-alerts", type=int, help="Alertmanager alerts (default 200; quick 20).")
    parser.add_argument("--tickets", type=int, help="Jira issues (default 50; quick 10).")
    parser.add_argument("--latency", type=float, help="Fake LLM seconds per call (default 0.3; quick 0.05).")
    parser.add_argument("--chunks", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, help="Ingest timing runs, best kept (default 3; quick 1).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=("mixed", "stress"), default="mixed")
    parser.add_argument("--keep", type=Path, help="Write the inputs and drafts here and keep them.")
    parser.add_argument("--fail-on-miss", action="store_true", help="Exit 1 when a goal is missed.")
    args = parser.parse_args(argv)
    quick = args.quick
    args.messages = args.messages or (5_000 if quick else 200_000)
    args.webhook_alerts = args.webhook_alerts if args.webhook_alerts is not None else (20 if quick else 200)
    args.tickets = args.tickets if args.tickets is not None else (10 if quick else 50)
    latency = args.latency if args.latency is not None else (0.05 if quick else 0.3)
    runs = args.runs or (1 if quick else 3)

    print(f"pmdraft benchmarks{' (--quick)' if quick else ''}: {machine()}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="pmdraft-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        inputs = _generate(args, work / "inputs")
        rows = bench_ingest(inputs[0], runs, separate_rss=not quick)
        rows += bench_draft(inputs, work / "draft.md")
        token_rows, token_profile = bench_tokens()
        rows += token_rows
        label = f"{args.messages:,} messages, {args.webhook_alerts} alerts, {args.tickets} tickets"
        rows += bench_bundle_tokens(inputs, label)
        rows += bench_eval(work)
        llm_rows, llm_notes = bench_llm(latency, args.chunks, args.concurrency)
        rows += llm_rows
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(rows))
    print()
    print(llm_notes)
    print("\nWhere the prompt tokens go (bench/bench_tokens.py):\n")
    print(token_profile)
    missed = [r.name for r in rows if r.met is False]
    print(f"\n{len(rows)} rows in {time.perf_counter() - started:.0f} s; goals missed: {len(missed)}")
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
