"""The post-mortem draft: the one model every drafting path fills and every renderer reads.

Sections and JSON key names follow ../shared/TEMPLATE.md. Two rules shape the model:

* Every claim carries ``evidence`` (ids of normalized events). Code, not the model, decides whether
  a claim is supported (``unsupported``) — see evidence.py.
* The JSON Schema stays compatible with OpenAI's strict structured outputs: every field is required
  (optional ones are nullable, never defaulted), no free-form dicts, no extra keys. A test checks it.

``Field(description=...)`` text is prompt text: models read it. Keep it short and exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

EventIds = Annotated[
    list[str],
    Field(description="Ids of the source events this rests on, exactly as given in the input."),
]
Origin = Literal["source", "rule", "model", "person"]
KeyMoment = Literal["detection", "diagnosis", "repair", "mitigation", "resolution"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Statement(_Model):
    """A sentence of the draft and what it rests on."""

    text: str
    evidence: EventIds
    unsupported: bool = Field(
        description="True when no cited event supports the text; set by verification, not by the writer."
    )
    origin: Origin = Field(
        description="source: copied from an event; rule: extracted by pmdraft's rules; model: written by an "
        "LLM; person: written by a reviewer."
    )


class TimePoint(_Model):
    at: datetime | None = Field(
        description="ISO-8601 with offset; null when the sources do not establish it."
    )
    evidence: EventIds


class Times(_Model):
    start: TimePoint = Field(description="First anomalous signal.")
    detected: TimePoint = Field(description="First alert trigger or first user/customer report.")
    acknowledged: TimePoint
    mitigated: TimePoint = Field(
        description="When user impact stopped growing (rollback, flag off, failover)."
    )
    resolved: TimePoint
    end: TimePoint = Field(description="When the incident was closed (impact over and declared so).")


class Durations(_Model):
    """Computed from ``times``; null when either end is unknown."""

    time_to_detect_minutes: float | None
    time_to_mitigate_minutes: float | None
    time_to_resolve_minutes: float | None


class GeneratedBy(_Model):
    tool: str
    tool_version: str
    mode: Literal["offline", "llm", "exchange"]
    model: str | None
    prompt_version: str | None
    generated_at: datetime
    display_timezone: str


class StatedValue(_Model):
    """A value the sources state (an owner, a date), never one the draft made up."""

    value: str
    evidence: EventIds


class Severity(_Model):
    level: str | None = Field(description="As stated in the sources (SEV1, P2, critical), else a suggestion.")
    stated: bool = Field(description="True when the level is stated in the sources.")
    reason: str
    evidence: EventIds


class ImpactMetric(_Model):
    value: str = Field(description="The number as written in the source, e.g. '30%', '8 s', '1,200 users'.")
    what: str = Field(description="What the number measures.")
    quote: str = Field(description="The sentence the number appears in.")
    evidence: EventIds


class Impact(_Model):
    summary: Statement | None = Field(description="What users experienced; null when unknown.")
    metrics: list[ImpactMetric]
    services: list[str]
    unknowns: list[str] = Field(description="What the sources do not say about impact.")


class Communication(_Model):
    at: datetime | None
    channel: Literal["status_page", "email", "support", "social", "internal", "other"]
    text: str
    evidence: EventIds


class Detection(_Model):
    method: Literal["monitor", "user_report", "internal_alert", "support_escalation", "unknown"]
    signal: str | None = Field(description="The alert, monitor or report that detected it.")
    at: datetime | None
    text: str
    evidence: EventIds
    unsupported: bool


class Responder(_Model):
    name: str
    role: str | None = Field(description="Role as stated (incident commander, comms, scribe, on-call).")
    evidence: EventIds


class TimelineEntry(_Model):
    at: datetime | None = Field(description="Taken from the cited event, never from prose.")
    kind: str = Field(description="alert, chat, ticket, deploy, rollback, status_update, customer_report.")
    key_moment: KeyMoment | None
    text: str
    evidence: EventIds
    unsupported: bool
    origin: Origin


class Narrative(_Model):
    """Prose for readers outside the response; each part may be null when nobody has written it yet."""

    impact: Statement | None
    detection: Statement | None
    beliefs: Statement | None = Field(description="What responders believed at each stage.")
    hypotheses: Statement | None = Field(description="Which hypotheses were wrong and right, and why.")
    resolution: Statement | None
    what_changed: Statement | None


class Hypothesis(_Model):
    text: str
    raised_at: datetime | None
    status: Literal["wrong", "right", "open"]
    settled_by: str | None = Field(description="What ruled it in or out.")
    evidence: EventIds
    settled_evidence: EventIds
    unsupported: bool


class Factor(_Model):
    category: Literal[
        "technical",
        "monitoring",
        "documentation",
        "tooling",
        "process",
        "ownership",
        "communication",
        "other",
    ]
    text: str
    evidence: EventIds
    unsupported: bool
    origin: Origin


class ActionItem(_Model):
    description: str
    type: Literal["detect", "mitigate", "prevent", "process"]
    risk_reduction: str | None = Field(description="How it reduces risk.")
    owner: str | None = Field(description="Only when the sources state the owner.")
    due: str | None = Field(description="Only when the sources state the due date.")
    origin: Literal["agreed", "suggested"] = Field(
        description="agreed: stated as agreed in the sources; suggested: proposed by the draft."
    )
    evidence: EventIds
    unsupported: bool


class OpenQuestion(_Model):
    question: str
    what_would_settle: str | None
    evidence: EventIds


class ReviewFlag(_Model):
    type: Literal[
        "blame", "unsupported_claim", "low_confidence", "redaction", "needs_author", "injection", "assumption"
    ]
    message: str
    category: str | None = Field(description="Blame category, redaction type, or section name.")
    quote: str | None
    evidence: EventIds
    location: str | None = Field(description="Draft section (and line) when the flag is about draft text.")
    suggestion: str | None


class CitedEvent(_Model):
    """A copy of a cited source event, so a draft can be reviewed and re-rendered on its own."""

    id: str
    time: datetime
    kind: str
    actor: str
    text: str
    url: str | None
    source: str


class PostMortem(_Model):
    """A blameless post-mortem draft, every claim tied to source events."""

    incident_id: str
    title: str
    status: Literal["draft", "in_review", "final"]
    generated_by: GeneratedBy
    postmortem_owner: StatedValue | None
    review_date: StatedValue | None
    times: Times
    durations: Durations
    severity: Severity
    impact: Impact
    customer_communication: list[Communication]
    detection: Detection
    responders: list[Responder]
    trigger: Statement | None
    root_cause: Statement | None
    timeline: list[TimelineEntry]
    narrative: Narrative
    hypotheses: list[Hypothesis]
    contributing_factors: list[Factor]
    went_well: list[Statement]
    went_poorly: list[Statement]
    where_we_got_lucky: list[Statement]
    lessons_learned: list[Statement]
    action_items: list[ActionItem]
    open_questions: list[OpenQuestion]
    review_flags: list[ReviewFlag]
    cited_events: list[CitedEvent]


def postmortem_json_schema() -> dict[str, object]:
    """The JSON Schema that ``pmdraft schema`` publishes."""
    return PostMortem.model_json_schema()
