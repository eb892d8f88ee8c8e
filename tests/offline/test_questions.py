"""Open questions: unknown times and sizes, open hypotheses, and what responders said they do not know."""

from __future__ import annotations

from pmdraft.offline.questions import find_open_questions
from pmdraft.schema import Hypothesis, ImpactMetric, TimePoint, Times
from tests.offline.helpers import at, ev, tagged


def _times(**known: bool) -> Times:
    return Times(**{n: TimePoint(at=at(0) if known.get(n) else None, evidence=[]) for n in (
        "start", "detected", "acknowledged", "mitigated", "resolved", "end")})  # fmt: skip


def test_questions_from_unknowns_hypotheses_and_chat() -> None:
    hyp = Hypothesis(text="maybe the cache", raised_at=None, status="open", settled_by=None,
                     evidence=["e1"], settled_evidence=[], unsupported=False)  # fmt: skip
    said = ev(90, "still not sure why the retry storm started", who="ana")
    qs = find_open_questions(
        _times(start=True, detected=True, acknowledged=True, mitigated=True, resolved=True, end=False),
        [ImpactMetric(value="30%", what="error rate", quote="30%", evidence=["e2"])],
        [hyp],
        tagged([said, ev(91, "lunch?")]),
    )
    texts = [q.question for q in qs]
    assert texts[0] == "When did user impact end?"
    assert "How many users or customers were affected?" in texts
    assert any("maybe the cache" in t for t in texts)
    assert texts[-1] == "still not sure why the retry storm started" and qs[-1].evidence == [said.id]


def test_nothing_to_ask_when_everything_is_known() -> None:
    metric = ImpactMetric(value="1,200 users", what="count of users", quote="1,200 users", evidence=["e"])
    qs = find_open_questions(_times(**dict.fromkeys(
        ("start", "detected", "acknowledged", "mitigated", "resolved", "end"), True)), [metric], [], [])  # fmt: skip
    assert qs == []
