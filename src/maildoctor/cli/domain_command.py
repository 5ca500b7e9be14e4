"""`maildoctor domain DOMAIN`: the sending side of a domain, each problem with the record to paste."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from maildoctor.cli.render_check import render_findings
from maildoctor.display import safe, say, show
from maildoctor.domain.engine import DomainFacts, DomainRequest, examine_domain
from maildoctor.domain.findings import domain_findings
from maildoctor.domain.report import domain_to_json, unseen_to_json, verdict
from maildoctor.exitcode import ExitCode
from maildoctor.facts import DnsOutcome
from maildoctor.i18n import N_, Translator
from maildoctor.knowledge import render_evidence, render_finding
from maildoctor.lint.domain_input import domain_of_input
from maildoctor.loginguard import default_cache_dir
from maildoctor.model import Finding, Severity
from maildoctor.net.resolver import Nameserver
from maildoctor.resolver_guard import resolver_verdict, unless_offline

NOT_FOUND: str = N_("none")


@dataclass(frozen=True)
class DomainOptions:
    domain: str
    dns: tuple[str, ...]
    sender_ips: tuple[str, ...]
    helo: str | None
    mail_from: str | None
    blocklists: bool
    dkim_selectors: tuple[str, ...]
    ca_file: Path | None
    timeout: float
    json: bool


def run_domain_command(options: DomainOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    typed = domain_of_input(options.domain)
    if typed.domain is None:
        say(
            err,
            _("“{domain}” is not a domain name. Give a domain like example.jp.").format(
                domain=safe(options.domain)
            ),
        )
        return ExitCode.USAGE
    domain = typed.domain
    if typed.changed:  # a web address, an email address or a mailto: link: say which domain is checked
        say(err, _("Checking the domain {domain} (taken from what was given).").format(domain=safe(domain)))
    try:
        nameservers = tuple(Nameserver.parse(text) for text in options.dns)
        senders = tuple(str(ipaddress.ip_address(text.strip())) for text in options.sender_ips)
    except ValueError:
        say(err, _("A --dns or --sender-ip value is not an address."))
        return ExitCode.USAGE
    request = DomainRequest(
        domain,
        nameservers,
        senders,
        helo=options.helo or "",
        mail_from=options.mail_from or "",
        blocklists=options.blocklists,
        dkim_selectors=options.dkim_selectors,
        ca_file=options.ca_file,
        timeout=options.timeout,
        cache_dir=default_cache_dir(),
    )
    try:
        facts = asyncio.run(unless_offline(examine_domain(request), nameservers))
    except (OSError, ValueError) as exc:
        say(err, _("The diagnosis could not run: {reason}").format(reason=type(exc).__name__))
        return ExitCode.NOT_RUN
    if facts is None or not _dns_answered(facts):
        say(err, _("No DNS server answered: is this computer connected to the internet?"))
        return ExitCode.NOT_RUN
    findings = domain_findings(facts)
    if findings or facts.mx.lookup.outcome != DnsOutcome.OK:  # something would be blamed
        broken = asyncio.run(resolver_verdict(nameservers))
        if broken is not None:
            return _unseen(domain, broken, options.json, translator)
    if options.json:
        document = domain_to_json(facts, findings, translator)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        render_domain(Console(highlight=False), facts, findings, translator)
    return ExitCode.PROBLEMS if verdict(findings) == "problems" else ExitCode.OK


def _unseen(domain: str, broken: Finding, as_json: bool, translator: Translator) -> int:
    """The resolver lies: nothing about the domain is shown (no record to paste), only why, and the
    run counts as one that could not be done (exit 3), not as problems found in the domain."""
    _ = translator.gettext
    message = _("The records of {domain} could not be seen from this network: nothing is said about them.")
    if as_json:
        document = unseen_to_json(domain, broken, translator)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console(highlight=False)
        say(console, message.format(domain=safe(domain)), style="bold")
        render_findings(console, (broken,), translator, min(console.width, 100))
    return ExitCode.NOT_RUN


def _dns_answered(facts: DomainFacts) -> bool:
    """False when neither the MX nor the DMARC lookups got any answer: the resolver is gone."""
    silent = (DnsOutcome.TIMEOUT, DnsOutcome.ERROR)
    lookups = (facts.mx.lookup, *facts.dmarc.lookups)
    return not all(lookup.outcome in silent for lookup in lookups)


def render_domain(
    console: Console, facts: DomainFacts, findings: tuple[Finding, ...], translator: Translator
) -> None:
    _ = translator.gettext
    width = min(console.width, 100)
    say(console, _("Sending side of {domain}").format(domain=safe(facts.domain)), style="bold")
    none = _(NOT_FOUND)
    rows: list[tuple[str, str]] = [
        ("MX", ", ".join(f"{host.preference} {host.host}" for host in facts.mx.hosts) or none),
        ("SPF", facts.spf_policy.record or none),
        *(("", f"{check.ip}: {check.result.value}") for check in facts.spf_checks),
        ("DMARC", facts.dmarc.record_text or none),
        ("DKIM", ", ".join(result.selector for result in facts.dkim.usable) or none),
        ("MTA-STS", str(facts.mta_sts.mode) if facts.mta_sts.mode is not None else none),
    ]
    if facts.registration is not None:
        record = facts.registration.rdap.record
        expires = record.expires.date().isoformat() if record and record.expires else "-"
        providers = ", ".join(m.provider.name for m in facts.registration.hosting.providers) or ", ".join(
            facts.registration.hosting.nameservers
        )
        rows += [(_("Expires"), expires), (_("DNS is served by"), providers or none)]
    label_width = max(cell_len(label) for label, _value in rows) + 4
    for label, value in rows:
        # a record is one line however long: the terminal folds it, a copy of it stays whole
        line = show("  " + label + " " * (label_width - 2 - cell_len(label)), style="cyan")
        line.append_text(show(value))
        console.print(line, soft_wrap=True)
    serious = tuple(item for item in findings if item.severity in (Severity.ERROR, Severity.WARNING))
    if not serious:
        say(console, _("No problems were found on the sending side."), style="green")
        return
    render_findings(console, serious[:1], translator, width)
    if len(serious) > 1:
        say(console, _("Also found:"), style="bold")
    for item in serious[1:]:
        rendered = render_finding(item, translator)
        say(console, f"{rendered.title} ({item.cause})", style="bold", first="• ", rest="  ")
        for evidence in item.evidence:
            say(console, render_evidence(evidence, translator), first="    ", rest="    ")
