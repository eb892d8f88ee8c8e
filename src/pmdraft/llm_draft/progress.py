"""A progress bar for the map phase, on stderr so stdout stays the draft."""

from __future__ import annotations

import sys
import threading
from typing import TextIO


class Progress:
    """Redraws in place on a terminal; prints a line per step elsewhere; silent when disabled."""

    def __init__(self, total: int, label: str, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.enabled = enabled and total > 0
        self.stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._lock = threading.Lock()
        if self.enabled:
            self._draw()

    def advance(self, note: str = "") -> None:
        with self._lock:
            self.done += 1
            if self.enabled:
                self._draw(note)

    def close(self) -> None:
        if self.enabled and self._tty:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, note: str = "") -> None:
        width = 24
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        text = f"{self.label} [{bar}] {self.done}/{self.total}{' ' + note if note else ''}"
        if self._tty:
            self.stream.write("\r" + text)
        elif self.done:
            self.stream.write(text + "\n")
        self.stream.flush()
