"""Helpers shared by the eval-case generators (evals/cases/<case>/_build.py).

Why: every case script spells its times as 'MM-DD HH:MM:SS' (UTC, in 2024), derives stable sub-second
parts and ids from hashes of its own data, and writes JSON the same way. Keeping that here leaves each
script with only its case data and the shape of its exports. The bundle loader skips names starting
with "_", so this file is never read as a case.

The generated inputs must not change: after editing anything here, rerun every case's _build.py and
check that `git status` shows no change under evals/cases/*/inputs.

Use from a case script (run as `python evals/cases/<case>/_build.py`):

    sys.dont_write_bytecode = True  # keep evals/cases/ free of __pycache__
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from _common import at, write_json  # noqa: E402
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: The year every case is set in; rows only carry month and day.
YEAR = 2024


def at(when: str) -> datetime:
    """'05-14 06:24:10' -> that second in YEAR, UTC."""
    return datetime.strptime(f"{YEAR}-{when}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def hash_int(seed: str, modulus: int) -> int:
    """A number below modulus that looks random but is the same for the same seed on every run."""
    return int(hashlib.sha256(seed.encode()).hexdigest(), 16) % modulus


def md5_hex(seed: str) -> str:
    """A stable 32-hex-digit id (sys_ids, avatar hashes, incident keys) derived from seed."""
    return hashlib.md5(seed.encode()).hexdigest()


def millis(when: str) -> int:
    """The stable millisecond part (0-999) a row at `when` gets, so exports don't all end in .000."""
    return hash_int(when, 1000)


def at_ms(when: str) -> datetime:
    """at(when) plus its stable millisecond part."""
    return at(when) + timedelta(milliseconds=millis(when))


def epoch_ms(when: str) -> int:
    """Epoch milliseconds of the whole second `when` (no sub-second part)."""
    return int(at(when).timestamp()) * 1000


def stamp_ms(when: str) -> int:
    """Epoch milliseconds of `when` with its stable millisecond part (the instant at_ms gives)."""
    return epoch_ms(when) + millis(when)


def iso_z(when: str) -> str:
    """'05-14 06:24:10' -> '2024-05-14T06:24:10Z'."""
    return f"{YEAR}-{when.replace(' ', 'T')}Z"


def write_json(path: Path, data: Any) -> None:
    """Write data as 2-space indented UTF-8 JSON with a final newline (the layout every case uses)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def fresh_dir(path: Path) -> None:
    """Empty path (or create it), so files a case no longer writes do not linger."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
