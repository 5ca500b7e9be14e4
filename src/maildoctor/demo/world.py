"""The demo's little internet on 127.0.0.1: a DNS server, two providers' mail servers, certificates.

* example.test: pymap IMAP (STARTTLS port and implicit-TLS port, the lab CA's certificate for
  mail.example.test) and aiosmtpd submission (STARTTLS port and implicit-TLS port);
* example-shop.test: a shop's domain on a rental server, whose pymap IMAP presents the lab's
  wrong_name certificate (sv1234.rental-server.test), as shared hosting does;
* DNS: the names of both on 127.0.0.1, NXDOMAIN for anything else;
* a port where nothing listens, for the standard ports a provider does not serve (POP3, 25).

Everything listens on free ports of 127.0.0.1, is started in the running event loop, and is gone
when the block ends, with the temporary directory of keys and remembered login failures.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from maildoctor.demo import LOOPBACK
from maildoctor.demo.certs import LabPKI
from maildoctor.demo.dns import DemoZone, serve_dns
from maildoctor.demo.imap import DemoMessage, DemoUser, serve_imap
from maildoctor.demo.smtp import serve_smtp
from maildoctor.net.resolver import Nameserver
from maildoctor.probes.resolver_trial import CERTAIN_QUESTIONS

PROVIDER_DOMAIN = "example.test"
PROVIDER_HOST = "mail.example.test"
SHOP_DOMAIN = "example-shop.test"
SHOP_HOST = "mail.example-shop.test"
RENTAL_HOST = "sv1234.rental-server.test"  # the name on the rental server's certificate (certs.py)

ALICE = DemoUser(
    name="alice",
    password="blue-harbour-42",  # noqa: S106 -- an account on the demo's own server
    address=f"alice@{PROVIDER_DOMAIN}",
    quota_kb=1024 * 1024,  # 1 GB, almost empty
    messages=(
        DemoMessage("info@example.test", "Welcome to your new mailbox", 2_000),
        DemoMessage("bob@example-shop.test", "Opening hours next week", 3_000),
    ),
)
CAROL = DemoUser(
    name="carol",
    password="green-meadow-7",  # noqa: S106 -- an account on the demo's own server
    address=f"carol@{PROVIDER_DOMAIN}",
    quota_kb=2 * 1024,  # 2 MB, filled to 95 % by photos nobody deleted
    messages=tuple(DemoMessage("family@example.test", f"Photos {n}", 100_000) for n in range(1, 21)),
)
BOB = DemoUser(
    name="bob",
    password="red-bakery-9",  # noqa: S106 -- an account on the demo's own server
    address=f"bob@{SHOP_DOMAIN}",
    quota_kb=512 * 1024,
    messages=(DemoMessage("order@example.test", "New order", 2_000),),
)

_A = {"A": (LOOPBACK,)}
# A public DKIM key (its private half was thrown away): the demo's domains look after their
# sending side, so what the demo shows is the account's problem alone.
_DKIM_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhrosw3L0A0TsaTOk7r05RtshbyVP0AQd"
    "POX2ZgBQHlBNHjP6sI7hNIK5SbDo9Bkh2yEOe+mNZhISffSZCX+JMHep6/kcGM/2FusEn49bjYQZ"
    "Vpofdj4UwKPWBJLcIGK16I4J7PkyEPIUCldcF9W37YBwKTvq7ps2a9anT0ynvnK9gF3s4J9yc6dh"
    "Mc6wfDKCaGr82FE2WgDz1qhpLbSOXKvfPob5+EvE/rx0eBcWGoNaHqKfUY4Wu2SZfgfGJxqBMAqm"
    "Qdz6Rum/Ck2z9Ow1X+fQedm6B0zj6XGToNvhKkrg7WNOTQxEZEqZc66rlVaE3ruik8fuLO6DbGSF"
    "/025zQIDAQAB"
)
_DKIM: dict[str, tuple[str, ...]] = {
    "TXT": (" ".join(f'"{part}"' for part in ("v=DKIM1; k=rsa; p=", *_DKIM_KEY)),)
}


def _certain_names() -> dict[str, dict[str, tuple[str, ...]]]:
    """The names that certainly exist, which the diagnosis asks before it blames a name: answered as
    the internet's resolvers would (the root as "", its key in the zone)."""
    data = {"A": "192.0.2.1", "NS": "a.root-servers.net."}
    return {name.rstrip("."): {rdtype: (data[rdtype],)} for name, rdtype in CERTAIN_QUESTIONS}


