"""What a refusal means, read from the server's own words: pure, table-driven.

The rules ask two questions of a refused command:

* `classify_auth_failure`: why was the login refused (wrong password, app
  password needed, locked, too many connections, encryption needed, try later)?
* `classify_smtp_rejection`: why was MAIL FROM / RCPT TO refused?

Each table below is data, read top to bottom; the first row whose every
condition holds wins, so specific wording comes before the generic code it
arrives with (Dovecot's `-ERR [AUTH] Plaintext authentication disallowed` is about
encryption, not the password). Every row names where its words come from. The
`explain_*` functions return the row and the words that matched, so a finding can
show exactly which part of the reply it rests on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Generic, TypeVar

from maildoctor.model import Protocol

__all__ = [
    "AUTH_FAILURE_RULES",
    "SMTP_REJECTION_RULES",
    "AuthFailureKind",
    "AuthRule",
    "Classification",
    "SmtpRejectionKind",
    "SmtpRule",
    "classify_auth_failure",
    "classify_smtp_rejection",
    "explain_auth_failure",
    "explain_smtp_rejection",
]


class AuthFailureKind(StrEnum):
    WRONG_CREDENTIALS = "wrong_credentials"
    # the account password is not accepted this way (app password, web sign-in, modern auth)
    APP_PASSWORD_REQUIRED = "app_password_required"  # noqa: S105 -- a kind's name, not a password
    # no password of any kind is accepted: the program must sign in with OAuth2 (or the tenant turned
    # SMTP AUTH off)
    MODERN_AUTH_REQUIRED = "modern_auth_required"
    ACCOUNT_LOCKED = "account_locked"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    PLAINTEXT_REFUSED = "plaintext_refused"
    TEMPORARY = "temporary"
    UNKNOWN = "unknown"


class SmtpRejectionKind(StrEnum):
    AUTH_REQUIRED = "auth_required"
    ENCRYPTION_REQUIRED = "encryption_required"  # STARTTLS first, then AUTH
    SENDER_REJECTED = "sender_rejected"
    RECIPIENT_REJECTED = "recipient_rejected"
    MAILBOX_FULL = "mailbox_full"
    TEMPORARY = "temporary"
    OTHER = "other"


KindT = TypeVar("KindT", AuthFailureKind, SmtpRejectionKind)


@dataclass(frozen=True, slots=True)
class Classification(Generic[KindT]):
    """The verdict, the table row that gave it (None: no row matched) and what matched:
    the server's words (`Application-specific password required`) or its code (`[LIMIT]`, `535 5.7.8`)."""

    kind: KindT
    rule: str | None
    evidence: str


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AuthRule:
    """One row: every condition given must hold. `enhanced` entries ending in "." are prefixes."""

    rule: str
    kind: AuthFailureKind
    source: str
    protocols: frozenset[Protocol] = frozenset()  # empty: any
    codes: frozenset[str] = frozenset()  # IMAP [CODE] / POP3 [CODE]
    reply_codes: frozenset[int] = frozenset()
    reply_class: int | None = None  # 4: any 4yz
    enhanced: tuple[str, ...] = ()
    words: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class SmtpRule:
    rule: str
    kind: SmtpRejectionKind
    source: str
    stages: frozenset[str] = frozenset()  # "mail", "rcpt"; empty: both
    reply_codes: frozenset[int] = frozenset()
    reply_class: int | None = None  # 5: only permanent refusals (4yz with the same words is "try later")
    enhanced: tuple[str, ...] = ()
    words: re.Pattern[str] | None = None


_IMAP: Final = frozenset({Protocol.IMAP})
_POP3: Final = frozenset({Protocol.POP3})
_SMTP: Final = frozenset({Protocol.SMTP})
_A = AuthFailureKind

