"""``FluxLoopClient``: send one trace or observation to a collector now (released 0.1.x API).

Unlike the exporter this blocks and raises: it is for code that sends its own
:class:`fluxloop.Trace`/:class:`fluxloop.Observation` objects and wants the answer. It
always speaks the legacy format (the only one 0.1.x had): ``POST /api/traces`` and
``POST /api/traces/{trace id}/observations``.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any

from fluxloop.config import get_config
from fluxloop.wire import TRACES_PATH, headers, model_body, observations_path

DEFAULT_URL = "http://localhost:8000"


class FluxLoopClient:
    """HTTP client of the collector (settings read when it is made)."""

    def __init__(self, collector_url: str | None = None, api_key: str | None = None) -> None:
        """``collector_url``/``api_key`` override the settings of the same names."""
        self.config = get_config()
        self.collector_url = (collector_url or self.config.collector_url or DEFAULT_URL).rstrip("/")
        self.api_key = api_key or self.config.api_key
        self._client: Any = None  # an httpx.Client; httpx loads only when one is made
        if self.config.use_collector:
            import httpx

            self._client = httpx.Client(
                base_url=self.collector_url,
                timeout=self.config.timeout,
                headers=headers(self.config, self.api_key),
            )

    def send_trace(self, trace: Any) -> dict[str, Any]:
        """POST one trace; the collector's JSON answer, or a status when sending is off.

        Raises ``httpx.HTTPError`` when the request fails or is answered with an error.
        """
        return self._post(TRACES_PATH, model_body(trace, self.config.redact_keys))

    def send_observation(self, trace_id: uuid.UUID | str, observation: Any) -> dict[str, Any]:
        """POST one observation of trace ``trace_id`` (as :meth:`send_trace`)."""
        body = model_body(observation, self.config.redact_keys)
        body["trace_id"] = str(trace_id)
        return self._post(observations_path(str(trace_id)), body)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if not self.config.enabled:
            return {"status": "disabled"}
        if self._client is None:
            return {"status": "collector_disabled"}
        response = self._client.post(path, json=body)
        response.raise_for_status()
        try:
            answer: Any = response.json()
        except ValueError:  # an empty or non-JSON success answer is still a success
            return {"status_code": response.status_code}
        return answer if isinstance(answer, dict) else {"response": answer}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> FluxLoopClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
