"""Benchmark: the offline draft of a large synthetic Slack export, against bare json.loads.

    python bench/run.py [--messages 200000] [--alerts 400] [--profile mixed|stress|both] [--keep DIR]

Generates a seeded export with bench/synth.py, then runs each step in its own fresh Python process
(so imports and interpreter start-up count, as they do for a user) and reads that child's peak RSS
from ``os.wait4`` (the per-child form of ``getrusage(RUSAGE_CHILDREN)``):

* ``json.loads``: read and parse every JSON file of the export: the floor any reader pays;
* ``ingest``: pmdraft's ingestion (format detection, Slack adapter, merge and sort);
* ``pmdraft draft --offline``: the whole command a user runs, writing Markdown to a file.

Targets (from the issue): the draft of 200k messages in at most 10 s with peak RSS at most 1 GiB.
Exit status 1 when the draft misses a target, so the script can gate a CI job if wanted.
"""

from __future__ import annotations

import argparse
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth import SynthSpec  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_MIB = 1024.0

_JSON_LOADS = """
import json, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.json")):
    json.loads(path.read_bytes())
"""
_INGEST = """
import sys
from pathlib import Path
from pmdraft.ingest import ingest
ingest([Path(sys.argv[1])])
"""


@dataclass(frozen=True)
class Measured:
    step: str
    seconds: float
    peak_mib: float


def measure(step: str, argv: list[str]) -> Measured:
    """Run ``argv`` as a child process; its wall time and its own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{step} failed with exit {proc.returncode}:\n{err}")
    if proc.stderr:
        proc.stderr.close()
    return Measured(step, seconds, usage.ru_maxrss / 1024)


def run_profile(spec: SynthSpec, data: Path, out: Path) -> list[Measured]:
    """Generate in a child too: this process stays small, so a child's peak RSS (which Linux carries
    across fork and exec) is its own."""
    started = time.perf_counter()
    py = sys.executable
    argv = [py, str(HERE / "synth.py"), str(data), "--messages", str(spec.messages)]
    argv += ["--alerts", str(spec.alerts), "--seed", str(spec.seed), "--profile", spec.profile]
    made = subprocess.run(argv, check=True, capture_output=True, text=True)
    print(f"\n{spec.profile} profile: {made.stdout.strip()} ({time.perf_counter() - started:.1f} s)")
    draft_to = out / f"draft-{spec.profile}.md"
    return [
        measure("json.loads of every export file", [py, "-c", _JSON_LOADS, str(data)]),
        measure("ingest (pmdraft.ingest)", [py, "-c", _INGEST, str(data)]),
        measure(
            "pmdraft draft --offline -o draft.md",
            [py, "-m", "pmdraft", "draft", str(data), "--offline", "--force", "-o", str(draft_to)],
        ),
    ]


def table(rows: list[Measured]) -> str:
    base = rows[0].seconds
    lines = ["| step | wall s | peak RSS MiB | time vs json.loads |", "|---|---:|---:|---:|"]
    lines += [f"| {r.step} | {r.seconds:.2f} | {r.peak_mib:.0f} | {r.seconds / base:.2f}x |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--alerts", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=("mixed", "stress", "both"), default="mixed")
    parser.add_argument("--keep", type=Path, help="Write the exports and drafts here and keep them.")
    args = parser.parse_args(argv)

    print(
        f"pmdraft offline draft benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    root = args.keep or Path(tempfile.mkdtemp(prefix="pmdraft-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    missed = False
    try:
        profiles = ("mixed", "stress") if args.profile == "both" else (args.profile,)
        for profile in profiles:
            spec = SynthSpec(messages=args.messages, alerts=args.alerts, seed=args.seed, profile=profile)
            rows = run_profile(spec, root / f"export-{profile}", root)
            print(table(rows))
            draft = rows[-1]
            ok = draft.seconds <= TARGET_SECONDS and draft.peak_mib <= TARGET_MIB
            print(
                f"target (draft <= {TARGET_SECONDS:g} s and <= {TARGET_MIB:g} MiB): "
                f"{'met' if ok else 'MISSED'}"
            )
            missed = missed or (profile == "mixed" and not ok)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
