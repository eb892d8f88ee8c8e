"""Markdown structure for pmdraft lint: sections, their template keys, prose, action items.

Private to pmdraft.lint. Parsing is one pass over the lines; a section's body runs to the next heading
of the same or a higher level, so subsections count as its content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: (key, name) of the sections every post-mortem needs, in template order.
REQUIRED: tuple[tuple[str, str], ...] = (
    ("incident_id", "Incident ID"),
    ("title", "Title"),
    ("status", "Status and authors"),
    ("date_time", "Date and time"),
    ("severity", "Severity"),
    ("impact", "Impact"),
    ("customer_communication", "Customer communication"),
    ("detection", "Detection"),
    ("responders", "Responders and roles"),
    ("trigger", "Trigger"),
    ("root_cause", "Root cause"),
    ("timeline", "Timeline"),
    ("narrative", "Narrative"),
    ("hypotheses", "Hypotheses"),
    ("contributing_factors", "Contributing factors"),
    ("went_well", "What went well"),
    ("went_poorly", "What went poorly"),
    ("action_items", "Action items"),
    ("open_questions", "Open questions"),
)
OPTIONAL: tuple[tuple[str, str], ...] = (
    ("where_we_got_lucky", "Where we got lucky"),
    ("lessons_learned", "Lessons learned"),
)
_ALIASES: dict[str, tuple[str, ...]] = {
    "incident_id": ("incident id", "incident number", "incident key", "id", "incident"),
    "title": ("title",),
    "status": ("status and authors", "status & authors", "status", "authors", "author", "metadata", "owner"),
    "date_time": (
        "date and time",
        "date & time",
        "dates and times",
        "key times",
        "times",
        "date",
        "when",
        "duration",
    ),
    "severity": ("severity", "sev", "severity level", "incident severity"),
    "impact": ("impact", "user impact", "customer impact", "business impact", "impact assessment"),
    "customer_communication": (
        "customer communication",
        "customer communications",
        "communication",
        "communications",
        "customer comms",
        "comms",
        "external communication",
    ),
    "detection": ("detection", "how it was detected", "how we detected it", "how was it detected"),
    "responders": (
        "responders and roles",
        "responders & roles",
        "responders",
        "roles",
        "people involved",
        "participants",
        "incident team",
        "who was involved",
    ),
    "trigger": ("trigger", "triggers", "what triggered it", "immediate cause", "proximate cause"),
    "root_cause": ("root cause", "root causes", "root cause analysis", "rca", "causes", "cause"),
    "timeline": ("timeline", "time line", "chronology", "sequence of events", "timeline of events"),
    "narrative": (
        "narrative",
        "summary",
        "incident summary",
        "executive summary",
        "overview",
        "what happened",
    ),
    "hypotheses": ("hypotheses", "hypothesis", "investigation", "theories", "hypotheses and investigation"),
    "contributing_factors": ("contributing factors", "contributing factor", "contributors", "factors"),
    "went_well": ("what went well", "went well", "things that went well", "what worked", "what went right"),
    "went_poorly": (
        "what went poorly",
        "what went wrong",
        "what didn't go well",
        "what did not go well",
        "went poorly",
        "what could have gone better",
        "what could be improved",
        "what went badly",
    ),
    "where_we_got_lucky": (
        "where we got lucky",
        "what we got lucky with",
        "where we were lucky",
        "luck",
        "lucky",
    ),
    "lessons_learned": (
        "lessons learned",
        "lessons learnt",
        "lessons",
        "learnings",
        "key takeaways",
        "takeaways",
    ),
    "action_items": (
        "action items",
        "action item",
        "actions",
        "follow-ups",
        "follow ups",
        "followups",
        "follow-up actions",
        "follow-up items",
        "remediation items",
        "remediation",
        "next steps",
        "corrective actions",
    ),
    "open_questions": ("open questions", "questions", "unresolved questions", "open issues"),
    "review_flags": ("review flags",),
}
_COMBINED = {
    "what went well and what went poorly": ("went_well", "went_poorly"),
    "what went well and what went wrong": ("went_well", "went_poorly"),
    "what went well and poorly": ("went_well", "went_poorly"),
    "what went well what went wrong": ("went_well", "went_poorly"),
    "what went well what went poorly": ("went_well", "went_poorly"),
}
_ALIAS_TO_KEY = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
#: Short field names that may be written as "Severity: SEV2" lines instead of headings.
_FIELD_KEYS = frozenset({"incident_id", "title", "status", "date_time", "severity"})
#: Sections whose text quotes flagged or cited material on purpose; blame is not re-reported there.
NO_BLAME_SCAN = frozenset({"review flags", "needs a model or a person", "evidence", "references", "sources"})


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    keys: tuple[str, ...]
    level: int
    line: int  # 1-based line of the heading
    body: tuple[int, int]  # 0-based line range [start, end) of the body, subsections included


@dataclass(slots=True)
class Document:
    text: str
    lines: list[str]
    line_starts: list[int]
    sections: list[Section]
    skip: list[bool]  # per line: code fence, HTML comment or heading (never prose)
    title: str | None

    def section_at(self, line: int) -> str | None:
        """Title of the innermost section containing 1-based ``line``."""
        found: Section | None = None
        for s in self.sections:
            if s.line <= line and s.body[0] <= line - 1 < s.body[1]:
                found = s if found is None or s.level >= found.level else found
        return found.title if found else None


# --- parsing ------------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_NORMALIZE_DROP = re.compile(r"\([^)]*\)|[*_`:#]|^\s*(?:\d+[.)]|[ivx]+\.)\s+")
_NON_WORD = re.compile(r"[^a-z0-9&' -]+")


def parse(text: str) -> Document:
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    skip = [False] * len(lines)
    heads: list[tuple[int, int, str]] = []  # (line index, level, title)
    fence: str | None = None
    comment = False
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is not None or m:
            skip[i] = True
            if m and (fence is None or m.group(1) == fence):
                fence = None if fence is not None else m.group(1)
            continue
        if comment or "<!--" in line:
            skip[i] = True
            comment = "-->" not in line.split("<!--")[-1] if "<!--" in line else "-->" not in line
            continue
        atx = _ATX.match(line)
        if atx:
            heads.append((i, len(atx.group(1)), atx.group(2)))
            skip[i] = True
        elif (
            i > 0
            and _SETEXT.match(line)
            and lines[i - 1].strip()
            and not skip[i - 1]
            and not lines[i - 1].lstrip().startswith(("-", "*", "|", ">"))
        ):
            heads.append((i - 1, 1 if line.strip()[0] == "=" else 2, lines[i - 1].strip()))
            skip[i - 1] = skip[i] = True
    sections: list[Section] = []
    title = None
    for n, (i, level, raw) in enumerate(heads):
        end = next((j for j, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
        keys = _keys_for(raw)
        if title is None and level == 1 and not keys:
            title = raw.strip()
            keys = ("title",)
        sections.append(Section(raw.strip(), keys, level, i + 1, (i + 1, end)))
    return Document(text, lines, starts, sections, skip, title)


def normalize(heading: str) -> str:
    flat = _NORMALIZE_DROP.sub(" ", heading.lower().replace("’", "'"))
    flat = _NON_WORD.sub(" ", flat).replace("/", " ")
    return " ".join(flat.split())


def _keys_for(heading: str) -> tuple[str, ...]:
    name = normalize(heading)
    if name in _COMBINED:
        return _COMBINED[name]
    if name in _ALIAS_TO_KEY:
        return (_ALIAS_TO_KEY[name],)
    best = max((a for a in _ALIAS_TO_KEY if len(a) > 4 and name.startswith(a + " ")), key=len, default=None)
    return (_ALIAS_TO_KEY[best],) if best else ()


# --- blame --------------------------------------------------------------------------------------

_CONTINUES = re.compile(r"^\s*(?:[-*+>|#]|\d+[.)]\s|\[\^|$)")
_FOOTNOTE = re.compile(r"^\s*\[\^[^\]]+\]:")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|#~!{}()+.-])")


def prose(doc: Document) -> str:
    """The document with everything that is not prose blanked (same length, so offsets and line
    numbers still hold); wrapped paragraph lines joined so a sentence split over lines stays whole."""
    blank = list(doc.skip)
    for s in doc.sections:
        if normalize(s.title) in NO_BLAME_SCAN:
            for i in range(s.body[0], s.body[1]):
                blank[i] = True
    out: list[str] = []
    for i, line in enumerate(doc.lines):
        if blank[i] or _FOOTNOTE.match(line):
            out.append(" " * len(line))
            continue
        clean = _ESCAPED.sub(lambda m: " " + m.group(1) if m.group(1) != "|" else "  ", line)
        out.append(clean)
    joined: list[str] = []
    for i, line in enumerate(out):
        joined.append(line)
        if i + 1 < len(out):
            nxt = doc.lines[i + 1]
            wrap = line.strip() and not line.lstrip().startswith("|") and not _CONTINUES.match(nxt)
            joined.append(" " if wrap and not blank[i + 1] else "\n")
    return "".join(joined)


_NAME_WORD = re.compile(r"@[\w.-]+|\b[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’-]*)?")
_ROLE_WORDS = frozenset(
    "incident commander commanders ic on-call oncall scribe communications comms lead ops operations "
    "role roles "
    "name names evidence sre dba subject expert experts unknown none responders responder owner the and "
    "support engineer engineering manager primary secondary team".split()
)


def people_in(doc: Document) -> set[str]:
    """Names written in the responders section and as action-item owners: the lint's roster."""
    people: set[str] = set()
    for s in doc.sections:
        if "responders" in s.keys:
            for line in doc.lines[s.body[0] : s.body[1]]:
                cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else [line]
                if cells and not set(cells[0]) <= set("-: "):
                    people.update(_names(cells[0] if len(cells) > 1 else line))
    for item in action_items(doc):
        people.update(_names(item.owner))
    return people


