"""SRV records to candidates (RFC 6186, RFC 8314): parsing, "." as "not offered", the order."""

from __future__ import annotations

import pytest

from maildoctor.discover.candidates import ServerCandidate, Source
from maildoctor.discover.mx import order_mx
from maildoctor.discover.srv import SRV_SERVICES, SrvRecord, srv_candidates
from maildoctor.model import Protocol, Security

ADDRESS = "taro@example.test"


def rec(text: str) -> SrvRecord:
    return SrvRecord.parse(text)


def kinds(candidates: tuple[ServerCandidate, ...]) -> list[tuple[str, str, int, str]]:
    return [(c.protocol.value, c.host, c.port, c.security.value) for c in candidates]


def test_parse_srv_text() -> None:
    assert rec("0 1 993 Mail.Example.Test.") == SrvRecord(0, 1, 993, "mail.example.test")
    assert rec("0 0 0 .").not_offered
    for bad in ("", "0 1 993", "a 1 993 mail.", "0 1 993 mail. extra"):
        with pytest.raises(ValueError):
            SrvRecord.parse(bad)


def test_labels_map_to_protocol_and_security() -> None:
    table = {s.label: (s.protocol, s.security) for s in SRV_SERVICES}
    assert table == {
        "_submissions._tcp": (Protocol.SMTP, Security.SSL),
        "_submission._tcp": (Protocol.SMTP, Security.STARTTLS),
        "_imaps._tcp": (Protocol.IMAP, Security.SSL),
        "_imap._tcp": (Protocol.IMAP, Security.STARTTLS),
        "_pop3s._tcp": (Protocol.POP3, Security.SSL),
        "_pop3._tcp": (Protocol.POP3, Security.STARTTLS),
    }


def test_priority_then_implicit_tls_then_imap_then_weight() -> None:
    found = srv_candidates(
        {
            "_imap._tcp": [rec("0 1 143 mail.example.test.")],
            "_imaps._tcp": [rec("10 1 993 backup.example.test."), rec("0 1 993 mail.example.test.")],
            "_pop3s._tcp": [rec("0 5 995 pop.example.test."), rec("0 50 995 pop2.example.test.")],
            "_pop3._tcp": [rec("0 1 110 pop.example.test.")],
            "_submission._tcp": [rec("0 1 587 smtp.example.test.")],
            "_submissions._tcp": [rec("5 1 465 smtp.example.test.")],
        },
        ADDRESS,
    )
    assert kinds(found.incoming) == [
        ("imap", "mail.example.test", 993, "ssl"),  # priority 0, implicit TLS, IMAP
        ("pop3", "pop2.example.test", 995, "ssl"),  # implicit TLS POP3, heavier weight first
        ("pop3", "pop.example.test", 995, "ssl"),
        ("imap", "mail.example.test", 143, "starttls"),
        ("pop3", "pop.example.test", 110, "starttls"),
        ("imap", "backup.example.test", 993, "ssl"),  # priority 10 last
    ]
    # priority first: STARTTLS at 0 beats implicit TLS at 5
    assert kinds(found.outgoing) == [
        ("smtp", "smtp.example.test", 587, "starttls"),
        ("smtp", "smtp.example.test", 465, "ssl"),
    ]
    assert all(c.source is Source.SRV and c.username == ADDRESS for c in found.incoming + found.outgoing)
    assert found.not_offered == ()


def test_equal_priority_prefers_implicit_tls() -> None:
    found = srv_candidates(
        {
            "_submission._tcp": [rec("0 1 587 smtp.example.test.")],
            "_submissions._tcp": [rec("0 1 465 smtp.example.test.")],
        },
        ADDRESS,
    )
    assert [c.port for c in found.outgoing] == [465, 587]


def test_dot_target_means_not_offered() -> None:
    found = srv_candidates(
        {
            "_pop3._tcp": [rec("0 0 0 .")],
            "_pop3s._tcp": [rec("0 0 0 .")],
            "_imaps._tcp": [rec("0 1 993 mail.example.test."), rec("5 0 0 .")],  # a stray "."
        },
        ADDRESS,
    )
    assert kinds(found.incoming) == [("imap", "mail.example.test", 993, "ssl")]
    assert found.not_offered == ("_pop3s._tcp", "_pop3._tcp")
    assert found.outgoing == ()


def test_duplicates_and_bad_ports_dropped_unknown_label_refused() -> None:
    found = srv_candidates(
        {
            "_imaps._tcp": [
                rec("0 1 993 mail.example.test."),
                rec("1 1 993 mail.example.test."),
                rec("0 1 0 x."),
            ]
        },
        ADDRESS,
    )
    assert kinds(found.incoming) == [("imap", "mail.example.test", 993, "ssl")]
    with pytest.raises(ValueError):
        srv_candidates({"_ldap._tcp": []}, ADDRESS)


def test_mx_order_and_null_mx() -> None:
    records, null = order_mx(["20 b.example.test.", "10 Z.example.test.", "10 a.example.test.", "junk"])
    assert [r.exchange for r in records] == ["a.example.test", "z.example.test", "b.example.test"]
    assert not null
    records, null = order_mx(["0 ."])
    assert null
    records, null = order_mx(["0 .", "10 mail.example.test."])  # not a null MX: "." dropped
    assert not null and [r.exchange for r in records] == ["mail.example.test"]
