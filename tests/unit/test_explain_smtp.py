"""SMTP reply knowledge: the shipped data, reply parsing, meanings and classification."""

from __future__ import annotations

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain.smtp import (
    Confirmation,
    MatchBasis,
    SmtpDataError,
    SmtpReply,
    StatusClass,
    classify_reply,
    find_replies,
    load_rejections,
    load_status_table,
    match_rejection,
    parse_rejections,
    parse_status_table,
    reply_meaning,
    status_meaning,
)
from maildoctor.i18n import get_translator

# RFC 3463 section 3, written out from the RFC (not from the data file).
RFC3463_DETAILS = (
    "X.0.0",
    *(f"X.1.{n}" for n in range(9)),  # X.1.0 - X.1.8
    *(f"X.2.{n}" for n in range(5)),  # X.2.0 - X.2.4
    *(f"X.3.{n}" for n in range(6)),  # X.3.0 - X.3.5
    *(f"X.4.{n}" for n in range(8)),  # X.4.0 - X.4.7
    *(f"X.5.{n}" for n in range(6)),  # X.5.0 - X.5.5
    *(f"X.6.{n}" for n in range(6)),  # X.6.0 - X.6.5
    *(f"X.7.{n}" for n in range(8)),  # X.7.0 - X.7.7
)
# Later registrations the brief names: RFC 3886, 4468, 4954, 5248, 6531, 6710, 7293, 7372, 7505.
LATER_DETAILS = (
    "X.1.9",
    "X.1.10",
    "X.3.6",
    "X.5.6",
    "X.6.6",
    "X.6.7",
    "X.6.8",
    "X.6.9",
    *(f"X.7.{n}" for n in range(8, 31)),
)
RFC5321_REPLIES = (
    *("211", "214", "220", "221", "250", "251", "252", "354"),
    *("421", "450", "451", "452", "455"),
    *("500", "501", "502", "503", "504", "550", "551", "552", "553", "554", "555"),
)


# --- the shipped data ---------------------------------------------------------------------------


def test_status_table_loads_and_covers_rfc3463() -> None:
    table = load_status_table()
    assert len(RFC3463_DETAILS) == 49
    missing = [code for code in (*RFC3463_DETAILS, *LATER_DETAILS) if code not in table.details]
    assert missing == []
    assert set(table.subjects) == set(range(8))
    assert set(table.classes) == set(StatusClass)
    assert [code for code in RFC5321_REPLIES if code not in table.replies] == []


JA = get_translator("ja")


def test_every_entry_has_a_source_and_japanese() -> None:
    table = load_status_table()
    described = [*table.classes.values(), *table.subjects.values(), *table.details.values()]
    described += list(table.replies.values())
    for entry in described:
        assert entry.source.startswith("http"), entry
        assert entry.meaning.strip() and JA.gettext(entry.meaning) != entry.meaning, entry
    for rejection in load_rejections():
        assert rejection.source.startswith("http"), rejection.id
        assert rejection.causes, rejection.id
        for text in (rejection.meaning, rejection.action):  # English message ids, translated in the catalog
            assert text and JA.gettext(text) != text, rejection.id


def test_rejections_cover_the_providers_of_the_brief() -> None:
    providers = {entry.provider for entry in load_rejections()}
    for provider in ("gmail", "microsoft365", "yahoo", "icloud", "docomo"):  # provider ids (data/providers)
        assert provider in providers
    ids = {entry.id for entry in load_rejections()}
    assert {
        "google-dmarc-unauthenticated",
        "microsoft-basic-auth-disabled",
        "yahoo-deferred-complaints",
    } <= ids
    confirmed = {entry.confirmed for entry in load_rejections()}
    assert confirmed == {Confirmation.STORED_PAGE, Confirmation.RECALLED}


# --- finding replies ------------------------------------------------------------------------------


