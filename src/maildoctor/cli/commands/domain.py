"""`maildoctor domain DOMAIN`: its options; the run is cli/domain_command.py's."""

from pathlib import Path
from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "domain",
        epilog=examples("domain", translator),
        cls=shared.command_class,
        context_settings=shared.extra_args,
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
        dns: Annotated[list[str] | None, shared.dns()] = None,
        ca_file: Annotated[Path | None, shared.ca_file()] = None,
        timeout: Annotated[float, shared.timeout()] = 20,
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
        lang: Annotated[Language | None, shared.lang()] = None,
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
