"""The shapes of an experiment's files, shared by the runner that writes them and by every
reader (``status experiments``/``traces``, the TUI).

experiments/<name>_<YYYYMMDD_HHMMSS>/
    summary.json   ExperimentSummary (the seed's name/date/results plus run details)
    traces.jsonl   one TraceRecord per line, appended as each run finishes
    errors.json    a list of RunError for the runs that did not succeed
    artifacts/     the offline trace cache (SDK spans per run)
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SUMMARY_FILE = "summary.json"
TRACES_FILE = "traces.jsonl"
ERRORS_FILE = "errors.json"
ARTIFACTS_DIR = "artifacts"

RunStatus = Literal["success", "error", "timeout"]


class _Model(BaseModel):
    # Readers must accept files written by newer versions, so unknown fields are kept.
    model_config = ConfigDict(extra="allow")


class ErrorInfo(_Model):
    """An exception raised by the agent (or a timeout), with its traceback text."""

    type: str
    message: str
    traceback: str | None = None


class CallbackCall(_Model):
    """One call the agent made to a replayed callable (e.g. send_message_callback)."""

    parameter: str
    provider: str
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    timestamp: str


class ReplaySource(_Model):
    """The recorded call a replayed run was built from."""

    recording_file: str
    line_number: int
    iteration: int


class TraceRecord(_Model):
    """One run: a line of traces.jsonl.

    ``run_id`` is ``"<input_index>.<iteration>"``: the same input and iteration always get
    the same id, which is how ``--resume`` knows what already finished.
    """

    run_id: str
    input_index: int
    iteration: int
    input: str
    input_metadata: dict[str, Any] = Field(default_factory=dict)
    status: RunStatus
    started_at: str
    duration_ms: float
    attempts: int = 1
    output: Any = None
    callback_calls: list[CallbackCall] = Field(default_factory=list)
    spans: list[dict[str, Any]] = Field(default_factory=list)
    error: ErrorInfo | None = None
    replay_source: ReplaySource | None = None
    usage: dict[str, Any] | None = None
    """Tokens by model, LLM calls and tool calls (:meth:`fluxloop_core.usage.RunUsage.to_json`)."""
    cost_usd: float | None = None
    """From ``pricing:``; None without usage, or when a model it called has no price."""


class RunError(_Model):
    """An entry of errors.json."""

    run_id: str
    input: str
    iteration: int
    status: RunStatus
    error: ErrorInfo


class ResultStats(_Model):
    """The seed's ``results`` block, plus percentiles and timeouts."""

    total_runs: int
    successful: int
    failed: int
    success_rate: float
    avg_duration_ms: float
    p50_duration_ms: float = 0.0
    p95_duration_ms: float = 0.0
    timed_out: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    llm_calls: int = 0
    cost_usd: float | None = None
    """The priced runs' cost; None when no run could be priced."""
    unpriced_runs: int = 0
    """Runs that called an LLM whose model has no price (their cost is unknown)."""


class GateFlags(_Model):
    """The evaluation's command-line flags an experiment was started with
    (``--fail-under``, ``--fail-under-per-input``, ``--report``): ``--resume`` uses them
    again unless given anew."""

    fail_under: float | None = Field(default=None, ge=0, le=1)
    fail_under_per_input: float | None = Field(default=None, ge=0, le=1)
    report: list[Literal["junit", "md", "html"]] = Field(default_factory=list)
    multi_turn: bool = False
    """``--multi-turn`` (with ``--max-turns`` and ``--persona``): a resumed experiment's
    remaining conversations are held like its first ones."""
    max_turns: int | None = Field(default=None, ge=1)
    persona: str | None = None


class ExperimentSummary(_Model):
    """summary.json. ``date`` is the start time (the seed's field); ``planned_runs`` is
    inputs × iterations, which exceeds ``results.total_runs`` when the run was interrupted."""

    name: str
    date: str
    results: ResultStats
    # Optional so that a summary holding only the seed's fields still reads.
    started_at: str | None = None
    finished_at: str | None = None
    duration_seconds: float = 0.0
    inputs_count: int = 0
    iterations: int = 1
    planned_runs: int = 0
    parallel_runs: int = 1
    interrupted: bool = False
    stop_reason: str | None = None
    """Why FluxLoop itself stopped early (``--max-cost``); None for Ctrl-C or no stop."""
    resumed: bool = False
    target: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    # What --resume checks it continues the same experiment with (see runner/resume.py).
    config_file: str | None = None
    inputs_digest: str | None = None
    gate_flags: GateFlags | None = None
    # The evaluation's figures and gate (evaluation/summary.json's content) when the runs
    # were graded; written at the end.
    evaluation: dict[str, Any] | None = None
    # The indices of the config's inputs that ran, when limited (`--rerun-failing`): a
    # resume runs the same ones.
    selected_inputs: list[int] | None = None