AUTH_FAILURE_RULES: Final[tuple[AuthRule, ...]] = (
    # ---- too many connections (before anything else: these arrive as [ALERT], [LIMIT] or [IN-USE] too)
    AuthRule(
        "too-many-connections-words",
        _A.TOO_MANY_CONNECTIONS,
        # Gmail IMAP: `NO [ALERT] Too many simultaneous connections. (Failure)` (15 per account,
        # support.google.com/mail/answer/97150; MailKit #377); Dovecot: `Maximum number of connections
        # from user+IP exceeded (mail_max_userip_connections=3)` (lab notes 1.2)
        source="Gmail IMAP; Dovecot 2.3 (lab notes 1.2)",
        words=_words(
            r"too many (?:simultaneous|concurrent|parallel|open) (?:\w+ )?connections"
            r"|maximum number of (?:\w+ )?connections|connection limit (?:exceeded|reached)"
        ),
    ),
    AuthRule(
        "imap-limit",
        _A.TOO_MANY_CONNECTIONS,
        source="RFC 5530 LIMIT; Dovecot `NO [LIMIT]` for mail_max_userip_connections (lab notes 1.2)",
        protocols=_IMAP,
        codes=frozenset({"LIMIT"}),
    ),
    AuthRule(
        "pop3-in-use",
        _A.TOO_MANY_CONNECTIONS,
        source="RFC 2449 8.1.2 IN-USE (another session holds the mailbox); Dovecot `-ERR [IN-USE]`"
        " (lab notes 1.2)",
        protocols=_POP3,
        codes=frozenset({"IN-USE"}),
    ),
    # ---- encryption needed before a password may be sent
    AuthRule(
        "imap-privacyrequired",
        _A.PLAINTEXT_REFUSED,
        source="RFC 5530 PRIVACYREQUIRED; Dovecot disable_plaintext_auth (lab notes 1.4)",
        protocols=_IMAP,
        codes=frozenset({"PRIVACYREQUIRED"}),
    ),
    AuthRule(
        "plaintext-refused-words",
        _A.PLAINTEXT_REFUSED,
        # Dovecot `Plaintext authentication disallowed on non-secure (SSL/TLS) connections.` /
        # `Plaintext authentication disabled.` (lab notes 1.4, also under POP3's [AUTH]);
        # Postfix `530 5.7.0 Must issue a STARTTLS command first` (lab notes 2.1), aiosmtpd the same
        # without the enhanced code (2.2); RFC 4954 `538 5.7.11 Encryption required for requested
        # authentication mechanism`
        source="Dovecot, Postfix, aiosmtpd (lab notes 1.4, 2.1, 2.2); RFC 4954",
        words=_words(
            r"(?:plaintext|plain text|cleartext|clear text) (?:authentication|auth|login)s? "
            r"(?:is |are )?(?:disallowed|disabled|not allowed|not permitted)"
            r"|must issue a STARTTLS command first|encryption required"
        ),
    ),
    AuthRule(
        "smtp-encryption-required",
        _A.PLAINTEXT_REFUSED,
        source="RFC 4954 6: 538 5.7.11 Encryption required for requested authentication mechanism",
        protocols=_SMTP,
        reply_codes=frozenset({538}),
    ),
    AuthRule(
        "smtp-5.7.11",
        _A.PLAINTEXT_REFUSED,
        source="RFC 4954 / RFC 5248: X.7.11 encryption required",
        protocols=_SMTP,
        enhanced=("5.7.11", "4.7.11"),
    ),
    # ---- the account password is not accepted this way (app password, web sign-in, modern auth)
    AuthRule(
        "app-password-words",
        _A.APP_PASSWORD_REQUIRED,
        # Google SMTP `534-5.7.9 Application-specific password required. Learn more at ...
        # ?p=InvalidSecondFactor`; Gmail IMAP `NO [ALERT] Application-specific password required:
        # https://support.google.com/accounts/answer/185833 (Failure)`; Yahoo/AOL help pages: "generate
        # an app password" for third-party mail apps
        source="Google SMTP and IMAP replies; Yahoo/AOL app-password help",
        words=_words(r"app(?:lication)?[- ]?specific password|\bapp passwords?\b"),
    ),
    AuthRule(
        "web-login-required",
        _A.APP_PASSWORD_REQUIRED,
        # Google SMTP `534-5.7.14 <https://accounts.google.com/...> Please log in via your web browser
        # and then try again.`; Gmail IMAP `[WEBALERT https://accounts.google.com/...] Web login required.`
        source="Google SMTP 534 5.7.14 and Gmail IMAP WEBALERT",
        words=_words(r"log ?in via your web browser|web login required|sign in via your web browser"),
    ),
    AuthRule(
        "imap-webalert",
        _A.APP_PASSWORD_REQUIRED,
        source="Gmail IMAP `[WEBALERT url]`: sign in on the web first",
        protocols=_IMAP,
        codes=frozenset({"WEBALERT"}),
    ),
    AuthRule(
        "basic-auth-disabled",
        _A.MODERN_AUTH_REQUIRED,
        # Exchange Online SMTP AUTH: `535 5.7.139 Authentication unsuccessful, basic authentication is
        # disabled.`, `... SmtpClientAuthentication is disabled for the Tenant/Mailbox.`, `... user is
        # locked by your organization's security defaults policy.`, `... the request did not meet the
        # criteria to be authenticated successfully.`; outlook.com IMAP `NO Basic authentication is
        # disabled.`; Exchange POP/IMAP logs `LogonDenied-BasicAuthBlocked`
        source="Microsoft Exchange Online / outlook.com replies (535 5.7.139, IMAP NO, BasicAuthBlocked)",
        words=_words(
            r"basic auth(?:entication)? is disabled|BasicAuthBlocked"
            r"|SmtpClientAuthentication is disabled|security defaults policy"
            r"|did not meet the criteria to be authenticated"
            r"|basic authentication is not supported"
        ),
    ),
    AuthRule(
        "smtp-5.7.14",
        _A.APP_PASSWORD_REQUIRED,
        source="RFC 7372: 534 5.7.14 Trust relationship required (Google: sign in via the web)",
        protocols=_SMTP,
        enhanced=("5.7.14",),
    ),
    AuthRule(
        "smtp-mechanism-too-weak",
        _A.APP_PASSWORD_REQUIRED,
        # the account's password is refused by this method; Google sends it for 2-Step Verification accounts
        source="RFC 4954 6: 534 5.7.9 Authentication mechanism is too weak",
        protocols=_SMTP,
        reply_codes=frozenset({534}),
    ),
    # ---- the account is locked, disabled or throttled after failures
    AuthRule(
        "account-locked-words",
        _A.ACCOUNT_LOCKED,
        # `[ALERT] Account locked`, `Your account has been locked`, `account disabled/suspended`;
        # Google SMTP `454 4.7.0 Too many login attempts, please try again later.`; Yahoo SMTP
        # `535 5.7.0 (#AUTH005) Too many bad auth attempts.` (also reported for accounts that need an
        # app password: the words are what we have)
        source="provider replies (Google 454 4.7.0, Yahoo #AUTH005); generic lock wording",
        words=_words(
            r"\baccount\b[^.\n]{0,40}?\b(?:locked|disabled|suspended|blocked|deactivated)\b"
            r"|\blocked out\b"
            r"|too many (?:bad |failed |invalid |unsuccessful )?"
            r"(?:login|logon|log-in|auth|authentication|sign-?in|password) (?:attempts|failures|errors)"
        ),
    ),
    AuthRule(
        "smtp-account-disabled",
        _A.ACCOUNT_LOCKED,
        source="RFC 7372: 525 5.7.13 User account disabled",
        protocols=_SMTP,
        enhanced=("5.7.13",),
    ),
    AuthRule(
        "imap-expired-or-contactadmin",
        _A.ACCOUNT_LOCKED,
        source="RFC 5530 EXPIRED (password/account expired), CONTACTADMIN (see the administrator)",
        protocols=_IMAP,
        codes=frozenset({"EXPIRED", "CONTACTADMIN"}),
    ),
    # ---- try again later
    AuthRule(
        "temporary-words",
        _A.TEMPORARY,
        # Dovecot `NO [UNAVAILABLE] Temporary authentication failure. [host:time]` (lab notes 1.2);
        # RFC 4954 `454 4.7.0 Temporary authentication failure`
        source="Dovecot 2.3 (lab notes 1.2); RFC 4954 6",
        words=_words(
            r"temporary (?:authentication |auth )?failure|temporarily unavailable|service unavailable"
        ),
    ),
    AuthRule(
        "imap-unavailable",
        _A.TEMPORARY,
        source="RFC 5530 UNAVAILABLE",
        protocols=_IMAP,
        codes=frozenset({"UNAVAILABLE"}),
    ),
    AuthRule(
        "pop3-sys-temp",
        _A.TEMPORARY,
        source="RFC 3206 SYS/TEMP; RFC 2449 LOGIN-DELAY (logged in too recently)",
        protocols=_POP3,
        codes=frozenset({"SYS/TEMP", "LOGIN-DELAY"}),
    ),
    AuthRule(
        "smtp-transient",
        _A.TEMPORARY,
        source="RFC 5321 4.2.1: 4yz transient (421 closing, 454 4.7.0 temporary authentication failure)",
        protocols=_SMTP,
        reply_class=4,
    ),
    # ---- wrong username or password (last: the generic codes that also carry the cases above)
    AuthRule(
        "imap-authenticationfailed",
        _A.WRONG_CREDENTIALS,
        source="RFC 5530 AUTHENTICATIONFAILED; Dovecot `Authentication failed.` (lab notes 1.2), "
        "Gmail `Invalid credentials (Failure)`",
        protocols=_IMAP,
        codes=frozenset({"AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED"}),
    ),
    AuthRule(
        "pop3-auth",
        _A.WRONG_CREDENTIALS,
        source="RFC 3206 AUTH; Dovecot `-ERR [AUTH] Authentication failed.` (lab notes 1.2)",
        protocols=_POP3,
        codes=frozenset({"AUTH"}),
    ),
    AuthRule(
        "smtp-535",
        _A.WRONG_CREDENTIALS,
        # Postfix `535 5.7.8 Error: authentication failed: (reason unavailable)` (lab notes 2.1),
        # Google `535-5.7.8 Username and Password not accepted`, Exchange `535 5.7.3 Authentication
        # unsuccessful` (its generic refusal), Exim `535 Incorrect authentication data`
        source="RFC 4954 6: 535 5.7.8 Authentication credentials invalid; Postfix, Google, Exchange, Exim",
        protocols=_SMTP,
        reply_codes=frozenset({535}),
    ),
    AuthRule(
        "credentials-words",
        _A.WRONG_CREDENTIALS,
        # Exchange/outlook.com IMAP `NO LOGIN failed.` / `NO AUTHENTICATE failed.`, Yahoo `LOGIN Invalid
        # credentials`, POP3 servers without response codes `-ERR Authentication failed`
        source="Exchange, Yahoo and POP3 servers without response codes",
        words=_words(
            r"authentication (?:failed|unsuccessful|rejected)|invalid credentials|(?:login|logon) failed"
            r"|authenticate failed|bad credentials|incorrect authentication data"
            r"|(?:username|user name) (?:and|or) password (?:not accepted|incorrect|invalid)"
            r"|(?:incorrect|invalid|wrong) (?:username|user name|password)"
        ),
    ),
)