def _names(text: str) -> Iterator[str]:
    for m in _NAME_WORD.finditer(text):
        word = m.group()
        if word.split()[0].lower().strip(".:") not in _ROLE_WORDS:
            yield word


# --- completeness -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"^\W*(?:tbd|tba|todo|tk|fixme|xxx|placeholder|fill (?:in|me)(?: later)?|to be (?:written|added|"
    r"determined|completed)|coming soon|n/?a yet)?\W*$"
    r"|needs a model or a person|not written yet|not analysed yet|\bto do\b\W*$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class SectionState:
    missing: bool
    empty: bool = False
    line: int | None = None
    title: str | None = None


def section_state(doc: Document, key: str) -> SectionState:
    matches = [s for s in doc.sections if key in s.keys]
    for s in matches:
        if key == "title" or _has_content(doc, s):
            return SectionState(False)
    if key in _FIELD_KEYS and _field_value(doc, key):
        return SectionState(False)
    if matches:
        return SectionState(False, True, matches[0].line, matches[0].title)
    return SectionState(True)


def _has_content(doc: Document, s: Section) -> bool:
    for i in range(s.body[0], s.body[1]):
        line = doc.lines[i]
        if doc.skip[i] and not _FENCE.match(line) and i > 0 and not doc.skip[i - 1]:
            continue
        stripped = line.strip().strip("|").strip()
        if doc.skip[i]:
            if _ATX.match(line) is None and stripped:
                return True  # code block content counts
            continue
        if stripped and not set(stripped) <= set("-:| ") and not _PLACEHOLDER.search(_unmark(stripped)):
            return True
    return False


