"""One check of OpenAI strict structured-output rules, for every schema pmdraft sends or publishes."""

from __future__ import annotations

import json
from typing import Any


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


def strict_schema_problems(schema: dict[str, Any]) -> list[str]:
    """What strict mode would reject: defaults, open objects, optional keys, free-form dicts."""
    problems = ['a "default" value'] if '"default"' in json.dumps(schema) else []
    objects = _objects(schema)
    if not objects:
        problems.append("no object in the schema")
    for obj in objects:
        title = obj.get("title", "?")
        if obj.get("additionalProperties") is not False:
            problems.append(f"{title}: additionalProperties is not false")
        if set(obj.get("required", [])) != set(obj.get("properties", {})):
            problems.append(f"{title}: not every property is required")
        for name, prop in obj.get("properties", {}).items():
            if prop.get("type") == "object" and "properties" not in prop:
                problems.append(f"{title}.{name}: free-form dict")
    return problems
