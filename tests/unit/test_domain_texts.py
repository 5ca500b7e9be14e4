"""The plain sentences of the domain checks' problem codes (domain/texts.py).

Every member of every problem enum has a text; a text names only values its problem
carries (for DomainProblem: the params the judges really pass, checked below against
problems the judges produce); every key ends in a text without placeholders; real
problems of each module render in English and Japanese.
"""

from __future__ import annotations

import asyncio
import gettext
import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest

from maildoctor.domain.blocklists import (
    MAILSPIKE,
    PSBL,
    SPAMCOP,
    SPAMHAUS_ZEN,
    BlocklistFacts,
    BlocklistProblem,
    ListSelfTest,
    decode,
    judge_blocklists,
)
from maildoctor.domain.dkim import DkimProblem, DkimProblemCode, check_dkim_key
from maildoctor.domain.dmarc import DmarcProblem, DmarcProblemCode, check_dmarc_record, discover_dmarc
from maildoctor.domain.mtasts import (
    StsProblem,
    StsProblemCode,
    check_sts_policy,
    check_sts_record,
    check_tlsrpt_record,
)
from maildoctor.domain.mx import DomainProblem, MxProblem, judge_mx, lookup_mx_facts, reverse_name
from maildoctor.domain.registration import (
    RdapDomain,
    RdapOutcome,
    RegistrationFacts,
    RegistrationProblem,
    judge_registration,
    whois_hint,
)
from maildoctor.domain.spf import (
    ChainStep,
    PolicyIssue,
    PolicyProblem,
    SpfError,
    SpfErrorKind,
    analyze_spf_policy,
    check_host,
)
from maildoctor.domain.spf_record import SpfResult, SyntaxIssue
from maildoctor.domain.spf_suite import ZoneDataSource
from maildoctor.domain.texts import (
    KINDS,
    PROBLEM_TEXTS,
    Problem,
    problem_key,
    problem_text,
    problem_values,
    render_problem,
)
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.i18n import Language, Translator, get_translator
from maildoctor.knowledge import placeholders
from maildoctor.model import Severity

OK, NX, NODATA, SERVFAIL = DnsOutcome.OK, DnsOutcome.NXDOMAIN, DnsOutcome.NODATA, DnsOutcome.SERVFAIL
NOW = datetime(2025, 6, 1, tzinfo=UTC)
ENGLISH, JAPANESE = get_translator("en"), get_translator("ja")

# Every problem code enum of the domain checks and the kind of key it gives. A new enum
# belongs here and in texts.KINDS.
ENUMS: dict[type[StrEnum], str] = {
    MxProblem: "mx",
    BlocklistProblem: "blocklist",
    RegistrationProblem: "registration",
    DmarcProblemCode: "dmarc",
    DkimProblemCode: "dkim",
    StsProblemCode: "sts",
    PolicyIssue: "spf",
    SpfErrorKind: "spf-check",
    SyntaxIssue: "spf-syntax",
    SpfResult: "spf-result",
}

