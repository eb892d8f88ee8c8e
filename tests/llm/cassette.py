"""vcrpy set-up shared by the recorder and the replay tests.

Requests match on method, URL and JSON body, so any change to a prompt, a schema or the events forces
a re-record. Secrets are scrubbed from request and response headers before anything is written.
Playback repeats are off: each recorded interaction answers exactly one request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import vcr  # type: ignore[import-untyped]

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
SECRET_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
)


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    return response


def make_vcr(record_mode: str = "none") -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=("method", "scheme", "host", "port", "path", "query", "body"),
        filter_headers=list(SECRET_HEADERS),
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )


def use_cassette(name: str, record_mode: str = "none") -> Any:
    """The cassette context manager; each recorded interaction may answer one request only."""
    return make_vcr(record_mode).use_cassette(name, allow_playback_repeats=False)
