"""The shared value types: server URLs, the password type, the report's building blocks."""

import copy
import dataclasses
import logging
import pickle
import traceback
from typing import Any

import pytest

from maildoctor import model
from maildoctor.model import (
    Account,
    CheckResult,
    CheckStatus,
    Endpoint,
    Finding,
    Layer,
    MailSettings,
    Protocol,
    Report,
    Secret,
    Security,
    ServerRole,
    ServerUrlError,
    ServerUrlReason,
    Severity,
    Verdict,
    leak_forms,
    parse_server_url,
)

# ------------------------------------------------------------------ server URLs

# interface.md, "Server URLs": scheme, protocol, encryption, default port
SCHEME_TABLE = [
    ("imaps", Protocol.IMAP, Security.SSL, 993),
    ("imap+starttls", Protocol.IMAP, Security.STARTTLS, 143),
    ("imap", Protocol.IMAP, Security.NONE, 143),
    ("pop3s", Protocol.POP3, Security.SSL, 995),
    ("pop3+starttls", Protocol.POP3, Security.STARTTLS, 110),
    ("pop3", Protocol.POP3, Security.NONE, 110),
    ("smtps", Protocol.SMTP, Security.SSL, 465),
    ("smtp+starttls", Protocol.SMTP, Security.STARTTLS, 587),
    ("smtp", Protocol.SMTP, Security.NONE, 25),
]


def test_enum_values_are_those_of_the_spec() -> None:
    assert [s.value for s in Security] == ["ssl", "starttls", "none"]
    assert [p.value for p in Protocol] == ["imap", "pop3", "smtp"]
    assert [s.value for s in Severity] == ["error", "warning", "info"]
    assert [r.value for r in ServerRole] == ["incoming", "outgoing", "domain", "input"]
    assert [s.value for s in CheckStatus] == ["pass", "fail", "skip"]
    assert [v.value for v in Verdict] == ["ok", "problems", "incomplete"]
    # the layer names themselves are checked against causes.md in test_causes.py
    assert Layer.SENDING_DOMAIN.value == "sending-domain"


def test_the_scheme_table_is_complete() -> None:
    assert tuple(row[0] for row in SCHEME_TABLE) == model.SERVER_URL_SCHEMES


@pytest.mark.parametrize(("scheme", "protocol", "security", "port"), SCHEME_TABLE)
def test_scheme_without_port_gets_the_default_port(
    scheme: str, protocol: Protocol, security: Security, port: int
) -> None:
    assert parse_server_url(f"{scheme}://mail.example.jp") == Endpoint(
        protocol, "mail.example.jp", port, security
    )
    assert model.default_port(protocol, security) == port


@pytest.mark.parametrize(("scheme", "protocol", "security", "port"), SCHEME_TABLE)
def test_explicit_port_and_canonical_url_round_trip(
    scheme: str, protocol: Protocol, security: Security, port: int
) -> None:
    endpoint = parse_server_url(f"{scheme}://mail.example.jp:2525")
    assert endpoint == Endpoint(protocol, "mail.example.jp", 2525, security)
    assert endpoint.url == f"{scheme}://mail.example.jp:2525"
    assert parse_server_url(endpoint.url) == endpoint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # encryption that does not suit the port is what check must diagnose: legal here
        ("smtps://smtp.example.jp:587", Endpoint(Protocol.SMTP, "smtp.example.jp", 587, Security.SSL)),
        ("imap://imap.example.jp:993", Endpoint(Protocol.IMAP, "imap.example.jp", 993, Security.NONE)),
        # case-insensitive scheme; the host is lower-cased
        ("IMAPS://Mail.Example.JP", Endpoint(Protocol.IMAP, "mail.example.jp", 993, Security.SSL)),
        (
            "Smtp+StartTLS://smtp.example.jp",
            Endpoint(Protocol.SMTP, "smtp.example.jp", 587, Security.STARTTLS),
        ),
        # a single trailing slash
        ("pop3s://pop.example.jp/", Endpoint(Protocol.POP3, "pop.example.jp", 995, Security.SSL)),
        ("pop3s://pop.example.jp:995/", Endpoint(Protocol.POP3, "pop.example.jp", 995, Security.SSL)),
        # IPv6 literals in brackets, kept without them and in compressed form
        ("imaps://[::1]:993", Endpoint(Protocol.IMAP, "::1", 993, Security.SSL)),
        ("imaps://[::1]", Endpoint(Protocol.IMAP, "::1", 993, Security.SSL)),
        ("smtp://[2001:DB8:0:0::25]/", Endpoint(Protocol.SMTP, "2001:db8::25", 25, Security.NONE)),
        ("imap://192.0.2.1:143", Endpoint(Protocol.IMAP, "192.0.2.1", 143, Security.NONE)),
        # the edges of the port range, and leading zeros
        ("smtp://h:1", Endpoint(Protocol.SMTP, "h", 1, Security.NONE)),
        ("smtp://h:65535", Endpoint(Protocol.SMTP, "h", 65535, Security.NONE)),
        ("smtp://h:0587", Endpoint(Protocol.SMTP, "h", 587, Security.NONE)),
        # odd but printable host characters are left for the diagnosis to point at
        ("imaps://mail_example.jp", Endpoint(Protocol.IMAP, "mail_example.jp", 993, Security.SSL)),
        ("imaps://ｍａｉｌ.example.jp", Endpoint(Protocol.IMAP, "ｍａｉｌ.example.jp", 993, Security.SSL)),
    ],
)
def test_valid_urls(text: str, expected: Endpoint) -> None:
    assert parse_server_url(text) == expected


