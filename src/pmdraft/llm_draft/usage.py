"""Token usage per call and in total, printed when a draft is done."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pmdraft.llm import Usage


@dataclass(frozen=True, slots=True)
class CallRecord:
    name: str
    usage: Usage
    cached: bool
    requests: int
    seconds: float


class UsageLog:
    """Thread-safe: map calls finish in any order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self.calls.append(record)

    @property
    def total(self) -> Usage:
        total = Usage()
        for call in self.calls:
            if not call.cached:
                total += call.usage
        return total

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.calls)

    def lines(self) -> list[str]:
        def order(c: CallRecord) -> tuple[int, str]:
            return (c.name.startswith("reduce"), c.name)

        out = []
        for c in sorted(self.calls, key=order):
            if c.cached:
                out.append(f"  {c.name}: cached (no call)")
            else:
                out.append(
                    f"  {c.name}: {c.usage.prompt_tokens} in / {c.usage.completion_tokens} out "
                    f"({c.requests} request{'s' if c.requests != 1 else ''}, {c.seconds:.1f} s)"
                )
        t = self.total
        cached = sum(c.cached for c in self.calls)
        out.append(
            f"tokens: {t.prompt_tokens} in / {t.completion_tokens} out in total; "
            f"{self.requests} requests, {cached} of {len(self.calls)} calls from cache"
        )
        return out
