"""Experiment outputs: summary.json, traces.jsonl, errors.json and artifacts/."""
