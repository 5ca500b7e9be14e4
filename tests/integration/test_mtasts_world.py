"""postfix-mta-sts-resolver's MTA-STS world (../shared/data/mta-sts, MIT), served by the lab's
real Unbound and nginx on loopback, judged by maildoctor.domain.mtasts.

The upstream world is a dnsmasq configuration appendix (the ``_mta-sts`` TXT records and the
addresses), an nginx.conf (one HTTPS server per policy, good and broken) and the answers its
Postfix socketmap gives (refdata.tsv, refdata_nosni.tsv, refdata_strict.tsv). This test reads
those files as they are and translates them into the lab's form:

* ``address=/NAME/IP`` -> ``NAME A IP`` and ``*.NAME A IP`` in a ``loc.`` zone (dnsmasq's
  address= covers the names below too); ``txt-record=NAME,"TEXT"`` -> ``NAME TXT "TEXT"``;
  ``server=/blackhole.loc/<unreachable>`` -> a lab name that never answers;
* each nginx ``server`` -> a lab site serving ``/.well-known/mta-sts.txt``: ``return 200 "..."``
  as a static file, ``return 404`` as the lab's 404 answer, the Lua bodies of the two
  over-long policies as static files of the same bytes (131193 of them);
* certificates as upstream's tests/install.debian.sh makes them (names transcribed below), from
  the lab CA, and ``/tmp/bad-certs`` from another CA (the lab's interception CA) that the
  client does not trust.

Two things the lab's nginx cannot do are said openly: it serves a ``.txt`` path as text/plain
only, so bad-policy3's ``types { text/html txt; }`` is emulated by rewriting the Content-Type
header of that one answer on its way from the real server to the check; and it never sends a
chunked body for a static file, so chunked-overlength arrives with a Content-Length (still
131193 bytes: refused as too large, through the length instead of the chunks).

The socketmap answer is rebuilt from our verdict as upstream's responder builds it: a valid
policy in enforce mode (or testing, with strict_testing) gives ``OK secure match=<mx>:<mx>``
plus `` servername=hostname`` unless SNI is off; anything else gives ``NOTFOUND ``. Lookup keys
are cleaned as upstream's filter_domain does (``[x]``, ``:port``, a final dot) and parent-domain
keys (a leading dot) and IP literals give NOTFOUND without a lookup.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import re
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import maildoctor.domain.mtasts as mtasts
from conftest import lab_unavailable
from maildoctor.domain.mtasts import MtaStsCheck, StsMode, StsOutcome, StsProblemCode, check_mta_sts
from maildoctor.net.http import HttpResult, http_get
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor_lab.certs import CertFiles, LabPKI
from maildoctor_lab.common import LabUnavailableError
from maildoctor_lab.dns import DnsServer, running_dns, zone_from_records
from maildoctor_lab.https import HttpsServer, running_https

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO.parent / "shared" / "data" / "mta-sts" / "tests"
POLICY_PATH = "/.well-known/mta-sts.txt"
REFDATA = {
    # file -> (strict_testing, require_sni): the zone settings upstream's tests run each with
    "refdata.tsv": (False, True),
    "refdata_nosni.tsv": (False, False),
    "refdata_strict.tsv": (True, True),
}

# The certificates of upstream's tests/install.debian.sh (mkcerts.py -D NAME OTHER-NAMES...),
# by the file stem nginx.conf names. All from one test CA, except /tmp/bad-certs: another CA.
CERT_NAMES = {
    **{
        f"{name}.loc": [f"{name}.loc", f"mta-sts.{name}.loc"]
        for name in (
            "good",
            *(f"bad-policy{number}" for number in range(1, 9)),
            "valid-none",
            "chunked-overlength",
            "static-overlength",
        )
    },
    "bad-cert2.loc": ["bad-cert2.loc"],  # lacks mta-sts.bad-cert2.loc: a name mismatch
    "mta-sts.testing.loc": ["mta-sts.testing.loc"],
    "fast-expire.loc": ["fast-expire.loc", "*.fast-expire.loc"],
}
BAD_CA_CERT_NAMES = {"bad-cert1.loc": ["bad-cert1.loc", "mta-sts.bad-cert1.loc"]}

# What upstream's tests/test_resolver.py expects of its resolver for every domain of the world
# (STSFetchResult: VALID, NONE = no MTA-STS, FETCH_ERROR), and what we report besides.
RESOLVER_STATUS: dict[str, tuple[str, StsProblemCode | None]] = {
    "good.loc": ("VALID", None),
    "good.loc.": ("VALID", None),
    "testing.loc": ("VALID", StsProblemCode.TESTING_MODE),
    "valid-none.loc": ("VALID", StsProblemCode.MODE_NONE),
    "fast-expire.loc": ("VALID", StsProblemCode.MAX_AGE_SHORT),
    "no-record.loc": ("NONE", StsProblemCode.NO_RECORD),
    "no-data.loc": ("NONE", StsProblemCode.NO_RECORD),
    "bad-record1.loc": ("NONE", StsProblemCode.RECORD_VERSION),
    "bad-record2.loc": ("NONE", StsProblemCode.RECORD_VERSION),
    "bad-record3.loc": ("NONE", StsProblemCode.RECORD_VERSION),
    "bad-policy1.loc": ("FETCH_ERROR", StsProblemCode.POLICY_SYNTAX),
    "bad-policy2.loc": ("FETCH_ERROR", StsProblemCode.POLICY_MX_MISSING),
    "bad-policy3.loc": ("FETCH_ERROR", StsProblemCode.POLICY_CONTENT_TYPE),
    "bad-policy4.loc": ("FETCH_ERROR", StsProblemCode.POLICY_HTTP_STATUS),
    "bad-policy5.loc": ("FETCH_ERROR", StsProblemCode.POLICY_MAX_AGE),
    "bad-policy6.loc": ("FETCH_ERROR", StsProblemCode.POLICY_MAX_AGE),
    "bad-policy7.loc": ("FETCH_ERROR", StsProblemCode.POLICY_MODE),
    "bad-policy8.loc": ("FETCH_ERROR", StsProblemCode.POLICY_MODE),
    "static-overlength.loc": ("FETCH_ERROR", StsProblemCode.POLICY_TOO_LARGE),
    "chunked-overlength.loc": ("FETCH_ERROR", StsProblemCode.POLICY_TOO_LARGE),
    "bad-cert1.loc": ("FETCH_ERROR", StsProblemCode.POLICY_CERTIFICATE),
    "bad-cert2.loc": ("FETCH_ERROR", StsProblemCode.POLICY_CERTIFICATE),
    "blackhole.loc": ("FETCH_ERROR", StsProblemCode.DNS_ERROR),
}
_FR = {
    StsOutcome.VALID: "VALID",
    StsOutcome.NO_RECORD: "NONE",
    StsOutcome.RECORD_INVALID: "NONE",
    StsOutcome.DNS_ERROR: "FETCH_ERROR",
    StsOutcome.POLICY_UNAVAILABLE: "FETCH_ERROR",
    StsOutcome.POLICY_INVALID: "FETCH_ERROR",
}

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not UPSTREAM.is_dir(), reason=f"{UPSTREAM} is not here"),
]


# ------------------------------------------------------------------------- translating the world


@dataclasses.dataclass
class World:
    records: list[str]
    timeout: list[str]
    sites: dict[str, dict[str, str | bytes]]
    cert_stems: dict[str, tuple[str, bool]]  # site -> (certificate stem, from the untrusted CA)
    content_types: dict[str, str]  # site -> the Content-Type nginx would have sent instead
    notes: list[str]


def dnsmasq_records(text: str) -> tuple[list[str], list[str]]:
    records: list[str] = []
    timeout: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if match := re.fullmatch(r"address=/([^/]+)/([0-9.]+)", line):
            name, address = match.groups()
            records += [f"{name}. A {address}", f"*.{name}. A {address}"]
        elif match := re.fullmatch(r'txt-record=([^,]+),"(.*)"', line):
            name, value = match.groups()
            records.append(f'{name}. TXT "{value}"')
        elif match := re.fullmatch(r"server=/([^/]+)/.*", line):
            timeout.append(match.group(1))
        elif not line.startswith("resolv-file="):
            raise AssertionError(f"a dnsmasq line this test does not translate: {line!r}")
    return records, timeout


def _block(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces opening at or after `start`, and the index after them."""
    opening = text.index("{", start)
    depth = 0
    for index in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[opening + 1 : index], index + 1
    raise AssertionError("unbalanced braces in nginx.conf")


