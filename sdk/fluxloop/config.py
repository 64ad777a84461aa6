"""SDK settings: ``configure()`` > environment variables > defaults."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fluxloop.redaction import DEFAULT_REDACT_KEYS


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
    record_args: bool = False
    recording_file: str = "/tmp/fluxloop_args.jsonl"
    sample_rate: float = 1.0
    batch_size: int = 10
    flush_interval: float = 5.0
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


def _names(value: Any) -> tuple[str, ...]:
    # A lone string would otherwise become a tuple of its letters.
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("expected a list of key names")
    return tuple(str(name) for name in value)


# name -> (environment variable, parser of its text, checker of a configure() value)
_FIELDS: dict[str, tuple[str | None, Callable[[str], Any], Callable[[Any], Any]]] = {
    "enabled": ("FLUXLOOP_ENABLED", _bool, bool),
    "debug": ("FLUXLOOP_DEBUG", _bool, bool),
    "collector_url": ("FLUXLOOP_COLLECTOR_URL", str, lambda v: None if v is None else str(v)),
    "api_key": ("FLUXLOOP_API_KEY", str, lambda v: None if v is None else str(v)),
    "use_collector": (None, _bool, bool),
    "record_args": ("FLUXLOOP_RECORD_ARGS", _bool, bool),
    "recording_file": ("FLUXLOOP_RECORDING_FILE", str, lambda v: os.fspath(v)),
    "sample_rate": ("FLUXLOOP_SAMPLE_RATE", _rate, _rate),
    "batch_size": ("FLUXLOOP_BATCH_SIZE", _positive_int, _positive_int),
    "flush_interval": ("FLUXLOOP_FLUSH_INTERVAL", _positive_float, _positive_float),
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
    global _current
    with _lock:
        _overrides.clear()
        _current = _build()
        config = _current
    for listener in list(_listeners):
        listener(config)
    return config


def on_change(listener: Callable[[SDKConfig], None]) -> None:
    """Call ``listener`` with the new settings after every configure()/reset_config()."""
    _listeners.append(listener)
