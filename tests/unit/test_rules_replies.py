"""The one reply classifier (rules/replies.py, data/replies.toml): strict loading, and one meaning for
`check` and `explain`.

The consistency test reads every example reply of the data through both paths, as each really runs:
`check` gets the reply from the protocol readers and the probes' own ServerWords (rules/auth.py,
rules/smtp.py), `explain` gets it pasted as text (explain/reply.py, ranked as the command ranks it).
"""

from __future__ import annotations

import configparser
import io
import re
from importlib import resources
from pathlib import Path

import pytest

from maildoctor.causes import CauseCode
from maildoctor.explain.rank import ranked_causes
from maildoctor.explain.reply import explain_reply
from maildoctor.explain.smtp import load_rejections
from maildoctor.facts import ServerWords
from maildoctor.i18n import get_translator
from maildoctor.i18n_data import extract_toml
from maildoctor.model import Protocol
from maildoctor.probes.sessions import _pop3_text, _tagged_text, _words
from maildoctor.protocol import imap, pop3, smtp
from maildoctor.protocol.lines import safe_text
from maildoctor.rules.auth import login_cause
from maildoctor.rules.replies import (
    ReplyDataError,
    ReplyRule,
    Step,
    classify_reply,
    load_replies,
    parse_replies,
    provider_ids,
)
from maildoctor.rules.smtp import sending_cause

TABLE = load_replies()
RULES = TABLE.rules
EXAMPLES = [(row, example) for row in RULES for example in row.examples]


def _data() -> str:
    return resources.files("maildoctor").joinpath("data", "replies.toml").read_text("utf-8")


# ------------------------------------------------------------ the example's words, as check reads them


def _protocol(example: str) -> Protocol:
    if example.startswith("-ERR"):
        return Protocol.POP3
    if re.match(r"[245][0-9]{2}[ -]", example):
        return Protocol.SMTP
    return Protocol.IMAP


def check_words(example: str) -> tuple[Protocol, ServerWords]:
    """The ServerWords the probes make of this reply (probes/sessions.py), read by the real readers."""
    protocol = _protocol(example)
    wire = example.replace("\n", "\r\n").encode() + b"\r\n"
    if protocol == Protocol.SMTP:
        reader = smtp.SmtpReplyReader()
        reader.feed(wire)
        reply = reader.next_reply()
        assert reply is not None
        return protocol, _words(reply)
    if protocol == Protocol.POP3:
        pop = pop3.Pop3Reader()
        pop.feed(wire)
        event = pop.next_reply()
        assert isinstance(event, pop3.Pop3Reply) and not event.ok
        return protocol, ServerWords(safe_text(_pop3_text(event)), response_code=event.code)
    reader_imap = imap.ImapResponseReader()
    reader_imap.feed(wire)
    done = reader_imap.next_response()
    assert isinstance(done, imap.Tagged)
    return protocol, ServerWords(safe_text(_tagged_text(done)), response_code=done.code)


def check_cause(row: ReplyRule, example: str) -> str | None:
    protocol, words = check_words(example)
    if row.step == Step.LOGIN:
        return login_cause(protocol, words)
    stages = ("mail", "rcpt") if row.step == Step.SENDING else (str(row.step),)
    found = {sending_cause(stage, words, authenticated=False) for stage in stages}
    assert len(found) == 1, (row.rule, found)
    cause = found.pop()
    return str(cause) if cause is not None else None


def explain_cause(example: str) -> str | None:
    reply = explain_reply(example)
    if reply is None:
        return None
    ranked = ranked_causes(reply.specific, reply.causes, ())
    return str(ranked[0]) if ranked else None


_REPLY_CODE = re.compile(r"[245][0-9]{2}[ -]")
_TRANSIENT = next(index for index, row in enumerate(RULES) if row.rule == "transient")