_S = SmtpRejectionKind

SMTP_REJECTION_RULES: Final[tuple[SmtpRule, ...]] = (
    SmtpRule(
        "mailbox-full-enhanced",
        _S.MAILBOX_FULL,
        source="RFC 3463 X.2.2 Mailbox full; Postfix + Dovecot quota-status `552 5.2.2 ... Mailbox is full`"
        " (lab notes 2.1)",
        enhanced=("5.2.2", "4.2.2"),
    ),
    SmtpRule(
        "mailbox-full-words",
        _S.MAILBOX_FULL,
        # Dovecot `Quota exceeded (mailbox for user is full)` (lab notes 1.2); Gmail `552-5.2.2 The
        # email account that you tried to reach is over quota`
        source="Dovecot, Gmail",
        words=_words(
            r"mailbox (?:is )?full|over (?:the |its )?quota|quota exceeded|exceeds? (?:the |its )?quota"
        ),
    ),
    SmtpRule(
        "encryption-required",
        _S.ENCRYPTION_REQUIRED,
        # Postfix submission `530 5.7.0 Must issue a STARTTLS command first` (lab notes 2.1); aiosmtpd
        # the same without the enhanced code (2.2); RFC 3207 5
        source="RFC 3207; Postfix, aiosmtpd (lab notes 2.1, 2.2)",
        words=_words(r"must issue a STARTTLS command first|encryption required|STARTTLS (?:is )?required"),
    ),
    SmtpRule(
        "send-as-denied",
        _S.SENDER_REJECTED,
        # Postfix reject_sender_login_mismatch `553 5.7.1 <bob@example.test>: Sender address rejected: not
        # owned by user alice` (lab notes 2.1); Exchange Online `550 5.7.60 SMTP; Client does not have
        # permissions to send as this sender` (SendAsDenied)
        source="Postfix (lab notes 2.1); Microsoft Exchange Online 5.7.60",
        words=_words(
            r"not owned by user|SendAsDenied|(?:does not have|no) permissions? to send as"
            r"|not (?:allowed|authori[sz]ed|permitted) to send (?:as|on behalf|from)"
        ),
    ),
    SmtpRule(
        "send-as-denied-enhanced",
        _S.SENDER_REJECTED,
        source="Microsoft Exchange Online: 550 5.7.60 SendAsDenied",
        enhanced=("5.7.60",),
    ),
    SmtpRule(
        "relay-denied",
        _S.AUTH_REQUIRED,
        # Postfix `554 5.7.1 <victim@else.test>: Relay access denied` (MX port, and 454 4.7.1 with
        # defer_unauth_destination; lab notes 2.1); Sendmail `550 5.7.1 ... Relaying denied`; Exchange
        # `550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain`; Exim `550 relay not permitted`
        source="Postfix (lab notes 2.1), Sendmail, Exchange, Exim",
        words=_words(
            r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)"
            r"|unable to relay|we do not relay"
        ),
    ),
    SmtpRule(
        "client-host-rejected",
        _S.AUTH_REQUIRED,
        # Postfix submission (permit_sasl_authenticated, reject) to an unauthenticated RCPT:
        # `554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied` (lab notes 2.1)
        source="Postfix (lab notes 2.1)",
        words=_words(r"client host rejected: access denied"),
    ),
    SmtpRule(
        "authentication-required-words",
        _S.AUTH_REQUIRED,
        # `530 5.7.0 Authentication required` (RFC 4954 6), Gmail `530-5.5.1 Authentication Required.`,
        # Exchange Online `530 5.7.57 Client not authenticated to send mail`
        source="RFC 4954; Google; Microsoft 5.7.57",
        words=_words(
            r"authentication (?:is )?required|not authenticated|must (?:first )?authenticate"
            r"|authenticate first|sender (?:must|needs to) authenticate"
        ),
    ),
    SmtpRule(
        "authentication-required-codes",
        _S.AUTH_REQUIRED,
        source="RFC 4954 6: 530 5.7.0 Authentication required; Microsoft 5.7.57",
        reply_codes=frozenset({530}),
    ),
    SmtpRule(
        "authentication-required-enhanced",
        _S.AUTH_REQUIRED,
        source="Microsoft Exchange Online 5.7.57 (client not authenticated)",
        enhanced=("5.7.57",),
    ),
    SmtpRule(
        "sender-words",
        _S.SENDER_REJECTED,
        # Postfix prefixes every reject_sender_* with `Sender address rejected:` (lab notes 2.1)
        source="Postfix (lab notes 2.1) and common MTA wording",
        reply_class=5,
        words=_words(r"sender address rejected|sender (?:address )?(?:is )?(?:not allowed|denied|refused)"),
    ),
    SmtpRule(
        "sender-enhanced",
        _S.SENDER_REJECTED,
        source="RFC 3463 X.1.7 bad sender's mailbox syntax, X.1.8 bad sender's system address",
        enhanced=("5.1.7", "5.1.8"),
    ),
    SmtpRule(
        "sender-address-status",
        _S.SENDER_REJECTED,
        source="RFC 3463 X.1.x (addressing status) in answer to MAIL FROM",
        stages=frozenset({"mail"}),
        enhanced=("5.1.",),
    ),
    SmtpRule(
        "recipient-address-status",
        _S.RECIPIENT_REJECTED,
        # Postfix `550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual
        # mailbox table` (lab notes 2.1); Exchange `550 5.1.10 RESOLVER.ADR.RecipientNotFound`
        source="RFC 3463 X.1.1 bad destination mailbox (X.1.x addressing); Postfix, Exchange",
        stages=frozenset({"rcpt"}),
        enhanced=("5.1.",),
    ),
    SmtpRule(
        "recipient-words",
        _S.RECIPIENT_REJECTED,
        source="Postfix `Recipient address rejected`, RFC 5321 `550 mailbox unavailable`, common wording",
        stages=frozenset({"rcpt"}),
        reply_class=5,
        words=_words(
            r"recipient address rejected|user unknown|unknown user|no such (?:user|mailbox|recipient)"
            r"|mailbox unavailable|(?:user|mailbox|address) (?:does not|doesn't) exist"
            r"|RecipientNotFound|(?:invalid|unknown) recipient"
        ),
    ),
    SmtpRule(
        "transient",
        _S.TEMPORARY,
        # Postfix words even these `Recipient address rejected:`/`Sender address rejected:`, hence
        # reply_class=5 on the rows for those words above
        source="RFC 5321 4.2.1: 4yz transient (greylisting 450 4.7.1, 451 4.3.0, 421)",
        reply_class=4,
    ),
)


