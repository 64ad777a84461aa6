"""Helpers for runner tests: a project folder with an agent module and a setting.yaml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ray_cluster import RAY_TEST_ENV, Cluster, ray_cluster

from fluxloop_core.config.loader import LoadedConfig, load_config


@dataclass
class Project:
    """A temporary project: write files, load its config, run the CLI in it."""

    dir: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def config(self, text: str, name: str = "setting.yaml") -> LoadedConfig:
        return load_config(self.write(name, text))

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fluxloop_core", *args],
            cwd=self.dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def cli_env(
        self, env: dict[str, str], *args: str, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """``cli`` with ``env`` added to the environment."""
        return subprocess.run(
            [sys.executable, "-m", "fluxloop_core", *args],
            cwd=self.dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **env},
        )

    @staticmethod
    def traces(experiment_dir: Path) -> list[dict[str, Any]]:
        """Every line of traces.jsonl, parsed (each must be whole JSON)."""
        text = (experiment_dir / "traces.jsonl").read_text(encoding="utf-8")
        assert text == "" or text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]

    @staticmethod
    def json(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    def experiments(self, output: str = "experiments") -> list[Path]:
        folder = self.dir / output
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A project folder; modules it imports in this process are forgotten afterwards."""
    before = set(sys.modules)
    (tmp_path / "proj").mkdir()
    yield Project(tmp_path / "proj")
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules[name], "__file__", None) or ""
        if str(tmp_path) in module_file:
            del sys.modules[name]


@pytest.fixture(scope="module")
def ray_environment() -> Iterator[None]:
    """RAY_TEST_ENV for a module's tests, set before they import Ray (which reads some of
    it once, at import) and taken away after them. Modules use it with
    ``pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_environment")]``."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in RAY_TEST_ENV.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def cluster(ray_environment: None) -> Iterator[Cluster]:
    """A local Ray cluster shared by a module's tests."""
    with ray_cluster() as running:
        yield running
