"""The typed shape of setting.yaml.

Every key the seed README documents is here, and nothing else: an unknown key is an error
(``extra="forbid"``) that the loader turns into "did you mean ...?". Paths are resolved to
absolute paths by the loader, relative to the config file's folder.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from fluxloop_core.config.command_target import CommandProtocol, argv_problem
from fluxloop_core.config.conversation import ConversationConfig, PersonaConfig, unique_personas
from fluxloop_core.config.executors import ExecutorName
from fluxloop_core.config.http_target import HttpTarget, uses_kwargs
from fluxloop_core.evaluation.spec import EvaluationSpec, InputChecks
from fluxloop_core.redaction import redact

STRATEGIES: tuple[str, ...] = ("rephrase", "verbose", "concise", "error_prone", "edge_case")
"""The deterministic generation strategies, in the order they are documented."""

# Each parallel sync run is a thread: beyond this, threads cost more than they give.
MAX_PARALLEL_RUNS = 1024


# A folder name holds 255 bytes; an experiment's is "<name>_YYYYMMDD_HHMMSS" and maybe "_N".
MAX_NAME_BYTES = 255 - len("_YYYYMMDD_HHMMSS_NNNN")


def parallel_runs_problem(value: int) -> str | None:
    """Why ``value`` runs in flight is too many (the one ceiling: the config's value and
    the CLI's and TUI's overrides are held to it); said of the key ``parallel_runs``."""
    if value > MAX_PARALLEL_RUNS:
        return f"must be at most {MAX_PARALLEL_RUNS} (each sync run in flight is a thread)"
    return None


def _env_text(value: Any) -> Any:
    """A YAML scalar as environment text (``true``, ``5432``, ``""`` for null); anything
    else unchanged, for the model to refuse."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        return str(value)
    return value


class _Strict(BaseModel):
    # strict: YAML already gives typed values, so coercing them hides mistakes
    # (`iterations: true` would run once, `timeout_seconds: "5"` would pass). Paths are
    # the exception: YAML has no path type, so they come as text (strict=False on them).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)


class BaseInput(_Strict):
    """One hand-written input: the text given to the agent and free-form metadata."""

    input: str = Field(description="the text given to the agent")
    metadata: dict[str, Any] = Field(default_factory=dict, description="free-form labels")
    checks: InputChecks = Field(
        default_factory=list, description="checks for this input's runs (see evaluation)"
    )


class RayConfig(_Strict):
    """Where and how ``executor: ray`` runs (``parallel_runs`` is the total across actors)."""

    address: str | None = Field(
        default=None,
        description="the cluster (e.g. ray://head:10001 or 10.0.0.5:6379); else --ray-address, "
        "else RAY_ADDRESS, else a local Ray started for the experiment",
    )
    num_actors: int | None = Field(
        default=None, ge=1, description="agent processes on the cluster (default: its CPUs)"
    )
    batch_size: int = Field(
        default=8, ge=1, le=1000, description="runs sent to an actor in one call"
    )
    excludes: list[str] = Field(
        default_factory=list,
        description="more working_directory paths never shipped to the cluster (gitignore "
        "patterns; .env files, experiments/ and .git never are)",
    )


