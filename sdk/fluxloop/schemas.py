"""The import path ``fluxloop.schemas`` of the released 0.1.x SDK, for code that used it.

``from fluxloop.schemas import ExperimentConfig, Trace`` keeps working; the classes live
in :mod:`fluxloop.models` and :mod:`fluxloop.experiment`.
"""

from fluxloop.experiment import ExperimentConfig, PersonaConfig, RunnerConfig, VariationStrategy
from fluxloop.models import (
    Observation,
    ObservationLevel,
    ObservationType,
    Score,
    ScoreDataType,
    Trace,
    TraceStatus,
)

__all__ = [
    "ExperimentConfig",
    "Observation",
    "ObservationLevel",
    "ObservationType",
    "PersonaConfig",
    "RunnerConfig",
    "Score",
    "ScoreDataType",
    "Trace",
    "TraceStatus",
    "VariationStrategy",
]