# --------------------------------------------------------------------------- matching

_LEADING_ENHANCED: Final = re.compile(r"^[245]\.[0-9]{1,3}\.[0-9]{1,3}(?:[ \t]+|$)")


def _normalise(text: str) -> str:
    """One line of text: the enhanced code repeated on each SMTP line dropped, runs of space made one."""
    lines = (_LEADING_ENHANCED.sub("", line.strip()) for line in text.splitlines())
    return " ".join(" ".join(lines).split())


def _enhanced_matches(wanted: tuple[str, ...], enhanced: str | None) -> bool:
    if enhanced is None:
        return False
    return any(enhanced == item or (item.endswith(".") and enhanced.startswith(item)) for item in wanted)


def _reply_matches(row: AuthRule | SmtpRule, reply_code: int | None, enhanced: str | None) -> bool:
    """Whether the row's SMTP conditions (reply codes, reply class, enhanced codes) all hold."""
    if row.reply_codes and reply_code not in row.reply_codes:
        return False
    if row.reply_class is not None and (reply_code is None or reply_code // 100 != row.reply_class):
        return False
    return not row.enhanced or _enhanced_matches(row.enhanced, enhanced)


def _condition_evidence(words: re.Pattern[str] | None, text: str, fallback: str) -> tuple[bool, str]:
    if words is None:
        return True, fallback
    match = words.search(text)
    return (True, match.group(0)) if match else (False, "")


def _smtp_code(reply_code: int | None, enhanced: str | None) -> str:
    return " ".join(str(part) for part in (reply_code, enhanced) if part is not None)


def explain_auth_failure(
    protocol: Protocol | str,
    code: str | None,
    reply_code: int | None,
    enhanced: str | None,
    text: str,
) -> Classification[AuthFailureKind]:
    """The kind of a refused login, with the row and the words that decided it.

    `code` is the IMAP/POP3 bracketed response code (`AUTHENTICATIONFAILED`,
    `IN-USE`; brackets and case do not matter), `reply_code`/`enhanced` the SMTP
    reply code and RFC 3463 code, `text` the server's words.
    """
    protocol = Protocol(protocol)
    code = code.strip().strip("[]").upper() or None if code else None
    words = _normalise(text)
    for row in AUTH_FAILURE_RULES:
        if row.protocols and protocol not in row.protocols:
            continue
        if row.codes and code not in row.codes:
            continue
        if not _reply_matches(row, reply_code, enhanced):
            continue
        fallback = f"[{code}]" if row.codes else _smtp_code(reply_code, enhanced)
        matched, evidence = _condition_evidence(row.words, words, fallback)
        if matched:
            return Classification(row.kind, row.rule, evidence)
    return Classification(AuthFailureKind.UNKNOWN, None, "")


def classify_auth_failure(
    protocol: Protocol | str,
    code: str | None,
    reply_code: int | None,
    enhanced: str | None,
    text: str,
) -> AuthFailureKind:
    """Why a login was refused; `explain_auth_failure` says on which words."""
    return explain_auth_failure(protocol, code, reply_code, enhanced, text).kind


def explain_smtp_rejection(
    stage: str, code: int | None, enhanced: str | None, text: str
) -> Classification[SmtpRejectionKind]:
    """The kind of a refused MAIL FROM (`stage="mail"`) or RCPT TO (`"rcpt"`), with the row and words."""
    if stage not in ("mail", "rcpt"):
        raise ValueError(f"stage must be 'mail' or 'rcpt', not {stage!r}")
    words = _normalise(text)
    for row in SMTP_REJECTION_RULES:
        if row.stages and stage not in row.stages:
            continue
        if not _reply_matches(row, code, enhanced):
            continue
        matched, evidence = _condition_evidence(row.words, words, _smtp_code(code, enhanced))
        if matched:
            return Classification(row.kind, row.rule, evidence)
    return Classification(SmtpRejectionKind.OTHER, None, "")


def classify_smtp_rejection(
    stage: str, code: int | None, enhanced: str | None, text: str
) -> SmtpRejectionKind:
    """Why MAIL FROM or RCPT TO was refused; `explain_smtp_rejection` says on which words."""
    return explain_smtp_rejection(stage, code, enhanced, text).kind