def _unmark(text: str) -> str:
    return re.sub(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|>\s*)*(?:\*\*[^*]+\*\*\s*)?", "", text)


_FIELD_LINE = re.compile(
    r"^\W*?(?:\*\*|__)?([A-Za-z][A-Za-z &/'-]{1,40}?)(?:\*\*|__)?\s*[:|]\s*(?:\*\*|__)?\s*(.*)$"
)


def _field_value(doc: Document, key: str) -> str | None:
    for i, line in enumerate(doc.lines):
        if doc.skip[i]:
            continue
        m = _FIELD_LINE.match(line)
        if m and _ALIAS_TO_KEY.get(normalize(m.group(1))) == key:
            value = m.group(2).strip().strip("|*_ ").strip()
            if value and not _PLACEHOLDER.search(value):
                return value
    return None


@dataclass(frozen=True, slots=True)
class ActionItem:
    summary: str
    owner: str
    has_owner: bool
    has_due: bool
    line: int
    section: str


_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_UNKNOWN = re.compile(r"^\W*(?:unknown|unassigned|none|nobody|tbd|tba|todo|\?+|-+|—|n/?a)\b.*$|^\W*$", re.I)
_OWNER_IN_TEXT = re.compile(
    r"\b(?:owner|owners|assignee|assigned to|dri|responsible)\b\s*[:=—–-]?\s*(?:\*\*|__)?([^,;()|\]]+)"
    r"|(@[\w.-]+)",
    re.I,
)
_DUE_IN_TEXT = re.compile(
    r"\b(?:due(?: date)?|deadline|eta|target(?: date)?|by)\b\s*[:=—–-]?\s*([^,;()|\]]+)", re.I
)
_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bQ[1-4]\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:end of|next|this)\s+(?:week|sprint|month|quarter)\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday)\b",
    re.I,
)
_OWNER_HEAD = re.compile(r"\b(?:owner|assignee|who|responsible|dri)\b", re.I)
_DUE_HEAD = re.compile(r"\b(?:due|deadline|by when|when|target|eta)\b", re.I)


