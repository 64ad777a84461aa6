"""Deterministic generation speed: 10,000 inputs beside a plain copy loop.

Bar (issue 6): 10,000 inputs in ≤ 1 s. Run: ``python benchmarks/generation.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from fluxloop_core.config.loader import load_config
from fluxloop_core.generation.request import request_from_config
from fluxloop_core.generation.service import generate_inputs
from fluxloop_core.scaffold import create_project

COUNT = 10_000
STRATEGIES = ["rephrase", "verbose", "concise", "error_prone", "edge_case"]


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        project = create_project(Path(root), "bench")
        loaded = load_config(project / "setting.yaml")
        bases = [item.input for item in loaded.config.base_inputs]

        start = time.perf_counter()
        copies = [bases[i % len(bases)] + str(i) for i in range(COUNT)]
        baseline = time.perf_counter() - start

        request = request_from_config(loaded, limit=COUNT, strategies=STRATEGIES)
        start = time.perf_counter()
        result = generate_inputs(loaded, request)
        elapsed = time.perf_counter() - start

    made = len(result.inputs_file.inputs)
    print(f"{'plain copy loop':28} {len(copies):6} items  {baseline * 1000:8.1f} ms")
    print(f"{'deterministic generation':28} {made:6} items  {elapsed * 1000:8.1f} ms")
    verdict = "PASS" if elapsed <= 1.0 else "FAIL"
    print(f"bar: {COUNT} inputs ≤ 1 s → {elapsed:.3f} s  {verdict}")


if __name__ == "__main__":
    main()
