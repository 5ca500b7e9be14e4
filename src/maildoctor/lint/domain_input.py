"""A domain as people type or paste it: a web address, a mailto: link, an email address, upper case, a
trailing dot, Japanese letters. Pure: the text in, the domain it names out (or None)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from maildoctor.lint.address import validate_domain


@dataclass(frozen=True, slots=True)
class DomainInput:
    domain: str | None  # the domain in A-labels, lower case; None when the text names none
    changed: bool  # more than case and a trailing dot was taken off: say what is checked


def domain_of_input(text: str) -> DomainInput:
    """The domain `text` names: https://www.example.com/ -> example.com, mailto:a@example.jp ->
    example.jp, taro@example.jp -> example.jp, EXAMPLE.JP. -> example.jp, 日本.jp -> xn--wgv71a.jp."""
    plain = text.strip()
    name = unicodedata.normalize("NFKC", plain)
    if name.lower().startswith("mailto:"):
        name = name[len("mailto:") :].partition("?")[0]
    if "://" in name:
        try:
            name = urlsplit(name).hostname or ""
        except ValueError:
            name = ""
    name = name.partition("/")[0]
    name = name.rpartition("@")[2]
    if name.count(":") == 1:  # a port after the name (example.jp:443)
        name = name.partition(":")[0]
    name = name.rstrip(".").lower()
    if name.startswith("www.") and name.count(".") >= 2:  # the web site's name: its domain is meant
        name = name[len("www.") :]
    domain = validate_domain(name) if name and "." in name else None
    if domain is not None:
        domain = domain.lower()
    return DomainInput(domain, domain is not None and domain != plain.rstrip(".").lower())
