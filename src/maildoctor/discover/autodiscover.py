"""Microsoft Autodiscover (the "POX" form Outlook asks) as a source of IMAP, POP3 and SMTP settings.

An Exchange-style domain (Exchange on premises, a hosting provider's Outlook setup) often has no
autoconfig file and no SRV records for IMAP, but answers Outlook's Autodiscover request. The
request is an XML document with the address, POSTed to, in Outlook's order:

1. ``https://autodiscover.<domain>/autodiscover/autodiscover.xml``
2. ``https://<domain>/autodiscover/autodiscover.xml``
3. the unauthenticated GET ``http://autodiscover.<domain>/autodiscover/autodiscover.xml``: only a
   301/302 to an ``https://`` URL is used, and the request is POSTed there;
4. the SRV record ``_autodiscover._tcp.<domain>``: the request is POSTed to
   ``https://<target>:<port>/autodiscover/autodiscover.xml``.

All four are asked at once; the first in that order that gives IMAP, POP3 or SMTP servers wins,
and the ones after it that have not finished are stopped (`AttemptOutcome.NOT_NEEDED`). An answer
can send us on (``Action`` ``redirectAddr``: ask again for another address, all four ways for
its domain; ``redirectUrl``: POST to that https URL), at most MAX_HOPS times, never in a circle.

No password is ever sent. Autodiscover servers usually want a login first: a 401 is recorded as
`AttemptOutcome.LOGIN_WANTED` with the schemes the server offers (Basic, NTLM, Negotiate...),
and that is where it ends for that URL. An answer that came from a server in another registered
domain than the address's (through an HTTP redirect, an SRV target, a redirectUrl/redirectAddr
answer) gives candidates with ``needs_consent=True``: the person is asked before a password goes
there; `AutodiscoverResult.redirected_to` names that server. An HTTP redirect down to plain
``http://`` is never followed (the request holds the address, and the answer would be unprotected).

Everything is bounded: MAX_RESPONSE_BYTES per answer, 3 HTTP redirects per URL, one deadline for
the whole search; every failure becomes an attempt with its outcome, never an exception.

The pure part (`autodiscover_request`, `parse_autodiscover`) does no I/O. Types ``IMAP``, ``POP3``
and ``SMTP`` become candidates; ``EXCH``, ``EXPR``, ``WEB`` (MAPI, Outlook Anywhere, OWA) have no
counterpart in maildoctor and are only named (`AutodiscoverAnswer.other_types`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate, Source, unique_servers
from maildoctor.discover.domains import registered_domain
from maildoctor.discover.srv import SrvRecord
from maildoctor.discover.untrusted_xml import parse_untrusted_xml
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.model import IMPLICIT_TLS_PORTS, Protocol, Security, default_port
from maildoctor.net.http import (
    MAX_REDIRECTS,
    HostResolver,
    HttpFailure,
    HttpFetchError,
    HttpResult,
    Redirect,
    http_exchange,
)
from maildoctor.net.resolver import DnsClient

if TYPE_CHECKING:  # parsed by untrusted_xml, which imports ElementTree when it parses
    import xml.etree.ElementTree as ET

REQUEST_SCHEMA: Final = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
RESPONSE_SCHEMA: Final = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
# the namespace of the <Autodiscover> root of every answer, and of <Response> in the error form
ENVELOPE_SCHEMA: Final = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
AUTODISCOVER_PATH: Final = "/autodiscover/autodiscover.xml"
SRV_LABEL: Final = "_autodiscover._tcp"
MAX_RESPONSE_BYTES: Final = 1024 * 1024  # an answer is a few KiB
MAX_HOPS: Final = 3  # redirectAddr / redirectUrl answers followed, one after the other

_INCOMING_TYPES: Final = {"IMAP": Protocol.IMAP, "POP3": Protocol.POP3}
_HOST_NAME: Final = re.compile(
    r"^(?=.{1,253}\Z)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\Z"
)
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_AUTH_SCHEME: Final = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}\Z")
_MAX_TEXT: Final = 256
_MAX_URL: Final = 2048


# --------------------------------------------------------------------------- the request


def autodiscover_request(address: str) -> bytes:
    """Outlook's POX request for `address`, asking for the Outlook answer schema (2006a)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        f'<Autodiscover xmlns="{REQUEST_SCHEMA}">\r\n'
        "  <Request>\r\n"
        f"    <EMailAddress>{escape(address)}</EMailAddress>\r\n"
        f"    <AcceptableResponseSchema>{RESPONSE_SCHEMA}</AcceptableResponseSchema>\r\n"
        "  </Request>\r\n"
        "</Autodiscover>\r\n"
    ).encode()


