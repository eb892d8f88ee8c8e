"""Ingestion: find the adapter for each input and merge everything into one event stream.

Adapters live one per module in this package and expose a module-level ``ADAPTER``; they are
discovered here so adding a format never means editing a shared list.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pmdraft.errors import InputError
from pmdraft.events import Event, merge_events
from pmdraft.ingest._common import Adapter, IngestResult, LoadOptions, Skipped, Source

__all__ = [
    "Adapter",
    "IngestResult",
    "Ingested",
    "LoadOptions",
    "Skipped",
    "Source",
    "adapters",
    "ingest",
    "load_input",
]

#: Files inside an expanded incident folder that are documentation, not exports.
_IGNORED_IN_FOLDERS = {"readme.md", "readme.txt", "provenance.md", "license", "answer_key.json"}


@cache
def adapters() -> dict[str, Adapter]:
    """Every adapter by its ``--format`` name, in sniffing order."""
    found: list[Adapter] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        adapter = getattr(module, "ADAPTER", None)
        if adapter is not None:
            found.append(adapter)
    found.sort(key=lambda a: (a.priority, a.name))
    return {a.name: a for a in found}


def detect(source: Source) -> Adapter | None:
    for adapter in adapters().values():
        if adapter.sniff(source):
            return adapter
    return None


@dataclass
class Ingested:
    """The merged stream plus, per input, what was read and what was passed over."""

    events: list[Event]
    results: list[IngestResult] = field(default_factory=list)

    @property
    def skipped(self) -> list[Skipped]:
        return [s for r in self.results for s in r.skipped]

    @property
    def assumptions(self) -> list[str]:
        return [a for r in self.results for a in r.assumptions]


def load_input(path: Path, options: LoadOptions, fmt: str | None = None) -> list[IngestResult]:
    """Read one command-line input. A folder no adapter claims is read as a bundle of exports."""
    source = Source(path)
    if fmt is not None:
        known = adapters()
        if fmt not in known:
            raise InputError(path, f"unknown format '{fmt}'. Known formats: {', '.join(sorted(known))}")
        return [known[fmt].load(source, options)]
    adapter = detect(source)
    if adapter is not None:
        return [adapter.load(source, options)]
    if source.is_dir:
        return _load_bundle(path, options)
    source.check_file()
    raise InputError(
        path, f"not a recognized export (tried: {', '.join(adapters())}); pass --input-format to choose one"
    )


def _load_bundle(folder: Path, options: LoadOptions) -> list[IngestResult]:
    results, skipped = _scan_bundle(folder, options)
    if not results:
        raise InputError(folder, f"no recognized export in this folder (tried: {', '.join(adapters())})")
    # Files an adapter read beside its input (a Slack users list, ...) were used, not passed over.
    used = {path for r in results for path in getattr(r, "read_beside", ())}
    results[0].skipped.extend(s for s in skipped if s.where not in used)
    return results


def _scan_bundle(folder: Path, options: LoadOptions) -> tuple[list[IngestResult], list[Skipped]]:
    """Every recognized export below ``folder``; what is not recognized is noted, not fatal."""
    results: list[IngestResult] = []
    skipped: list[Skipped] = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith((".", "_")) or child.name.lower() in _IGNORED_IN_FOLDERS:
            continue
        source = Source(child)
        adapter = detect(source)
        if adapter is not None:
            results.append(adapter.load(source, options))
        elif child.is_dir():
            inner, inner_skipped = _scan_bundle(child, options)
            results.extend(inner)
            skipped.extend(inner_skipped)
        else:
            skipped.append(Skipped(str(child), "not a recognized export"))
    return results, skipped


def ingest(paths: Sequence[Path], options: LoadOptions | None = None, fmt: str | None = None) -> Ingested:
    """Load every input and merge them into one sorted, de-duplicated stream."""
    options = options or LoadOptions()
    results: list[IngestResult] = []
    # Parsed documents and events hold no reference cycles, but the collector would still walk
    # every object built so far each time enough new ones are allocated: with hundreds of
    # thousands of events that costs a large export a quarter or more of its load time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path in paths:
            results.extend(load_input(path, options, fmt))
        streams: Iterable[list[Event]] = (r.events for r in results)
        return Ingested(events=merge_events(streams), results=results)
    finally:
        if was_enabled:
            gc.enable()
