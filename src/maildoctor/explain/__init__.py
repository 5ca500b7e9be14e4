"""`maildoctor explain`: what a mail program's error message or code means.

The knowledge is data (`maildoctor/data/client_messages.toml`, read by `catalog`);
`match` finds the entries a pasted message or code belongs to, purely, with no I/O.

    from maildoctor.explain import explain_text
    result = explain_text("受信 'x' エラー (0x800ccc0e)")
    result.matches[0].entry.causes  # most likely cause first
"""

from __future__ import annotations

from maildoctor.explain.catalog import CatalogError, Client, ClientMessage, Confirmed, load_catalog
from maildoctor.explain.match import Explanation, Match, MatchKind, find_codes, match_text, normalise


def explain_text(text: str, *, limit: int = 5) -> Explanation:
    """The shipped catalogue's entries that `text` matches, best first (see `match_text`)."""
    return match_text(text, load_catalog(), limit=limit)


__all__ = [
    "CatalogError",
    "Client",
    "ClientMessage",
    "Confirmed",
    "Explanation",
    "Match",
    "MatchKind",
    "explain_text",
    "find_codes",
    "load_catalog",
    "match_text",
    "normalise",
]
