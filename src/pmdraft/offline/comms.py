"""Customer communication: status-page posts, support macros, replies and announcements to customers.

Status-page events are taken as they are; support replies are public agent comments on tickets
from support systems; chat counts only when it says a message went out to customers (posted,
sent, tweeted), not when people discuss whether to send one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pmdraft.events import Event
from pmdraft.offline._text import Tag, affirmed, quote
from pmdraft.offline.times import SUPPORT_FORMATS
from pmdraft.schema import Communication

#: Communications kept at most.
MAX_COMMUNICATIONS = 20

Channel = Literal["status_page", "email", "support", "social", "internal", "other"]

_SENT: tuple[tuple[Channel, re.Pattern[str]], ...] = (
    (
        "status_page",
        re.compile(
            r"\b(?:posted|published|updated|put up|pushed|sent)\b[^.?!\n]{0,40}?\bstatus ?page\b"
            r"|\bstatus ?page\b[^.?!\n]{0,30}?\b(?:is up|updated|posted|published|is live|now says|says)\b"
            r"|^\W*status ?page(?: update| post)?\W+"
            r"(?:investigating|identified|monitoring|resolved|update)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "support",
        re.compile(
            r"\b(?:macro|canned (?:response|reply)|saved reply)\b[^.?!\n]{0,40}?\b(?:sent|applied|used|"
            r"created|ready|live|published|added)\b"
            r"|\b(?:sent|applied|used|created|published|added)\b[^.?!\n]{0,40}?\b(?:macro|canned "
            r"(?:response|reply)|saved reply)\b"
            r"|\b(?:replied|responded|answered|wrote back)\b[^.?!\n]{0,30}?\b(?:customers?|users?|"
            r"clients?|merchants?|tickets?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "email",
        re.compile(
            r"\b(?:emailed|e-mailed|mailed)\b[^.?!\n]{0,30}?\b(?:customers?|users?|clients?|merchants?)\b"
            r"|\b(?:email|e-mail|notice|notification)\b[^.?!\n]{0,40}?\b(?:sent|went out)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "social",
        re.compile(
            r"\b(?:tweeted|posted on (?:twitter|x|mastodon|linkedin|bluesky))\b"
            r"|\btweet\b[^.?!\n]{0,20}?\b(?:is up|went out|posted|published)\b",
            re.IGNORECASE,
        ),
    ),
)


def _sent_in_chat(text: str) -> Channel | None:
    for channel, pattern in _SENT:
        if affirmed(pattern, text) is not None:
            return channel
    return None


def find_communications(
    events: Iterable[tuple[Event, Tag]], limit: int = MAX_COMMUNICATIONS
) -> list[Communication]:
    """What reached customers, in time order."""
    out: list[Communication] = []
    for event, tag in events:
        channel: Channel | None = None
        if tag is Tag.STATUS:
            channel = "status_page"
        elif (
            tag is Tag.TICKET_COMMENT
            and event.source_format in SUPPORT_FORMATS
            and event.attrs.get("visibility") != "internal"
            and not event.is_bot
        ):
            channel = "support"
        elif tag is Tag.CHAT:
            channel = _sent_in_chat(event.text)
        if channel is None:
            continue
        out.append(
            Communication(
                at=event.time,
                channel=channel,
                text=quote(event.text, 400),
                evidence=[event.id],
            )
        )
        if len(out) >= limit:
            break
    return out
