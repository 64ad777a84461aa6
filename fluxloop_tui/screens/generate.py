"""Generate input variations: options, a preview of the bases, live progress, review, save."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import (
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    SelectionList,
    Static,
)

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import STRATEGIES
from fluxloop_core.counts import counted
from fluxloop_core.errors import UserError
from fluxloop_core.generation.bases import BasePlan, plan_bases
from fluxloop_core.generation.request import (
    GenerationRequest,
    default_output_path,
    request_from_config,
)
from fluxloop_core.generation.service import generate_inputs
from fluxloop_core.generation.slots import GenerationProgress, GenerationResult
from fluxloop_core.inputs import write_inputs_file
from fluxloop_core.results.rows import clip
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.widgets.fields import whole_number
from fluxloop_tui.widgets.table import Table

MODES = ("deterministic", "llm")
SHOWN = 500


class GenerateScreen(Screen[None]):
    """The `generate inputs` command as a screen; `from_recording` seeds it with calls."""

    CSS_PATH = "generate.tcss"

    # The table, not a field: the app's single-letter keys work until Tab reaches a field.
    AUTO_FOCUS = "#gen-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "preview", "Bases", priority=True),
        Binding("ctrl+g", "generate", "Generate", priority=True),
        Binding("ctrl+x", "stop", "Stop", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, from_recording: Path | None = None) -> None:
        super().__init__()
        self.from_recording = from_recording
        self.result: GenerationResult | None = None
        self.output: Path | None = None
        self._cancel: CancelToken | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Generate inputs", classes="title", id="gen-title")
        with Horizontal(id="gen-options"):
            with Vertical(id="gen-fields"):
                with Horizontal():
                    yield Label("Mode")
                    yield Select(
                        [(mode, mode) for mode in MODES],
                        id="mode",
                        allow_blank=False,
                        compact=True,
                    )
                with Horizontal():
                    yield Label("Limit")
                    yield Input(id="limit", placeholder="config", type="integer", compact=True)
                with Horizontal():
                    yield Label("Seed")
                    yield Input(id="seed", placeholder="config", type="integer", compact=True)
                yield Static("", id="gen-source", markup=False)
            yield SelectionList[str](*((s, s) for s in STRATEGIES), id="strategies")
        yield Static("", id="gen-status", markup=False)
        yield ProgressBar(total=1, id="gen-progress", show_eta=False)
        yield Static("", classes="title", id="gen-table-title", markup=False)
        yield Table(id="gen-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#strategies", SelectionList).border_title = "Strategies"
        try:
            loaded = fluxloop_app(self).load_config()
        except UserError as error:
            self.query_one("#gen-status", Static).update(error.render())
            return
        settings = loaded.config.input_generation
        self.query_one("#mode", Select).value = settings.mode
        strategies = self.query_one("#strategies", SelectionList)
        for strategy in settings.strategies:
            strategies.select(strategy)
        self.output = default_output_path(loaded)
        source = (
            f"from {fluxloop_app(self).relative(self.from_recording)}"
            if self.from_recording
            else "from the config's bases"
        )
        self.query_one("#gen-source", Static).update(
            f"Inputs {source}; saved to {fluxloop_app(self).relative(self.output)}"
        )
        self.action_preview()

    def _request(self) -> tuple[LoadedConfig, GenerationRequest]:
        """The config and the request the fields describe (a UserError when they are bad)."""
        loaded = fluxloop_app(self).load_config()
        mode = self.query_one("#mode", Select).value
        request = request_from_config(
            loaded,
            mode=mode if isinstance(mode, str) else None,
            strategies=list(self.query_one("#strategies", SelectionList).selected),
            limit=whole_number(self.query_one("#limit", Input).value, "Limit", 1),
            seed=whole_number(self.query_one("#seed", Input).value, "Seed", 0),
            from_recording=self.from_recording,
        )
        return loaded, request

    def _busy(self) -> bool:
        if self._cancel is not None:
            self.notify("Generation is running: Ctrl+X stops it.", severity="warning")
            return True
        return False

    def action_preview(self) -> None:
        """Show the bases the variations are made from."""
        if self._busy():
            return
        try:
            loaded, request = self._request()
        except UserError as error:
            self.notify(error.render(), severity="error", title="Cannot preview")
            return
        self.preview(loaded, request)

    @work(thread=True, exclusive=True, group="generation")
    def preview(self, loaded: LoadedConfig, request: GenerationRequest) -> None:
        """Plan the bases in a thread (a recording can be large)."""
        try:
            plan = plan_bases(loaded, request)
        except UserError as error:
            self.app.call_from_thread(self.notify, error.render(), severity="error")
            return
        except Exception as error:  # e.g. an unreadable file: say so, keep the app
            self.app.call_from_thread(self.notify, f"{error}", severity="error")
            return
        self.app.call_from_thread(self.show_bases, plan)

    def show_bases(self, plan: BasePlan) -> None:
        """Fill the table with the bases."""
        table = self.query_one("#gen-table", Table)
        table.set_columns(("#", "base input", "from"))
        for number, base in enumerate(plan.bases[:SHOWN], 1):
            origin = f"line {base.source.line_number}" if base.source else "base_inputs"
            table.add_values((str(number), clip(base.text, 60), origin))
        skipped = f"; {len(plan.skipped)} broken recording lines skipped" if plan.skipped else ""
        self.query_one("#gen-table-title", Static).update(
            f"Bases: {len(plan.bases)}{skipped}. Ctrl+G generates."
        )

    def action_generate(self) -> None:
        """Generate in a worker thread, showing progress."""
        if self._busy():
            return
        try:
            loaded, request = self._request()
        except UserError as error:
            self.notify(error.render(), severity="error", title="Cannot generate")
            return
        self._cancel = CancelToken()
        self.result = None
        self.query_one("#gen-status", Static).update(f"Generating ({request.mode})…")
        self.generate(loaded, request, self._cancel)

    @work(thread=True, exclusive=True, group="generation")
    def generate(
        self, loaded: LoadedConfig, request: GenerationRequest, cancel: CancelToken
    ) -> None:
        """Run the core's generation; progress is posted back to the screen."""

        app = self.app

        def progress(figures: GenerationProgress) -> None:
            if not cancel.cancelled:  # set when the screen is left, too
                app.call_from_thread(self.show_progress, figures)

        try:
            result = generate_inputs(loaded, request, on_progress=progress, cancel=cancel)
        except UserError as error:
            app.call_from_thread(self.generation_failed, error.render())
            return
        except Exception as error:  # an unforeseen failure ends this generation, not the app
            app.call_from_thread(self.generation_failed, f"{type(error).__name__}: {error}")
            return
        app.call_from_thread(self.show_result, result)

    def on_unmount(self) -> None:
        # Leaving the screen stops a generation nobody could review any more.
        if self._cancel is not None:
            self._cancel.cancel()

    def show_progress(self, figures: GenerationProgress) -> None:
        """Live figures: inputs made, LLM requests, cache hits."""
        if not self.is_attached:
            return
        self.query_one("#gen-progress", ProgressBar).update(
            total=max(figures.total, 1), progress=figures.done
        )
        self.query_one("#gen-status", Static).update(
            f"Generated {figures.done}/{figures.total}  requests {figures.requests}  "
            f"cache hits {figures.cache_hits}"
        )

    def generation_failed(self, message: str) -> None:
        """Generation could not start or went wrong: say why."""
        self._cancel = None
        if not self.is_attached:
            return
        self.query_one("#gen-status", Static).update(message)

    def show_result(self, result: GenerationResult) -> None:
        """Review: the generated inputs in the table, and what it took."""
        stopped = self._cancel is not None and self._cancel.cancelled
        self._cancel = None
        if not self.is_attached:
            return
        self.result = result
        made = result.inputs_file.inputs
        bar = self.query_one("#gen-progress", ProgressBar)
        bar.update(total=max(result.planned, 1), progress=len(made))
        table = self.query_one("#gen-table", Table)
        table.set_columns(("#", "strategy", "input"))
        for number, item in enumerate(made[:SHOWN], 1):
            strategy = str(item.metadata.get("strategy", ""))
            table.add_values((str(number), strategy, clip(item.input, 80)))
        details = [f"{len(made)} of {counted(result.planned, 'input')}"]
        if result.requests or result.cache_hits:
            details.append(
                f"{counted(result.requests, 'request')}, {counted(result.cache_hits, 'cache hit')}"
            )
        if result.duplicates_dropped:
            details.append(f"{counted(result.duplicates_dropped, 'duplicate')} dropped")
        if stopped:
            details.append("stopped")
        if result.error:
            details.append(f"error: {result.error}")
        self.query_one("#gen-status", Static).update("; ".join(details))
        self.query_one("#gen-table-title", Static).update(
            "Generated inputs. Ctrl+S saves them." if made else "Nothing was generated."
        )

    def action_stop(self) -> None:
        """Stop generating (inputs made so far are kept for review)."""
        if self._cancel is None:
            self.notify("Nothing is being generated.")
            return
        self._cancel.cancel()

    def action_save(self) -> None:
        """Write the reviewed inputs to inputs/generated.yaml."""
        if self.result is None or not self.result.inputs_file.inputs or self.output is None:
            self.notify("Generate inputs first (Ctrl+G).", severity="warning")
            return
        try:
            write_inputs_file(self.output, self.result.inputs_file)
        except OSError as error:
            self.notify(f"Cannot write {self.output}: {error}", severity="error")
            return
        count = len(self.result.inputs_file.inputs)
        self.notify(
            f"Saved {counted(count, 'input')} to {fluxloop_app(self).relative(self.output)}; "
            "set inputs_file to it in the config editor to run them."
        )
