"""The draft as JSON text: the PostMortem model's own serialization, so ``pmdraft schema`` describes it.

``read_draft`` is the way back, for commands that work on a written draft (``export-actions``). The
JSON file is exactly the schema: its overwrite-protection hash lives in a sibling file (write.py), so a
draft pmdraft wrote, or one a person edited since, reads the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pmdraft.errors import InputError
from pmdraft.schema import PostMortem

__all__ = ["read_draft", "render_json"]


def render_json(pm: PostMortem) -> str:
    """Indented JSON ending with a newline; times are ISO-8601 with their offset."""
    return pm.model_dump_json(indent=2) + "\n"


def read_draft(path: Path) -> PostMortem:
    """A JSON draft written by ``pmdraft draft --format json``; InputError (one line) for anything else."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder; pass a JSON draft (pmdraft draft ... -o draft.json)") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror or e})") from None
    hint = "write one with pmdraft draft ... -o draft.json"
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise InputError(path, f"is not JSON{where}; pmdraft reads drafts in JSON, {hint}") from None
    try:
        return PostMortem.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "top level"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        what = " ".join(f"{loc}: {first['msg']}{more}".split())
        raise InputError(path, f"is not a pmdraft draft: {what}; {hint}") from None
