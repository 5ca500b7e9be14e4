"""The optional extras of maildoctor's package: what each one brings, and the command that adds it.

`pip install maildoctor` installs what every diagnosis needs and nothing else; the offline demo's
example servers and the PDF renderer come only with their extra. Pure: no import is tried here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Extra:
    name: str
    modules: tuple[str, ...]  # the top-level modules of its packages that maildoctor imports

    @property
    def install_command(self) -> str:
        return f"pip install 'maildoctor[{self.name}]'"


DEMO = Extra("demo", ("pymap", "aiosmtpd", "proxyprotocol", "pysasl"))
PDF = Extra("pdf", ("weasyprint",))
# the ledger on a shared PostgreSQL: the driver SQLAlchemy loads for postgresql+psycopg:// URLs
POSTGRESQL = Extra("postgresql", ("psycopg",))
# check-up jobs on a task queue in the shared PostgreSQL book (checkup --queue / --worker)
QUEUE = Extra("queue", ("procrastinate",))
# the browser interface (maildoctor web)
WEB = Extra("web", ("starlette", "jinja2", "uvicorn", "segno", "multipart", "python_multipart", "argon2"))
EXTRAS = (DEMO, PDF, POSTGRESQL, QUEUE, WEB)


def is_missing_package(exc: ImportError) -> bool:
    """True when an import failed because a package outside maildoctor is not installed (or too old),
    which installing the extra mends; False for a module of maildoctor's own, which would be a bug."""
    top = (exc.name or "").partition(".")[0]
    return top not in ("", "maildoctor")
