"""What ``run experiment --resume DIR`` continues: the experiment stored in DIR, not
whatever config is nearest.

summary.json records what defines an experiment's runs: the config file it was started
with (``config_file``), the target, the iterations (the config's own, and the effective
ones after ``--iterations``) and a digest of its inputs. A resume loads that config file
again — so environment values are read afresh and no stored secret is ever needed — and
refuses, naming each difference, a config that would run other runs under the same ids.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.errors import UsageError
from fluxloop_core.results.models import SUMMARY_FILE, TRACES_FILE, ExperimentSummary
from fluxloop_core.results.reader import load_summary
from fluxloop_core.runner.binding import RunInput

RESUME_HINT = (
    "Resume without --config to use the experiment's own config (as it was when the "
    "experiment started), or start a new experiment with this one."
)


def inputs_digest(inputs: list[RunInput]) -> str:
    """A fingerprint of the inputs' texts and metadata, in order."""
    data = [[item.text, item.metadata] for item in inputs]
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def stored_experiment(resume_dir: Path) -> ExperimentSummary:
    """The summary of the folder to resume; a UsageError when it is not an experiment."""
    if not (resume_dir / TRACES_FILE).is_file() or not (resume_dir / SUMMARY_FILE).is_file():
        raise UsageError(
            f"{resume_dir} is not an experiment folder (it needs {SUMMARY_FILE} and {TRACES_FILE})",
            hint="Pass a folder under experiments/, e.g. --resume experiments/NAME_DATE.",
        )
    return load_summary(resume_dir)


def stored_config_file(resume_dir: Path) -> Path | None:
    """The config file the experiment in ``resume_dir`` was started with (None for a
    folder written before it was recorded); a UsageError when that file is gone."""
    recorded = stored_experiment(resume_dir).config_file
    if recorded is None:
        return None
    path = Path(recorded)
    if not path.is_file():
        raise UsageError(
            f"{resume_dir} was started with {path}, which no longer exists",
            hint="Restore that file, or pass the experiment's config with --config "
            "(its target, inputs and iterations must match the experiment's).",
        )
    return path


@dataclass(frozen=True)
class ResumeCheck:
    """What a resume is about to run, to compare with what the folder stores."""

    target: str
    config_iterations: int
    iterations_flag: int | None
    inputs: list[RunInput]


def resume_iterations(stored: ExperimentSummary, iterations_flag: int | None) -> int | None:
    """The iterations a resume runs: ``--iterations`` if given, else the stored ones."""
    return iterations_flag or (stored.iterations if stored.iterations > 0 else None)


def check_same_experiment(resume_dir: Path, stored: ExperimentSummary, now: ResumeCheck) -> None:
    """Refuse (UsageError, exit 2) a resume whose target, inputs or iterations differ."""
    differences = []
    if stored.target is not None and stored.target != now.target:
        differences.append(f"target is {now.target!r}, the experiment's is {stored.target!r}")
    if now.iterations_flag is not None and now.iterations_flag != stored.iterations:
        differences.append(
            f"--iterations is {now.iterations_flag}, the experiment's is {stored.iterations}"
        )
    config_iterations = stored.config.get("iterations")
    if isinstance(config_iterations, int) and config_iterations != now.config_iterations:
        differences.append(
            f"iterations is {now.config_iterations}, the experiment's config had "
            f"{config_iterations}"
        )
    if stored.inputs_digest is not None:
        if stored.inputs_digest != inputs_digest(now.inputs):
            differences.append(
                f"the inputs differ ({len(now.inputs)} now, {stored.inputs_count} in the "
                "experiment, or the same number with other texts or metadata)"
            )
    elif stored.inputs_count and stored.inputs_count != len(now.inputs):
        differences.append(
            f"there are {len(now.inputs)} inputs, the experiment has {stored.inputs_count}"
        )
    if differences:
        raise UsageError(
            f"cannot resume {resume_dir} with this config: " + "; ".join(differences),
            hint=RESUME_HINT,
        )
