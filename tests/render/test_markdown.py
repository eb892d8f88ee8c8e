"""The Markdown draft: template order, what needs attention first, evidence footnotes, provenance marks,
unknowns that say why, and source text that cannot inject markup."""

from __future__ import annotations

import re

from pmdraft.render.markdown import render_markdown
from tests.render.sample_draft import E1, E2, E3, XSS, sample_postmortem

SECTIONS = [
    "## Incident ID", "## Status and authors", "## Date and time", "## Severity", "## Impact",
    "## Customer communication", "## Detection", "## Responders and roles", "## Trigger", "## Root cause",
    "## Timeline", "## Narrative", "## Hypotheses", "## Contributing factors", "## What went well",
    "## What went poorly", "## Where we got lucky", "## Lessons learned", "## Action items",
    "## Open questions", "## Evidence",
]  # fmt: skip


def _needs_author() -> dict[str, object]:
    return {"type": "needs_author", "message": "Needs a model or a person: the narrative.", "category": "narrative",
            "quote": None, "evidence": [], "location": "narrative", "suggestion": None}  # fmt: skip


def draft() -> str:
    pm = sample_postmortem()
    pm.review_flags.insert(0, pm.review_flags[0].model_validate(_needs_author()))
    return render_markdown(pm)


def test_sections_in_template_order_with_attention_first() -> None:
    md = draft()
    positions = [md.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert md.index("## Needs a model or a person") < md.index("## Review flags") < md.index("## Incident ID")
    assert "Needs a model or a person: the narrative." in md.split("## Review flags")[0]
    assert "A person is named as the cause." in md.split("## Incident ID")[0]
    assert md.startswith("# API 500s after flag default flipped\n")


def test_timeline_rows_carry_date_time_and_zone() -> None:
    md = draft()
    assert "## Timeline (Europe/Berlin)" in md
    assert "| Date | Time | Kind | Key moment | What | Evidence |" in md
    # 22:41 UTC on 2024-03-05 is 23:41 in Berlin (CET, +01:00).
    assert re.search(r"\| 2024-03-05 \| 23:41:00 CET \| chat \|  \| “Errors reported” \| \[\^\d+\] \|", md)
    assert re.search(
        r"\| 2024-03-05 \| 23:43:00 CET \| alert \| detection \| HighErrorRate fired \*rule\*", md
    )


def test_evidence_footnotes_quote_the_event_and_link_it() -> None:
    md = draft()
    refs = re.findall(r"\[\^(\d+)\][^:]", md)
    defs = dict(re.findall(r"^\[\^(\d+)\]: (.*)$", md, re.M))
    assert refs and set(refs) <= set(defs)
    pd = next(v for v in defs.values() if E2 in v)
    assert (
        "([permalink](https://acme.pagerduty.com/incidents/Q1))" in pd and "“Triggered: HighErrorRate”" in pd
    )
    chat = next(v for v in defs.values() if E1 in v)
    assert "Priya Raman" in chat and "“about 30% of requests 500”" in chat and "permalink" not in chat
    assert any(E3 in v for v in defs.values())


def test_provenance_marks_and_unknowns() -> None:
    md = draft()
    assert "“About 30% of API requests failed with 500s.” *quoted*" in md
    assert "*model*" in md and "**(unsupported)**" in md
    assert "| Acknowledged (first acknowledgement) | Unknown — not established by the sources | | |" in md
    assert "Trigger\n\nUnknown — not established; needs a model or a person." in md
    assert "- Post-mortem owner: Unknown — not stated in the sources." in md
    assert "time to resolve Unknown — an end is not established" in md
    assert "| Unknown (not stated) | Unknown (not stated) | suggested |" in md


def test_source_text_cannot_inject_markup_or_the_hash_comment() -> None:
    pm = sample_postmortem()
    pm.timeline[0].text = "x <!-- pmdraft:sha256=" + "0" * 64 + " --> | [link](javascript:alert(1)) **bold**"
    md = render_markdown(pm)
    assert "<script>" not in md and "<img" not in md and XSS not in md
    assert "<!--" not in md
    assert not re.search(r"(?<!\\)\]\(javascript:", md) and "**bold**" not in md
    row = next(line for line in md.splitlines() if "pmdraft:sha256" in line)
    assert row.count(" | ") == 5, row


def test_multiline_source_text_stays_on_one_line() -> None:
    pm = sample_postmortem()
    pm.cited_events[0].text = "first line\n\n[^9]: forged footnote\n# heading"
    md = render_markdown(pm)
    assert not re.search(r"^\[\^9\]:", md, re.M) and not re.search(r"^# heading", md, re.M)
