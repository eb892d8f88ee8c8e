"""Recognize the operational posts in chat: alert bots, deploy and rollback bots, status page updates.

Chat adapters (Slack, Discord, Teams, IRC logs, ...) call ``classify_chat`` for every message.
It is deliberately conservative: only posts made by a bot, or by an actor whose name is a known
tool (``alertmanager``, ``deploybot``), are ever classified, and only on the opening words, because
people *talk about* deploys and alerts all the time ("did the deploy break it?") and a
post-mortem that mistakes that for a deploy event would invent a timeline. Everything else is CHAT.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pmdraft.events import EventKind

__all__ = ["classify_chat", "is_tool_actor"]

#: Actor names of tools that post operational events into chat even without a bot flag (IRC, paste).
_TOOL_ACTOR = re.compile(
    r"(?:^|[\W_])(?:alertmanager|prometheus|grafana|datadog|pagerduty|opsgenie|statuspage|status[ _-]?page"
    r"|sentry|newrelic|new relic|nagios|zabbix|icinga|victorops|splunk|argo ?cd|argocd|spinnaker|jenkins"
    r"|github[ -]actions|gitlab|circleci|buildkite|fluxcd|hubot|deploy|release|alert|monitoring)",
    re.IGNORECASE,
)
_BOT_NAME = re.compile(r"(?:^|[\W_])bot(?:$|[\W_])", re.IGNORECASE)

#: Leading decoration bots put before the status word: emoji shortcodes, bullets, bold/italic marks.
_LEAD = re.compile(r"^(?:\s|:[\w+-]+:|[*_~`>•|]|[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F])+")

_ALERT_STATE = re.compile(
    r"""^(?:
        \[(?P<bracket>firing|alerting|triggered|re-?triggered|critical|warn(?:ing)?|no\ data
                     |resolved|recovered|ok|acknowledged|acked)(?::\s*\d+)?\]
      | (?P<word>firing|alerting|triggered|re-?triggered|problem|resolved|recovered|acknowledged)\b(?!\?)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_RESOLVE_WORDS = frozenset({"resolved", "recovered", "ok"})
_ACK_WORDS = frozenset({"acknowledged", "acked"})

_STATUS_PAGE_ACTOR = re.compile(r"status[ _-]?page|statuspage|status\.io|instatus", re.IGNORECASE)
_STATUS_PAGE_TEXT = re.compile(r"\bstatus[ _-]?page\b|\bstatuspage\b", re.IGNORECASE)
_STATUS_PAGE_STATE = re.compile(
    r"\b(?:investigating|identified|monitoring|resolved|scheduled|in progress|degraded performance"
    r"|partial outage|major outage|operational)\b",
    re.IGNORECASE,
)

_ROLLBACK = re.compile(r"\b(?:roll(?:ed|ing)?[ -]?back|rollback)\b", re.IGNORECASE)
_DEPLOY = re.compile(
    r"\b(?:deploy(?:ed|ing|ment|s)?|released?|rolled out|rolling out|shipped)\b"
    r"|\bsync (?:succeeded|started|operation)\b",
    re.IGNORECASE,
)
_HEAD_CHARS = 200


def classify_chat(text: str, actor_name: str, is_bot: bool) -> EventKind:
    """The kind of a chat post: an operational event when a bot or tool said so, else CHAT.

    Alert state is read only from the opening word (``[FIRING:1]``, ``[RESOLVED]``,
    ``Triggered``, ``Recovered``); deploy and rollback words must appear in the first line.
    """
    if not is_bot and not is_tool_actor(actor_name):
        return EventKind.CHAT
    head = _LEAD.sub("", text[:_HEAD_CHARS])
    first_line = head.split("\n", 1)[0]
    if _STATUS_PAGE_ACTOR.search(actor_name):
        return EventKind.STATUS_PAGE
    state = _ALERT_STATE.match(head)
    if state:
        word = (state.group("bracket") or state.group("word")).lower()
        if word in _RESOLVE_WORDS:
            return EventKind.ALERT_RESOLVE
        if word in _ACK_WORDS:
            return EventKind.ALERT_ACK
        return EventKind.ALERT_TRIGGER
    if _STATUS_PAGE_TEXT.search(first_line) and _STATUS_PAGE_STATE.search(head):
        return EventKind.STATUS_PAGE
    if _ROLLBACK.search(first_line):
        return EventKind.ROLLBACK
    if _DEPLOY.search(first_line):
        return EventKind.DEPLOY
    return EventKind.CHAT


@lru_cache(maxsize=4096)
def is_tool_actor(actor_name: str) -> bool:
    """True for names like ``alertmanager``, ``deploy-bot`` or ``Grafana``: tools, not people."""
    return bool(_TOOL_ACTOR.search(actor_name) or _BOT_NAME.search(actor_name))
