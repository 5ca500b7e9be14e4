"""Refusals classified by the server's own words (rules/replies.py, rows in data/replies.toml).

The texts are real replies: the lab's Dovecot and Postfix (real-servers.md 1.2,
1.4, 2.1, 2.2) and the providers named in the tables' sources.
"""

from __future__ import annotations

import pytest

from maildoctor.model import Protocol
from maildoctor.protocol.smtp import SmtpReplyReader
from maildoctor.rules.replies import (
    AUTH_FAILURE_RULES,
    SMTP_REJECTION_RULES,
    AuthFailureKind,
    Classification,
    SmtpRejectionKind,
    classify_auth_failure,
    classify_smtp_rejection,
    explain_auth_failure,
    explain_smtp_rejection,
)

A = AuthFailureKind
S = SmtpRejectionKind

# (protocol, response code, SMTP reply code, enhanced code, text, kind, row)
AUTH_CASES: list[tuple[str, str | None, int | None, str | None, str, AuthFailureKind, str | None]] = [
    # ---- Dovecot 2.3 (lab notes 1.2, 1.4)
    (
        "imap",
        "AUTHENTICATIONFAILED",
        None,
        None,
        "Authentication failed.",
        A.WRONG_CREDENTIALS,
        "imap-authenticationfailed",
    ),
    ("pop3", "AUTH", None, None, "Authentication failed.", A.WRONG_CREDENTIALS, "pop3-auth"),
    (
        "imap",
        "UNAVAILABLE",
        None,
        None,
        "Temporary authentication failure. [vm:2026-11-24 19:46:36]",
        A.TEMPORARY,
        "temporary-words",
    ),
    (
        "imap",
        "LIMIT",
        None,
        None,
        "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=3)",
        A.TOO_MANY_CONNECTIONS,
        "too-many-connections-words",
    ),
    (
        "pop3",
        "IN-USE",
        None,
        None,
        "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=3)",
        A.TOO_MANY_CONNECTIONS,
        "too-many-connections-words",
    ),
    (
        "imap",
        "PRIVACYREQUIRED",
        None,
        None,
        "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
        A.PLAINTEXT_REFUSED,
        "imap-privacyrequired",
    ),
    (
        "imap",
        "PRIVACYREQUIRED",
        None,
        None,
        "Plaintext authentication disabled.",
        A.PLAINTEXT_REFUSED,
        "imap-privacyrequired",
    ),
    (
        "pop3",
        "AUTH",
        None,
        None,
        "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
        A.PLAINTEXT_REFUSED,
        "plaintext-refused-words",
    ),
    ("pop3", "SYS/TEMP", None, None, "Temporary authentication failure.", A.TEMPORARY, "temporary-words"),
    # ---- Postfix 3.7 and aiosmtpd (2.1, 2.2)
    (
        "smtp",
        None,
        535,
        "5.7.8",
        "5.7.8 Error: authentication failed: (reason unavailable)",
        A.WRONG_CREDENTIALS,
        "smtp-535",
    ),
    ("smtp", None, 535, "5.7.8", "5.7.8 Authentication credentials invalid", A.WRONG_CREDENTIALS, "smtp-535"),
    (
        "smtp",
        None,
        530,
        "5.7.0",
        "5.7.0 Must issue a STARTTLS command first",
        A.PLAINTEXT_REFUSED,
        "plaintext-refused-words",
    ),
    (
        "smtp",
        None,
        530,
        None,
        "Must issue a STARTTLS command first",
        A.PLAINTEXT_REFUSED,
        "plaintext-refused-words",
    ),
    # ---- Google
    (
        "smtp",
        None,
        534,
        "5.7.9",
        "5.7.9 Application-specific password required. Learn more at\n"
        "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor z8-20020a1709 - gsmtp",
        A.APP_PASSWORD_OR_SIGN_IN,
        "google-app-password-required",
    ),
    (
        "imap",
        "ALERT",
        None,
        None,
        "Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)",
        A.APP_PASSWORD_OR_SIGN_IN,
        "google-app-password-required",
    ),
    (
        "smtp",
        None,
        534,
        "5.7.14",
        "5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1>\n"
        "5.7.14 Please log in via your web browser and\n5.7.14 then try again.",
        A.APP_PASSWORD_REQUIRED,
        "web-login-required",
    ),
    ("imap", "WEBALERT", None, None, "Web login required.", A.APP_PASSWORD_REQUIRED, "web-login-required"),
    ("imap", "WEBALERT", None, None, "", A.APP_PASSWORD_REQUIRED, "imap-webalert"),
    (
        "smtp",
        None,
        534,
        "5.7.14",
        "5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1>",
        A.APP_PASSWORD_REQUIRED,
        "smtp-5.7.14",
    ),
    (
        "smtp",
        None,
        535,
        "5.7.8",
        "5.7.8 Username and Password not accepted. Learn more at\n"
        "5.7.8  https://support.google.com/mail/?p=BadCredentials c4-c35345.73 - gsmtp",
        A.WRONG_CREDENTIALS,
        "smtp-535",
    ),
    (
        "imap",
        "AUTHENTICATIONFAILED",
        None,
        None,
        "Invalid credentials (Failure)",
        A.WRONG_CREDENTIALS,
        "imap-authenticationfailed",
    ),
    (
        "smtp",
        None,
        454,
        "4.7.0",
        "4.7.0 Too many login attempts, please try again later. e13sm15101671pgf.48 - gsmtp",
        A.ACCOUNT_LOCKED,
        "account-locked-words",
    ),
    (
        "imap",
        "ALERT",
        None,
        None,
        "Too many simultaneous connections. (Failure)",
        A.TOO_MANY_CONNECTIONS,
        "too-many-connections-words",
    ),
    # ---- Microsoft
    (
        "smtp",
        None,
        535,
        "5.7.139",
        "5.7.139 Authentication unsuccessful, basic authentication is disabled.",
        A.MODERN_AUTH_REQUIRED,
        "basic-auth-disabled",
    ),
    (
        "smtp",
        None,
        535,
        "5.7.139",
        "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
        A.MODERN_AUTH_REQUIRED,
        "basic-auth-disabled",
    ),
    (
        "smtp",
        None,
        535,
        "5.7.139",
        "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults"
        " policy.",
        A.MODERN_AUTH_REQUIRED,
        "basic-auth-disabled",
    ),
    (
        "smtp",
        None,
        535,
        "5.7.139",
        "5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated"
        " successfully.",
        A.MODERN_AUTH_REQUIRED,
        "basic-auth-disabled",
    ),
    (
        "imap",
        None,
        None,
        None,
        "Basic authentication is disabled.",
        A.MODERN_AUTH_REQUIRED,
        "basic-auth-disabled",
    ),
    (
        "pop3",
        None,
        None,
        None,
        "Logon failure: LogonDenied-BasicAuthBlocked",
        A.MODERN_AUTH_REQUIRED,
        "basic-auth-disabled",
    ),
    ("imap", None, None, None, "LOGIN failed.", A.WRONG_CREDENTIALS, "credentials-words"),
    ("imap", None, None, None, "AUTHENTICATE failed.", A.WRONG_CREDENTIALS, "credentials-words"),
    ("smtp", None, 535, "5.7.3", "5.7.3 Authentication unsuccessful", A.WRONG_CREDENTIALS, "smtp-535"),
    # ---- Yahoo / AOL and generic wording
    (
        "imap",
        "AUTHENTICATIONFAILED",
        None,
        None,
        "LOGIN Invalid credentials",
        A.WRONG_CREDENTIALS,
        "imap-authenticationfailed",
    ),
    (
        "smtp",
        None,
        535,
        "5.7.0",
        "5.7.0 (#AUTH005) Too many bad auth attempts.",
        A.ACCOUNT_LOCKED,
        "account-locked-words",
    ),
    (
        "imap",
        None,
        None,
        None,
        "Please generate an app password for this app",
        A.APP_PASSWORD_REQUIRED,
        "app-password-words",
    ),
    ("imap", "ALERT", None, None, "Account locked", A.ACCOUNT_LOCKED, "account-locked-words"),
    ("pop3", None, None, None, "Your account has been locked", A.ACCOUNT_LOCKED, "account-locked-words"),
    (
        "pop3",
        None,
        None,
        None,
        "too many login failures, try again in an hour",
        A.ACCOUNT_LOCKED,
        "account-locked-words",
    ),
    ("imap", None, None, None, "Account is suspended", A.ACCOUNT_LOCKED, "account-locked-words"),
    ("pop3", None, None, None, "-ERR Authentication failed", A.WRONG_CREDENTIALS, "credentials-words"),
    ("smtp", None, 535, None, "Incorrect authentication data", A.WRONG_CREDENTIALS, "smtp-535"),
    # ---- the RFC codes without telling words
    ("imap", "LIMIT", None, None, "Limit reached", A.TOO_MANY_CONNECTIONS, "imap-limit"),
    (
        "pop3",
        "IN-USE",
        None,
        None,
        "Mailbox in use by another session",
        A.TOO_MANY_CONNECTIONS,
        "pop3-in-use",
    ),
    ("smtp", None, 538, None, "Nope", A.PLAINTEXT_REFUSED, "smtp-encryption-required"),
    (
        "smtp",
        None,
        538,
        "5.7.11",
        "5.7.11 Encryption required for requested authentication mechanism",
        A.PLAINTEXT_REFUSED,
        "plaintext-refused-words",
    ),
    ("smtp", None, 554, "5.7.11", "5.7.11 TLS first", A.PLAINTEXT_REFUSED, "smtp-5.7.11"),
    (
        "smtp",
        None,
        534,
        "5.7.9",
        "5.7.9 Authentication mechanism is too weak",
        A.APP_PASSWORD_REQUIRED,
        "smtp-mechanism-too-weak",
    ),
    ("smtp", None, 525, "5.7.13", "5.7.13 User account disabled", A.ACCOUNT_LOCKED, "account-locked-words"),
    ("smtp", None, 525, "5.7.13", "5.7.13 Access denied", A.ACCOUNT_LOCKED, "smtp-account-disabled"),
    ("imap", "EXPIRED", None, None, "Password expired", A.ACCOUNT_LOCKED, "imap-expired-or-contactadmin"),
    (
        "imap",
        "CONTACTADMIN",
        None,
        None,
        "Contact your administrator",
        A.ACCOUNT_LOCKED,
        "imap-expired-or-contactadmin",
    ),
    ("imap", "UNAVAILABLE", None, None, "Server busy", A.TEMPORARY, "imap-unavailable"),
    ("pop3", "SYS/TEMP", None, None, "Disk error", A.TEMPORARY, "pop3-sys-temp"),
    ("pop3", "LOGIN-DELAY", None, None, "wait 300 seconds", A.TEMPORARY, "pop3-sys-temp"),
    ("smtp", None, 454, "4.7.0", "4.7.0 Temporary authentication failure", A.TEMPORARY, "temporary-words"),
    ("smtp", None, 421, "4.3.2", "4.3.2 Service shutting down", A.TEMPORARY, "smtp-transient"),
    (
        "imap",
        "AUTHORIZATIONFAILED",
        None,
        None,
        "no such authorization",
        A.WRONG_CREDENTIALS,
        "imap-authenticationfailed",
    ),
    # ---- nothing to go on
    ("pop3", "SYS/PERM", None, None, "Your mailbox is corrupt", A.UNKNOWN, None),
    ("imap", None, None, None, "Something odd happened", A.UNKNOWN, None),
    ("imap", "ALERT", None, None, "Read this", A.UNKNOWN, None),
    ("smtp", None, 550, "5.0.0", "5.0.0 nope", A.UNKNOWN, None),
    ("smtp", None, None, None, "", A.UNKNOWN, None),
    # codes only count for their own protocol
    ("smtp", "LIMIT", None, None, "", A.UNKNOWN, None),
    ("imap", None, 535, None, "", A.UNKNOWN, None),
]


