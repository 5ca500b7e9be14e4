"""What every mail session probe shares: the context it runs in, the record it fills, and TLS."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from maildoctor.facts import (
    GreetingKind,
    LoginFacts,
    LoginOutcome,
    LoginSkip,
    MailboxFacts,
    PortProbe,
    RoundtripFacts,
    SendFacts,
    ServerWords,
    SessionFacts,
    TlsSummary,
)
from maildoctor.loginguard import LoginGuard
from maildoctor.model import Endpoint, Secret, ServerRole, leak_forms
from maildoctor.net.connect import PortAnswers, open_tcp
from maildoctor.net.conversation import Conversation
from maildoctor.net.seam import Connector
from maildoctor.net.tls import TlsHandshakeFacts, tls_handshake_facts
from maildoctor.probes.roundtrip import RoundtripState
from maildoctor.probes.steps import Step, step_passed
from maildoctor.protocol import oauth
from maildoctor.protocol.lines import safe_text, server_text
from maildoctor.protocol.oauth_device import BearerToken
from maildoctor.tlsfacts.assess import TrustStores, assess_chain


@dataclass
class SessionContext:
    role: ServerRole
    endpoint: Endpoint
    address: str  # the IP address to connect to
    username: str
    password: Secret | None
    guard: LoginGuard
    stores: TrustStores
    deadline: float
    mail_address: str  # the account's own address (SMTP MAIL FROM)
    login_wanted: bool = True
    outgoing_auth: bool = True
    connect_timeout: float = 5.0
    greeting_timeout: float = 5.0
    roundtrip: RoundtripState | None = None
    # SMTP: try MAIL FROM / RCPT TO (False for a settings check: greeting and encryption only)
    send_probe: bool = True
    # told each step that finished (role, step, passed?), for a live view; must not block
    progress: Callable[[ServerRole, str, bool], None] | None = None
    # discovery reached this server through another domain: no password without the person's consent
    consent_needed: bool = False
    # the ports of the same servers that answered in this run: a silent port is not waited for long
    answers: PortAnswers | None = None
    # how a connection is opened (the network seam's connector; a test's fake one)
    connect: Connector = open_tcp
    # a bearer token from the provider's sign-in: the login uses XOAUTH2/OAUTHBEARER instead of the
    # password (issue 16; `check --oauth2` does not pass one yet)
    token: BearerToken | None = None

    def secrets(self) -> tuple[str, ...]:
        forms: set[str] = set()
        if self.password is not None:
            forms |= leak_forms(self.password, (self.username,))
        if self.token is not None:
            forms |= token_forms(self.token, self.username)
        return tuple(sorted(forms, key=len, reverse=True))

    def remaining(self, cap: float | None = None) -> float:
        left = self.deadline - time.monotonic()
        return max(0.0, min(left, cap) if cap is not None else left)


@dataclass
class SessionRecord:
    """Filled step by step while a session runs; frozen into SessionFacts at the end."""

    context: SessionContext
    started: float = field(default_factory=time.monotonic)
    connect: PortProbe | None = None
    greeting_kind: GreetingKind | None = None
    greeting: ServerWords | None = None
    tls: TlsSummary | None = None
    capabilities: tuple[str, ...] = ()
    starttls_offered: bool | None = None
    starttls_words: ServerWords | None = None
    plaintext_login_disabled: bool = False
    auth_mechanisms: tuple[str, ...] = ()
    login: LoginFacts | None = None
    mailbox: MailboxFacts | None = None
    send: SendFacts | None = None
    roundtrip: RoundtripFacts | None = None
    closing_words: ServerWords | None = None
    failed_step: str | None = None
    error_detail: str = ""
    conversation: Conversation | None = None

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        if name in _PROGRESS_STEPS and value is not None:
            context: SessionContext | None = getattr(self, "context", None)
            if context is not None and context.progress is not None:
                context.progress(
                    context.role, _PROGRESS_STEPS[name], step_passed(cast("Step | RoundtripFacts", value))
                )

    def fail(self, step: str, detail: str = "") -> None:
        if self.failed_step is None:
            self.failed_step = step
            self.error_detail = detail

    def freeze(self) -> SessionFacts:
        return SessionFacts(
            role=self.context.role,
            endpoint=self.context.endpoint,
            address=self.context.address,
            connect=self.connect,
            greeting_kind=self.greeting_kind,
            greeting=self.greeting,
            tls=self.tls,
            capabilities=self.capabilities,
            starttls_offered=self.starttls_offered,
            starttls_words=self.starttls_words,
            plaintext_login_disabled=self.plaintext_login_disabled,
            auth_mechanisms=self.auth_mechanisms,
            login=self.login,
            mailbox=self.mailbox,
            send=self.send,
            roundtrip=self.roundtrip,
            closing_words=self.closing_words,
            failed_step=self.failed_step,
            error_detail=self.error_detail,
            transcript=tuple(self.conversation.transcript) if self.conversation else (),
            ms=int((time.monotonic() - self.started) * 1000),
        )


# the record fields whose setting means a step has finished, and the step's name in a live view
_PROGRESS_STEPS = {
    "connect": "tcp",
    "tls": "tls",
    "greeting_kind": "greeting",
    "login": "login",
    "mailbox": "mailbox",
    "send": "send",
    "roundtrip": "roundtrip",
}


def summarize_tls(handshake: TlsHandshakeFacts, host: str, stores: TrustStores) -> TlsSummary:
    if handshake.error_kind is not None or not handshake.chain_der:
        return TlsSummary(
            version=handshake.version,
            cipher=handshake.cipher,
            error_kind=str(handshake.error_kind) if handshake.error_kind else "no_certificate",
            error_detail=safe_text(handshake.error_detail),
            first_bytes=server_text(handshake.first_bytes),
        )
    assessment = assess_chain(handshake.chain_der, host, stores, dt.datetime.now(dt.UTC))
    leaf = assessment.leaf
    return TlsSummary(
        version=handshake.version,
        cipher=handshake.cipher,
        key_exchange=handshake.key_exchange,
        error_kind=None,
        verify_error=None if assessment.verify_error == "ok" else assessment.verify_error,
        name_matches=assessment.name_matches,
        expired=assessment.expired,
        not_yet_valid=assessment.not_yet_valid,
        trusted=assessment.trusted_public,
        trusted_system_only=assessment.trusted_system_only,
        self_signed=assessment.self_signed,
        interception_product=assessment.interception_product,
        subject_names=tuple(leaf.dns_names) + tuple(leaf.ip_addresses),
        issuer=leaf.issuer_o or leaf.issuer_cn or leaf.issuer,
        not_after=leaf.not_after.strftime("%Y-%m-%d %H:%M UTC"),
        suggested_host=assessment.suggested_host,
    )


async def start_tls(record: SessionRecord, conversation: Conversation) -> bool:
    """Upgrade the connection; record the facts; False when the handshake failed."""
    context = record.context
    conversation.note("*", "TLS handshake")
    handshake = await tls_handshake_facts(
        conversation.reader,
        conversation.writer,
        server_hostname=context.endpoint.host,
        timeout=context.remaining(10.0),
    )
    record.tls = summarize_tls(handshake, context.endpoint.host, context.stores)
    if handshake.error_kind is not None:
        conversation.note("*", f"TLS failed: {handshake.error_kind}")
        record.fail("tls", handshake.error_detail)
        return False
    conversation.note("*", f"TLS established: {handshake.version} {handshake.cipher}")
    return True


def skipped_login(reason: LoginSkip) -> LoginFacts:
    return LoginFacts(LoginOutcome.SKIPPED, skip_reason=reason)


def token_forms(token: BearerToken, username: str) -> frozenset[str]:
    """Every text form in which a bearer token could leak: itself and the SASL initial responses that
    carry it (what `leak_forms` is for a password)."""
    value = token.reveal()
    if not value:
        return frozenset()
    forms = {value}
    if username:
        with contextlib.suppress(ValueError):
            forms |= {
                oauth.initial_response(mechanism, username, value).decode("ascii")
                for mechanism in oauth.MECHANISMS
            }
    return frozenset(forms)


def login_gate(record: SessionRecord, protocol: str) -> LoginFacts | None:
    """A LoginFacts saying why not to log in, or None when a login may be attempted now."""
    context = record.context
    if not context.login_wanted:
        return skipped_login(LoginSkip.NO_AUTH_REQUESTED)
    if context.password is None and context.token is None:
        return skipped_login(LoginSkip.NO_PASSWORD)
    if context.consent_needed:
        return skipped_login(LoginSkip.NEEDS_CONSENT)
    tls = record.tls
    if (
        tls is not None
        and tls.error_kind is None
        and (tls.verify_error is not None or tls.interception_product is not None or tls.trusted_system_only)
    ):
        # a mail program would stop here too; and a password must not go to a server we cannot verify
        return skipped_login(LoginSkip.CERTIFICATE_NOT_TRUSTED)
    allowed, reason = context.guard.may_try(protocol, context.endpoint.host, context.username)
    if not allowed:
        return skipped_login(
            LoginSkip.ALREADY_TRIED if reason == "already_tried" else LoginSkip.REMEMBERED_FAILURE
        )
    return None


def remember_login(record: SessionRecord, protocol: str, *, failed: bool) -> None:
    context = record.context
    context.guard.record(protocol, context.endpoint.host, context.username, failed=failed)
