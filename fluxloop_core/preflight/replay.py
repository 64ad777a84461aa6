"""Replay: the recording holds calls of the target, and the override path fits each one."""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.errors import RecordingError, UserError
from fluxloop_core.paths import PathNotFound, set_path
from fluxloop_core.preflight.problem import Problem, at_key
from fluxloop_core.recording import RecordedCall, read_recording

RECORDING_KEY = "replay_args.recording_file"
OVERRIDE_KEY = "replay_args.override_param_path"


@dataclass
class TargetCalls:
    """The target's recorded calls, the recording's broken lines (only ``config validate``
    refuses those: a run skips them), and the problems that stop a run."""

    calls: list[RecordedCall] = field(default_factory=list)
    line_problems: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def target_calls(loaded: LoadedConfig, positions: Positions) -> TargetCalls:
    """Read the recording (replay enabled) and check it holds calls of ``runner.target``."""
    replay = loaded.config.replay_args
    recording_file = replay.recording_file
    if not replay.enabled or recording_file is None:
        return TargetCalls()
    if not recording_file.is_file():
        what = "not found" if not recording_file.exists() else "is a directory"
        problem = at_key(
            loaded,
            positions,
            "recording",
            RECORDING_KEY,
            f"Recording file {what}: {recording_file}",
            "Relative paths are from the config file's folder; record one with "
            "fluxloop.record_call_args() or fix the path.",
            raises=RecordingError,
        )
        return TargetCalls(problems=[problem])
    runner = loaded.config.runner
    # An agent behind HTTP or a program has no Python name: it replays the one function
    # recorded.
    remote = runner.remote_key
    target = runner.resolved_target if remote is None else None
    try:
        recording = read_recording(recording_file, target=target)
    except UserError as error:
        return TargetCalls(problems=[Problem.from_error("recording", error)])
    recorded = sorted({call.target for call in recording.calls})
    if target is None and len(recorded) > 1:
        problem = at_key(
            loaded,
            positions,
            "recording",
            RECORDING_KEY,
            f"{recording_file} holds calls of {len(recorded)} functions "
            f"({', '.join(recorded)}): a {remote} target replays the calls of one",
            "Record (or keep) one function's calls in the file, the one the agent stands for.",
        )
        return TargetCalls(problems=[problem])
    found = TargetCalls(
        calls=recording.calls,
        line_problems=[
            Problem(kind="recording", message=p.message, file=recording_file, line=p.line_number)
            for p in recording.problems
        ],
    )
    if not recording.calls:
        others = ", ".join(f"{name} ({count})" for name, count in recording.other_targets.items())
        holds = f"it holds calls for {others}" if others else "it holds no valid recorded call"
        found.problems.append(
            at_key(
                loaded,
                positions,
                "recording",
                RECORDING_KEY,
                f"no recorded call for runner.target {runner.resolved_target} in "
                f"{recording_file}: {holds}",
                "Record calls of this target, or point runner.target at the recorded one.",
            )
        )
    return found


def override_problems(
    loaded: LoadedConfig, positions: Positions, calls: list[RecordedCall]
) -> list[Problem]:
    """The override path must lead somewhere in every recorded call (the first misfit)."""
    replay = loaded.config.replay_args
    path = replay.override_param_path
    if not path:
        return []
    for call in calls:
        try:
            set_path(call.copy_kwargs(), path, "")
        except (PathNotFound, ValueError) as exc:
            return [
                at_key(
                    loaded,
                    positions,
                    "recording",
                    OVERRIDE_KEY,
                    f"{exc} in the call recorded on line {call.line_number} "
                    f"of {replay.recording_file}",
                    "Point it at the field holding the user's text, e.g. data.content "
                    "or messages.0.text (digits index lists).",
                )
            ]
    return []