def _nginx_string(value: str) -> str:
    return value.replace("\\n", "\n").replace('\\"', '"')


def _lua_body(block: str) -> str:
    """What the Lua handlers of the over-long policies write: say() lines, then print() in a loop."""
    lines = "".join(_nginx_string(line) + "\n" for line in re.findall(r'ngx\.say\("([^"]*)"\)', block))
    printed = re.search(r'ngx\.print\("([^"]*)"\)', block)
    loop = re.search(r"for i=(\d+), (\d+), 1 do", block)
    assert printed and loop
    return lines + printed.group(1) * (int(loop.group(2)) - int(loop.group(1)) + 1)


def nginx_world(
    text: str,
) -> tuple[dict[str, dict[str, str | bytes]], dict[str, tuple[str, bool]], dict[str, str], list[str]]:
    sites: dict[str, dict[str, str | bytes]] = {}
    certs: dict[str, tuple[str, bool]] = {}
    content_types: dict[str, str] = {}
    notes: list[str] = []
    position = 0
    while (found := re.compile(r"\n\s*server\s*\{").search(text, position)) is not None:
        block, position = _block(text, found.start())
        name_match = re.search(r"server_name\s+(\S+);", block)
        cert_match = re.search(r"ssl_certificate\s+/tmp/(certs|bad-certs)/(\S+)\.pem;", block)
        assert name_match and cert_match
        site = name_match.group(1)
        certs[site] = (cert_match.group(2), cert_match.group(1) == "bad-certs")
        location = block.index(f"location = {POLICY_PATH}")
        inner, _ = _block(block, location)
        if "content_by_lua_block" in inner:
            body = _lua_body(inner)
            sites[site] = {POLICY_PATH: body}
            if "content-length" not in inner:
                notes.append(f"{site}: chunked in upstream, served with a Content-Length ({len(body)} bytes)")
            continue
        returned = re.search(r'return (\d+) "((?:[^"\\]|\\.)*)";', inner)
        assert returned, site
        status, body = int(returned.group(1)), _nginx_string(returned.group(2))
        if status == 200:
            sites[site] = {POLICY_PATH: body}
        else:
            sites[site] = {f"{status} {POLICY_PATH}": ""}  # the lab's own error page
        if types := re.search(r"types\s*\{\s*(\S+)\s+txt;", inner):
            content_types[site] = types.group(1)
            notes.append(
                f"{site}: Content-Type {types.group(1)} emulated (the lab serves .txt as text/plain)"
            )
    return sites, certs, content_types, notes


