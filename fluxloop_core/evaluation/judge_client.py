"""The llm_judge's transport: generation's chat client, at temperature 0, behind a
blocking call that grading can make from any thread.

Where a judge's model comes from: the project's LLM settings (``input_generation.llm``:
provider, model, base_url, key, timeout_seconds, max_retries, concurrency), with the
evaluator's own ``model``, ``provider`` and ``base_url`` over them. ``input_generation.llm.
enabled`` is the one switch for LLM calls: an enabled llm_judge under ``enabled: false``, or
without a key, is a config error (exit 2) before the first run, not a run of grading errors.

Each endpoint gets one client living on its own event loop in a daemon thread, started by
the first judgement (compiling a plan for ``config validate`` starts nothing). Grading
threads block on it; requests in flight are bounded by ``concurrency``. Readable answers
are kept in generation's disk cache, keyed by endpoint, model, messages and parameters.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import LLMConfig
from fluxloop_core.errors import ConfigError, UserError
from fluxloop_core.evaluation.judge import Messages, Transport, transport_judges
from fluxloop_core.evaluation.spec import LLMJudgeEvaluator
from fluxloop_core.evaluation.verdicts import JudgeFactory
from fluxloop_core.generation import cache
from fluxloop_core.generation.client import (
    LLM_KEY,
    ChatClient,
    ChatUsage,
    answer_key,
    api_key,
    endpoint_for,
    settings_over,
)

CLOSE_SECONDS = 5.0


class HttpTransport:
    """One endpoint's :class:`~fluxloop_core.evaluation.judge.Transport`."""

    def __init__(self, llm: LLMConfig, key: str, endpoint: str) -> None:
        self.llm = llm
        self.key = key
        self.endpoint = endpoint
        self.concurrency = llm.concurrency
        self.usage = ChatUsage()  # counted on its loop's thread
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._chat: ChatClient | None = None
        self._closed = False

    def _started(self) -> tuple[asyncio.AbstractEventLoop, ChatClient]:
        with self._lock:
            if self._closed:
                raise RuntimeError("grading is over: the judge's client is closed")
            if self._loop is None or self._chat is None:
                self._loop = asyncio.new_event_loop()
                self._chat = ChatClient(self.llm, self.key, self.usage, self.endpoint)
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="fluxloop-judge", daemon=True
                )
                self._thread.start()
            return self._loop, self._chat

    def complete(self, messages: Messages) -> str | None:
        """The judge's answer (blocks the calling thread, never the runner's loop)."""
        loop, chat = self._started()
        return asyncio.run_coroutine_threadsafe(chat.complete(messages), loop).result()

    def cached(self, messages: Messages) -> str | None:
        """A readable answer to the same messages, kept earlier."""
        hit = cache.read(answer_key(self.llm, self.endpoint, messages))
        answer = hit.get("judgement") if hit is not None else None
        return answer if isinstance(answer, str) else None

    def keep(self, messages: Messages, content: str) -> None:
        """Keep a readable answer for next time."""
        cache.write(answer_key(self.llm, self.endpoint, messages), {"judgement": content})

    def close(self) -> None:
        """Stop the loop: judgements still waiting end as grading errors (cancelled)."""
        with self._lock:
            self._closed = True
            loop, thread, chat = self._loop, self._thread, self._chat
            self._loop = self._thread = self._chat = None
        if loop is None or thread is None or chat is None:
            return

        async def shut() -> None:
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()
            await chat.close()

        # Past the wait, the process is ending: the daemon thread goes with it.
        with contextlib.suppress(
            concurrent.futures.TimeoutError, concurrent.futures.CancelledError
        ):
            asyncio.run_coroutine_threadsafe(shut(), loop).result(CLOSE_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CLOSE_SECONDS)
        if not thread.is_alive():
            loop.close()


def judge_settings(base: LLMConfig, spec: LLMJudgeEvaluator) -> LLMConfig:
    """The LLM settings of one judge: the project's, the evaluator's model/provider/
    base_url over them, at temperature 0."""
    return settings_over(
        base, model=spec.model, provider=spec.provider, base_url=spec.base_url, temperature=0.0
    )


def http_judges(loaded: LoadedConfig) -> JudgeFactory:
    """The judges of ``loaded``'s llm_judge evaluators, one transport per endpoint and
    model, sharing ``evaluation.limits.max_llm_calls``. Raises ConfigError at the
    evaluator's key when LLM calls are off or it has no endpoint or key."""
    config = loaded.config
    base = config.input_generation.llm
    transports: dict[tuple[str, str, str], HttpTransport] = {}

    def transport_for(spec: LLMJudgeEvaluator, key: str) -> Transport:
        if not base.enabled:
            raise ConfigError(
                f"{spec.name!r} is an llm_judge but {LLM_KEY}.enabled is false (the one "
                "switch for LLM calls)",
                key=key,
                hint=f"Run `fluxloop config set-llm PROVIDER KEY` (it sets enabled: true) or "
                f"set {LLM_KEY}.enabled: true; or set this evaluator's enabled: false to "
                "grade offline with the deterministic checks alone.",
            )
        llm = judge_settings(base, spec)
        where = f"{key}.base_url" if spec.provider or spec.base_url else f"{LLM_KEY}.base_url"
        try:
            endpoint = endpoint_for(llm, where)
            secret = api_key(
                llm.provider, loaded.env, instead="set this evaluator's enabled: false"
            )
        except UserError as error:
            raise ConfigError(error.message, key=error.key or key, hint=error.hint) from None
        found = transports.get((endpoint, llm.model, secret))
        if found is None:
            found = transports[(endpoint, llm.model, secret)] = HttpTransport(llm, secret, endpoint)
        return found

    limits = config.evaluation.limits if config.evaluation else None
    return transport_judges(transport_for, limits.max_llm_calls if limits else None)
