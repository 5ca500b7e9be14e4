"""`maildoctor check`: read the password safely, run the diagnosis, show or print the report."""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.live import Live

from maildoctor.check_request import CheckRequest
from maildoctor.cli.client_option import resolve_client_option
from maildoctor.cli.dns_option import parse_nameservers
from maildoctor.cli.oauth2_sign_in import SignInRequest, forget_refused, sign_in
from maildoctor.cli.render_check import LiveProgress, render_report, render_traces, render_transcripts
from maildoctor.clients.guidance import Guidance
from maildoctor.diagnose import run_check
from maildoctor.display import safe, say
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import Translator
from maildoctor.model import Endpoint, Secret, Verdict
from maildoctor.report import report_to_json


@dataclass(frozen=True)
class CheckOptions:
    address: str
    incoming: Endpoint | None
    outgoing: Endpoint | None
    user: str | None
    no_outgoing_auth: bool
    force_login: bool
    transcript: bool
    password_stdin: bool
    no_auth: bool
    dns: tuple[str, ...]
    ca_file: Path | None
    timeout: float
    json: bool
    roundtrip: bool = False
    client: str | None = None
    debug: bool = False  # a check that crashed shows its traceback (passwords removed)
    sign_in: SignInRequest | None = None  # check --oauth2: sign in on the provider's page first


def _read_password(options: CheckOptions, translator: Translator) -> Secret | None:
    if options.no_auth or options.sign_in is not None:
        return None
    if options.password_stdin:
        line = sys.stdin.readline()
        value = line[:-1] if line.endswith("\n") else line
        value = value[:-1] if value.endswith("\r") else value
        return Secret(value) if value else None
    if sys.stdin.isatty():
        _ = translator.gettext
        value = getpass.getpass(_("Password (not shown; leave empty to skip the login): "))
        return Secret(value) if value else None
    return None


def run_check_command(options: CheckOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    nameservers = parse_nameservers(options.dns, err, translator)
    if nameservers is None:
        return ExitCode.USAGE
    if options.ca_file is not None and not options.ca_file.is_file():
        say(
            err,
            _("The file given to --ca-file does not exist: {path}").format(path=safe(str(options.ca_file))),
        )
        return ExitCode.USAGE
    client = resolve_client_option(options.client, err, translator)
    if client is False:
        return ExitCode.USAGE
    incoming_protocol = str(options.incoming.protocol) if options.incoming is not None else None
    guidance = Guidance(client, account=options.address, protocol=incoming_protocol)
    password = _read_password(options, translator)
    token = None
    if options.sign_in is not None and not options.no_auth:
        signed = sign_in(dataclasses.replace(options.sign_in, nameservers=nameservers), translator)
        if isinstance(signed, int):
            return signed
        token = signed
    request = CheckRequest(
        address=options.address,
        incoming=options.incoming,
        outgoing=options.outgoing,
        username=options.user,
        password=password,
        login=not options.no_auth,
        outgoing_auth=not options.no_outgoing_auth,
        force_login=options.force_login,
        nameservers=nameservers,
        ca_file=options.ca_file,
        timeout=options.timeout,
        roundtrip=options.roundtrip,
        client=str(client) if client else None,
        token=token,
    )
    out = Console(highlight=False)
    try:
        if options.json or not out.is_terminal:
            report, facts = asyncio.run(run_check(request))
        else:
            live = LiveProgress(translator, options.address)
            with Live(live, console=out, refresh_per_second=12, transient=True):
                report, facts = asyncio.run(run_check(dataclasses.replace(request, progress=live.step)))
    except (OSError, ValueError) as exc:
        say(err, _("The diagnosis could not run: {reason}").format(reason=type(exc).__name__))
        return ExitCode.NOT_RUN
    if options.sign_in is not None:
        logins = [server.session.login for server in facts.servers if server.session is not None]
        forget_refused(options.sign_in, [login.oauth_failure for login in logins if login is not None])
    faults = [check for check in report.checks if check.fault is not None]
    nothing_found = not facts.servers and not report.findings and not faults
    if nothing_found and options.incoming is None and options.outgoing is None:
        say(err, _("No settings were found for {address}.").format(address=safe(options.address)))
        say(err, _("Give the server settings of the mail program with --incoming and/or --outgoing."))
        return ExitCode.NOT_RUN
    if options.json:
        document = report_to_json(report, translator, guidance)
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        render_report(out, report, translator, guidance)
        if options.transcript:
            render_transcripts(out, facts, translator)
    if options.debug:
        render_traces(err, faults)
    if report.verdict == Verdict.PROBLEMS:
        return ExitCode.PROBLEMS
    if report.verdict == Verdict.INCOMPLETE and not report.findings:
        # every check that was to run could not: the diagnosis itself did not run
        return ExitCode.OK if any(check.fault is None for check in report.checks) else ExitCode.NOT_RUN
    return ExitCode.OK
