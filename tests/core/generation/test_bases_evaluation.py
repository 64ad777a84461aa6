"""An input's own checks follow it into the inputs file `generate inputs` writes: every
variation of that input is graded by them, and the others are not."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from eval_project import fluxloop, write_project


def test_variations_keep_their_base_inputs_checks(tmp_path: Path) -> None:
    config = write_project(tmp_path)
    fluxloop(
        "generate",
        "inputs",
        "--config",
        str(config),
        "--strategy",
        "rephrase",
        "--strategy",
        "verbose",
        cwd=tmp_path,
        code=0,
    )
    generated = yaml.safe_load((tmp_path / "inputs" / "generated.yaml").read_text())
    by_base: dict[int, list[dict[str, object]]] = {}
    for item in generated["inputs"]:
        by_base.setdefault(item["metadata"]["base_index"], []).append(item)
    assert all(
        item["checks"] == [{"check": "contains", "keywords": ["balance"]}] for item in by_base[0]
    )
    assert all("checks" not in item for item in by_base[1])
    config.write_text(config.read_text() + "inputs_file: inputs/generated.yaml\n")
    fluxloop("run", "experiment", "--config", str(config), "--no-collector", cwd=tmp_path, code=0)
    (folder,) = (tmp_path / "experiments").iterdir()
    summary = json.loads((folder / "evaluation" / "summary.json").read_text())
    names = {check["name"] for check in summary["checks"]}
    assert "input.contains" in names
    assert summary["runs"] == 2 * len(generated["inputs"])