# --------------------------------------------------------------------------- the answer


class AutodiscoverError(ValueError):
    """An answer that is no usable Autodiscover document (too big, a DTD, not XML, another schema)."""


@dataclass(frozen=True, slots=True)
class AutodiscoverAnswer:
    """What one Autodiscover document says (candidates with Source.AUTODISCOVER, not yet probed)."""

    incoming: tuple[ServerCandidate, ...] = ()  # document order: the server's preference
    outgoing: tuple[ServerCandidate, ...] = ()
    redirect_address: str | None = None  # Action redirectAddr: ask again for this address
    redirect_url: str | None = None  # Action redirectUrl: ask this https URL
    error_code: str | None = None  # the <Error> form: 500 "address not found", 600 "invalid request"...
    error_message: str | None = None
    display_name: str | None = None  # User/DisplayName
    other_types: tuple[str, ...] = ()  # protocol types named that are not IMAP/POP3/SMTP (EXCH, WEB...)

    @property
    def candidates(self) -> tuple[ServerCandidate, ...]:
        return self.incoming + self.outgoing


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _children(element: ET.Element, namespace: str, name: str) -> list[ET.Element]:
    return [child for child in element if child.tag == f"{{{namespace}}}{name}"]


def _text(element: ET.Element, namespace: str, name: str, limit: int = _MAX_TEXT) -> str | None:
    """The stripped text of the first such child; None when absent, empty, too long or with controls."""
    for child in _children(element, namespace, name):
        text = (child.text or "").strip()
        if not text or len(text) > limit or _CONTROL.search(text):
            return None
        return text
    return None


def _safe(text: str | None, limit: int = 300) -> str | None:
    """Server words kept for the report: control characters replaced, length capped."""
    if text is None:
        return None
    cleaned = _CONTROL.sub("?", text.strip())[:limit]
    return cleaned or None


def _on(value: str | None) -> bool | None:
    if value is None:
        return None
    return {"on": True, "off": False}.get(value.lower())


def _host(text: str | None) -> str | None:
    if text is None:
        return None
    host = text.lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    return host if _HOST_NAME.match(host) else None


def _security(ssl_text: str | None, encryption: str | None, port: int | None) -> Security:
    """Encryption (None/SSL/TLS/Auto) wins over SSL (on/off), as the schema says.

    SSL on (or absent, Outlook's default) means implicit TLS on 993/995/465 and STARTTLS on
    any other port (Outlook's "SSL" on 587 is STARTTLS); Auto is read the same way.
    """
    by_port = Security.SSL if port is None or port in IMPLICIT_TLS_PORTS else Security.STARTTLS
    kind = (encryption or "").lower()
    if kind == "ssl":
        return Security.SSL
    if kind == "tls":
        return Security.STARTTLS
    if kind == "none":
        return Security.NONE
    if kind == "auto":
        return by_port
    return Security.NONE if _on(ssl_text) is False else by_port


def _port(text: str | None) -> int | None:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 5:
        return None
    port = int(text)
    return port if 1 <= port <= 65535 else None


def _username(protocol: ET.Element, namespace: str, address: str) -> str:
    """LoginName (the address when there is none); DOMAIN\\name when DomainRequired is on."""
    login = _text(protocol, namespace, "LoginName")
    if _on(_text(protocol, namespace, "DomainRequired")):
        domain = _text(protocol, namespace, "DomainName")
        if domain is not None and "\\" not in domain:
            name = login or address.rpartition("@")[0]
            return name if "\\" in name else f"{domain}\\{name}"
    return login or address


def _authentication(protocol: ET.Element, namespace: str) -> tuple[str, ...]:
    """The methods in ISPDB's words: SPA on is NTLM; AuthRequired off is "none"."""
    if _on(_text(protocol, namespace, "AuthRequired")) is False:
        return ("none",)
    return ("NTLM",) if _on(_text(protocol, namespace, "SPA")) else ("password-cleartext",)


