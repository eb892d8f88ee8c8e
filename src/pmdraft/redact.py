"""Secrets and personal data -> typed, consistent placeholders, before anything leaves the machine.

Why hand-written patterns: detect-secrets reports the line, not the span, and misses unquoted
``password: X`` in prose; Presidio needs a language-model download. The patterns below follow each
token's documented format; docs/redaction.md lists what is covered.

The same value always gets the same placeholder (``[EMAIL_1]`` everywhere), so a model can still
see that two messages talk about the same customer. The placeholder -> value map stays on local disk
(mode 0600) and is never part of a prompt or a draft unless ``--restore`` asks for a local copy.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pmdraft.events import Actor, Event


def _luhn_ok(digits: str) -> bool:
    nums = [int(c) for c in digits if c.isdigit()]
    if not 13 <= len(nums) <= 19:
        return False
    total = 0
    for i, n in enumerate(reversed(nums)):
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())


_COMMON_NON_SECRETS = frozenset(
    "reset rotated rotation expired redacted changed required none null true false yes no empty "
    "removed updated invalid wrong missing here there same".split()
)


def _secret_value_ok(value: str) -> bool:
    """A generic ``password: X`` value worth hiding: not a plain word, or long and random-looking."""
    stripped = value.strip("'\"`")
    if len(stripped) < 6 or stripped.lower() in _COMMON_NON_SECRETS or stripped.startswith("["):
        return False
    has_digit = any(c.isdigit() for c in stripped)
    has_symbol = any(not c.isalnum() for c in stripped)
    return has_digit or has_symbol or (len(stripped) >= 12 and _entropy(stripped) > 3.0)


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    #: Which regex group holds the secret (0 = whole match); the rest of the match is kept.
    group: int = 0
    check: Callable[[str], bool] | None = None


_SECRET_RULES: tuple[_Rule, ...] = (
    _Rule(
        "PRIVATE_KEY",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)",
            re.S,
        ),
    ),
    _Rule("AWS_ACCESS_KEY", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b")),
    _Rule(
        "AWS_SECRET_KEY",
        re.compile(
            r"(?i)aws.{0,20}?(?:secret|key).{0,20}?[=:]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        group=1,
    ),
    _Rule("GCP_API_KEY", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])")),
    _Rule(
        "AZURE_KEY",
        re.compile(r"(?i)(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2})"),
        group=1,
    ),
    _Rule("GITHUB_TOKEN", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})")),
    _Rule("GITLAB_TOKEN", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    _Rule("SLACK_TOKEN", re.compile(r"\bxox[abposer]-[A-Za-z0-9-]{10,}")),
    _Rule(
        "SLACK_WEBHOOK",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"),
    ),
    _Rule("STRIPE_KEY", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}")),
    # Other providers follow Stripe's <prefix>_live_/<prefix>_test_ convention (rzp_live_, kst_live_...).
    _Rule("API_KEY", re.compile(r"\b[a-z][a-z0-9]{1,9}_(?:live|test|prod|sandbox)_[A-Za-z0-9]{16,}")),
    _Rule("OPENAI_KEY", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    _Rule("JWT", re.compile(r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{10,}")),
    # Credentials in HTTP headers as pasted from curl or a log: the scheme word stays, the value goes.
    _Rule(
        "AUTH_HEADER",
        re.compile(r"(?i)\b(?:bearer|basic|token)\s+([A-Za-z0-9._~+/\-]{16,}={0,2})(?![A-Za-z0-9._~+/=\-])"),
        group=1,
        check=_secret_value_ok,
    ),
    # scheme://user:password@host — only the password is replaced, so the host stays readable.
    _Rule(
        "URL_PASSWORD",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@\[\]]+:([^\s@/\[\]]+)@[^\s]"),
        group=1,
    ),
    # Password=...; in ADO/JDBC-style connection strings, and password/token/secret assignments.
    _Rule(
        "PASSWORD",
        re.compile(
            r"(?i)\b(?:\w*?_)?(?:password|passwd|pwd|pass|secret|client_secret|api[_-]?key|access[_-]?token|"
            r"auth[_-]?token|token)\b[\"']?\s*(?:=|:|\s+is\s+)\s*[\"']?([^\s\"';,)]+)"
        ),
        group=1,
        check=_secret_value_ok,
    ),
)

_PII_RULES: tuple[_Rule, ...] = (
    _Rule(
        "EMAIL",
        re.compile(
            r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z]{2,})+"
        ),
    ),
    _Rule(
        "CARD_NUMBER",
        re.compile(r"(?<![\d.])(?:\d[ -]?){12,18}\d(?![\d.])"),
        check=_luhn_ok,
    ),
    _Rule(
        "PHONE",
        re.compile(
            # +CC then groups of digits (any national grouping), or a national number in 3 groups.
            r"(?<![\w+.])(?<!\d[ \-])(?:\+\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{2,5}(?:[ .\-]?\d{2,8}){1,3}"
            r"|(?:\(\d{2,4}\)[ .\-]?|\d{2,4}[ .\-])\d{3,4}[ .\-]\d{3,4})(?!\w|\.\d)(?![ \-]\d)"
        ),
        check=lambda v: 9 <= sum(c.isdigit() for c in v) <= 15,
    ),
)

_IP_RULES: tuple[_Rule, ...] = (
    _Rule(
        "IP_ADDRESS",
        re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"),
    ),
)


@dataclass(frozen=True)
class RedactOptions:
    ips: bool = False
    customer_names: tuple[str, ...] = ()
    #: Replace participants' names with stable role placeholders ([PERSON_1]).
    names: bool = False


@dataclass
class RedactionMap:
    """Placeholder <-> value, consistent across one run (and across reruns of the same inputs)."""

    by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    #: Event ids where each placeholder type was applied, for the review flags.
    where: dict[str, list[str]] = field(default_factory=dict)

    def placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        found = self.by_value.get(key)
        if found is None:
            self.counts[kind] += 1
            found = f"[{kind}_{self.counts[kind]}]"
            self.by_value[key] = found
        return found

    def values(self) -> dict[str, str]:
        """placeholder -> original value."""
        return {ph: value for (_, value), ph in self.by_value.items()}

    def summary(self) -> dict[str, int]:
        """Distinct values redacted, by type."""
        return dict(sorted(self.counts.items()))

    def save(self, path: Path) -> None:
        """Write the map for ``--restore``; readable by the owner only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.values(), f, ensure_ascii=False, indent=1)
        os.chmod(path, 0o600)


