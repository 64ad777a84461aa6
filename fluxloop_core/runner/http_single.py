"""One request to the config's HTTP target, sent (``run single``) or only described
(``run experiment --dry-run``): the same body an experiment's run would send."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from itertools import islice
from typing import Any

from fluxloop_core.config.http_target import HttpTarget, hidden_headers
from fluxloop_core.redaction import redactor
from fluxloop_core.runner.binding import RunInput
from fluxloop_core.runner.executor import Attempt, RunJob
from fluxloop_core.runner.http_executor import HttpExecutor, HttpSpec, RequestError, request_body
from fluxloop_core.runner.plan import ExperimentPlan


def send_one(http: HttpTarget, input_text: str, timeout: float) -> Attempt:
    """Send ``input_text`` once to ``http`` (a fresh pool of one connection)."""

    async def call() -> Attempt:
        executor = HttpExecutor(HttpSpec(http=http, parallel_runs=1, timeout=timeout))
        try:
            return await executor.attempt(RunJob("0.0", 0, 0, RunInput(input_text)))
        finally:
            await executor.close()

    return asyncio.run(call())


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
