"""The run screen's executor field: the config's by default, processes when chosen."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from textual.widgets import Select, Static
from tui_helpers import make_app, wait_until

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.scaffold import create_project

PID_AGENT = "import os\n\ndef run(text):\n    return os.getpid()\n"


def test_choosing_processes_runs_the_agent_in_worker_processes(tmp_path: Path) -> None:
    project = create_project(tmp_path, "simple-agent", template="simple")
    update_config_values(project / "setting.yaml", {"collector.enabled": False})
    (project / "examples" / "simple_agent.py").write_text(PID_AGENT)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x")
            await pilot.pause()
            status = str(app.screen.query_one("#run-status", Static).render())
            assert "executor local" in status
            select = app.screen.query_one("#executor", Select)
            assert select.value is Select.NULL  # the config's until chosen
            await pilot.click("#executor")
            await pilot.pause()
            await pilot.press("p", "enter")  # typed to search: processes
            await pilot.pause()
            assert select.value == "processes"
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            assert app.session is not None and app.session.result is not None
            folder = app.session.result.experiment_dir
            lines = (folder / "traces.jsonl").read_text(encoding="utf-8").splitlines()
            pids = {json.loads(line)["output"] for line in lines}
            assert len(lines) == 9 and os.getpid() not in pids

    asyncio.run(run())