def test_gmail_multi_line_reply_is_one_reply() -> None:
    text = (
        "550-5.7.26 Unauthenticated email from example.jp is not accepted due to\r\n"
        "550-5.7.26 domain's DMARC policy. Please contact the administrator of\r\n"
        "550 5.7.26 example.jp domain if this was a legitimate mail. - gsmtp\r\n"
    )
    (reply,) = find_replies(text)
    assert reply.code == "550" and reply.status == "5.7.26"
    assert "not accepted due to domain's DMARC policy" in reply.text
    assert "550" not in reply.text


def test_rewrapped_continuation_lines_and_folding_are_joined() -> None:
    text = (
        "<user@gmail.com>: host gmail-smtp-in.l.google.com[66.102.1.27]\n"
        "    said: 550-5.7.1 [192.0.2.1 1] Our system has detected an unusual\n"
        "    rate of 550-5.7.1 unsolicited mail originating from your IP address. To\n"
        "    protect our users. Please visit to review our 550\n"
        "    5.7.1 Bulk Email Senders Guidelines. - gsmtp (in reply\n"
        "    to end of DATA command)\n"
        "Status: 5.7.1\n"
    )
    (reply,) = find_replies(text)
    assert reply == SmtpReply(
        "550",
        "5.7.1",
        "[192.0.2.1 1] Our system has detected an unusual rate of unsolicited mail originating from"
        " your IP address. To protect our users. Please visit to review our Bulk Email Senders"
        " Guidelines. - gsmtp (in reply to end of DATA command)",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("５５０　５．１．１　ユーザーが存在しません", SmtpReply("550", "5.1.1", "ユーザーが存在しません")),
        (
            "Diagnostic-Code: smtp; 550 5.1.1 <x@example.jp>: Recipient address rejected: User unknown",
            SmtpReply("550", "5.1.1", "<x@example.jp>: Recipient address rejected: User unknown"),
        ),
        (
            "Sorry, no mailbox here by that name. (#5.1.1)",
            SmtpReply(None, "5.1.1", "Sorry, no mailbox here by that name."),
        ),
        ("reason: 550 Unknown user x@docomo.ne.jp", SmtpReply("550", None, "Unknown user x@docomo.ne.jp")),
        (
            "535 #5.7.8 Error: authentication failed",
            SmtpReply("535", "5.7.8", "Error: authentication failed"),
        ),
        ("421－4.7.0 Try again later", SmtpReply("421", "4.7.0", "Try again later")),
    ],
)
def test_reply_forms(text: str, expected: SmtpReply) -> None:
    assert find_replies(text) == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "I sent 250 messages yesterday",
        "connect to 203.138.180.240:25 at 08:15:15",
        "Remote server 4.16.55.1 and TLSv1.2",
        "",
    ],
)
def test_no_reply_in_ordinary_text(text: str) -> None:
    assert find_replies(text) == ()


def test_status_header_is_dropped_when_a_reply_carries_it() -> None:
    text = "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\nStatus: 4.4.7\n"
    assert [(reply.code, reply.status) for reply in find_replies(text)] == [("550", "5.1.1"), (None, "4.4.7")]


# --- meanings -----------------------------------------------------------------------------------


def test_status_meaning_detail_and_fallback() -> None:
    known = status_meaning("5.7.26")
    assert known is not None and known.detail is not None
    assert known.detail.name_en == "Multiple authentication checks failed"
    assert known.causes[0] is CauseCode.DMARC_FAIL
    unknown = status_meaning("5.7.999")
    assert unknown is not None and unknown.detail is None
    assert unknown.subject.name == "Security or policy"
    assert unknown.status_class.code is StatusClass.PERMANENT
    assert unknown.summary_en == "Permanent failure: Security or policy"
    full_width = status_meaning("４．２．２")
    assert full_width is not None and full_width.detail is not None and full_width.detail.code == "X.2.2"
    assert status_meaning("5.8.1") is None
    assert status_meaning("hello") is None


def test_reply_meaning() -> None:
    entry = reply_meaning("554")
    assert entry is not None and entry.name_en == "Transaction failed"
    assert reply_meaning("599") is None


# --- provider texts and classification --------------------------------------------------------------


