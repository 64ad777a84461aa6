"""The TUI with an HTTP target: the run screen names the endpoint and runs requests to a
real agent server on 127.0.0.1; the config editor shows the runner.http keys."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from agent_server import agent_serving
from textual.widgets import Static
from tui_helpers import make_app, wait_until

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.scaffold import create_project
from fluxloop_tui.screens.config import ConfigScreen
from fluxloop_tui.screens.run import RunScreen


def http_project(tmp_path: Path, url: str) -> Path:
    project = create_project(tmp_path, "web-agent", template="simple")
    setting = project / "setting.yaml"
    update_config_values(setting, {"collector.enabled": False})
    text = re.sub(
        r"(?m)^  target: .*$",
        f'  http: {{url: "{url}", body: {{message: "{{input}}"}}, response_path: reply.text}}',
        setting.read_text(),
    )
    setting.write_text(text)
    return project


def shown(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def test_the_run_screen_names_the_endpoint_and_runs_requests(tmp_path: Path) -> None:
    with agent_serving() as agent:
        project = http_project(tmp_path, agent.url)

        async def run() -> None:
            app = make_app(project)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("x")
                await pilot.pause()
                assert isinstance(app.screen, RunScreen)
                plan = shown(app, "#run-status")
                assert f"POST {agent.url} (an HTTP endpoint): iterations" in plan
                await pilot.press("ctrl+s")
                await wait_until(pilot, lambda: app.session is not None and not app.session.running)
                await pilot.pause(0.3)
                assert f"· POST {agent.url} (an HTTP endpoint)" in shown(app, "#run-title")
                assert app.session is not None and app.session.result is not None
                folder = app.session.result.experiment_dir
                lines = (folder / "traces.jsonl").read_text().splitlines()
                outputs = {json.loads(line)["output"] for line in lines}
                assert all(str(o).startswith("echo: ") for o in outputs)

        asyncio.run(run())

    assert agent.requests  # the requests reached the agent


def test_the_config_editor_shows_the_http_keys(tmp_path: Path) -> None:
    project = http_project(tmp_path, "http://127.0.0.1:9/chat")

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, ConfigScreen)
            values = app.screen.form_values()
            assert values["runner.http.url"] == "http://127.0.0.1:9/chat"
            assert values["runner.http.response_path"] == "reply.text"
            assert values["runner.http.stream"] == "none"
            assert values["runner.target"] == ""

    asyncio.run(run())
