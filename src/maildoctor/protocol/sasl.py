"""SASL initial responses for PLAIN (RFC 4616) and LOGIN, shared by SMTP, IMAP and POP3.

The results are base64 text as ASCII bytes, without a line end. They carry the
password: the transcript in `net/` must redact every line built from them.
"""

from __future__ import annotations

import base64

from ._syntax import check_argument

__all__ = ["login_response", "plain_response"]


def plain_response(username: str, password: str, authzid: str = "") -> bytes:
    """base64 of `authzid NUL username NUL password` in UTF-8.

    RFC 4616 allows neither NUL, CR nor LF in the parts, and neither an empty
    username nor an empty password: those raise ValueError.
    """
    check_argument(authzid, "authorization identity")
    check_argument(username, "username")
    check_argument(password, "password")
    if not username:
        raise ValueError("username is empty")
    if not password:
        raise ValueError("password is empty")
    message = f"{authzid}\0{username}\0{password}".encode()
    return base64.b64encode(message)


def login_response(value: str) -> bytes:
    """base64 of one answer to an AUTH LOGIN prompt (the username, then the password)."""
    check_argument(value, "AUTH LOGIN value")
    return base64.b64encode(value.encode())
