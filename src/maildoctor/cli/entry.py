"""The `maildoctor` console script: the start-up settings first, then the command line's imports.

`python -m maildoctor` does the same in __main__.py. Pointing the console script at `cli.app:main`
would import the whole command line (Typer, Rich, every command's options) before main() could turn
them on: see startup.py and codecache.py.
"""


def main() -> None:
    """The console script's entry point; exits the process."""
    from maildoctor.cli.codecache import keep_generated_code
    from maildoctor.cli.startup import quick_start

    quick_start()
    keep_generated_code()

    from maildoctor.cli.app import main as run

    run()


__all__ = ["main"]
