"""`python -m maildoctor` is the same as the `maildoctor` command."""

from maildoctor.cli.app import main

if __name__ == "__main__":
    main()
