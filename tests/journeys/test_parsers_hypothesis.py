"""Every parser of user-typed or server-sent text, on any input: only its documented exceptions, in
bounded time.

What each may raise is what its docstring says: the URL parser ServerUrlError, the protocol
readers ProtocolViolation (and nothing for a line they merely do not understand), the record
parsers their own ValueError subclasses; the linters, the reply finder, the bounce reader and
the `check_*` judges never raise. "Bounded": one call ends within TIME_LIMIT seconds, and
what it returns is not bigger than a fixed multiple of what it was given.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maildoctor.domain.dkim import DkimKeyError, check_dkim_key, parse_dkim_key
from maildoctor.domain.dmarc import DmarcError, check_dmarc_record, parse_dmarc_record
from maildoctor.domain.mtasts import (
    StsError,
    TlsRptError,
    check_sts_policy,
    check_sts_record,
    check_tlsrpt_record,
    parse_sts_policy,
    parse_sts_record,
    parse_tlsrpt_record,
)
from maildoctor.domain.spf_record import SpfSyntaxError, parse_record
from maildoctor.explain import explain_text
from maildoctor.explain.bounce import parse_bounces
from maildoctor.explain.reply import explain_reply
from maildoctor.explain.smtp import find_replies
from maildoctor.lint.address import check_address
from maildoctor.lint.typed import TypedField, check_typed_value
from maildoctor.model import ServerUrlError, parse_server_url
from maildoctor.protocol import ProtocolViolation
from maildoctor.protocol.imap import (
    ImapResponseReader,
    Untagged,
    parse_capabilities,
    parse_condition,
    parse_exists,
    parse_greeting,
    parse_quota,
    parse_quotaroot,
    parse_search,
)
from maildoctor.protocol.pop3 import Pop3Reader, parse_capa, parse_stat
from maildoctor.protocol.smtp import EhloInfo, SmtpReplyReader

TIME_LIMIT: Final = 5.0
# the IMAP parsers of one untagged response (or its text)
IMAP_LINE_PARSERS: Final = (
    parse_greeting,
    parse_capabilities,
    parse_exists,
    parse_quota,
    parse_quotaroot,
    parse_search,
    parse_condition,
)
FAST: Final = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what people and servers send: mail words, codes, brackets, full-width
# and invisible characters, controls and escape sequences, besides anything at all.
_PIECES: Final = st.sampled_from(
    [
        "550",
        "5.7.1",
        "535-5.7.8",
        "421 ",
        "-ERR ",
        "+OK ",
        "* OK ",
        "A1 NO ",
        "[AUTHENTICATIONFAILED]",
        "* CAPABILITY IMAP4rev1 ",
        "* QUOTA ",
        "(STORAGE 10 20)",
        "{5}\r\n",
        "\r\n",
        "\n",
        " ",
        "@",
        "＠",
        "．",
        "\u200b",
        "\x1b[31m",
        "\x00",
        "\x85",
        "v=spf1 ",
        "v=DMARC1; ",
        "p=reject; ",
        "rua=mailto:",
        "include:",
        "ip4:192.0.2.1",
        "~all",
        "v=STSv1; id=",
        "mode: enforce\n",
        "mx: *.example.jp\n",
        "max_age: 86400\n",
        "version: STSv1\n",
        "k=rsa; p=",
        "MIIB",
        "0x800CCC0E",
        "タスク",
        "受信中",
        "imaps://",
        "imap.example.jp",
        ":993",
        "%{i}",
        "%{",
        "(",
        ")",
        '"',
        "\\",
        "Spamhaus",
        "5.7.139",
    ]
)
TEXT: Final = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=60).map("".join),
)
DATA: Final = st.one_of(
    st.binary(max_size=2000), TEXT.map(lambda text: text.encode("utf-8", "surrogatepass"))
)


@contextmanager
def bounded(given_size: int) -> Iterator[Callable[[object], None]]:
    """Check the call's time on leaving the block; `size(result)` checks what it returned."""
    started = time.monotonic()

    def size(result: object) -> None:
        assert len(repr(result)) <= 50 * given_size + 20_000, (
            "the result grows out of proportion to the input"
        )

    yield size
    elapsed = time.monotonic() - started
    assert elapsed < TIME_LIMIT, f"took {elapsed:.1f} s"


# --------------------------------------------------------------------------- what people type


@FAST
@given(TEXT, st.sampled_from(list(TypedField)))
def test_typed_values_never_raise(text: str, field: TypedField) -> None:
    with bounded(len(text)) as size:
        size(check_typed_value(field, text))


@FAST
@given(TEXT)
def test_address_check_never_raises(text: str) -> None:
    with bounded(len(text)) as size:
        size(check_address(text))


URLS: Final = st.one_of(
    TEXT,
    st.tuples(
        st.sampled_from(["imaps", "IMAPS", "smtp+starttls", "pop3", "https", "smtps", "ｉｍａｐｓ", ""]),
        st.sampled_from(["://", ":/", "//", "：／／"]),
        TEXT,
        st.sampled_from(["", ":993", ":９９３", ":99999", ":-1", "/", "/path", ":"]),
    ).map("".join),
)


