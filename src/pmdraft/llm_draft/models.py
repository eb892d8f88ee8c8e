"""What the model returns: small, strict-compatible, alias-citing partials.

These are not the PostMortem: a map call fills ``ChunkNotes`` for one chunk, the reduce call fills
``DraftText`` from the merged notes (or one call fills both, ``WholeDraft``, when every record fits
in it), and code assembles the PostMortem (times, ids, flags) from them.
They follow OpenAI's strict structured-output rules — every field required, no defaults, no free-form
dicts, no extra keys — and cap list lengths so a small model cannot ramble into the token limit.
``Field(description=...)`` is prompt text.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Refs = Annotated[
    list[str],
    Field(max_length=6, description="Ids of the records this rests on, exactly as written, e.g. E3."),
]
Sentence = Annotated[str, Field(description="One short sentence.")]


def _untitled(schema: dict[str, Any]) -> None:
    """Pydantic titles every field ("title": "Key Events") and copies the class docstring into the
    schema; the field names and the prompt already say it, and every call would pay for them again.
    The model's own title stays: it names the schema."""
    schema.pop("description", None)
    for value in schema.get("properties", {}).values():
        value.pop("title", None)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_untitled)


class Note(_Strict):
    text: Sentence
    events: Refs


class HypothesisNote(_Strict):
    text: Sentence
    status: Literal["raised", "ruled_out", "confirmed"]
    events: Refs


class ActionNote(_Strict):
    text: Sentence
    type: Literal["detect", "mitigate", "prevent", "process"]
    agreed: bool = Field(description="True only when the records say the team agreed to do it.")
    events: Refs


class CommunicationNote(_Strict):
    text: Sentence
    channel: Literal["status_page", "email", "support", "social", "internal", "other"]
    events: Refs


class ChunkNotes(_Strict):
    """The map call's answer for one part of the records."""

    key_events: list[Note] = Field(max_length=8)
    hypotheses: list[HypothesisNote] = Field(max_length=4)
    impact: list[Note] = Field(max_length=3)
    detection: list[Note] = Field(max_length=2)
    actions_taken: list[Note] = Field(max_length=5)
    action_items: list[ActionNote] = Field(max_length=4)
    customer_communication: list[CommunicationNote] = Field(max_length=3)


class DraftText(_Strict):
    """The reduce call's answer: the narrative and the judgement calls, each citing records."""

    title: str = Field(description="A short name for the incident.")
    impact: Note | None
    detection: Note | None
    beliefs: Note | None = Field(description="What responders believed at each stage.")
    hypotheses: Note | None = Field(description="Which hypotheses were wrong and right, and why.")
    resolution: Note | None
    what_changed: Note | None
    trigger: Note | None = Field(description="The event that set the incident off.")
    root_cause: Note | None = Field(description="The underlying technical and process causes.")
    went_well: list[Note] = Field(max_length=3)
    went_poorly: list[Note] = Field(max_length=3)
    lessons_learned: list[Note] = Field(max_length=3)


class WholeDraft(_Strict):
    """The one call's answer when every record fits in a single call: the notes, then the narrative.

    Notes come first so a model writes the facts before the story it tells from them."""

    notes: ChunkNotes
    draft: DraftText


NOTE_SECTIONS: tuple[str, ...] = tuple(ChunkNotes.model_fields)