def test_ipv6_url_puts_the_brackets_back() -> None:
    assert parse_server_url("imaps://[2001:db8::1]:10993").url == "imaps://[2001:db8::1]:10993"


INVALID_URLS = [
    ("", ServerUrlReason.EMPTY, ""),
    ("imaps://mail.example.jp ", ServerUrlReason.WHITESPACE, " "),
    (" imaps://mail.example.jp", ServerUrlReason.WHITESPACE, " "),
    ("imaps://mail example.jp", ServerUrlReason.WHITESPACE, " "),
    ("imaps://mail.example.jp\u3000", ServerUrlReason.WHITESPACE, "\u3000"),  # ideographic space
    ("imaps://mail.exa\u200bmple.jp", ServerUrlReason.WHITESPACE, "\u200b"),  # zero-width space
    ("imaps://mail.example.jp\n", ServerUrlReason.WHITESPACE, "\n"),
    ("mail.example.jp", ServerUrlReason.MISSING_SCHEME, "mail.example.jp"),
    ("mail.example.jp:993", ServerUrlReason.MISSING_SCHEME, "mail.example.jp:993"),
    ("imaps:/mail.example.jp", ServerUrlReason.MISSING_SCHEME, "imaps:/mail.example.jp"),
    ("https://mail.example.jp", ServerUrlReason.UNKNOWN_SCHEME, "https"),
    ("imap+ssl://mail.example.jp", ServerUrlReason.UNKNOWN_SCHEME, "imap+ssl"),
    ("pop://mail.example.jp", ServerUrlReason.UNKNOWN_SCHEME, "pop"),
    ("://mail.example.jp", ServerUrlReason.UNKNOWN_SCHEME, ""),
    ("imaps://taro@mail.example.jp", ServerUrlReason.USERINFO, "…@mail.example.jp"),
    ("imaps://taro:pw@mail.example.jp:993", ServerUrlReason.USERINFO, "…@mail.example.jp:993"),
    ("imaps://mail.example.jp/INBOX", ServerUrlReason.PATH, "/INBOX"),
    ("imaps://mail.example.jp:993/INBOX", ServerUrlReason.PATH, "/INBOX"),
    ("imaps://mail.example.jp//", ServerUrlReason.PATH, "/"),
    ("imaps://mail.example.jp?x=1", ServerUrlReason.PATH, "?x=1"),
    ("imaps://mail.example.jp#top", ServerUrlReason.PATH, "#top"),
    ("imaps://", ServerUrlReason.EMPTY_HOST, "imaps://"),
    ("imaps:///", ServerUrlReason.EMPTY_HOST, "imaps:///"),
    ("imaps://:993", ServerUrlReason.EMPTY_HOST, "imaps://:993"),
    ("imaps://mail]example.jp", ServerUrlReason.INVALID_HOST, "]"),
    ("imaps://mail\\example.jp", ServerUrlReason.INVALID_HOST, "\\"),
    ("imaps://::1", ServerUrlReason.INVALID_IPV6, "::1"),
    ("imaps://2001:db8::1:993", ServerUrlReason.INVALID_IPV6, "2001:db8::1:993"),
    ("imaps://[::1", ServerUrlReason.INVALID_IPV6, "[::1"),
    ("imaps://[::1]993", ServerUrlReason.INVALID_IPV6, "[::1]993"),
    ("imaps://[mail.example.jp]", ServerUrlReason.INVALID_IPV6, "[mail.example.jp]"),
    ("imaps://[192.0.2.1]:993", ServerUrlReason.INVALID_IPV6, "[192.0.2.1]"),
    ("imaps://[]", ServerUrlReason.INVALID_IPV6, "[]"),
    ("imaps://mail.example.jp:", ServerUrlReason.INVALID_PORT, ""),
    ("imaps://mail.example.jp:imap", ServerUrlReason.INVALID_PORT, "imap"),
    ("imaps://mail.example.jp:-1", ServerUrlReason.INVALID_PORT, "-1"),
    ("imaps://mail.example.jp:+993", ServerUrlReason.INVALID_PORT, "+993"),
    ("imaps://mail.example.jp:９９３", ServerUrlReason.INVALID_PORT, "９９３"),  # full-width digits
    ("imaps://mail.example.jp:99３", ServerUrlReason.INVALID_PORT, "99３"),
    ("imaps://[::1]:x", ServerUrlReason.INVALID_PORT, "x"),
    ("imaps://mail.example.jp:0", ServerUrlReason.PORT_OUT_OF_RANGE, "0"),
    ("imaps://mail.example.jp:65536", ServerUrlReason.PORT_OUT_OF_RANGE, "65536"),
    (
        "imaps://mail.example.jp:99999999999999999999",
        ServerUrlReason.PORT_OUT_OF_RANGE,
        "99999999999999999999",
    ),
]


