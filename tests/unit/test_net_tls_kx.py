"""The key exchange of a negotiated suite, from OpenSSL's own table (net/tls.key_exchange_of)."""

from __future__ import annotations

import pytest

from maildoctor.net.tls import key_exchange_of


@pytest.mark.parametrize(
    ("cipher", "expected"),
    [
        ("AES256-GCM-SHA384", "rsa"),  # TLS_RSA_WITH_AES_256_GCM_SHA384
        ("AES128-SHA", "rsa"),
        ("ECDHE-RSA-AES128-GCM-SHA256", "ecdhe"),
        ("DHE-RSA-AES256-GCM-SHA384", "dhe"),
        ("TLS_AES_256_GCM_SHA384", "any"),  # TLS 1.3: always (EC)DHE
        ("NOT-A-CIPHER", None),
        (None, None),
    ],
)
def test_key_exchange_of(cipher: str | None, expected: str | None) -> None:
    assert key_exchange_of(cipher) == expected