def restore(text: str, values: dict[str, str]) -> str:
    """Put the original values back (for a local copy only)."""
    if not values:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(values, key=len, reverse=True)))
    return pattern.sub(lambda m: values[m.group(0)], text)


class Redactor:
    """Applies the rules in a fixed order (secrets before PII) to any text, sharing one map."""

    def __init__(self, options: RedactOptions | None = None, people: Collection[str] = ()) -> None:
        self.options = options or RedactOptions()
        self.map = RedactionMap()
        rules = list(_SECRET_RULES) + list(_PII_RULES)
        if self.options.ips:
            rules += list(_IP_RULES)
        self._rules = rules
        self._customers = _word_list_pattern(self.options.customer_names)
        self._people = _word_list_pattern(people) if self.options.names else None
        self._people_order = {p: i for i, p in enumerate(sorted(set(people)), 1)}
        self._aliases = _aliases(self._people_order)
        if self.options.names:
            self._people = _word_list_pattern(self._aliases)
        #: attrs values (channel names, services, statuses) repeat on every event: clean ones are kept.
        self._clean_values: set[str] = set()

    def redact_text(self, text: str, where: str | None = None) -> str:
        if not text:
            return text
        for rule in self._rules:
            if rule.pattern.search(text) is not None:  # most texts match no rule: skip the sub machinery
                text = self._apply(rule, text, where)
        if self._customers is not None:
            text = self._customers.sub(lambda m: self._note("CUSTOMER", m.group(0), where), text)
        if self._people is not None:
            text = self._people.sub(lambda m: self._person(m.group(0), where), text)
        return text

    def _apply(self, rule: _Rule, text: str, where: str | None) -> str:
        def swap(m: re.Match[str]) -> str:
            secret = m.group(rule.group)
            if secret is None or (rule.check is not None and not rule.check(secret)):
                return m.group(0)
            if rule.group == 0:
                return self._note(rule.kind, secret, where)
            start, end = m.start(rule.group) - m.start(0), m.end(rule.group) - m.start(0)
            whole = m.group(0)
            return whole[:start] + self._note(rule.kind, secret, where) + whole[end:]

        return rule.pattern.sub(swap, text)

    def _note(self, kind: str, value: str, where: str | None) -> str:
        if where is not None:
            places = self.map.where.setdefault(kind, [])
            if not places or places[-1] != where:
                places.append(where)
        return self.map.placeholder(kind, value)

    def _person(self, name: str, where: str | None) -> str:
        bare = name.lstrip("@")
        canonical = self._aliases.get(bare.lower(), bare)
        key = ("PERSON", canonical)
        if key not in self.map.by_value:
            self.map.counts["PERSON"] += 1
            self.map.by_value[key] = (
                f"[PERSON_{self._people_order.get(canonical, self.map.counts['PERSON'])}]"
            )
        if where is not None:
            self.map.where.setdefault("PERSON", []).append(where)
        return self.map.by_value[key]

    def redact_event(self, event: Event) -> Event:
        actor = event.actor
        if self._people is not None and not actor.is_bot:
            actor = Actor(name=self.redact_text(actor.name), id=None, is_bot=actor.is_bot)
        attrs = {k: self._redact_value(v, event.id) for k, v in event.attrs.items()} if event.attrs else {}
        text = self.redact_text(event.text, event.id)
        url = self.redact_text(event.url, event.id) if event.url else event.url
        if text == event.text and url == event.url and actor is event.actor and attrs == event.attrs:
            return event  # nothing to replace: no copy (200k events in a large export)
        return replace(event, text=text, url=url, actor=actor, attrs=attrs)

    def _redact_value(self, value: str, where: str) -> str:
        if value in self._clean_values:
            return value
        out = self.redact_text(value, where)
        if out == value:
            self._clean_values.add(value)
        return out

    def redact_events(self, events: Iterable[Event]) -> list[Event]:
        return [self.redact_event(e) for e in events]


def _aliases(people: Iterable[str]) -> dict[str, str]:
    """Lower-cased full names, plus first names that belong to exactly one person."""
    full = {p.lower(): p for p in people}
    firsts: dict[str, list[str]] = {}
    for p in people:
        first = p.split()[0] if p.split() else p
        if len(first) >= 3 and first.lower() != p.lower():
            firsts.setdefault(first.lower(), []).append(p)
    out = {k: v[0] for k, v in firsts.items() if len(v) == 1 and k not in full}
    out.update(full)
    return out


def _word_list_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted({w.strip() for w in words if w and len(w.strip()) >= 2}, key=len, reverse=True)
    if not cleaned:
        return None
    return re.compile(
        r"(?<![\w@])@?(?:" + "|".join(re.escape(w) for w in cleaned) + r")(?!\w)", re.IGNORECASE
    )


def people_in(events: Sequence[Event]) -> list[str]:
    """Human participants' display names, as the sources know them."""
    return sorted({e.actor.name for e in events if not e.actor.is_bot and e.actor.name not in ("", "system")})
