"""Settings precedence: flags, then environment, then pmdraft.toml or [tool.pmdraft]."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmdraft.config import Settings, load_settings
from pmdraft.errors import ConfigError


def test_flags_beat_env_beat_file(tmp_path: Path) -> None:
    (tmp_path / "pmdraft.toml").write_text(
        'model = "from-file"\nbase_url = "http://file/v1"\nmax-concurrency = 2\nchunk_tokens = 900\n'
    )
    env = {"PMDRAFT_MODEL": "from-env", "OPENAI_BASE_URL": "http://env/v1", "PMDRAFT_MAX_CONCURRENCY": "3"}
    s = load_settings({"model": "from-flag", "base_url": None}, env=env, cwd=tmp_path)
    assert s.model == "from-flag"
    assert s.base_url == "http://env/v1"
    assert s.max_concurrency == 3
    assert s.chunk_tokens == 900
    assert s.dialect == "auto" and s.max_output_tokens == 1024


def test_pyproject_table_is_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.pmdraft]\nmodel = "llama3.1"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert load_settings({}, env={}, cwd=sub).model == "llama3.1"


def test_pyproject_without_table_is_skipped_for_a_parent_pmdraft_toml(tmp_path: Path) -> None:
    (tmp_path / "pmdraft.toml").write_text('model = "outer"\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_settings({}, env={}, cwd=inner).model == "outer"


def test_api_key_comes_from_openai_env_and_is_secret(tmp_path: Path) -> None:
    s = load_settings({}, env={"OPENAI_API_KEY": "sk-test-123", "PMDRAFT_MODEL": "gpt-4o"}, cwd=tmp_path)
    assert s.api_key is not None and s.api_key.get_secret_value() == "sk-test-123"
    assert "sk-test-123" not in repr(s)
    assert s.llm_configured


def test_llm_configured_needs_model_and_endpoint() -> None:
    assert not Settings(model="m").llm_configured
    assert not Settings(base_url="http://x/v1").llm_configured
    assert Settings(model="m", base_url="http://x/v1").llm_configured


def test_settings_are_frozen() -> None:
    s = Settings()
    with pytest.raises(ValueError):
        setattr(s, "model", "x")  # noqa: B010


def test_invalid_value_names_its_origin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, env={"PMDRAFT_MAX_CONCURRENCY": "0"}, cwd=tmp_path)
    assert str(caught.value) == "environment: max_concurrency: Input should be greater than or equal to 1."


def test_unknown_key_in_file(tmp_path: Path) -> None:
    (tmp_path / "pmdraft.toml").write_text('modle = "x"\n')
    with pytest.raises(ConfigError, match=r"pmdraft.toml: unknown setting 'modle'\. Known: api_key, "):
        load_settings({}, env={}, cwd=tmp_path)


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "pmdraft.toml").write_text("model = \n")
    with pytest.raises(ConfigError, match=r"pmdraft.toml: not valid TOML"):
        load_settings({}, env={}, cwd=tmp_path)