# The params each DomainProblem code carries, as mx.py, blocklists.py and registration.py
# pass them to problem(); test_the_params_table_is_what_the_judges_pass holds them to it.
_PTR = frozenset({"host", "address", "family"})
_BL = frozenset({"address", "list", "zone"})
_BL_LISTED = _BL | {"codes", "labels", "meaning", "lookup_url"}
DOMAIN_PARAMS: dict[str, frozenset[str]] = {
    "mx:DOMAIN_NXDOMAIN": frozenset({"domain"}),
    "mx:MX_LOOKUP_FAILED": frozenset({"domain", "outcome"}),
    "mx:NO_MX_IMPLICIT": frozenset({"domain", "addresses"}),
    "mx:NO_MAIL_HOST": frozenset({"domain", "host"}),
    "mx:NULL_MX": frozenset({"domain"}),
    "mx:NULL_MX_MIXED": frozenset({"domain"}),
    "mx:NULL_MX_NONZERO": frozenset({"domain"}),
    "mx:MX_CNAME": frozenset({"domain", "host", "target"}),
    "mx:MX_IP_LITERAL": frozenset({"domain", "host", "address"}),
    "mx:MX_HOST_NXDOMAIN": frozenset({"domain", "host"}),
    "mx:MX_HOST_NO_ADDRESS": frozenset({"domain", "host"}),
    "mx:MX_HOST_LOOKUP_FAILED": frozenset({"domain", "host"}),
    "mx:MX_ADDRESS_NOT_PUBLIC": frozenset({"domain", "host", "address"}),
    "mx:PTR_MISSING": _PTR,
    "mx:PTR_NOT_CONFIRMED": _PTR | {"ptr"},
    "mx:PTR_LOOKUP_FAILED": _PTR | {"outcome"},
    "mx:PTR_GENERIC": _PTR | {"ptr"},
    "blocklist:IP_LISTED": _BL_LISTED,
    "blocklist:IP_POOR_REPUTATION": _BL_LISTED,
    "blocklist:IP_POLICY_LISTED": _BL_LISTED,
    "blocklist:LIST_REFUSED": _BL | {"codes", "meaning", "usage", "public_resolver"},
    "blocklist:LIST_UNANSWERED": _BL | {"outcome"},
    "blocklist:LIST_UNRELIABLE": frozenset({"list", "zone", "health"}),
    "registration:DOMAIN_EXPIRING": frozenset({"domain", "expires", "days", "registrar"}),
    "registration:DOMAIN_EXPIRED": frozenset({"domain", "expires", "days", "registrar"}),
    "registration:DOMAIN_ON_HOLD": frozenset({"domain", "statuses", "registrar"}),
    "registration:DOMAIN_PENDING_DELETE": frozenset({"domain", "statuses", "registrar"}),
    "registration:DOMAIN_NOT_REGISTERED": frozenset({"domain"}),
    "registration:RDAP_NO_SERVICE": frozenset({"domain", "tld", "service", "url", "note"}),
    "registration:RDAP_UNAVAILABLE": frozenset({"domain", "outcome"}),
}
# the fields the other problem dataclasses carry, by kind
FIELD_VALUES: dict[str, frozenset[str]] = {
    "dmarc": frozenset({"tag", "value"}),
    "dkim": frozenset({"selector", "tag"}),
    "sts": frozenset({"field"}),
    "spf": frozenset({"domain", "term"}),
    "spf-check": frozenset({"domain", "term", "dns_name", "dns_type"}),
    "spf-syntax": frozenset({"domain", "term", "dns_name", "dns_type"}),  # a PolicyProblem's or SpfError's
    "spf-result": frozenset({"domain", "ip"}),  # the SpfCheck of one sending IP
}


def known_names(key: str) -> frozenset[str]:
    kind = key.partition(":")[0]
    return DOMAIN_PARAMS[key] if kind in ("mx", "blocklist", "registration") else FIELD_VALUES[kind]


ALL_KEYS = [f"{kind}:{member.value}" for enum, kind in ENUMS.items() for member in enum]
SAMPLE_VALUES = {
    name: f"<{name}>"
    for key in PROBLEM_TEXTS
    for name in (DOMAIN_PARAMS.get(key) or FIELD_VALUES[key.partition(":")[0]])
}


# --------------------------------------------------------------------------- coverage


def test_every_enum_has_its_kind() -> None:
    assert dict(KINDS) == ENUMS
    assert len(set(ENUMS.values())) == len(ENUMS)


@pytest.mark.parametrize("enum", list(ENUMS), ids=lambda enum: enum.__name__)
def test_every_code_has_a_text(enum: type[StrEnum]) -> None:
    missing = [member.name for member in enum if f"{ENUMS[enum]}:{member.value}" not in PROBLEM_TEXTS]
    assert missing == [], f"{enum.__name__} codes without a text in domain/texts.py"


def test_no_text_without_a_code() -> None:
    assert set(PROBLEM_TEXTS) - set(ALL_KEYS) == set()


def test_the_params_table_covers_every_domain_problem_code() -> None:
    domain_keys = {key for key in ALL_KEYS if key.partition(":")[0] in ("mx", "blocklist", "registration")}
    assert set(DOMAIN_PARAMS) == domain_keys


