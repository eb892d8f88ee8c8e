"""Checkpoint and cache: every finished call's result on disk, keyed by what determines it.

The key is a hash of the model, the prompt version, the call's name and its exact messages (which hold
the input). A rerun with unchanged inputs therefore makes no call, and a run killed midway resumes with
only the unfinished calls. Files are written atomically, so a kill never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()


def call_key(*parts: Any) -> str:
    """A stable hash of JSON-serializable parts."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CallCache:
    """A folder of JSON records; ``folder=None`` disables caching (every call is made)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / "calls" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        if self.folder is None:
            return
        _write_atomic(self._path(key), json.dumps(record, ensure_ascii=False, indent=1))

    def dialect(self, endpoint: str, model: str) -> str | None:
        """The structured-output dialect an endpoint accepted on an earlier run."""
        if self.folder is None:
            return None
        try:
            known = json.loads((self.folder / "dialects.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = known.get(f"{endpoint}|{model}") if isinstance(known, dict) else None
        return value if isinstance(value, str) else None

    def remember_dialect(self, endpoint: str, model: str, dialect: str) -> None:
        if self.folder is None:
            return
        path = self.folder / "dialects.json"
        with _lock:
            try:
                known = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                known = {}
            known[f"{endpoint}|{model}"] = dialect
            _write_atomic(path, json.dumps(known, indent=1, sort_keys=True))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
