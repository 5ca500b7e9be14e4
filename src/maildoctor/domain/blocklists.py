"""DNS blocklists (DNSBLs): the sending IPs asked against the major lists, the answers decoded.

Off by default (`--blocklists`): every list has usage rules (volume limits, no queries
through public resolvers, registration of the querying resolver, no commercial use
without a subscription), and a query tells the list's operator which address was asked.

The query (RFC 5782 section 2.1 and 2.4): an IPv4 address's octets reversed
(``2.0.0.127.zen.spamhaus.org``), an IPv6 address's 32 nibbles reversed, then the list's
zone; an A record in 127.0.0.0/8 means "listed", its value says why (the list's own table
below), NXDOMAIN means "not listed". The outcomes are kept apart, so that nothing is called
clean that was not looked at:

* LISTED: a listing code (decoded with the list's table; an unknown 127.x is still listed);
* NOT_LISTED: NXDOMAIN (or no A record) from the list;
* REFUSED: the list answered with one of its error codes (Spamhaus: 127.255.255.254 "query
  through a public/open resolver", 127.255.255.255 "too many queries", 127.255.255.252 "a
  typing error in the list's name"), or a DNS REFUSED: the list refused *us*, which says
  nothing about the address;
* TIMEOUT: no answer in time, so the address is not known to be clean;
* ERROR: SERVFAIL, or an answer outside 127.0.0.0/8 (what a list whose domain has lapsed
  gives: Exim ignores such answers too);
* NOT_APPLICABLE: an IPv6 address and a list that only lists IPv4.

A self-test per list (RFC 5782 section 5: 127.0.0.2 must be listed, 127.0.0.1 must not)
catches a list that answers every query with "listed" (a lapsed or wildcarded domain) or
that answers nothing useful (refusing us): its answers are then marked unreliable.

Table notes: each list's return codes and rules as its operator describes them, checked
where `recalled` is False against the operator's pages (Spamhaus: its DNSBL usage FAQ and
the zones table of its technical documentation; Mailspike: its usage page; Barracuda: its
how-to page, 127.0.0.2 and the registered resolver). `recalled=True`:
from memory, not re-checked; treat the details with care. A Japanese list: RBL.JP
(all.rbl.jp and friends) was the well-known one, but its pages date from 2005-2008 and its
current operation could not be confirmed, so it is not in the table.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.domain.mx import DomainProblem, lookup_lines, problem
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.i18n import N_
from maildoctor.model import Severity
from maildoctor.net.resolver import DnsClient

_LOOPBACK_NET = ipaddress.ip_network("127.0.0.0/8")


class ListingKind(StrEnum):
    SPAM = "spam"  # seen sending spam, or a spam operation's network
    EXPLOIT = "exploit"  # an infected or hijacked machine, an open proxy
    POLICY = "policy"  # a range not meant to send to other mail servers directly (end users)
    REPUTATION = "reputation"  # a poor reputation score
    QUERY_ERROR = "query_error"  # not a listing: the list refused or could not answer the query


@dataclass(frozen=True, slots=True)
class ReturnCode:
    address: str  # the A record the list answers, "127.0.0.2"
    label: str  # the list's own short name for it: "SBL", "XBL", "PBL"...
    kind: ListingKind
    meaning: str  # English message id (N_), translated where shown


@dataclass(frozen=True, slots=True)
class Blocklist:
    key: str  # stable id, "spamhaus-zen"
    name: str  # "Spamhaus ZEN"
    zone: str  # "zen.spamhaus.org"
    codes: tuple[ReturnCode, ...]
    usage: str  # English message id (N_): the list's usage rules, in short
    lookup_url: str  # where a person looks the address up and asks for removal
    ipv6: bool = False  # the list also lists IPv6 addresses
    recalled: bool = False  # True: from memory, not checked against the operator's pages
    unknown_kind: ListingKind = ListingKind.SPAM  # the kind of a 127.x code not in the table

    def code(self, address: str) -> ReturnCode | None:
        return next((code for code in self.codes if code.address == address), None)


_LISTED = N_("Listed")

SPAMHAUS_ZEN: Final = Blocklist(
    key="spamhaus-zen",
    name="Spamhaus ZEN",
    zone="zen.spamhaus.org",
    codes=(
        ReturnCode(
            "127.0.0.2", "SBL", ListingKind.SPAM, N_("Spamhaus SBL: a known spam source or spam operation")
        ),
        ReturnCode(
            "127.0.0.3",
            "CSS",
            ListingKind.SPAM,
            N_("Spamhaus CSS: sent low-reputation or snowshoe mail (automatic)"),
        ),
        ReturnCode(
            "127.0.0.4",
            "XBL",
            ListingKind.EXPLOIT,
            N_("Spamhaus XBL: an infected or hijacked machine (exploit)"),
        ),
        # 127.0.0.5-7: XBL, "currently unused" in Spamhaus' zones table; kept so that an old
        # answer still decodes as the XBL it was
        ReturnCode(
            "127.0.0.5",
            "XBL",
            ListingKind.EXPLOIT,
            N_("Spamhaus XBL: an infected or hijacked machine (exploit)"),
        ),
        ReturnCode(
            "127.0.0.6",
            "XBL",
            ListingKind.EXPLOIT,
            N_("Spamhaus XBL: an infected or hijacked machine (exploit)"),
        ),
        ReturnCode(
            "127.0.0.7",
            "XBL",
            ListingKind.EXPLOIT,
            N_("Spamhaus XBL: an infected or hijacked machine (exploit)"),
        ),
        ReturnCode(
            "127.0.0.9",
            "DROP",
            ListingKind.SPAM,
            N_("Spamhaus DROP: a network run by criminals (Don't Route Or Peer)"),
        ),
        ReturnCode(
            "127.0.0.10",
            "PBL",
            ListingKind.POLICY,
            N_(
                "Spamhaus PBL (set by the ISP): an end-user address that should send through "
                "its provider's server"
            ),
        ),
        ReturnCode(
            "127.0.0.11",
            "PBL",
            ListingKind.POLICY,
            N_("Spamhaus PBL: an end-user address that should send through its provider's server"),
        ),
        ReturnCode("127.0.0.30", "BCL", ListingKind.EXPLOIT, N_("Spamhaus BCL: a botnet controller")),
        ReturnCode(
            "127.255.255.252",
            "error",
            ListingKind.QUERY_ERROR,
            N_("Spamhaus refused the query: the list's name was mistyped"),
        ),
        ReturnCode(
            "127.255.255.254",
            "error",
            ListingKind.QUERY_ERROR,
            N_("Spamhaus refused the query: it came through a public or open DNS resolver"),
        ),
        ReturnCode(
            "127.255.255.255",
            "error",
            ListingKind.QUERY_ERROR,
            N_("Spamhaus refused the query: too many queries from this resolver"),
        ),
    ),
    usage=N_(
        "Free for low-volume, non-commercial use through your own DNS resolver; queries through "
        "public resolvers (8.8.8.8, 1.1.1.1 and the like) are refused. Commercial use needs "
        "Spamhaus' Data Query Service."
    ),
    lookup_url="https://check.spamhaus.org/",
    ipv6=True,
)

SPAMCOP: Final = Blocklist(
    key="spamcop",
    name="SpamCop",
    zone="bl.spamcop.net",
    codes=(
        ReturnCode(
            "127.0.0.2", "SCBL", ListingKind.SPAM, N_("SpamCop: reported by recipients as sending spam")
        ),
    ),
    usage=N_("Free; listings expire on their own about a day after the last spam report."),
    lookup_url="https://www.spamcop.net/bl.shtml",
    recalled=True,
)

BARRACUDA: Final = Blocklist(
    key="barracuda",
    name="Barracuda BRBL",
    zone="b.barracudacentral.org",
    codes=(ReturnCode("127.0.0.2", "BRBL", ListingKind.SPAM, N_("Barracuda: seen sending spam")),),
    usage=N_("Free, but the DNS resolver that asks must be registered with Barracuda first."),
    lookup_url="https://www.barracudacentral.org/lookups",
)

UCEPROTECT_L1: Final = Blocklist(
    key="uceprotect-1",
    name="UCEPROTECT Level 1",
    zone="dnsbl-1.uceprotect.net",
    codes=(
        ReturnCode(
            "127.0.0.2", "L1", ListingKind.SPAM, N_("UCEPROTECT Level 1: this address sent spam to its traps")
        ),
    ),
    usage=N_("Level 1 lists single addresses; a listing expires on its own some days after the last spam."),
    lookup_url="https://www.uceprotect.net/",
    recalled=True,
)

PSBL: Final = Blocklist(
    key="psbl",
    name="PSBL",
    zone="psbl.surriel.com",
    codes=(ReturnCode("127.0.0.2", "PSBL", ListingKind.SPAM, N_("PSBL: sent mail to its spam traps")),),
    usage=N_("Free; an address can be removed by its owner on the list's web site."),
    lookup_url="https://psbl.org/",
    recalled=True,
)

MAILSPIKE: Final = Blocklist(
    key="mailspike",
    name="Mailspike BL",
    zone="bl.mailspike.net",
    codes=(
        ReturnCode("127.0.0.2", "Z", ListingKind.SPAM, N_("Mailspike: part of a current spam wave")),
        ReturnCode(
            "127.0.0.10", "L5", ListingKind.REPUTATION, N_("Mailspike: the worst possible reputation")
        ),
        ReturnCode("127.0.0.11", "L4", ListingKind.REPUTATION, N_("Mailspike: a very bad reputation")),
        ReturnCode("127.0.0.12", "L3", ListingKind.REPUTATION, N_("Mailspike: a bad reputation")),
    ),
    usage=N_("Free for sites with up to 100,000 messages and 100,000 DNS queries a day."),
    lookup_url="https://mailspike.org/",
)

DEFAULT_BLOCKLISTS: Final = (SPAMHAUS_ZEN, SPAMCOP, BARRACUDA, UCEPROTECT_L1, PSBL, MAILSPIKE)

# Well-known public resolvers: the lists that refuse them (Spamhaus) answer 127.255.255.254.
PUBLIC_RESOLVERS: Final = MappingProxyType(
    {
        "8.8.8.8": "Google Public DNS",
        "8.8.4.4": "Google Public DNS",
        "2001:4860:4860::8888": "Google Public DNS",
        "2001:4860:4860::8844": "Google Public DNS",
        "1.1.1.1": "Cloudflare",
        "1.0.0.1": "Cloudflare",
        "2606:4700:4700::1111": "Cloudflare",
        "2606:4700:4700::1001": "Cloudflare",
        "9.9.9.9": "Quad9",
        "149.112.112.112": "Quad9",
        "2620:fe::fe": "Quad9",
        "208.67.222.222": "OpenDNS",
        "208.67.220.220": "OpenDNS",
    }
)


def public_resolver(address: str) -> str | None:
    """The operator's name when `address` is a well-known public resolver."""
    try:
        normal = str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        return None
    return PUBLIC_RESOLVERS.get(normal)


