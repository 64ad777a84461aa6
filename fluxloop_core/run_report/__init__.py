"""``fluxloop report experiment``: a readable file per run, and an index of the runs.

:mod:`.document` says what a run's report holds, :mod:`.render` writes it as Markdown or
HTML, :mod:`.build` streams an experiment through them in bounded memory.
"""
