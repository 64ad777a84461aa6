"""Evaluation: checks on every run, pass rates over iterations, a gate, reports.

spec       the ``evaluation`` section and per-input ``checks`` (pydantic, the edge)
reading    what a check reads from a run (output, error, callbacks, templates)
checks     compiled checks, built once, called per run
verdicts   one run's verdict and the compiled plan (llm_judge plugs in here)
aggregate  figures fed run by run, and the gate
files      evaluation/results.jsonl and summary.json
reports    junit.xml and report.md; html_report: report.html
"""
