"""Lint a Markdown post-mortem (``pmdraft lint``): blame-oriented language plus completeness.

Works on a draft pmdraft rendered and on one a person wrote. Blame findings come from
pmdraft.blame with the section and line as location; the people it needs come from the document
(the responders section, action-item owners, @handles). Completeness follows ../shared/TEMPLATE.md:
every section present and non-empty (headings matched case-insensitively, common variants
accepted), action items with an owner and a due date, and a timezone stated somewhere. "Where we got
lucky" and "Lessons learned" are checked only with ``strict``; "Review flags" is the draft's own
machine section and never required. A section whose only text is a placeholder (TBD, TODO, "needs a
model or a person") is empty; "Unknown — not stated in the sources" is an answer and is not.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmdraft import _lint_doc as md
from pmdraft.blame import BlameFinding, find_blame
from pmdraft.errors import InputError

BLAME = "blame"
MISSING_SECTION = "missing_section"
EMPTY_SECTION = "empty_section"
ACTION_ITEM = "action_item"
TIMEZONE = "timezone"


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One problem in the document; ``blame`` carries the detector's finding for kind ``blame``."""

    kind: str
    message: str
    line: int | None = None
    section: str | None = None
    blame: BlameFinding | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message, "line": self.line}
        out["section"] = self.section
        if self.blame is not None:
            out.update(
                category=self.blame.category,
                severity=self.blame.severity,
                quote=self.blame.quote,
                location=self.blame.location,
                suggestion=self.blame.suggestion,
            )
        return out


def lint_path(path: Path, *, strict: bool = False) -> list[LintFinding]:
    """Read and lint one file; an unreadable or non-UTF-8 file is an InputError (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text; pmdraft lint reads Markdown files.") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror or e}).") from None
    return lint_markdown(text, strict=strict)


def lint_markdown(text: str, *, strict: bool = False, people: Collection[str] = ()) -> list[LintFinding]:
    """Every finding for one Markdown document: blame first, then completeness, each in document order."""
    doc = md.parse(text)
    return _blame(doc, {*people, *md.people_in(doc)}) + _completeness(doc, strict)


def _blame(doc: md.Document, people: Collection[str]) -> list[LintFinding]:
    out: list[LintFinding] = []
    for f in find_blame(md.prose(doc), people=people):
        line = bisect.bisect_right(doc.line_starts, f.start)
        section = doc.section_at(line)
        where = f"{section}, line {line}" if section else f"line {line}"
        quote = " ".join(doc.text[f.start : f.end].split())
        found = dataclasses.replace(f, quote=quote, location=where)
        message = f"{f.category.replace('_', ' ')} ({f.severity}): \u201c{quote}\u201d"
        out.append(LintFinding(BLAME, message, line, section, found))
    return out


def _completeness(doc: md.Document, strict: bool) -> list[LintFinding]:
    out: list[LintFinding] = []
    for key, name in md.REQUIRED + (md.OPTIONAL if strict else ()):
        state = md.section_state(doc, key)
        if state.missing:
            message = f"No '{name}' section (looked for the heading and its common variants)."
            out.append(LintFinding(MISSING_SECTION, message, None, name))
        elif state.empty:
            message = f"'{state.title}' has no content yet (empty or only a placeholder such as TBD)."
            out.append(LintFinding(EMPTY_SECTION, message, state.line, state.title))
    for item in md.action_items(doc):
        lacks = [
            label for label, ok in (("an owner", item.has_owner), ("a due date", item.has_due)) if not ok
        ]
        if lacks:
            message = f"Action item without {' or '.join(lacks)}: \u201c{item.summary}\u201d"
            out.append(LintFinding(ACTION_ITEM, message, item.line, item.section))
    if not md.TIMEZONE.search(doc.text):
        message = (
            "No timezone stated: say which zone the times are in (e.g. 'All times UTC') or write offsets."
        )
        out.append(LintFinding(TIMEZONE, message))
    return out


# --- output -------------------------------------------------------------------------------------


def render_lint_text(findings: Sequence[LintFinding], path: str) -> str:
    """One line per finding (``file:line: kind: message``); blame adds the suggested rewrite."""
    lines: list[str] = []
    for f in findings:
        where = f"{path}:{f.line}" if f.line else path
        if f.blame is not None:
            section = f" [{f.section}]" if f.section else ""
            label = f"blame/{f.blame.category} ({f.blame.severity}){section}"
            lines.append(f"{where}: {label}: \u201c{f.blame.quote}\u201d")
            lines.append(f"    suggestion: {f.blame.suggestion}")
        else:
            lines.append(f"{where}: {f.kind}: {f.message}")
    blame = sum(1 for f in findings if f.kind == BLAME)
    if findings:
        lines.append(f"{len(findings)} finding(s): {blame} blame, {len(findings) - blame} completeness.")
    else:
        lines.append(f"{path}: no findings.")
    return "\n".join(lines) + "\n"


def render_lint_json(findings: Sequence[LintFinding], path: str) -> str:
    """``{"file", "findings": [...], "summary": {"blame", "completeness"}}`` for CI tooling."""
    blame = sum(1 for f in findings if f.kind == BLAME)
    payload = {
        "file": path,
        "findings": [f.to_dict() for f in findings],
        "summary": {"blame": blame, "completeness": len(findings) - blame},
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render_lint(results: Sequence[tuple[str, Sequence[LintFinding]]], fmt: str) -> str:
    """Output for several files: text blocks one after another; JSON one object per file, or a list
    of them when there is more than one file."""
    if fmt != "json":
        return "".join(render_lint_text(findings, name) for name, findings in results)
    texts = [render_lint_json(findings, name).rstrip() for name, findings in results]
    return texts[0] + "\n" if len(texts) == 1 else "[\n" + ",\n".join(texts) + "\n]\n"
