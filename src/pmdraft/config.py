"""Settings: one frozen model built from flags, then the environment, then a config file.

Precedence is per setting: a flag given on the command line wins, then ``PMDRAFT_<NAME>`` (and the
OpenAI SDK's own ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``), then ``pmdraft.toml`` or
``[tool.pmdraft]`` in ``pyproject.toml`` (the first found walking up from the working directory).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from pmdraft.errors import ConfigError

Dialect = Literal["auto", "json_schema", "json_object", "prompt"]

#: Environment variables that are not spelled PMDRAFT_<FIELD>.
_ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "model": ("PMDRAFT_MODEL",),
    "base_url": ("PMDRAFT_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("PMDRAFT_API_KEY", "OPENAI_API_KEY"),
    "api_version": ("PMDRAFT_API_VERSION", "OPENAI_API_VERSION"),
}


class Settings(BaseModel):
    """Everything the LLM drafting path can be told; immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    api_version: str | None = Field(
        default=None, description="Azure OpenAI api-version; selects the Azure client."
    )
    max_concurrency: int = Field(default=4, ge=1, le=64)
    context_tokens: int | None = Field(default=None, ge=1024, description="The model's context window.")
    chunk_tokens: int | None = Field(default=None, ge=128, description="Event tokens per map call.")
    chunk_overlap_events: int = Field(default=2, ge=0, le=20)
    max_output_tokens: int = Field(default=1024, ge=64)
    scope: Literal["incident", "all"] = Field(
        default="incident",
        description="Send the model the records around the incident the offline rules found, or all.",
    )
    single_call: bool = Field(
        default=True,
        description="One call (notes and narrative) instead of map + reduce when every record fits.",
    )
    timeout: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=10)
    max_repairs: int = Field(default=2, ge=0, le=5)
    temperature: float | None = Field(default=0.0, ge=0, le=2)
    seed: int | None = None
    dialect: Dialect = "auto"
    encoding: str | None = None
    cache_dir: Path = Path(".pmdraft-cache")
    use_cache: bool = True
    quiet: bool = False
    dry_run: bool = False

    @property
    def llm_configured(self) -> bool:
        """A model name plus somewhere to send it (a base URL, or a key for api.openai.com)."""
        return bool(self.model) and (bool(self.base_url) or self.api_key is not None)


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``pmdraft.toml``, or ``pyproject.toml`` with a ``[tool.pmdraft]`` table."""
    for folder in (start, *start.parents):
        own = folder / "pmdraft.toml"
        if own.is_file():
            return own, _read_toml(own)
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _read_toml(project).get("tool", {}).get("pmdraft")
            if isinstance(table, dict):
                return project, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e}).") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it ({e.strerror}).") from None


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in Settings.model_fields:
        for var in _ENV_ALIASES.get(name, (f"PMDRAFT_{name.upper()}",)):
            value = env.get(var)
            if value:
                found[name] = value
                break
    return found


def load_settings(
    flags: Mapping[str, object] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge the three sources; ``None`` flags mean "not given on the command line"."""
    env = os.environ if env is None else env
    merged: dict[str, object] = {}
    where: dict[str, str] = {}
    found = (config_file, _read_toml(config_file)) if config_file else find_config_file(cwd or Path.cwd())
    if found is not None:
        path, table = found
        table = table.get("tool", {}).get("pmdraft", table) if path.name == "pyproject.toml" else table
        for key, value in table.items():
            key = key.replace("-", "_")
            if key not in Settings.model_fields:
                raise ConfigError(
                    f"{path}: unknown setting '{key}'. Known: {', '.join(sorted(Settings.model_fields))}."
                )
            merged[key] = value
            where[key] = str(path)
    for key, value in _from_env(env).items():
        merged[key] = value
        where[key] = "environment"
    for key, value in (flags or {}).items():
        if value is not None:
            merged[key] = value
            where[key] = "command line"
    try:
        return Settings.model_validate(merged)
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        origin = where.get(str(first["loc"][0]), "settings") if first["loc"] else "settings"
        raise ConfigError(f"{origin}: {key}: {first['msg']}.") from None
