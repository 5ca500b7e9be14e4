"""One conversation with one IMAP, POP3 or SMTP server, step by step, as far as it goes.

Each step records what the server said; the conversation stops at the first step that cannot
go on, and `failed_step` names it. Nothing here judges: the rules do.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import ClassVar, Final, TypeVar

from maildoctor.facts import (
    GreetingKind,
    LoginFacts,
    LoginOutcome,
    LoginSkip,
    MailboxFacts,
    QuotaFacts,
    RoundtripFacts,
    SendFacts,
    ServerWords,
    SessionFacts,
    SmtpStep,
)
from maildoctor.i18n import N_
from maildoctor.model import Protocol, Security, ServerRole
from maildoctor.net.connect import close_quietly
from maildoctor.net.conversation import Conversation, ConversationClosedError, ConversationTimeoutError
from maildoctor.net.tls import tls_handshake_facts
from maildoctor.probes.base import (
    SessionContext,
    SessionRecord,
    login_gate,
    remember_login,
    skipped_login,
    start_tls,
)
from maildoctor.probes.roundtrip import PROBE_HEADER, RoundtripState, test_message
from maildoctor.protocol import imap, oauth, pop3, smtp
from maildoctor.protocol.errors import ProtocolViolation
from maildoctor.protocol.lines import safe_text, server_text

# An outside address for the relay question: RCPT only, never DATA, so nothing is ever sent.
RELAY_PROBE_RECIPIENT = "maildoctor-relay-check@example.com"

_GreetingT = TypeVar("_GreetingT")


# --------------------------------------------------------------------------- shared steps


async def _plaintext_greeting(context: SessionContext) -> bytes:
    """After a failed TLS handshake: does this port greet in plain text? (its first line)"""
    _, reader, writer = await context.connect(context.address, context.endpoint.port, context.remaining(2.0))
    if reader is None or writer is None:
        return b""
    try:
        return await asyncio.wait_for(reader.readline(), timeout=context.remaining(2.0))
    except (TimeoutError, OSError, ValueError):
        return b""
    finally:
        await close_quietly(writer)


async def _answers_tls(context: SessionContext) -> bool:
    """After a silent plaintext connection: does this port answer a TLS handshake?"""
    _, reader, writer = await context.connect(context.address, context.endpoint.port, context.remaining(2.0))
    if reader is None or writer is None:
        return False
    try:
        facts = await tls_handshake_facts(reader, writer, context.endpoint.host, context.remaining(3.0))
        return facts.error_kind is None
    finally:
        await close_quietly(writer)


async def _implicit_tls(record: SessionRecord, conversation: Conversation) -> bool:
    if await start_tls(record, conversation):
        return True
    tls = record.tls
    if tls is not None and tls.error_kind != "handshake_timeout":
        first = tls.first_bytes or server_text((await _plaintext_greeting(record.context)).rstrip(b"\r\n"))
        if first:
            record.tls = dataclasses.replace(tls, error_kind="plaintext_reply", first_bytes=first)
            record.greeting_kind = GreetingKind.OK
    return False


async def _no_greeting(record: SessionRecord) -> None:
    """Silence where a greeting was due: is it a TLS port the person set up without SSL/TLS?"""
    answers_tls = not _tls_active(record) and await _answers_tls(record.context)
    record.greeting_kind = GreetingKind.TLS_EXPECTED if answers_tls else GreetingKind.NONE
    record.fail("greeting", "no greeting")


def _tls_active(record: SessionRecord) -> bool:
    return record.tls is not None and record.tls.error_kind is None


def _ms_since(started: float) -> int:
    return int((asyncio.get_running_loop().time() - started) * 1000)


class _Driver:
    """What every protocol's conversation holds: the record it fills and the connection; and the
    steps all three take alike (greeting, STARTTLS, the login gate and its outcome)."""

    name: ClassVar[str]  # the protocol, as the login guard knows it
    not_a_greeting_detail: ClassVar[str]

    def __init__(self, record: SessionRecord, conversation: Conversation) -> None:
        self.record = record
        self.context = record.context
        self.conversation = conversation

    async def implicit_tls(self) -> bool:
        """On an SSL/TLS port, the handshake before anything else. False: the session ends here."""
        if self.context.endpoint.security != Security.SSL:
            return True
        return await _implicit_tls(self.record, self.conversation)

    async def greeting(
        self, first: Awaitable[_GreetingT], *, catch_violation: bool = True
    ) -> _GreetingT | None:
        """The server's first words; None (recorded) when it said nothing in time, or, with
        `catch_violation`, nothing its protocol allows."""
        try:
            return await first
        except ConversationTimeoutError:
            await _no_greeting(self.record)
        except ProtocolViolation as exc:
            if not catch_violation:
                raise
            self.not_a_greeting(ServerWords(server_text(exc.data)))
        return None

    def not_a_greeting(self, words: ServerWords | None = None) -> None:
        self.record.greeting_kind = GreetingKind.GARBAGE
        if words is not None:
            self.record.greeting = words
        self.record.fail("greeting", self.not_a_greeting_detail)

    def greeting_refused(self) -> None:
        self.record.greeting_kind = GreetingKind.REFUSING
        self.record.fail("greeting", "the server refused the connection")

    async def upgrade(self, command: str, offered: bool, capabilities: tuple[str, ...]) -> bool:
        """STARTTLS (POP3: STLS) on a port that wants it: offered, accepted, handshake done?
        False (recorded, `capabilities` too when not offered): the session ends here."""
        record = self.record
        record.starttls_offered = offered
        if not offered:
            record.capabilities = capabilities
            record.fail("starttls", f"{command} not offered")
            return False
        refusal = await self.ask_starttls()
        if refusal is not None:
            record.starttls_words = refusal
            record.starttls_offered = False
            record.fail("starttls", f"{command} refused")
            return False
        return await start_tls(record, self.conversation)

    async def ask_starttls(self) -> ServerWords | None:
        """Sends STARTTLS (STLS): None when the server says go ahead, else its words."""
        raise NotImplementedError

    def gate_open(self) -> bool:
        """Whether the login gate lets this login happen; when not, its verdict is recorded."""
        gate = login_gate(self.record, self.name)
        if gate is not None:
            self.record.login = gate
        return gate is None

    def password(self) -> str | None:
        """The password when the login gate lets this login happen; else None, the gate's verdict recorded."""
        if not self.gate_open():
            return None
        assert self.context.password is not None
        return self.context.password.reveal()

    def token(self) -> str | None:
        """The bearer token when the login gate lets this login happen; else None (as `password`)."""
        if not self.gate_open():
            return None
        assert self.context.token is not None
        return self.context.token.reveal()

    def token_mechanism(self, offered: tuple[str, ...] | frozenset[str]) -> str | None:
        """The OAuth mechanism to log in with (OAUTHBEARER first); None (recorded) when none is offered."""
        mechanism = oauth.chosen_mechanism(offered)
        if mechanism is None:
            self.record.login = skipped_login(LoginSkip.NO_SHARED_MECHANISM)
        return mechanism

    def challenge_answer(
        self, mechanism: str, text: str, challenges: list[oauth.OAuthChallenge | None]
    ) -> bytes:
        """What to send after a refused token's error challenge (kept in `challenges`)."""
        challenges.append(oauth.parse_challenge(text))
        return oauth.error_ack(mechanism) + b"\r\n"

    def login_outcome(
        self,
        mechanism: str,
        ms: int,
        refusal: ServerWords | None,
        challenges: list[oauth.OAuthChallenge | None] | None = None,
    ) -> bool:
        """Records how the login went (refused: with the server's words; a refused token: why, from its
        error challenge) and tells the guard. True: logged in."""
        if refusal is not None:
            failure = None
            if challenges is not None:
                challenge = next((item for item in challenges if item is not None), None)
                failure = str(oauth.classify_oauth_failure(challenge, refusal.text))
            self.record.login = LoginFacts(
                LoginOutcome.REFUSED, mechanism, refusal, ms=ms, oauth_failure=failure
            )
            remember_login(self.record, self.name, failed=True)
            return False
        self.record.login = LoginFacts(LoginOutcome.SUCCESS, mechanism, ms=ms)
        remember_login(self.record, self.name, failed=False)
        return True


