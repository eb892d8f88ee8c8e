"""JSON webhook files that hold one payload or a list of them (Datadog, Opsgenie, PagerDuty webhooks).

Captured deliveries are saved either as the bare body or as an array of bodies; these helpers give
sniffing the first payload and loading each payload with the place to name when it is skipped.
"""

from __future__ import annotations

from typing import Any

from pmdraft.errors import InputError
from pmdraft.ingest._common import Source

__all__ = ["first_payload", "payloads"]


def first_payload(source: Source) -> Any:
    """The document, or its first item when it is a non-empty list; None when it is not JSON.

    Used by sniffing, so it never raises.
    """
    try:
        doc = source.json()
    except InputError:
        return None
    return doc[0] if isinstance(doc, list) and doc else doc


def payloads(doc: Any, path: str) -> list[tuple[str, Any]]:
    """(where, payload) for each item of a list document, or the document itself named by ``path``."""
    if isinstance(doc, list):
        return [(f"{path}: item {n}", item) for n, item in enumerate(doc, 1)]
    return [(path, doc)]