def _sending_side(domain: str) -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        f"_dmarc.{domain}": {"TXT": (f'"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}"',)},
        f"default._domainkey.{domain}": _DKIM,
    }


ZONE = DemoZone(
    {
        PROVIDER_DOMAIN: {"MX": (f"10 {PROVIDER_HOST}.",), "TXT": ('"v=spf1 mx -all"',)},
        PROVIDER_HOST: _A,
        f"imap.{PROVIDER_DOMAIN}": _A,
        f"smtp.{PROVIDER_DOMAIN}": _A,
        SHOP_DOMAIN: {"MX": (f"10 {SHOP_HOST}.",), "TXT": ('"v=spf1 mx -all"',)},
        SHOP_HOST: _A,
        RENTAL_HOST: _A,
        **_sending_side(PROVIDER_DOMAIN),
        **_sending_side(SHOP_DOMAIN),
        **_certain_names(),
    }
)


@dataclass(frozen=True)
class DemoWorld:
    ca_file: Path  # the lab CA: trusted like a public one (--ca-file)
    nameserver: Nameserver
    provider_ports: Mapping[int, int]  # standard port -> the demo's port, for example.test
    rental_ports: Mapping[int, int]  # the same for the rental server of example-shop.test
    cache_root: Path  # where each case keeps its remembered login failures

    def cache_dir(self, name: str) -> Path:
        return self.cache_root / name


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@contextlib.contextmanager
def _closed_port() -> Iterator[int]:
    """A port that refuses connections: bound, never listening, so no other program can take it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        yield sock.getsockname()[1]


@contextlib.asynccontextmanager
async def demo_world() -> AsyncIterator[DemoWorld]:
    with tempfile.TemporaryDirectory(prefix="maildoctor-demo-") as directory, _closed_port() as closed:
        root = Path(directory)
        pki = LabPKI(root / "pki")
        certs = pki.standard_set()
        good = _server_context(certs.good.cert, certs.good.key)
        wrong_name = _server_context(certs.wrong_name.cert, certs.wrong_name.key)
        async with contextlib.AsyncExitStack() as stack:
            dns_port = await stack.enter_async_context(serve_dns(ZONE))
            provider_imap = await stack.enter_async_context(
                serve_imap(
                    (ALICE, CAROL),
                    server_name=PROVIDER_HOST,
                    starttls_context=good,
                    implicit_tls_context=good,
                )
            )
            rental_imap = await stack.enter_async_context(
                serve_imap(
                    (BOB,), server_name=RENTAL_HOST, starttls_context=None, implicit_tls_context=wrong_name
                )
            )
            provider_smtp = await stack.enter_async_context(
                serve_smtp(
                    {user.name: user.password for user in (ALICE, CAROL)},
                    (PROVIDER_DOMAIN,),
                    server_name=PROVIDER_HOST,
                    tls=good,
                )
            )
            nothing = dict.fromkeys((995, 110, 25, 143, 587, 465), closed)
            yield DemoWorld(
                ca_file=pki.ca.cert,
                nameserver=Nameserver(LOOPBACK, dns_port),
                provider_ports={
                    **nothing,
                    993: provider_imap["993"],
                    143: provider_imap["143"],
                    587: provider_smtp["587"],
                    465: provider_smtp["465"],
                },
                rental_ports={**nothing, 993: rental_imap["993"]},
                cache_root=root / "cache",
            )
