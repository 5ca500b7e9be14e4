"""The domain an MX host belongs to, as Thunderbird's provider lookup (and maildoctor's) needs it.

A short hand-kept list of generic second levels stands in for the Public Suffix List here (the
domain command uses the real list, maildoctor.domain.suffixes): `registered_domain` and
`mx_lookup_domains` serve the provider index (maildoctor.discover.providers), and the curated
provider files are checked with GENERIC_SECOND_LEVELS (maildoctor.discover.curated).
"""

from __future__ import annotations

from typing import Final

from maildoctor.domainname import normalize_domain

__all__ = ["GENERIC_SECOND_LEVELS", "mx_lookup_domains", "registered_domain"]

# Second-level labels under which registrations happen one level deeper, so that the
# registered domain of "mx.example.co.jp" is "example.co.jp" and not "co.jp". A short,
# hand-kept stand-in for the Public Suffix List: the generic second levels of the
# countries whose providers the ISPDB and maildoctor's users mostly have.
GENERIC_SECOND_LEVELS: Final = frozenset(
    {
        # Japan (JPRS attribute-type domains)
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
        # United Kingdom
        "co.uk", "org.uk", "ac.uk", "me.uk", "ltd.uk", "plc.uk",
        # Australia, New Zealand
        "com.au", "net.au", "org.au", "edu.au", "co.nz", "net.nz", "org.nz",
        # elsewhere
        "com.br", "net.br", "co.kr", "com.cn", "net.cn", "com.tw", "co.za", "co.in", "com.mx",
    }
)  # fmt: skip


def registered_domain(host: str) -> str:
    """The domain `host` is registered under: the last two labels, three under a generic second level."""
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in GENERIC_SECOND_LEVELS else 2
    return ".".join(labels[-keep:])


def mx_lookup_domains(mx_host: str) -> tuple[str, ...]:
    """The domains Thunderbird tries for one MX host: the host without its first label, then its base.

    "aspmx.l.google.com" -> ("l.google.com", "google.com"). The host without its
    first label is left out when it is no longer than the registered domain
    ("mx.example.com" -> just "example.com"; "example.co.jp" must not try "co.jp").
    """
    host = normalize_domain(mx_host)
    if not host:
        return ()
    base = registered_domain(host)
    parent = host.partition(".")[2]
    if parent and len(parent.split(".")) > len(base.split(".")):
        return (parent, base)
    return (base,)