def query_name(address: str, zone: str) -> str:
    """The name to ask (RFC 5782): "1.2.0.192.zone." or the reversed IPv6 nibbles."""
    parsed = ipaddress.ip_address(address.strip("[]"))
    if parsed.version == 4:
        reversed_part = ".".join(reversed(str(parsed).split(".")))
    else:
        reversed_part = ".".join(reversed(parsed.exploded.replace(":", "")))
    return f"{reversed_part}.{zone.lower().strip('.')}."


# --------------------------------------------------------------------------- decoding


class ListStatus(StrEnum):
    LISTED = "listed"
    NOT_LISTED = "not_listed"
    REFUSED = "refused"  # the list refused the query: says nothing about the address
    TIMEOUT = "timeout"  # no answer in time: not known to be clean
    ERROR = "error"  # SERVFAIL or an answer that is no DNSBL answer
    NOT_APPLICABLE = "not_applicable"  # IPv6 address, IPv4-only list


@dataclass(frozen=True, slots=True)
class ListAnswer:
    """One address asked of one list, decoded."""

    blocklist: Blocklist
    address: str
    status: ListStatus
    codes: tuple[ReturnCode, ...] = ()  # the listing (or refusal) codes found in the table
    unknown: tuple[str, ...] = ()  # 127.x answers the table does not know (still a listing)
    lookup: DnsLookup | None = None  # None: not asked (NOT_APPLICABLE)
    txt: tuple[str, ...] = ()  # the list's TXT words for a listing (a reason, a URL)

    @property
    def kinds(self) -> tuple[ListingKind, ...]:
        kinds: list[ListingKind] = [
            code.kind for code in self.codes if code.kind is not ListingKind.QUERY_ERROR
        ]
        if self.unknown:
            kinds.append(self.blocklist.unknown_kind)
        return tuple(dict.fromkeys(kinds))


