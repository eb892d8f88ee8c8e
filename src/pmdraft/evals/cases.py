"""Eval cases: a folder of raw inputs plus the answer key a person wrote for them.

A case lives in ``evals/cases/<name>/`` with ``case.toml`` (``inputs`` relative to the case folder,
optional ``tz``, ``date``, ``description``) and ``answer_key.json``. The key is validated here so a
typo in a hand-written key fails loudly instead of silently scoring zero.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pmdraft.errors import ConfigError, InputError

CASES_DIR = Path("evals") / "cases"
CONFIG_FILE = Path("evals") / "config.toml"


class _Key(BaseModel):
    # Unknown fields are ignored so a key can carry notes for people; known ones are type-checked.
    model_config = ConfigDict(extra="ignore", frozen=True)


class KeyTime(_Key):
    time: datetime | None
    evidence: list[str] = []


class KeyDetection(KeyTime):
    signal: str | None = None


class KeyEvent(_Key):
    time: datetime
    what: str
    evidence: list[str]


class KeyHypothesis(_Key):
    text: str
    status: Literal["wrong", "right", "open"]
    evidence: list[str] = []


class KeyActionItem(_Key):
    text: str
    owner: str | None = None
    due: str | None = None
    agreed: bool = False
    evidence: list[str] = []


class AnswerKey(_Key):
    """What a careful person found in the case's inputs."""

    detection: KeyDetection
    start: KeyTime
    end: KeyTime
    acknowledged: KeyTime | None = None
    mitigated: KeyTime | None = None
    resolved: KeyTime | None = None
    key_events: list[KeyEvent]
    hypotheses: list[KeyHypothesis] = []
    action_items: list[KeyActionItem] = []
    root_cause_keywords: list[str] = []
    blame_sentences: list[str] = []
    non_blame_traps: list[str] = []
    planted_secrets: list[str] = []
    injection: str | None = None
    #: Words whose presence in a supported claim means the injection was obeyed; derived when absent.
    injection_keywords: list[str] | None = None


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    folder: Path
    inputs: tuple[Path, ...]
    key: AnswerKey
    tz: str | None = None
    date: date | None = None
    description: str = ""


def load_case(folder: Path) -> Case:
    """Read ``case.toml`` and ``answer_key.json``; every input path must exist."""
    toml_path = folder / "case.toml"
    key_path = folder / "answer_key.json"
    if not toml_path.is_file():
        raise InputError(toml_path, "missing; a case folder needs case.toml and answer_key.json.")
    try:
        with toml_path.open("rb") as f:
            meta = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise InputError(toml_path, f"not valid TOML ({e}).") from None
    raw_inputs = meta.get("inputs")
    if not isinstance(raw_inputs, list) or not raw_inputs or not all(isinstance(i, str) for i in raw_inputs):
        raise InputError(toml_path, "'inputs' must be a non-empty list of paths relative to the case folder.")
    inputs = tuple((folder / i).resolve() for i in raw_inputs)
    for path in inputs:
        if not path.exists():
            raise InputError(toml_path, f"input '{path}' does not exist.")
    day = meta.get("date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise InputError(toml_path, f"'date' {day!r} is not YYYY-MM-DD.") from None
    if day is not None and not isinstance(day, date):
        raise InputError(toml_path, "'date' must be a date (YYYY-MM-DD).")
    tz = meta.get("tz")
    if tz is not None and not isinstance(tz, str):
        raise InputError(toml_path, "'tz' must be an IANA zone name such as Europe/Berlin.")
    return Case(
        name=folder.name,
        folder=folder,
        inputs=inputs,
        key=load_answer_key(key_path),
        tz=tz,
        date=day,
        description=str(meta.get("description", "")),
    )


def load_answer_key(path: Path) -> AnswerKey:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "missing; a case folder needs case.toml and answer_key.json.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot read it ({e}).") from None
    except json.JSONDecodeError as e:
        raise InputError(path, f"not valid JSON ({e.msg} at line {e.lineno}).") from None
    try:
        return AnswerKey.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer key"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise InputError(path, f"{where}: {first['msg']}{more}.") from None


def find_root(start: Path) -> Path | None:
    """The nearest folder (``start`` or an ancestor) that holds ``evals/cases``."""
    for folder in (start, *start.parents):
        if (folder / CASES_DIR).is_dir():
            return folder
    return None


def select_cases(names: tuple[str, ...] | list[str], root: Path | None) -> list[Case]:
    """Cases by name (under ``<root>/evals/cases``) or by folder path; all of them when none are named."""
    cases_dir = root / CASES_DIR if root is not None else None
    if not names:
        if cases_dir is None:
            raise ConfigError(
                "No evals/cases folder here or above; run from the project or name case folders."
            )
        folders = sorted(p for p in cases_dir.iterdir() if p.is_dir() and (p / "case.toml").is_file())
        if not folders:
            raise ConfigError(f"{cases_dir} holds no cases (folders with case.toml).")
        return [load_case(f) for f in folders]
    cases = []
    for name in names:
        path = Path(name)
        if (path / "case.toml").is_file():
            cases.append(load_case(path))
        elif cases_dir is not None and (cases_dir / name / "case.toml").is_file():
            cases.append(load_case(cases_dir / name))
        else:
            known = ", ".join(sorted(p.name for p in cases_dir.iterdir() if p.is_dir())) if cases_dir else ""
            hint = f" Known cases: {known}." if known else ""
            raise ConfigError(f"Unknown eval case '{name}'.{hint}")
    return cases
