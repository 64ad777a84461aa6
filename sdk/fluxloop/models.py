"""The trace data model of the released fluxloop 0.1.x SDK, as stdlib dataclasses.

Same names, fields, defaults and helper methods as its pydantic models (``Trace``,
``Observation``, ``Score`` and their enums), so code that builds them, or hands them to
:class:`fluxloop.FluxLoopClient`, runs unchanged. Unlike pydantic these do not convert or
validate field values (0.1.8's only check, a score's value against its data type, never
ran because of its field order).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from typing import Any

# Ids that are not UUIDs (the SDK's own ``t1-…`` trace ids) map to stable UUIDs in it.
_NAMESPACE = uuid.UUID("5f1b2c9e-0f3a-4c1e-9d7b-6a2f4e8c1d00")


class TraceStatus(str, enum.Enum):  # noqa: UP042 (str() as 0.1.x: "Name.MEMBER")
    """Status of a trace execution."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ObservationType(str, enum.Enum):  # noqa: UP042 (str() as 0.1.x: "Name.MEMBER")
    """Type of an observation in the trace hierarchy."""

    SPAN = "span"
    EVENT = "event"
    GENERATION = "generation"
    TOOL = "tool"
    AGENT = "agent"
    CHAIN = "chain"
    EVALUATION = "evaluation"


class ObservationLevel(str, enum.Enum):  # noqa: UP042 (str() as 0.1.x: "Name.MEMBER")
    """Log level of an observation."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class ScoreDataType(str, enum.Enum):  # noqa: UP042 (str() as 0.1.x: "Name.MEMBER")
    """Data type of a score's value."""

    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def uuid_for(identifier: str | uuid.UUID) -> uuid.UUID:
    """The id itself when it is a UUID, else a UUID derived from it (always the same)."""
    if isinstance(identifier, uuid.UUID):
        return identifier
    try:
        return uuid.UUID(identifier)
    except ValueError:
        return uuid.uuid5(_NAMESPACE, identifier)


def _duration_ms(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() * 1000


@dataclasses.dataclass(kw_only=True)
class Score:
    """A score (evaluation result) for a trace or one of its observations."""

    trace_id: uuid.UUID
    name: str
    value: float | bool | str
    data_type: ScoreDataType
    id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)
    observation_id: uuid.UUID | None = None
    comment: str | None = None
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    created_at: dt.datetime = dataclasses.field(default_factory=_now)


@dataclasses.dataclass(kw_only=True)
class Observation:
    """One observation (span, generation, tool call, ...) within a trace."""

    trace_id: uuid.UUID
    type: ObservationType
    name: str
    id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)
    parent_observation_id: uuid.UUID | None = None
    start_time: dt.datetime = dataclasses.field(default_factory=_now)
    end_time: dt.datetime | None = None
    input: Any = None
    output: Any = None
    error: str | None = None
    level: ObservationLevel = ObservationLevel.INFO
    status_message: str | None = None
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    model: str | None = None
    llm_parameters: dict[str, Any] | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    scores: list[Score] = dataclasses.field(default_factory=list)

    def duration_ms(self) -> float | None:
        """Milliseconds from start to end, or None while it has not ended."""
        return _duration_ms(self.start_time, self.end_time)


@dataclasses.dataclass(kw_only=True)
class Trace:
    """A whole execution flow: the root of its observations."""

    name: str
    id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)
    session_id: uuid.UUID | None = None
    start_time: dt.datetime = dataclasses.field(default_factory=_now)
    end_time: dt.datetime | None = None
    status: TraceStatus = TraceStatus.PENDING
    error: str | None = None
    user_id: str | None = None
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    tags: list[str] = dataclasses.field(default_factory=list)
    experiment_id: str | None = None
    iteration: int | None = None
    persona: str | None = None
    variation_seed: str | None = None
    input: Any = None
    output: Any = None
    observations: list[Observation] = dataclasses.field(default_factory=list)
    scores: list[Score] = dataclasses.field(default_factory=list)
    total_cost: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None

    def duration_ms(self) -> float | None:
        """Milliseconds from start to end, or None while it has not ended."""
        return _duration_ms(self.start_time, self.end_time)

    def get_observation_tree(self) -> dict[uuid.UUID | None, list[Observation]]:
        """Observations grouped by parent id (``None``: top level, always present)."""
        tree: dict[uuid.UUID | None, list[Observation]] = {}
        for observation in self.observations:
            tree.setdefault(observation.parent_observation_id, []).append(observation)
        tree.setdefault(None, [])
        return tree

    def calculate_metrics(self) -> dict[str, Any]:
        """Duration, counts, tokens and (from boolean ``success`` scores) a success rate."""
        metrics: dict[str, Any] = {
            "duration_ms": self.duration_ms(),
            "observation_count": len(self.observations),
            "score_count": len(self.scores),
            "error_count": sum(1 for o in self.observations if o.error),
            "total_tokens": self.total_tokens or 0,
        }
        successes = [
            s for s in self.scores if s.name == "success" and s.data_type == ScoreDataType.BOOLEAN
        ]
        if successes:
            metrics["success_rate"] = sum(1 for s in successes if s.value) / len(successes)
        return metrics