# --------------------------------------------------------------------------- IMAP


class _Imap(_Driver):
    name = "imap"
    not_a_greeting_detail = "not an IMAP greeting"

    def __init__(self, record: SessionRecord, conversation: Conversation) -> None:
        super().__init__(record, conversation)
        self.reader = imap.ImapResponseReader()
        self.tags = imap.TagCounter()

    async def next(self, cap: float | None = None) -> imap.ImapResponse:
        return await self.conversation.receive(self.reader, self.reader.next_response, cap)

    async def command(
        self,
        parts: bytes | tuple[bytes, ...],
        tag: str,
        shown: str | None = None,
        *,
        bye_expected: bool = False,
        answer: Callable[[imap.Continuation], bytes] | None = None,
    ) -> tuple[list[imap.Untagged], imap.Tagged]:
        """`answer`: what to send for a continuation after the last part (a SASL error challenge)."""
        pieces = (parts,) if isinstance(parts, bytes) else parts
        untagged: list[imap.Untagged] = []
        for index, piece in enumerate(pieces):
            await self.conversation.send(piece, shown if index == 0 else ("********" if shown else None))
            if index == len(pieces) - 1:
                break
            response = await self.next()  # a literal: wait for "+ go ahead"
            if isinstance(response, imap.Tagged):
                return untagged, response
        while True:
            response = await self.next()
            if isinstance(response, imap.Tagged) and response.tag == tag:
                return untagged, response
            if isinstance(response, imap.Continuation) and answer is not None:
                await self.conversation.send(answer(response))
                answer = None  # one challenge; a second is not answered (the deadline ends it)
                continue
            if isinstance(response, imap.Untagged):
                untagged.append(response)
                condition = imap.parse_condition(response)
                if condition is not None and condition.status == imap.ImapStatus.BYE and not bye_expected:
                    self.record.closing_words = ServerWords(
                        safe_text(f"* BYE {response.text[4:]}"), response_code=condition.code
                    )

    async def capabilities(self) -> frozenset[str]:
        tag = self.tags.next_tag()
        untagged, done = await self.command(imap.capability(tag), tag)
        for response in untagged:
            found = imap.parse_capabilities(response)
            if found is not None:
                return found
        return done.capabilities or frozenset()

    async def ask_starttls(self) -> ServerWords | None:
        tag = self.tags.next_tag()
        _, done = await self.command(imap.starttls(tag), tag)
        if done.status == imap.ImapStatus.OK:
            return None
        return ServerWords(safe_text(_tagged_text(done)), response_code=done.code)

    async def run(self) -> None:
        record, context = self.record, self.context
        if not await self.implicit_tls():
            return
        # an IMAP reader's ProtocolViolation ends the session as a protocol error, not a bad greeting
        first = await self.greeting(self.next(cap=context.greeting_timeout), catch_violation=False)
        if first is None:
            return
        greeting = imap.parse_greeting(first)
        if greeting is None:
            self.not_a_greeting(ServerWords(safe_text(_imap_text(first))))
            return
        record.greeting = ServerWords(safe_text(_imap_text(first)), response_code=greeting.code)
        if greeting.status == imap.ImapStatus.BYE:
            self.greeting_refused()
            return
        record.greeting_kind = GreetingKind.OK
        caps = greeting.capabilities or await self.capabilities()
        if context.endpoint.security == Security.STARTTLS:
            if not await self.upgrade("STARTTLS", "STARTTLS" in caps, tuple(sorted(caps))):
                return
            caps = await self.capabilities()
        record.capabilities = tuple(sorted(caps))
        record.auth_mechanisms = tuple(sorted(cap[5:] for cap in caps if cap.startswith("AUTH=")))
        await self.login(caps)
        tag = self.tags.next_tag()
        await self.command(imap.logout(tag), tag, bye_expected=True)

    async def login(self, caps: frozenset[str]) -> None:
        record, context = self.record, self.context
        if not _tls_active(record) and "LOGINDISABLED" in caps:
            record.plaintext_login_disabled = True
            record.login = skipped_login(LoginSkip.PLAINTEXT_REFUSED)
            return
        if context.token is not None:
            done = await self.token_login(caps)
            if done is None:
                return
        else:
            password = self.password()
            if password is None:
                return
            done = await self.password_login(caps, password)
            if done is None:
                return
        caps = done.capabilities or await self.capabilities()
        record.capabilities = tuple(sorted(caps))
        await self.mailbox(caps)
        if context.roundtrip is not None:
            await self.watch_for_test_message(context.roundtrip, caps)

    async def token_login(self, caps: frozenset[str]) -> imap.Tagged | None:
        """AUTHENTICATE XOAUTH2/OAUTHBEARER with the bearer token; the tagged OK, or None (recorded)."""
        context = self.context
        token = self.token()
        if token is None:
            return None
        mechanism = self.token_mechanism(tuple(cap[5:] for cap in caps if cap.startswith("AUTH=")))
        if mechanism is None:
            return None
        tag = self.tags.next_tag()
        initial = oauth.initial_response(mechanism, context.username, token)
        parts = imap.authenticate_oauth(tag, mechanism, initial, sasl_ir="SASL-IR" in caps)
        challenges: list[oauth.OAuthChallenge | None] = []
        started = asyncio.get_running_loop().time()
        _, done = await self.command(
            parts,
            tag,
            f"{tag} AUTHENTICATE {mechanism} ********",
            answer=lambda response: self.challenge_answer(mechanism, response.text, challenges),
        )
        refusal = None
        if done.status != imap.ImapStatus.OK:
            refusal = ServerWords(safe_text(_tagged_text(done)), response_code=done.code)
        return done if self.login_outcome(mechanism, _ms_since(started), refusal, challenges) else None

    async def password_login(self, caps: frozenset[str], password: str) -> imap.Tagged | None:
        """LOGIN or AUTHENTICATE PLAIN; the tagged OK, or None (recorded)."""
        context = self.context
        tag = self.tags.next_tag()
        if "AUTH=PLAIN" in caps:
            mechanism = "PLAIN"
            parts = imap.authenticate_plain(tag, context.username, password, sasl_ir="SASL-IR" in caps)
            shown = f"{tag} AUTHENTICATE PLAIN ********"
        else:
            mechanism = "LOGIN"
            parts = imap.login(tag, context.username, password, literal_plus="LITERAL+" in caps)
            shown = f'{tag} LOGIN "{context.username}" ********'
        started = asyncio.get_running_loop().time()
        _, done = await self.command(parts, tag, shown)
        ms = _ms_since(started)
        refusal = None
        if done.status != imap.ImapStatus.OK:
            refusal = ServerWords(safe_text(_tagged_text(done)), response_code=done.code)
        return done if self.login_outcome(mechanism, ms, refusal) else None

    async def watch_for_test_message(self, state: RoundtripState, caps: frozenset[str]) -> None:
        self.record.roundtrip = await _watch_imap(self, state, caps)

    async def mailbox(self, caps: frozenset[str]) -> None:
        quotas: list[QuotaFacts] = []
        if "QUOTA" in caps:
            tag = self.tags.next_tag()
            untagged, _ = await self.command(imap.getquotaroot(tag, "INBOX"), tag)
            for response in untagged:
                info = imap.parse_quota(response)
                if info is not None:
                    quotas += [QuotaFacts(r.name, r.usage, r.limit) for r in info.resources]
        tag = self.tags.next_tag()
        untagged, done = await self.command(imap.examine(tag, "INBOX"), tag)
        messages = next((n for n in map(imap.parse_exists, untagged) if n is not None), None)
        self.record.mailbox = MailboxFacts(
            messages=messages if done.status == "OK" else None, quotas=tuple(quotas)
        )


