"""The wizard 「メールが送れない・受け取れない」: the form, the live check (server-sent events, or the
whole answer at once without JavaScript), the answer in three layers, the transcript."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from maildoctor.check_request import CheckRequest
from maildoctor.cli.render_check import check_name
from maildoctor.clients.guidance import Guidance
from maildoctor.clients.model import ClientId
from maildoctor.clients.render import resolve_client
from maildoctor.export.page import CSP
from maildoctor.i18n import N_, Language, get_translator
from maildoctor.knowledge import render_finding, verdict_headline
from maildoctor.model import Endpoint, Secret, Verdict, parse_server_url
from maildoctor.report import finding_to_json
from maildoctor.web.config import WebConfig
from maildoctor.web.explaining import message_explanation
from maildoctor.web.hops import checks_from_steps, hops_of
from maildoctor.web.jobs import Event, Job, JobStore, Renderers, run_job
from maildoctor.web.pagekit import checked_form, client_choices, field, language, page
from maildoctor.web.picture import path_svg
from maildoctor.web.printable import printable_answer
from maildoctor.web.ratelimit import RateLimiter
from maildoctor.web.resolved_targets import INTERNAL_TARGET, refused_here
from maildoctor.web.targets import target_refusal
from maildoctor.web.templating import render
from maildoctor.web.transcript import transcript_text

SERVER_NAMES = {
    "incoming": N_("Incoming server"),
    "outgoing": N_("Outgoing server"),
    "domain": N_("Domain"),
    "input": N_("What was typed"),
}
STATUS_NAMES = {"pass": N_("OK"), "fail": N_("problem"), "skip": N_("skipped")}


def _client(name: str) -> ClientId | None:
    return resolve_client(name) if name else None


def wizard_form(form: dict[str, str], config: WebConfig) -> tuple[CheckRequest | None, list[str]]:
    """The check the form asks for, or the problems with what was typed (message ids)."""
    problems: list[str] = []
    address = form.get("address", "")
    if not address.strip():  # anything else typed is the check's to judge (a full-width ＠, a space…)
        problems.append(N_("Type the email address of the account."))
    endpoints: dict[str, Endpoint | None] = {}
    for name in ("incoming", "outgoing"):
        typed = form.get(name, "")
        endpoints[name] = None
        if typed:
            try:
                endpoints[name] = parse_server_url(typed)
            except ValueError:
                problems.append(
                    N_("A server is not written as the examples show (like imaps://imap.example.jp:993).")
                )
    for endpoint in endpoints.values():
        if endpoint is not None and target_refusal(
            [endpoint.host] if _is_address(endpoint.host) else [],
            beyond_loopback=config.beyond_loopback,
            allow_internal=config.allow_internal_targets,
        ):
            problems.append(INTERNAL_TARGET)
    password = form.get("password", "")
    if password and form.get("consent") != "yes":
        problems.append(N_("Tick the box about the password first, or leave the password empty."))
    if problems:
        return None, problems
    client = _client(form.get("client", ""))
    return (
        CheckRequest(
            address=address,
            incoming=endpoints["incoming"],
            outgoing=endpoints["outgoing"],
            username=form.get("username") or None,
            password=Secret(password) if password else None,
            login=bool(password),
            nameservers=config.nameservers,
            ca_file=config.ca_file,
            timeout=config.timeout,
            cache_dir=config.cache_dir,
            web_ports=config.web_ports,
            client=str(client) if client else None,
        ),
        [],
    )


def _targets(check: CheckRequest) -> set[str]:
    """The servers a check will talk to, as far as the form says: the typed ones, else the domain."""
    typed = {endpoint.host.lower() for endpoint in (check.incoming, check.outgoing) if endpoint is not None}
    return typed or {check.address.rpartition("@")[2].lower()}


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class CheckPages:
    def __init__(self, config: WebConfig, jobs: JobStore) -> None:
        self.config = config
        self.jobs = jobs
        self.targets = RateLimiter(config.target_rate, time.monotonic)

    # ---------------------------------------------------------------- the wizard
    async def start(self, request: Request) -> Response:
        return page(request, "start.html", clients=client_choices(language(request)), problems=[], typed={})

    async def submit(self, request: Request) -> Response:
        form = await checked_form(request)
        typed = {
            name: field(form, name)
            for name in ("address", "username", "incoming", "outgoing", "client", "pasted", "consent", "live")
        }
        raw_password = form.get("password")
        typed_password = raw_password if isinstance(raw_password, str) else ""
        check, problems = wizard_form({**typed, "password": typed_password}, self.config)
        del raw_password, typed_password
        lang = language(request)
        if check is None:
            return page(
                request,
                "start.html",
                status=400,
                clients=client_choices(lang),
                problems=problems,
                typed=typed,
            )
        typed_hosts = [endpoint.host for endpoint in (check.incoming, check.outgoing) if endpoint is not None]
        if await refused_here(self.config, typed_hosts, check.address):
            return page(
                request,
                "start.html",
                status=403,
                clients=client_choices(lang),
                problems=[INTERNAL_TARGET],
                typed=typed,
            )
        if not all(self.targets.allow(target) for target in _targets(check)):
            problems = [
                N_("This server was checked many times in the last minutes: wait a minute and try again.")
            ]
            return page(
                request,
                "start.html",
                status=429,
                clients=client_choices(lang),
                problems=problems,
                typed=typed,
            )
        job = self.jobs.new_job(check, typed["pasted"])
        renderers = self._renderers(lang)
        if typed["live"] == "1":
            self.jobs.start(job, check, renderers)
            return page(request, "running.html", job=job, picture=renderers.picture(job))
        await run_job(job, check, renderers)  # without JavaScript: the whole answer when done
        return self._answer_page(request, job)

    async def show(self, request: Request) -> Response:
        job = self._job(request)
        if not job.done:
            lang = language(request)
            return page(request, "running.html", job=job, picture=self._renderers(lang).picture(job))
        return self._answer_page(request, job)

    async def answer_fragment(self, request: Request) -> Response:
        job = self._job(request)
        lang = language(request)
        client = _client(request.query_params.get("client", "")) or None
        return page(request, "answer_body.html", **self._answer_context(job, lang, client))

    async def events(self, request: Request) -> Response:
        job = self._job(request)

        async def stream() -> AsyncIterator[str]:
            async for event in job.stream():
                if await request.is_disconnected():
                    return
                yield _sse(event)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"x-accel-buffering": "no"}
        )

    async def printable(self, request: Request) -> Response:
        """The answer on paper: the printable frame, the same picture (nothing fetched, no script)."""
        job = self._job(request)
        lang = language(request)
        context = self._answer_context(job, lang, _client(job.client or ""))
        html = printable_answer(
            job.address,
            context["headline"],
            context["picture"],
            [*context["roots"], *context["others"]],
            job.transcript,
            get_translator(lang.value),
        )
        return Response(html, media_type="text/html; charset=utf-8", headers={"content-security-policy": CSP})

    async def transcript(self, request: Request) -> Response:
        job = self._job(request)
        if not job.done:
            return PlainTextResponse("", status_code=409)
        return PlainTextResponse(
            job.transcript,
            headers={"content-disposition": 'attachment; filename="maildoctor-transcript.txt"'},
        )

    # ---------------------------------------------------------------- helpers
    def _job(self, request: Request) -> Job:
        from starlette.exceptions import HTTPException

        job = self.jobs.get(request.path_params["job"])
        if job is None:
            raise HTTPException(404, N_("This check is no longer kept: start it again."))
        return job

    def _answer_page(self, request: Request, job: Job) -> Response:
        lang = language(request)
        client = _client(request.query_params.get("client", "")) or _client(job.client or "")
        return page(request, "answer.html", **self._answer_context(job, lang, client))

    def _answer_context(self, job: Job, lang: Language, client: ClientId | None) -> dict[str, Any]:
        translator = get_translator(lang.value)
        context: dict[str, Any] = {
            "job": job,
            "clients": client_choices(lang),
            "client": client.value if client else "",
            "picture": self._picture(job, lang),
            "pasted": message_explanation(job.pasted, translator, client) if job.pasted else None,
        }
        report = job.report
        if report is None:
            return {**context, "headline": "", "roots": [], "others": [], "failed": True}
        protocol = (
            str(report.typed_settings.incoming.protocol)
            if report.typed_settings and report.typed_settings.incoming
            else None
        )
        guidance = Guidance(client, account=job.address, protocol=protocol)
        findings = [finding_to_json(item, translator, guidance) for item in report.findings]
        return {
            **context,
            "failed": False,
            "verdict": report.verdict.value,
            "headline": verdict_headline(report.verdict, translator),
            "roots": [item for item in findings if item["consequence_of"] is None],
            "others": [item for item in findings if item["consequence_of"] is not None],
            "checks": [
                (
                    translator.gettext(SERVER_NAMES.get(check.server.value, check.server.value)),
                    check_name(check.id, translator),
                    translator.gettext(STATUS_NAMES.get(check.status.value, check.status.value)),
                    check.ms,
                )
                for check in report.checks
            ],
            "ok": report.verdict == Verdict.OK,
        }

    def _picture(self, job: Job, lang: Language) -> str:
        translator = get_translator(lang.value)
        if job.report is not None:
            report = job.report
            hops = hops_of(
                report.checks, report.findings, lambda item: render_finding(item, translator).title
            )
        else:
            hops = hops_of(checks_from_steps(job.steps), (), lambda item: "")
        return path_svg(hops, translator)

    def _renderers(self, lang: Language) -> Renderers:
        translator = get_translator(lang.value)

        def step(job: Job, entry: tuple[str, str, bool]) -> str:
            role, name, passed = entry
            return render(lang, "step.html", role=role, step=check_name(name, translator), passed=passed)

        def transcript(job: Job, secrets: frozenset[str]) -> str:
            assert job.report is not None and job.facts is not None
            return transcript_text(job.report, job.facts, translator, secrets)

        def answer(job: Job) -> str:
            return render(
                lang,
                "answer_body.html",
                csrf_field="",
                csrf_token="",
                path="",
                **self._answer_context(job, lang, _client(job.client or "")),
            )

        return Renderers(
            step=step, picture=lambda job: self._picture(job, lang), answer=answer, transcript=transcript
        )


def _sse(event: Event | None) -> str:
    if event is None:
        return ": still working\n\n"
    lines = "".join(f"data: {line}\n" for line in event.data.replace("\r", "").split("\n"))
    return f"event: {event.name}\n{lines}\n"


__all__ = ["CheckPages", "wizard_form"]
