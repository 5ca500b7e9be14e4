"""A loopback OAuth 2.0 authorization server for the lab: the device authorization grant (RFC 8628), an
approval endpoint the tests use in place of a person at a browser, and token introspection (RFC 7662).

The tokens it issues are the JWTs of `maildoctor_lab.oauth2` (HS256, the lab Dovecot's key), so the lab's
Dovecot and Postfix take them for IMAP, POP3 and SMTP. Over HTTPS with the lab's certificate, on
127.0.0.1 only. Its switches reproduce the failure paths: the person refuses, the client polls too fast
(slow_down, and `slow_down_first` for one forced slow_down), the code expires (`code_lifetime`), and the
token is short-lived (`token_lifetime`).

    POST /devicecode   client_id, scope              -> device_code, user_code, verification_uri, ...
    POST /token        grant_type, device_code, client_id
    POST /approve      user_code, user, decision=allow|deny   (the test, as the person)
    POST /introspect   token                          -> {"active": ..., "sub", "scope", "exp"}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.common import LOOPBACK
from maildoctor_lab.oauth2 import OAuth2Passdb, mint_token

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_MAX_REQUEST = 16 * 1024


@dataclass
class _Grant:
    client_id: str
    scope: str
    user_code: str
    issued: float
    expires: float
    last_poll: float | None = None
    decision: str | None = None  # "allow" / "deny"
    user: str = ""
    slowed: bool = False


@dataclass
class AuthServerOptions:
    passdb: OAuth2Passdb = field(default_factory=OAuth2Passdb)
    clients: tuple[str, ...] = ("maildoctor-lab-client",)
    interval: int = 1
    code_lifetime: float = 60.0  # what expires_in says and when the code really expires
    token_lifetime: int = 300  # seconds; negative: tokens are born expired
    slow_down_first: bool = False  # answer the first poll with slow_down, whatever its pace


@dataclass
class AuthServer:
    host: str
    port: int
    options: AuthServerOptions
    httpd: ThreadingHTTPServer
    thread: threading.Thread
    grants: dict[str, _Grant] = field(default_factory=dict)  # device_code -> grant
    polls: list[tuple[float, str]] = field(default_factory=list)  # (when, answer) for the tests
    tokens: list[str] = field(default_factory=list)  # every token issued (the tests' canaries)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"https://{self.host}:{self.port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def introspect(passdb: OAuth2Passdb, token: str, now: float | None = None) -> dict[str, object]:
    """RFC 7662's answer for `token`: active only with a good signature, inside its lifetime."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(passdb.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64url_decode(signature)):
            return {"active": False}
        claims = json.loads(_b64url_decode(payload))
    except (ValueError, TypeError):
        return {"active": False}
    if not isinstance(claims, dict) or int(claims.get("exp", 0)) <= (now or time.time()):
        return {"active": False}
    return {"active": True, **{key: claims[key] for key in ("sub", "scope", "exp", "iat") if key in claims}}


def _handler(server: AuthServer) -> type[BaseHTTPRequestHandler]:
    options = server.options

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def _answer(self, status: int, document: dict[str, object]) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _form(self) -> dict[str, str]:
            length = min(int(self.headers.get("Content-Length") or 0), _MAX_REQUEST)
            fields = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
            return {name: values[0] for name, values in fields.items()}

        def do_POST(self) -> None:
            form = self._form()
            route = {
                "/devicecode": self._devicecode,
                "/token": self._token,
                "/approve": self._approve,
                "/introspect": self._introspect,
            }.get(self.path)
            if route is None:
                self._answer(404, {"error": "not_found"})
                return
            with server.lock:
                route(form)

        def _devicecode(self, form: dict[str, str]) -> None:
            if form.get("client_id") not in options.clients:
                self._answer(400, {"error": "invalid_client"})
                return
            device_code = secrets.token_urlsafe(24)
            user_code = "-".join(secrets.token_hex(2).upper() for _ in range(2))
            now = time.monotonic()
            server.grants[device_code] = _Grant(
                form["client_id"], form.get("scope", ""), user_code, now, now + options.code_lifetime
            )
            self._answer(
                200,
                {
                    "device_code": device_code,
                    "user_code": user_code,
                    "verification_uri": f"{server.base}/device",
                    "verification_uri_complete": f"{server.base}/device?user_code={user_code}",
                    "expires_in": max(1, int(options.code_lifetime)),
                    "interval": options.interval,
                },
            )

        def _token(self, form: dict[str, str]) -> None:
            grant = server.grants.get(form.get("device_code", ""))
            if form.get("grant_type") != DEVICE_GRANT:
                answer = "unsupported_grant_type"
            elif grant is None or grant.client_id != form.get("client_id"):
                answer = "invalid_grant"
            else:
                answer = self._poll(grant)
            server.polls.append((time.monotonic(), answer))
            if answer != "granted" or grant is None:
                self._answer(400, {"error": answer})
                return
            del server.grants[form["device_code"]]  # a device code gives one token
            token = mint_token(options.passdb, grant.user, scope=grant.scope, lifetime=options.token_lifetime)
            server.tokens.append(token)
            self._answer(
                200,
                {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": max(1, options.token_lifetime),
                    "scope": grant.scope,
                },
            )

        def _poll(self, grant: _Grant) -> str:
            now = time.monotonic()
            too_fast = grant.last_poll is not None and now - grant.last_poll < options.interval * 0.9
            grant.last_poll = now
            if now >= grant.expires:
                return "expired_token"
            if options.slow_down_first and not grant.slowed:
                grant.slowed = True
                return "slow_down"
            if too_fast:
                return "slow_down"
            if grant.decision == "deny":
                return "access_denied"
            if grant.decision == "allow":
                return "granted"
            return "authorization_pending"

        def _approve(self, form: dict[str, str]) -> None:
            for grant in server.grants.values():
                if grant.user_code == form.get("user_code") and form.get("decision") in ("allow", "deny"):
                    grant.decision = form["decision"]
                    grant.user = form.get("user", "")
                    self._answer(200, {"approved": grant.decision == "allow"})
                    return
            self._answer(404, {"error": "unknown_user_code"})

        def _introspect(self, form: dict[str, str]) -> None:
            self._answer(200, introspect(options.passdb, form.get("token", "")))

    return Handler


def start_auth_server(certificate: CertFiles, options: AuthServerOptions | None = None) -> AuthServer:
    """Start the authorization server on 127.0.0.1, a free port, HTTPS with `certificate`."""
    options = options or AuthServerOptions()
    httpd = ThreadingHTTPServer((LOOPBACK, 0), BaseHTTPRequestHandler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, name="lab-oauth2", daemon=True)
    server = AuthServer(LOOPBACK, httpd.server_address[1], options, httpd, thread)
    httpd.RequestHandlerClass = _handler(server)
    thread.start()
    return server


__all__ = ["DEVICE_GRANT", "AuthServer", "AuthServerOptions", "introspect", "start_auth_server"]