async def _watch_imap(driver: _Imap, state: RoundtripState, caps: frozenset[str]) -> RoundtripFacts:
    tag = driver.tags.next_tag()
    _, done = await driver.command(imap.select(tag, "INBOX"), tag)
    if done.status != imap.ImapStatus.OK:
        state.mark_watching(ok=False)
        return RoundtripFacts(sent=False, detail=N_("INBOX could not be opened"))
    state.mark_watching(ok=True)
    try:
        await asyncio.wait_for(state.sent.wait(), timeout=driver.context.remaining())
    except TimeoutError:
        return RoundtripFacts(sent=False, detail=N_("not sent before the deadline"))
    if state.sent_at is None:
        return RoundtripFacts(sent=False, send_words=state.send_words, detail=state.not_sent_because)
    while driver.context.remaining() > 0:
        tag = driver.tags.next_tag()
        untagged, _ = await driver.command(imap.uid_search_header(tag, PROBE_HEADER, state.token), tag)
        uids = next((found for found in map(imap.parse_search, untagged) if found), ())
        if uids:
            delay = int((time.monotonic() - state.sent_at) * 1000)
            tag = driver.tags.next_tag()
            await driver.command(imap.uid_delete(tag, uids), tag)
            removed = False
            if "UIDPLUS" in caps:  # a plain EXPUNGE would also remove what the person marked deleted
                tag = driver.tags.next_tag()
                _, done = await driver.command(imap.uid_expunge(tag, uids), tag)
                removed = done.status == imap.ImapStatus.OK
            return RoundtripFacts(
                sent=True, arrived=True, delay_ms=delay, removed=removed, send_words=state.send_words
            )
        await asyncio.sleep(min(0.25, driver.context.remaining()))
    return RoundtripFacts(
        sent=True, send_words=state.send_words, detail=N_("did not arrive before the deadline")
    )


