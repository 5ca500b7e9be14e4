"""The text for the IT helper: what was checked, what was found, and the conversation with each
server (the password removed, as everywhere). Pure: report and facts in, text out."""

from __future__ import annotations

from collections.abc import Iterable

from maildoctor import __version__
from maildoctor.escaping import safe
from maildoctor.facts import DiagnosisFacts
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_evidence, render_finding
from maildoctor.model import Report

_ARROWS = {"S": "S:", "C": "C:", "*": "**"}


def masked(text: str, secrets: Iterable[str]) -> str:
    """`text` with every form of the password in `secrets` replaced (a second guard: the network
    layer's transcript is already redacted)."""
    for form in sorted(secrets, key=len, reverse=True):
        if form:
            text = text.replace(form, "********")
    return text


def transcript_text(
    report: Report, facts: DiagnosisFacts, translator: Translator, secrets: Iterable[str] = ()
) -> str:
    _ = translator.gettext
    lines = [
        _("maildoctor {version}: diagnosis of {address}").format(
            version=__version__, address=safe(report.address)
        ),
        _("Result: {verdict}").format(verdict=report.verdict.value),
        "",
    ]
    for item in report.findings:
        rendered = render_finding(item, translator)
        lines.append(f"[{item.cause}] {rendered.title}")
        lines.extend(f"    {render_evidence(line, translator)}" for line in item.evidence)
    lines.append("")
    for check in report.checks:
        fault = f" ({check.fault.value})" if check.fault is not None else ""
        lines.append(f"{check.server.value:9} {check.id:15} {check.status.value}{fault} {check.ms} ms")
    for server in facts.servers:
        session = server.session
        if session is None or not session.transcript:
            continue
        lines += ["", _("Conversation with {url}").format(url=safe(server.endpoint.url))]
        lines.extend(
            f"  {line.ms:>6} ms {_ARROWS.get(line.direction, '?')} {safe(line.text)}"
            for line in session.transcript
        )
    return masked("\n".join(lines) + "\n", list(secrets))


__all__ = ["masked", "transcript_text"]