# --------------------------------------------------------------------------- the texts themselves


@pytest.mark.parametrize("key", sorted(PROBLEM_TEXTS))
def test_texts_name_only_known_values_and_end_plain(key: str) -> None:
    texts = PROBLEM_TEXTS[key]
    assert texts, key
    assert len(set(texts)) == len(texts), "the same text twice"
    for text in texts:
        assert placeholders(text) <= known_names(key), text
        assert text == text.strip() and text.endswith("."), text
    assert placeholders(texts[-1]) == frozenset(), f"{key}: the last text must need no value"
    # most exact first: each text needs no value the one before it lacked
    for exact, plainer in itertools.pairwise(texts):
        assert placeholders(plainer) <= placeholders(exact), (exact, plainer)


@pytest.mark.parametrize("key", sorted(PROBLEM_TEXTS))
@pytest.mark.parametrize("translator", [ENGLISH, JAPANESE], ids=["en", "ja"])
def test_every_key_renders_with_and_without_values(key: str, translator: Translator) -> None:
    full = problem_text(key, SAMPLE_VALUES, translator)
    plain = problem_text(key, {}, translator)
    assert full and plain
    assert "{" not in full and "{" not in plain
    assert plain == translator.gettext(PROBLEM_TEXTS[key][-1])


def test_the_most_exact_text_that_can_be_filled_in_wins() -> None:
    values = {"host": "alias.example.jp", "target": "mail.example.jp"}
    assert problem_text("mx:MX_CNAME", values, ENGLISH) == (
        "The MX record names alias.example.jp, an alias (CNAME) of mail.example.jp, instead of a mail "
        "server's own name; some senders then cannot deliver mail to this domain."
    )
    assert problem_text("mx:MX_CNAME", {"host": "alias.example.jp"}, ENGLISH) == (
        "The MX record names an alias (CNAME) instead of a mail server's own name; some senders then "
        "cannot deliver mail to this domain."
    )
    assert problem_text("mx:NO_SUCH_CODE", values, ENGLISH) is None


class _Catalog(gettext.NullTranslations):
    """A catalog of a few made-up translations, to see the translated text filled in."""

    def __init__(self, messages: Mapping[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)


def test_the_translation_is_filled_in() -> None:
    exact, plain = PROBLEM_TEXTS["dkim:revoked"]
    catalog = _Catalog(
        {exact: "セレクター{selector}の鍵は取り消されています。", plain: "鍵は取り消されています。"}
    )
    translator = Translator(Language.JA, catalog)
    assert (
        problem_text("dkim:revoked", {"selector": "s1"}, translator)
        == "セレクターs1の鍵は取り消されています。"
    )
    assert problem_text("dkim:revoked", {}, translator) == "鍵は取り消されています。"


# --------------------------------------------------------------------------- real problems


class FakeDns:
    """A DnsClient stand-in: (name, type) -> (outcome, answers); NXDOMAIN otherwise."""

    def __init__(self, table: Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]) -> None:
        self.table = {(name.lower().rstrip("."), rdtype): value for (name, rdtype), value in table.items()}

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        outcome, answers = self.table.get((name.lower().rstrip("."), rdtype), (NX, ()))
        return DnsLookup(name, rdtype, outcome, answers)


def mx_problems(table: Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]) -> list[DomainProblem]:
    facts = asyncio.run(lookup_mx_facts("example.jp", FakeDns(table), timeout=5))  # type: ignore[arg-type]
    return list(judge_mx(facts))


def host(
    name: str, *addresses: str, cname: str | None = None
) -> dict[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]:
    v4 = tuple(a for a in addresses if ":" not in a)
    v6 = tuple(a for a in addresses if ":" in a)
    return {
        (name, "CNAME"): (OK, (cname,)) if cname else (NODATA, ()),
        (name, "A"): (OK, v4) if v4 else (NODATA, ()),
        (name, "AAAA"): (OK, v6) if v6 else (NODATA, ()),
    }