@pytest.mark.parametrize(
    ("protocol", "code", "reply_code", "enhanced", "text", "kind", "rule"),
    AUTH_CASES,
    ids=[f"{case[0]}-{case[6]}-{index}" for index, case in enumerate(AUTH_CASES)],
)
def test_auth_failures(
    protocol: str,
    code: str | None,
    reply_code: int | None,
    enhanced: str | None,
    text: str,
    kind: AuthFailureKind,
    rule: str | None,
) -> None:
    explained = explain_auth_failure(protocol, code, reply_code, enhanced, text)
    assert (explained.kind, explained.rule) == (kind, rule)
    assert classify_auth_failure(protocol, code, reply_code, enhanced, text) == kind
    assert bool(explained.evidence) == (rule is not None)


def test_every_auth_row_is_reached_by_a_recorded_text() -> None:
    assert {row.rule for row in AUTH_FAILURE_RULES} == {case[6] for case in AUTH_CASES} - {None}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("smtp", None, 534, "5.7.9", "5.7.9 Application-specific password required. Learn more at"),
            Classification(
                A.APP_PASSWORD_OR_SIGN_IN,
                "google-app-password-required",
                "Application-specific password required",
            ),
        ),
        (
            ("imap", "LIMIT", None, None, "Limit reached"),
            Classification(A.TOO_MANY_CONNECTIONS, "imap-limit", "[LIMIT]"),
        ),
        (
            ("imap", "[limit]", None, None, "x"),  # brackets and case do not matter
            Classification(A.TOO_MANY_CONNECTIONS, "imap-limit", "[LIMIT]"),
        ),
        (
            ("smtp", None, 535, "5.7.8", "5.7.8 Error: authentication failed: (reason unavailable)"),
            Classification(A.WRONG_CREDENTIALS, "smtp-535", "535 5.7.8"),
        ),
        (
            (
                "smtp",
                None,
                534,
                "5.7.14",
                "5.7.14 Please log in via your web\n5.7.14 browser and then try again.",
            ),
            Classification(A.APP_PASSWORD_REQUIRED, "web-login-required", "log in via your web browser"),
        ),
    ],
)
def test_the_evidence_is_what_matched(
    args: tuple[str, str | None, int | None, str | None, str], expected: Classification[AuthFailureKind]
) -> None:
    assert explain_auth_failure(*args) == expected


