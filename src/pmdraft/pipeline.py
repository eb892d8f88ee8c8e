"""Compose the stages: ingested events -> a drafting path -> one finished PostMortem.

Whatever path wrote the sections (the offline rules today; the LLM path builds on them), the parts
that code owns are computed here the same way for every draft: citation checks and cited-event
copies, durations, a stable incident id, the title when none was written, ``generated_by``, and
the review flags for blame in quoted text, assumed time zones and sections that still need a
model or a person.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal

from pmdraft import __version__
from pmdraft.blame import find_blame_in_events
from pmdraft.config import Settings
from pmdraft.events import Event, EventKind
from pmdraft.evidence import cited_event, verify_draft
from pmdraft.ingest import Ingested
from pmdraft.injection import find_injections, guard_draft, injection_flags
from pmdraft.offline import draft_offline
from pmdraft.redact import Redactor
from pmdraft.render.timeline import zone_label
from pmdraft.schema import GeneratedBy, PostMortem, ReviewFlag
from pmdraft.scope import in_scope, incident_scope, scope_flag

if TYPE_CHECKING:
    from pmdraft.llm import LLM

__all__ = [
    "draft_postmortem",
    "events_for_model",
    "finish_draft",
    "incident_id_for",
    "model_input",
    "people_in",
    "redact_draft",
    "redaction_flags",
    "title_for",
]

Mode = Literal["offline", "llm", "exchange"]
TOOL = "pmdraft"
#: Ticket systems whose tickets are customers' requests, not the incident's own record.
_SUPPORT_FORMATS = frozenset({"zendesk", "freshdesk", "intercom", "helpscout", "front"})
_NOT_PEOPLE = frozenset({"", "system", "unknown"})
#: Sections the rules never write, and what they need.
_AUTHORED: tuple[tuple[str, str], ...] = (
    ("narrative", "the narrative (plain-language story for readers outside the response)"),
    ("root_cause", "the root cause (technical and process factors)"),
    ("trigger", "the trigger (the change or event that set it off)"),
    ("contributing_factors", "contributing factors"),
    ("went_well", "what went well"),
    ("went_poorly", "what went poorly"),
    ("where_we_got_lucky", "where we got lucky"),
    ("lessons_learned", "lessons learned"),
    ("severity", "the severity (none is stated in the sources)"),
    ("impact", "the impact summary (what users experienced)"),
)


def draft_postmortem(
    ingested: Ingested,
    *,
    display_tz: tzinfo = UTC,
    offline: bool = False,
    now: datetime | None = None,
    settings: Settings | None = None,
    redact: bool = True,
    redactor: Redactor | None = None,
    llm: LLM | None = None,
) -> PostMortem:
    """Draft from ingested exports. Without a configured model (or with ``offline``) the offline rules
    write the draft; with one, the LLM path drafts on top of the offline draft (its ``hints``).

    Redaction runs first, on every path (``redact=False`` is the explicit ``--no-redact``): the draft
    quotes the sources and is shared widely, and the LLM path sends them off the machine. Pass a
    ``redactor`` to keep its placeholder map (for ``--restore``) or to set its options; ``llm`` to use
    a client built elsewhere (evals record what it sends; an ExchangeLLM drafts through files)."""
    if redact:
        redactor = redactor or Redactor()
        ingested = Ingested(events=redactor.redact_events(ingested.events), results=ingested.results)
    pm = _draft(ingested, display_tz=display_tz, offline=offline, now=now, settings=settings, llm=llm)
    injections = find_injections(ingested.events)
    pm, _ = guard_draft(pm, injections, {e.id: e for e in ingested.events})
    flags = injection_flags(injections) + redaction_flags(redactor if redact else None)
    return _with_flags(pm, flags, ingested.events)


def redaction_flags(redactor: Redactor | None) -> list[ReviewFlag]:
    """What redaction replaced, by type and where; or that it was turned off."""
    if redactor is None:
        return [
            ReviewFlag(
                type="redaction",
                message="Redaction was turned off (--no-redact): source text appears as-is in this draft "
                "and in anything sent to a model.",
                category=None,
                quote=None,
                evidence=[],
                location=None,
                suggestion="Draft again without --no-redact before sharing.",
            )
        ]
    flags = []
    for kind, count in redactor.map.summary().items():
        where = redactor.map.where.get(kind, [])
        flags.append(
            ReviewFlag(
                type="redaction",
                message=f"{count} distinct {kind.lower().replace('_', ' ')} value(s) replaced with "
                f"[{kind}_n] placeholders before drafting, in {len(where)} event(s).",
                category=kind,
                quote=None,
                evidence=where[:10],
                location=None,
                suggestion=None,
            )
        )
    return flags


def _with_flags(pm: PostMortem, flags: Sequence[ReviewFlag], events: Sequence[Event]) -> PostMortem:
    if not flags:
        return pm
    out = pm.model_copy(deep=True)
    seen = {(f.type, f.location, f.message) for f in out.review_flags}
    out.review_flags.extend(f for f in flags if (f.type, f.location, f.message) not in seen)
    known = {e.id: e for e in events}
    have = {c.id for c in out.cited_events}
    extra = {i for f in flags for i in f.evidence if i in known and i not in have}
    if extra:
        copies = out.cited_events + [cited_event(known[i]) for i in extra]
        out.cited_events = sorted(copies, key=lambda c: (c.time, c.id))
    return out


def _draft(
    ingested: Ingested,
    *,
    display_tz: tzinfo,
    offline: bool,
    now: datetime | None,
    settings: Settings | None,
    llm: LLM | None,
) -> PostMortem:
    events = ingested.events
    people = people_in(events)
    hints = draft_offline(
        events,
        display_tz=display_tz,
        people=people,
        now=now,
        assumptions=ingested.assumptions,
    )
    if offline or settings is None or (llm is None and not settings.llm_configured):
        return hints
    from pmdraft.llm_draft import PROMPT_VERSION, connect, draft_with_llm
    from pmdraft.llm_draft.exchange import ExchangeLLM

    client = llm or connect(settings)
    sent, flags = model_input(ingested, hints, settings)
    pm = draft_with_llm(sent, settings, client, hints=hints)
    pm.review_flags.extend(flags)
    return finish_draft(
        pm,
        events,
        mode="exchange" if isinstance(client, ExchangeLLM) else "llm",
        display_tz=display_tz,
        people=people,
        model=settings.model,
        prompt_version=PROMPT_VERSION,
        now=now,
        assumptions=ingested.assumptions,
    )


def events_for_model(ingested: Ingested) -> list[Event]:
    """The events a model may be sent (already redacted by draft_postmortem): noise stays home."""
    return [e for e in ingested.events if not e.noise]


def model_input(
    ingested: Ingested, hints: PostMortem | None, settings: Settings
) -> tuple[list[Event], list[ReviewFlag]]:
    """The events sent to the model: with ``scope`` "incident" (the default), only those around the
    incident the offline draft ``hints`` found (``pmdraft.scope``); the flag says what stayed home."""
    events = events_for_model(ingested)
    if settings.scope == "all":
        return events, []
    if hints is None:
        hints = draft_offline(
            ingested.events,
            display_tz=UTC,
            people=people_in(ingested.events),
            assumptions=ingested.assumptions,
        )
    scope = incident_scope(hints, ingested.events)
    sent = in_scope(events, scope)
    if scope is None or len(sent) == len(events):
        return sent, []
    return sent, [scope_flag(scope, len(sent), len(events))]


def people_in(events: Iterable[Event]) -> set[str]:
    """Names of the people (not bots or tools) who appear as actors: the roster for roles and blame."""
    return {
        e.actor.name for e in events if not (e.is_bot or e.actor.is_bot) and e.actor.name not in _NOT_PEOPLE
    }


def finish_draft(
    pm: PostMortem,
    events: Sequence[Event],
    *,
    mode: Mode,
    display_tz: tzinfo,
    people: Collection[str],
    model: str | None = None,
    prompt_version: str | None = None,
    now: datetime | None = None,
    assumptions: Sequence[str] = (),
) -> PostMortem:
    """Fill what code owns (see the module docstring); returns a new, verified draft."""
    known = {e.id: e for e in events}
    out = verify_draft(pm, known)
    cited = [known[c.id] for c in out.cited_events if c.id in known]
    out.incident_id = incident_id_for(events, out, known)
    if not out.title:
        out.title = title_for(out, known)
    out.generated_by = GeneratedBy(
        tool=TOOL,
        tool_version=__version__,
        mode=mode,
        model=model,
        prompt_version=prompt_version,
        generated_at=now or _now(),
        display_timezone=zone_label(display_tz),
    )
    flags = _blame_flags(_covered(events, cited), people) + _assumption_flags(cited, assumptions, display_tz)
    flags += _needs_author_flags(out)
    seen = {(f.type, f.location, f.message) for f in out.review_flags}
    out.review_flags.extend(f for f in flags if (f.type, f.location, f.message) not in seen)
    have = {c.id for c in out.cited_events}
    extra = {i for f in out.review_flags for i in f.evidence if i in known and i not in have}
    if extra:
        copies = out.cited_events + [cited_event(known[i]) for i in extra]
        out.cited_events = sorted(copies, key=lambda c: (c.time, c.id))
    return redact_draft(out)


#: Keys whose values are identifiers or vocabulary, never free text: redaction leaves them alone.
_NOT_TEXT = frozenset(
    """id incident_id evidence settled_evidence kind type status origin channel method mode tool
    tool_version model prompt_version display_timezone generated_at at time raised_at category location
    key_moment source stated""".split()
)


def redact_draft(pm: PostMortem) -> PostMortem:
    """The draft with secrets and personal data in its text replaced by typed placeholders.

    Drafts quote the sources, and sources hold pasted passwords, tokens, e-mail addresses and phone
    numbers; a post-mortem is shared widely, so they never reach it. One review flag says what was
    replaced (the values stay in the sources only)."""
    redactor = Redactor()

    def walk(node: object, key: str | None = None) -> object:
        if isinstance(node, str):
            return node if key in _NOT_TEXT else redactor.redact_text(node)
        if isinstance(node, list):
            return [walk(item, key) for item in node]
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        return node

    data = walk(pm.model_dump(mode="json"))
    counts = redactor.map.summary()
    out = PostMortem.model_validate(data)
    if counts and not any(f.type == "redaction" and f.location == "draft" for f in out.review_flags):
        kinds = ", ".join(f"{n} {kind.lower().replace('_', ' ')}" for kind, n in counts.items())
        out.review_flags.append(
            ReviewFlag(
                type="redaction",
                message=f"Replaced in quoted source text: {kinds}. The values stay in the sources only.",
                category=",".join(counts),
                quote=None,
                evidence=[],
                location="draft",
                suggestion=None,
            )
        )
    return out


def _now() -> datetime:
    """Wall-clock time, or SOURCE_DATE_EPOCH when set (reproducible builds and golden files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _incident_ticket(events: Iterable[Event]) -> Event | None:
    """The ticket that records the incident itself (issue type 'Incident', or a ServiceNow incident)."""
    for event in events:
        if event.kind is not EventKind.TICKET_CREATED or event.source_format in _SUPPORT_FORMATS:
            continue
        if "incident" in event.attrs.get("issue_type", "").lower() or event.source_format == "servicenow":
            return event
    return None


def incident_id_for(events: Sequence[Event], pm: PostMortem, known: Mapping[str, Event]) -> str:
    """The incident ticket's key, else the paging system's incident id, else a short hash of the ids.

    Stable for the same inputs: it depends only on the events (and the deterministic draft).
    """
    ticket = _incident_ticket(events)
    if ticket is not None and ticket.attrs.get("ticket_key"):
        return ticket.attrs["ticket_key"]
    first = [known[i] for i in pm.detection.evidence + pm.times.start.evidence if i in known]
    for event in first + [known[c.id] for c in pm.cited_events if c.id in known]:
        if event.kind.value.startswith("alert.") and event.attrs.get("incident_id"):
            return event.attrs["incident_id"]
    digest = hashlib.sha256()
    for event in events:
        digest.update(event.id.encode())
        digest.update(b"\n")
    return f"pmdraft-{digest.hexdigest()[:10]}"


def title_for(pm: PostMortem, known: Mapping[str, Event]) -> str:
    """The incident ticket's summary, else the detecting signal and services, else the date."""
    ticket = _incident_ticket(known[c.id] for c in pm.cited_events if c.id in known)
    if ticket is not None:
        return ticket.text.splitlines()[0][:120]
    services = ", ".join(pm.impact.services[:3])
    if pm.detection.signal:
        signal = pm.detection.signal[:100]
        return f"{signal} ({services})" if services and services not in signal else signal
    day = pm.times.start.at or pm.times.detected.at
    label = f"Incident on {day:%Y-%m-%d}" if day else "Incident"
    return f"{label}: {services}" if services else label


#: Blame language is looked for in the stretch of the sources the draft covers, this much either side.
BLAME_MARGIN = timedelta(hours=2)


def _covered(events: Sequence[Event], cited: Sequence[Event]) -> list[Event]:
    """The events from the earliest to the latest cited one (with a margin): the incident, its
    response and its review, but not months of unrelated chat in a large export."""
    if not cited:
        return list(events)
    first = min(e.time for e in cited) - BLAME_MARGIN
    last = max(e.time for e in cited) + BLAME_MARGIN
    return [e for e in events if first <= e.time <= last]


def _blame_flags(events: Sequence[Event], people: Collection[str]) -> list[ReviewFlag]:
    """Blame-oriented language found in the sources: listed for the reviewer, never silently kept."""
    return [
        ReviewFlag(
            type="blame",
            message=f"Blame-oriented language in the sources ({f.category.replace('_', ' ')}).",
            category=f.category,
            quote=f.quote,
            evidence=[f.evidence] if f.evidence else [],
            location=None,
            suggestion=f.suggestion,
        )
        for f in find_blame_in_events(events, people)
    ]


def _assumption_flags(cited: Sequence[Event], notes: Sequence[str], display_tz: tzinfo) -> list[ReviewFlag]:
    """One flag per input whose times had no zone, citing the draft's events that carry such times."""
    assumed: dict[str, list[str]] = {}
    for event in cited:
        if event.time_assumed:
            assumed.setdefault(event.source_file, []).append(event.id)
    flags: list[ReviewFlag] = []
    covered: set[str] = set()
    for note in notes:
        if not _TIME_NOTE.search(note):
            flags.append(_source_assumption(note))
            continue
        ids = [i for source, group in assumed.items() if source in note for i in group]
        covered.update(source for source in assumed if source in note)
        flags.append(_assumption(note, ids))
    for source, ids in assumed.items():
        if source not in covered:
            message = (
                f"{source}: times without a zone in the source; shown as read, display zone "
                + zone_label(display_tz)
            )
            flags.append(_assumption(message, ids))
    return flags


#: Ingest notes about times (zones, date order); other notes (a channel named from a file beside the
#: capture, comments paired with a ticket, senders shown by id) are not fixed by --tz.
_TIME_NOTE = re.compile(r"\b(?:zones?|times?|timestamps?|dates?|clock|month|day|offset)\b", re.IGNORECASE)


def _source_assumption(message: str) -> ReviewFlag:
    return ReviewFlag(
        type="assumption",
        message=message,
        category="source",
        quote=None,
        evidence=[],
        location=None,
        suggestion="Check the input files if this is wrong.",
    )


def _assumption(message: str, ids: list[str]) -> ReviewFlag:
    return ReviewFlag(
        type="assumption",
        message=message,
        category="timezone",
        quote=None,
        evidence=ids[:20],
        location="times",
        suggestion="Pass --tz with the zone the source was written in if this is wrong.",
    )


def _needs_author_flags(pm: PostMortem) -> list[ReviewFlag]:
    """Sections left empty because they need judgement or prose: named at the top of the draft."""
    empty = {
        "narrative": all(getattr(pm.narrative, f) is None for f in type(pm.narrative).model_fields),
        "root_cause": pm.root_cause is None,
        "trigger": pm.trigger is None,
        "contributing_factors": not pm.contributing_factors,
        "went_well": not pm.went_well,
        "went_poorly": not pm.went_poorly,
        "where_we_got_lucky": not pm.where_we_got_lucky,
        "lessons_learned": not pm.lessons_learned,
        "severity": pm.severity.level is None,
        "impact": pm.impact.summary is None,
    }
    return [
        ReviewFlag(
            type="needs_author",
            message=f"Needs a model or a person: {what}.",
            category=section,
            quote=None,
            evidence=[],
            location=section,
            suggestion=None,
        )
        for section, what in _AUTHORED
        if empty[section]
    ]
