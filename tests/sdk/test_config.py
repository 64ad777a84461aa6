"""configure() > environment > defaults, and errors that name the variable and range."""

from __future__ import annotations

import fluxloop
import pytest

ENV_AND_VALUES = [
    ("FLUXLOOP_ENABLED", "false", "enabled", False),
    ("FLUXLOOP_DEBUG", "true", "debug", True),
    ("FLUXLOOP_COLLECTOR_URL", "http://127.0.0.1:9", "collector_url", "http://127.0.0.1:9"),
    ("FLUXLOOP_API_KEY", "k-1", "api_key", "k-1"),
    ("FLUXLOOP_RECORD_ARGS", "true", "record_args", True),
    ("FLUXLOOP_RECORDING_FILE", "/tmp/x.jsonl", "recording_file", "/tmp/x.jsonl"),
    ("FLUXLOOP_SAMPLE_RATE", "0.25", "sample_rate", 0.25),
    ("FLUXLOOP_BATCH_SIZE", "7", "batch_size", 7),
    ("FLUXLOOP_FLUSH_INTERVAL", "0.5", "flush_interval", 0.5),
]


def test_defaults() -> None:
    config = fluxloop.get_config()
    assert (config.enabled, config.record_args, config.sample_rate) == (True, False, 1.0)
    assert (config.batch_size, config.flush_interval) == (10, 5.0)
    assert config.recording_file == "/tmp/fluxloop_args.jsonl"


@pytest.mark.parametrize(("variable", "text", "field", "value"), ENV_AND_VALUES)
def test_every_environment_variable_is_honoured(
    monkeypatch: pytest.MonkeyPatch, variable: str, text: str, field: str, value: object
) -> None:
    monkeypatch.setenv(variable, text)
    assert getattr(fluxloop.reset_config(), field) == value


def test_configure_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXLOOP_BATCH_SIZE", "7")
    fluxloop.reset_config()
    assert fluxloop.configure(batch_size=3).batch_size == 3
    assert fluxloop.reset_config().batch_size == 7


@pytest.mark.parametrize("text", ["abc", "1.5", "-0.1"])
def test_bad_sample_rate_names_variable_and_range(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("FLUXLOOP_SAMPLE_RATE", text)
    with pytest.raises(fluxloop.ConfigurationError, match=r"FLUXLOOP_SAMPLE_RATE.*0\.0 to 1\.0"):
        fluxloop.reset_config()
    monkeypatch.undo()  # before the fixture's teardown reads the environment again


def test_bad_configure_values() -> None:
    with pytest.raises(fluxloop.ConfigurationError, match="batch_size"):
        fluxloop.configure(batch_size=0)
    with pytest.raises(fluxloop.ConfigurationError, match="unknown setting"):
        fluxloop.configure(sample=1)
    with pytest.raises(fluxloop.ConfigurationError, match="sample_rate"):
        fluxloop.configure(sample_rate=2)


# --- the released SDK's settings (issue 17) --------------------------------------------


@pytest.mark.parametrize(
    ("variable", "text", "name", "value"),
    [
        ("FLUXLOOP_USE_COLLECTOR", "false", "use_collector", False),
        ("FLUXLOOP_COLLECTOR_FORMAT", "legacy", "collector_format", "legacy"),
        ("FLUXLOOP_MAX_QUEUE_SIZE", "500", "max_queue_size", 500),
        ("FLUXLOOP_TIMEOUT", "2.5", "timeout", 2.5),
        ("FLUXLOOP_SERVICE_NAME", "svc", "service_name", "svc"),
        ("FLUXLOOP_ENVIRONMENT", "staging", "environment", "staging"),
        ("FLUXLOOP_OFFLINE_ENABLED", "false", "offline_store_enabled", False),
        ("FLUXLOOP_OFFLINE_DIR", "/tmp/artifacts", "offline_store_dir", "/tmp/artifacts"),
    ],
)
def test_released_settings_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str, text: str, name: str, value: object
) -> None:
    monkeypatch.setenv(variable, text)
    assert getattr(fluxloop.reset_config(), name) == value


@pytest.mark.parametrize(
    ("variable", "text"),
    [
        ("FLUXLOOP_USE_COLLECTOR", "maybe"),
        ("FLUXLOOP_COLLECTOR_FORMAT", "xml"),
        ("FLUXLOOP_COLLECTOR_FORMAT", "LEGACY"),
        ("FLUXLOOP_MAX_QUEUE_SIZE", "0"),
        ("FLUXLOOP_TIMEOUT", "abc"),
        ("FLUXLOOP_TIMEOUT", "0"),
        ("FLUXLOOP_OFFLINE_ENABLED", "perhaps"),
    ],
)
def test_invalid_released_settings_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, text: str
) -> None:
    monkeypatch.setenv(variable, text)
    with pytest.raises(fluxloop.ConfigurationError, match=f"{variable}='{text}' is invalid"):
        fluxloop.reset_config()
    monkeypatch.delenv(variable)


@pytest.mark.parametrize(
    ("name", "value"),
    [("collector_format", "xml"), ("max_queue_size", 0), ("timeout", -1.0), ("timeout", True)],
)
def test_invalid_released_settings_are_refused_by_configure(name: str, value: object) -> None:
    with pytest.raises(fluxloop.ConfigurationError, match=f"{name}="):
        fluxloop.configure(**{name: value})


@pytest.mark.parametrize(
    "variable", ["FLUXLOOP_RECORDING_FILE", "FLUXLOOP_COLLECTOR_URL", "FLUXLOOP_SERVICE_NAME"]
)
def test_an_empty_text_variable_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    default = fluxloop.reset_config()
    monkeypatch.setenv(variable, "  ")
    assert fluxloop.reset_config() == default


def test_released_defaults() -> None:
    config = fluxloop.reset_config()
    assert (config.collector_format, config.environment, config.timeout) == (
        "fluxloop",
        "development",
        10.0,
    )
