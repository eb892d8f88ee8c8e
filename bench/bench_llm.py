"""The LLM path's wall time: map-call concurrency and the call cache, against a local fake server.

    python bench/bench_llm.py [--latency 0.3] [--chunks 20] [--concurrency 20]

``pmdraft draft`` runs as a user runs it (a fresh process, the CLI, redaction, the offline hints, map,
reduce, verification, Markdown to a file) against ``tests/llm/fakeserver.FakeServer`` on 127.0.0.1,
which sleeps a fixed ``--latency`` per call before answering with a small valid reply. The input is
the ``flag-outage`` fixture with ``PMDRAFT_CHUNK_TOKENS`` chosen so the plan has ``--chunks`` map calls.
``PMDRAFT_DIALECT=json_schema`` is set: with ``auto`` and an empty cache the first call negotiates the
structured-output format alone before the others start (reported apart, as ``dialect auto``).

Runs, each in a fresh process:

1. concurrency N, empty cache: the figure (and the cache's first run);
2. the same command again with the cache from run 1: the cache rerun (calls made, wall time);
3. concurrency 1, empty cache: the baseline;
4. concurrency N, empty cache, ``PMDRAFT_DIALECT`` unset: what negotiation costs;
5. concurrency 4 (pmdraft's default), empty cache: for reference.

"LLM time" is measured at the server: from the first request's arrival to the last reply. The goal
(issue): LLM time at concurrency N <= 1.5 x (one map call + one reduce call) = 1.5 x 2 x latency.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "flag-outage"
MODEL = "fake-model"
_ALIAS = re.compile(r"^(E\d+)\b", re.M)


@dataclass
class LLMRun:
    label: str
    concurrency: int
    wall: float
    llm: float
    calls: int
    peak_in_flight: int


class FakeModel:
    """Answers map calls with one key event citing the chunk's first record, reduce with a title;
    keeps when each reply left, for the server-side LLM time."""

    def __init__(self, latency: float, fill: Callable[[dict[str, Any], dict[str, Any]], Any]) -> None:
        self.latency = latency
        self.fill = fill
        self.replied: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        fmt = body.get("response_format") or {}
        schema = fmt.get("json_schema", {}).get("schema") or fmt.get("schema") or {}
        answer = self.fill(schema, schema.get("$defs", {}))
        aliases = _ALIAS.findall(body["messages"][-1]["content"])
        if isinstance(answer.get("key_events"), list) and aliases:
            answer["key_events"] = [{"text": f"Record {aliases[0]} happened.", "events": [aliases[0]]}]
        elif "title" in answer:
            answer["title"] = "Synthetic incident"
        with self._lock:
            self.replied.append(time.perf_counter())
        reply = {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1700000000,
            "model": body.get("model", MODEL),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(answer)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        return 200, reply, {}

    def span(self) -> float:
        """First arrival (first reply minus the latency) to last reply."""
        return max(self.replied) - min(self.replied) + self.latency if self.replied else 0.0


def chunk_tokens_for(chunks: int) -> tuple[int, int]:
    """The largest PMDRAFT_CHUNK_TOKENS whose plan of the fixture has at least ``chunks`` map calls,
    planned exactly as ``pmdraft draft --dry-run`` plans it; returns (setting, chunk count)."""
    from pmdraft.config import Settings
    from pmdraft.ingest import Ingested, ingest
    from pmdraft.llm_draft import plan_llm_draft
    from pmdraft.pipeline import events_for_model, people_in
    from pmdraft.redact import Redactor

    ingested = ingest([FIXTURE])
    redactor = Redactor(people=sorted(people_in(ingested.events)))
    events = events_for_model(Ingested(redactor.redact_events(ingested.events), ingested.results))

    def count(tokens: int) -> int:
        return len(plan_llm_draft(events, Settings(model=MODEL, chunk_tokens=tokens)).chunks)

    low, high = 128, 12_000
    if count(low) < chunks:
        return low, count(low)
    while low < high:
        mid = (low + high + 1) // 2
        if count(mid) >= chunks:
            low = mid
        else:
            high = mid - 1
    return low, count(low)


def _draft(base_url: str, concurrency: int, cache: Path, out: Path, env: dict[str, str]) -> float:
    argv = [sys.executable, "-m", "pmdraft", "draft", str(FIXTURE), "--model", MODEL, "--base-url", base_url]
    argv += ["--max-concurrency", str(concurrency), "--quiet", "--force", "-o", str(out)]
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("PMDRAFT_", "OPENAI_"))}
    run_env.update(env, PMDRAFT_CACHE_DIR=str(cache), PMDRAFT_TIMEOUT="60", PMDRAFT_MAX_RETRIES="0")
    started = time.perf_counter()
    done = subprocess.run(argv, env=run_env, cwd=out.parent, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pmdraft draft (concurrency {concurrency}) failed:\n{done.stderr}")
    return wall


def measure(latency: float, chunks: int, concurrency: int, work: Path) -> tuple[list[LLMRun], int, int]:
    """The five runs of the module docstring; returns them, the chunk setting and the chunk count."""
    sys.path.insert(0, str(ROOT))
    from tests.llm.fakes import minimal_value
    from tests.llm.fakeserver import FakeServer

    setting, planned = chunk_tokens_for(chunks)
    runs: list[LLMRun] = []
    plan = [
        ("concurrency N", concurrency, "first", True),
        ("cache rerun", concurrency, "first", True),
        ("concurrency 1", 1, "one", True),
        ("concurrency N, dialect auto", concurrency, "auto", False),
        ("concurrency 4 (default)", 4, "four", True),
    ]
    for label, n, cache_name, fixed_dialect in plan:
        model = FakeModel(latency, minimal_value)
        env = {"PMDRAFT_CHUNK_TOKENS": str(setting)}
        if fixed_dialect:
            env["PMDRAFT_DIALECT"] = "json_schema"
        with FakeServer(model, delay=latency, max_requests=1000) as server:
            wall = _draft(
                server.base_url, n, work / f"cache-{cache_name}", work / f"draft-{cache_name}.md", env
            )
            calls, peak = len(server.requests), server.peak
        runs.append(LLMRun(label, n, wall, model.span(), calls, peak))
    return runs, setting, planned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.3, help="Seconds the fake server takes per call.")
    parser.add_argument("--chunks", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="Print the runs as JSON.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pmdraft-bench-llm-") as tmp:
        runs, setting, planned = measure(args.latency, args.chunks, args.concurrency, Path(tmp))
    if args.json:
        print(json.dumps({"chunk_tokens": setting, "chunks": planned, "runs": [asdict(r) for r in runs]}))
        return 0
    print(f"{planned} map calls (PMDRAFT_CHUNK_TOKENS={setting}), {args.latency:g} s per call")
    for r in runs:
        print(
            f"{r.label:30} concurrency {r.concurrency:>2}: wall {r.wall:5.2f} s, LLM time {r.llm:5.2f} s, "
            f"{r.calls} calls, at most {r.peak_in_flight} in flight"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