def _protocol_type(protocol: ET.Element, namespace: str) -> str:
    """<Type>IMAP</Type>, or the attribute form of newer answers (<Protocol Type="mapiHttp">)."""
    text = _text(protocol, namespace, "Type", limit=40) or (protocol.get("Type") or "").strip()[:40]
    return text.upper()


def _read_account(
    account: ET.Element, namespace: str, address: str
) -> tuple[list[ServerCandidate], list[ServerCandidate], list[str]]:
    """The account's IMAP/POP3 and SMTP servers in document order, and the other types it names."""
    incoming: list[ServerCandidate] = []
    outgoing: list[tuple[ServerCandidate, bool]] = []  # with "takes the incoming login" (UsePOPAuth)
    others: list[str] = []
    for protocol in _children(account, namespace, "Protocol"):
        kind = _protocol_type(protocol, namespace)
        wanted = _INCOMING_TYPES.get(kind, Protocol.SMTP if kind == "SMTP" else None)
        if wanted is None:
            if kind and (named := _safe(kind, 40)) is not None and named not in others:
                others.append(named)
            continue
        host = _host(_text(protocol, namespace, "Server"))
        port_text = _text(protocol, namespace, "Port")
        port = _port(port_text)
        if host is None or (port_text is not None and port is None):
            continue  # no usable server name, or a port that is none
        security = _security(
            _text(protocol, namespace, "SSL"), _text(protocol, namespace, "Encryption"), port
        )
        candidate = ServerCandidate(
            wanted,
            host,
            port if port is not None else default_port(wanted, security),
            security,
            _username(protocol, namespace, address),
            source=Source.AUTODISCOVER,
            authentication=_authentication(protocol, namespace),
        )
        if wanted is Protocol.SMTP:
            pop_auth = bool(_on(_text(protocol, namespace, "UsePOPAuth"))) and (
                _text(protocol, namespace, "LoginName") is None
            )
            outgoing.append((candidate, pop_auth))
        else:
            incoming.append(candidate)
    # UsePOPAuth on: the outgoing server takes the incoming server's login
    login = incoming[0].username if incoming else address
    smtp = [replace(candidate, username=login) if pop_auth else candidate for candidate, pop_auth in outgoing]
    return incoming, smtp, others


def parse_autodiscover(data: bytes, address: str) -> AutodiscoverAnswer:
    """Read an Autodiscover answer; `address` is the login name where the answer names none.

    Refuses (AutodiscoverError) documents above MAX_RESPONSE_BYTES, any DOCTYPE or ENTITY
    declaration, XML that does not parse, a root other than Autodiscover's
    ``{...responseschema/2006}Autodiscover`` and a <Response> of another schema (the mobile
    sync answer, say). Protocols that cannot be used (no server name, a port that is none)
    are skipped; the order of the document is kept.
    """
    root = parse_untrusted_xml(data, limit=MAX_RESPONSE_BYTES, what="answer", error=AutodiscoverError)
    if root.tag != f"{{{ENVELOPE_SCHEMA}}}Autodiscover":
        raise AutodiscoverError(f"root element is {_safe(root.tag, 120)}, not an Autodiscover answer")
    responses = [child for child in root if _local(child.tag)[1] == "Response"]
    if not responses:
        raise AutodiscoverError("no <Response>")
    response = responses[0]
    namespace = _local(response.tag)[0]
    if namespace not in (RESPONSE_SCHEMA, ENVELOPE_SCHEMA):
        raise AutodiscoverError(f"a <Response> of another schema: {_safe(namespace, 120)}")
    for fault in _children(response, namespace, "Error"):
        code = _safe(_text(fault, namespace, "ErrorCode", limit=40), 40)
        message = next((_safe(m.text) for m in _children(fault, namespace, "Message")), None)
        return AutodiscoverAnswer(error_code=code or "?", error_message=message)
    if namespace != RESPONSE_SCHEMA:
        raise AutodiscoverError("a <Response> that is neither Outlook's answer nor an error")
    user = next(iter(_children(response, namespace, "User")), None)
    names = _children(user, namespace, "DisplayName") if user is not None else []
    display_name = _safe(names[0].text) if names else None
    incoming: list[ServerCandidate] = []
    outgoing: list[ServerCandidate] = []
    others: list[str] = []
    for account in _children(response, namespace, "Account"):
        action = (_text(account, namespace, "Action", limit=40) or "settings").lower()
        if action == "redirectaddr":
            target = _text(account, namespace, "RedirectAddr")
            if target is None or not _is_address(target):
                raise AutodiscoverError("a redirectAddr answer without a usable address")
            return AutodiscoverAnswer(redirect_address=target, display_name=display_name)
        if action == "redirecturl":
            url = _text(account, namespace, "RedirectUrl", limit=_MAX_URL)
            if url is None or not _https_url(url):
                raise AutodiscoverError("a redirectUrl answer without an https URL")
            return AutodiscoverAnswer(redirect_url=url, display_name=display_name)
        if action != "settings":
            continue
        found_in, found_out, found_others = _read_account(account, namespace, address)
        incoming += found_in
        outgoing += found_out
        others += [kind for kind in found_others if kind not in others]
    return AutodiscoverAnswer(
        incoming=unique_servers(incoming),
        outgoing=unique_servers(outgoing),
        display_name=display_name,
        other_types=tuple(others),
    )


