"""Comparing two experiments: which inputs got worse, and how sure that is.

tallies.py    one pass over an experiment folder → per-input counts (bounded memory)
latency.py    run durations as a fixed-size log histogram (p50/p95 without every value)
matching.py   pairing the two sides' inputs by text and ``metadata.id``
analysis.py   per-input Fisher tests, Holm, states, the overall paired change
locate.py     which folders BASE and CAND name (names, paths, the latest two)
text.py       the figures as short text (p-values, k/n, ratios)
reports.py    compare.md, compare-junit.xml (html.py: compare.html)
rerun.py      the inputs of an experiment that failed or were flaky (--rerun-failing)
"""
