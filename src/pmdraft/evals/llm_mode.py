"""Drafting eval cases with a model: the LLM path plus a record of every request body it sent.

The request bodies are what left the machine; the secrets scorer searches them, so a secret that
was sent fails the eval even when it never reaches the draft. The call cache is off for evals: a
cached answer sends no request, and an eval should measure the model.
"""

from __future__ import annotations

import httpx2

from pmdraft.config import Settings, load_settings
from pmdraft.evals.cases import Case
from pmdraft.evals.run import EVAL_NOW, Drafted, Drafter, case_zone
from pmdraft.ingest import Ingested
from pmdraft.llm import make_client


def recording_client(bodies: list[bytes], transport: httpx2.BaseTransport | None = None) -> httpx2.Client:
    """An HTTP client for the SDK that keeps a copy of every request body.

    ``transport`` lets tests put a fake model behind the real client (cassette replay needs none:
    vcrpy patches the transport underneath).
    """

    def keep(request: httpx2.Request) -> None:
        bodies.append(bytes(request.content))

    return httpx2.Client(event_hooks={"request": [keep]}, transport=transport)


def draft_llm_case(
    case: Case, ingested: Ingested, settings: Settings, transport: httpx2.BaseTransport | None = None
) -> Drafted:
    """``pipeline.draft_postmortem`` with a model, through an HTTP client that records every body."""
    from pmdraft.llm_draft import connect
    from pmdraft.pipeline import draft_postmortem

    bodies: list[bytes] = []
    llm = connect(settings, http_client=recording_client(bodies, transport))
    finished = draft_postmortem(
        ingested, display_tz=case_zone(case), now=EVAL_NOW, settings=settings, llm=llm
    )
    return Drafted(finished, bodies)


def llm_drafter(
    model: str | None, transport: httpx2.BaseTransport | None = None
) -> tuple[Drafter, str, str | None] | None:
    """A drafter for ``model`` (or the configured one); None when no model is configured at all."""
    settings = load_settings({"model": model, "quiet": True, "use_cache": False})
    if settings.model is None or (model is None and not settings.llm_configured):
        return None
    make_client(settings)  # a missing endpoint or key is a usage error, before any case runs
    from pmdraft.llm_draft import PROMPT_VERSION

    def drafter(case: Case, ingested: Ingested) -> Drafted:
        return draft_llm_case(case, ingested, settings, transport)

    return drafter, settings.model, PROMPT_VERSION
