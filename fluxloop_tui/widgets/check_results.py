"""A run's check results as the run detail shows them."""

from __future__ import annotations

from rich.text import Text

from fluxloop_core.evaluation.verdicts import RunVerdict
from fluxloop_core.evaluation.view import describe_outcomes
from fluxloop_core.redaction import redact
from fluxloop_tui.widgets.table import verdict_text


def checks_text(verdict: RunVerdict) -> Text:
    """Every check's result on a run: name, pass/fail/error (in colour), score, reason."""
    outcomes = describe_outcomes(verdict)
    width = max(len(name) for name, *_ in outcomes) if outcomes else 0
    overall = "passed" if verdict.passed else "failed" if verdict.graded else "grading error"
    lines = [Text.assemble("checks: ", verdict_text(overall), f"  score {verdict.score:.2f}")]
    for name, result, score, reason in outcomes:
        lines.append(
            Text.assemble(
                "  ",
                verdict_text(result, f"{result:<5}"),
                redact(f"  {name:<{width}}  {score:>4}" + (f"  {reason}" if reason else "")),
            )
        )
    return Text("\n").join(lines)
