"""Responders' hypotheses and what settled them.

* **Raised**: a sentence proposing a cause ('could it be the DB?', 'I think it's the new flag', 'maybe
  the cache'), or, while responders are still investigating, a bare noun-phrase question ('DNS?',
  'connection pool exhaustion?').
* **Settled**: a later message rules it out ('not the DB', 'cache looks fine', 'red herring') or
  confirms it ('confirmed, it's the flag', 'found it') **and** names the same thing (a content word
  shared with the proposal message) or replies in its thread with a bare verdict ('nope').
* **Standalone verdicts**: 'not the CDN.' or 'confirmed cause: ...' that settle nothing raised
  earlier are hypotheses too (someone held them, or they would not be ruled in or out), with the
  verdict message as their evidence.

Unsettled hypotheses stay ``open`` and become open questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pmdraft.events import Event
from pmdraft.offline._text import Cue, Tag, own_words, quote, sentence_at, sentences
from pmdraft.schema import Hypothesis

#: Hypotheses kept at most.
MAX_HYPOTHESES = 15
#: How long after a hypothesis a verdict may still settle it.
SETTLE_WITHIN = timedelta(hours=6)

_PROPOSE = Cue(
    r"could|might|can it|would it|is it|is this|is that|maybe|perhaps|possibly|think|suspect|reckon|bet"
    r"|guess|money|wonder|hypothesis|theory|smells|looks like|seems like",
    re.compile(
        r"\b(?:could (?:it|this|that) be|could be (?=(?:it|that|the|a|an|our)\b)|might (?:it|this|that) be"
        r"|can it be|would it be"
        r"|is (?:it|this|that) (?=(?:the|a|an|our|related|caused|due|because)\b)"
        r"|maybe (?=(?:it'?s|this is|that'?s|the|a|an|our|related|caused|due|because)\b)"
        r"|perhaps (?=(?:it'?s|the|a|an|our)\b)|possibly (?=(?:the|a|an|our|related)\b)"
        r"|i think (?=(?:it'?s|it is|this is|that'?s|the|a|an|our)\b)|i (?:suspect|reckon|bet)"
        r"|suspect(?:ing)? (?=(?:the|a|an|our|it'?s|that)\b)|my (?:guess|bet|money) is(?: on)?"
        r"|wonder(?:ing)? if (?=(?:it'?s|the|this|that|our|a|an)\b)|hypothesis:|theory:|smells like"
        r"|(?:looks|seems) like (?:it'?s |it is |the |a |an )?(?=[^.?!\n]{0,50}\b(?:caus\w*|culprit|"
        r"to blame|responsible|because|due to)\b))",
        re.IGNORECASE,
    ),
)
_NOT_A_CAUSE = re.compile(
    r"^\s*(?:we|i|you|they|someone|somebody)\b|^\s*(?:time|worth|better|safer|best|good idea|okay|ok|fine|"
    r"fixed|done|working|over|recover\w*|back|resolved)\b",
    re.IGNORECASE,
)
_RULED_OUT = Cue(
    r"not|n'?t\b|rul|exclud|fine|normal|healthy|ok|clean|unchanged|flat|good|nothing|no |nope|herring"
    r"|unrelated|dead end",
    re.compile(
        r"\b(?:not (?:the|a|an|it|that|our|related|caused|due)|isn'?t (?:the|it|that|our|related)"
        r"|wasn'?t (?:the|it|that|our)|(?:ruled|rules|rule|ruling) out|excluded|(?:is|are|looks?"
        r"|seems?) (?:fine|"
        r"normal|healthy|ok|okay|clean|unchanged|flat|good)|nothing (?:wrong|unusual|odd|weird|interesting) "
        r"(?:with|in|on)|no (?:issues?|problems?|sign|signs|anomal\w*|errors?) (?:with|in|on|of)"
        r"|that'?s not it|not it\b|nope\b|red herring|unrelated|dead end|didn'?t (?:help|change))",
        re.IGNORECASE,
    ),
)
_CONFIRMED = Cue(
    r"confirm|that'?s it|that'?s the|found|root cause|culprit|definitely|yep|yes|yeah|bingo|smoking|explain",
    re.compile(
        r"\b(?:confirmed|confirms|confirming|that'?s it\b|that'?s the (?:cause|culprit|problem|issue|one)"
        r"|found (?:it|the (?:cause|culprit|problem|issue|bug))|root cause (?:is|was)|culprit"
        r"|(?:it'?s|it is|it was) definitely|definitely (?:the|it'?s)|(?:yep|yes|yeah),? (?:it'?s|that'?s)"
        r"|bingo|smoking gun|(?:that|which) explains|explains (?:it|the|why))",
        re.IGNORECASE,
    ),
)
#: 'not the CDN.' / 'ok so not the deploy' / 'not DNS:' at the start of a sentence.
_NAMED_RULE_OUT = Cue(
    r"not|rul",
    re.compile(
        r"^\W*(?:(?:ok(?:ay)?|so|yeah|nope|no|right|hm+)\W+)*not (?P<obj>(?:the |a |an |our )?[^\s,.;:!?]+"
        r"(?: [^\s,.;:!?]+){0,3}?)\s*(?:[,.;:!—–-]|$)"
        r"|^\W*(?P<obj2>(?:the |a |an |our )?[^\s,.;:!?]+(?: [^\s,.;:!?]+){0,3}?) (?:is |was )?ruled out\b",
        re.IGNORECASE,
    ),
)
_NOT_OBJECTS = frozenset(
    """sure yet now really much everyone everybody all only quite great ideal good bad that this it me you
    us many always necessarily exactly related seeing seen happening working helping convinced clear
    certain too so very though either anymore""".split()
)
_CAUSE_STATED = Cue(
    r"cause",
    re.compile(
        r"\bconfirmed (?:root )?cause\b|\broot cause (?:is|was)\b|\b(?:is|was) (?:our|the) (?:root )?cause\b"
        r"|\bthat'?s (?:our|the) (?:root )?cause\b|\bcause (?:is|was) confirmed\b",
        re.IGNORECASE,
    ),
)
#: Words that make a question something other than a proposed cause ('is there a bridge?', 'any ETA?').
_NOT_NP = frozenset(
    """is are was were am be do does did has have had can could will would should shall may might must
    i we you they he she who what when where why how which whose whom any anyone anybody anything eta
    someone somebody please thanks thank ok okay done""".split()
)
_NP_WORD = re.compile(r"[\w'./-]+")
_BARE_VERDICT = re.compile(
    r"^\W*(?:nope|no|nah|yes|yep|yeah|confirmed|bingo|that'?s it|not it|ruled out)\b", re.IGNORECASE
)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """a an the it its it's is are was were be been being this that these those there here of in on at to
    for from by with and or but not no yes yep nope maybe could would should might can will just also
    so too very really think thought suspect guess wonder if what about something some any our we i you
    they he she them us my your their me do does did has have had get got getting looks look looking
    seems like because due caused cause causing related issue issues problem problems error errors thing
    still now then again again already all out up down off over one ok okay fine right wrong sure
    confirmed confirm confirms definitely found that's isn't wasn't ruled rule rules red herring
    culprit root explains explain which who why when how much many more less see seeing seen
    normal healthy clean good unchanged flat nothing unusual odd weird interesting sign signs anomaly
    possibly perhaps bet reckon smells hypothesis theory probably likely""".split()
)
_SYNONYMS = {
    "database": "db",
    "databases": "db",
    "postgres": "db",
    "postgresql": "db",
    "mysql": "db",
    "kubernetes": "k8s",
    "configuration": "config",
    "cfg": "config",
    "toggle": "flag",
    "deployment": "deploy",
    "deployed": "deploy",
    "release": "deploy",
}


def content_words(text: str) -> frozenset[str]:
    """Lower-case content words with light normalization, for 'names the same thing' matching.

    Compound names split into their parts ('cache-3' gives 'cache'), so a node and its cluster match.
    """
    out: set[str] = set()
    for word in _WORD.findall(text.lower()):
        if len(word) < 2 or word in _STOP or word.isdigit():
            continue
        word = _SYNONYMS.get(word, word)
        if len(word) > 3 and word[-1] == "s" and word[-2] != "s":
            word = _SYNONYMS.get(word[:-1], word[:-1])
        out.add(word)
    return frozenset(out)


@dataclass
class _Raised:
    event: Event
    sentence: str
    #: Content words of the proposing sentence (a shared one links a verdict on its own).
    words: frozenset[str]
    #: Content words of the whole message, minus the incident's common words (weaker evidence).
    context: frozenset[str]


def _proposal(event: Event, text: str, questions: bool, common: frozenset[str]) -> _Raised | None:
    """The first proposed cause in ``text`` (the speaker's own words of ``event``)."""
    for m in _PROPOSE.finditer(text):
        rest = text[m.end() : m.end() + 120]
        if _NOT_A_CAUSE.match(rest):
            continue
        sentence = sentence_at(text, m.start())
        words = content_words(sentence[sentence.find(m.group(0)) + len(m.group(0)) :] or rest)
        context = content_words(text) - common
        if words or context:
            return _Raised(event, sentence, words, context)
    if questions and "?" in text:
        for sentence in sentences(text):
            for piece in re.split(r"(?<=\?)\s+", sentence):
                if _is_noun_phrase_question(piece):
                    words = content_words(piece.rsplit(":", 1)[-1])
                    return _Raised(event, piece, words, content_words(text) - common)
    return None


def _is_noun_phrase_question(sentence: str) -> bool:
    """'DNS?' or 'next thing: connection pool exhaustion?': a short question naming a thing, no verb."""
    if not sentence.endswith("?"):
        return False
    tail = sentence.rsplit(":", 1)[-1]
    words = [w.lower().strip(".,") for w in _NP_WORD.findall(tail)]
    return 0 < len(words) <= 8 and not any(w in _NOT_NP for w in words) and bool(content_words(tail))


#: Messages sampled (evenly) to estimate the incident's common words.
COMMON_SAMPLE = 4000


def common_words(texts: Sequence[str], share: float = 0.04, floor: int = 6) -> frozenset[str]:
    """Words in more than ``share`` of the messages (and at least ``floor``): the incident's topic
    ('dashboard' in a dashboard incident) says nothing about which hypothesis a verdict settles."""
    step = max(1, len(texts) // COMMON_SAMPLE)
    texts = texts[::step]
    counts: dict[str, int] = {}
    for text in texts:
        for word in content_words(text):
            counts[word] = counts.get(word, 0) + 1
    limit = max(floor, int(len(texts) * share))
    return frozenset(w for w, n in counts.items() if n > limit)


Verdict = Literal["wrong", "right"]
_CHECKS: tuple[tuple[Cue, Verdict], ...] = ((_RULED_OUT, "wrong"), (_CONFIRMED, "right"))


def _verdict(event: Event, text: str, raised: _Raised) -> tuple[Verdict, str] | None:
    """('wrong'|'right', settling sentence) when ``event`` (own words ``text``) settles ``raised``."""
    same_thread = event.thread_id is not None and event.thread_id in (
        raised.event.thread_id,
        raised.event.id,
    )
    for sentence in sentences(text):
        m = _NAMED_RULE_OUT.match(sentence)
        named = content_words(m.group("obj") or m.group("obj2")) if m is not None else frozenset()
        if named & (raised.words | raised.context):
            return "wrong", sentence
    for pattern, status in _CHECKS:
        for m in pattern.finditer(text):
            sentence = sentence_at(text, m.start())
            if sentence.rstrip().endswith("?"):
                continue
            if status == "right" and _RULED_OUT.search(sentence):
                continue
            said = content_words(sentence)
            if said & (raised.words | raised.context) or (same_thread and _BARE_VERDICT.match(text)):
                return status, sentence
    return None


def _standalone(event: Event, text: str) -> Hypothesis | None:
    """A verdict that settles nothing raised earlier: 'not the CDN.' (wrong), 'confirmed cause: …' (right)."""
    for sentence in sentences(text):
        m = _NAMED_RULE_OUT.match(sentence)
        if m is not None:
            obj = (m.group("obj") or m.group("obj2")).strip()
            if not any(w.lower() in _NOT_OBJECTS for w in obj.split()) and content_words(obj):
                return _settled(obj, event, "wrong", sentence)
        if _CAUSE_STATED.search(sentence) and not sentence.rstrip().endswith("?"):
            return _settled(sentence, event, "right", sentence)
    return None


def _settled(text: str, event: Event, status: Verdict, sentence: str) -> Hypothesis:
    return Hypothesis(
        text=quote(text),
        raised_at=event.time,
        status=status,
        settled_by=quote(sentence),
        evidence=[event.id],
        settled_evidence=[event.id],
        unsupported=False,
    )


def find_hypotheses(
    events: Sequence[tuple[Event, Tag]],
    until: datetime | None = None,
    questions_from: datetime | None = None,
) -> list[Hypothesis]:
    """Hypotheses in ``events`` (chat and notes), each linked to the first message settling it.

    Proposals are read up to ``until`` (the mitigation, after which people discuss the confirmed
    cause); bare noun-phrase questions only from ``questions_from`` (detection) to ``until``.
    """
    said = [
        (e, t, own_words(e.text)) for e, t in events if t in (Tag.CHAT, Tag.ALERT_OTHER, Tag.TICKET_COMMENT)
    ]
    common = common_words([text for _, t, text in said if t is Tag.CHAT])
    raised: list[tuple[_Raised | None, Hypothesis]] = []
    seen: set[tuple[str, ...]] = set()
    for event, tag, text in said:
        if len(raised) >= MAX_HYPOTHESES:
            break
        settled_any = False
        if _RULED_OUT.search(text) or _CONFIRMED.search(text) or _NAMED_RULE_OUT.could_match(text):
            for item, hyp in raised:
                if item is None or hyp.status != "open" or event.time - item.event.time > SETTLE_WITHIN:
                    continue
                verdict = _verdict(event, text, item)
                if verdict is not None:
                    hyp.status = verdict[0]
                    hyp.settled_by = quote(verdict[1])
                    hyp.settled_evidence = [event.id]
                    settled_any = True
        if until is not None and event.time > until:
            continue
        if not settled_any and tag is Tag.CHAT:
            standalone = _standalone(event, text)
            if standalone is not None:
                raised.append((None, standalone))
                continue
        questions = tag is Tag.CHAT and (questions_from is None or event.time >= questions_from)
        proposal = _proposal(event, text, questions, common)
        key = tuple(sorted(proposal.words or proposal.context)) if proposal else ()
        if proposal is None or key in seen:
            continue
        seen.add(key)
        hypothesis = Hypothesis(
            text=quote(proposal.sentence),
            raised_at=event.time,
            status="open",
            settled_by=None,
            evidence=[event.id],
            settled_evidence=[],
            unsupported=False,
        )
        raised.append((proposal, hypothesis))
    return [hyp for _, hyp in raised]