def load_world() -> World:
    records, timeout = dnsmasq_records((UPSTREAM / "dnsmasq.conf.appendix").read_text())
    sites, certs, content_types, notes = nginx_world((UPSTREAM / "nginx.conf").read_text())
    return World(records, timeout, sites, certs, content_types, notes)


def refdata() -> list[tuple[str, str, str]]:
    """(file, request, answer) of every line of every refdata file."""
    rows = []
    for name in REFDATA:
        for line in (UPSTREAM / name).read_text().splitlines():
            if line.strip():
                request, _, answer = line.partition("\t")
                rows.append((name, request, answer))
    return rows


# ------------------------------------------------------------------------- what upstream answers


def lookup_key(key: str) -> str | None:
    """The domain a socketmap key asks for (upstream's filter_domain), None for no lookup."""
    left, bracket, _ = key.partition("]")
    domain = left.lstrip("[")
    if not bracket:
        left, colon, right = key.rpartition(":")
        domain = left if colon else right
    domain = domain.lower().strip().rstrip(".")
    if domain.startswith("."):
        return None
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        return domain
    return None


def socketmap_answer(check: MtaStsCheck | None, *, strict: bool, sni: bool) -> str:
    if check is None or check.outcome is not StsOutcome.VALID or check.policy is None:
        return "NOTFOUND "
    mode = check.policy.mode
    if mode is StsMode.NONE or (mode is StsMode.TESTING and not strict):
        return "NOTFOUND "
    patterns = ":".join(pattern.lstrip("*") for pattern in dict.fromkeys(check.policy.mx))
    return f"OK secure match={patterns}" + (" servername=hostname" if sni else "")


