"""``fluxloop generate inputs``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_config,
    add_group,
    add_json,
    add_project,
    positive_int,
)
from fluxloop_core.exit_codes import EXIT_FAILED_BAR, EXIT_OK

if TYPE_CHECKING:
    from fluxloop_core.config.loader import LoadedConfig
    from fluxloop_core.generation.request import GenerationRequest
    from fluxloop_core.generation.slots import GenerationProgress, GenerationResult

PROGRESS_INTERVAL_SECONDS = 2.0


COMMAND = CommandInfo("generate", "generate input variations")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop generate`` and its command."""
    generate = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        ["fluxloop generate inputs --config setting.yaml --limit 20"],
    )
    p = add_command(
        generate,
        "inputs",
        inputs,
        "write inputs/generated.yaml from base_inputs or a recording",
        [
            "fluxloop generate inputs --config setting.yaml --limit 20",
            "fluxloop generate inputs --config setting.yaml "
            "--from-recording recordings/args.jsonl --limit 50",
            "fluxloop generate inputs --config setting.yaml --strategy rephrase --strategy verbose",
            "fluxloop generate inputs --config setting.yaml --mode llm --dry-run",
            "fluxloop generate inputs --config setting.yaml --personas",
            "fluxloop generate inputs --config setting.yaml --personas impatient_customer,expert",
        ],
    )
    add_config(p)
    add_project(p)
    p.add_argument("--limit", type=positive_int, help="total number of inputs to write")
    p.add_argument(
        "--strategy",
        action="append",
        metavar="S",
        help="rephrase, verbose, concise, error_prone or edge_case (repeatable)",
    )
    p.add_argument("--from-recording", metavar="FILE", help="use a recording's calls as bases")
    p.add_argument("--mode", choices=["deterministic", "llm"], help="override the config mode")
    p.add_argument("--seed", type=int, help="random seed (same seed, same inputs)")
    p.add_argument("--output", metavar="PATH", help="default: inputs/generated.yaml")
    p.add_argument("--dry-run", action="store_true", help="print the LLM prompts, call nothing")
    p.add_argument("--no-cache", action="store_true", help="bypass the LLM response cache")
    p.add_argument("--strict", action="store_true", help="fail on a broken recording line")
    p.add_argument(
        "--personas",
        nargs="?",
        const="*",
        metavar="NAMES",
        help="each input once per persona of the config (or those named, comma-separated), "
        "tagged metadata.persona for conversations",
    )
    add_json(p, "a report")


def _path(text: str | None) -> Path | None:
    return Path(text).expanduser().absolute() if text else None


def _generate_with_progress(
    loaded: LoadedConfig, request: GenerationRequest, *, quiet: bool
) -> GenerationResult:
    """Generate, showing LLM progress: a rich bar on a terminal, plain lines otherwise."""
    from fluxloop_core.cli.output import no_color
    from fluxloop_core.generation.service import generate_inputs

    if quiet or request.mode != "llm":
        return generate_inputs(loaded, request)
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            console=Console(stderr=True, no_color=no_color()),
        ) as bar:
            task = bar.add_task("generate", total=None, stats="")

            def draw(progress: GenerationProgress) -> None:
                stats = f"requests {progress.requests}  cache hits {progress.cache_hits}"
                bar.update(task, total=progress.total, completed=progress.done, stats=stats)

            return generate_inputs(loaded, request, on_progress=draw)
    last_line = time.monotonic()

    def show(progress: GenerationProgress) -> None:
        nonlocal last_line
        now = time.monotonic()
        if now - last_line < PROGRESS_INTERVAL_SECONDS and progress.done < progress.total:
            return
        last_line = now
        print(
            f"[fluxloop] generated {progress.done}/{progress.total}  "
            f"requests {progress.requests}  cache hits {progress.cache_hits}",
            file=sys.stderr,
        )

    return generate_inputs(loaded, request, on_progress=show)


