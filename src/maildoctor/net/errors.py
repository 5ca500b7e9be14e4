"""The transport failures net/ raises, translated once from the low-level errors.

Each is an OSError (and, where one fits, the builtin ConnectionRefusedError/TimeoutError), so a
caller may catch generically and still find the evidence: host, port and the original error as
__cause__. A TLS handshake that fails is a fact (TlsHandshakeFacts.error_kind), not an exception;
TlsFailure is for callers that need TLS to go on (TlsHandshakeFacts.raise_for_error).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ConnectFailed", "ConnectRefused", "ConnectTimeout", "FailedHandshake", "NetError", "TlsFailure"]


class NetError(OSError):
    """A transport failure talking to host:port."""

    def __init__(self, message: str, *, host: str = "", port: int = 0, errno: int | None = None) -> None:
        if errno is None:
            super().__init__(message)
        else:
            super().__init__(errno, message)
        self.message = message
        self.host = host
        self.port = port

    def __str__(self) -> str:
        return self.message


class ConnectRefused(NetError, ConnectionRefusedError):
    """Nothing listens there: the server (or a firewall) answered the SYN with a reset."""


class ConnectTimeout(NetError, TimeoutError):
    """No answer to the connection attempt in time: dropped by a firewall, or the host is down."""


class ConnectFailed(NetError):
    """Any other connect failure: no route, network unreachable, a name that does not resolve."""


class FailedHandshake(Protocol):
    """What TlsFailure reads of a failed handshake: net.tls.TlsHandshakeFacts (named by its shape,
    so that this module, which tls imports, does not import tls)."""

    @property
    def error_kind(self) -> str | None: ...

    @property
    def error_detail(self) -> str: ...


class TlsFailure(NetError):
    """The TLS handshake failed; `facts` (a TlsHandshakeFacts) says how (error_kind, error_detail,
    first_bytes)."""

    def __init__(self, facts: FailedHandshake, *, host: str = "", port: int = 0) -> None:
        detail = f": {facts.error_detail}" if facts.error_detail else ""
        super().__init__(f"TLS handshake failed ({facts.error_kind}){detail}", host=host, port=port)
        self.facts = facts
