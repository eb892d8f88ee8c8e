"""Plain-text reports: the case × metric table with pass/fail, and the deltas between two runs."""

from __future__ import annotations

from collections.abc import Sequence

from pmdraft.evals.results import JUDGE_CRITERIA, Check, Results, metric_value
from pmdraft.evals.scorers import METRICS, Value

SOFT_MARK = "*"
HARD_MARK = "!"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers, two spaces between columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def render_table(results: Results) -> str:
    """Rows are metrics, columns are cases, then the total and the threshold; failures are marked."""
    failed = {(c.case, c.metric): c for c in results.checks if not c.passed}
    names = [n for n in METRICS if n in results.totals]
    header = ["metric", *[c.name for c in results.cases], "total", "threshold"]
    rows = [header]
    for name in names:
        row = [name]
        for case in results.cases:
            result = case.metrics.get(name)
            if case.error is not None:
                row.append("error")
            elif result is None or not result.applicable:
                row.append("n/a")
            else:
                check = failed.get((case.name, name))
                mark = "" if check is None else HARD_MARK if check.hard else SOFT_MARK
                row.append(metric_value(result.value) + mark)
        row += [metric_value(results.totals[name].value), results.thresholds.get(name, "")]
        rows.append(row)
    what = f"mode {results.mode}" + (f", model {results.model}" if results.model else "")
    lines = [f"pmdraft eval: {len(results.cases)} case(s), {what}", "", *_table(rows), ""]
    lines.append(
        f"{SOFT_MARK} fails its threshold  {HARD_MARK} fails a hard threshold  n/a: nothing in the key"
    )
    lines += _judge_lines(results)
    lines += _errors(results)
    lines.append(_verdict(results.checks))
    return "\n".join(lines) + "\n"


def _judge_lines(results: Results) -> list[str]:
    judged = [c for c in results.cases if c.judge is not None or c.judge_error]
    if not judged:
        return []
    criteria = list(JUDGE_CRITERIA)
    model = results.judge_model or next((c.judge.model for c in judged if c.judge), "")
    rows = [["LLM judge (1-5)", *criteria]]
    for case in judged:
        if case.judge is None:
            rows.append([case.name, *["-" for _ in criteria]])
        else:
            rows.append([case.name, *[str(case.judge.scores.get(k, "-")) for k in criteria]])
    out = ["", f"LLM-as-judge rubric, model {model} (not part of pass/fail):", *_table(rows)]
    out += [f"  judge failed on {c.name}: {c.judge_error}" for c in judged if c.judge_error]
    return out


def _errors(results: Results) -> list[str]:
    return [f"error in {c.name}: {c.error}" for c in results.cases if c.error is not None]


def _verdict(checks: Sequence[Check]) -> str:
    hard = [c for c in checks if c.hard and not c.passed]
    soft = [c for c in checks if not c.hard and not c.passed]
    passed = sum(c.passed for c in checks)
    summary = f"thresholds: {passed}/{len(checks)} checks pass"
    if soft:
        summary += f"; {len(soft)} soft failure(s)"
    if hard:
        listed = ", ".join(f"{c.case} {c.metric}" for c in hard[:6])
        return f"{summary}\nFAIL: {len(hard)} hard threshold(s) failed: {listed}"
    return f"{summary}\nPASS: every hard threshold holds"


# --- comparison -----------------------------------------------------------------------------------


def _delta(a: Value, b: Value) -> float | None:
    if a is None or b is None:
        return None
    return float(b) - float(a)


def _direction(name: str, delta: float | None) -> str:
    if delta is None or abs(delta) < 1e-9:
        return ""
    better = (delta > 0) == (METRICS.get(name) == "higher")
    return "better" if better else "worse"


def _delta_cell(a: Value, b: Value) -> str:
    d = _delta(a, b)
    if d is None:
        return f"{metric_value(a)}->{metric_value(b)}" if a != b else "-"
    if abs(d) < 1e-9:
        return "="
    return f"{d:+.2f}" if isinstance(a, float) or isinstance(b, float) else f"{d:+.0f}"


def compare_results(a: Results, b: Results, a_name: str = "A", b_name: str = "B") -> str:
    """Per metric and case: B minus A, then the totals, then which changes are regressions."""
    a_cases = {c.name: c for c in a.cases}
    shared = [c for c in b.cases if c.name in a_cases]
    names = [n for n in METRICS if n in a.totals or n in b.totals]
    rows = [["metric", *[c.name for c in shared], "A total", "B total", "delta"]]
    worse: list[str] = []
    better: list[str] = []
    for name in names:
        row = [name]
        for case in shared:
            old, new = a_cases[case.name].metrics.get(name), case.metrics.get(name)
            before = old.value if old else None
            after = new.value if new else None
            row.append(_delta_cell(before, after))
            verdict = _direction(name, _delta(before, after))
            change = f"{case.name} {name} {metric_value(before)} -> {metric_value(after)}"
            if verdict == "worse":
                worse.append(change)
            elif verdict == "better":
                better.append(change)
        ta, tb = a.totals.get(name), b.totals.get(name)
        row += [metric_value(ta.value if ta else None), metric_value(tb.value if tb else None)]
        row.append(_delta_cell(ta.value if ta else None, tb.value if tb else None))
        rows.append(row)
    lines = [
        f"A: {a_name} ({_what(a)})",
        f"B: {b_name} ({_what(b)})",
        "cells are B minus A",
        "",
        *_table(rows),
    ]
    only = sorted(set(a_cases) ^ {c.name for c in b.cases})
    if only:
        lines.append(f"\nnot in both runs (left out): {', '.join(only)}")
    lines.append(f"\nworse in B ({len(worse)}):" + "".join(f"\n  {w}" for w in worse))
    lines.append(f"better in B ({len(better)}):" + "".join(f"\n  {w}" for w in better))
    lines += _judge_deltas(a, b)
    lines.append(f"hard thresholds: A {'pass' if a.passed else 'FAIL'}, B {'pass' if b.passed else 'FAIL'}")
    return "\n".join(lines) + "\n"


def _what(r: Results) -> str:
    parts = [r.mode, r.model or "", f"prompt {r.prompt_version}" if r.prompt_version else ""]
    return ", ".join(p for p in parts if p) + f", {r.generated_at:%Y-%m-%d %H:%M}"


def _judge_means(r: Results) -> dict[str, float]:
    scores: dict[str, list[int]] = {}
    for case in r.cases:
        for name, score in (case.judge.scores if case.judge else {}).items():
            scores.setdefault(name, []).append(score)
    return {k: sum(v) / len(v) for k, v in scores.items()}


def _judge_deltas(a: Results, b: Results) -> list[str]:
    """The judge's mean scores, reported apart like in the table, when both runs were judged."""
    ma, mb = _judge_means(a), _judge_means(b)
    shared = sorted(set(ma) & set(mb))
    if not shared:
        return []
    return [
        "LLM judge means (not part of pass/fail): "
        + ", ".join(f"{k} {ma[k]:.2f} -> {mb[k]:.2f}" for k in shared)
    ]