def _https_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
        return parts.scheme.lower() == "https" and _host(parts.hostname) is not None and parts.port != 0
    except ValueError:
        return False


def _is_address(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and _host(domain)) and len(text) <= 254 and not any(c.isspace() for c in text)


# --------------------------------------------------------------------------- asking


class AutodiscoverMethod(StrEnum):
    SUBDOMAIN = "autodiscover-subdomain"  # POST https://autodiscover.<domain>/autodiscover/autodiscover.xml
    DOMAIN = "domain"  # POST https://<domain>/autodiscover/autodiscover.xml
    HTTP_REDIRECT = "http-redirect"  # GET http://autodiscover.<domain>/..., 301/302 to https, POST there
    SRV = "srv"  # _autodiscover._tcp.<domain> SRV, POST to https://<target>:<port>/...
    REDIRECT_URL = "redirect-url"  # an answer's Action redirectUrl


class AttemptOutcome(StrEnum):
    FOUND = "found"  # IMAP, POP3 or SMTP servers
    REDIRECT = "redirect"  # redirectAddr / redirectUrl: asked again (the attempts after it; or `error`)
    NO_MAIL_SERVERS = "no-mail-servers"  # a valid answer without IMAP/POP3/SMTP (Exchange/web only)
    ERROR_RESPONSE = "error-response"  # Autodiscover's <Error> form (error_code, error)
    LOGIN_WANTED = "login-wanted"  # 401: this server answers only after a login; we never log in
    HTTP_STATUS = "http-status"  # another status than 200 (404, 403, 500...)
    INVALID = "invalid"  # 200, but no Autodiscover answer we can read (see error)
    FAILED = "failed"  # no HTTP answer: DNS, refused, TLS, timeout, too large, bad redirect (failure)
    NOT_OFFERED = "not-offered"  # no _autodiscover._tcp record; the http:// URL gave no redirect
    NOT_NEEDED = "not-needed"  # stopped unfinished: a method before it had already answered


@dataclass(frozen=True, slots=True)
class AutodiscoverAttempt:
    """One way of asking, and what came of it."""

    method: AutodiscoverMethod
    address: str  # the address asked about (another one after a redirectAddr answer)
    url: str | None  # the URL asked first; None for an SRV name without a usable record
    outcome: AttemptOutcome
    status: int | None = None
    failure: HttpFailure | None = None
    error: str = ""
    final_url: str | None = None  # where the answer came from, after HTTP redirects
    redirects: tuple[Redirect, ...] = ()  # cross_domain: outside the address's registered domain
    hop: int = 0  # 0: asked for the person's address; n: after n redirectAddr/redirectUrl answers
    login_schemes: tuple[str, ...] = ()  # a 401's WWW-Authenticate schemes (Basic, NTLM, Negotiate)
    error_code: str | None = None  # Autodiscover <ErrorCode>
    srv_lookup: DnsLookup | None = None  # method SRV: the lookup of _autodiscover._tcp.<domain>
    other_domain: bool = False  # the answering server is outside the address's registered domain
    other_types: tuple[str, ...] = ()  # protocol types the answer named besides IMAP/POP3/SMTP

    @property
    def cross_domain_redirect(self) -> bool:
        return any(redirect.cross_domain for redirect in self.redirects)


