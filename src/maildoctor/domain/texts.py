"""What each problem of the domain checks means, in one or two plain sentences.

The modules of `maildoctor domain` return problems as typed data (a code and values, no
prose); this module turns a problem into a sentence for an office worker, in the reader's
language: what is wrong, and why it matters.

`PROBLEM_TEXTS` maps a key ``"<kind>:<code value>"`` (see `problem_key`) to English message
ids, the most exact first: the knowledge base's files src/maildoctor/data/knowledge/problems/
<kind>.toml, one table per code (Babel extracts them; the ja catalog translates them). A text
may hold ``{placeholders}`` for values the problem carries (a DomainProblem's params, DMARC's
tag and value, DKIM's selector and tag, MTA-STS's field, SPF's domain and term); the first
text whose placeholders all have a value is shown, as knowledge.py does for fix steps. The
last text of every key has no placeholder, so a known key always gives a sentence.

The kinds and the enums behind them:

    mx            domain/mx.py          MxProblem (DomainProblem)
    blocklist     domain/blocklists.py  BlocklistProblem (DomainProblem)
    registration  domain/registration.py RegistrationProblem (DomainProblem)
    dmarc         domain/dmarc.py       DmarcProblemCode (DmarcProblem)
    dkim          domain/dkim.py        DkimProblemCode (DkimProblem)
    sts           domain/mtasts.py      StsProblemCode (StsProblem; MTA-STS and TLS-RPT)
    spf           domain/spf.py         PolicyIssue (PolicyProblem: the record without a sender)
    spf-check     domain/spf.py         SpfErrorKind (SpfError: why check_host() gave an error)
    spf-syntax    domain/spf_record.py  SyntaxIssue (the `syntax` of a PolicyProblem or SpfError)
    spf-result    domain/spf_record.py  SpfResult (check_host() for one sending IP; values domain, ip)

No problem dataclass carries an SpfResult, so problem_key never gives an spf-result key: a
caller that shows the result of checking a sending IP builds it ("spf-result:softfail").
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from maildoctor.domain.blocklists import BlocklistProblem
from maildoctor.domain.dkim import DkimProblem, DkimProblemCode
from maildoctor.domain.dmarc import DmarcProblem, DmarcProblemCode
from maildoctor.domain.mtasts import StsProblem, StsProblemCode
from maildoctor.domain.mx import DomainProblem, MxProblem
from maildoctor.domain.registration import RegistrationProblem
from maildoctor.domain.spf import PolicyIssue, PolicyProblem, SpfError, SpfErrorKind
from maildoctor.domain.spf_record import SpfResult, SyntaxIssue
from maildoctor.i18n import Translator
from maildoctor.knowledge import Step, render_step, translate_value
from maildoctor.knowledge_data import LazyMapping, chain, knowledge_base

Problem = DomainProblem | DmarcProblem | DkimProblem | StsProblem | PolicyProblem | SpfError

# the kind of key each code enum gives ("mx:MX_CNAME", "spf:too-many-lookups")
KINDS: Final[Mapping[type[StrEnum], str]] = MappingProxyType(
    {
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
)

# DomainProblem params that hold an English message id (N_) rather than a value
_MESSAGE_PARAMS: Final = frozenset({"meaning", "usage", "note"})

# --------------------------------------------------------------------------- the texts


def _texts() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(knowledge_base().problems)


# the knowledge base's problems/<kind>.toml, read on first use (knowledge_data.py)
PROBLEM_TEXTS: Final[Mapping[str, tuple[str, ...]]] = LazyMapping(_texts)


@functools.cache
def _step(key: str) -> Step | None:
    """The texts of `key` as one step (made when first asked: a report names a few keys of ~150)."""
    texts = PROBLEM_TEXTS.get(key)
    return None if texts is None else chain(texts)


# --------------------------------------------------------------------------- keys, values, rendering


def problem_code(problem: Problem) -> StrEnum:
    """The code a problem's text is chosen by: for SPF, the syntax issue when there is one."""
    if isinstance(problem, PolicyProblem):
        return problem.syntax if problem.syntax is not None else problem.issue
    if isinstance(problem, SpfError):
        return problem.syntax if problem.syntax is not None else problem.kind
    return problem.code


def problem_key(problem: Problem) -> str:
    """``"<kind>:<code value>"`` ("mx:MX_CNAME", "dmarc:no_record", "spf-syntax:bad-ip4").

    A DomainProblem with a code enum this module does not know gets the enum's class name
    as its kind; problem_text finds no text for it.
    """
    code = problem_code(problem)
    return f"{KINDS.get(type(code), type(code).__name__)}:{code.value}"


def problem_values(problem: Problem, translator: Translator) -> dict[str, str]:
    """The values a problem's texts may name, as the reader sees them; empty ones left out.

    DomainProblem params that are message ids (a blocklist's meaning and usage, a WHOIS
    note) are translated, and so are DNS outcomes (knowledge.translate_value).
    """
    raw: Mapping[str, str | None]
    if isinstance(problem, DomainProblem):
        raw = dict(problem.params)
    elif isinstance(problem, DmarcProblem):
        raw = {"tag": problem.tag, "value": problem.value}
    elif isinstance(problem, DkimProblem):
        raw = {"selector": problem.selector, "tag": problem.tag}
    elif isinstance(problem, StsProblem):
        raw = {"field": problem.field}
    elif isinstance(problem, PolicyProblem):
        raw = {"domain": problem.domain, "term": problem.term}
    else:
        raw = {
            "domain": problem.domain,
            "term": problem.term,
            "dns_name": problem.dns_name,
            "dns_type": problem.dns_type,
        }
    values: dict[str, str] = {}
    for name, value in raw.items():
        if not value:
            continue
        if isinstance(problem, DomainProblem) and name in _MESSAGE_PARAMS:
            values[name] = translator.gettext(value)
        elif isinstance(problem, DomainProblem):
            values[name] = translate_value(name, value, translator)
        else:
            values[name] = value
    return values


def problem_text(key: str, values: Mapping[str, str], translator: Translator) -> str | None:
    """The first text of `key` whose placeholders all have values, translated and filled in.

    None for a key without texts; for a known key never None (its last text has no
    placeholder).
    """
    step = _step(key)
    return None if step is None else render_step(step, values, translator)


def render_problem(problem: Problem, translator: Translator) -> str | None:
    """A problem's sentence in the translator's language; None when its code has no text."""
    return problem_text(problem_key(problem), problem_values(problem, translator), translator)


__all__ = [
    "KINDS",
    "PROBLEM_TEXTS",
    "Problem",
    "problem_code",
    "problem_key",
    "problem_text",
    "problem_values",
    "render_problem",
]