def _imap_text(response: imap.ImapResponse) -> str:
    if isinstance(response, imap.Tagged):
        return _tagged_text(response)
    if isinstance(response, imap.Continuation):
        return f"+ {response.text}"
    return f"* {response.text}"


def _tagged_text(done: imap.Tagged) -> str:
    code = f"[{done.code}{' ' + done.code_args if done.code_args else ''}] " if done.code else ""
    return f"{done.status} {code}{done.text}"


# --------------------------------------------------------------------------- POP3


class _Pop3(_Driver):
    name = "pop3"
    not_a_greeting_detail = "not a POP3 greeting"

    def __init__(self, record: SessionRecord, conversation: Conversation) -> None:
        super().__init__(record, conversation)
        self.reader = pop3.Pop3Reader()

    async def call(self, data: bytes, shown: str | None = None, *, multiline: bool = False) -> pop3.Pop3Event:
        self.reader.expect(multiline)
        await self.conversation.send(data, shown)
        return await self.conversation.receive(self.reader, self.reader.next_reply)

    async def capa(self) -> pop3.Pop3Capabilities | None:
        reply = await self.call(pop3.capa(), multiline=True)
        return pop3.parse_capa(reply) if isinstance(reply, pop3.Pop3Reply) and reply.ok else None

    async def ask_starttls(self) -> ServerWords | None:
        reply = await self.call(pop3.stls())
        if isinstance(reply, pop3.Pop3Reply) and reply.ok:
            return None
        return ServerWords(safe_text(_pop3_text(reply) if isinstance(reply, pop3.Pop3Reply) else ""))

    async def run(self) -> None:
        record, context = self.record, self.context
        if not await self.implicit_tls():
            return
        self.reader.expect(False)
        first = await self.greeting(
            self.conversation.receive(self.reader, self.reader.next_reply, context.greeting_timeout)
        )
        if first is None:
            return
        if not isinstance(first, pop3.Pop3Reply):
            self.not_a_greeting()
            return
        record.greeting = ServerWords(safe_text(_pop3_text(first)), response_code=first.code)
        if not first.ok:
            self.greeting_refused()
            return
        record.greeting_kind = GreetingKind.OK
        caps = await self.capa()
        if context.endpoint.security == Security.STARTTLS:
            # no answer to CAPA: STLS may still work, so it is tried
            if not await self.upgrade("STLS", caps is None or caps.stls, caps.raw if caps else ()):
                return
            caps = await self.capa()
        record.capabilities = caps.raw if caps else ()
        record.auth_mechanisms = caps.sasl if caps else ()
        await self.login(caps)
        await self.call(pop3.quit())

    async def login(self, caps: pop3.Pop3Capabilities | None) -> None:
        record, context = self.record, self.context
        if not _tls_active(record) and caps is not None and not caps.user and "PLAIN" not in caps.sasl:
            record.plaintext_login_disabled = True
            record.login = skipped_login(LoginSkip.PLAINTEXT_REFUSED)
            return
        if context.token is not None:
            if not await self.token_login(caps):
                return
        elif not await self.password_login(caps):
            return
        stat = await self.call(pop3.stat())
        counted = pop3.parse_stat(stat) if isinstance(stat, pop3.Pop3Reply) else None
        if counted is not None:
            record.mailbox = MailboxFacts(messages=counted[0], size_bytes=counted[1])

    async def token_login(self, caps: pop3.Pop3Capabilities | None) -> bool:
        """AUTH XOAUTH2/OAUTHBEARER with the bearer token (the error challenge answered). True: logged in."""
        token = self.token()
        if token is None:
            return False
        mechanism = self.token_mechanism(caps.sasl if caps else ())
        if mechanism is None:
            return False
        initial = oauth.initial_response(mechanism, self.context.username, token)
        challenges: list[oauth.OAuthChallenge | None] = []
        started = asyncio.get_running_loop().time()
        reply = await self.call(pop3.auth_oauth(mechanism, initial), f"AUTH {mechanism} ********")
        if isinstance(reply, pop3.Pop3Continuation):
            reply = await self.call(self.challenge_answer(mechanism, reply.text, challenges))
        refusal = None
        if not isinstance(reply, pop3.Pop3Reply) or not reply.ok:
            text = _pop3_text(reply) if isinstance(reply, pop3.Pop3Reply) else "+"
            code = reply.code if isinstance(reply, pop3.Pop3Reply) else None
            refusal = ServerWords(safe_text(text), response_code=code)
        return self.login_outcome(mechanism, _ms_since(started), refusal, challenges)

    async def password_login(self, caps: pop3.Pop3Capabilities | None) -> bool:
        """AUTH PLAIN, else USER/PASS. True: logged in."""
        context = self.context
        password = self.password()
        if password is None:
            return False
        started = asyncio.get_running_loop().time()
        if caps is not None and "PLAIN" in caps.sasl:
            mechanism = "PLAIN"
            reply = await self.call(pop3.auth_plain(context.username, password), "AUTH PLAIN ********")
        else:
            mechanism = "USER"
            reply = await self.call(pop3.user(context.username))
            if isinstance(reply, pop3.Pop3Reply) and reply.ok:
                reply = await self.call(pop3.pass_(password), "PASS ********")
        ms = _ms_since(started)
        refusal = None
        if not isinstance(reply, pop3.Pop3Reply) or not reply.ok:
            text = _pop3_text(reply) if isinstance(reply, pop3.Pop3Reply) else "+"
            code = reply.code if isinstance(reply, pop3.Pop3Reply) else None
            refusal = ServerWords(safe_text(text), response_code=code)
        return self.login_outcome(mechanism, ms, refusal)