def test_a_framed_google_reply_classifies() -> None:
    reader = SmtpReplyReader()
    reader.feed(
        b"534-5.7.9 Application-specific password required. Learn more at\r\n"
        b"534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor z8 - gsmtp\r\n"
    )
    reply = reader.next_reply()
    assert reply is not None
    kind = classify_auth_failure(Protocol.SMTP, None, reply.code, reply.enhanced, reply.text)
    assert kind == AuthFailureKind.APP_PASSWORD_OR_SIGN_IN


def test_protocol_must_be_known() -> None:
    with pytest.raises(ValueError):
        classify_auth_failure("nntp", None, None, None, "")


# (stage, reply code, enhanced, text, kind, row)
RAR = "recipient-address-rejected"
SMTP_CASES: list[tuple[str, int | None, str | None, str, SmtpRejectionKind, str | None]] = [
    # ---- Postfix 3.7 (lab notes 2.1)
    (
        "rcpt",
        554,
        "5.7.1",
        "5.7.1 <localhost[127.0.0.1]>: Client host rejected: Access denied",
        S.AUTH_REQUIRED,
        "client-host-rejected",
    ),
    ("rcpt", 554, "5.7.1", "5.7.1 <victim@else.test>: Relay access denied", S.AUTH_REQUIRED, "relay-denied"),
    ("rcpt", 454, "4.7.1", "4.7.1 <victim@else.test>: Relay access denied", S.AUTH_REQUIRED, "relay-denied"),
    (
        "mail",
        553,
        "5.7.1",
        "5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice",
        S.SENDER_REJECTED,
        "send-as-denied",
    ),
    (
        "rcpt",
        550,
        "5.1.1",
        "5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual mailbox table",
        S.RECIPIENT_REJECTED,
        "recipient-address-status",
    ),
    (
        "rcpt",
        552,
        "5.2.2",
        "5.2.2 <full@example.test>: Recipient address rejected: Mailbox is full",
        S.MAILBOX_FULL,
        "mailbox-full-enhanced",
    ),
    (
        "mail",
        530,
        "5.7.0",
        "5.7.0 Must issue a STARTTLS command first",
        S.ENCRYPTION_REQUIRED,
        "encryption-required",
    ),
    ("mail", 530, None, "Must issue a STARTTLS command first", S.ENCRYPTION_REQUIRED, "encryption-required"),
    (
        "rcpt",
        550,
        "5.1.1",
        "5.1.1 <bob@example.test> User doesn't exist: bob@example.test",
        S.RECIPIENT_REJECTED,
        "recipient-address-status",
    ),
    (
        "rcpt",
        450,
        "4.7.1",
        "4.7.1 <bob@example.test>: Recipient address rejected: Greylisted, see http://postgrey.example/",
        S.TEMPORARY,
        "transient",
    ),
    (
        "mail",
        450,
        "4.1.8",
        "4.1.8 <a@nowhere.invalid>: Sender address rejected: Domain not found",
        S.TEMPORARY,
        "transient",
    ),
    (
        "mail",
        550,
        "5.1.8",
        "5.1.8 <a@nowhere.invalid>: Sender address rejected: Domain not found",
        S.SENDER_REJECTED,
        "sender-words",
    ),
    # ---- other servers
    ("mail", 530, "5.7.0", "5.7.0 Authentication required", S.AUTH_REQUIRED, "authentication-required-words"),
    (
        "mail",
        530,
        "5.5.1",
        "5.5.1 Authentication Required. Learn more at",
        S.AUTH_REQUIRED,
        "authentication-required-words",
    ),
    (
        "mail",
        530,
        "5.7.57",
        "5.7.57 Client not authenticated to send mail. [AM0PR01CA0001.eurprd01.prod.outlook.com]",
        S.AUTH_REQUIRED,
        "authentication-required-words",
    ),
    ("mail", 530, None, "Access denied", S.AUTH_REQUIRED, "authentication-required-codes"),
    ("mail", 550, "5.7.57", "5.7.57 SMTP; denied", S.AUTH_REQUIRED, "authentication-required-enhanced"),
    ("rcpt", 550, "5.7.1", "5.7.1 Unable to relay", S.AUTH_REQUIRED, "relay-denied"),
    (
        "rcpt",
        550,
        "5.7.54",
        "5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
        S.AUTH_REQUIRED,
        "relay-denied",
    ),
    ("rcpt", 550, "5.7.1", "5.7.1 <x@else.test>... Relaying denied", S.AUTH_REQUIRED, "relay-denied"),
    ("rcpt", 550, None, "relay not permitted", S.AUTH_REQUIRED, "relay-denied"),
    (
        "mail",
        550,
        "5.7.60",
        "5.7.60 SMTP; Client does not have permissions to send as this sender",
        S.SENDER_REJECTED,
        "send-as-denied",
    ),
    ("mail", 550, "5.7.60", "5.7.60 denied", S.SENDER_REJECTED, "send-as-denied-enhanced"),
    ("mail", 553, "5.1.7", "5.1.7 bad syntax", S.SENDER_REJECTED, "sender-enhanced"),
    ("mail", 550, "5.1.0", "5.1.0 no", S.SENDER_REJECTED, "sender-address-status"),
    (
        "rcpt",
        550,
        "5.1.10",
        "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        S.RECIPIENT_REJECTED,
        "recipient-address-status",
    ),
    (
        "rcpt",
        550,
        None,
        "Requested action not taken: mailbox unavailable",
        S.RECIPIENT_REJECTED,
        "recipient-words",
    ),
    (
        "rcpt",
        452,
        "4.2.2",
        "4.2.2 The email account that you tried to reach is over quota.",
        S.MAILBOX_FULL,
        "mailbox-full-enhanced",
    ),
    ("rcpt", 552, None, "Quota exceeded (mailbox for user is full)", S.MAILBOX_FULL, "mailbox-full-words"),
    ("rcpt", 451, "4.3.0", "4.3.0 Temporary lookup failure", S.TEMPORARY, "transient"),
    ("rcpt", 550, "5.7.1", "5.7.1 Message rejected as spam", S.MESSAGE_REFUSED, "spam-words"),
    ("mail", 552, "5.3.4", "5.3.4 Message size exceeds fixed limit", S.MESSAGE_TOO_LARGE, "too-large-words"),
    ("rcpt", 550, "5.7.0", "5.7.0 Recipient address rejected: Spam", S.MESSAGE_REFUSED, "spam-words"),
    ("rcpt", 554, "5.7.1", "5.7.1 Recipient address rejected: Access denied", S.RECIPIENT_REJECTED, RAR),
    ("rcpt", 550, "5.7.1", "5.7.1 Message refused", S.OTHER, None),
    ("rcpt", None, None, "", S.OTHER, None),
]


