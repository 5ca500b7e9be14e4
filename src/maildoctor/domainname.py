"""The one way a domain or host name is made comparable: `normalize_domain`.

Surrounding space and the trailing dot off, lower case, and internationalised labels as A-labels
(IDNA 2008 with the UTS #46 mapping, as browsers and email-validator do: "例え.jp" ->
"xn--r8jz45g.jp", full-width letters folded). Pure.

Until issue 13 there were six such functions (discover/providers, domain/dmarc,
domain/registration, domain/engine, domain/dnsproviders, tlsfacts/certificate) with small
differences; they all use this one now. Where a caller kept the Unicode form on purpose (a domain
shown as the person typed it), it asks for `a_labels=False`.
"""

from __future__ import annotations

import idna

__all__ = ["normalize_domain"]


def normalize_domain(text: str, *, a_labels: bool = True) -> str:
    """`text` as a lower-case domain without a trailing dot, in A-labels unless `a_labels` is False.

    "" if it names no domain: nothing left, an empty label ("a..jp"), or a label IDNA 2008
    cannot encode (a symbol, a joiner out of place). An ASCII name is not checked further: "_dmarc",
    "[::1]" and "*.example.jp" come back as they are, lower case.
    """
    name = text.strip().rstrip(".").lower()
    if not name or any(not label for label in name.split(".")):
        return ""
    if name.isascii() or not a_labels:
        return name
    try:
        return idna.encode(name, uts46=True).decode("ascii").lower()
    except idna.IDNAError:
        return ""