def inputs(args: argparse.Namespace) -> int:
    """Generate inputs; exit 0, 1 (LLM retries ran out: partial inputs written) or 2."""
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.config.project import open_config
    from fluxloop_core.counts import counted
    from fluxloop_core.generation.bases import plan_bases
    from fluxloop_core.generation.request import (
        chosen_personas,
        default_output_path,
        request_from_config,
    )
    from fluxloop_core.generation.slots import plan_slots
    from fluxloop_core.inputs import write_inputs_file

    loaded = open_config(config=args.config, project=args.project)
    request = request_from_config(
        loaded,
        mode=args.mode,
        strategies=args.strategy,
        limit=args.limit,
        seed=args.seed,
        from_recording=_path(args.from_recording),
        output=_path(args.output),
        use_cache=not args.no_cache,
        strict=args.strict,
        personas=chosen_personas(loaded, args.personas) if args.personas else None,
    )
    output = request.output or default_output_path(loaded)
    if args.dry_run:
        from fluxloop_core.generation.client import endpoint_for
        from fluxloop_core.generation.llm import build_prompts

        slots = plan_slots(plan_bases(loaded, request), request)
        prompts = build_prompts(slots)
        llm = loaded.config.input_generation.llm
        if args.json:
            print_json({"endpoint": endpoint_for(llm), "model": llm.model, "requests": prompts})
            return EXIT_OK
        print(
            f"# {counted(len(prompts), 'request')} to {endpoint_for(llm)} ({llm.model}); "
            "nothing sent"
        )
        for number, messages in enumerate(prompts, 1):
            print(f"\n## request {number}")
            for message in messages:
                print(f"[{message['role']}]\n{message['content']}")
        return EXIT_OK

    result = _generate_with_progress(loaded, request, quiet=args.json)
    made = result.inputs_file.inputs
    if made:
        write_inputs_file(output, result.inputs_file)
    if result.skipped_lines and not args.json:
        print(
            f"warning: skipped {counted(result.skipped_lines, 'broken recording line')} in "
            f"{request.from_recording} (`fluxloop config validate` lists them; --strict fails "
            "instead)",
            file=sys.stderr,
        )
    report = {
        "output": str(output) if made else None,
        "inputs": len(made),
        "planned": result.planned,
        "mode": request.mode,
        "strategies": request.strategies,
        "personas": list(request.personas),
        "requests": result.requests,
        "cache_hits": result.cache_hits,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "skipped_lines": result.skipped_lines,
        "duplicates_dropped": result.duplicates_dropped,
        "error": result.error,
    }
    if args.json:
        print_json(report)
    else:
        line = f"Wrote {counted(len(made), 'input')} to {output}" if made else "No inputs written"
        details = [f"{request.mode}", ", ".join(request.strategies)]
        if request.personas:
            details.append(f"personas {', '.join(request.personas)}")
        if request.mode == "llm":
            details.append(
                f"{counted(result.requests, 'request')}, "
                f"{counted(result.cache_hits, 'cache hit')}, "
                f"{result.prompt_tokens}+{result.completion_tokens} tokens"
            )
        if result.duplicates_dropped:
            details.append(f"{counted(result.duplicates_dropped, 'duplicate')} dropped")
        print(f"{line} ({'; '.join(details)})")
        configured = loaded.config.inputs_file
        if made and (configured is None or configured.resolve() != output.resolve()):
            relative = (
                output.relative_to(loaded.project_dir)
                if output.is_relative_to(loaded.project_dir)
                else output
            )
            print(
                f'hint: {loaded.path.name} does not run these yet; add `inputs_file: "{relative}"` '
                "to it (or set it in the TUI's config editor)",
                file=sys.stderr,
            )
    if result.error is not None:
        print(
            f"error: {result.error}. {len(made)} of {counted(result.planned, 'input')} generated"
            + (" and written" if made else "")
            + "; run again to fill the rest from the cache and the endpoint.",
            file=sys.stderr,
        )
        return EXIT_FAILED_BAR
    return EXIT_OK