@pytest.mark.parametrize(("text", "reason", "part"), INVALID_URLS)
def test_invalid_urls_say_why(text: str, reason: ServerUrlReason, part: str) -> None:
    with pytest.raises(ServerUrlError) as caught:
        parse_server_url(text)
    assert caught.value.reason is reason
    assert caught.value.part == part
    assert isinstance(caught.value, ValueError)  # callers may catch it generically


def test_every_reason_is_tested() -> None:
    assert {reason for _, reason, _ in INVALID_URLS} == set(ServerUrlReason)


def test_error_carries_the_url_as_given() -> None:
    with pytest.raises(ServerUrlError) as caught:
        parse_server_url("SMTPS://smtp.example.jp:70000")
    assert caught.value.text == "SMTPS://smtp.example.jp:70000"
    assert "SMTPS://smtp.example.jp:70000" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "imaps://taro:hunter2@mail.example.jp",
        "imaps://taro:hun/ter2@mail.example.jp",  # a "/" in the password must not hide the "@"
        "imaps://taro:hun#ter2@mail.example.jp:993/",
        "bogus://taro:hunter2@mail.example.jp",
        "taro:hunter2@mail.example.jp",
        "imaps://taro:hunter2@mail.example.jp:99999",
        "imaps://taro:hunter2 @mail.example.jp",
    ],
)
def test_a_password_in_a_url_never_reaches_the_error(text: str) -> None:
    with pytest.raises(ServerUrlError) as caught:
        parse_server_url(text)
    error = caught.value
    for shown in (str(error), repr(error), error.text, error.part, *map(str, error.args)):
        assert "hunter2" not in shown
        assert "hun/ter2" not in shown
        assert "hun#ter2" not in shown


# ------------------------------------------------------------------ Secret

PASSWORD = "s3cr3t-パス"


@pytest.fixture
def secret() -> Secret:
    return Secret(PASSWORD)


def test_reveal_is_the_one_door(secret: Secret) -> None:
    assert secret.reveal() == PASSWORD


def test_text_conversions_never_reveal(secret: Secret) -> None:
    shown = [
        repr(secret),
        str(secret),
        format(secret),
        format(secret, ">30"),
        f"{secret}",
        f"{secret!r}",
        f"{secret!s}",
        f"{secret:^40}",
        "%s" % secret,  # noqa: UP031 -- %-formatting is what is being tested
        "%r" % secret,  # noqa: UP031
        "{}".format(secret),  # noqa: UP032 -- str.format is what is being tested
        str([secret]),
        str({"password": secret}),
        str((secret,)),
        ascii(secret),
    ]
    for text in shown:
        assert PASSWORD not in text
    assert repr(secret) == "Secret('********')"
    assert str(secret) == "********"


def test_secret_cannot_be_pickled(secret: Secret) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError):
            pickle.dumps(secret, protocol=protocol)
    account = Account("taro@example.jp", "taro", secret)
    with pytest.raises(TypeError):
        pickle.dumps(account)


def test_copies_are_the_same_immutable_object(secret: Secret) -> None:
    assert copy.copy(secret) is secret
    assert copy.deepcopy(secret) is secret
    account = Account("taro@example.jp", "taro", secret)
    account_copy = copy.deepcopy(account)
    assert account_copy.password is secret
    assert PASSWORD not in repr(account_copy)


def test_secret_is_immutable(secret: Secret) -> None:
    with pytest.raises(AttributeError):
        secret.x = 1
    with pytest.raises(AttributeError):
        secret._Secret__value = "other"
    with pytest.raises(AttributeError):
        del secret._Secret__value  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        vars(secret)  # slotted: there is no __dict__ to dump
    assert secret.reveal() == PASSWORD


