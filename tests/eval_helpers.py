"""Building runs and plans for evaluation tests."""

from __future__ import annotations

from typing import Any

from fluxloop_core.evaluation.checks import CheckOutcome, compile_check
from fluxloop_core.evaluation.reading import RunView
from fluxloop_core.evaluation.spec import checks_of
from fluxloop_core.results.models import CallbackCall, ErrorInfo, TraceRecord


def record(
    output: Any = "Your balance is 42 USD",
    *,
    input_index: int = 0,
    iteration: int = 0,
    status: str = "success",
    duration_ms: float = 10.0,
    text: str = "What is my balance?",
    metadata: dict[str, Any] | None = None,
    calls: list[tuple[str, list[Any], dict[str, Any]]] | None = None,
    error: tuple[str, str] | None = None,
    provider: str = "builtin:collector.send",
) -> TraceRecord:
    """A run as the runner writes it."""
    return TraceRecord(
        run_id=f"{input_index}.{iteration}",
        input_index=input_index,
        iteration=iteration,
        input=text,
        input_metadata=metadata or {},
        status=status,  # type: ignore[arg-type]
        started_at="2026-12-01T00:00:00+00:00",
        duration_ms=duration_ms,
        output=output,
        callback_calls=[
            CallbackCall(
                parameter=name,
                provider="builtin:collector.error" if name == "error_callback" else provider,
                args=args,
                kwargs=kwargs,
                timestamp="2026-12-01T00:00:00+00:00",
            )
            for name, args, kwargs in (calls or [])
        ],
        error=ErrorInfo(type=error[0], message=error[1]) if error else None,
    )


def run_check(check: dict[str, Any] | str, run: TraceRecord, **kwargs: Any) -> CheckOutcome:
    """Validate, compile and run one check on one run."""
    spec = checks_of([check])[0]
    return compile_check(spec, key="evaluation.checks[0]", **kwargs)(RunView(run))