def test_match_rejection_spans_wrapped_lines_and_ranks_specific_first() -> None:
    text = (
        "550-5.7.26 Unauthenticated email from example.jp is not accepted due to\n"
        "550-5.7.26 domain's DMARC policy."
    )
    matches = match_rejection(text)
    assert matches[0].entry.id == "google-dmarc-unauthenticated"
    assert matches[0].basis is MatchBasis.PATTERN
    docomo = match_rejection("550 Unknown user someone@docomo.ne.jp")
    assert [match.entry.id for match in docomo][:2] == ["docomo-unknown-user", "generic-user-unknown"]
    assert match_rejection("550 Unknown user someone@example.jp")[0].entry.id == "generic-user-unknown"
    assert match_rejection("nothing to see here") == ()


def test_provider_specific_status_matches_without_text() -> None:
    (match,) = match_rejection("550 5.7.708")
    assert match.entry.id == "microsoft-ip-not-accepted" and match.basis is MatchBasis.STATUS
    assert match_rejection("", status="5.7.620")[0].entry.id == "microsoft-banned-ip"


@pytest.mark.parametrize(
    ("code", "status", "text", "first"),
    [
        (
            "535",
            "5.7.139",
            "Authentication unsuccessful, basic authentication is disabled.",
            CauseCode.MODERN_AUTH_REQUIRED,
        ),
        ("535", "5.7.139", "Authentication unsuccessful, the request did not meet the criteria", None),
        (
            "535",
            "5.7.139",
            "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
            "Visit https://aka.ms/smtp_auth_disabled for more information.",
            CauseCode.MODERN_AUTH_REQUIRED,
        ),
        (
            "550",
            "5.7.30",
            "Basic authentication is not supported for Client Submission.",
            CauseCode.MODERN_AUTH_REQUIRED,
        ),
        (
            "550",
            "5.1.1",
            "The email account that you tried to reach does not exist.",
            CauseCode.RECIPIENT_REJECTED,
        ),
        ("550", "5.1.1", "", CauseCode.RECIPIENT_REJECTED),
        ("552", "5.2.2", "Requested mail action aborted: mailbox full", CauseCode.RECIPIENT_MAILBOX_FULL),
        ("550", "5.7.26", "", CauseCode.DMARC_FAIL),
        ("550", "5.7.1", "<a@example.org>: Relay access denied", CauseCode.SMTP_AUTH_REQUIRED),
        ("534", "5.7.9", "Application-specific password required.", CauseCode.APP_PASSWORD_REQUIRED),
        ("550", "5.7.25", "", CauseCode.REVERSE_DNS_MISSING),
        ("554", "5.3.4", "", CauseCode.MESSAGE_TOO_LARGE),
    ],
)
def test_classify_reply(code: str, status: str, text: str, first: CauseCode | None) -> None:
    causes = classify_reply(code, status, text)
    assert causes, (code, status, text)
    assert len(set(causes)) == len(causes)
    if first is None:  # 5.7.139: any of the SMTP login causes, never a generic refusal first
        assert causes[0] in {
            CauseCode.AUTH_FAILED,
            CauseCode.MODERN_AUTH_REQUIRED,
            CauseCode.APP_PASSWORD_REQUIRED,
            CauseCode.AUTH_MECHANISM_MISMATCH,
            CauseCode.SMTP_AUTH_REQUIRED,
        }
    else:
        assert causes[0] is first


def test_classify_reply_order_and_fallbacks() -> None:
    # a provider pattern comes before the status detail, the detail before the reply code
    causes = classify_reply("550", "5.7.1", "Relay access denied")
    assert causes.index(CauseCode.SMTP_AUTH_REQUIRED) < causes.index(CauseCode.MESSAGE_REFUSED)
    assert causes[-1] is CauseCode.RECIPIENT_REJECTED  # from the reply code 550
    # unknown detail: the class-subject's causes
    assert classify_reply(None, "5.2.99", "")[0] is CauseCode.RECIPIENT_MAILBOX_FULL
    # codes taken from the text when not given
    assert classify_reply(None, None, "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound")[0] is (
        CauseCode.RECIPIENT_REJECTED
    )
    # nothing known, and success, give no cause
    assert classify_reply(None, None, "hello") == ()
    assert classify_reply("250", "2.0.0", "OK") == ()
    assert classify_reply(None, "5.0.0", "") == ()


