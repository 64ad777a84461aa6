"""The executor for ``runner.http``: each attempt is one request to the agent's endpoint.

One pool per experiment (:mod:`~fluxloop_core.runner.http_pool`: small httpx clients,
chosen by measurement) holds up to ``parallel_runs`` kept-alive connections.
``timeout_seconds`` (``runner.http``'s, else the runner's) is a total deadline for the
whole request — connect, send, wait and read the last byte — so an agent that
trickles an answer forever still ends as a timeout. Retries are the scheduler's
(``runner.max_retries``): an attempt says whether it is worth retrying (429, 5xx, a broken
connection) and how long the server asked to wait (``Retry-After``, capped).

What a run records: the output (the value at ``response_path``, the joined SSE ``data:``
texts, or the JSON lines' values joined), and one span ``{"name": "http.request", "kind":
"http", "status_code", "ttfb_ms", "first_byte_ms", "duration_ms"}`` (``ttfb_ms``: the
answer's headers; ``first_byte_ms``: its body's first byte, absent when it has none).
The request itself (URL, headers, body) is never recorded.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx

from fluxloop_core.config.http_target import (
    HttpTarget,
    MissingKwarg,
    MissingMetadata,
    MissingPath,
    TemplateValues,
    fill,
    value_at,
)
from fluxloop_core.generation.client import MAX_REDIRECTS
from fluxloop_core.redaction import redact
from fluxloop_core.results.models import ErrorInfo, RunStatus
from fluxloop_core.runner.arguments import sent_kwargs
from fluxloop_core.runner.executor import Attempt, RunJob
from fluxloop_core.runner.http_pool import ShardedClient
from fluxloop_core.runner.providers import captured

if TYPE_CHECKING:
    from fluxloop_core.runner.plan import ExperimentPlan

MAX_RETRY_AFTER_SECONDS = 60.0
"""The longest ``Retry-After`` honoured: a server asking for more is waited on this long."""

MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""A bigger answer is an error: a run's output is held in memory and written to a trace."""

ERROR_BODY_CHARS = 300
"""How much of an error answer's body its message quotes."""


class _Failed(Exception):
    """An attempt that ended in an error (the message is the trace's)."""

    def __init__(
        self, kind: str, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), capped at
    :data:`MAX_RETRY_AFTER_SECONDS`; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def sse_text(lines: list[str]) -> str:
    """The ``data:`` texts of server-sent event lines, joined; ``[DONE]`` ends them."""
    parts: list[str] = []
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].removeprefix(" ")
        if data == "[DONE]":
            break
        parts.append(data)
    return "".join(parts)


def jsonl_output(lines: list[str], path: str | None) -> Any:
    """The output of a JSON lines answer: each line's value at ``path`` (lines without it
    are skipped: a stream's closing line may carry only usage), joined when all are text,
    else their list. Raises ValueError (a line is not JSON) or MissingPath (no line has
    ``path``)."""
    pieces: list[Any] = []
    missing: MissingPath | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            raise ValueError(f"line {number} of the answer is not JSON: {line[:80]!r}") from None
        try:
            pieces.append(value_at(data, path))
        except MissingPath as exc:
            missing = missing or exc
    if not pieces and missing is not None:
        raise missing
    if all(isinstance(piece, str) for piece in pieces):
        return "".join(pieces)
    return pieces


