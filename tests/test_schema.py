"""The draft's JSON contract: TEMPLATE.md key names, and OpenAI strict structured-output rules."""

import json
from typing import Any

from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.schema import PostMortem, postmortem_json_schema

TEMPLATE_KEYS = {
    "incident_id", "title", "status", "generated_by", "times", "severity", "impact",
    "customer_communication", "detection", "responders", "trigger", "root_cause", "timeline",
    "narrative", "hypotheses", "contributing_factors", "went_well", "went_poorly",
    "where_we_got_lucky", "lessons_learned", "action_items", "open_questions", "review_flags",
}  # fmt: skip


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


def test_template_keys_are_top_level_properties() -> None:
    props = set(postmortem_json_schema()["properties"])  # type: ignore[arg-type]
    assert props >= TEMPLATE_KEYS
    times = PostMortem.model_fields["times"].annotation
    assert times is not None
    assert set(times.model_fields) == {"start", "detected", "acknowledged", "mitigated", "resolved", "end"}


def test_schema_is_strict_compatible() -> None:
    schema = postmortem_json_schema()
    text = json.dumps(schema)
    assert '"default"' not in text
    objects = _objects(schema)
    assert len(objects) > 10
    for obj in objects:
        assert obj.get("additionalProperties") is False, obj.get("title")
        assert set(obj.get("required", [])) == set(obj["properties"]), obj.get("title")


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