def all_mx_problems() -> list[DomainProblem]:
    busy = {
        ("example.jp", "MX"): (
            OK,
            (
                "10 alias.example.jp.",
                "20 ghost.example.jp.",
                "30 empty.example.jp.",
                "40 broken.example.jp.",
                "50 inside.example.jp.",
                "60 192.0.2.1.",
                "70 home.example.jp.",
            ),
        ),
        **host("alias.example.jp", "8.8.4.10", cname="mail.example.jp."),
        ("ghost.example.jp", "A"): (NX, ()),
        ("ghost.example.jp", "AAAA"): (NX, ()),
        **host("empty.example.jp"),
        ("broken.example.jp", "A"): (SERVFAIL, ()),
        ("broken.example.jp", "AAAA"): (SERVFAIL, ()),
        **host("inside.example.jp", "10.0.0.25"),
        **host("home.example.jp", "8.8.4.20", "8.8.4.30"),
        # alias: no PTR; 10.0.0.25: PTR fails; .20: generic and not confirmed; .30: not confirmed
        (reverse_name("10.0.0.25"), "PTR"): (SERVFAIL, ()),
        (reverse_name("8.8.4.20"), "PTR"): (OK, ("20-4-8-8.pool.example.net.",)),
        (reverse_name("8.8.4.30"), "PTR"): (OK, ("other.example.net.",)),
    }
    implicit = {("example.jp", "MX"): (NODATA, ()), **host("example.jp", "8.8.4.40")}
    nothing = {("example.jp", "MX"): (NODATA, ()), **host("example.jp")}
    failing = {
        ("example.jp", "MX"): (NODATA, ()),
        ("example.jp", "A"): (SERVFAIL, ()),
        ("example.jp", "AAAA"): (SERVFAIL, ()),
    }
    null_five = {("example.jp", "MX"): (OK, ("5 .",))}
    mixed = {
        ("example.jp", "MX"): (OK, ("0 .", "10 alias.example.jp.")),
        **host("alias.example.jp", "8.8.4.10"),
    }
    tables: list[Mapping[tuple[str, str], tuple[DnsOutcome, tuple[str, ...]]]] = [
        busy,
        implicit,
        nothing,
        failing,
        null_five,
        mixed,
        {},
        {("example.jp", "MX"): (SERVFAIL, ())},
    ]
    return [problem for table in tables for problem in mx_problems(table)]


def all_blocklist_problems() -> list[DomainProblem]:
    address = "192.0.2.1"

    def answer(blocklist_answer: str | None, outcome: DnsOutcome = OK) -> DnsLookup:
        return DnsLookup("q", "A", outcome, (blocklist_answer,) if blocklist_answer else ())

    answers = (
        decode(SPAMHAUS_ZEN, address, answer("127.0.0.2")),
        decode(MAILSPIKE, address, answer("127.0.0.11")),
        decode(PSBL, address, answer(None, DnsOutcome.TIMEOUT)),
    )
    policy = decode(SPAMHAUS_ZEN, "192.0.2.2", answer("127.0.0.10"))
    refused = decode(SPAMHAUS_ZEN, "192.0.2.3", answer("127.255.255.254"))
    broken = ListSelfTest(
        SPAMCOP,
        decode(SPAMCOP, "127.0.0.2", answer("127.0.0.2")),
        decode(SPAMCOP, "127.0.0.1", answer("127.0.0.2")),
    )
    facts = BlocklistFacts((address, "192.0.2.2", "192.0.2.3"), (*answers, policy, refused), (broken,))
    return list(judge_blocklists(facts, resolvers=["8.8.8.8"]))


def all_registration_problems() -> list[DomainProblem]:
    def found(record: RdapDomain) -> RegistrationFacts:
        return RegistrationFacts(
            "example.com", RdapOutcome.FOUND, "https://rdap.example/domain/example.com", 200, record
        )

    records = [
        RdapDomain("example.com", expires=NOW + timedelta(days=10), registrar="Example Registrar"),
        RdapDomain("example.com", expires=NOW - timedelta(days=2)),
        RdapDomain("example.com", statuses=("client hold",)),
        RdapDomain("example.com", statuses=("redemption period",)),
    ]
    facts = [found(record) for record in records] + [
        RegistrationFacts("example.jp", RdapOutcome.NO_SERVICE, whois=whois_hint("example.jp")),
        RegistrationFacts("gone.com", RdapOutcome.NOT_FOUND, "https://rdap.example/domain/gone.com", 404),
        RegistrationFacts("example.com", RdapOutcome.RATE_LIMITED),
    ]
    return [problem for item in facts for problem in judge_registration(item, NOW, resolves=False)]


