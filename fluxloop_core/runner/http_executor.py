"""The executor for ``runner.http``: each attempt is one request to the agent's endpoint.

One pooled ``httpx.AsyncClient`` per experiment holds up to ``parallel_runs`` kept-alive
connections. ``timeout_seconds`` (``runner.http``'s, else the runner's) is a total deadline
for the whole request — connect, send, wait and read the last byte — so an agent that
trickles an answer forever still ends as a timeout. Retries are the scheduler's
(``runner.max_retries``): an attempt says whether it is worth retrying (429, 5xx, a broken
connection) and how long the server asked to wait (``Retry-After``, capped).

What a run records: the output (the value at ``response_path``, or the joined SSE
``data:`` texts), and one span ``{"name": "http.request", "kind": "http", "status_code",
"ttfb_ms", "duration_ms"}``. The request itself (URL, headers, body) is never recorded.
"""

from __future__ import annotations

import asyncio
import json
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from fluxloop_core.config.http_target import (
    HttpTarget,
    MissingMetadata,
    MissingPath,
    fill_template,
    value_at,
)
from fluxloop_core.generation.client import MAX_REDIRECTS
from fluxloop_core.redaction import redact
from fluxloop_core.results.models import ErrorInfo, RunStatus
from fluxloop_core.runner.executor import Attempt, RunJob

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


async def _body(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
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


class HttpExecutor:
    """Sends each attempt's request with one pooled client (``parallel_runs`` in flight)."""

    prefetch = 0

    def __init__(self, http: HttpTarget, parallel_runs: int, timeout: float) -> None:
        self._http = http
        self._timeout = http.timeout_seconds or timeout
        self._client = httpx.AsyncClient(
            headers=http.headers,
            limits=httpx.Limits(
                max_connections=parallel_runs, max_keepalive_connections=parallel_runs
            ),
            # The deadline is asyncio's, over the whole request; httpx's own per-read
            # timeouts would let a trickling answer live forever.
            timeout=None,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
        )

    def _request_body(self, job: RunJob) -> Any:
        try:
            return fill_template(self._http.body, job.input.text, job.input.metadata)
        except MissingMetadata as missing:
            raise _Failed(
                "ConfigError",
                f"runner.http.body uses {{metadata.{missing.args[0]}}} but this input has no "
                f"metadata {missing.args[0]!r}",
                retryable=False,
            ) from None

    def _output(self, body: bytes) -> Any:
        text = body.decode("utf-8", "replace")
        if self._http.stream == "sse":
            return sse_text(text.splitlines())
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
            answer = await _body(response)
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
