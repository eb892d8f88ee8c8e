"""`pmdraft draft` redacts by default, keeps the map local (0600), and restores only when asked."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmdraft.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "flag-outage"
SECRETS = json.loads((ROOT / "evals" / "cases" / "flag-outage" / "answer_key.json").read_text())[
    "planted_secrets"
]


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PMDRAFT_MODEL", "PMDRAFT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PMDRAFT_CACHE_DIR", str(tmp_path / "cache"))


def _draft(tmp_path: Path, *args: str) -> tuple[str, Path]:
    out = tmp_path / "draft.json"
    result = CliRunner().invoke(main, ["draft", str(FIXTURE), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8"), out


def test_default_draft_holds_no_planted_secret_and_keeps_the_map_private(tmp_path: Path) -> None:
    text, _ = _draft(tmp_path)
    assert [s for s in SECRETS if s in text] == []
    draft = json.loads(text)
    kinds = {f["category"] for f in draft["review_flags"] if f["type"] == "redaction"}
    assert {"EMAIL", "AWS_ACCESS_KEY", "URL_PASSWORD", "PHONE"} <= kinds
    (map_file,) = (tmp_path / "cache" / "redaction").iterdir()
    assert stat.S_IMODE(os.stat(map_file).st_mode) == 0o600
    values = json.loads(map_file.read_text())
    assert set(values.values()) >= {s for s in SECRETS if "@" in s and "://" not in s}
    assert "S3cr3t-9vRq2LxW" in values.values()


def test_restore_puts_values_back_in_the_local_copy(tmp_path: Path) -> None:
    text, _ = _draft(tmp_path, "--restore")
    restored = [s for s in SECRETS if s in text]
    assert restored  # values the draft quotes come back
    assert "[EMAIL_1]" not in text


def test_no_redact_is_flagged_and_restore_with_it_is_refused(tmp_path: Path) -> None:
    text, _ = _draft(tmp_path, "--no-redact")
    flags = json.loads(text)["review_flags"]
    assert any(f["type"] == "redaction" and "--no-redact" in f["message"] for f in flags)
    result = CliRunner().invoke(main, ["draft", str(FIXTURE), "--no-redact", "--restore"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --restore puts redacted values back")
