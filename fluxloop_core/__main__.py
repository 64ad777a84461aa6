"""`python -m fluxloop_core` runs the plain CLI."""

from fluxloop_core.cli.main import main

raise SystemExit(main())