def decode(blocklist: Blocklist, address: str, lookup: DnsLookup, txt: Sequence[str] = ()) -> ListAnswer:
    """The lookup of `query_name(address, blocklist.zone)` as a ListAnswer. Pure."""
    outcome = lookup.outcome
    if outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NODATA):
        return ListAnswer(blocklist, address, ListStatus.NOT_LISTED, lookup=lookup)
    if outcome is DnsOutcome.TIMEOUT:
        return ListAnswer(blocklist, address, ListStatus.TIMEOUT, lookup=lookup)
    if outcome is DnsOutcome.REFUSED:
        return ListAnswer(blocklist, address, ListStatus.REFUSED, lookup=lookup)
    if outcome is not DnsOutcome.OK:
        return ListAnswer(blocklist, address, ListStatus.ERROR, lookup=lookup)
    listings: list[ReturnCode] = []
    refusals: list[ReturnCode] = []
    unknown: list[str] = []
    for answer in lookup.answers:
        try:
            value = ipaddress.ip_address(answer)
        except ValueError:
            continue  # not an address: no DNSBL answers this
        if value.version != 4 or value not in _LOOPBACK_NET:
            continue  # no DNSBL answers this: a lapsed list domain, a wildcard
        code = blocklist.code(str(value))
        if code is None:
            unknown.append(str(value))
        elif code.kind is ListingKind.QUERY_ERROR:
            refusals.append(code)
        else:
            listings.append(code)
    if listings or unknown:  # in address order: a list's answers come in any order
        ordered = tuple(sorted(listings, key=lambda code: ipaddress.ip_address(code.address)))
        others = tuple(sorted(unknown, key=ipaddress.ip_address))
        return ListAnswer(blocklist, address, ListStatus.LISTED, ordered, others, lookup, tuple(sorted(txt)))
    if refusals:
        return ListAnswer(blocklist, address, ListStatus.REFUSED, tuple(refusals), lookup=lookup)
    # only answers outside 127.0.0.0/8 (or none): not a DNSBL answer
    return ListAnswer(blocklist, address, ListStatus.ERROR, lookup=lookup)