# ------------------------------------------------------------------------------------- the lab


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


@pytest.fixture(scope="module")
def dns_server(lab_root: Path, world: World) -> Iterator[DnsServer]:
    zone = zone_from_records("loc", world.records)
    try:
        with running_dns(lab_root / "mtasts-dns", [zone], timeout=world.timeout) as server:
            yield server
    except LabUnavailableError as exc:
        lab_unavailable(f"Unbound is not installed: {exc}")


@pytest.fixture(scope="module")
def web(lab_root: Path, pki: LabPKI, world: World) -> Iterator[HttpsServer]:
    certificates: dict[str, CertFiles] = {}
    for site, (stem, untrusted) in world.cert_stems.items():
        names = (BAD_CA_CERT_NAMES if untrusted else CERT_NAMES)[stem]
        certificates[site] = pki.issue(f"mtasts-{stem}", names, issuer="interception" if untrusted else "lab")
    try:
        with running_https(
            lab_root / "mtasts-https", pki, world.sites, certificates=certificates, plain_http=False
        ) as server:
            yield server
    except LabUnavailableError as exc:
        lab_unavailable(f"nginx is not installed: {exc}")


@pytest.fixture(scope="module")
def verdicts(
    dns_server: DnsServer, web: HttpsServer, world: World, lab_ca_context: ssl.SSLContext
) -> Iterator[dict[str, MtaStsCheck]]:
    """Every domain of the world checked once, as the domain command would (MX from DNS)."""
    real_get = http_get

    async def get_with_nginx_types(url: str, **kwargs: Any) -> HttpResult:
        result = await real_get(url, **kwargs)
        wanted = world.content_types.get(urlsplit(url).hostname or "")
        if wanted is None:
            return result
        headers = tuple((key, wanted if key == "content-type" else value) for key, value in result.headers)
        return dataclasses.replace(result, headers=headers)

    domains = sorted(
        {domain.rstrip(".") for domain in RESOLVER_STATUS}
        | {domain for _, request, _ in refdata() if (domain := lookup_key(request.split(" ", 1)[1]))}
    )
    client = DnsClient([Nameserver.parse(dns_server.nameserver)], attempt_timeout=1.0)

    async def run() -> dict[str, MtaStsCheck]:
        checks = await asyncio.gather(
            *(
                check_mta_sts(
                    domain,
                    dns=client,
                    ssl_context=lab_ca_context,
                    port_override={"https": web.port("https")},
                    timeout=5.0,
                    lifetime=1.0,
                )
                for domain in domains
            )
        )
        return dict(zip(domains, checks, strict=True))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mtasts, "http_get", get_with_nginx_types)
        yield asyncio.run(run())


# ------------------------------------------------------------------------------------- the tests


def test_the_world_translates(world: World) -> None:
    """Every upstream server and record made it into the lab's form."""
    assert len(world.sites) == 16
    assert sum(" TXT " in record for record in world.records) == 19
    assert world.timeout == ["blackhole.loc"]
    assert set(world.content_types) == {"mta-sts.bad-policy3.loc"}
    assert len(world.sites["mta-sts.static-overlength.loc"][POLICY_PATH]) == 131193
    print("\n".join(["translation notes:", *world.notes]))


def test_refdata(verdicts: dict[str, MtaStsCheck]) -> None:
    rows = refdata()
    failures = []
    counts: dict[str, list[int]] = {name: [0, 0] for name in REFDATA}
    for name, request, expected in rows:
        strict, sni = REFDATA[name]
        domain = lookup_key(request.split(" ", 1)[1])
        got = socketmap_answer(verdicts.get(domain) if domain else None, strict=strict, sni=sni)
        counts[name][1] += 1
        if got == expected:
            counts[name][0] += 1
        else:
            failures.append(f"{name}: {request!r}: {got!r}, expected {expected!r}")
    passed = sum(done for done, _ in counts.values())
    print(
        f"MTA-STS refdata: {passed}/{len(rows)} "
        + ", ".join(f"{name} {done}/{total}" for name, (done, total) in counts.items())
    )
    assert not failures, "\n".join(failures)
    assert len(rows) == 63