@dataclass(frozen=True, slots=True)
class AutodiscoverResult:
    address: str
    attempts: tuple[AutodiscoverAttempt, ...]  # the four methods in order, each followed by its hops
    settings: DiscoveredSettings | None = None  # Source.AUTODISCOVER; needs_consent set where due
    found: AutodiscoverAttempt | None = None  # the attempt the settings came from
    # the server the settings came from, when it is not the first URL asked (an HTTP redirect,
    # the http:// redirect method, an SRV target, a redirectUrl/redirectAddr answer)
    redirected_to: str | None = None
    redirect_address: str | None = None  # the address a redirectAddr answer had us ask about
    other_types: tuple[str, ...] = ()  # EXCH, EXPR, WEB...: what the domain offers besides

    @property
    def candidates(self) -> tuple[ServerCandidate, ...]:
        return () if self.settings is None else self.settings.incoming + self.settings.outgoing

    @property
    def needs_consent(self) -> bool:
        """The settings came from a server in another registered domain: ask before a password goes there."""
        return self.found is not None and self.found.other_domain

    @property
    def login_wanted(self) -> bool:
        """Some Autodiscover server answered 401: it would answer after a login (we do not log in)."""
        return any(attempt.outcome is AttemptOutcome.LOGIN_WANTED for attempt in self.attempts)

    @property
    def errors(self) -> tuple[tuple[str, str], ...]:
        """(ErrorCode, Message) of every <Error> answer."""
        return tuple(
            (attempt.error_code or "?", attempt.error)
            for attempt in self.attempts
            if attempt.outcome is AttemptOutcome.ERROR_RESPONSE
        )


def autodiscover_urls(domain: str) -> tuple[str, str, str]:
    """(https subdomain URL, https domain URL, http:// URL of the redirect method) for a domain."""
    return (
        f"https://autodiscover.{domain}{AUTODISCOVER_PATH}",
        f"https://{domain}{AUTODISCOVER_PATH}",
        f"http://autodiscover.{domain}{AUTODISCOVER_PATH}",
    )


@dataclass(frozen=True, slots=True)
class _Found:
    attempt: AutodiscoverAttempt
    answer: AutodiscoverAnswer
    address: str  # the address the answer is for


_Trail = tuple[list[AutodiscoverAttempt], _Found | None]