def domain_problems() -> list[DomainProblem]:
    return all_mx_problems() + all_blocklist_problems() + all_registration_problems()


def test_the_params_table_is_what_the_judges_pass() -> None:
    seen: dict[str, frozenset[str]] = {}
    for problem in domain_problems():
        key = problem_key(problem)
        names = frozenset(name for name, _ in problem.params)
        assert names == DOMAIN_PARAMS[key], key
        seen[key] = names
    assert set(seen) == set(DOMAIN_PARAMS), "codes no scenario here produced"


def dmarc_problems() -> list[DmarcProblem]:
    records = [
        "v=DMARC1; p=quarantine; pct=50; foo=bar",
        "v=DMARC1; p=reject; sp=none; rua=https://example.jp/r; t=y",
        "v=DMARC1; p=maybe",
        "v=DMARC1; p=none; p=reject",
        "v=spf1 -all",
        "v=DMARC1; p=quarantine; rua=dmarc@example.jp",
        "v=DMARC1; rua=mailto:d@example.jp; p=reject",
    ]
    found = [problem for record in records for problem in check_dmarc_record(record, "example.jp").problems]

    async def lookup(name: str) -> DnsLookup:
        if name == "_dmarc.example.jp":
            return DnsLookup(name, "TXT", OK, ('"v=DMARC1; p=reject; rua=mailto:r@reports.example.net"',))
        return DnsLookup(name, "TXT", NX, ())

    found += asyncio.run(discover_dmarc("example.jp", lookup)).problems
    found += asyncio.run(discover_dmarc("none.example", lookup)).problems
    return found


def dkim_problems() -> list[DkimProblem]:
    records = [
        "v=DKIM1; k=rsa; p=",
        "v=DKIM1; p=!!!",
        "k=dsa; p=AAAA; t=y:s",
        "v=DKIM1; h=sha1; s=tls; p=AAAA",
    ]
    return [problem for record in records for problem in check_dkim_key(record, "s1", "example.jp").problems]


def sts_problems() -> list[StsProblem]:
    policy = "version: STSv1\nmode: testing\nmx: mx1.example.jp\nmax_age: 60\nextra: 1\n"
    found = list(check_sts_policy(policy, ["mx1.example.jp", "mx2.example.jp"])[1])
    found += check_sts_record("v=STSv1; id=abc!", "example.jp")[1]
    found += check_tlsrpt_record("v=TLSRPTv1; rua=ftp://example.jp", "example.jp")[1]
    return found


def spf_problems() -> list[PolicyProblem | SpfError]:
    found: list[PolicyProblem | SpfError] = []
    for record in ("v=spf1 a:1.2.3.4 -all", "v=spf1 ptr +all", "v=spf1 mx include:gone.example.jp"):
        zone = {
            "example.jp": [{"TXT": record}, {"MX": [10, "mx.example.jp"]}],
            "mx.example.jp": [{"A": "192.0.2.25"}],
        }
        found += asyncio.run(analyze_spf_policy(ZoneDataSource(zone), "example.jp")).problems
    found.append(
        SpfError(
            SpfErrorKind.TOO_MANY_LOOKUPS,
            "_spf.provider.test",
            "include:_spf.eleventh.test",
            (ChainStep("example.jp", "include:_spf.provider.test"),),
        )
    )
    found.append(
        SpfError(SpfErrorKind.DNS_ERROR, "example.jp", "mx", (), dns_name="example.jp", dns_type="MX")
    )
    return found


def real_problems() -> list[Problem]:
    return [*domain_problems(), *dmarc_problems(), *dkim_problems(), *sts_problems(), *spf_problems()]


