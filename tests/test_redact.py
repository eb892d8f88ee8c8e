"""Redaction: each documented token format is caught exactly, and ordinary incident text is left alone."""

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmdraft.events import Actor, Event, EventKind
from pmdraft.redact import RedactOptions, Redactor, people_in, restore

# Values built at run time, so no secret-scanner mistakes this file for a leak.
GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SLACK = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOp"
OPENAI = "sk-" + "proj-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
VENDOR = "rzp_live_" + "Qm3Xc8Vb2Nz7Lk4Jh9Gf"
OPAQUE = "7f3kQ9" + "zLm2Xw8RvT4pN6yB1cD5"
BASIC = "YWxlcnRzOm" + "h1bnRlcjJfcGFzcw=="
JWT = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

CASES = [
    ("key id AKIAZ3EXAMPLE7QWERTY in the env", "AKIAZ3EXAMPLE7QWERTY", "AWS_ACCESS_KEY"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_KEY"),
    ("gcp key AIzaSyA1234567890abcdefghijklmnopqrstuv leaked", "AIzaSyA1234567890abcdefghijklmnopqrstuv", "GCP_API_KEY"),
    ("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=bXlzZWNyZXRrZXlpc3Zlcnlsb25nYW5kcmFuZG9t==;", "bXlzZWNyZXRrZXlpc3Zlcnlsb25nYW5kcmFuZG9t==", "AZURE_KEY"),
    (f"token {GH} in CI logs", GH, "GITHUB_TOKEN"),
    ("glpat-" + "xYz12345678901234567 was pasted", "glpat-xYz12345678901234567", "GITLAB_TOKEN"),
    (f"bot token {SLACK}", SLACK, "SLACK_TOKEN"),
    (f"stripe {STRIPE} rotated", STRIPE, "STRIPE_KEY"),
    (f"OPENAI_API_KEY={OPENAI}", OPENAI, "OPENAI_KEY"),
    (f"Authorization: Bearer {JWT}", JWT, "JWT"),
    ("postgres://app:S3cr3tPass!@db-primary.internal:5432/app", "S3cr3tPass!", "URL_PASSWORD"),
    ("Server=db;User Id=sa;Password=Tr0ub4dor&3;", "Tr0ub4dor&3", "PASSWORD"),
    ("the password: hunter2x is in the runbook", "hunter2x", "PASSWORD"),
    ("mail jane.doe+billing@example.co.uk about it", "jane.doe+billing@example.co.uk", "EMAIL"),
    ("call +1 415-555-0142 now", "+1 415-555-0142", "PHONE"),
    ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111", "CARD_NUMBER"),
    ("dns_cloudflare_api_token = Zk7pQ2vX9mB4nR8tL1wC6yH3", "Zk7pQ2vX9mB4nR8tL1wC6yH3", "PASSWORD"),
    ("export DB_PASSWORD='n0t-a-w0rd'", "n0t-a-w0rd", "PASSWORD"),
    ("UK mobile +44 7700 900481 called", "+44 7700 900481", "PHONE"),
    ("Berlin +49 30 5550 1934 office", "+49 30 5550 1934", "PHONE"),
    ("NL +31 20 794 8812", "+31 20 794 8812", "PHONE"),
    ("phone: +1 415 555 0187.", "+1 415 555 0187", "PHONE"),
    (f"curl -H \"Authorization: Bearer {VENDOR}\" https://api.sms.example/v2", VENDOR, "API_KEY"),
    (f"new key from the console: {VENDOR}, putting it in Vault", VENDOR, "API_KEY"),
    (f"curl -H 'Authorization: Bearer {OPAQUE}' https://api.example.com", OPAQUE, "AUTH_HEADER"),
    (f"Authorization: Basic {BASIC}", BASIC, "AUTH_HEADER"),
    (f"auth header was Token {OPAQUE} until the rotation", OPAQUE, "AUTH_HEADER"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "secret", "kind"), CASES)
def test_each_format_is_replaced_by_a_typed_placeholder(text: str, secret: str, kind: str) -> None:
    redactor = Redactor()
    out = redactor.redact_text(text)
    assert secret not in out
    assert f"[{kind}_1]" in out
    assert redactor.map.values()[f"[{kind}_1]"] == secret


def test_private_key_block_is_replaced_whole() -> None:
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc==\n-----END RSA PRIVATE KEY-----"
    out = Redactor().redact_text(f"here:\n{block}\nthanks")
    assert out == "here:\n[PRIVATE_KEY_1]\nthanks"


@pytest.mark.parametrize(
    "text",
    [
        "error rate 31% on /api/v2/save, p99 8200 ms, 500s since 22:41",
        "ts 1709678460.000100 and build 2024.03.05-1",
        "the password reset flow is broken",
        "password: rotated",
        "token: [SLACK_TOKEN_1] already redacted",
        "card 4111 1111 1111 1112 fails Luhn",
        "deploy 2024-03-05 14:02:33 UTC, PR #4521, INC-1234",
        "10.0.3.17 is the primary",  # IPs only with the option
        "see https://grafana.example.com/d/abc?orgId=1&from=now-6h",
        "the bearer token expired at 14:02 and basic auth still works",
        "rotated the token for the deploy pipeline at 09:12",
        "we went live_test_mode yesterday",
    ],
)
def test_ordinary_incident_text_is_untouched(text: str) -> None:
    assert Redactor().redact_text(text) == text


def test_same_value_same_placeholder_and_distinct_values_numbered() -> None:
    r = Redactor()
    a = r.redact_text("a@example.com wrote to b@example.com")
    b = r.redact_text("again a@example.com")
    assert a == "[EMAIL_1] wrote to [EMAIL_2]"
    assert b == "again [EMAIL_1]"
    assert r.map.summary() == {"EMAIL": 2}


def test_ip_and_customer_options() -> None:
    r = Redactor(RedactOptions(ips=True, customer_names=("Globex Corp",)))
    out = r.redact_text("globex corp sees timeouts from 10.0.3.17")
    assert out == "[CUSTOMER_1] sees timeouts from [IP_ADDRESS_1]"


def _event(text: str, actor: str = "Priya Raman", eid: str = "slack:inc:1.000001") -> Event:
    return Event(
        id=eid,
        time=datetime(2024, 3, 5, 22, 41, tzinfo=UTC),
        kind=EventKind.CHAT,
        source_file="x",
        source_format="slack",
        actor=Actor(actor, "U1"),
        text=text,
    )


def test_names_become_stable_role_placeholders_when_asked() -> None:
    events = [_event("Dave Okafor, can you check?"), _event("@Priya on it", actor="Dave Okafor")]
    people = people_in(events)
    r = Redactor(RedactOptions(names=True), people=people)
    out = r.redact_events(events)
    assert out[0].actor.name == "[PERSON_2]"
    assert out[0].text == "[PERSON_1], can you check?"
    assert out[1].actor.name == "[PERSON_1]"
    assert out[1].text == "[PERSON_2] on it"
    plain = Redactor(people=people).redact_events(events)
    assert plain[0].text == "Dave Okafor, can you check?"


def test_event_redaction_records_where_and_keeps_ids() -> None:
    r = Redactor()
    e = _event("reach me at ops@example.com", eid="slack:inc:2.000001")
    out = r.redact_event(e)
    assert out.id == e.id and out.time == e.time
    assert out.text == "reach me at [EMAIL_1]"
    assert r.map.where == {"EMAIL": ["slack:inc:2.000001"]}


def test_map_file_is_owner_only_and_restores(tmp_path: Path) -> None:
    r = Redactor()
    text = r.redact_text("ping x@example.com")
    target = tmp_path / "cache" / "redaction-map.json"
    r.map.save(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert restore(text, r.map.values()) == "ping x@example.com"
