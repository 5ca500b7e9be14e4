"""Facts: what the probes saw, judged by nobody yet.

Probes fill these; rules (pure) read them. Server words are kept exactly, already escaped for
display (see protocol.lines.server_text), so a hostile banner cannot reach a terminal raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from maildoctor.model import Endpoint, Protocol, Security, ServerRole


class DnsOutcome(StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, not with this record type
    SERVFAIL = "servfail"  # the domain's DNS is broken
    REFUSED = "refused"
    TIMEOUT = "timeout"  # no answer in time
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class DnsLookup:
    name: str
    rdtype: str
    outcome: DnsOutcome
    answers: tuple[str, ...] = ()
    ms: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class HostResolution:
    host: str
    ipv4: DnsLookup
    ipv6: DnsLookup

    @property
    def addresses(self) -> tuple[str, ...]:
        """IPv4 first: most mail programs on the networks we meet try it first."""
        return self.ipv4.answers + self.ipv6.answers

    @property
    def outcome(self) -> DnsOutcome:
        """One outcome for the name: found if either family answered, else the worse failure."""
        if self.addresses:
            return DnsOutcome.OK
        outcomes = {self.ipv4.outcome, self.ipv6.outcome}
        for worst in (DnsOutcome.NXDOMAIN, DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT, DnsOutcome.REFUSED):
            if worst in outcomes:
                return worst
        if outcomes == {DnsOutcome.NODATA} or outcomes <= {DnsOutcome.NODATA, DnsOutcome.OK}:
            return DnsOutcome.NODATA
        return DnsOutcome.ERROR


class ConnectOutcome(StrEnum):
    OPEN = "open"
    REFUSED = "refused"  # RST: nothing listens there
    TIMEOUT = "timeout"  # silence: dropped by a firewall, or the host is down
    UNREACHABLE = "unreachable"  # no route / host unreachable (ICMP)
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PortProbe:
    address: str
    port: int
    outcome: ConnectOutcome
    ms: int
    detail: str = ""
    # a timeout cut short: another port of the same address accepted a connection in `answered_ms`
    answered_port: int | None = None
    answered_ms: int | None = None


class GreetingKind(StrEnum):
    OK = "ok"  # a normal greeting (* OK, +OK, 220)
    REFUSING = "refusing"  # the server greets with a refusal (* BYE, -ERR, 421/554)
    TLS_EXPECTED = "tls_expected"  # the server sent nothing: it waits for a TLS handshake
    GARBAGE = "garbage"  # something that is not this protocol
    NONE = "none"  # the connection closed or went silent before any greeting


@dataclass(frozen=True, slots=True)
class ServerWords:
    """One reply, as the server wrote it (escaped for display), with its codes pulled out."""

    text: str
    reply_code: int | None = None  # SMTP
    enhanced: str | None = None  # SMTP enhanced status (RFC 3463)
    response_code: str | None = None  # IMAP [CODE] / POP3 [CODE]


class LoginOutcome(StrEnum):
    SUCCESS = "success"
    REFUSED = "refused"  # the server said no: see words
    SKIPPED = "skipped"  # not attempted: see skip_reason
    ERROR = "error"  # the connection broke during the attempt


class LoginSkip(StrEnum):
    NO_PASSWORD = "no_password"  # noqa: S105 -- a reason code, not a password
    NO_AUTH_REQUESTED = "no_auth_requested"  # --no-auth: maildoctor does not log in
    SENDS_WITHOUT_LOGIN = "sends_without_login"  # --no-outgoing-auth: nor does the person's program
    REMEMBERED_FAILURE = "remembered_failure"  # a recent failure for this server and user
    ALREADY_TRIED = "already_tried"  # one attempt per server and user name per run
    NO_SHARED_MECHANISM = "no_shared_mechanism"
    PLAINTEXT_REFUSED = "plaintext_refused"  # the server forbids login without encryption
    # the certificate failed verification: the password is not sent to a server we cannot trust
    CERTIFICATE_NOT_TRUSTED = "certificate_not_trusted"
    # the server came from discovery through another domain (or an unprotected page): not without consent
    NEEDS_CONSENT = "needs_consent"


@dataclass(frozen=True, slots=True)
class LoginFacts:
    outcome: LoginOutcome
    mechanism: str | None = None
    words: ServerWords | None = None
    skip_reason: LoginSkip | None = None
    ms: int = 0
    # a refused bearer token (XOAUTH2/OAUTHBEARER): why, from the server's error challenge and words
    # (protocol.oauth.OAuthFailure's value)
    oauth_failure: str | None = None


@dataclass(frozen=True, slots=True)
class QuotaFacts:
    resource: str  # STORAGE (KiB) or MESSAGE
    usage: int
    limit: int


@dataclass(frozen=True, slots=True)
class MailboxFacts:
    messages: int | None = None
    size_bytes: int | None = None  # POP3 STAT
    quotas: tuple[QuotaFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class SmtpStep:
    command: str  # MAIL or RCPT (the redacted command name only)
    words: ServerWords


@dataclass(frozen=True, slots=True)
class SendFacts:
    """MAIL FROM / RCPT TO without DATA: does the server accept this sender and a recipient?"""

    mail_from: SmtpStep | None = None
    rcpt_to: SmtpStep | None = None
    authenticated: bool = False


@dataclass(frozen=True, slots=True)
class RoundtripFacts:
    """--roundtrip: a test message to the address itself, watched for over IMAP, then removed."""

    sent: bool
    arrived: bool = False
    delay_ms: int | None = None
    removed: bool = False
    send_words: ServerWords | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    direction: str  # "S" server to us, "C" us to server, "*" a note (TLS started, ...)
    text: str  # escaped; passwords already replaced by ********
    ms: int


@dataclass(frozen=True, slots=True)
class TlsSummary:
    """The TLS handshake and the certificate judgement of one connection."""

    version: str | None
    cipher: str | None
    error_kind: str | None  # None: handshake done
    error_detail: str = ""
    verify_error: str | None = None  # name_mismatch | expired | not_yet_valid | self_signed | unknown_issuer
    name_matches: bool = True
    expired: bool = False
    not_yet_valid: bool = False
    trusted: bool = True
    trusted_system_only: bool = False
    self_signed: bool = False
    interception_product: str | None = None
    subject_names: tuple[str, ...] = ()
    issuer: str = ""
    not_after: str = ""
    suggested_host: str | None = None
    first_bytes: str = ""  # what a plaintext server said where TLS was expected
    key_exchange: str | None = None  # "ecdhe", "dhe", "rsa" (static RSA), "any" (TLS 1.3); net/tls.py


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """One conversation with one server, as far as it went."""

    role: ServerRole
    endpoint: Endpoint
    address: str | None = None
    connect: PortProbe | None = None
    greeting_kind: GreetingKind | None = None
    greeting: ServerWords | None = None
    tls: TlsSummary | None = None
    capabilities: tuple[str, ...] = ()  # after TLS when there was TLS
    starttls_offered: bool | None = None
    starttls_words: ServerWords | None = None  # the reply to STARTTLS when it was refused
    plaintext_login_disabled: bool = False  # LOGINDISABLED / no USER / no AUTH before TLS
    auth_mechanisms: tuple[str, ...] = ()
    login: LoginFacts | None = None
    mailbox: MailboxFacts | None = None
    send: SendFacts | None = None
    roundtrip: RoundtripFacts | None = None
    closing_words: ServerWords | None = None  # BYE / 421 the server hung up with
    failed_step: str | None = None  # the step where the conversation ended early
    error_detail: str = ""
    transcript: tuple[TranscriptLine, ...] = ()
    ms: int = 0


@dataclass(frozen=True, slots=True)
class AlternativeProbe:
    """A probe of the same host on a port/encryption the person did not type."""

    protocol: Protocol
    port: int  # where it really is (the demo's servers are not on the standard ports)
    security: Security
    connect: PortProbe
    standard_port: int | None = None  # the port a provider uses for it (993, 587, ...); None: `port`

    @property
    def nominal_port(self) -> int:
        return self.standard_port if self.standard_port is not None else self.port


@dataclass(frozen=True, slots=True)
class ServerFacts:
    role: ServerRole
    endpoint: Endpoint
    username: str = ""
    resolution: HostResolution | None = None
    session: SessionFacts | None = None
    alternatives: tuple[AlternativeProbe, ...] = ()


@dataclass(frozen=True, slots=True)
class RetiredMatch:
    """A typed server the provider switched off, and what replaced it (from the provider data)."""

    role: ServerRole
    provider: str
    typed_host: str
    typed_port: int
    right_host: str
    right_port: int | None = None
    right_security: Security | None = None
    since: str | None = None


@dataclass(frozen=True, slots=True)
class ExpectedServer:
    """One server as discovery says it should be typed (best first per role)."""

    role: ServerRole
    endpoint: Endpoint
    username: str
    source: str  # provider | autoconfig | srv | autodiscover | mx | guess
    verified: bool = False
    needs_consent: bool = False


@dataclass(frozen=True, slots=True)
class SettingsKnowledge:
    """What discovery and the provider data say, to compare with what the person typed."""

    expected: tuple[ExpectedServer, ...] = ()
    provider: str | None = None  # the provider's name, when known
    # which roles were not typed and were filled in from `expected` for this check
    filled: frozenset[ServerRole] = frozenset()
    username_typed: bool = False
    retired: tuple[RetiredMatch, ...] = ()
    # host names known to be right: this address's candidates, then the providers' (for typo hints)
    known_hosts: tuple[str, ...] = ()
    # where the provider's password is made, looked up or reset (curated provider data only)
    password_page: str | None = None


@dataclass(frozen=True, slots=True)
class ResolverTrial:
    """The resolver asked about names that certainly exist, and about one that certainly does not."""

    certain: tuple[DnsLookup, ...]
    nonexistent: DnsLookup | None = None


@dataclass(frozen=True, slots=True)
class DiagnosisFacts:
    address: str
    domain: str
    servers: tuple[ServerFacts, ...] = ()
    domain_mx: DnsLookup | None = None
    resolver_alive: bool | None = None  # did any lookup at all get an answer?
    settings: SettingsKnowledge | None = None
    client: str | None = None  # the mail program the person named (--client), as its id
