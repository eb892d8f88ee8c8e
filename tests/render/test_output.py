"""Choosing the draft's format, restoring redacted values safely per format, and the HTML page's hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmdraft.errors import ConfigError, OutputError
from pmdraft.redact import restore
from pmdraft.render.html import render_html
from pmdraft.render.markdown import render_markdown
from pmdraft.render.output import check_draft_options, draft_format, render_draft, restore_map
from pmdraft.render.write import is_unchanged, write_output
from tests.render.sample_draft import sample_postmortem


@pytest.mark.parametrize(
    ("output", "chosen", "fmt"),
    [
        (None, None, "md"),
        ("d.JSON", None, "json"),
        ("d.html", None, "html"),
        ("d.htm", None, "html"),
        ("d.txt", None, "md"),
        ("d.html", "md", "md"),
        (None, "html", "html"),
    ],
)
def test_format_from_option_then_suffix(output: str | None, chosen: str | None, fmt: str) -> None:
    assert draft_format(Path(output) if output else None, chosen) == fmt


def test_option_combinations_that_cannot_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not apply to --format html"):
        check_draft_options("html", tmp_path / "t.md.j2", False, None)
    with pytest.raises(ConfigError, match="pass -o FILE too"):
        check_draft_options("html", None, True, None)
    check_draft_options("md", None, True, tmp_path / "d.md")


def test_render_draft_dispatches_on_format() -> None:
    pm = sample_postmortem()
    assert render_draft(pm, "md") == render_markdown(pm)
    assert json.loads(render_draft(pm, "json"))["incident_id"] == "INC-42"
    assert render_draft(pm, "html") == render_html(pm)


def test_restored_values_are_escaped_for_each_format() -> None:
    values = {"[EMAIL_1]": 'rina "<r>"@example.com'}
    pm = sample_postmortem()
    pm.cited_events[0].text = "mail [EMAIL_1] please"
    md = restore(render_markdown(pm), restore_map("md", values))
    assert 'mail rina "&lt;r&gt;"@example.com please' in md and "EMAIL" not in md
    page = restore(render_html(pm), restore_map("html", values))
    assert "rina &quot;&lt;r&gt;&quot;@example.com" in page and "<r>" not in page
    data = json.loads(restore(render_draft(pm, "json"), restore_map("json", values)))
    assert data["cited_events"][0]["text"] == 'mail rina "<r>"@example.com please'


def test_html_page_records_its_hash_and_refuses_an_edited_page(tmp_path: Path) -> None:
    path = tmp_path / "review.html"
    write_output(path, render_html(sample_postmortem()), "html")
    text = path.read_text()
    assert text.rstrip().endswith("-->") and "<!-- pmdraft:sha256=" in text.splitlines()[-1]
    assert is_unchanged(path, "html") is True
    write_output(path, render_html(sample_postmortem()), "html")  # unchanged: overwritten freely
    path.write_text(text.replace("</h1>", " (reviewed)</h1>", 1))
    with pytest.raises(OutputError) as err:
        write_output(path, "<p>new</p>", "html")
    assert str(err.value) == (
        f"{path}: changed since pmdraft wrote it; pass --force to overwrite, or -o to write elsewhere "
        f"(e.g. {tmp_path / 'review.new.html'})"
    )
    assert "(reviewed)" in path.read_text()
