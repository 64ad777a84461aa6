"""One cancellation type: the CancelToken that stops an experiment stops input generation."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.loader import load_config
from fluxloop_core.generation.request import request_from_config
from fluxloop_core.generation.service import GenerationProgress, generate_inputs
from fluxloop_core.scaffold import create_project


def test_a_cancel_during_generation_keeps_what_was_made(tmp_path: Path) -> None:
    loaded = load_config(create_project(tmp_path, "gen") / "setting.yaml")
    token = CancelToken()

    def on_progress(progress: GenerationProgress) -> None:
        token.cancel()  # from the first progress report on, nothing more is made

    result = generate_inputs(
        loaded,
        request_from_config(loaded, limit=500, seed=1),
        on_progress=on_progress,
        cancel=token,
    )

    assert token.cancelled
    assert 0 < len(result.inputs_file.inputs) < 500


def test_a_cancelled_token_makes_nothing(tmp_path: Path) -> None:
    loaded = load_config(create_project(tmp_path, "gen") / "setting.yaml")
    token = CancelToken()
    token.cancel()

    result = generate_inputs(loaded, request_from_config(loaded, limit=50, seed=1), cancel=token)

    assert result.inputs_file.inputs == []
