"""Shared fixtures: the lab's certificates and its real Dovecot and Postfix, one of each per session."""

from __future__ import annotations

import os
import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from maildoctor_lab.certs import LabPKI, StandardCerts
from maildoctor_lab.common import LabUnavailableError, make_lab_dir
from maildoctor_lab.dovecot import DovecotServer, start_dovecot
from maildoctor_lab.postfix import PostfixServer, start_postfix

# CI sets this: there a missing lab server is a failure, not a skip.
LAB_REQUIRED = os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1"


def lab_unavailable(reason: str) -> None:
    if LAB_REQUIRED:
        pytest.fail(f"lab required but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lab_root() -> Iterator[Path]:
    path = make_lab_dir("maildoctor-tests-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def pki(lab_root: Path) -> LabPKI:
    return LabPKI(lab_root / "tls")


@pytest.fixture(scope="session")
def certs(pki: LabPKI) -> StandardCerts:
    return pki.standard_set()


@pytest.fixture(scope="session")
def lab_ca_context(pki: LabPKI) -> ssl.SSLContext:
    """A client context that trusts the lab CA the way a device trusts the public roots."""
    return ssl.create_default_context(cafile=str(pki.ca.cert))


@pytest.fixture(scope="session")
def dovecot(lab_root: Path, certs: StandardCerts) -> Iterator[DovecotServer]:
    try:
        server = start_dovecot(lab_root / "dovecot", certs.good)
    except LabUnavailableError as exc:
        lab_unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postfix(lab_root: Path, dovecot: DovecotServer, certs: StandardCerts) -> Iterator[PostfixServer]:
    try:
        server = start_postfix(lab_root / "postfix", dovecot, certs.good)
    except LabUnavailableError as exc:
        lab_unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def netns_ready() -> None:
    """Network namespaces with nft work here (else skip, or fail where the lab is required)."""
    from maildoctor_lab import netns

    reason = netns.netns_unavailable_reason()
    if reason is not None:
        lab_unavailable(reason)
