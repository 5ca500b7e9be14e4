"""The path of a mail, hop by hop, and how far each hop is known to work. Pure.

this device → the network and DNS → the server's name → the port and encryption → the login →
the mailbox → sending → the recipient's side. A hop is red when a root cause (an error or a
warning that is not a consequence of another) lives there, or one of its checks failed; green
when its checks passed; grey when nothing could test it ("could not test" is never red).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from maildoctor.i18n import N_
from maildoctor.model import CheckResult, CheckStatus, Finding, Layer, ServerRole, Severity


class HopState(StrEnum):
    OK = "ok"
    BROKEN = "broken"
    UNTESTED = "untested"


@dataclass(frozen=True, slots=True)
class HopKind:
    id: str
    name: str  # message id
    checks: tuple[str, ...]  # the report's check ids that test it
    layers: tuple[Layer, ...]  # where the causes that break it live


HOPS: Final = (
    HopKind("device", N_("This device"), (), (Layer.NETWORK,)),
    HopKind("dns", N_("Network and DNS"), ("dns",), (Layer.DNS,)),
    HopKind("name", N_("Server name"), (), (Layer.INPUT,)),
    HopKind(
        "port",
        N_("Port and encryption"),
        ("tcp", "tls", "greeting"),
        (Layer.TRANSPORT, Layer.TLS, Layer.SERVER),
    ),
    HopKind("login", N_("Login"), ("login",), (Layer.AUTH,)),
    HopKind("mailbox", N_("Mailbox"), ("mailbox",), (Layer.MAILBOX,)),
    HopKind("sending", N_("Sending"), ("send", "roundtrip"), (Layer.SMTP,)),
    HopKind("recipient", N_("Recipient's side"), ("mx", "sending_domain"), (Layer.SENDING_DOMAIN,)),
)
STATE_NAMES: Final = {
    HopState.OK: N_("works"),
    HopState.BROKEN: N_("problem here"),
    HopState.UNTESTED: N_("could not test"),
}


@dataclass(frozen=True, slots=True)
class Hop:
    kind: HopKind
    state: HopState
    cause_title: str = ""  # the first root cause's title, when broken


def _root_causes(findings: Sequence[Finding], layers: tuple[Layer, ...]) -> list[Finding]:
    return [
        item
        for item in findings
        if item.layer in layers
        and item.severity in (Severity.ERROR, Severity.WARNING)
        and item.consequence_of is None
    ]


def hops_of(
    checks: Sequence[CheckResult], findings: Sequence[Finding], title: Callable[[Finding], str]
) -> tuple[Hop, ...]:
    """The path as a report (or the checks finished so far) shows it."""
    anything_answered = any(
        check.status == CheckStatus.PASS and check.id not in ("settings",) for check in checks
    )
    hops = []
    for kind in HOPS:
        mine = [check for check in checks if check.id in kind.checks and check.fault is None]
        causes = _root_causes(findings, kind.layers)
        if causes:
            hops.append(Hop(kind, HopState.BROKEN, title(causes[0])))
        elif any(check.status == CheckStatus.FAIL for check in mine):
            hops.append(Hop(kind, HopState.BROKEN))
        elif any(check.status == CheckStatus.PASS for check in mine):
            hops.append(Hop(kind, HopState.OK))
        elif kind.id in ("device", "name") and _reached(checks):
            hops.append(Hop(kind, HopState.OK))  # a server answered: the device and the name worked
        elif kind.id == "device" and anything_answered:
            hops.append(Hop(kind, HopState.OK))
        else:
            hops.append(Hop(kind, HopState.UNTESTED))
    return tuple(hops)


def _reached(checks: Iterable[CheckResult]) -> bool:
    return any(check.id == "tcp" and check.status == CheckStatus.PASS for check in checks)


def broken(hops: Iterable[Hop]) -> tuple[Hop, ...]:
    return tuple(hop for hop in hops if hop.state == HopState.BROKEN)


def checks_from_steps(steps: Iterable[tuple[str, str, bool]]) -> tuple[CheckResult, ...]:
    """The steps finished so far (server, step, passed), as checks, for the picture while it runs."""
    return tuple(
        CheckResult(step, ServerRole(role), CheckStatus.PASS if passed else CheckStatus.FAIL, 0)
        for role, step, passed in steps
    )


__all__ = ["HOPS", "STATE_NAMES", "Hop", "HopKind", "HopState", "broken", "checks_from_steps", "hops_of"]