class ListHealth(StrEnum):
    OK = "ok"  # 127.0.0.2 listed, 127.0.0.1 not
    ANSWERS_EVERYTHING = "answers_everything"  # 127.0.0.1 listed: every "listed" is void
    TEST_NOT_LISTED = "test_not_listed"  # 127.0.0.2 not listed: every "not listed" is doubtful
    REFUSED = "refused"  # the test queries were refused (public resolver, rate limit...)
    UNANSWERED = "unanswered"  # timeout or error on a test query
    NOT_TESTED = "not_tested"


@dataclass(frozen=True, slots=True)
class ListSelfTest:
    blocklist: Blocklist
    must_be_listed: ListAnswer  # 127.0.0.2
    must_not_be_listed: ListAnswer  # 127.0.0.1

    @property
    def health(self) -> ListHealth:
        return self_test_health(self.must_be_listed, self.must_not_be_listed)


def self_test_health(listed: ListAnswer, not_listed: ListAnswer) -> ListHealth:
    """RFC 5782 section 5: 127.0.0.2 must be listed and 127.0.0.1 must not. Pure."""
    statuses = {listed.status, not_listed.status}
    if not_listed.status is ListStatus.LISTED:
        return ListHealth.ANSWERS_EVERYTHING
    if ListStatus.REFUSED in statuses:
        return ListHealth.REFUSED
    if statuses & {ListStatus.TIMEOUT, ListStatus.ERROR}:
        return ListHealth.UNANSWERED
    if listed.status is not ListStatus.LISTED:
        return ListHealth.TEST_NOT_LISTED
    return ListHealth.OK


