"""The README's first set-up command names a pmdraft invocation; that invocation must produce a valid,
evidence-backed draft from a fresh checkout's files (run here through CliRunner from the repo root;
the venv and pip parts of the line are left to CI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmdraft.cli import main
from pmdraft.schema import PostMortem

ROOT = Path(__file__).resolve().parents[1]


def readme_invocation() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S)
    assert block is not None, "README.md has no code block"
    first = block.group(1).strip().splitlines()[0]
    words = shlex.split(first.split("&&")[-1])
    assert words[0].endswith("pmdraft"), first
    return words[1:]


def test_the_readme_main_command_drafts_from_the_bundled_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    args = readme_invocation()
    assert args[0] == "draft"
    for name in ("PMDRAFT_MODEL", "PMDRAFT_BASE_URL", "OPENAI_BASE_URL", "PMDRAFT_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)
    if not all((ROOT / a).exists() for a in args[1:] if not a.startswith("-")):
        pytest.skip("the README's fixture is not there yet")
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    pm = PostMortem.model_validate_json(result.stdout)
    assert pm.generated_by.mode == "offline"
    cited = {c.id for c in pm.cited_events}
    assert pm.times.detected.evidence and set(pm.times.detected.evidence) <= cited
    assert pm.timeline and all(set(t.evidence) <= cited for t in pm.timeline)
    markdown = CliRunner().invoke(main, args)
    assert markdown.exit_code == 0 and "## Needs a model or a person" in markdown.stdout
