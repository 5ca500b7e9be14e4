"""What `settings` says when it found nothing, or when the address looks mistyped: why, and what next.

`why_nothing_found` is pure (the discovery's facts in, a reason out); the sentences are English
message ids, translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from maildoctor.discover.engine import DiscoveryFacts
from maildoctor.facts import DnsOutcome
from maildoctor.i18n import N_, Translator
from maildoctor.lint.address import check_address
from maildoctor.rules.settings import nearest_host


class NothingFound(StrEnum):
    NO_DNS_ANSWER = "no-dns-answer"  # the MX lookup got no answer at all: nothing could be asked
    NO_SUCH_DOMAIN = "no-such-domain"  # DNS says the domain does not exist
    NO_MAIL_SERVERS = "no-mail-servers"  # the domain exists, but has no MX (or a null MX)
    NOTHING_KNOWN = "nothing-known"  # mail servers exist, but no source knows their settings


_SILENT: Final = frozenset({DnsOutcome.TIMEOUT, DnsOutcome.ERROR, DnsOutcome.REFUSED, DnsOutcome.SERVFAIL})

REASONS: Final = {
    NothingFound.NO_DNS_ANSWER: N_(
        "No DNS server answered, so nothing could be looked up: is this computer connected to the internet?"
    ),
    NothingFound.NO_SUCH_DOMAIN: N_(
        "The domain {domain} does not exist on the internet: check how the address is spelt."
    ),
    NothingFound.NO_MAIL_SERVERS: N_(
        "The domain {domain} has no mail servers (no MX record): it may not be used for email, "
        "or the address may be mistyped."
    ),
    NothingFound.NOTHING_KNOWN: N_(
        "The domain {domain} has mail servers ({servers}), but their settings for mail programs are not "
        "published where maildoctor looks, and the usual server names did not answer."
    ),
}
NOTHING_KNOWN_NO_SERVERS: Final = N_(
    "Nothing is known about the settings of {domain}: they are not published where maildoctor looks, "
    "and the usual server names did not answer."
)
NOTHING_FOUND: Final = N_("No settings were found for {address}.")
ASK_PROVIDER: Final = N_(
    "Next step: ask your provider (or whoever manages {domain}) for the incoming and outgoing server "
    "settings. To have everything at hand for that call, make a memo with this command:"
)
DID_YOU_MEAN: Final = N_("Did you mean {suggestion}? Its settings are shown by this command:")


def why_nothing_found(facts: DiscoveryFacts | None) -> NothingFound:
    if facts is None:  # nothing told about the sources
        return NothingFound.NOTHING_KNOWN
    mx = facts.mx
    if mx is None or mx.lookup.outcome in _SILENT:
        return NothingFound.NO_DNS_ANSWER
    if mx.lookup.outcome == DnsOutcome.NXDOMAIN:
        return NothingFound.NO_SUCH_DOMAIN
    if mx.null_mx or not mx.hosts:
        return NothingFound.NO_MAIL_SERVERS
    return NothingFound.NOTHING_KNOWN


def nothing_found_lines(address: str, facts: DiscoveryFacts | None, translator: Translator) -> list[str]:
    """Why nothing was found and the next step; the last line is the memo command, to copy whole."""
    _ = translator.gettext
    domain = address.rpartition("@")[2]
    reason = why_nothing_found(facts)
    if reason is NothingFound.NO_DNS_ANSWER:  # the same words as the quick offline stop, whichever came first
        return offline_lines(address, translator)
    servers = ", ".join(facts.mx.hosts[:3]) if facts is not None and facts.mx is not None else ""
    said = (
        REASONS[reason] if servers or reason is not NothingFound.NOTHING_KNOWN else NOTHING_KNOWN_NO_SERVERS
    )
    return [
        _(NOTHING_FOUND).format(address=address),
        _(said).format(domain=domain, servers=servers),
        _(ASK_PROVIDER).format(domain=domain),
        f"  maildoctor settings {address} --memo",
    ]


def offline_lines(address: str, translator: Translator) -> list[str]:
    """Nothing found because no DNS server answered: the search could not run (not "nothing exists")."""
    _ = translator.gettext
    return [_(NOTHING_FOUND).format(address=address), _(REASONS[NothingFound.NO_DNS_ANSWER])]


def suggested_address(address: str, known_domains: Iterable[str]) -> str | None:
    """The address the person probably meant: the repaired one (＠, spaces), or a known provider's
    domain one or two letters away (gmial.com -> gmail.com); None when nothing suggests itself."""
    check = check_address(address)
    if not check.ok:
        return check.suggestion
    local, _, domain = address.rpartition("@")
    known = frozenset(known_domains)
    if domain.lower() in known:
        return None
    nearest = nearest_host(domain, known)
    return f"{local}@{nearest}" if nearest is not None else None


def suggestion_lines(suggestion: str, translator: Translator) -> list[str]:
    return [
        translator.gettext(DID_YOU_MEAN).format(suggestion=suggestion),
        f"  maildoctor settings {suggestion}",
    ]