def _pop3_text(reply: pop3.Pop3Reply) -> str:
    code = f"[{reply.code}] " if reply.code else ""
    return f"{'+OK' if reply.ok else '-ERR'} {code}{reply.text}"


# --------------------------------------------------------------------------- SMTP


# a login skipped for these reasons is skipped by the person's program too
_SENDING_AS_THE_PROGRAM: Final = frozenset({LoginSkip.SENDS_WITHOUT_LOGIN, LoginSkip.NO_SHARED_MECHANISM})


class _Smtp(_Driver):
    name = "smtp"
    not_a_greeting_detail = "not an SMTP greeting"

    def __init__(self, record: SessionRecord, conversation: Conversation) -> None:
        super().__init__(record, conversation)
        self.reader = smtp.SmtpReplyReader()

    async def reply(self, cap: float | None = None) -> smtp.SmtpReply:
        return await self.conversation.receive(self.reader, self.reader.next_reply, cap)

    async def call(self, data: bytes, shown: str | None = None) -> smtp.SmtpReply:
        await self.conversation.send(data, shown)
        return await self.reply()

    async def ehlo(self) -> smtp.EhloInfo | None:
        reply = await self.call(smtp.ehlo("maildoctor.invalid"))
        if reply.code != 250:
            return None
        return smtp.EhloInfo.parse(reply)

    async def ask_starttls(self) -> ServerWords | None:
        reply = await self.call(smtp.starttls())
        return None if reply.code == 220 else _words(reply)

    async def run(self) -> None:
        record, context = self.record, self.context
        if not await self.implicit_tls():
            return
        first = await self.greeting(self.reply(cap=context.greeting_timeout))
        if first is None:
            return
        record.greeting = _words(first)
        if first.code != 220:
            self.greeting_refused()
            return
        record.greeting_kind = GreetingKind.OK
        info = await self.ehlo()
        if info is None:
            record.fail("ehlo", "EHLO refused")
            return
        if context.endpoint.security == Security.STARTTLS:
            if not await self.upgrade("STARTTLS", info.starttls, tuple(info.extensions)):
                return
            info = await self.ehlo()
            if info is None:
                record.fail("ehlo", "EHLO refused after STARTTLS")
                return
        record.capabilities = tuple(info.extensions)
        record.auth_mechanisms = info.auth_mechanisms
        authenticated = await self.login(info)
        if record.login is not None and record.login.outcome == LoginOutcome.REFUSED:
            await self.call(smtp.quit())
            return
        if context.send_probe and (authenticated or self.sends_as_the_program_does()):
            await self.send(authenticated)
        await self.call(smtp.quit())

    def sends_as_the_program_does(self) -> bool:
        """Without our login, trying to send shows what the person's program meets only when it, too,
        sends without one (or the server offers none); when we merely had no password (--no-auth, a
        remembered failure…) every healthy server refuses, and that says nothing."""
        login = self.record.login
        return login is None or login.skip_reason in _SENDING_AS_THE_PROGRAM

    async def login(self, info: smtp.EhloInfo) -> bool:
        record, context = self.record, self.context
        if not context.outgoing_auth:
            record.login = skipped_login(LoginSkip.SENDS_WITHOUT_LOGIN)
            return False
        if not info.auth_mechanisms:
            if not _tls_active(record) and info.starttls:
                record.plaintext_login_disabled = True
                record.login = skipped_login(LoginSkip.PLAINTEXT_REFUSED)
            elif context.password is not None and context.login_wanted:
                record.login = skipped_login(LoginSkip.NO_SHARED_MECHANISM)
            else:
                record.login = login_gate(record, self.name) or skipped_login(LoginSkip.NO_SHARED_MECHANISM)
            return False
        if context.token is not None:
            return await self.token_login(info)
        if "PLAIN" not in info.auth_mechanisms and "LOGIN" not in info.auth_mechanisms:
            record.login = skipped_login(LoginSkip.NO_SHARED_MECHANISM)
            return False
        password = self.password()
        if password is None:
            return False
        started = asyncio.get_running_loop().time()
        if "PLAIN" in info.auth_mechanisms:
            mechanism = "PLAIN"
            reply = await self.call(smtp.auth_plain(context.username, password), "AUTH PLAIN ********")
        else:
            mechanism = "LOGIN"
            reply = await self.call(smtp.auth_login_start())
            if reply.code == 334:
                reply = await self.call(smtp.auth_login_user(context.username), "********")
            if reply.code == 334:
                reply = await self.call(smtp.auth_login_password(password), "********")
        ms = _ms_since(started)
        return self.login_outcome(mechanism, ms, None if reply.code == 235 else _words(reply))

    async def token_login(self, info: smtp.EhloInfo) -> bool:
        """AUTH XOAUTH2/OAUTHBEARER with the bearer token (the 334 error challenge answered). True: logged
        in."""
        token = self.token()
        if token is None:
            return False
        mechanism = self.token_mechanism(info.auth_mechanisms)
        if mechanism is None:
            return False
        initial = oauth.initial_response(mechanism, self.context.username, token)
        challenges: list[oauth.OAuthChallenge | None] = []
        started = asyncio.get_running_loop().time()
        reply = await self.call(smtp.auth_oauth(mechanism, initial), f"AUTH {mechanism} ********")
        if reply.code == 334:
            reply = await self.call(self.challenge_answer(mechanism, " ".join(reply.lines), challenges))
        refusal = None if reply.code == 235 else _words(reply)
        return self.login_outcome(mechanism, _ms_since(started), refusal, challenges)

    async def send(self, authenticated: bool) -> None:
        context = self.context
        mail = await self.call(smtp.mail_from(context.mail_address))
        mail_step = SmtpStep("MAIL FROM", _words(mail))
        rcpt_step: SmtpStep | None = None
        if mail.is_positive:
            # Logged in: may this account send as its own address? Not logged in: will the
            # server pass mail on to others (the "can receive but cannot send" case)?
            recipient = context.mail_address if authenticated else RELAY_PROBE_RECIPIENT
            rcpt = await self.call(smtp.rcpt_to(recipient))
            rcpt_step = SmtpStep("RCPT TO", _words(rcpt))
            state = context.roundtrip
            if state is not None and authenticated and rcpt.is_positive:
                await self.deliver(state)
            else:
                await self.call(smtp.rset())
        self.record.send = SendFacts(mail_step, rcpt_step, authenticated)

    async def deliver(self, state: RoundtripState) -> None:
        """--roundtrip: send the test message for real (to the account's own address)."""
        try:
            await asyncio.wait_for(state.watching.wait(), timeout=self.context.remaining())
        except TimeoutError:
            state.watcher_ok = False
        if not state.watcher_ok:
            state.mark_not_sent(N_("the incoming server could not watch for it"))
            await self.call(smtp.rset())
            return
        reply = await self.call(smtp.data())
        if reply.code != 354:
            state.mark_not_sent(N_("DATA refused"), _words(reply))
            return
        message = test_message(self.context.mail_address, state.token)
        reply = await self.call(smtp.message_data(message), "(the test message)")
        if reply.is_positive:
            state.mark_sent(_words(reply))
        else:
            state.mark_not_sent(N_("message refused"), _words(reply))


