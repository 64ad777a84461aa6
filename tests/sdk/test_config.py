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
