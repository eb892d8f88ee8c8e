"""Versioned prompt files and the messages built from them.

Prompts live in the top-level ``prompts/`` folder as ``<name>.<version>.md``; the wheel installs them
as the ``pmdraft.prompts`` package. A source checkout whose editable install predates that mapping
still finds them next to ``src/``. Changing a prompt means adding a new version file and bumping
``PROMPT_VERSION``, which also invalidates cached calls.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from pmdraft.errors import PmdraftError

PROMPT_VERSION = "v2"
_TILDES = re.compile(r"~{3,}")


@cache
def load_prompt(name: str, version: str = PROMPT_VERSION) -> str:
    """The text of ``prompts/<name>.<version>.md``."""
    filename = f"{name}.{version}.md"
    try:
        return resources.files("pmdraft.prompts").joinpath(filename).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    local = Path(__file__).resolve().parents[3] / "prompts" / filename
    try:
        return local.read_text(encoding="utf-8")
    except OSError:
        raise PmdraftError(f"Prompt file {filename} is missing; reinstall pmdraft.") from None


def fence_for(text: str) -> str:
    """A tilde fence longer than any tilde run in ``text``, so source text cannot close it."""
    longest = max((len(m.group(0)) for m in _TILDES.finditer(text)), default=0)
    return "~" * max(3, longest + 1)


def render(name: str, **values: str | int) -> str:
    """Fill a prompt's ``$placeholders``; a placeholder left unfilled is a bug, so it raises."""
    return Template(load_prompt(name)).substitute({k: str(v) for k, v in values.items()})


def _dates(day: str) -> str:
    """``day``: the UTC date of the first record, whose line may show only the time."""
    first = f"the first record is on {day}, and " if day else ""
    return f"Times are UTC HH:MM; {first}a line gives the date where the day changes."


def _with_system(user: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": load_prompt("system").strip()},
        {"role": "user", "content": user.strip()},
    ]


def map_messages(records: str, part: int, parts: int, day: str = "") -> list[dict[str, str]]:
    user = render("map", part=part, parts=parts, dates=_dates(day), fence=fence_for(records), records=records)
    return _with_system(user)


def draft_messages(records: str, day: str = "") -> list[dict[str, str]]:
    """The single call, when every record fits in it: notes and narrative from the records."""
    return _with_system(render("draft", dates=_dates(day), fence=fence_for(records), records=records))


def reduce_messages(notes: str) -> list[dict[str, str]]:
    return _with_system(render("reduce", fence=fence_for(notes), notes=notes))
