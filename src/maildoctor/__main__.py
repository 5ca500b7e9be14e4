"""`python -m maildoctor` is the same as the `maildoctor` command."""

from maildoctor.cli.codecache import keep_generated_code
from maildoctor.cli.startup import quick_start

quick_start()  # before the imports, which are most of a start-up (see startup.py)
keep_generated_code()  # likewise (see codecache.py)

from maildoctor.cli.app import main  # noqa: E402

if __name__ == "__main__":
    main()