@pytest.mark.parametrize("translator", [ENGLISH, JAPANESE], ids=["en", "ja"])
def test_real_problems_render(translator: Translator) -> None:
    for problem in real_problems():
        key = problem_key(problem)
        text = render_problem(problem, translator)
        assert text, key
        assert "{" not in text, (key, text)


def test_real_problems_use_their_values() -> None:
    rendered = {problem_key(p): render_problem(p, ENGLISH) or "" for p in real_problems()}
    assert "mail.example.jp" in rendered["mx:MX_CNAME"]
    assert "Spamhaus ZEN" in rendered["blocklist:IP_LISTED"]
    assert "a known spam source" in rendered["blocklist:IP_LISTED"]  # the list's meaning, translated
    assert "Google Public DNS" in rendered["blocklist:LIST_REFUSED"]
    assert "no answer (timeout)" in rendered["blocklist:LIST_UNANSWERED"]  # the outcome in words
    assert "JPRS WHOIS" in rendered["registration:RDAP_NO_SERVICE"]
    assert "foo=" in rendered["dmarc:unknown_tag"]
    assert "50 percent" in rendered["dmarc:partial_policy"]
    assert "reports.example.net" in rendered["dmarc:external_report_unverified"]
    assert "s1" in rendered["dkim:revoked"]
    assert "include:_spf.eleventh.test" in rendered["spf-check:too-many-lookups"]
    assert "a:1.2.3.4" in rendered["spf-syntax:bad-domain-spec"]


# --------------------------------------------------------------------------- keys and values


def test_problem_key_of_each_kind() -> None:
    assert problem_key(DmarcProblem(DmarcProblemCode.NO_RECORD, Severity.WARNING, None)) == "dmarc:no_record"
    assert problem_key(DkimProblem(DkimProblemCode.REVOKED, Severity.WARNING, "p=")) == "dkim:revoked"
    assert (
        problem_key(StsProblem(StsProblemCode.POLICY_REDIRECT, Severity.ERROR, None)) == "sts:policy_redirect"
    )
    plain = PolicyProblem(PolicyIssue.TOO_MANY_LOOKUPS, "example.jp", "mx", ())
    assert problem_key(plain) == "spf:too-many-lookups"
    syntax = PolicyProblem(PolicyIssue.SYNTAX, "example.jp", "ip4:1.2.3", (), SyntaxIssue.BAD_IP4)
    assert problem_key(syntax) == "spf-syntax:bad-ip4"
    assert problem_key(SpfError(SpfErrorKind.SYNTAX, "example.jp", "x", ())) == "spf-check:syntax"


def test_values_leave_out_empty_ones_and_translate_words() -> None:
    (refused,) = [p for p in all_blocklist_problems() if p.code is BlocklistProblem.LIST_REFUSED]
    values = problem_values(refused, ENGLISH)
    assert values["public_resolver"] == "Google Public DNS"
    (unreliable,) = [p for p in all_blocklist_problems() if p.code is BlocklistProblem.LIST_UNRELIABLE]
    assert set(problem_values(unreliable, ENGLISH)) == {"list", "zone", "health"}
    expired = next(p for p in all_registration_problems() if p.code is RegistrationProblem.DOMAIN_EXPIRED)
    assert "registrar" not in problem_values(expired, ENGLISH)  # no registrar in the record
    dmarc = DmarcProblem(DmarcProblemCode.SYNTAX, Severity.ERROR, "v=DMARC1; x", tag=None, value="")
    assert problem_values(dmarc, ENGLISH) == {}


def test_the_result_for_one_sending_ip_renders() -> None:
    zone = {"example.jp": [{"TXT": "v=spf1 ip4:192.0.2.25 ~all"}]}
    check = asyncio.run(check_host(ZoneDataSource(zone), "198.51.100.7", "example.jp", "taro@example.jp"))
    key = f"spf-result:{check.result.value}"
    assert key == "spf-result:softfail"
    text = problem_text(key, {"domain": check.domain, "ip": check.ip}, ENGLISH)
    assert text is not None and "198.51.100.7" in text and "example.jp" in text
