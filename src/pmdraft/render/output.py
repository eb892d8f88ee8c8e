"""From a finished PostMortem to the file a person reads: pick the format, render, restore, open.

Kept out of cli.py so the ``draft`` command stays thin: it checks the options here before any
drafting work (a bad template or a missing ``-o`` should not cost a model run), then renders here.
"""

from __future__ import annotations

import html
import json
import webbrowser
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from pmdraft.errors import ConfigError
from pmdraft.events import Event
from pmdraft.schema import PostMortem

__all__ = [
    "DRAFT_FORMATS",
    "check_draft_options",
    "draft_format",
    "open_written",
    "render_draft",
    "restore_map",
]

DRAFT_FORMATS = ("md", "json", "html")
_BY_SUFFIX = {".json": "json", ".html": "html", ".htm": "html"}


def draft_format(output: Path | None, chosen: str | None) -> str:
    """``--format`` when given, else from the ``-o`` suffix (.json, .html/.htm), else Markdown."""
    if chosen:
        return chosen
    return _BY_SUFFIX.get(output.suffix.lower(), "md") if output is not None else "md"


def check_draft_options(fmt: str, template: Path | None, open_after: bool, output: Path | None) -> None:
    """Raise ConfigError for option combinations that cannot work, and for a template that does not
    compile, before anything is drafted."""
    if template is not None:
        if fmt != "md":
            raise ConfigError(f"--template is a Markdown template; it does not apply to --format {fmt}.")
        from pmdraft.render.markdown import load_template

        load_template(template)
    if open_after and output is None:
        raise ConfigError(f"--open opens the written file; pass -o FILE too (for example -o draft.{fmt}).")


def render_draft(
    pm: PostMortem, fmt: str, events: Iterable[Event] | None = None, template: Path | None = None
) -> str:
    """The draft as ``fmt`` text; ``events`` (all ingested events) feed the HTML activity chart."""
    if fmt == "json":
        from pmdraft.render.json_out import render_json

        return render_json(pm)
    if fmt == "html":
        from pmdraft.render.html import render_html

        return render_html(pm, events)
    from pmdraft.render.markdown import render_markdown

    return render_markdown(pm, template)


def restore_map(fmt: str, values: Mapping[str, str]) -> dict[str, str]:
    """Placeholders as they appear in ``fmt`` text, mapped to the original values escaped the same way:
    HTML text, inside JSON strings, or Markdown (where ``[EMAIL_1]`` is written ``\\[EMAIL\\_1\\]``)."""
    if fmt == "html":
        return {k: html.escape(v) for k, v in values.items()}
    if fmt == "json":
        return {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
    from pmdraft.render.markdown import inline_markdown

    escaped = {inline_markdown(k): inline_markdown(v) for k, v in values.items()}
    return {**values, **escaped}


def open_written(path: Path, fmt: str) -> bool:
    """Open a written draft: HTML in the default browser, other files in their default application.
    False when nothing could open it (the caller says where the file is)."""
    if fmt == "html":
        return bool(webbrowser.open(path.resolve().as_uri()))
    return click.launch(str(path)) == 0
