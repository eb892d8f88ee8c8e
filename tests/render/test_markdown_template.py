"""The Markdown draft as a Jinja2 template: the phases diagram, teams' own templates (sandboxed, escaped
by default, errors as one line with the template's line number) and the example in docs/templates.md."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pmdraft.errors import ConfigError
from pmdraft.render import markdown
from pmdraft.render.markdown import load_template, phases, render_markdown
from tests.render.sample_draft import E1, E3, XSS, sample_postmortem

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "src" / "pmdraft" / "render" / "templates" / "postmortem.md.j2"


def _template(tmp_path: Path, text: str, name: str = "team.md.j2") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the phases diagram ---------------------------------------------------------------------------


def test_phases_diagram_is_mermaid_in_the_date_and_time_section() -> None:
    md = render_markdown(sample_postmortem())
    # Sample times (UTC): start 22:41, detected 22:43, mitigated 00:10 the next day; Berlin is UTC+1.
    block = (
        "```mermaid\n"
        "flowchart LR\n"
        '    start["Start<br/>2024-03-05 23:41:00 CET"]\n'
        '    detected["Detected<br/>2024-03-05 23:43:00 CET"]\n'
        '    mitigated["Mitigated<br/>2024-03-06 01:10:00 CET"]\n'
        '    resolved["Resolved<br/>Unknown"]\n'
        "    start -->|2 min| detected\n"
        "    detected -->|1 h 27 min| mitigated\n"
        "    mitigated --> resolved\n"
        "```\n"
    )
    assert block in md
    assert md.index("## Date and time") < md.index("```mermaid") < md.index("## Severity")


def test_phase_gaps_are_readable_and_never_negative() -> None:
    pm = sample_postmortem(
        times={
            "start": {"at": "2024-03-05T10:00:00+00:00", "evidence": []},
            "detected": {"at": "2024-03-05T10:00:20+00:00", "evidence": []},
            "acknowledged": {"at": None, "evidence": []},
            "mitigated": {"at": "2024-03-06T10:21:20+00:00", "evidence": []},
            "resolved": {"at": "2024-03-06T09:00:00+00:00", "evidence": []},
            "end": {"at": None, "evidence": []},
        }
    )
    assert [(p.key, p.gap) for p in phases(pm)] == [
        ("start", None),
        ("detected", "under 1 min"),
        ("mitigated", "1 d 21 min"),
        ("resolved", None),  # resolved before mitigated: no arrow label rather than a negative one
    ]


def test_no_diagram_when_no_phase_is_known() -> None:
    unknown = {"at": None, "evidence": []}
    pm = sample_postmortem(
        times={k: unknown for k in ("start", "detected", "acknowledged", "mitigated", "resolved", "end")}
    )
    assert "```mermaid" not in render_markdown(pm)


def test_no_line_ends_with_spaces() -> None:
    md = render_markdown(sample_postmortem())
    assert md.endswith("\n") and not md.endswith("\n\n")
    assert not [line for line in md.splitlines() if line != line.rstrip()]


# --- teams' own templates -------------------------------------------------------------------------


def test_a_copy_of_the_default_template_renders_the_same_draft(tmp_path: Path) -> None:
    copy = tmp_path / "ours.md.j2"
    shutil.copyfile(DEFAULT, copy)
    pm = sample_postmortem()
    assert render_markdown(pm, copy) == render_markdown(pm)


def test_values_are_escaped_one_line_markdown_unless_marked_safe(tmp_path: Path) -> None:
    pm = sample_postmortem()
    pm.cited_events[0].text = "first line\n# heading [x](javascript:alert(1)) | cell"
    path = _template(
        tmp_path,
        "A: {{ pm.root_cause.text }}\nB: {{ pm.cited_events[0].text }}\nC: {{ pm.root_cause.text|safe }}\n",
    )
    a, b, c = render_markdown(pm, path).splitlines()
    assert XSS not in a and "&lt;script&gt;" in a
    assert b == r"B: first line \# heading \[x\](javascript:alert(1)) \| cell"
    assert c == f"C: Solar flares {XSS}"  # |safe is the documented opt-out


def test_helpers_number_footnotes_and_format_times(tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        "{{ zone_name }}: {{ pm.times.start.at|when }} / {{ pm.times.start.at|day }} {{ pm.times.start.at|clock }}"
        " {{ refs(pm.timeline[2].evidence) }}{{ refs(pm.timeline[0].evidence) }}{{ refs(['gone:1']) }}\n"
        "{% for n in footnotes() %}[^{{ n.number }}]: {{ n.event.id|code }}\n{% endfor %}"
        "missing: {{ uncited()|join(', ') }}\n",
    )
    assert render_markdown(sample_postmortem(), path) == (
        "Europe/Berlin: 2024-03-05 23:41:00 CET / 2024-03-05 23:41:00 CET [^1][^2]`gone:1`\n"
        f"[^1]: {E3}\n[^2]: {E1}\n"
        "missing: gone:1\n"
    )


def test_macros_are_importable(tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        '{% import "macros.md.j2" as m with context %}'
        "{{ m.statement(pm.impact.summary) }}\n{{ m.unknown('not yet') }}\n",
    )
    assert render_markdown(sample_postmortem(), path) == (
        "“About 30% of API requests failed with 500s.” *quoted* [^1]\nUnknown — not yet\n"
    )


def test_the_example_in_the_docs_renders(tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    example = re.search(r"```jinja\n(.*?)```", docs, re.S)
    assert example is not None
    md = render_markdown(sample_postmortem(), _template(tmp_path, example.group(1)))
    assert md.startswith("# INC-42: API 500s after flag default flipped\n")
    assert "All times are Europe/Berlin. Severity: not stated." in md
    # The blame flag cites E3 first, so the timeline's E1 is footnote 2.
    assert "- **blame**: A person is named as the cause. [^1]" in md
    assert "| 2024-03-05 23:41:00 CET | Errors reported | [^2] |" in md
    assert "Solar flares &lt;script&gt;" in md and "*model*" in md and XSS not in md
    assert (
        "- [ ] Block flag defaults that need a pending migration (owner: not stated, due: not stated) [^1]"
        in md
    )
    assert "[^1]: 2024-03-06 01:10:00 CET · Dave Okafor: “flag is off now. honestly this is on Dave”" in md


# --- mistakes in a template -----------------------------------------------------------------------


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _template(tmp_path, "# x\n{% if %}\n")
    with pytest.raises(ConfigError) as err:
        load_template(path)
    assert str(err.value).startswith(f"{path}: line 2: ") and "\n" not in str(err.value)
    assert err.value.exit_code == 2


def test_runtime_error_names_the_line_in_the_teams_template(tmp_path: Path) -> None:
    path = _template(tmp_path, "# {{ pm.title }}\n\n{{ pm.rootcause }}\n")
    with pytest.raises(ConfigError) as err:
        render_markdown(sample_postmortem(), path)
    assert (
        str(err.value) == f"{path}: line 3: 'pmdraft.schema.PostMortem object' has no attribute 'rootcause'"
    )


def test_error_inside_a_macro_points_at_the_call(tmp_path: Path) -> None:
    path = _template(
        tmp_path, '{% import "macros.md.j2" as m with context %}\nok\n{{ m.statement(pm.trigger) }}\n'
    )
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}: line 3: "):
        render_markdown(sample_postmortem(), path)  # the sample has no trigger


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ pm.__class__.__mro__ }}\n", "access to attribute '__class__' of 'PostMortem' object is unsafe."),
        ('{% include "../outside.txt" %}\n', "no template '../outside.txt' next to it or among pmdraft's"),
        ("{{ 1 / 0 }}\n", "ZeroDivisionError: division by zero"),
    ],
)
def test_sandbox_and_runtime_failures_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    inner = tmp_path / "t"
    inner.mkdir()
    path = _template(inner, text)
    with pytest.raises(ConfigError) as err:
        render_markdown(sample_postmortem(), path)
    assert str(err.value) == f"{path}: line 1: {message}"


def test_missing_and_binary_templates(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such template file"):
        load_template(tmp_path / "nope.md.j2")
    binary = tmp_path / "bin.md.j2"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_template(binary)


def test_the_default_template_is_packaged_next_to_the_module() -> None:
    assert (Path(markdown.__file__).parent / "templates" / "postmortem.md.j2").is_file()
    assert (Path(markdown.__file__).parent / "templates" / "macros.md.j2").is_file()
