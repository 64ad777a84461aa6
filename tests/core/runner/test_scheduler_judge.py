"""Inline grading with an llm_judge does not hold the runs back: a run's slot is let go
when the run is written, and judgements run beside the next runs, up to llm.concurrency."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from chat_server import judging, serving
from eval_project import fluxloop

# Async: no thread pool queues runs ahead, so parallel_runs 1 is one run slot.
AGENT = """
async def run(text):
    return text + " costs 5 USD"
"""

SETTING = """name: judged
runner:
  target: "agent:run"
base_inputs: ["first", "second"]
parallel_runs: 1
input_generation:
  llm:
    enabled: true
    provider: local
    model: judge-model
    base_url: {base_url}
    concurrency: 2
evaluation:
  evaluators:
    - name: amount
      type: llm_judge
      prompt_template: "{{output}}"
"""


def test_judgements_overlap_even_with_one_run_at_a_time(tmp_path: Path) -> None:
    # Each answer waits until the other request is in flight: had the first run's
    # judgement held its slot, the second run could not start and the barrier breaks.
    barrier = threading.Barrier(2, timeout=10)

    def together(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        barrier.wait()
        return judging(request)

    with serving(together) as server:
        (tmp_path / "agent.py").write_text(AGENT)
        (tmp_path / "setting.yaml").write_text(SETTING.format(base_url=server.base_url))
        env = {"FLUXLOOP_LLM_API_KEY": "sk-local-judge-1"}
        fluxloop("run", "experiment", "--no-collector", cwd=tmp_path, code=0, env=env)
        assert len(server.requests) == 2
    (folder,) = (tmp_path / "experiments").iterdir()
    lines = (folder / "evaluation" / "results.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["passed"] for line in lines) == [True, True]