async def _body(response: httpx.Response, span: dict[str, Any], started: float) -> bytes:
    """The whole answer (bounded); ``first_byte_ms`` in ``span`` when its first byte came."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        if not chunks:
            span["first_byte_ms"] = round((time.monotonic() - started) * 1000, 3)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _Failed(
                "AnswerTooLarge",
                f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB",
                retryable=False,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _status_failure(response: httpx.Response, body: bytes) -> _Failed:
    code = response.status_code
    quoted = body[:ERROR_BODY_CHARS].decode("utf-8", "replace").strip()
    message = f"the agent answered HTTP {code}" + (f": {quoted}" if quoted else "")
    retryable = code == 429 or code >= 500
    wait = retry_after_seconds(response.headers.get("retry-after")) if retryable else None
    return _Failed("HTTPStatusError", message, retryable=retryable, retry_after=wait)


@dataclass(frozen=True)
class HttpSpec:
    """Everything an :class:`HttpExecutor` is built from: plain, picklable data, so the
    executor can be built wherever the requests are sent from (here, or a Ray actor)."""

    http: HttpTarget
    parallel_runs: int
    timeout: float
    """``runner.timeout_seconds`` (``runner.http.timeout_seconds`` goes first)."""
    replay: bool = False
    """Whether jobs carry recorded calls whose arguments make (or fill) the body."""
    override_path: str | None = None
    """``replay_args.override_param_path``: where the new input goes in those arguments."""
    history_param: str | None = None
    """``conversation.history_param``: the body key that receives the conversation."""

    @property
    def deadline(self) -> float:
        """The longest one request may take (``runner.http.timeout_seconds`` first)."""
        return self.http.timeout_seconds or self.timeout

    def build(self) -> HttpExecutor:
        """The executor this spec describes (made on the loop that sends its requests)."""
        return HttpExecutor(self)

    @classmethod
    def of(cls, plan: ExperimentPlan, parallel_runs: int | None = None) -> HttpSpec:
        """The spec of ``plan``'s http target (``parallel_runs``: this executor's share)."""
        runner = plan.config.runner
        assert runner.http is not None
        conversation = plan.conversation
        return cls(
            http=runner.http,
            parallel_runs=parallel_runs or plan.parallel_runs,
            timeout=runner.timeout_seconds,
            replay=plan.replay is not None,
            override_path=plan.replay.override_path if plan.replay else None,
            history_param=conversation.history_param if conversation else None,
        )


def request_body(spec: HttpSpec, job: RunJob) -> Any:
    """The JSON body of ``job``'s request. Replaying, the recorded call's arguments (the
    new input at ``override_path``, callables left out: they were mapped to ``capture``)
    are the body, or fill the template's ``{kwargs...}`` when ``runner.http.body`` is
    set. In a conversation the body key ``history_param`` receives the history.
    Raises :class:`RequestError`."""
    http = spec.http
    kwargs = sent_kwargs(job, spec.override_path) if spec.replay else None
    values = TemplateValues(job.input.text, job.input.metadata, kwargs, job.history)
    try:
        if kwargs is not None and "body" not in http.model_fields_set:
            body: Any = kwargs
        else:
            body = fill(http.body, values)
    except MissingMetadata as missing:
        raise RequestError(
            f"runner.http.body uses {{metadata.{missing.args[0]}}} but this input has no "
            f"metadata {missing.args[0]!r}"
        ) from None
    except MissingKwarg as missing:
        raise RequestError(
            f"runner.http.body uses {{{missing.args[0]}}} but the recorded call on line "
            f"{job.call.line_number if job.call else '?'} has no such argument"
        ) from None
    if spec.history_param is not None and job.history is not None:
        if not isinstance(body, dict):
            raise RequestError(
                f"conversation.history_param {spec.history_param!r} names a key of the "
                "body, but runner.http.body is not a mapping"
            )
        body = {**body, spec.history_param: [dict(m) for m in job.history]}
    return body


class RequestError(ValueError):
    """The request cannot be made for this run (a config mistake the message names)."""


class HttpExecutor:
    """Sends each attempt's request through one pool (``parallel_runs`` in flight)."""

    prefetch = 0

    def __init__(self, spec: HttpSpec) -> None:
        self._spec = spec
        self._http = spec.http
        self._timeout = spec.deadline
        # The deadline is asyncio's, over the whole request; httpx's own per-read
        # timeouts would let a trickling answer live forever.
        self._client = ShardedClient(spec.parallel_runs, headers=spec.http.headers, timeout=None)

    def _request_body(self, job: RunJob) -> Any:
        try:
            return request_body(self._spec, job)
        except RequestError as error:
            raise _Failed("ConfigError", str(error), retryable=False) from None

    def _output(self, body: bytes) -> Any:
        text = body.decode("utf-8", "replace")
        if self._http.stream == "sse":
            return sse_text(text.splitlines())
        if self._http.stream == "jsonl":
            try:
                return jsonl_output(text.splitlines(), self._http.response_path)
            except (ValueError, MissingPath) as exc:
                raise _Failed("ResponseError", str(exc), retryable=False) from None
        try:
            data = json.loads(text)
        except ValueError:
            if self._http.response_path is None:
                return text  # the whole answer, as text
            raise _Failed(
                "ResponseError",
                f"the answer is not JSON, so response_path {self._http.response_path!r} "
                f"cannot be read: {text[:ERROR_BODY_CHARS]!r}",
                retryable=False,
            ) from None
        try:
            return value_at(data, self._http.response_path)
        except MissingPath as missing:
            raise _Failed("ResponseError", str(missing), retryable=False) from None

    async def _send(self, job: RunJob, span: dict[str, Any], started: float) -> Any:
        http = self._http
        body = self._request_body(job)
        async with self._client.stream(http.method, http.url, json=body) as response:
            span["status_code"] = response.status_code
            span["ttfb_ms"] = round((time.monotonic() - started) * 1000, 3)
            answer = await _body(response, span, started)
            if response.status_code >= 400:
                raise _status_failure(response, answer)
            return self._output(answer)

    async def attempt(self, job: RunJob) -> Attempt:
        """Send ``job``'s request once; failures and the deadline become its status."""
        started = time.monotonic()
        span: dict[str, Any] = {"name": "http.request", "kind": "http"}
        status: RunStatus = "success"
        output: Any = None
        info: ErrorInfo | None = None
        retryable, retry_after = True, None
        limit = asyncio.timeout(self._timeout)
        try:
            async with limit:
                output = await self._send(job, span, started)
        except TimeoutError:
            if not limit.expired():
                raise
            stage = "answer" if "ttfb_ms" not in span else "whole answer"
            status = "timeout"
            info = ErrorInfo(
                type="TimeoutError",
                message=f"no {stage} within timeout_seconds={self._timeout:g}",
            )
        except _Failed as failed:
            status, retryable, retry_after = "error", failed.retryable, failed.retry_after
            info = ErrorInfo(type=failed.kind, message=redact(str(failed)))
        except httpx.TooManyRedirects:
            status, retryable = "error", False
            info = ErrorInfo(
                type="TooManyRedirects", message=f"more than {MAX_REDIRECTS} redirects"
            )
        except httpx.HTTPError as exc:
            status = "error"
            info = ErrorInfo(type=type(exc).__name__, message=redact(_broken(exc)))
        duration = time.monotonic() - started
        span["duration_ms"] = round(duration * 1000, 3)
        return Attempt(
            status,
            duration * 1000,
            output,
            info,
            callback_calls=captured(job, output) if status == "success" else [],
            spans=[span],
            started=started,
            retryable=retryable,
            retry_after=retry_after,
        )

    def drop_queued(self) -> None:
        """Nothing is queued here: the scheduler holds at most ``parallel_runs``."""

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()


def _broken(exc: httpx.HTTPError) -> str:
    """A transport failure in words (the URL, which may hold a secret, is redacted)."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to the agent: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection to the agent broke before a whole answer: {detail}"
    return f"the request to the agent failed: {detail}"
