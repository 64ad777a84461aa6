"""SDK settings: ``configure()`` > environment variables > defaults."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxloop import envfile
from fluxloop.redaction import DEFAULT_REDACT_KEYS

# "fluxloop": batches to POST /api/traces; "legacy": fluxloop 0.1.x's one request per trace
# and per observation, for collectors built for the released SDK.
COLLECTOR_FORMATS = ("fluxloop", "legacy")


class ConfigurationError(ValueError):
    """A setting (argument or environment variable) has a value the SDK cannot use."""


@dataclass(frozen=True)
class SDKConfig:
    """The SDK's effective settings; read with :func:`get_config`."""

    enabled: bool = True
    debug: bool = False
    collector_url: str | None = None
    api_key: str | None = None
    use_collector: bool = True
    collector_format: str = "fluxloop"
    record_args: bool = False
    recording_file: str = "/tmp/fluxloop_args.jsonl"
    sample_rate: float = 1.0
    batch_size: int = 10
    flush_interval: float = 5.0
    max_queue_size: int = 10_000
    timeout: float = 10.0
    service_name: str | None = None
    environment: str | None = "development"
    offline_store_enabled: bool = True
    offline_store_dir: str = "./experiments/artifacts"
    redact_keys: tuple[str, ...] = field(default=DEFAULT_REDACT_KEYS)

    @property
    def exporting(self) -> bool:
        """Whether finished traces go to a collector."""
        return self.enabled and self.use_collector and bool(self.collector_url)


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


def _number(
    value: Any, kind: type[int] | type[float], ok: Callable[[float], bool], allowed: str
) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not ok(number):
        raise ValueError(f"expected {allowed}")
    return number


def _rate(value: Any) -> float:
    return float(_number(value, float, lambda n: 0.0 <= n <= 1.0, "a number from 0.0 to 1.0"))


def _positive_int(value: Any) -> int:
    return int(_number(value, int, lambda n: n >= 1, "a whole number of at least 1"))


def _positive_float(value: Any) -> float:
    return float(_number(value, float, lambda n: n > 0, "a number greater than 0"))


def _collector_format(value: Any) -> str:
    if value not in COLLECTOR_FORMATS:
        raise ValueError(f"expected one of: {', '.join(COLLECTOR_FORMATS)}")
    return str(value)


