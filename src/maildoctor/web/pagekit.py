"""What every route needs: the page's language, the CSRF token for its forms (and its check on
a POST), reading a bounded form, and rendering a template into a response."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from maildoctor.clients.catalog import load_client
from maildoctor.clients.model import ClientId, lang_of
from maildoctor.i18n import N_, Language, Translator, get_translator
from maildoctor.web import csrf
from maildoctor.web.config import MAX_FIELD_CHARS
from maildoctor.web.language import page_language
from maildoctor.web.templating import render

LANG_COOKIE = "maildoctor_lang"


def language(request: Request) -> Language:
    return page_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def translator(request: Request) -> Translator:
    return get_translator(language(request).value)


def csrf_token(request: Request) -> str:
    """The token for this page's forms: the browser's cookie, or a new one the response sets."""
    existing = request.cookies.get(csrf.COOKIE)
    if existing and csrf.tokens_match(existing, existing):
        return existing
    token: str | None = request.scope.setdefault("state", {}).get("csrf_new")
    if token is None:
        token = csrf.new_token()
        request.scope["state"]["csrf_new"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token and origin were checked (403 otherwise)."""
    form = await request.form(max_files=1, max_fields=30, max_part_size=MAX_FIELD_CHARS * 4)
    submitted = form.get(csrf.FIELD)
    same_origin = csrf.same_origin(
        request.headers.get("origin"), request.headers.get("host"), request.url.scheme
    )
    if not same_origin or not csrf.tokens_match(
        request.cookies.get(csrf.COOKIE), submitted if isinstance(submitted, str) else None
    ):
        raise HTTPException(403, N_("The form is out of date or came from another site: reload the page."))
    return form


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:MAX_FIELD_CHARS].strip() if isinstance(value, str) else ""


def client_choices(lang: Language) -> list[tuple[str, str]]:
    program_lang = lang_of(lang.value)
    return [(client.value, load_client(client).name.get(program_lang) or client.value) for client in ClientId]


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    context.setdefault("problems", [])
    body = render(
        lang,
        template,
        csrf_field=csrf.FIELD,
        csrf_token=csrf_token(request),
        path=request.url.path,
        signed_in=request.scope.get("state", {}).get("signed_in"),
        beyond_loopback=request.scope.get("state", {}).get("beyond_loopback", False),
        **context,
    )
    response = HTMLResponse(body, status_code=status)
    chosen = request.query_params.get("lang")
    if chosen in (Language.JA.value, Language.EN.value):
        response.set_cookie(
            LANG_COOKIE, chosen, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )
    return response


__all__ = ["checked_form", "client_choices", "csrf_token", "field", "language", "page", "translator"]