@FAST
@given(URLS)
def test_server_url_parser_raises_only_its_error(text: str) -> None:
    with bounded(len(text)) as size, contextlib.suppress(ServerUrlError):
        size(parse_server_url(text))


# --------------------------------------------------------------------------- what servers send


def _drain(
    reader: SmtpReplyReader | ImapResponseReader | Pop3Reader, data: bytes, chunk: int
) -> list[object]:
    """Feed the reader as a socket would (never more than it has room for); collect what it frames."""
    framed: list[object] = []
    take: Callable[[], object | None]
    if isinstance(reader, SmtpReplyReader):
        take = reader.next_reply
    elif isinstance(reader, ImapResponseReader):
        take = reader.next_response
    else:
        take = reader.next_reply
    position = 0
    while position < len(data):
        piece = data[position : position + max(1, min(chunk, reader.space))]
        position += len(piece)
        reader.feed(piece)
        while (item := take()) is not None:
            framed.append(item)
            if isinstance(reader, Pop3Reader):
                reader.expect(len(framed) % 2 == 0)
    return framed


@FAST
@given(DATA, st.integers(min_value=1, max_value=600), st.booleans())
def test_protocol_readers_raise_only_protocol_violations(data: bytes, chunk: int, multiline: bool) -> None:
    pop3 = Pop3Reader()
    pop3.expect(multiline)
    for reader in (SmtpReplyReader(), ImapResponseReader(), pop3):
        with bounded(len(data)) as size:
            try:
                framed = _drain(reader, data, chunk)
            except ProtocolViolation:
                continue
            size(framed)
            for item in framed:
                # the parsers take what the session hands them: EhloInfo a 250 reply (another code is
                # its documented ValueError), the IMAP line parsers an untagged response
                if isinstance(reader, SmtpReplyReader):
                    if item.code == 250:  # type: ignore[union-attr]
                        size(EhloInfo.parse(item))  # type: ignore[arg-type]
                elif isinstance(reader, ImapResponseReader) and isinstance(item, Untagged):
                    for parse in IMAP_LINE_PARSERS:
                        size(parse(item))  # type: ignore[operator]


@FAST
@given(TEXT)
def test_imap_and_pop3_line_parsers_never_raise(text: str) -> None:
    with bounded(len(text)) as size:
        for parse in (*IMAP_LINE_PARSERS, parse_stat):
            size(parse(text))  # type: ignore[operator]
        size(parse_capa(text.splitlines()))


@FAST
@given(TEXT)
def test_smtp_reply_finder_and_explainers_never_raise(text: str) -> None:
    with bounded(len(text)) as size:
        size(find_replies(text))
        size(explain_reply(text))
        size(explain_text(text))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=20_000))
def test_reply_finder_on_long_pastes_is_bounded(repeat: int) -> None:
    """A long paste of reply lines (a whole log) is read in bounded time."""
    text = "550-5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy\n" * (
        repeat // 20 + 1
    )
    with bounded(len(text)) as size:
        size(find_replies(text))


# --------------------------------------------------------------------------- returned mails

CORPUS: Final = next(
    (
        parent / "shared" / "data" / "bounces" / "emails"
        for parent in Path(__file__).resolve().parents
        if (parent / "shared" / "data" / "bounces" / "emails").is_dir()
    ),
    None,
)
SAMPLES: Final = sorted(CORPUS.glob("*.eml"))[::25] if CORPUS is not None else []


@FAST
@given(DATA)
def test_bounce_reader_never_raises(data: bytes) -> None:
    with bounded(len(data)) as size:
        size(parse_bounces(data))


@pytest.mark.skipif(not SAMPLES, reason="shared/data/bounces is not beside the project")
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_bounce_reader_on_damaged_real_bounces(data: st.DataObject) -> None:
    """Real returned mails with bytes flipped, cut or inserted: still no exception."""
    original = data.draw(st.sampled_from(SAMPLES)).read_bytes()
    position = data.draw(st.integers(min_value=0, max_value=len(original)))
    insert = data.draw(DATA)
    cut = data.draw(st.integers(min_value=0, max_value=200))
    damaged = original[:position] + insert + original[position + cut :]
    with bounded(len(damaged)) as size:
        size(parse_bounces(damaged))


# --------------------------------------------------------------------------- the domain's records


@FAST
@given(TEXT)
def test_record_parsers_raise_only_their_errors(text: str) -> None:
    with bounded(len(text)) as size:
        for parse, error in (
            (parse_dmarc_record, DmarcError),
            (parse_record, SpfSyntaxError),
            (parse_sts_record, StsError),
            (parse_sts_policy, StsError),
            (parse_tlsrpt_record, TlsRptError),
            (parse_dkim_key, DkimKeyError),
        ):
            with contextlib.suppress(error):
                size(parse(text))  # type: ignore[operator]


@FAST
@given(TEXT, st.sampled_from(["", "example.jp", "例え.jp", "a" * 70 + ".jp"]))
def test_record_judges_never_raise(text: str, domain: str) -> None:
    with bounded(len(text)) as size:
        size(check_dmarc_record(text, domain))
        size(check_sts_record(text, domain))
        size(check_sts_policy(text, ["mx.example.jp"]))
        size(check_tlsrpt_record(text, domain))
        size(check_dkim_key(text, "default", domain))