def bounce_only(row: ReplyRule, example: str) -> bool:
    """Whether only returned mail brings this reply: the reporting server's own words (no reply code),
    or a 4yz whose words only the rows after `transient` read (check: try later)."""
    if not _REPLY_CODE.match(example):
        return True
    return example.startswith("4") and RULES.index(row) > _TRANSIENT


# --------------------------------------------------------------------------- the tests


def test_every_row_has_a_real_example_and_every_meaning_a_cause() -> None:
    assert len(RULES) >= 40
    for row in RULES:
        assert row.examples and row.source, row.rule
    for meaning in TABLE.meanings.values():
        assert meaning.causes and meaning.text


@pytest.mark.parametrize(
    ("row", "example"), EXAMPLES, ids=[f"{row.rule}-{n}" for n, (row, _) in enumerate(EXAMPLES)]
)
def test_check_reads_each_example_as_its_row_says(row: ReplyRule, example: str) -> None:
    if row.step != Step.LOGIN and bounce_only(row, example):
        # a 4yz from the user's own server is "try later" whatever its words; the words only say more
        # in a returned mail (the bounce reader's path, `test_the_bounce_reader_reads_each_example...`)
        if _REPLY_CODE.match(example):
            assert check_cause(row, example) in {"SERVER_OUTAGE", None}
        return
    protocol, words = check_words(example)
    step = Step.LOGIN if row.step == Step.LOGIN else Step.RCPT if row.step != Step.MAIL else Step.MAIL
    verdict = classify_reply(
        step,
        protocol,
        response_code=words.response_code,
        reply_code=words.reply_code,
        enhanced=words.enhanced,
        text=words.text,
    )
    assert verdict is not None and verdict.kind == row.kind, (row.rule, example, verdict)


@pytest.mark.parametrize(
    ("row", "example"), EXAMPLES, ids=[f"{row.rule}-{n}" for n, (row, _) in enumerate(EXAMPLES)]
)
def test_check_and_explain_give_one_cause(row: ReplyRule, example: str) -> None:
    if row.step != Step.LOGIN and bounce_only(row, example):
        return  # what check makes of it: the test above; the bounce reader's: the test below
    checked = check_cause(row, example)
    meaning = TABLE.meaning(row.step, row.kind)
    assert meaning is not None and checked in {str(cause) for cause in meaning.causes}
    explained = explain_cause(example)
    if row.pasted or _protocol(example) != Protocol.SMTP:
        assert explained == checked, (row.rule, example)
    else:
        # the row needs the step (a full mailbox is yours in check, the recipient's in a pasted bounce):
        # a pasted reply is not read with it, and explain falls back to the code registry's meaning
        pasted = classify_reply(None, Protocol.SMTP, reply_code=int(example[:3]), text=example[4:])
        assert pasted is None or pasted.rule != row.rule
        # explain knows the reply from the code registry, unless the row is one of returned mail's
        # general wordings (`reason`), which explain did not read before either
        assert explained is not None or row.reason is not None


def bounce_step(row: ReplyRule) -> Step:
    return Step.SENDING if row.step == Step.SENDING else row.step


@pytest.mark.parametrize(
    ("row", "example"),
    [(row, example) for row, example in EXAMPLES if row.step != Step.LOGIN and row.words is not None],
    ids=lambda value: value.rule if isinstance(value, ReplyRule) else "",
)
def test_the_bounce_reader_reads_each_example_as_its_row_says(row: ReplyRule, example: str) -> None:
    # the bounce reader's path: the words rows only (it reads the codes itself), the step from the
    # returned mail (here the row's: a sending row is read for a step the mail does not say)
    code = _REPLY_CODE.match(example)
    enhanced = re.match(r"[245][0-9]{2}[ -]([245]\.[0-9]{1,3}\.[0-9]{1,3})\b", example)
    verdict = classify_reply(
        bounce_step(row),
        Protocol.SMTP,
        reply_code=int(code.group(0)[:3]) if code else None,
        enhanced=enhanced.group(1) if enhanced else None,
        text=example[4:] if code else example,
        words_only=True,
    )
    assert verdict is not None and verdict.kind == row.kind, (row.rule, example, verdict)


