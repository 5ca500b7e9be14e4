"""POP's one-device habit: mail taken off the server is gone for every other device."""

from __future__ import annotations

from maildoctor.facts import DiagnosisFacts
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Protocol, ServerRole
from maildoctor.rules.base import finding
from maildoctor.rules.registry import diagnosis_rule


def pop_delete_risk(facts: DiagnosisFacts) -> list[Finding]:
    """A warning when the account is read over POP3 in a named mail program.

    Only with --client: the program's default (remove after N days, or never) is what makes
    the risk real, and without it maildoctor cannot tell; the fix shows that program's switch.
    """
    if facts.client is None:
        return []
    for server in facts.servers:
        if server.role == ServerRole.INCOMING and server.endpoint.protocol == Protocol.POP3:
            evidence = Evidence.of(
                N_("The incoming server is read with POP3: {host} port {port}."),
                host=server.endpoint.host,
                port=server.endpoint.port,
            )
            return [finding("POP_DELETE_RISK", ServerRole.INCOMING, {"role": "incoming"}, [evidence])]
    return []


diagnosis_rule("pop-delete-risk", 10, pop_delete_risk, after_servers=True)