def _words(reply: smtp.SmtpReply) -> ServerWords:
    lines = reply.lines or ("",)
    text = "\n".join(
        f"{reply.code}{'-' if i < len(lines) - 1 else ' '}{line}" for i, line in enumerate(lines)
    )
    return ServerWords(safe_text(text), reply_code=reply.code, enhanced=reply.enhanced)


# --------------------------------------------------------------------------- the entry point

_DRIVERS: dict[Protocol, type[_Imap | _Pop3 | _Smtp]] = {
    Protocol.IMAP: _Imap,
    Protocol.POP3: _Pop3,
    Protocol.SMTP: _Smtp,
}


async def run_session(context: SessionContext) -> SessionFacts:
    record = SessionRecord(context)
    probe, reader, writer = await context.connect(
        context.address, context.endpoint.port, context.connect_timeout, answers=context.answers
    )
    record.connect = probe
    if reader is None or writer is None:
        record.fail("connect", str(probe.outcome))
        return record.freeze()
    conversation = Conversation(reader, writer, context.deadline, context.secrets())
    record.conversation = conversation
    driver = _DRIVERS[context.endpoint.protocol](record, conversation)
    try:
        await driver.run()
    except ConversationTimeoutError:
        record.fail("timeout", "the server stopped answering")
    except ConversationClosedError as exc:
        record.fail("closed", str(exc))
    except ProtocolViolation as exc:
        record.fail("protocol", type(exc).__name__)
    except OSError as exc:
        record.fail("network", exc.strerror or type(exc).__name__)
    finally:
        await close_quietly(conversation.writer)
        if context.roundtrip is not None and context.role == ServerRole.OUTGOING:
            context.roundtrip.mark_not_sent(N_("the outgoing server could not send it"))
        if context.roundtrip is not None and context.role == ServerRole.INCOMING:
            context.roundtrip.mark_watching(ok=False)
    return record.freeze()
