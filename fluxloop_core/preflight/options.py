"""Overrides given for one run (``--parallel-runs``, the TUI's run fields)."""

from __future__ import annotations

from fluxloop_core.config.models import parallel_runs_problem
from fluxloop_core.errors import UsageError
from fluxloop_core.preflight.problem import Problem


def gate_problems(evaluates: bool, flags: list[str]) -> list[Problem]:
    """A gate given on the command line (``flags``, e.g. ``--fail-under``) needs checks
    to judge by."""
    if evaluates or not flags:
        return []
    return [
        Problem(
            kind="config",
            message=f"{' and '.join(flags)} needs checks, but the config has no "
            "`evaluation:` section and no input has `checks:`",
            hint="Add `evaluation: {checks: [success]}` (or the checks your answers must "
            "pass) to setting.yaml, or drop the flag.",
            raises=UsageError,
        )
    ]


def override_problems(parallel_runs: int | None) -> list[Problem]:
    """The overrides held to the config's own bounds (worded as the config key)."""
    if parallel_runs is None:
        return []
    why = parallel_runs_problem(parallel_runs)
    if why is None:
        return []
    # Not located in setting.yaml: the value came from the command line or the TUI.
    return [Problem(kind="config", message=f"parallel_runs {why}", raises=UsageError)]