# --- the loaders refuse broken data ---------------------------------------------------------------

GOOD_REJECTION = """
[[rejection]]
id = "x-one"
provider = "generic"
reply_code = "550"
status = "5.1.1"
patterns = ["no such user here"]
causes = ["RECIPIENT_REJECTED"]
meaning = "m"
action = "a"
source = "https://example.org/"
confirmed = "recalled"
"""


def test_parse_rejections_accepts_a_good_entry() -> None:
    (entry,) = parse_rejections(GOOD_REJECTION)
    assert entry.id == "x-one" and entry.causes == (CauseCode.RECIPIENT_REJECTED,)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('causes = ["RECIPIENT_REJECTED"]', 'causes = ["NO_SUCH_CAUSE"]', "x-one: unknown cause code"),
        ('causes = ["RECIPIENT_REJECTED"]', "causes = []", "x-one: causes must be a non-empty list"),
        ('provider = "generic"', 'provider = "aol"', "x-one: unknown provider"),
        ('source = "https://example.org/"\n', "", "x-one: missing keys source"),
        ('confirmed = "recalled"', 'confirmed = "sure"', "x-one: unknown confirmed"),
        (
            'patterns = ["no such user here"]',
            'patterns = ["550 5.1.1 no such user"]',
            "holds a reply or status",
        ),
        ('patterns = ["no such user here"]', 'patterns = ["ab"]', "too short"),
        ('patterns = ["no such user here"]', "patterns = []", "needs at least one pattern"),
        ('status = "5.1.1"', 'status = "5.1"', "must look like 5.7.26"),
        ('reply_code = "550"', 'reply_code = "650"', "reply_code must be three digits"),
        ('id = "x-one"', 'id = "X One"', "id must be lower-case"),
        ('meaning = "m"', 'meaning = ""', "x-one: meaning must be"),
        ('action = "a"', 'action = "a"\ncolour = "red"', "x-one: unknown keys colour"),
    ],
)
def test_parse_rejections_rejects_broken_entries(old: str, new: str, message: str) -> None:
    assert old in GOOD_REJECTION
    with pytest.raises(SmtpDataError, match=message):
        parse_rejections(GOOD_REJECTION.replace(old, new))


def test_parse_rejections_rejects_duplicates_and_bad_toml() -> None:
    with pytest.raises(SmtpDataError, match="x-one: id used twice"):
        parse_rejections(GOOD_REJECTION + GOOD_REJECTION)
    with pytest.raises(SmtpDataError, match="not valid TOML"):
        parse_rejections("[[rejection]\n")


def _status_document() -> str:
    from importlib import resources

    return resources.files("maildoctor").joinpath("data", "smtp_status.toml").read_text("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "X.7.26"', 'code = "X.7.26"\nextra = 1', "detail X.7.26: unknown keys extra"),
        ('code = "X.7.26"', 'code = "X.9.26"', "detail X.9.26: subject 9 is not described"),
        ('code = "X.7.26"', 'code = "X.07.26"', "detail X.07.26: code must look like"),
        ('code = "X.7.25"', 'code = "X.7.26"', "detail X.7.26: listed twice"),
        ('causes = ["REVERSE_DNS_MISSING"]', 'causes = ["PTR"]', "detail X.7.25: unknown cause code"),
        ('code = "556"', 'code = "6.0"', "reply 6.0: code must be three digits"),
    ],
)
def test_parse_status_table_rejects_broken_entries(old: str, new: str, message: str) -> None:
    document = _status_document()
    assert old in document
    parse_status_table(document)  # the original is fine
    with pytest.raises(SmtpDataError, match=message):
        parse_status_table(document.replace(old, new, 1))


def test_parse_status_table_needs_every_subject() -> None:
    document = _status_document().replace('[[subject]]\ncode = "7"', '[[subject]]\ncode = "6"', 1)
    with pytest.raises(SmtpDataError, match="subject 6: listed twice"):
        parse_status_table(document)
