"""The request of an experiment's first run to its HTTP target, described for ``run
experiment --dry-run``: the same body the run would send, redacted."""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from typing import Any

from fluxloop_core.config.http_target import hidden_headers
from fluxloop_core.redaction import redactor
from fluxloop_core.runner.http_executor import HttpSpec, RequestError, request_body
from fluxloop_core.runner.plan import ExperimentPlan


def first_request(plan: ExperimentPlan) -> dict[str, Any] | None:
    """The request of ``plan``'s first run (a conversation's first turn), redacted: method,
    URL, header names (values hidden), body; None without an http target or
    runs. A body the run could not make says why under ``error``."""
    if plan.config.runner.http is None:
        return None
    job = next(islice(plan.jobs(set()), 1), None)
    if job is None:
        return None
    if plan.conversation is not None:
        job = replace(job, history=({"role": "user", "content": job.input.text},))
    spec = HttpSpec.of(plan)
    request: dict[str, Any] = {
        "method": spec.http.method,
        "url": spec.http.url,
        "headers": hidden_headers(spec.http.headers),
    }
    try:
        request["body"] = request_body(spec, job)
    except RequestError as error:
        request["error"] = str(error)
    shown: dict[str, Any] = redactor().data(request)
    return shown
