"""ingest(): the garbage collector is paused while inputs load, and restored however loading ends."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import pmdraft.ingest as ingest_module
from pmdraft.errors import InputError
from pmdraft.ingest import IngestResult, LoadOptions, ingest

EXPORT = Path(__file__).resolve().parents[1] / "data" / "slack" / "export"


def test_collector_is_paused_for_every_input_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = ingest_module.load_input

    def spy(path: Path, options: LoadOptions, fmt: str | None = None) -> list[IngestResult]:
        seen.append(gc.isenabled())
        return real(path, options, fmt)

    monkeypatch.setattr(ingest_module, "load_input", spy)
    assert gc.isenabled()
    ingested = ingest([EXPORT, EXPORT / "general"])
    assert seen == [False, False]
    assert gc.isenabled()
    assert len(ingested.events) == 10  # the channel folder repeats events of the export: merged once


def test_collector_is_restored_after_a_failing_input(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"ok": true, "messages": [{"type": "message", "ts": "1714554000.000100", "te', "utf-8")
    with pytest.raises(InputError):
        ingest([EXPORT, broken])
    assert gc.isenabled()
    with pytest.raises(InputError):
        ingest([tmp_path / "missing"])
    assert gc.isenabled()


def test_collector_the_caller_paused_stays_paused() -> None:
    gc.disable()
    try:
        ingest([EXPORT])
        assert not gc.isenabled()
    finally:
        gc.enable()