def action_items(doc: Document) -> list[ActionItem]:
    items: list[ActionItem] = []
    for s in doc.sections:
        if "action_items" in s.keys:
            items += _items_in(doc, s)
    return items


def _items_in(doc: Document, s: Section) -> Iterator[ActionItem]:
    header: list[str] | None = None
    i = s.body[0]
    while i < s.body[1]:
        line = doc.lines[i]
        if doc.skip[i]:
            i += 1
            continue
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not all(set(c) <= set("-: ") for c in cells):
                yield _table_item(header, cells, i + 1, s.title)
            i += 1
            continue
        header = None
        m = _LIST_ITEM.match(line)
        if not m or len(m.group(1)) > 1:
            i += 1
            continue
        text, first = m.group(2), i + 1
        i += 1
        while (
            i < s.body[1]
            and doc.lines[i].strip()
            and not _LIST_ITEM.match(doc.lines[i])
            and doc.lines[i].startswith((" ", "\t"))
        ):
            text += " " + doc.lines[i].strip()
            i += 1
        owner_m = _OWNER_IN_TEXT.search(text)
        owner = (owner_m.group(1) or owner_m.group(2) or "").strip() if owner_m else ""
        due_m = _DUE_IN_TEXT.search(text)
        has_due = bool(_DATE.search(text)) or bool(due_m and not _UNKNOWN.match(due_m.group(1)))
        yield ActionItem(
            _summary(text), owner, bool(owner) and not _UNKNOWN.match(owner), has_due, first, s.title
        )


def _table_item(header: list[str], cells: list[str], line: int, section: str) -> ActionItem:
    def column(pattern: re.Pattern[str]) -> str | None:
        for n, name in enumerate(header):
            if pattern.search(name) and n < len(cells):
                return cells[n]
        return None

    owner = column(_OWNER_HEAD)
    due = column(_DUE_HEAD)
    desc = max(cells, key=len)
    return ActionItem(
        _summary(desc),
        owner or "",
        owner is not None and not _UNKNOWN.match(owner),
        due is not None and not _UNKNOWN.match(due),
        line,
        section,
    )


def _summary(text: str) -> str:
    flat = " ".join(text.replace("**", "").replace("“", "").replace("”", "").split())
    return flat if len(flat) <= 80 else flat[:79].rstrip() + "…"


TIMEZONE = re.compile(
    r"\b(?:UTC|GMT|Zulu)\b|\bUTC[+-]\d{1,2}|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(?:Z\b|[+-](?:0\d|1[0-4]):?[0-5]\d\b)"
    r"|\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Z][A-Za-z_+-]+"
    r"|\b(?:PST|PDT|MST|MDT|CST|CDT|EST|EDT|AKST|AKDT|HST|BST|IST|CET|CEST|EET|EEST|WET|WEST|JST|KST|AEST|"
    r"AEDT|ACST|AWST|NZST|NZDT|SGT|HKT)\b"
)
