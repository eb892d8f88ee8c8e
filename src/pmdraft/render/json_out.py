"""The draft as JSON text: the PostMortem model's own serialization, so ``pmdraft schema`` describes it."""

from __future__ import annotations

from pmdraft.schema import PostMortem

__all__ = ["render_json"]


def render_json(pm: PostMortem) -> str:
    """Indented JSON ending with a newline; times are ISO-8601 with their offset."""
    return pm.model_dump_json(indent=2) + "\n"
