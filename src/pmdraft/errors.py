"""Every failure a user can cause or fix is a PmdraftError; cli.py prints it as one line."""

from __future__ import annotations

from pathlib import Path


class PmdraftError(Exception):
    """An expected failure: the message says what failed and what to do next."""

    exit_code = 2


class InputError(PmdraftError):
    """An input file or folder that cannot be read as what it claims to be."""

    def __init__(self, path: str | Path, what: str) -> None:
        self.path = str(path)
        self.what = what
        super().__init__(f"{self.path}: {what}")


class ConfigError(PmdraftError):
    """A setting (flag, environment variable, config file) that is missing or invalid."""


class OutputError(PmdraftError):
    """Writing an output would lose work a person did (or cannot be done)."""

    exit_code = 1


class LLMError(PmdraftError):
    """The configured model endpoint failed in a way retries did not fix."""


class StructuredOutputError(LLMError):
    """The model's reply never validated against the requested schema."""
