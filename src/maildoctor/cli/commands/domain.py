"""`maildoctor domain DOMAIN`: its options; the run is cli/domain_command.py's.

Registered on the app by cli/app.py's build_app, with every help text in the run's language.
"""

# No `from __future__ import annotations` here: Typer reads the Annotated[...] metadata at run time.

from pathlib import Path
from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext
    command_class = shared.command_class
    extra_args = shared.extra_args
    lang_option = shared.lang
    dns_option = shared.dns
    ca_file_option = shared.ca_file
    timeout_option = shared.timeout

    @app.command(
        "domain",
        epilog=examples("domain", translator),
        cls=command_class,
        context_settings=extra_args,
        help=_(
            "Check the sending side of a domain: MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, blocklists, expiry."
        ),
    )
    def domain(
        name: Annotated[str, typer.Argument(metavar="DOMAIN", help=_("The domain, like example.jp."))],
        sender_ip: Annotated[
            list[str] | None,
            typer.Option(
                "--sender-ip",
                metavar="IP",
                help=_("An address of a server that sends the domain's mail: SPF is checked for it."),
            ),
        ] = None,
        helo: Annotated[
            str | None,
            typer.Option("--helo", metavar="NAME", help=_("The name the sending server greets with.")),
        ] = None,
        mail_from: Annotated[
            str | None,
            typer.Option(
                "--mail-from", metavar="ADDRESS", help=_("The envelope sender for the SPF check (MAIL FROM).")
            ),
        ] = None,
        blocklists: Annotated[
            bool,
            typer.Option(
                "--blocklists",
                help=_(
                    "Also ask the major spam blocklists about the sender addresses (they have usage rules)."
                ),
            ),
        ] = False,
        dkim_selector: Annotated[
            list[str] | None,
            typer.Option(
                "--dkim-selector",
                metavar="NAME",
                help=_("A DKIM selector to look at besides the usual ones."),
            ),
        ] = None,
        dns: Annotated[list[str] | None, dns_option()] = None,
        ca_file: Annotated[Path | None, ca_file_option()] = None,
        timeout: Annotated[float, timeout_option()] = 20,
        json_output: Annotated[
            bool,
            typer.Option(
                "--json",
                help=_(
                    "Print the report as JSON for other programs (format maildoctor.domain/1), "
                    "and nothing else."
                ),
            ),
        ] = False,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.cli.domain_command import DomainOptions, run_domain_command

        options = DomainOptions(
            domain=name,
            dns=tuple(dns or ()),
            sender_ips=tuple(sender_ip or ()),
            helo=helo,
            mail_from=mail_from,
            blocklists=blocklists,
            dkim_selectors=tuple(dkim_selector or ()),
            ca_file=ca_file,
            timeout=timeout,
            json=json_output,
        )
        raise typer.Exit(run_domain_command(options, translator))
