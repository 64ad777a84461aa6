"""Inputs files written by fluxloop-cli 0.2.x, read as ours.

0.2.x ``generate inputs`` writes (YAML) a ``stats:`` block, one list of texts per persona
(a preview), ``inputs:`` with each input's labels beside ``input`` (``strategy``,
``persona``, ``prompt_hash``...) and ``generation_config:``; or (JSON) ``generated_at``,
``metadata`` and ``inputs[].metadata``. The released runner read only ``inputs`` (or a
top-level list, which its generator never wrote) and took an item's labels as its
metadata; so does this.
"""

from __future__ import annotations

from datetime import date
from typing import Any

KeyPath = tuple[str | int, ...]
Positions = dict[KeyPath, tuple[int, int]]

# An item's own keys; any other key beside `input` is a 0.2.x label (metadata).
_ITEM_KEYS = frozenset({"input", "metadata", "checks"})
# Top-level keys only a 0.2.x inputs file has.
_LEGACY_MARKERS = ("stats", "generation_config", "metadata")


def _is_legacy(data: Any) -> bool:
    # The released runner also took a bare list of inputs, but its generator never wrote
    # one; a list stays an error naming `inputs:` here.
    return isinstance(data, dict) and any(key in data for key in _LEGACY_MARKERS)


def _header(data: dict[str, Any]) -> dict[str, Any]:
    """What our header can say about how a 0.2.x file was made."""
    made = data.get("generation_config") or data.get("metadata") or {}
    made = made if isinstance(made, dict) else {}
    header: dict[str, Any] = {}
    generated_at = data.get("generated_at")
    if isinstance(generated_at, date):  # an unquoted YAML timestamp
        generated_at = generated_at.isoformat()
    if isinstance(generated_at, str):
        header["generated_at"] = generated_at
    if isinstance(made.get("generation_mode"), str):
        header["mode"] = made["generation_mode"]
    if isinstance(made.get("llm_model"), str):
        header["model"] = made["llm_model"]
    strategies = made.get("strategies")
    if isinstance(strategies, list) and all(isinstance(s, str) for s in strategies):
        header["strategies"] = strategies
    return header


def normalize_inputs(data: Any, positions: Positions) -> tuple[Any, Positions]:
    """``data`` (a parsed inputs file) in our shape, with positions moved alongside.

    A 0.2.x file keeps its ``inputs`` and a header made of what it
    says about its making; in any file, an item's keys beside ``input``, ``metadata`` and
    ``checks`` (its own answer checks) are labels and join its metadata (``metadata`` wins
    on a clash). Anything else is left for the schema to report.
    """
    if _is_legacy(data):
        data = {**_header(data), **({"inputs": data["inputs"]} if "inputs" in data else {})}
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), list):
        return data, positions
    items: list[Any] = []
    for index, item in enumerate(data["inputs"]):
        if isinstance(item, dict) and "input" in item:
            labels = {k: v for k, v in item.items() if k not in _ITEM_KEYS}
            if labels:
                metadata = item.get("metadata")
                if metadata is None:
                    metadata = {}
                if isinstance(metadata, dict):
                    own = {k: v for k, v in item.items() if k in _ITEM_KEYS}
                    item = {**own, "metadata": {**labels, **metadata}}
                    for key in labels:
                        where = positions.get(("inputs", index, key))
                        if where is not None:
                            positions[("inputs", index, "metadata", key)] = where
        items.append(item)
    return {**data, "inputs": items}, positions
