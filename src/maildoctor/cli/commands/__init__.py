"""One module per command: `register(app, shared)` adds the command with its options, every help
text in the run's language. cli/app.py's build_app calls them in the order the help lists them.

No `from __future__ import annotations` in these modules: Typer reads the Annotated[...] metadata of
the command functions at run time.
"""
