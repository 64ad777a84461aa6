"""A mistake in checks is exit 2 at file:line:key, from `config validate` and from
`run experiment` alike, whether the checks sit in setting.yaml or in an inputs file."""

from __future__ import annotations

from pathlib import Path

import pytest
from eval_project import fluxloop, write_project

BAD_CHECKS = [
    # (text replacing the per-input check, line, key, words of the message)
    (
        "      - check: contians\n        keywords: [balance]\n",
        8,
        "base_inputs[0].checks[0].check",
        "did you mean contains",
    ),
    ("      - check: latency_under\n", 8, "base_inputs[0].checks[0].budget_ms", "missing"),
    (
        '      - check: matches_regex\n        pattern: "(open"\n',
        9,
        "base_inputs[0].checks[0].pattern",
        "not a valid regex",
    ),
    (
        '      - check: python\n        function: "no_such_module:grade"\n',
        9,
        "base_inputs[0].checks[0].function",
        "No module named 'no_such_module'",
    ),
]


def _with_check(folder: Path, check: str) -> Path:
    config = write_project(folder)
    text = config.read_text().replace(
        '      - check: contains\n        keywords: ["balance"]\n', check
    )
    config.write_text(text)
    return config


@pytest.mark.parametrize(("check", "line", "key", "words"), BAD_CHECKS)
@pytest.mark.parametrize("command", [["config", "validate"], ["run", "experiment"]])
def test_bad_check_is_exit_2_at_its_line(
    tmp_path: Path, check: str, line: int, key: str, words: str, command: list[str]
) -> None:
    config = _with_check(tmp_path, check)
    result = fluxloop(*command, "--config", str(config), cwd=tmp_path, code=2)
    out = result.stdout + result.stderr
    assert f"{config}:{line}:" in out and key in out and words in out, out
    assert not (tmp_path / "experiments").exists() or not any((tmp_path / "experiments").iterdir())


def test_unimportable_python_check_in_evaluation_section(tmp_path: Path) -> None:
    config = write_project(
        tmp_path, extra='    - check: python\n      function: "grading:missing_fn"\n'
    )
    (tmp_path / "grading.py").write_text("def other(value, run):\n    return True\n")
    result = fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=2)
    assert f"{config}:18:" in result.stdout + result.stderr
    assert "evaluation.checks[2].function" in result.stdout + result.stderr


def test_importable_python_check_validates(tmp_path: Path) -> None:
    config = write_project(tmp_path, extra='    - check: python\n      function: "grading:ok"\n')
    (tmp_path / "grading.py").write_text("def ok(value, run):\n    return True\n")
    fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=0)


@pytest.mark.parametrize(
    ("check", "line", "words"),
    [
        ("      - check: equalz\n        value: x\n", 4, "did you mean equals"),
        ('      - check: python\n        function: "nowhere:fn"\n', 5, "nowhere"),
    ],
)
def test_bad_check_in_inputs_file_points_at_that_file(
    tmp_path: Path, check: str, line: int, words: str
) -> None:
    config = write_project(tmp_path, extra="inputs_file: inputs.yaml\n")
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text(f'inputs:\n  - input: "hello"\n    checks:\n{check}')
    for command in (["config", "validate"], ["run", "experiment"]):
        result = fluxloop(*command, "--config", str(config), cwd=tmp_path, code=2)
        out = result.stdout + result.stderr
        assert f"{inputs}:{line}:" in out and words in out, out