def test_exception_messages_and_tracebacks_never_reveal(secret: Secret) -> None:
    with pytest.raises(ValueError, match="login failed") as caught:
        raise ValueError(f"login failed with {secret}", secret)
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(caught.value)
    assert PASSWORD not in "".join(traceback.format_exception(caught.value))


def test_logging_never_reveals(secret: Secret, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("maildoctor.test")
    with caplog.at_level(logging.DEBUG, logger="maildoctor.test"):
        logger.debug("password %s", secret)
        logger.info("password %r", secret)
        logger.warning("account %s", Account("taro@example.jp", "taro", secret))
        logger.error("mapping %(pw)s", {"pw": secret})
    assert len(caplog.records) == 4
    assert PASSWORD not in caplog.text
    assert "********" in caplog.text


def test_a_wrong_type_is_refused_without_showing_it() -> None:
    with pytest.raises(TypeError) as caught:
        Secret(b"hunter2")  # type: ignore[arg-type]
    assert "hunter2" not in str(caught.value)


def test_equality_hash_and_truth() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert Secret("パス") == Secret("パス")  # non-ASCII: compared as UTF-8 bytes
    assert Secret("a") != "a"  # a Secret is not a str
    assert hash(Secret("a")) == hash(Secret("b"))  # the hash says nothing about the value
    assert len({Secret("a"), Secret("a"), Secret("b")}) == 2
    assert Secret("x")
    assert not Secret("")


def test_equality_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[Any, Any]] = []

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return bool(a == b)

    monkeypatch.setattr("hmac.compare_digest", spy)
    assert Secret("abc") == Secret("abc")
    assert compared == [(b"abc", b"abc")]


def test_leak_forms() -> None:
    forms = leak_forms(Secret("p@ss word"), usernames=("taro@example.jp",))
    assert forms == {
        "p@ss word",  # plain
        "cEBzcyB3b3Jk",  # base64("p@ss word"), as AUTH LOGIN sends it
        "AHRhcm9AZXhhbXBsZS5qcABwQHNzIHdvcmQ=",  # base64("\0taro@example.jp\0p@ss word"), AUTH PLAIN
        "dGFyb0BleGFtcGxlLmpwAHRhcm9AZXhhbXBsZS5qcABwQHNzIHdvcmQ=",  # AUTH PLAIN with authzid
        "p%40ss%20word",  # URL-encoded
        "p%40ss+word",  # form-encoded
    }


def test_leak_forms_of_non_ascii_use_utf8() -> None:
    forms = leak_forms(Secret("パス"))
    assert "44OR44K5" in forms  # base64 of the UTF-8 bytes
    assert "%E3%83%91%E3%82%B9" in forms


def test_leak_forms_of_an_empty_password_is_empty() -> None:
    assert leak_forms(Secret(""), usernames=("taro",)) == frozenset()


# ------------------------------------------------------------------ the report's building blocks

VALUE_TYPES = [Endpoint, Account, MailSettings, Finding, CheckResult, Report]


@pytest.mark.parametrize("cls", VALUE_TYPES)
def test_value_types_are_frozen_slotted_dataclasses(cls: type) -> None:
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert "__slots__" in cls.__dict__


def test_frozen_means_frozen() -> None:
    endpoint = parse_server_url("imaps://mail.example.jp")
    with pytest.raises(dataclasses.FrozenInstanceError):
        endpoint.port = 143  # type: ignore[misc]


def test_a_report_holds_tuples_not_dicts() -> None:
    finding = Finding(
        cause="PORT_SECURITY_MISMATCH",
        severity=Severity.ERROR,
        layer=Layer.TLS,
        server=ServerRole.OUTGOING,
        params=(("port", "587"), ("security", "ssl")),
        evidence=("220 smtp.example.jp ESMTP",),
    )
    consequence = Finding(
        cause="AUTH_FAILED",
        severity=Severity.ERROR,
        layer=Layer.AUTH,
        server=ServerRole.OUTGOING,
        consequence_of="PORT_SECURITY_MISMATCH",
    )
    typed = MailSettings(
        incoming=parse_server_url("imaps://imap.example.jp"),
        outgoing=parse_server_url("smtps://smtp.example.jp:587"),
        username="taro@example.jp",
    )
    report = Report(
        address="taro@example.jp",
        verdict=Verdict.PROBLEMS,
        findings=(finding, consequence),
        checks=(CheckResult("smtp.greeting", ServerRole.OUTGOING, CheckStatus.FAIL, 12),),
        elapsed_ms=840,
        typed_settings=typed,
        recommended_settings=None,
    )
    assert report.findings[1].consequence_of == report.findings[0].cause
    assert finding.param("port") == "587"
    assert finding.param("missing") is None
    assert hash(report) == hash(dataclasses.replace(report))  # hashable all the way down
