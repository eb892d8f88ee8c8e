"""Text matching shared by the scorers: content words, Jaccard overlap, containment, one-to-one pairing.

Deliberately simple and documented in docs/evals.md, so a team can predict why two texts matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

_TOKEN = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    """
    a about after again all also am an and any are as at be because been before being but by can
    could did do does doing done for from had has have having he her here hers him his how i if in
    into is it its just me more most my no not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with would
    you your yes yeah ok okay still let lets get got going think maybe
    """.split()
)


def _stem(word: str) -> str:
    """Fold plurals and -ed/-ing forms together ("flares", "flared" -> "flar"); crude but symmetric."""
    if word.isdigit() or len(word) < 5:
        return word
    if word.endswith("ing"):
        word = word[:-3]
    elif word.endswith("ed"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content_words(text: str) -> set[str]:
    """Lower-cased, lightly stemmed words that carry meaning (no stopwords; 3+ letters or a digit)."""
    return {
        _stem(w)
        for w in _TOKEN.findall(text.lower())
        if w not in _STOPWORDS and (len(w) >= 3 or any(c.isdigit() for c in w))
    }


def jaccard(a: str, b: str) -> float:
    """Content-word Jaccard similarity; 0 when either text has no content words."""
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def normalize(text: str) -> str:
    """Case- and whitespace-insensitive form used for containment tests."""
    return " ".join(text.split()).lower()


def contains_either(a: str, b: str) -> bool:
    """Whether one text contains the other once whitespace and case are normalized."""
    left, right = normalize(a), normalize(b)
    return bool(left and right) and (left in right or right in left)


def pair_up(
    keys: Sequence[A], drafts: Sequence[B], score: Callable[[A, B], float | None]
) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing, best score first; ``score`` returns None for "does not match".

    One draft item can satisfy only one key item, so a draft cannot cover three hypotheses by
    repeating one vague sentence.
    """
    candidates: list[tuple[float, int, int]] = []
    for i, k in enumerate(keys):
        for j, d in enumerate(drafts):
            s = score(k, d)
            if s is not None:
                candidates.append((s, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_keys: set[int] = set()
    used_drafts: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in candidates:
        if i not in used_keys and j not in used_drafts:
            used_keys.add(i)
            used_drafts.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def evidence_or_words(
    key_text: str, key_evidence: Iterable[str], text: str, evidence: Iterable[str], min_jaccard: float
) -> float | None:
    """The hypothesis/action-item rule: shared evidence ids, or content-word Jaccard >= ``min_jaccard``.

    The score ranks candidates for pairing: each shared id counts 1, plus the Jaccard similarity.
    """
    shared = len(set(key_evidence) & set(evidence))
    similarity = jaccard(key_text, text)
    if shared == 0 and similarity < min_jaccard:
        return None
    return shared + similarity
