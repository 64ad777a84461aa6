"""FluxLoop's own failure is exit 3: one line on stderr, the traceback in a redacted crash log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "sk-crash-secret-value-123456"

# A real `fluxloop config schema` in a fresh interpreter, with the function its handler
# calls replaced by one that fails the way a bug in FluxLoop would.
FAILING = """
import sys
import fluxloop_core.config.models as models

def broken(*args, **kwargs):
    raise {error}

models.config_json_schema = broken
from fluxloop_core.cli.main import main
sys.exit(main(["config", "schema"]))
"""

ERRORS = {
    "a bug": f"RuntimeError('state lost while holding {SECRET}')",
    "a lookup": "KeyError('runs')",
    "an OS error about no path": "OSError(5, 'Input/output error')",
    "a message over lines": f"ValueError('first line\\\\nsecond {SECRET}')",
}


def _crash(tmp_path: Path, error: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "OPENAI_API_KEY": SECRET, "TMPDIR": str(tmp_path / "tmp"), **env}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-c", FAILING.format(error=error)],
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
    )


def _log_path(stderr: str) -> Path:
    found = re.search(r"details in (\S+\.log)\.", stderr)
    assert found, stderr
    return Path(found.group(1))


@pytest.mark.parametrize("error", list(ERRORS.values()), ids=list(ERRORS))
def test_an_internal_failure_is_one_line_and_a_redacted_crash_log(
    tmp_path: Path, error: str
) -> None:
    result = _crash(tmp_path, error, XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: fluxloop failed (")
    assert SECRET not in result.stderr
    log = _log_path(result.stderr)
    assert log.parent == tmp_path / "cache" / "fluxloop"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken" in text
    assert "fluxloop config schema" in text
    assert SECRET not in text


def test_the_temp_folder_takes_the_log_when_the_cache_cannot(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder would be")
    result = _crash(tmp_path, ERRORS["a bug"], XDG_CACHE_HOME=str(not_a_folder))
    assert result.returncode == 3
    assert _log_path(result.stderr).parent == tmp_path / "tmp" / "fluxloop"


def test_without_any_writable_folder_it_still_exits_3_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "fluxloop").write_text("")  # a file where the folder would be
    result = _crash(tmp_path, ERRORS["a bug"], XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "no crash log could be written" in result.stderr
