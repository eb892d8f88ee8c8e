"""Slack mrkdwn control sequences, Block Kit and attachments to plain text."""

from __future__ import annotations

import pytest

from pmdraft.ingest._slack_markup import (
    attachments_to_text,
    blocks_to_text,
    decode_slack_text,
    unescape_slack,
)

USERS = {"U123": "alice", "U456": "Bob Ortiz"}
CHANNELS = {"C999": "incidents"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@U123> ping", "@alice ping"),
        ("<@U123|old-handle> ping", "@old-handle ping"),
        ("<@U777> unknown user", "@U777 unknown user"),
        ("see <#C123|general>", "see #general"),
        ("see <#C999>", "see #incidents"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!here|@here> legacy", "@here legacy"),
        ("<!subteam^S0ONCALL|@sre-oncall> please look", "@sre-oncall please look"),
        ("<!subteam^S0ONCALL|sre> please look", "@sre please look"),
        ("since <!date^1709682612^{date_short} at {time}|Mar 5 at 23:50 UTC>", "since Mar 5 at 23:50 UTC"),
        ("since <!date^1709682612^{date}>", "since 2024-03-05 23:50 UTC"),
        (
            "<https://grafana.example.com/d/abc|the dashboard>",
            "the dashboard (https://grafana.example.com/d/abc)",
        ),
        ("<https://x.example.com/a?b=1&amp;c=2>", "https://x.example.com/a?b=1&c=2"),
        ("<http://example.com|example.com>", "http://example.com"),
        ("mail <mailto:oncall@example.com|oncall@example.com>", "mail oncall@example.com"),
        ("mail <mailto:oncall@example.com>", "mail oncall@example.com"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
        ("5 &lt; 6 and <@U456>", "5 < 6 and @Bob Ortiz"),
        (":fire: *bold* _it_ ~gone~", ":fire: *bold* _it_ ~gone~"),
        ("no markup at all", "no markup at all"),
        ("", ""),
    ],
)
def test_decode_slack_text(raw: str, expected: str) -> None:
    assert decode_slack_text(raw, USERS, CHANNELS) == expected


def test_entities_are_unescaped_after_control_sequences() -> None:
    # "&lt;@U123&gt;" is the literal text <@U123> typed by a person, not a mention.
    assert decode_slack_text("&lt;@U123&gt; and <@U123>", USERS) == "<@U123> and @alice"
    assert unescape_slack("&amp;amp;") == "&amp;"


def test_rich_text_blocks() -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "rolled back "},
                        {"type": "link", "url": "https://ci.example.com/1", "text": "build 1"},
                        {"type": "text", "text": ", cc "},
                        {"type": "user", "user_id": "U123"},
                        {"type": "text", "text": " in "},
                        {"type": "channel", "channel_id": "C999"},
                        {"type": "text", "text": " "},
                        {"type": "emoji", "name": "white_check_mark"},
                        {"type": "text", "text": " "},
                        {"type": "broadcast", "range": "here"},
                        {"type": "text", "text": " <raw>"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "ordered",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "first"}]},
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "second"}]},
                    ],
                },
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted\nlines"}]},
                {
                    "type": "rich_text_preformatted",
                    "elements": [{"type": "text", "text": "kubectl get pods"}],
                },
            ],
        }
    ]
    assert blocks_to_text(blocks, USERS, CHANNELS) == (
        "rolled back build 1 (https://ci.example.com/1), cc @alice in #incidents :white_check_mark: @here <raw>\n"
        "1. first\n2. second\n"
        "> quoted\n> lines\n"
        "```\nkubectl get pods\n```"
    )


def test_section_header_context_and_unknown_blocks() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Incident #42 & friends"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Status:* &lt;firing&gt; for <@U456>"},
            "fields": [{"type": "mrkdwn", "text": "*Service*\ncheckout"}],
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "via PagerDuty"}, {"type": "image", "alt_text": "logo"}],
        },
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Ack"}}]},
        {"type": "some_future_block", "text": {"type": "plain_text", "text": "still readable"}},
        "not a block",
    ]
    assert blocks_to_text(blocks, USERS) == (
        "Incident #42 & friends\n*Status:* <firing> for @Bob Ortiz\n*Service*\ncheckout\n"
        "via PagerDuty logo\nAck\nstill readable"
    )
    assert blocks_to_text(None) == ""
    assert blocks_to_text({"type": "rich_text"}) == ""


def test_attachments_alert_bot_payload() -> None:
    attachments = [
        {
            "color": "danger",
            "title": "[FIRING:2] HighLatency",
            "title_link": "https://am.example.com/#/alerts",
            "text": "p99 &gt; 2s on <@U123>'s service",
            "fields": [{"title": "severity", "value": "page"}, {"title": "", "value": "no title"}],
            "fallback": "ignored because there is content",
        }
    ]
    assert attachments_to_text(attachments, USERS) == (
        "[FIRING:2] HighLatency (https://am.example.com/#/alerts)\np99 > 2s on @alice's service\n"
        "severity: page\nno title"
    )


def test_attachments_fallback_and_unfurls() -> None:
    assert (
        attachments_to_text([{"fallback": "[RESOLVED] HighLatency", "color": "good"}])
        == "[RESOLVED] HighLatency"
    )
    unfurl = {"original_url": "https://status.example.com", "title": "Status", "text": "All good"}
    assert attachments_to_text([unfurl]) == ""
    assert attachments_to_text([unfurl], include_unfurls=True) == "Status\nAll good"
    assert attachments_to_text("nope") == ""
