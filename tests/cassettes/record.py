"""Re-record the LLM cassettes against a real OpenAI-compatible server (see README.md here).

    python tests/cassettes/record.py [small_incident] [single_call] [cli_flag_outage]

Each named cassette is deleted and recorded afresh. The server must be listening where
tests/llm/scenarios.py says (RECORDED_BASE_URL) and serve RECORDED_MODEL.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.llm.cassette import CASSETTES, use_cassette  # noqa: E402
from tests.llm.replay import run_cli_flag_outage, run_single_call, run_small_incident  # noqa: E402

SCENARIOS: dict[str, Callable[[Path], object]] = {
    "small_incident": run_small_incident,
    "single_call": run_single_call,
    "cli_flag_outage": run_cli_flag_outage,
}


def main(names: list[str]) -> None:
    for name in names or list(SCENARIOS):
        path = CASSETTES / f"{name}.yaml"
        path.unlink(missing_ok=True)
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp, use_cassette(path.name, "once") as cassette:
            SCENARIOS[name](Path(tmp))
        print(f"{name}: {len(cassette)} interactions in {time.monotonic() - started:.0f} s -> {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