class RunnerConfig(_Strict):
    """How to find and call the agent."""

    target: str | None = Field(
        default=None,
        description='"module.path:function" or "module.path:ClassName.method_name"',
        examples=["examples.simple_agent:run"],
    )
    module_path: str | None = Field(default=None, description="legacy: the module of the target")
    function_name: str | None = Field(
        default=None, description="legacy: the function (or Class.method) of the target"
    )
    working_directory: Path = Field(
        default=Path("."), strict=False, description="put on sys.path and used as the runs' cwd"
    )
    # A list here is fluxloop-cli 0.2.x's extra import paths: read as import_paths.
    python_path: str | None = Field(
        default=None, description="another Python interpreter to run the agent in"
    )
    import_paths: list[Path] = Field(
        default_factory=list,
        description="extra folders put on sys.path (and PYTHONPATH) for the runs",
    )
    environment_vars: dict[str, str] = Field(
        default_factory=dict, description="environment variables set for the runs"
    )
    timeout_seconds: float = Field(default=300.0, gt=0, description="per-run time limit")
    max_retries: int = Field(default=0, ge=0, description="retries after an exception")
    retry_delay: float = Field(default=1.0, ge=0, description="seconds between retries")
    executor: ExecutorName = Field(
        default="local",
        description="where runs execute: local (threads or asyncio in this process), "
        "processes (one worker process per parallel run, for CPU-bound agents) or ray "
        "(actors on a Ray cluster; needs the [ray] extra)",
    )
    ray: RayConfig = Field(default_factory=RayConfig, description="for executor: ray")
    http: HttpTarget | None = Field(
        default=None, description="an agent reached over HTTP (instead of target)"
    )
    command: list[str] | None = Field(
        default=None,
        description='a program that is the agent, e.g. ["node", "agent.js"] (instead of '
        "target; no shell)",
    )
    protocol: CommandProtocol | None = Field(
        default=None,
        description="how runner.command is talked to: jsonl (default: parallel_runs "
        "long-lived processes, one JSON line in and out per run) or per_run (one process "
        "per run)",
    )

    @field_validator("environment_vars", mode="before")
    @classmethod
    def _stringify_env(cls, value: Any) -> Any:
        # YAML turns `PORT: 5432` into an int; environment values are strings. Only
        # scalars are turned into text: a list or mapping is a mistake the model reports.
        if isinstance(value, Mapping):
            return {str(k): _env_text(v) for k, v in value.items()}
        return value

    @field_validator("environment_vars")
    @classmethod
    def _usable_names(cls, value: dict[str, str]) -> dict[str, str]:
        # The operating system cannot hold these; refuse them here, not mid-run.
        for name in value:
            if not name or "=" in name:
                raise ValueError(
                    f"{name!r} cannot be an environment variable name (empty, or has '=')"
                )
        return value

    @field_validator("import_paths", mode="before")
    @classmethod
    def _text_is_a_path(cls, value: Any) -> Any:
        # YAML has no path type; only text items become paths (a number stays a mistake).
        if isinstance(value, list):
            return [Path(item) if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="before")
    @classmethod
    def _python_path_list(cls, data: Any) -> Any:
        # fluxloop-cli 0.2.x: `python_path: [dir, ...]` are extra import paths, not an
        # interpreter; a string keeps this project's meaning (one interpreter).
        if not isinstance(data, Mapping) or not isinstance(data.get("python_path"), list):
            return data
        if data.get("import_paths"):
            raise ValueError(
                "python_path as a list means import_paths (fluxloop-cli 0.2.x): "
                "give import_paths only"
            )
        data = dict(data)
        data["import_paths"] = data.pop("python_path")
        return data

    @model_validator(mode="before")
    @classmethod
    def _legacy_to_target(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        legacy = data.get("module_path") is not None or data.get("function_name") is not None
        given = [
            name
            for name, present in (
                ("target", data.get("target") is not None or legacy),
                ("http", data.get("http") is not None),
                ("command", data.get("command") is not None),
            )
            if present
        ]
        if len(given) > 1:
            raise ValueError(
                f"give one of target (a Python function), http (an endpoint) or command "
                f"(a program), not {' and '.join(given)}"
            )
        if given and given[0] != "target":
            return data
        if data.get("target") is not None and legacy:
            raise ValueError(
                "give either target or module_path + function_name, not both "
                '(prefer target: "module.path:function")'
            )
        if data.get("target") is None:
            if any(
                data.get(key) is not None and not isinstance(data.get(key), str)
                for key in ("module_path", "function_name")
            ):
                return data  # a wrong type: the field check names it
            if not (data.get("module_path") and data.get("function_name")):
                raise ValueError(
                    'a target is required: set target: "module.path:function" '
                    "(or the legacy module_path and function_name together), "
                    'or http: {url: "http://..."} for an agent behind HTTP, '
                    'or command: ["node", "agent.js"] for a program'
                )
            data = dict(data)
            data["target"] = f"{data.pop('module_path')}:{data.pop('function_name')}"
        return data

    @field_validator("target")
    @classmethod
    def _target_shape(cls, value: str | None) -> str | None:
        module, sep, qualname = (value or "").partition(":")
        if not sep or not module.strip() or not qualname.strip():
            raise ValueError(
                f'target {value!r} is not "module.path:function" '
                '(for example "examples.simple_agent:run")'
            )
        return value

    @field_validator("command")
    @classmethod
    def _runnable(cls, value: list[str] | None) -> list[str] | None:
        problem = None if value is None else argv_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _http_runs_here(self) -> RunnerConfig:
        # python_path is an interpreter to import a Python target in; an http or command
        # target is driven from this process (the executor is checked in preflight).
        for name, given in (("http", self.http is not None), ("command", self.command)):
            if given and self.python_path:
                raise ValueError(f"python_path is for Python targets: remove it when {name} is set")
        if self.protocol is not None and self.command is None:
            raise ValueError("protocol is how runner.command is talked to: set command too")
        return self

    def import_path_variables(self, environ: Mapping[str, str]) -> dict[str, str]:
        """``PYTHONPATH`` with :attr:`import_paths` in front of ``environ``'s, for any
        process that imports the agent (worker, import check); empty without them."""
        if not self.import_paths:
            return {}
        inherited = environ.get("PYTHONPATH", "")
        entries = [str(p) for p in self.import_paths] + ([inherited] if inherited else [])
        return {"PYTHONPATH": os.pathsep.join(entries)}

    @property
    def resolved_target(self) -> str:
        """The target as ``module:qualname``, ``METHOD url`` (redacted) for an http one, or
        the command line (redacted); always set once validated. Only a Python target
        (neither ``http`` nor ``command``) can be imported."""
        if self.http is not None:
            return redact(f"{self.http.method} {self.http.url}")
        if self.command is not None:
            return redact(shlex.join(self.command))
        assert self.target is not None  # guaranteed by _legacy_to_target
        return self.target

    @property
    def remote_key(self) -> str | None:
        """``runner.http`` or ``runner.command`` when the agent is not imported (reached
        over HTTP, or a program): recorded callables cannot reach it, and it has no Python
        name to pick its calls from a recording; None for a Python target."""
        if self.http is not None:
            return "runner.http"
        if self.command is not None:
            return "runner.command"
        return None

    @property
    def target_words(self) -> str:
        """The target as people read it (redacted): ``module:function``, ``METHOD url (an
        HTTP endpoint)`` or ``program args (a jsonl program)``."""
        if self.http is not None:
            return f"{self.resolved_target} (an HTTP endpoint)"
        if self.command is not None:
            return f"{self.resolved_target} (a {self.protocol or 'jsonl'} program)"
        return self.resolved_target


class ReplayArgsConfig(_Strict):
    """Replay recorded calls: each run gets a recorded call's kwargs with the input injected."""

    enabled: bool = Field(default=False, description="replay recorded kwargs")
    recording_file: Path | None = Field(
        default=None, strict=False, description="the JSONL recording"
    )
    callable_providers: dict[str, str] = Field(
        default_factory=dict,
        description='recorded callable parameter -> "builtin:collector.send", '
        '"builtin:collector.error" or "module:function" ("capture" for runner.http '
        "and runner.command)",
    )
    override_param_path: str | None = Field(
        default=None,
        description='dot path where the runtime input is written, e.g. "data.content" '
        'or "messages.0.text"',
    )

    @field_validator("callable_providers", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="after")
    def _enabled_needs_file(self) -> ReplayArgsConfig:
        if self.enabled and self.recording_file is None:
            raise ValueError("replay_args.enabled is true but recording_file is not set")
        return self


class LLMConfig(_Strict):
    """The model used by ``mode: llm`` generation (any OpenAI-compatible endpoint)."""

    enabled: bool = Field(
        default=False, description="allow LLM calls (required by mode: llm and --mode llm)"
    )
    provider: str = Field(default="openai", description="openai, anthropic, or a custom name")
    model: str = Field(default="gpt-4o-mini", description="model name")
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=1)
    base_url: str | None = Field(default=None, description="an OpenAI-compatible endpoint")
    concurrency: int = Field(default=4, ge=1, description="requests in flight at once")
    timeout_seconds: float = Field(
        default=60.0, gt=0, description="total deadline per request, reading included"
    )
    max_retries: int = Field(default=4, ge=0, description="retries on 429, 5xx and timeouts")


