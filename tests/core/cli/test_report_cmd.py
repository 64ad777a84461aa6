"""`fluxloop report experiment` (and `parse experiment`) on real experiments."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fluxloop_runner import Runner
from replay_helpers import write_recording

AGENT = "def handle(data, user):\n    return data['content'] + ' for ' + user\n"


def test_report_of_a_replayed_experiment(project: Path, fluxloop: Runner) -> None:
    (project / "agent.py").write_text(AGENT)
    write_recording(
        project / "recordings" / "args.jsonl",
        "agent:handle",
        [{"data": {"content": "recorded"}, "user": "u-7"}],
    )
    (project / "setting.yaml").write_text(
        textwrap.dedent("""\
            name: replayed
            runner: {target: "agent:handle", working_directory: "."}
            replay_args:
              enabled: true
              recording_file: recordings/args.jsonl
              override_param_path: data.content
            base_inputs: [{input: "new question"}]
            iterations: 2
            """)
    )
    fluxloop("run", "experiment", "--no-collector", "--quiet", cwd=project)
    out = fluxloop("report", "experiment", "--per-run", cwd=project).stdout
    folder = next((project / "experiments").iterdir())
    assert out.splitlines() == [
        f"{folder / 'report' / 'index.md'}: 2 runs",
        f"{folder / 'report' / 'runs'}: 2 files",
    ]
    run = (folder / "report" / "runs" / "run-0.0.md").read_text()
    assert "new question for u-7" in run  # the output
    assert '"user": "u-7"' in run  # the replayed arguments
    assert f"{project / 'recordings' / 'args.jsonl'}:1" in run
    out = fluxloop("parse", "experiment", str(folder), "--format", "html", cwd=project).stdout
    assert out.startswith(f"{folder / 'report' / 'index.html'}: 2 runs")


def test_mistakes_are_exit_2(project: Path, fluxloop: Runner) -> None:
    err = fluxloop("report", "experiment", cwd=project, code=2).stderr
    assert "no experiments in" in err and "fluxloop run experiment" in err
    err = fluxloop("report", "experiment", str(project), cwd=project, code=2).stderr
    assert "summary.json" in err
    fluxloop("run", "experiment", "--no-collector", "--quiet", cwd=project)
    blocker = project / "not-a-folder"
    blocker.write_text("")
    err = fluxloop("report", "experiment", "--output", str(blocker), cwd=project, code=2).stderr
    assert str(blocker) in err


def test_a_fluxloop_cli_0_2_experiment_reports_too(legacy_project: Path, fluxloop: Runner) -> None:
    folder = legacy_project / "experiments" / "exp_20261201_231231"
    out = fluxloop("parse", "experiment", str(folder), "--per-run", cwd=legacy_project).stdout
    assert out.startswith(f"{folder / 'report' / 'index.md'}: 6 runs")
    assert len(list((folder / "report" / "runs").iterdir())) == 6
