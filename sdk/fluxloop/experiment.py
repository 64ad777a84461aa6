"""Light equivalents of the released SDK's experiment configuration models.

fluxloop 0.1.x exported the pydantic models its CLI (fluxloop-cli 0.2.x) read a project
into: ``ExperimentConfig`` with its ``RunnerConfig`` and ``PersonaConfig`` entries, and the
``VariationStrategy`` enum. These dataclasses keep their field names, defaults, range
checks and helper methods, so scripts that build or inspect one keep working. The nested
sections this SDK has no use for (``input_generation``, ``replay_args``, ``evaluators``,
``multi_turn``) are kept as the plain data given. FluxLoop itself reads ``setting.yaml``
with its own loader; nothing here is used by the runner.
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import Any

from fluxloop.serialization import without_none


class VariationStrategy(str, enum.Enum):  # noqa: UP042 (str() as 0.1.x: "Name.MEMBER")
    """How input variations are generated from a base input."""

    REPHRASE = "rephrase"
    ERROR_PRONE = "error_prone"
    TYPO = "typo"
    VERBOSE = "verbose"
    CONCISE = "concise"
    PERSONA_BASED = "persona_based"
    ADVERSARIAL = "adversarial"
    MULTILINGUAL = "multilingual"
    CUSTOM = "custom"


def _check_range(name: str, value: float, low: float, high: float | None = None) -> None:
    if isinstance(value, bool) or value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ValueError(f"{name} must be at least {low}{upper}, got {value!r}")


@dataclasses.dataclass(kw_only=True)
class PersonaConfig:
    """A simulated user."""

    name: str
    description: str
    characteristics: list[str] = dataclasses.field(default_factory=list)
    language: str = "en"
    expertise_level: str = "intermediate"
    goals: list[str] = dataclasses.field(default_factory=list)
    constraints: list[str] = dataclasses.field(default_factory=list)
    custom_attributes: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_prompt(self) -> str:
        """The persona as prompt text (same lines as fluxloop 0.1.x)."""
        parts = [f"User Persona: {self.name}", f"Description: {self.description}"]
        if self.characteristics:
            parts.append(f"Characteristics: {', '.join(self.characteristics)}")
        if self.goals:
            parts.append(f"Goals: {', '.join(self.goals)}")
        if self.constraints:
            parts.append(f"Constraints: {', '.join(self.constraints)}")
        parts.append(f"Language: {self.language}")
        parts.append(f"Expertise Level: {self.expertise_level}")
        return "\n".join(parts)


@dataclasses.dataclass(kw_only=True)
class RunnerConfig:
    """Where the agent is and how it runs (``python_path``: extra import paths)."""

    module_path: str
    function_name: str = "run"
    target: str | None = None
    factory: str | None = None
    factory_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    stream_output_path: str | None = None
    working_directory: str | None = None
    python_path: list[str] = dataclasses.field(default_factory=list)
    environment_vars: dict[str, str] = dataclasses.field(default_factory=dict)
    requirements_file: str | None = None
    setup_commands: list[str] = dataclasses.field(default_factory=list)
    timeout_seconds: int = 300
    max_retries: int = 3
    retry_delay: int = 5
    use_docker: bool = False
    docker_image: str | None = None
    docker_build_context: str | None = None
    docker_volumes: list[str] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        # 0.1.x accepted one path as a string, or none at all.
        value: Any = self.python_path
        if value is None:
            self.python_path = []
        elif isinstance(value, str):
            self.python_path = [value]
        elif isinstance(value, list | tuple):
            self.python_path = [str(item) for item in value]
        else:
            self.python_path = [str(value)]


@dataclasses.dataclass(kw_only=True)
class ExperimentConfig:
    """A whole experiment: inputs, personas, variations and the runner."""

    name: str
    runner: RunnerConfig
    description: str | None = None
    version: str = "1.0.0"
    iterations: int = 10
    parallel_runs: int = 1
    seed: int | None = None
    run_delay_seconds: float = 0.0
    personas: list[PersonaConfig] = dataclasses.field(default_factory=list)
    variation_strategies: list[VariationStrategy] = dataclasses.field(default_factory=list)
    variation_count: int = 1
    variation_temperature: float = 0.7
    variation_model: str = "gpt-3.5-turbo"
    custom_variation_prompt: str | None = None
    base_inputs: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    inputs_file: str | None = None
    input_template: str | None = None
    input_generation: dict[str, Any] = dataclasses.field(default_factory=dict)
    replay_args: dict[str, Any] | None = None
    evaluators: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    output_directory: str = "./experiments"
    save_traces: bool = True
    save_aggregated_metrics: bool = True
    multi_turn: dict[str, Any] | None = None
    collector_url: str | None = None
    collector_api_key: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    _source_dir: Path | None = dataclasses.field(default=None, init=False, repr=False)
    _resolved_input_count: int | None = dataclasses.field(default=None, init=False, repr=False)
    _resolved_persona_count: int | None = dataclasses.field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Nested sections may be given as plain data, as they come from YAML.
        runner: Any = self.runner
        if isinstance(runner, dict):
            self.runner = RunnerConfig(**runner)
        self.personas = [
            PersonaConfig(**item) if isinstance(item, dict) else item for item in self.personas
        ]
        self.variation_strategies = [VariationStrategy(item) for item in self.variation_strategies]
        _check_range("iterations", self.iterations, 1, 1000)
        _check_range("parallel_runs", self.parallel_runs, 1, 10)
        _check_range("run_delay_seconds", self.run_delay_seconds, 0.0)
        _check_range("variation_count", self.variation_count, 1, 10)
        _check_range("variation_temperature", self.variation_temperature, 0.0, 2.0)
        if not self.base_inputs and not self.inputs_file:
            raise ValueError("Either base_inputs or inputs_file must be provided")

    def has_external_inputs(self) -> bool:
        """True when inputs come from an external file."""
        return bool(self.inputs_file)

    def set_source_dir(self, source_dir: Path) -> None:
        """Remember the folder the configuration was loaded from."""
        self._source_dir = source_dir

    def get_source_dir(self) -> Path | None:
        """The folder the configuration was loaded from, if known."""
        return self._source_dir

    def set_resolved_input_count(self, count: int) -> None:
        """Record how many inputs will really run."""
        if count < 0:
            raise ValueError("resolved input count must be non-negative")
        self._resolved_input_count = count

    def get_resolved_input_count(self) -> int | None:
        """The recorded input count, if any."""
        return self._resolved_input_count

    def set_resolved_persona_count(self, count: int) -> None:
        """Record how many personas multiply the runs."""
        if count < 1:
            raise ValueError("resolved persona count must be >= 1")
        self._resolved_persona_count = count

    def get_resolved_persona_count(self) -> int | None:
        """The recorded persona count, if any."""
        return self._resolved_persona_count

    def get_input_count(self) -> int:
        """Inputs per iteration and persona (recorded, else estimated as 0.1.x did)."""
        if self._resolved_input_count is not None:
            return self._resolved_input_count
        base = len(self.base_inputs)
        if self.has_external_inputs():
            return base or 1
        variations = max(1, self.variation_count)
        return base * variations if base else variations

    def estimate_total_runs(self) -> int:
        """iterations x personas x inputs."""
        personas = self._resolved_persona_count
        if personas is None:
            personas = len(self.personas) or 1
        return self.iterations * personas * self.get_input_count()

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain data, without unset (None) fields."""
        data = dataclasses.asdict(self)
        plain = {key: value for key, value in data.items() if not key.startswith("_")}
        return dict(without_none(plain))