class InputGenerationConfig(_Strict):
    """How `fluxloop generate inputs` makes variations."""

    mode: Literal["deterministic", "llm"] = Field(
        default="deterministic", description="deterministic (offline) or llm"
    )
    strategies: list[str] = Field(
        default_factory=lambda: ["rephrase", "verbose", "concise"],
        description="variation strategies: " + ", ".join(STRATEGIES),
    )
    limit: int | None = Field(default=None, ge=1, description="total number of inputs")
    seed: int = Field(default=0, description="same seed, same inputs")
    llm: LLMConfig = Field(default_factory=LLMConfig)

    @field_validator("llm")
    @classmethod
    def _llm_mode_needs_llm_enabled(cls, value: LLMConfig, info: ValidationInfo) -> LLMConfig:
        # `llm.enabled` is the one switch for LLM calls; `mode: llm` asks for them.
        if info.data.get("mode") == "llm" and not value.enabled:
            raise ValueError(
                "input_generation.mode is llm but input_generation.llm.enabled is false: "
                "set llm.enabled: true to allow LLM calls (`fluxloop config set-llm` does), "
                "or set mode: deterministic"
            )
        return value

    @field_validator("strategies")
    @classmethod
    def _known_strategies(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in STRATEGIES]
        if unknown:
            raise ValueError(
                f"unknown strateg{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; valid: {', '.join(STRATEGIES)}"
            )
        return value