@dataclass(frozen=True, slots=True)
class _Search:
    """What every request of one search shares."""

    person: str  # the person's address: the login name where an answer names none
    origin: str  # the registered domain of the person's address
    resolver: HostResolver
    context: ssl.SSLContext
    dns: DnsClient | None
    port_override: Mapping[str, int]
    deadline: float

    def other_domain(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return registered_domain(host) != self.origin
        return True  # an address literal belongs to no domain

    @property
    def remaining(self) -> float:
        return self.deadline - time.monotonic()


async def fetch_autodiscover(
    address: str,
    *,
    resolver: HostResolver,
    ssl_context: ssl.SSLContext | None = None,
    dns: DnsClient | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = 10.0,
) -> AutodiscoverResult:
    """Ask the address's domain for Autodiscover settings; never raises for what the network does.

    resolver: host names to addresses (`dns_resolver(DnsClient)`: never the system's resolver).
    ssl_context: the trust store for https (None: the system's). dns: for the SRV method (None:
    no SRV lookup). port_override: {"https": port, "http": port} where the web servers are not on
    443/80 (the lab); an SRV target's port other than 443 is used as it is. timeout: for the
    whole search, redirects and hops included. ValueError only for an `address` that is none.
    """
    domain = _domain(address)
    search = _Search(
        person=address,
        origin=registered_domain(domain),
        resolver=resolver,
        context=ssl_context if ssl_context is not None else ssl.create_default_context(),
        dns=dns,
        port_override=port_override or {},
        deadline=time.monotonic() + timeout,
    )
    attempts, found = await _round(search, address, 0, frozenset({address.lower()}))
    if found is None:
        others = tuple(dict.fromkeys(kind for attempt in attempts for kind in attempt.other_types))
        return AutodiscoverResult(address, tuple(attempts), other_types=others)
    consent = found.attempt.other_domain
    answer = found.answer
    settings = DiscoveredSettings(
        address,
        None,
        tuple(replace(c, needs_consent=consent) for c in answer.incoming),
        tuple(replace(c, needs_consent=consent) for c in answer.outgoing),
    )
    first_urls = autodiscover_urls(domain)[:2]
    moved = found.attempt.hop > 0 or found.attempt.final_url not in first_urls
    return AutodiscoverResult(
        address,
        tuple(attempts),
        settings,
        found.attempt,
        redirected_to=found.attempt.final_url if moved else None,
        redirect_address=None if found.address.lower() == address.lower() else found.address,
        other_types=answer.other_types,
    )


async def _round(search: _Search, address: str, hop: int, chain: frozenset[str]) -> _Trail:
    """All four methods for `address`'s domain at once; the first in order with servers wins."""
    domain = _domain(address)
    subdomain, bare, plain = autodiscover_urls(domain)
    methods: list[tuple[AutodiscoverMethod, str | None, Callable[[], Awaitable[_Trail]]]] = [
        (
            AutodiscoverMethod.SUBDOMAIN,
            subdomain,
            lambda: _ask(search, AutodiscoverMethod.SUBDOMAIN, subdomain, address, hop, chain),
        ),
        (
            AutodiscoverMethod.DOMAIN,
            bare,
            lambda: _ask(search, AutodiscoverMethod.DOMAIN, bare, address, hop, chain),
        ),
        (
            AutodiscoverMethod.HTTP_REDIRECT,
            plain,
            lambda: _ask(
                search, AutodiscoverMethod.HTTP_REDIRECT, plain, address, hop, chain, get_first=True
            ),
        ),
    ]
    if search.dns is not None:
        methods.append((AutodiscoverMethod.SRV, None, lambda: _srv(search, domain, address, hop, chain)))
    tasks = [asyncio.create_task(_guarded(method, url, address, hop, run)) for method, url, run in methods]
    attempts: list[AutodiscoverAttempt] = []
    try:
        for index, task in enumerate(tasks):
            trail, found = await task
            attempts += trail
            if found is None:
                continue
            for (method, url, _), later in zip(methods[index + 1 :], tasks[index + 1 :], strict=True):
                if later.done() and not later.cancelled():
                    attempts += later.result()[0]
                else:
                    later.cancel()
                    attempts.append(
                        AutodiscoverAttempt(method, address, url, AttemptOutcome.NOT_NEEDED, hop=hop)
                    )
            return attempts, found
        return attempts, None
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _guarded(
    method: AutodiscoverMethod, url: str | None, address: str, hop: int, run: Callable[[], Awaitable[_Trail]]
) -> _Trail:
    """A method's trail; a mistake of ours becomes a failed attempt too, not an exception."""
    try:
        return await run()
    except Exception as exc:  # the search must give a result whatever happens
        error = f"{type(exc).__name__}: {_safe(str(exc)) or ''}"
        return [AutodiscoverAttempt(method, address, url, AttemptOutcome.FAILED, error=error, hop=hop)], None


async def _srv(search: _Search, domain: str, address: str, hop: int, chain: frozenset[str]) -> _Trail:
    assert search.dns is not None
    name = f"{SRV_LABEL}.{domain}"
    method = AutodiscoverMethod.SRV
    if search.remaining <= 0:
        return [_timed_out(method, address, None, hop)], None
    lookup = await search.dns.lookup(name, "SRV", min(5.0, search.remaining))
    records: list[SrvRecord] = []
    for answer in lookup.answers if lookup.outcome is DnsOutcome.OK else ():
        try:
            record = SrvRecord.parse(answer)
        except ValueError:
            continue
        if not record.not_offered and 0 < record.port < 65536 and _host(record.target) is not None:
            records.append(record)
    if not records:
        broken = lookup.outcome in (DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT, DnsOutcome.ERROR)
        outcome = AttemptOutcome.FAILED if broken else AttemptOutcome.NOT_OFFERED
        detail = f"{name}: {lookup.outcome.value}" + (" (no usable target)" if lookup.answers else "")
        return [
            AutodiscoverAttempt(method, address, None, outcome, error=detail, hop=hop, srv_lookup=lookup)
        ], None
    best = min(records, key=lambda r: (r.priority, -r.weight, r.target, r.port))
    url = f"https://{best.target}{'' if best.port == 443 else f':{best.port}'}{AUTODISCOVER_PATH}"
    return await _ask(search, method, url, address, hop, chain, srv_lookup=lookup)


def _timed_out(method: AutodiscoverMethod, address: str, url: str | None, hop: int) -> AutodiscoverAttempt:
    return AutodiscoverAttempt(
        method,
        address,
        url,
        AttemptOutcome.FAILED,
        failure=HttpFailure.TIMEOUT,
        error="no time left",
        hop=hop,
    )


async def _ask(
    search: _Search,
    method: AutodiscoverMethod,
    url: str,
    address: str,
    hop: int,
    chain: frozenset[str],
    *,
    get_first: bool = False,
    srv_lookup: DnsLookup | None = None,
) -> _Trail:
    """POST the request for `address` to `url` (GET first for the redirect method), read the answer,
    and follow a redirectAddr/redirectUrl answer."""
    if search.remaining <= 0:
        return [_timed_out(method, address, url, hop)], None
    try:
        result = await _exchange(search, url, autodiscover_request(address), get_first=get_first)
    except HttpFetchError as exc:
        failed = AutodiscoverAttempt(
            method,
            address,
            url,
            AttemptOutcome.FAILED,
            failure=exc.failure,
            error=_safe(exc.detail) or "",
            redirects=exc.redirects,
            hop=hop,
            srv_lookup=srv_lookup,
        )
        return [failed], None
    final_host = urlsplit(result.final_url).hostname or ""

    def tried(
        outcome: AttemptOutcome,
        error: str = "",
        *,
        schemes: tuple[str, ...] = (),
        code: str | None = None,
        others: tuple[str, ...] = (),
    ) -> AutodiscoverAttempt:
        return AutodiscoverAttempt(
            method,
            address,
            url,
            outcome,
            status=result.status,
            error=error,
            final_url=result.final_url,
            redirects=result.redirects,
            hop=hop,
            login_schemes=schemes,
            error_code=code,
            srv_lookup=srv_lookup,
            other_domain=search.other_domain(final_host),
            other_types=others,
        )

    if get_first and not result.redirects:
        return [tried(AttemptOutcome.NOT_OFFERED, "no redirect to https")], None
    if result.status == 401:
        return [tried(AttemptOutcome.LOGIN_WANTED, schemes=_login_schemes(result))], None
    if result.status != 200:
        return [tried(AttemptOutcome.HTTP_STATUS)], None
    try:
        answer = parse_autodiscover(result.body, search.person)
    except AutodiscoverError as exc:
        return [tried(AttemptOutcome.INVALID, _safe(str(exc)) or "")], None
    if answer.error_code is not None:
        return [
            tried(AttemptOutcome.ERROR_RESPONSE, answer.error_message or "", code=answer.error_code)
        ], None
    if answer.redirect_address is not None or answer.redirect_url is not None:
        return await _follow(search, tried, answer, address, hop, chain)
    if not answer.candidates:
        return [
            tried(AttemptOutcome.NO_MAIL_SERVERS, "no IMAP, POP3 or SMTP server", others=answer.other_types)
        ], None
    attempt = tried(AttemptOutcome.FOUND, others=answer.other_types)
    return [attempt], _Found(attempt, answer, address)


async def _follow(
    search: _Search,
    tried: Callable[..., AutodiscoverAttempt],
    answer: AutodiscoverAnswer,
    address: str,
    hop: int,
    chain: frozenset[str],
) -> _Trail:
    """Ask again where a redirectAddr/redirectUrl answer says: at most MAX_HOPS, never in a circle."""
    if answer.redirect_address is not None:
        target = answer.redirect_address
        key = target.lower()
        shown = f"redirectAddr {_safe(target)}"
    else:
        assert answer.redirect_url is not None
        target = answer.redirect_url
        key = f"url:{target}"
        shown = f"redirectUrl {_safe(target)}"
    if hop >= MAX_HOPS:
        return [tried(AttemptOutcome.REDIRECT, f"{shown}: not followed, more than {MAX_HOPS} hops")], None
    if key in chain:
        return [tried(AttemptOutcome.REDIRECT, f"{shown}: not followed, asked already (a loop)")], None
    first = tried(AttemptOutcome.REDIRECT, shown)
    if answer.redirect_address is not None:
        attempts, found = await _round(search, target, hop + 1, chain | {key})
    else:
        attempts, found = await _ask(
            search, AutodiscoverMethod.REDIRECT_URL, target, address, hop + 1, chain | {key}
        )
    return [first, *attempts], found


def _login_schemes(result: HttpResult) -> tuple[str, ...]:
    schemes: list[str] = []
    for name, value in result.headers:
        if name != "www-authenticate":
            continue
        for part in value.split(","):
            word = part.strip().split(" ")[0]
            if "=" not in word and _AUTH_SCHEME.match(word) and word not in schemes:
                schemes.append(word)
    return tuple(schemes[:10])


# --------------------------------------------------------------------------- HTTP POST


async def _exchange(search: _Search, url: str, body: bytes, *, get_first: bool) -> HttpResult:
    """POST `body` to `url` (GET first with get_first), following up to MAX_REDIRECTS redirects.

    Every redirect is POSTed to again (Autodiscover's own rule: the answer moved, ask there);
    only https targets are followed. With get_first, only a 301/302 to https is followed and
    anything else is the answer. HttpFetchError for every failure, with the redirects so far.
    """
    redirects: list[Redirect] = []
    current = url
    while True:
        method = "GET" if get_first and not redirects else "POST"
        try:
            status, headers, payload = await _request(
                search, method, current, None if method == "GET" else body
            )
        except HttpFetchError as exc:
            exc.redirects = tuple(redirects)
            raise
        location = dict(headers).get("location")
        redirecting = status in (301, 302) if method == "GET" else status in (301, 302, 303, 307, 308)
        if not redirecting or location is None:
            return HttpResult(
                status, headers, payload, current, tuple(r.from_url for r in redirects), tuple(redirects)
            )
        try:
            target = urljoin(current, location.strip())
            parts = urlsplit(target)
            target_host = parts.hostname
        except ValueError:
            target_host = None
        if target_host is None or parts.scheme not in ("http", "https"):
            raise HttpFetchError(
                HttpFailure.BAD_REDIRECT, current, f"Location: {_safe(location)}", tuple(redirects)
            )
        redirects.append(
            Redirect(
                status,
                current,
                target,
                cross_domain=search.other_domain(target_host),
                downgrade=urlsplit(current).scheme == "https" and parts.scheme == "http",
            )
        )
        if parts.scheme != "https":
            raise HttpFetchError(
                HttpFailure.BAD_REDIRECT,
                current,
                f"to plain http, not followed: {_safe(target)}",
                tuple(redirects),
            )
        if len(redirects) > MAX_REDIRECTS:
            raise HttpFetchError(HttpFailure.TOO_MANY_REDIRECTS, current, target, tuple(redirects))
        current = target


async def _request(
    search: _Search, method: str, url: str, body: bytes | None
) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    """One request and its answer, within the search's deadline; never an Authorization header."""
    return await http_exchange(
        method,
        url,
        resolver=search.resolver,
        ssl_context=search.context,
        port_override=search.port_override,
        deadline=time.monotonic() + search.remaining,
        max_body=MAX_RESPONSE_BYTES,
        body=body,
        accept="text/xml, application/xml;q=0.9, */*;q=0.1",
    )


def _domain(address: str) -> str:
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {address!r}")
    return domain.lower().rstrip(".")


__all__ = [
    "AUTODISCOVER_PATH",
    "MAX_HOPS",
    "MAX_RESPONSE_BYTES",
    "AttemptOutcome",
    "AutodiscoverAnswer",
    "AutodiscoverAttempt",
    "AutodiscoverError",
    "AutodiscoverMethod",
    "AutodiscoverResult",
    "autodiscover_request",
    "autodiscover_urls",
    "fetch_autodiscover",
    "parse_autodiscover",
]
