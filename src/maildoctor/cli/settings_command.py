"""`maildoctor settings`: find the right settings for an address and hand them over."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from maildoctor.discover.engine import DiscoveryRequest, discover
from maildoctor.export.autoconfig import render_autoconfig
from maildoctor.export.common import NoServerError
from maildoctor.export.mobileconfig import render_mobileconfig
from maildoctor.export.settings_json import settings_to_json
from maildoctor.export.table import render_settings_table
from maildoctor.i18n import Translator
from maildoctor.net.resolver import Nameserver

EXIT_OK, EXIT_NOTHING_FOUND, EXIT_USAGE, EXIT_NOT_RUN = 0, 1, 2, 3
FORMATS = ("table", "json", "autoconfig", "mobileconfig", "sheet")


@dataclass(frozen=True)
class SettingsOptions:
    address: str
    format: str
    memo: bool
    dns: tuple[str, ...]
    ca_file: Path | None
    timeout: float
    client: str | None


def run_settings_command(options: SettingsOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    if options.format not in FORMATS:
        err.print(
            Text(
                _("Unknown format “{value}”. Use one of: {formats}.").format(
                    value=options.format, formats=", ".join(FORMATS)
                )
            )
        )
        return EXIT_USAGE
    if options.format == "sheet" or options.memo:
        what = "--memo" if options.memo else "--format sheet"
        err.print(
            Text(_("“{command}” is not available in this version of maildoctor yet.").format(command=what))
        )
        return EXIT_NOT_RUN
    local, at, domain = options.address.strip().rpartition("@")
    if not at or not local or not domain:
        err.print(Text(_("“{address}” is not an email address.").format(address=options.address)))
        return EXIT_USAGE
    try:
        nameservers = tuple(Nameserver.parse(text) for text in options.dns)
    except ValueError:
        err.print(
            Text(_("A --dns value is not a server address: {value}").format(value=", ".join(options.dns)))
        )
        return EXIT_USAGE
    request = DiscoveryRequest(options.address.strip(), nameservers, options.ca_file, options.timeout)
    try:
        settings, _facts = asyncio.run(discover(request))
    except (OSError, ValueError) as exc:
        err.print(Text(_("The diagnosis could not run: {reason}").format(reason=type(exc).__name__)))
        return EXIT_NOT_RUN
    found = bool(settings.incoming or settings.outgoing)
    if options.format == "json":
        sys.stdout.write(json.dumps(settings_to_json(settings), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK if found else EXIT_NOTHING_FOUND
    if not found:
        err.print(Text(_("No settings were found for {address}.").format(address=settings.address)))
        return EXIT_NOTHING_FOUND
    try:
        if options.format == "autoconfig":
            sys.stdout.write(render_autoconfig(settings))
        elif options.format == "mobileconfig":
            profile = render_mobileconfig(settings, translator)
            sys.stdout.buffer.write(profile.content)
            for note in profile.notes:
                err.print(Text(_(note)))
        else:
            render_settings_table(Console(highlight=False), settings, translator)
    except NoServerError as exc:
        err.print(Text(_(exc.message)))
        return EXIT_NOTHING_FOUND
    return EXIT_OK
