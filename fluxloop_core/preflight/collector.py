"""Can the collector be reached? (a warning, never a refusal: runs keep their spans)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CollectorProbe:
    """What one GET of the collector's URL found."""

    url: str
    status_code: int | None = None
    failure: str | None = None
    """The transport error's text (``status_code`` is None then)."""

    @property
    def reachable(self) -> bool:
        """Whether the collector answered at all."""
        return self.failure is None


def probe_collector(url: str, timeout: float) -> CollectorProbe:
    """One bounded HTTP GET of ``url``."""
    import httpx  # only when a collector is configured: keeps `--help` fast

    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return CollectorProbe(url, failure=str(exc) or type(exc).__name__)
    return CollectorProbe(url, status_code=response.status_code)