def test_every_domain_as_upstreams_resolver_tests_expect(verdicts: dict[str, MtaStsCheck]) -> None:
    failures = []
    for domain, (status, code) in RESOLVER_STATUS.items():
        check = verdicts[domain.rstrip(".")]
        got = _FR[check.outcome]
        codes = {problem.code for problem in check.problems}
        print(f"  {domain:24} {check.outcome.value:20} {', '.join(sorted(codes))}")
        if got != status or (code is not None and code not in codes):
            failures.append(f"{domain}: {check.outcome.value} {sorted(codes)}, expected {status} with {code}")
    print(f"MTA-STS resolver statuses: {len(RESOLVER_STATUS) - len(failures)}/{len(RESOLVER_STATUS)}")
    assert not failures, "\n".join(failures)


def test_what_the_good_domain_looks_like(verdicts: dict[str, MtaStsCheck]) -> None:
    check = verdicts["good.loc"]
    assert check.outcome is StsOutcome.VALID and check.enforced
    assert check.record is not None and check.record.id == "20180907T090909"
    assert check.fetch is not None and check.fetch.status == 200
    assert check.fetch.content_type is not None and check.fetch.content_type.startswith("text/plain")
    assert check.policy is not None and check.policy.mx == ("mail.loc",) and check.policy.max_age == 86400
    assert check.mx_hosts == ()  # good.loc has no MX in the world: nothing to cover
    assert [problem.code for problem in check.problems] == []


def test_wildcard_certificate_and_short_max_age(verdicts: dict[str, MtaStsCheck]) -> None:
    check = verdicts["fast-expire.loc"]  # served with a *.fast-expire.loc certificate
    assert check.outcome is StsOutcome.VALID and check.policy is not None and check.policy.max_age == 1
    short = [problem for problem in check.problems if problem.code is StsProblemCode.MAX_AGE_SHORT]
    assert short and short[0].suggestion is not None and "max_age: 604800" in short[0].suggestion


def test_fetch_failures_are_facts(verdicts: dict[str, MtaStsCheck]) -> None:
    cert = verdicts["bad-cert2.loc"]
    assert cert.outcome is StsOutcome.POLICY_UNAVAILABLE and cert.fetch is not None
    assert cert.fetch.failure is mtasts.FetchFailure.CERTIFICATE
    assert cert.problems[-1].record == "v=STSv1;id=20180907T090909;"
    blackhole = verdicts["blackhole.loc"]
    assert blackhole.outcome is StsOutcome.DNS_ERROR and blackhole.lookup.outcome.value == "timeout"
    status = verdicts["bad-policy4.loc"]
    assert status.fetch is not None and status.fetch.status == 404


def test_mx_hosts_against_the_policy(
    dns_server: DnsServer, web: HttpsServer, lab_ca_context: ssl.SSLContext
) -> None:
    """The MX hosts the caller knows are checked against the mx lines of the served policy."""
    client = DnsClient([Nameserver.parse(dns_server.nameserver)], attempt_timeout=1.0)

    async def run(mx: tuple[str, ...]) -> MtaStsCheck:
        return await check_mta_sts(
            "good.loc",
            dns=client,
            ssl_context=lab_ca_context,
            port_override={"https": web.port("https")},
            mx_hosts=mx,
        )

    covered = asyncio.run(run(("mail.loc.",)))
    assert [(c.host, c.pattern) for c in covered.coverage] == [("mail.loc", "mail.loc")]
    assert not covered.problems
    uncovered = asyncio.run(run(("mail.loc", "backup-mx.example.test")))
    problems = [problem for problem in uncovered.problems if problem.code is StsProblemCode.MX_NOT_COVERED]
    assert len(problems) == 1 and problems[0].severity.value == "error"
    assert problems[0].suggestion is not None and "mx: backup-mx.example.test" in problems[0].suggestion