@pytest.mark.parametrize(
    ("stage", "code", "enhanced", "text", "kind", "rule"),
    SMTP_CASES,
    ids=[f"{case[0]}-{case[5]}-{index}" for index, case in enumerate(SMTP_CASES)],
)
def test_smtp_rejections(
    stage: str, code: int | None, enhanced: str | None, text: str, kind: SmtpRejectionKind, rule: str | None
) -> None:
    explained = explain_smtp_rejection(stage, code, enhanced, text)
    assert (explained.kind, explained.rule) == (kind, rule)
    assert classify_smtp_rejection(stage, code, enhanced, text) == kind
    assert bool(explained.evidence) == (rule is not None)


def test_every_smtp_row_is_reached_by_a_recorded_text() -> None:
    recorded = {case[5] for case in SMTP_CASES} - {None}
    rows = {row.rule for row in SMTP_REJECTION_RULES}
    assert recorded <= rows
    # the general wordings of returned mail (rows with their own reason, read after `transient`) are
    # reached by their examples in tests/unit/test_rules_replies.py
    assert all(row.reason is not None for row in SMTP_REJECTION_RULES if row.rule not in recorded)


def test_the_stage_changes_what_an_address_status_means() -> None:
    assert classify_smtp_rejection("mail", 550, "5.1.1", "5.1.1 no") == S.SENDER_REJECTED
    assert classify_smtp_rejection("rcpt", 550, "5.1.1", "5.1.1 no") == S.RECIPIENT_REJECTED


def test_stage_must_be_known() -> None:
    with pytest.raises(ValueError):
        classify_smtp_rejection("data", 554, None, "")


def test_auth_rows_are_named_once_say_where_their_words_come_from_and_test_something() -> None:
    names = [row.rule for row in AUTH_FAILURE_RULES]
    assert len(names) == len(set(names))
    for row in AUTH_FAILURE_RULES:
        assert row.source
        assert row.codes or row.reply_codes or row.reply_class or row.enhanced or row.words


def test_smtp_rows_are_named_once_say_where_their_words_come_from_and_test_something() -> None:
    names = [row.rule for row in SMTP_REJECTION_RULES]
    assert len(names) == len(set(names))
    for row in SMTP_REJECTION_RULES:
        assert row.source
        assert row.reply_codes or row.reply_class or row.enhanced or row.words
