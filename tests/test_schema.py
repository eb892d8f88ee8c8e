"""The draft's JSON contract: TEMPLATE.md key names, and OpenAI strict structured-output rules."""

import json

from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.schema import PostMortem, postmortem_json_schema
from tests.strict_schema import strict_schema_problems

TEMPLATE_KEYS = {
    "incident_id", "title", "status", "generated_by", "times", "severity", "impact",
    "customer_communication", "detection", "responders", "trigger", "root_cause", "timeline",
    "narrative", "hypotheses", "contributing_factors", "went_well", "went_poorly",
    "where_we_got_lucky", "lessons_learned", "action_items", "open_questions", "review_flags",
}  # fmt: skip


def test_template_keys_are_top_level_properties() -> None:
    props = set(postmortem_json_schema()["properties"])  # type: ignore[arg-type]
    assert props >= TEMPLATE_KEYS
    times = PostMortem.model_fields["times"].annotation
    assert times is not None
    assert set(times.model_fields) == {"start", "detected", "acknowledged", "mitigated", "resolved", "end"}


def test_schema_is_strict_compatible() -> None:
    assert strict_schema_problems(postmortem_json_schema()) == []


def test_the_strict_check_can_fail() -> None:
    loose = {
        "type": "object",
        "title": "X",
        "properties": {"a": {"type": "string", "default": "x"}, "b": {"type": "object"}},
    }
    assert strict_schema_problems(loose) == [
        'a "default" value',
        "X: additionalProperties is not false",
        "X: not every property is required",
        "X.b: free-form dict",
        "?: additionalProperties is not false",  # the nested open object itself
    ]


def test_every_claim_type_carries_evidence() -> None:
    defs = postmortem_json_schema()["$defs"]
    assert isinstance(defs, dict)
    for name in ("Statement", "TimelineEntry", "Hypothesis", "ImpactMetric", "ActionItem", "Factor"):
        assert "evidence" in defs[name]["properties"], name


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert printed["title"] == "PostMortem"
    assert "action_items" in printed["required"]
