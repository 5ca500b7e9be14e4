"""Sans-IO IMAP, POP3 and SMTP: bytes in, typed replies out; commands out as bytes.

Nothing here touches a socket, TLS, the event loop or the disk (see
tests/unit/test_layering.py): `net/` moves the bytes, these modules give them
meaning, in the manner of h11. What a refusal means is judged in rules/replies.py.

    lines     LineBuffer (bounded CRLF framing), LineReader (what the three readers share),
              server_text (display-safe server words)
    smtp      SmtpReplyReader, SmtpReply, EhloInfo, command builders
    imap      ImapResponseReader, Untagged/Continuation/Tagged, greeting, capability
              and quota parsers, TagCounter, command builders
    pop3      Pop3Reader, Pop3Reply, parse_capa, parse_stat, command builders
    sasl      PLAIN and LOGIN initial responses
    oauth     XOAUTH2 and OAUTHBEARER (RFC 7628) initial responses, the error challenge read and classified
    errors    ProtocolViolation and its kinds

The command builders share names across protocols (`starttls`, `quit`, ...), so
use them through their module: `smtp.ehlo(...)`, `imap.login(...)`.
"""

from .errors import BufferFull, LineTooLong, LiteralTooLarge, ProtocolViolation, ResponseTooLarge

__all__ = ["BufferFull", "LineTooLong", "LiteralTooLarge", "ProtocolViolation", "ResponseTooLarge"]