@dataclass(frozen=True, slots=True)
class BlocklistFacts:
    addresses: tuple[str, ...]
    answers: tuple[ListAnswer, ...]  # address by address, list by list, in the order given
    self_tests: tuple[ListSelfTest, ...] = ()  # one per list when asked for

    def health(self, blocklist: Blocklist) -> ListHealth:
        test = next((t for t in self.self_tests if t.blocklist.key == blocklist.key), None)
        return ListHealth.NOT_TESTED if test is None else test.health

    @property
    def listed(self) -> tuple[ListAnswer, ...]:
        return tuple(answer for answer in self.answers if answer.status is ListStatus.LISTED)


async def check_blocklists(
    addresses: Sequence[str],
    dns: DnsClient,
    *,
    lists: Sequence[Blocklist] = DEFAULT_BLOCKLISTS,
    lifetime: float = 5.0,
    self_test: bool = True,
) -> BlocklistFacts:
    """Ask every list about every address, all at once; never raises for what DNS does.

    A listed address's TXT record is asked for as well (its reason or removal URL).
    self_test: also ask each list about 127.0.0.2 and 127.0.0.1 (RFC 5782 section 5).
    Addresses that are not IP addresses are left out.
    """
    unique: list[str] = []
    for text in addresses:
        try:
            unique.append(str(ipaddress.ip_address(text.strip("[]"))))
        except ValueError:
            continue
    unique = list(dict.fromkeys(unique))
    pairs = [(address, blocklist) for address in unique for blocklist in lists]
    tests = list(lists) if self_test else []

    async def ask(address: str, blocklist: Blocklist) -> ListAnswer:
        if ipaddress.ip_address(address).version == 6 and not blocklist.ipv6:
            return ListAnswer(blocklist, address, ListStatus.NOT_APPLICABLE)
        name = query_name(address, blocklist.zone)
        lookup = await dns.lookup(name, "A", lifetime)
        answer = decode(blocklist, address, lookup)
        if answer.status is ListStatus.LISTED:
            txt = await dns.lookup(name, "TXT", lifetime)
            if txt.outcome is DnsOutcome.OK:
                answer = decode(blocklist, address, lookup, txt.answers)
        return answer

    async def test(blocklist: Blocklist) -> ListSelfTest:
        listed, not_listed = await asyncio.gather(
            ask_plain("127.0.0.2", blocklist), ask_plain("127.0.0.1", blocklist)
        )
        return ListSelfTest(blocklist, listed, not_listed)

    async def ask_plain(address: str, blocklist: Blocklist) -> ListAnswer:
        return decode(
            blocklist, address, await dns.lookup(query_name(address, blocklist.zone), "A", lifetime)
        )

    answers, self_tests = await asyncio.gather(
        asyncio.gather(*(ask(address, blocklist) for address, blocklist in pairs)),
        asyncio.gather(*(test(blocklist) for blocklist in tests)),
    )
    return BlocklistFacts(tuple(unique), tuple(answers), tuple(self_tests))


# --------------------------------------------------------------------------- judgement


class BlocklistProblem(StrEnum):
    IP_LISTED = "IP_LISTED"  # spam, exploit or botnet listing: mail from it is refused
    IP_POOR_REPUTATION = "IP_POOR_REPUTATION"  # a reputation list scores it badly
    IP_POLICY_LISTED = "IP_POLICY_LISTED"  # PBL: an end-user range (fine through a submission server)
    LIST_REFUSED = "LIST_REFUSED"  # the list refused our query: unknown, not clean
    LIST_UNANSWERED = "LIST_UNANSWERED"  # timeout or error: unknown, not clean
    LIST_UNRELIABLE = "LIST_UNRELIABLE"  # the list failed its self-test: its answers are not used


