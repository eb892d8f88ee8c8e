"""The built wheel carries the prompts, so an installed pmdraft can draft with a model."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_the_versioned_prompts(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (wheel,) = tmp_path.glob("pmdraft-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = sorted(p.name for p in (ROOT / "prompts").glob("*.md"))
    assert {"system.v1.md", "map.v1.md", "reduce.v1.md"} <= set(sources)
    for name in sources:
        assert f"pmdraft/prompts/{name}" in names
    assert "pmdraft/llm_draft/__init__.py" in names
    assert "pmdraft/llm.py" in names
    assert not any(n.startswith("prompts/") for n in names)  # not a stray top-level package


def test_prompts_load_through_the_package() -> None:
    from importlib import resources

    from pmdraft.llm_draft.prompts import PROMPT_VERSION, load_prompt

    packaged = (
        resources.files("pmdraft.prompts").joinpath(f"map.{PROMPT_VERSION}.md").read_text(encoding="utf-8")
    )
    assert load_prompt("map") == packaged
    assert "$records" in packaged
