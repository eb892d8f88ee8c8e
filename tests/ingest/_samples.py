"""Helpers the adapter tests share (not a test module): the shared samples folder and JSON inputs.

Samples live outside the project (/work/shared/samples); a test that needs a folder that is not
there skips instead of failing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"


def sample_folder(name: str) -> Path:
    """The shared samples folder ``name``; skips the test when it is absent."""
    folder = SAMPLES / name
    if not folder.is_dir():
        pytest.skip("shared samples folder not available")
    return folder


def write_json(tmp_path: Path, data: Any, name: str) -> Path:
    """``data`` written as UTF-8 JSON to ``tmp_path/name``."""
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def utc(text: str) -> datetime:
    """A naive ISO time read as UTC, for expected values."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