def test_5_7_139_criteria_means_modern_sign_in_on_both_paths() -> None:
    # Microsoft: "additional criteria are required to successfully authenticate the SMTP user account
    # ... because multifactor authentication (MFA) is configured" (Dynamics 365 "Configure and send
    # email"): the password alone is not taken, which is MODERN_AUTH_REQUIRED, not a wrong password
    reply = (
        "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
        "authenticated successfully. Contact your administrator."
    )
    row = next(row for row in RULES if row.rule == "basic-auth-disabled")
    assert check_cause(row, reply) == explain_cause(reply) == CauseCode.MODERN_AUTH_REQUIRED
    explained = explain_reply(reply)
    assert explained is not None and CauseCode.APP_PASSWORD_REQUIRED not in explained.causes


def test_a_pasted_reply_that_needs_the_step_is_not_read_by_a_vaguer_row() -> None:
    full = "552 5.2.2 <full@example.test>: Recipient address rejected: Mailbox is full"
    assert classify_reply(None, "smtp", reply_code=552, enhanced="5.2.2", text=full) is None
    verdict = classify_reply("rcpt", "smtp", reply_code=552, enhanced="5.2.2", text=full)
    assert verdict is not None and verdict.causes[0] == CauseCode.MAILBOX_FULL
    # the same reply in a returned mail came from the recipient's server: their mailbox is full
    assert verdict.remote_causes[0] == CauseCode.RECIPIENT_MAILBOX_FULL


def test_the_bounce_readers_seam_gives_the_recipients_side() -> None:
    greylisted = "450 4.7.1 <bob@example.test>: Recipient address rejected: Greylisted"
    verdict = classify_reply(Step.RCPT, "smtp", reply_code=450, enhanced="4.7.1", text=greylisted)
    assert verdict is not None and verdict.rule == "transient"
    assert (verdict.causes[0], verdict.remote_causes[0]) == (
        CauseCode.SERVER_OUTAGE,
        CauseCode.RECIPIENT_SERVER_PROBLEM,
    )
    unknown = classify_reply(
        Step.RCPT, "smtp", reply_code=550, enhanced="5.1.1", text="550 5.1.1 User unknown"
    )
    assert unknown is not None and unknown.remote_causes == unknown.causes
    assert unknown.causes[0] == CauseCode.RECIPIENT_REJECTED


def test_a_provider_narrows_a_providers_row() -> None:
    text = "NO Basic authentication is disabled."
    assert classify_reply("login", "imap", text=text, provider="outlook-com") is not None
    assert classify_reply("login", "imap", text=text) is not None  # provider not known: the words decide
    other = classify_reply("login", "imap", text=text, provider="sakura")
    assert other is None or other.rule != "basic-auth-disabled"


def test_the_step_must_be_one_a_reply_answers() -> None:
    with pytest.raises(ValueError):
        classify_reply("data", "smtp", reply_code=550, text="no")
    with pytest.raises(ValueError):
        classify_reply("login", "nntp", text="no")


def test_a_sending_step_not_known_which_reads_every_sending_row() -> None:
    # a returned mail that does not say the step: the rows for MAIL FROM and for RCPT TO both answer
    text = "550 user unknown"
    assert classify_reply("mail", "smtp", reply_code=550, text=text) is None
    verdict = classify_reply("sending", "smtp", reply_code=550, text=text)
    assert verdict is not None and verdict.rule == "recipient-words" and verdict.reason == "userunknown"
    assert classify_reply("sending", "smtp", reply_code=550, enhanced="5.1.1", text="nope") is not None
    # words_only: the code rows are not read (the bounce reader reads codes structurally itself)
    assert (
        classify_reply("sending", "smtp", reply_code=550, enhanced="5.1.1", text="nope", words_only=True)
        is None
    )


