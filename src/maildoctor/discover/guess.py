"""The last source: the host names and ports mail providers usually use, to be probed.

Pure: it only proposes. The engine keeps a guess only when a probe confirmed it, so a guess never
reaches the person unverified.
"""

from __future__ import annotations

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate, Source
from maildoctor.model import Protocol, Security, mail_program_ports

# host prefixes per protocol, most common first ("" is the bare domain)
_HOSTS = {
    Protocol.IMAP: ("imap.", "mail.", ""),
    Protocol.POP3: ("pop.", "pop3.", "mail.", ""),
    Protocol.SMTP: ("smtp.", "mail.", ""),
}
# the standard pairs (model.STANDARD_PORTS), implicit TLS first (RFC 8314); plaintext-only pairs are
# not proposed
_PAIRS = {
    protocol: tuple(sorted(mail_program_ports(protocol), key=lambda pair: pair[1] is not Security.SSL))
    for protocol in Protocol
}


def guesses(address: str) -> DiscoveredSettings:
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")

    def candidates(protocol: Protocol) -> tuple[ServerCandidate, ...]:
        return tuple(
            # the whole address is the user name most providers expect
            ServerCandidate(protocol, f"{prefix}{domain}", port, security, address, source=Source.GUESS)
            for prefix in _HOSTS[protocol]
            for port, security in _PAIRS[protocol]
        )

    return DiscoveredSettings(
        address, None, candidates(Protocol.IMAP) + candidates(Protocol.POP3), candidates(Protocol.SMTP)
    )


def only_verified(settings: DiscoveredSettings) -> DiscoveredSettings:
    return DiscoveredSettings(
        settings.address,
        settings.provider,
        tuple(c for c in settings.incoming if c.verified),
        tuple(c for c in settings.outgoing if c.verified),
    )
