"""The draft as GitHub-flavoured Markdown, for review before the post-mortem meeting.

Layout follows ../shared/TEMPLATE.md. What a reviewer must see first comes first: the sections
that still need a model or a person, and every review flag. Evidence is footnotes (``[^n]``) to
the cited events with their quoted text and permalink, numbered in order of first citation.
Provenance of text is always visible: copied text is in quotation marks and marked *quoted*,
rule-written text *rule*, model text *model*. Unknowns say ``Unknown`` and why.

Every piece of source text goes through ``_inline`` (one line, Markdown and HTML neutralized), so a
chat message cannot inject markup, links or the hash comment ``write.py`` relies on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo

from pmdraft.render.html import display_zone
from pmdraft.render.timeline import zone_label
from pmdraft.schema import Origin, PostMortem, Statement, TimePoint

__all__ = ["render_markdown"]

_ESCAPE = re.compile(r"([\\`*_\[\]|#~!])")
_MOMENTS = (
    ("start", "Start", "first anomalous signal"),
    ("detected", "Detected", "first alert or report"),
    ("acknowledged", "Acknowledged", "first acknowledgement"),
    ("mitigated", "Mitigated", "impact stopped growing"),
    ("resolved", "Resolved", "declared resolved"),
    ("end", "End", "incident closed"),
)
_NARRATIVE = (
    ("impact", "User impact"),
    ("detection", "How it was detected"),
    ("beliefs", "What responders believed"),
    ("hypotheses", "Hypotheses, wrong and right"),
    ("resolution", "What resolved it"),
    ("what_changed", "What changed after"),
)
_LISTS = (
    ("went_well", "What went well"),
    ("went_poorly", "What went poorly"),
    ("where_we_got_lucky", "Where we got lucky"),
    ("lessons_learned", "Lessons learned"),
)


def _inline(text: str, limit: int | None = None) -> str:
    """Source or model text as one safe Markdown line: no markup, HTML, links or comments survive."""
    flat = " ".join(text.split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ESCAPE.sub(r"\\\1", flat)


class _Notes:
    """Footnote numbers in order of first citation, for ids the draft carries copies of."""

    def __init__(self, pm: PostMortem) -> None:
        self.cited = {c.id: c for c in pm.cited_events}
        self.order: dict[str, int] = {}
        self.missing: list[str] = []

    def refs(self, ids: Iterable[str]) -> str:
        out: list[str] = []
        for i in dict.fromkeys(ids):
            if i not in self.cited:
                if i not in self.missing:
                    self.missing.append(i)
                out.append(f"`{_code(i)}`")
                continue
            n = self.order.setdefault(i, len(self.order) + 1)
            out.append(f"[^{n}]")
        return "".join(out)

    def definitions(self, zone: tzinfo) -> list[str]:
        lines: list[str] = []
        for i, n in self.order.items():
            c = self.cited[i]
            link = f" ([permalink]({_url(c.url)}))" if c.url and _url(c.url) else ""
            lines.append(
                f"[^{n}]: {_when(c.time, zone)} · {_inline(c.actor, 80)} · {_inline(c.kind)} · "
                f"`{_code(c.id)}`{link}: “{_inline(c.text, 600)}”"
            )
        return lines


def _code(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")


def _url(url: str) -> str:
    """Only http(s) links, with characters that would end the Markdown link percent-encoded."""
    if not url.lower().startswith(("https://", "http://")):
        return ""
    return (
        url.replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
    )


def _when(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or zone_label(zone)}"


def _mark(origin: Origin, model: str | None = None) -> str:
    return {
        "source": "*quoted*",
        "rule": "*rule*",
        "model": f"*model{': ' + _inline(model) if model else ''}*",
        "person": "*person*",
    }[origin]


def _statement(s: Statement, notes: _Notes, model: str | None) -> str:
    text = _inline(s.text)
    body = f"“{text}”" if s.origin == "source" else text
    flag = " **(unsupported)**" if s.unsupported else ""
    return f"{body} {_mark(s.origin, model)}{flag} {notes.refs(s.evidence)}".rstrip()


def _unknown(why: str) -> str:
    return f"Unknown — {why}"


def render_markdown(pm: PostMortem) -> str:
    """The whole draft as Markdown text (ends with a newline)."""
    zone = display_zone(pm)
    notes = _Notes(pm)
    model = pm.generated_by.model
    out: list[str] = [f"# {_inline(pm.title) or 'Incident post-mortem'}", ""]
    out += _header(pm, zone)
    out += _attention(pm, notes)
    out += ["## Incident ID", "", f"`{_code(pm.incident_id)}`", ""]
    out += _status(pm, notes, zone)
    out += _times(pm, notes, zone)
    out += _severity(pm, notes)
    out += _impact(pm, notes, model)
    out += _communication(pm, notes, zone)
    out += _detection(pm, notes, zone)
    out += _responders(pm, notes)
    for name, label in (("trigger", "Trigger"), ("root_cause", "Root cause")):
        s = getattr(pm, name)
        body = _statement(s, notes, model) if s else _unknown("not established; needs a model or a person.")
        out += [f"## {label}", "", body, ""]
    out += _timeline(pm, notes, zone)
    out += _narrative(pm, notes, model)
    out += _hypotheses(pm, notes, zone)
    out += _factors(pm, notes, model)
    for name, label in _LISTS:
        items = getattr(pm, name)
        out += [f"## {label}", ""]
        out += [f"- {_statement(s, notes, model)}" for s in items] or [
            _unknown("nothing in the sources says; needs a model or a person.")
        ]
        out.append("")
    out += _actions(pm, notes)
    out += _questions(pm, notes)
    out += _evidence(notes, zone)
    return "\n".join(out).rstrip() + "\n"


def _header(pm: PostMortem, zone: tzinfo) -> list[str]:
    g = pm.generated_by
    how = "offline rules, no model" if g.mode == "offline" else f"{g.mode} mode"
    if g.model:
        how += f", model {_inline(g.model)}"
    if g.prompt_version:
        how += f", prompt {_inline(g.prompt_version)}"
    return [
        f"> **Draft** written by {_inline(g.tool)} {_inline(g.tool_version)} ({how}) on "
        f"{_when(g.generated_at, zone)}. Times are shown in **{_inline(zone_label(zone))}**.",
        "> Text in “quotes” marked *quoted* is copied from the sources; *rule* marks text pmdraft's rules "
        "wrote, *model* text a model wrote. Footnotes cite the source events.",
        "",
    ]


def _attention(pm: PostMortem, notes: _Notes) -> list[str]:
    needs = [f for f in pm.review_flags if f.type == "needs_author"]
    others = [f for f in pm.review_flags if f.type != "needs_author"]
    out: list[str] = []
    if needs:
        out += ["## Needs a model or a person", ""]
        out += ["These sections are empty because the sources alone do not write them:", ""]
        out += [f"- {_inline(f.message)}" for f in needs]
        out.append("")
    out += ["## Review flags", ""]
    if not others:
        out += ["None.", ""]
        return out
    for f in others:
        line = f"- **{_inline(f.type.replace('_', ' '))}**"
        if f.category:
            line += f" ({_inline(f.category)})"
        line += f": {_inline(f.message)}"
        if f.quote:
            line += f" Quote: “{_inline(f.quote, 300)}”."
        if f.location:
            line += f" Where: {_inline(f.location)}."
        if f.suggestion:
            line += f" Suggestion: {_inline(f.suggestion)}"
        out.append(f"{line} {notes.refs(f.evidence)}".rstrip())
    out.append("")
    return out


def _stated(value: object, label: str, notes: _Notes) -> str:
    if value is None:
        return f"- {label}: {_unknown('not stated in the sources.')}"
    text = _inline(getattr(value, "value", ""))
    return f"- {label}: “{text}” *quoted* {notes.refs(getattr(value, 'evidence', []))}".rstrip()


def _status(pm: PostMortem, notes: _Notes, zone: tzinfo) -> list[str]:
    g = pm.generated_by
    return [
        "## Status and authors",
        "",
        f"- Status: {_inline(pm.status)}",
        f"- Generated by: {_inline(g.tool)} {_inline(g.tool_version)}, mode {_inline(g.mode)}, model "
        f"{_inline(g.model) if g.model else 'none'}, prompt version {_inline(g.prompt_version or 'none')}, "
        f"at {_when(g.generated_at, zone)}",
        _stated(pm.postmortem_owner, "Post-mortem owner", notes),
        _stated(pm.review_date, "Review date", notes),
        "",
    ]


def _cell_time(point: TimePoint | None, at: datetime | None, zone: tzinfo) -> tuple[str, str]:
    moment = point.at if point is not None else at
    if moment is None:
        return "", ""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d}", f"{local:%H:%M:%S} {local.tzname() or ''}".rstrip()


def _times(pm: PostMortem, notes: _Notes, zone: tzinfo) -> list[str]:
    out = ["## Date and time", "", "| Moment | Date | Time | Evidence |", "|---|---|---|---|"]
    for name, label, meaning in _MOMENTS:
        point: TimePoint = getattr(pm.times, name)
        if point.at is None:
            out.append(f"| {label} ({meaning}) | {_unknown('not established by the sources')} | | |")
            continue
        day, clock = _cell_time(point, None, zone)
        out.append(f"| {label} ({meaning}) | {day} | {clock} | {notes.refs(point.evidence)} |")
    d = pm.durations

    def minutes(value: float | None) -> str:
        return f"{value:g} min" if value is not None else _unknown("an end is not established")

    out += [
        "",
        f"Durations, from the start: time to detect {minutes(d.time_to_detect_minutes)}; time to mitigate "
        f"{minutes(d.time_to_mitigate_minutes)}; time to resolve {minutes(d.time_to_resolve_minutes)}.",
        "",
    ]
    return out


def _severity(pm: PostMortem, notes: _Notes) -> list[str]:
    s = pm.severity
    if s.level is None:
        body = f"{_unknown(_inline(s.reason))}"
    else:
        how = "stated in the sources" if s.stated else "suggested"
        body = f"**{_inline(s.level)}** ({how}). {_inline(s.reason)} {notes.refs(s.evidence)}".rstrip()
    return ["## Severity", "", body, ""]


def _impact(pm: PostMortem, notes: _Notes, model: str | None) -> list[str]:
    i = pm.impact
    out = ["## Impact", ""]
    summary = _statement(i.summary, notes, model) if i.summary else _unknown("no source says what users saw.")
    out += [f"What users experienced: {summary}", ""]
    if i.metrics:
        out += ["| Figure | What it measures | As written | Evidence |", "|---|---|---|---|"]
        for m in i.metrics:
            quoted = _inline(m.quote, 200)
            out.append(f"| {_inline(m.value)} | {_inline(m.what)} | “{quoted}” | {notes.refs(m.evidence)} |")
        out.append("")
    services = (
        ", ".join(_inline(s) for s in i.services) if i.services else _unknown("no alert or ticket names one.")
    )
    out += [f"Services: {services}", ""]
    if i.unknowns:
        out += ["Not known from the sources:", ""]
        out += [f"- {_inline(u)}" for u in i.unknowns]
        out.append("")
    return out


def _communication(pm: PostMortem, notes: _Notes, zone: tzinfo) -> list[str]:
    out = ["## Customer communication", ""]
    if not pm.customer_communication:
        return [*out, _unknown("no status-page post, email or support reply found in the sources."), ""]
    out += ["| Date | Time | Channel | What was sent | Evidence |", "|---|---|---|---|---|"]
    for c in pm.customer_communication:
        day, clock = _cell_time(None, c.at, zone)
        out.append(
            f"| {day} | {clock} | {_inline(c.channel.replace('_', ' '))} | “{_inline(c.text, 300)}” "
            f"| {notes.refs(c.evidence)} |"
        )
    return [*out, ""]


def _detection(pm: PostMortem, notes: _Notes, zone: tzinfo) -> list[str]:
    d = pm.detection
    if d.method == "unknown" and d.at is None:
        return ["## Detection", "", f"{_unknown(_inline(d.text))}", ""]
    when = _when(d.at, zone) if d.at else _unknown("no time established")
    flag = " **(unsupported)**" if d.unsupported else ""
    lines = [
        "## Detection",
        "",
        f"- Method: {_inline(d.method.replace('_', ' '))}",
        f"- Signal: “{_inline(d.signal)}” *quoted*" if d.signal else "- Signal: Unknown — not named.",
        f"- When: {when}",
        f"- {_inline(d.text)} *rule*{flag} {notes.refs(d.evidence)}".rstrip(),
        "",
    ]
    return lines


def _responders(pm: PostMortem, notes: _Notes) -> list[str]:
    out = ["## Responders and roles", ""]
    if not pm.responders:
        return [*out, _unknown("nobody is named in the sources."), ""]
    out += ["| Name | Role (as stated) | Evidence |", "|---|---|---|"]
    out += [
        f"| {_inline(r.name)} | {_inline(r.role) if r.role else '—'} | {notes.refs(r.evidence)} |"
        for r in pm.responders
    ]
    return [*out, ""]


def _timeline(pm: PostMortem, notes: _Notes, zone: tzinfo) -> list[str]:
    out = [f"## Timeline ({_inline(zone_label(zone))})", ""]
    if not pm.timeline:
        return [*out, _unknown("no key events found in the sources."), ""]
    out += ["| Date | Time | Kind | Key moment | What | Evidence |", "|---|---|---|---|---|---|"]
    for t in pm.timeline:
        day, clock = _cell_time(None, t.at, zone)
        text = _inline(t.text, 240)
        body = f"“{text}”" if t.origin == "source" else f"{text} {_mark(t.origin, pm.generated_by.model)}"
        if t.unsupported:
            body += " **(unsupported)**"
        out.append(
            f"| {day or 'Unknown'} | {clock} | {_inline(t.kind)} | {_inline(t.key_moment or '')} | {body} "
            f"| {notes.refs(t.evidence)} |"
        )
    return [*out, ""]


def _narrative(pm: PostMortem, notes: _Notes, model: str | None) -> list[str]:
    out = ["## Narrative", ""]
    for name, label in _NARRATIVE:
        s: Statement | None = getattr(pm.narrative, name)
        body = _statement(s, notes, model) if s else _unknown("not written yet; needs a model or a person.")
        out += [f"**{label}.** {body}", ""]
    return out


def _hypotheses(pm: PostMortem, notes: _Notes, zone: tzinfo) -> list[str]:
    out = ["## Hypotheses", ""]
    if not pm.hypotheses:
        return [*out, _unknown("no hypotheses found in the sources."), ""]
    out += ["| Raised | Hypothesis | Status | What settled it | Evidence |", "|---|---|---|---|---|"]
    for h in pm.hypotheses:
        when = _when(h.raised_at, zone) if h.raised_at else "Unknown"
        settled = f"“{_inline(h.settled_by, 200)}” {notes.refs(h.settled_evidence)}" if h.settled_by else "—"
        flag = " **(unsupported)**" if h.unsupported else ""
        out.append(
            f"| {when} | “{_inline(h.text, 200)}”{flag} | {_inline(h.status)} | {settled.rstrip()} "
            f"| {notes.refs(h.evidence)} |"
        )
    return [*out, ""]


def _factors(pm: PostMortem, notes: _Notes, model: str | None) -> list[str]:
    out = ["## Contributing factors", ""]
    if not pm.contributing_factors:
        return [*out, _unknown("not analysed yet; needs a model or a person."), ""]
    for f in pm.contributing_factors:
        s = Statement(text=f.text, evidence=f.evidence, unsupported=f.unsupported, origin=f.origin)
        out.append(f"- **{_inline(f.category)}**: {_statement(s, notes, model)}")
    return [*out, ""]


def _actions(pm: PostMortem, notes: _Notes) -> list[str]:
    out = ["## Action items", ""]
    if not pm.action_items:
        return [*out, _unknown("no follow-up is stated in the sources."), ""]
    out += [
        "Owner and due date appear only where the sources state them; *agreed* only where they say so.",
        "",
        "| # | Action | Type | Owner | Due | Origin | Evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, a in enumerate(pm.action_items, 1):
        flag = " **(unsupported)**" if a.unsupported else ""
        risk = f" Risk reduction: {_inline(a.risk_reduction)}" if a.risk_reduction else ""
        out.append(
            f"| {n} | “{_inline(a.description, 300)}”{risk}{flag} | {_inline(a.type)} "
            f"| {_inline(a.owner) if a.owner else 'Unknown (not stated)'} "
            f"| {_inline(a.due) if a.due else 'Unknown (not stated)'} | {_inline(a.origin)} "
            f"| {notes.refs(a.evidence)} |"
        )
    return [*out, ""]


def _questions(pm: PostMortem, notes: _Notes) -> list[str]:
    out = ["## Open questions", ""]
    if not pm.open_questions:
        return [*out, "None found.", ""]
    for q in pm.open_questions:
        settle = f" What would settle it: {_inline(q.what_would_settle)}" if q.what_would_settle else ""
        out.append(f"- {_inline(q.question)}{settle} {notes.refs(q.evidence)}".rstrip())
    return [*out, ""]


def _evidence(notes: _Notes, zone: tzinfo) -> list[str]:
    out = ["## Evidence", ""]
    definitions = notes.definitions(zone)
    if not definitions and not notes.missing:
        return [*out, "No source events are cited.", ""]
    out += ["Each footnote is a cited source event: time, who, kind, id, and its text as written.", ""]
    if notes.missing:
        missing = ", ".join(f"`{_code(i)}`" for i in notes.missing)
        out += [f"Cited but not carried in this draft (check the sources): {missing}", ""]
    return [*out, *definitions, ""]