def _recording_file(value: Any) -> str:
    # None is 0.1.x's "no file chosen": the default file.
    return SDKConfig.recording_file if value is None else os.fspath(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _names(value: Any) -> tuple[str, ...]:
    # A lone string would otherwise become a tuple of its letters.
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("expected a list of key names")
    return tuple(str(name) for name in value)


# name -> (environment variable, parser of its text, checker of a configure() value).
# An empty variable whose parser is ``str`` counts as unset: the .env files fluxloop-cli
# 0.2.x wrote hold lines such as ``FLUXLOOP_RECORDING_FILE=``.
_FIELDS: dict[str, tuple[str | None, Callable[[str], Any], Callable[[Any], Any]]] = {
    "enabled": ("FLUXLOOP_ENABLED", _bool, bool),
    "debug": ("FLUXLOOP_DEBUG", _bool, bool),
    "collector_url": ("FLUXLOOP_COLLECTOR_URL", str, _optional_text),
    "api_key": ("FLUXLOOP_API_KEY", str, _optional_text),
    "use_collector": ("FLUXLOOP_USE_COLLECTOR", _bool, bool),
    "collector_format": ("FLUXLOOP_COLLECTOR_FORMAT", _collector_format, _collector_format),
    "record_args": ("FLUXLOOP_RECORD_ARGS", _bool, bool),
    "recording_file": ("FLUXLOOP_RECORDING_FILE", str, _recording_file),
    "sample_rate": ("FLUXLOOP_SAMPLE_RATE", _rate, _rate),
    "batch_size": ("FLUXLOOP_BATCH_SIZE", _positive_int, _positive_int),
    "flush_interval": ("FLUXLOOP_FLUSH_INTERVAL", _positive_float, _positive_float),
    "max_queue_size": ("FLUXLOOP_MAX_QUEUE_SIZE", _positive_int, _positive_int),
    "timeout": ("FLUXLOOP_TIMEOUT", _positive_float, _positive_float),
    "service_name": ("FLUXLOOP_SERVICE_NAME", str, _optional_text),
    "environment": ("FLUXLOOP_ENVIRONMENT", str, _optional_text),
    "offline_store_enabled": ("FLUXLOOP_OFFLINE_ENABLED", _bool, bool),
    "offline_store_dir": ("FLUXLOOP_OFFLINE_DIR", str, lambda v: os.fspath(v)),
    "redact_keys": (None, str, _names),
}

_lock = threading.Lock()
_overrides: dict[str, Any] = {}
_current: SDKConfig | None = None
_listeners: list[Callable[[SDKConfig], None]] = []


def _parse_environment(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings the FLUXLOOP_* variables give, and why each unusable one is refused."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, (variable, parse, _) in _FIELDS.items():
        if variable is None or variable not in environ:
            continue
        if parse is str and not environ[variable].strip():
            continue
        try:
            values[name] = parse(environ[variable])
        except ValueError as exc:
            problems[variable] = f"{environ[variable]!r} is invalid: {exc}"
    return values, problems


def environment_problems(environ: Mapping[str, str]) -> dict[str, str]:
    """Each FLUXLOOP_* variable of ``environ`` the SDK would refuse, and why.

    The one check of those values: the SDK raises on the first at start-up, and the
    FluxLoop CLI asks here before a run so it can say where the value was set.
    """
    return _parse_environment(environ)[1]


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values, problems = _parse_environment(environ)
    for variable, why in problems.items():
        raise ConfigurationError(f"{variable}={why}")
    return values


def config_from_environment(environ: Mapping[str, str]) -> SDKConfig:
    """The settings a process whose environment is ``environ`` starts with (no
    configure() overrides); raises ConfigurationError on a value it would refuse."""
    return SDKConfig(**_from_environment(environ))


def _build() -> SDKConfig:
    values = _from_environment(os.environ)
    values.update(_overrides)
    return SDKConfig(**values)


def get_config() -> SDKConfig:
    """The effective settings (environment read once, then cached until changed)."""
    global _current
    config = _current
    if config is None:
        with _lock:
            if _current is None:
                _current = _build()
            config = _current
    return config


def configure(**fields: Any) -> SDKConfig:
    """Override settings for this process; precedence is configure() > environment > defaults."""
    global _current
    checked: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in _FIELDS:
            known = ", ".join(_FIELDS)
            raise ConfigurationError(f"unknown setting {name!r}; known settings: {known}")
        try:
            checked[name] = _FIELDS[name][2](value)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{name}={value!r} is invalid: {exc}") from None
    with _lock:
        _overrides.update(checked)
        _current = _build()
        config = _current
    for listener in list(_listeners):
        listener(config)
    return config


def reset_config() -> SDKConfig:
    """Forget every configure() override and re-read the environment."""
    with _lock:
        _overrides.clear()
    return refresh_config()


def refresh_config() -> SDKConfig:
    """Re-read the environment (after it changed), keeping configure() overrides."""
    global _current
    with _lock:
        _current = _build()
        config = _current
    for listener in list(_listeners):
        listener(config)
    return config


def _find_env_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def load_env(
    dotenv_path: str | os.PathLike[str] | None = None,
    *,
    override: bool = True,
    refresh_config: bool = True,
) -> bool:
    """Load variables from a ``.env`` file into ``os.environ``; True when some were loaded.

    ``dotenv_path`` is a file, or a folder meaning its ``.env``; without it the nearest
    ``.env`` from the current folder upwards is used. ``override=False`` keeps variables
    already set. ``refresh_config`` re-reads the SDK settings from the new environment
    (``configure()`` overrides still win); an invalid ``FLUXLOOP_*`` value then raises
    :class:`fluxloop.ConfigurationError` naming it.
    """
    if dotenv_path is None:
        path = _find_env_upwards(Path.cwd())
    else:
        path = Path(dotenv_path).expanduser()
        if path.is_dir():
            path = path / ".env"
    if path is None:
        return False
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    values = envfile.parse_env(text, override=override)
    for key, value in values.items():
        if "\0" in value:
            raise ConfigurationError(
                f"{path}: the value of {key} holds a NUL character, which no environment "
                "variable can hold; remove it"
            )
    for key, value in values.items():
        if override or key not in os.environ:
            os.environ[key] = value
    if refresh_config:
        _refresh()
    return bool(values)


# load_env's parameter ``refresh_config`` (0.1.x's name) hides the function inside it.
_refresh = refresh_config


def on_change(listener: Callable[[SDKConfig], None]) -> None:
    """Call ``listener`` with the new settings after every configure()/reset_config()."""
    _listeners.append(listener)