def test_the_rows_providers_are_provider_files() -> None:
    known = provider_ids()
    assert {"gmail", "microsoft365", "outlook-com"} <= known
    assert all(row.providers <= known for row in RULES)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'kind = "wrong_credentials"\n',
            'kind = "wrong_credentials"\ncolour = "red"\n',
            "unknown keys colour",
        ),
        (
            '"AUTH_FAILED", "USERNAME_FORM"',
            '"AUTH_FAILD", "USERNAME_FORM"',
            "unknown cause code 'AUTH_FAILD'",
        ),
        (
            'providers = ["microsoft365", "outlook-com"]',
            'providers = ["microsoft"]',
            "unknown provider ids microsoft",
        ),
        ('kind = "too_many_connections"\nwords', 'kind = "too_many"\nwords', "unknown kind 'too_many'"),
        ('id = "imap-limit"\nstep = "login"', 'id = "imap-limit"\nstep = "data"', "step must be one of"),
        ("reply_class = 4", 'reply_class = "4"', "reply_class must be 4 or 5"),
        ('response_codes = ["LIMIT"]', 'response_codes = ["limit"]', "malformed value 'limit'"),
        ("pasted = false", 'pasted = "no"', "pasted must be true or false"),
        (
            'remote_causes = ["RECIPIENT_MAILBOX_FULL"]',
            'remote_causes = ["FULL"]',
            "unknown cause code 'FULL'",
        ),
        ("words = '''too many", "words = '''(too many", "not a valid regex"),
        ('step = "login"\nkind = "temporary"\n', 'step = "login"\nkind = "unknown"\n', "not a row's kind"),
    ],
)
def test_a_broken_entry_fails_at_load(old: str, new: str, message: str) -> None:
    data = _data()
    assert old in data, old
    with pytest.raises(ReplyDataError, match=re.escape(message)):
        parse_replies(data.replace(old, new, 1), provider_ids())


def test_a_missing_meaning_or_example_or_a_twice_named_row_fails() -> None:
    data = _data()
    meaning = '[[meaning]]\nstep = "sending"\nkind = "temporary"\n'
    assert meaning in data
    with pytest.raises(ReplyDataError, match="no meaning for sending/temporary"):
        parse_replies(re.sub(re.escape(meaning) + r"(?:.+\n)+", "", data), provider_ids())
    with pytest.raises(ReplyDataError, match="examples must list"):
        parse_replies(
            re.sub(r"examples = \[\n(?:    .*\n)+\]", "examples = []", data, count=1), provider_ids()
        )
    with pytest.raises(ReplyDataError, match="id used twice"):
        parse_replies(data.replace('id = "imap-limit"', 'id = "too-many-connections-words"'), provider_ids())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_meaning_is_extracted_and_translated(lang: str) -> None:
    extracted = {
        message for _, _, message, _ in extract_toml(io.BytesIO(_data().encode()), (), (), {"keys": "text"})
    }
    assert extracted == {meaning.text for meaning in TABLE.meanings.values()}
    translator = get_translator(lang)
    for text in extracted:
        shown = translator.gettext(text)
        assert shown and (shown != text) == (lang == "ja"), text


def test_the_catalogs_extract_the_providers_rejection_texts_from_the_one_file() -> None:
    # the providers' rejection texts ([[rejection]], explain/smtp.py) share replies.toml: babel.cfg's
    # section for the file extracts their meaning and action with the classifier's meanings
    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parents[2] / "babel.cfg")
    keys = config["toml: src/maildoctor/data/replies.toml"]["keys"]
    extracted = {
        message for _, _, message, _ in extract_toml(io.BytesIO(_data().encode()), (), (), {"keys": keys})
    }
    rejections = load_rejections()
    assert len(rejections) >= 70
    wanted = {meaning.text for meaning in TABLE.meanings.values()}
    wanted |= {text for entry in rejections for text in (entry.meaning, entry.action)}
    assert extracted == wanted