class CollectorConfig(_Strict):
    """Where the SDK exports traces during runs (optional; `--no-collector` turns it off)."""

    enabled: bool = Field(default=True, description="export when a URL is known")
    url: str | None = Field(default=None, description="default: FLUXLOOP_COLLECTOR_URL")
    timeout_seconds: float = Field(default=2.0, gt=0, description="reachability check limit")
    format: Literal["fluxloop", "legacy"] | None = Field(
        default=None,
        description="wire format: fluxloop (batched) or legacy (one request per trace and "
        "observation, as the fluxloop 0.1.x SDK sent); default FLUXLOOP_COLLECTOR_FORMAT, "
        "else fluxloop",
    )


class ModelPrice(_Strict):
    """What one model costs, in US dollars per million tokens."""

    input_per_million: float = Field(ge=0, description="USD per million input tokens")
    output_per_million: float = Field(ge=0, description="USD per million output tokens")


class ExperimentConfig(_Strict):
    """The whole of setting.yaml."""

    name: str = Field(min_length=1, description="experiment name, used in output folder names")
    description: str | None = None
    runner: RunnerConfig
    replay_args: ReplayArgsConfig = Field(default_factory=ReplayArgsConfig)
    base_inputs: list[BaseInput] = Field(default_factory=list)
    inputs_file: Path | None = Field(
        default=None,
        strict=False,
        description="inputs/generated.yaml; used instead of base_inputs when set",
    )
    iterations: int = Field(default=1, ge=1, description="runs per input")
    parallel_runs: int = Field(
        default=1,
        ge=1,
        json_schema_extra={"maximum": MAX_PARALLEL_RUNS},
        description="runs in flight at once",
    )
    output_directory: Path = Field(
        default=Path("experiments"), strict=False, description="results folder"
    )
    input_generation: InputGenerationConfig = Field(default_factory=InputGenerationConfig)
    collector: CollectorConfig = Field(default_factory=CollectorConfig)
    pricing: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description="USD per million tokens by model name, for each run's cost_usd",
    )
    evaluation: EvaluationSpec | None = Field(
        default=None, description="checks on every run, and the gate (exit 1 under its bar)"
    )
    conversation: ConversationConfig = Field(
        default_factory=ConversationConfig,
        # 0.3.x called it multi_turn.
        validation_alias=AliasChoices("conversation", "multi_turn"),
        description="run each input as a multi-turn conversation (0.3.x: multi_turn)",
    )
    personas: list[PersonaConfig] = Field(
        default_factory=list, description="simulated users of conversations"
    )

    @model_validator(mode="before")
    @classmethod
    def _one_conversation_key(cls, value: Any) -> Any:
        if isinstance(value, dict) and "conversation" in value and "multi_turn" in value:
            raise ValueError(
                "conversation and multi_turn are the same section (multi_turn is its 0.3.x "
                "name): keep only conversation"
            )
        return value

    @field_validator("personas")
    @classmethod
    def _unique_personas(cls, value: list[PersonaConfig]) -> list[PersonaConfig]:
        return unique_personas(value)

    @field_validator("base_inputs", mode="before")
    @classmethod
    def _bare_strings(cls, value: Any) -> Any:
        # `- "Hello"` is as natural as `- input: "Hello"`.
        if isinstance(value, list):
            return [{"input": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("parallel_runs")
    @classmethod
    def _parallel_ceiling(cls, value: int) -> int:
        problem = parallel_runs_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _kwargs_need_replay(self) -> ExperimentConfig:
        http = self.runner.http
        if http is not None and uses_kwargs(http.body) and not self.replay_args.enabled:
            raise ValueError(
                "runner.http.body uses {kwargs...}, the arguments of a recorded call, but "
                "replay_args.enabled is false (enable replay, or take {kwargs...} out of "
                "the body)"
            )
        return self

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in {".", ".."}:
            raise ValueError("name is used in folder names: no slashes, not '.' or '..'")
        if len(value.encode()) > MAX_NAME_BYTES:
            raise ValueError(
                f"too long for a folder name (the experiment's folder adds a date): at most "
                f"{MAX_NAME_BYTES} bytes, not {len(value.encode())}"
            )
        return value

    def collector_format(self, env: Mapping[str, str]) -> str:
        """The collector wire format in effect: the config's, else FLUXLOOP_COLLECTOR_FORMAT."""
        return self.collector.format or env.get("FLUXLOOP_COLLECTOR_FORMAT") or "fluxloop"

    def collector_url(self, env: Mapping[str, str]) -> str | None:
        """The collector URL in effect: the config's, else FLUXLOOP_COLLECTOR_URL."""
        if not self.collector.enabled:
            return None
        return self.collector.url or env.get("FLUXLOOP_COLLECTOR_URL") or None


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of setting.yaml, for editor completion."""
    schema = ExperimentConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "FluxLoop setting.yaml"
    return schema
