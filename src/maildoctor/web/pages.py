"""The pages beside the wizard: the settings of an address (table, iPhone profile with its QR
code, printable sheet, support memo), explain (a pasted message or a returned mail), a domain's
sending health (the accounts book: book_pages.py)."""

from __future__ import annotations

import datetime

import segno
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from maildoctor import __version__
from maildoctor.clients.render import resolve_client
from maildoctor.discover.candidates import DiscoveredSettings
from maildoctor.discover.engine import DiscoveryRequest, discover
from maildoctor.domain.engine import DomainRequest, examine_domain
from maildoctor.domain.findings import domain_findings
from maildoctor.domain.report import domain_to_json
from maildoctor.explain.bounce import MAX_BYTES
from maildoctor.export.common import NoServerError
from maildoctor.export.memo import build_memo, render_memo_text
from maildoctor.export.mobileconfig import render_mobileconfig
from maildoctor.export.settings_json import settings_to_json
from maildoctor.export.sheet import render_sheet
from maildoctor.i18n import N_
from maildoctor.lint.domain_input import domain_of_input
from maildoctor.web.config import WebConfig
from maildoctor.web.explaining import bounce_explanation, message_explanation
from maildoctor.web.kept import Kept
from maildoctor.web.pagekit import checked_form, client_choices, field, language, page, translator
from maildoctor.web.resolved_targets import INTERNAL_TARGET, refused_here

# the sheet is a self-contained printable document: its own <style>, nothing else at all
SHEET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


class Pages:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.settings: Kept[DiscoveredSettings] = Kept()

    # ---------------------------------------------------------------- settings
    async def settings_form(self, request: Request) -> Response:
        return page(request, "settings.html", result=None, problems=[], typed={})

    async def settings_lookup(self, request: Request) -> Response:
        form = await checked_form(request)
        address = field(form, "address")
        if "@" not in address:
            problems = [N_("Type the email address of the account.")]
            return page(
                request,
                "settings.html",
                status=400,
                result=None,
                problems=problems,
                typed={"address": address},
            )
        if await refused_here(self.config, [], address):
            return page(
                request,
                "settings.html",
                status=403,
                result=None,
                problems=[INTERNAL_TARGET],
                typed={"address": address},
            )
        found, _facts = await discover(
            DiscoveryRequest(
                address,
                self.config.nameservers,
                self.config.ca_file,
                timeout=self.config.timeout,
                port_override=self.config.web_ports,
            )
        )
        key = self.settings.keep(found)
        profile_url = str(request.url_for("profile", key=key))
        qr = segno.make(profile_url, error="m").svg_inline(scale=4, title=profile_url)
        return page(
            request,
            "settings.html",
            result=settings_to_json(found),
            key=key,
            qr=qr,
            problems=[],
            typed={"address": address},
        )

    def _kept(self, request: Request) -> DiscoveredSettings:
        found = self.settings.get(request.path_params["key"])
        if found is None:
            raise HTTPException(404, N_("These settings are no longer kept: look them up again."))
        return found

    async def profile(self, request: Request) -> Response:
        try:
            profile = render_mobileconfig(self._kept(request), translator(request))
        except NoServerError as exc:
            raise HTTPException(404, N_("No server is known for one side: no profile can be made.")) from exc
        return Response(
            profile.content,
            media_type="application/x-apple-aspen-config",
            headers={"content-disposition": 'attachment; filename="maildoctor.mobileconfig"'},
        )

    async def sheet(self, request: Request) -> Response:
        found = self._kept(request)
        words = translator(request)
        memo = build_memo(found.address, words, settings=found)
        client = resolve_client(request.query_params.get("client", ""))
        html = render_sheet(
            found, words, made_on=datetime.date.today(), version=__version__, memo=memo, client=client
        )
        return Response(
            html, media_type="text/html; charset=utf-8", headers={"content-security-policy": SHEET_CSP}
        )

    async def memo(self, request: Request) -> Response:
        found = self._kept(request)
        words = translator(request)
        text = render_memo_text(build_memo(found.address, words, settings=found), words)
        return Response(text, media_type="text/plain; charset=utf-8")

    # ---------------------------------------------------------------- explain
    async def explain_form(self, request: Request) -> Response:
        return page(
            request, "explain.html", document=None, clients=client_choices(language(request)), typed={}
        )

    async def explain(self, request: Request) -> Response:
        form = await checked_form(request)
        upload = form.get("file")
        words = translator(request)
        client = resolve_client(field(form, "client")) if field(form, "client") else None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_BYTES)
            document = bounce_explanation(data, words)
        else:
            text = field(form, "text")
            if not text:
                return page(
                    request,
                    "explain.html",
                    status=400,
                    document=None,
                    clients=client_choices(language(request)),
                    typed={},
                    problems=[N_("Paste the error message, or choose the returned mail's file.")],
                )
            document = message_explanation(text, words, client)
        return page(
            request,
            "explain.html",
            document=document,
            clients=client_choices(language(request)),
            typed={"text": field(form, "text")},
        )

    # ---------------------------------------------------------------- domain
    async def domain_form(self, request: Request) -> Response:
        return page(request, "domain.html", document=None, typed={}, problems=[])

    async def domain(self, request: Request) -> Response:
        form = await checked_form(request)
        typed = field(form, "domain")
        name = domain_of_input(typed).domain
        if name is None:
            problems = [N_("This is not a domain name. Type a domain like example.jp.")]
            return page(
                request, "domain.html", status=400, document=None, typed={"domain": typed}, problems=problems
            )
        if await refused_here(self.config, [], name):
            return page(
                request,
                "domain.html",
                status=403,
                document=None,
                typed={"domain": typed},
                problems=[INTERNAL_TARGET],
            )
        facts = await examine_domain(
            DomainRequest(
                name,
                self.config.nameservers,
                ca_file=self.config.ca_file,
                timeout=self.config.timeout,
                registration=False,
                port_override=self.config.web_ports,
            )
        )
        findings = domain_findings(facts)
        document = domain_to_json(facts, findings, translator(request))
        return page(request, "domain.html", document=document, typed={"domain": typed}, problems=[])


__all__ = ["Pages"]