def judge_blocklists(
    facts: BlocklistFacts,
    *,
    direct_sending: bool = True,
    resolvers: Sequence[str] = (),
) -> tuple[DomainProblem, ...]:
    """What the answers mean for the sender. Pure.

    direct_sending: the addresses deliver straight to other domains' MX hosts (a mail
    server). False for a PC or phone that sends through its provider's submission server:
    there a policy listing (Spamhaus PBL) is normal and only mentioned (INFO).
    resolvers: the DNS resolvers used (--dns); a public one is named in a refusal.
    """
    public = next((name for name in (public_resolver(r) for r in resolvers) if name is not None), None)
    problems: list[DomainProblem] = []
    unreliable: set[str] = set()
    for test in facts.self_tests:
        health = test.health
        if health in (ListHealth.ANSWERS_EVERYTHING, ListHealth.TEST_NOT_LISTED):
            unreliable.add(test.blocklist.key)
            problems.append(
                problem(
                    BlocklistProblem.LIST_UNRELIABLE,
                    Severity.INFO,
                    None,
                    evidence=_answer_lines(test.must_be_listed) + _answer_lines(test.must_not_be_listed),
                    list=test.blocklist.name,
                    zone=test.blocklist.zone,
                    health=health.value,
                )
            )
    for answer in facts.answers:
        blocklist = answer.blocklist
        common: dict[str, str] = {
            "address": answer.address,
            "list": blocklist.name,
            "zone": blocklist.zone,
        }
        if blocklist.key in unreliable or answer.status in (ListStatus.NOT_LISTED, ListStatus.NOT_APPLICABLE):
            continue
        if answer.status is ListStatus.LISTED:
            problems.append(_listed_problem(answer, direct_sending, common))
        elif answer.status is ListStatus.REFUSED:
            problems.append(
                problem(
                    BlocklistProblem.LIST_REFUSED,
                    Severity.INFO,
                    None,
                    evidence=_answer_lines(answer),
                    codes=", ".join(code.address for code in answer.codes),
                    meaning=answer.codes[0].meaning if answer.codes else "",
                    usage=blocklist.usage,
                    public_resolver=public or "",
                    **common,
                )
            )
        else:
            problems.append(
                problem(
                    BlocklistProblem.LIST_UNANSWERED,
                    Severity.INFO,
                    None,
                    evidence=_answer_lines(answer),
                    outcome=answer.status.value,
                    **common,
                )
            )
    return tuple(problems)


def _listed_problem(answer: ListAnswer, direct_sending: bool, common: dict[str, str]) -> DomainProblem:
    kinds = set(answer.kinds)
    if kinds & {ListingKind.SPAM, ListingKind.EXPLOIT}:
        code, severity = BlocklistProblem.IP_LISTED, Severity.ERROR
    elif ListingKind.REPUTATION in kinds:
        code, severity = BlocklistProblem.IP_POOR_REPUTATION, Severity.WARNING
    else:
        code = BlocklistProblem.IP_POLICY_LISTED
        severity = Severity.ERROR if direct_sending else Severity.INFO
    listed_codes = [code_.address for code_ in answer.codes] + list(answer.unknown)
    meanings = [code_.meaning for code_ in answer.codes] + [_LISTED] * len(answer.unknown)
    return problem(
        code,
        severity,
        CauseCode.IP_BLOCKLISTED if severity is not Severity.INFO else None,
        evidence=_answer_lines(answer) + tuple(f"TXT {text}" for text in answer.txt),
        codes=", ".join(listed_codes),
        labels=", ".join(dict.fromkeys(code_.label for code_ in answer.codes)),
        meaning=meanings[0],
        lookup_url=answer.blocklist.lookup_url,
        **common,
    )


def _answer_lines(answer: ListAnswer) -> tuple[str, ...]:
    if answer.lookup is None:
        return ()
    return lookup_lines(answer.lookup)


__all__ = [
    "BARRACUDA",
    "DEFAULT_BLOCKLISTS",
    "MAILSPIKE",
    "PSBL",
    "PUBLIC_RESOLVERS",
    "SPAMCOP",
    "SPAMHAUS_ZEN",
    "UCEPROTECT_L1",
    "Blocklist",
    "BlocklistFacts",
    "BlocklistProblem",
    "ListAnswer",
    "ListHealth",
    "ListSelfTest",
    "ListStatus",
    "ListingKind",
    "ReturnCode",
    "check_blocklists",
    "decode",
    "judge_blocklists",
    "public_resolver",
    "query_name",
    "self_test_health",
]
