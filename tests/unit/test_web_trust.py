"""The https trust store of discovery and the domain examination: create_default_context()'s, read lazily."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from maildoctor.net.http import web_ssl_context

SETTINGS = ("verify_mode", "check_hostname", "options", "minimum_version", "verify_flags", "protocol")


def _wrapped(context: ssl.SSLContext) -> None:
    context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="mail.example.test")


def test_the_system_store_is_read_at_the_first_handshake_and_matches_the_default_context() -> None:
    web_ssl_context.cache_clear()
    context = web_ssl_context(None)
    default = ssl.create_default_context()
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing read yet
    _wrapped(context)
    assert context.cert_store_stats() == default.cert_store_stats()
    assert context.get_ca_certs() == default.get_ca_certs()
    for name in SETTINGS:
        assert getattr(context, name) == getattr(default, name), name
    _wrapped(context)  # a second handshake reads nothing again
    assert context.cert_store_stats() == default.cert_store_stats()


def test_an_extra_ca_file_is_read_at_once_and_kept_beside_the_system_store(tmp_path: Path) -> None:
    web_ssl_context.cache_clear()
    missing = tmp_path / "missing.pem"
    with pytest.raises(OSError):
        web_ssl_context(missing)
    bundle = ssl.get_default_verify_paths().cafile
    if bundle is None:
        pytest.skip("no system CA bundle file on this machine")
    extra = tmp_path / "extra.pem"
    extra.write_text(
        Path(bundle).read_text(encoding="ascii").split("-----END CERTIFICATE-----")[0]
        + "-----END CERTIFICATE-----\n",
        encoding="ascii",
    )
    context = web_ssl_context(extra)
    assert context.cert_store_stats()["x509_ca"] == 1
    _wrapped(context)
    assert context.cert_store_stats() == ssl.create_default_context().cert_store_stats()
