"""Action items in the shapes issue trackers import, so follow-ups land in the team's normal tracker.

* ``jira-csv``: Jira's CSV importer (System > External system import > CSV); map the columns
  Summary, Description, Issue Type, Assignee, Due Date and Labels on its mapping screen. Due dates
  are written as ``yyyy-MM-dd`` only when the sources state them as such; set that date format there.
* ``github-json``: a JSON array of GitHub REST "create an issue" bodies; post each with
  ``jq -c '.[]' actions.json | while read -r i; do gh api repos/O/R/issues --input - <<<"$i"; done``.

Owners are exported only as free text in the description and as the Jira assignee: a name in chat is
not an account, and the importer will ask to map it.
"""

from __future__ import annotations

import csv
import io
import json
import re

from pmdraft.errors import ConfigError
from pmdraft.schema import ActionItem, PostMortem

EXPORT_FORMATS = ("jira-csv", "github-json")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _summary(item: ActionItem, limit: int = 120) -> str:
    first = " ".join(item.description.split())
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _body(pm: PostMortem, item: ActionItem) -> str:
    lines = [item.description, ""]
    if item.risk_reduction:
        lines += [f"How it reduces risk: {item.risk_reduction}", ""]
    stated = "stated in the sources" if item.origin == "agreed" else "proposed by the draft"
    lines.append(f"Type: {item.type}. Origin: {item.origin} ({stated}).")
    if item.owner:
        lines.append(f"Owner (as stated): {item.owner}")
    if item.due:
        lines.append(f"Due (as stated): {item.due}")
    lines.append(f"From the post-mortem draft {pm.incident_id}: {pm.title}")
    if item.evidence:
        lines.append("Evidence: " + ", ".join(item.evidence))
    if item.unsupported:
        lines.append("Note: no source event supports this item; check it before filing.")
    return "\n".join(lines)


def _labels(pm: PostMortem, item: ActionItem) -> list[str]:
    return ["postmortem", f"action-{item.type}", pm.incident_id.lower().replace(" ", "-")]


def export_actions(pm: PostMortem, to: str) -> str:
    if to == "jira-csv":
        return _jira_csv(pm)
    if to == "github-json":
        return _github_json(pm)
    raise ConfigError(f"Unknown export format '{to}'. Known formats: {', '.join(EXPORT_FORMATS)}.")


def _jira_csv(pm: PostMortem) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Summary", "Description", "Issue Type", "Assignee", "Due Date", "Labels", "Labels", "Labels"]
    )
    for item in pm.action_items:
        due = item.due if item.due and _ISO_DAY.match(item.due) else ""
        writer.writerow([_summary(item), _body(pm, item), "Task", item.owner or "", due, *_labels(pm, item)])
    return out.getvalue()


def _github_json(pm: PostMortem) -> str:
    issues = [
        {"title": _summary(item), "body": _body(pm, item), "labels": _labels(pm, item)}
        for item in pm.action_items
    ]
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"
