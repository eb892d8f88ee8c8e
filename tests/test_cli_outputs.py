"""`pmdraft draft` output options: the HTML page, --open (never a real browser), --template, and the
overwrite protection of md, json and html files."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pmdraft.cli import main
from pmdraft.ingest import LoadOptions, ingest
from pmdraft.render import html as html_module

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "flag-outage"
_MODEL_ENV = ("PMDRAFT_MODEL", "PMDRAFT_BASE_URL", "OPENAI_BASE_URL", "PMDRAFT_API_KEY", "OPENAI_API_KEY")


@pytest.fixture(autouse=True)
def _offline_and_no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, str]]:
    """No model, no config file, and every attempt to open a browser or application recorded instead."""
    for name in (*_MODEL_ENV, "PMDRAFT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    opened: list[tuple[str, str]] = []

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(("browser", url))
        return True

    def launch(url: str, *args: object, **kwargs: object) -> int:
        opened.append(("launch", url))
        return 0

    monkeypatch.setattr(webbrowser, "open", browser)
    monkeypatch.setattr(click, "launch", launch)
    return opened


def inputs() -> Path:
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/flag-outage is not there")
    return FIXTURE


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["draft", *map(str, args)])


# --- HTML -----------------------------------------------------------------------------------------


def test_html_page_from_the_suffix_or_the_format_option(tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    result = run(inputs(), "-o", out)
    assert (result.exit_code, result.stderr) == (0, f"wrote {out}\n")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "default-src 'none'" in page
    assert "INC-217" in page and "<svg" in page
    assert page.splitlines()[-1].startswith("<!-- pmdraft:sha256=")
    stdout = run(inputs(), "--format", "html")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("<!doctype html>")
    assert "pmdraft:sha256" not in stdout.stdout


def test_html_chart_gets_every_ingested_event(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[int] = []
    real = html_module.render_html

    def spy(pm: object, events: object = None) -> str:
        seen.append(len(list(events)))  # type: ignore[call-overload]
        return real(pm, events)  # type: ignore[arg-type]

    monkeypatch.setattr(html_module, "render_html", spy)
    assert run(inputs(), "-o", tmp_path / "r.html").exit_code == 0
    assert seen == [len(ingest([inputs()], LoadOptions(), None).events)]


# --- --open ---------------------------------------------------------------------------------------


def test_open_shows_the_html_page_in_the_browser(
    tmp_path: Path, _offline_and_no_browser: list[tuple[str, str]]
) -> None:
    out = tmp_path / "r.html"
    result = run(inputs(), "-o", out, "--open")
    assert result.exit_code == 0, result.stderr
    assert _offline_and_no_browser == [("browser", out.resolve().as_uri())]


def test_open_a_markdown_draft_in_its_application(
    tmp_path: Path, _offline_and_no_browser: list[tuple[str, str]]
) -> None:
    out = tmp_path / "d.md"
    assert run(inputs(), "-o", out, "--open").exit_code == 0
    assert _offline_and_no_browser == [("launch", str(out))]


def test_open_that_fails_says_where_the_file_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)
    out = tmp_path / "r.html"
    result = run(inputs(), "-o", out, "--open")
    assert result.exit_code == 0
    assert result.stderr == f"wrote {out}\ncould not open {out}; open it yourself\n"


def test_open_without_an_output_file_is_refused_before_drafting(
    _offline_and_no_browser: list[tuple[str, str]],
) -> None:
    result = run("/no/such/export", "--format", "html", "--open")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: --open opens the written file; pass -o FILE too (for example -o draft.html).\n"
    )
    assert _offline_and_no_browser == []


# --- --template -----------------------------------------------------------------------------------


def test_team_template(tmp_path: Path) -> None:
    template = tmp_path / "team.md.j2"
    template.write_text("# {{ pm.incident_id }} ({{ zone_name }})\n\n{{ pm.title }}\n", encoding="utf-8")
    result = run(inputs(), "--template", template, "--tz", "Europe/Berlin")
    assert result.exit_code == 0, result.stderr
    # The Jira key in the fixture (jira-INC-217.json) is the incident id.
    assert result.stdout.startswith("# INC-217 (Europe/Berlin)\n\n")


def test_template_syntax_error_is_reported_before_drafting(tmp_path: Path) -> None:
    template = tmp_path / "bad.md.j2"
    template.write_text("# ok\n\n{% for x in %}\n", encoding="utf-8")
    result = run("/no/such/export", "--template", template)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {template}: line 3: ") and result.stderr.count("\n") == 1


def test_template_runtime_error_is_one_line_with_exit_2(tmp_path: Path) -> None:
    template = tmp_path / "bad.md.j2"
    template.write_text("# {{ pm.title }}\n{{ pm.times.begin.at }}\n", encoding="utf-8")
    result = run(inputs(), "--template", template, "-o", tmp_path / "d.md")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"Error: {template}: line 2: 'pmdraft.schema.Times object' has no attribute 'begin'\n"
    )
    assert not (tmp_path / "d.md").exists()


def test_template_is_for_markdown_only(tmp_path: Path) -> None:
    result = run(inputs(), "--template", tmp_path / "t.md.j2", "-o", tmp_path / "d.json")
    assert result.exit_code == 2
    assert result.stderr == "Error: --template is a Markdown template; it does not apply to --format json.\n"


# --- never lose a person's edits ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "sibling", "edit"), [
    ("draft.md", "draft.new.md", lambda t: t.replace("## Trigger\n", "## Trigger\n\nRina: the flag push.\n")),
    ("draft.json", "draft.new.json", lambda t: t.replace('"status": "draft"', '"status": "in_review"')),
    ("draft.html", "draft.new.html", lambda t: t.replace("</h1>", " (reviewed)</h1>", 1)),
])  # fmt: skip
def test_an_edited_draft_is_refused_and_a_file_beside_it_offered(
    tmp_path: Path, name: str, sibling: str, edit: object
) -> None:
    out = tmp_path / name
    assert run(inputs(), "-o", out).exit_code == 0
    assert run(inputs(), "-o", out).exit_code == 0  # unchanged since pmdraft wrote it: rewritten
    edited = edit(out.read_text(encoding="utf-8"))  # type: ignore[operator]
    assert edited != out.read_text(encoding="utf-8")
    out.write_text(edited, encoding="utf-8")
    refused = run(inputs(), "-o", out)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: {out}: changed since pmdraft wrote it; pass --force to overwrite, or -o to write elsewhere "
        f"(e.g. {tmp_path / sibling})\n"
    )
    assert out.read_text(encoding="utf-8") == edited
    beside = run(inputs(), "-o", tmp_path / sibling)
    assert beside.exit_code == 0 and (tmp_path / sibling).is_file()
    assert run(inputs(), "-o", out, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8") != edited
