"""Debian's nginx on loopback: the lab's web servers for autoconfig files and MTA-STS policies.

One nginx serves static files for several virtual hosts (chosen by SNI and Host, as on a
shared web server), over HTTPS with a lab certificate that names every site, and over plain
HTTP (Thunderbird falls back to http:// for autoconfig). A site can get its own certificate
(a wrong name, an expired one) and a site can answer every request with a 301 to another
host (autoconfig redirects). Files are served as nginx serves them: text/xml for .xml,
text/plain for .txt, 404 for a missing file, 405 for a POST to a file.

A path key can name how that path answers, in front of the path (the same keys work in a
scenario's ``[https.sites."host"]`` table):

* ``"POST /autodiscover/autodiscover.xml"``: the file answers POST too, as it answers GET (an
  Autodiscover service is asked by POST; the request body is read and ignored);
* ``"401 /autodiscover/autodiscover.xml"`` (any 4xx or 5xx): every request to the path gets that
  status with nginx's own page, 401 with ``WWW-Authenticate: Basic``; the content must be "";
* ``"302 /autodiscover/autodiscover.xml"`` (301, 302, 303, 307 or 308): the content is the
  absolute http(s) URL the path redirects to, on both schemes.

It runs as root with its own config only, in the foreground (``-g 'daemon off;'``), with its
pid file, logs and temporary directories in its lab directory. Start-up (nginx 1.22.1 on the
development machine): about 30 ms until both listeners answer as this instance.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import secrets
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from types import TracebackType
from urllib.parse import urlsplit

from maildoctor_lab.certs import CertFiles, LabPKI
from maildoctor_lab.common import (
    LOOPBACK,
    ManagedProcess,
    free_ports,
    render_template,
    require_programs,
    start_process,
    wait_for_port,
)

_SITE_NAME = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_READY_HOST = "ready.maildoctor-lab.invalid"
_READY_PATH = "/.maildoctor-lab-ready"
# what an answer location may hold without quoting in nginx's configuration
_LOCATION_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True, slots=True)
class _Answer:
    """How one path answers when it is not a plain static file."""

    path: str
    post: bool = False  # the file answers POST as well
    status: int | None = None  # a fixed status for every request
    location: str | None = None  # the redirect target of a 3xx status


@dataclass
class HttpsServer:
    """A running nginx; http_port is None when it has no plain-HTTP listener."""

    directory: Path
    host: str
    https_port: int
    http_port: int | None
    certificate: CertFiles
    """The certificate of every site without its own: names all the sites and 127.0.0.1."""
    process: ManagedProcess
    startup_seconds: float

    def url(self, site: str, path: str = "/", scheme: str = "https") -> str:
        """The URL of `path` on `site`, with this server's port (left out when it is 443 or 80)."""
        port = self.port(scheme)
        default = _DEFAULT_PORTS[scheme]
        return f"{scheme}://{site}{'' if port == default else f':{port}'}{path}"

    def port(self, scheme: str) -> int:
        if scheme == "https":
            return self.https_port
        if scheme == "http" and self.http_port is not None:
            return self.http_port
        raise ValueError(f"no {scheme} listener")

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def diagnostics(self) -> str:
        """The tails of nginx's error log, access log (with SNI and Host) and output."""
        return self.process.diagnostics()

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> HttpsServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _site_name(name: str) -> str:
    lowered = name.lower().rstrip(".")
    if not _SITE_NAME.match(lowered):
        raise ValueError(f"not a host name: {name!r}")
    return lowered


def _file_path(site: str, path: str) -> PurePosixPath:
    relative = PurePosixPath(path.lstrip("/"))
    if not path.startswith("/") or path.endswith("/") or ".." in relative.parts or not relative.parts:
        raise ValueError(
            f"{site}: a path must be an absolute file path, like /mail/config-v1.1.xml: {path!r}"
        )
    if any(char in path for char in "?#\0"):
        raise ValueError(f"{site}: a path is served without query or fragment: {path!r}")
    return relative


def _path_key(site: str, key: str, content: str | bytes) -> tuple[PurePosixPath, _Answer | None]:
    """A site's path key: "/path", "POST /path", "401 /path" or "302 /path" (see the module)."""
    word, space, rest = key.partition(" ")
    if not space or key.startswith("/"):
        return _file_path(site, key), None
    path = rest.strip()
    relative = _file_path(site, path)
    if not _LOCATION_PATH.match(path):
        raise ValueError(f"{site}: a path with an answer may only hold A-Z a-z 0-9 . _ ~ - /: {path!r}")
    if word == "POST":
        return relative, _Answer(path, post=True)
    if not (word.isascii() and word.isdigit() and len(word) == 3):
        raise ValueError(f"{site}: {key!r}: the word before the path must be POST or a status code")
    status = int(word)
    text = content.decode() if isinstance(content, bytes) else content
    if status in _REDIRECT_STATUSES:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{site}: {key!r} needs an absolute http(s) URL as its content: {text!r}")
        if any(char in text for char in " ;{}\"'$\\") or any(ord(char) < 0x21 for char in text):
            raise ValueError(f"unsupported characters in redirect target {text!r}")
        return relative, _Answer(path, status=status, location=text)
    if not 400 <= status <= 599:
        raise ValueError(f"{site}: {key!r}: a status must be a redirect, 4xx or 5xx")
    if text:
        raise ValueError(f'{site}: {key!r} answers with nginx\'s own page: give it the content ""')
    return relative, _Answer(path, status=status)


def _answer_lines(site: str, answer: _Answer) -> list[str]:
    """The nginx location of a path with an answer; plain files need none (the root serves them)."""
    if answer.post:
        # nginx's static module answers a POST to a file with 405; that error becomes the file
        # itself, fetched again internally as GET, with status 200
        body = ["error_page 405 =200 $uri;"]
    elif answer.location is not None:
        body = [f"return {answer.status} {answer.location};"]
    else:
        body = [f"return {answer.status};"]
        if answer.status == 401:
            body.insert(0, f"add_header WWW-Authenticate 'Basic realm=\"{site}\"' always;")
    return [f"    location = {answer.path} {{", *(f"        {line}" for line in body), "    }"]


def _location(target: str, scheme: str, port: int) -> str:
    """The Location of a redirect: a host name keeps scheme, port, path and query; a URL
    without a path gets the request's path and query; a URL with a path is used as it is."""
    if "://" not in target:
        host = _site_name(target)
        return f"{scheme}://{host}{'' if port == _DEFAULT_PORTS[scheme] else f':{port}'}$request_uri"
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {target!r}")
    if any(char in target for char in " ;{}\"'$\\"):
        raise ValueError(f"unsupported characters in redirect target {target!r}")
    if parts.path in ("", "/") and not parts.query and not parts.fragment:
        return target.rstrip("/") + "$request_uri"
    return target


def _listen(host: str, port: int, tls: bool, default: bool = False) -> str:
    address = f"[{host}]" if ":" in host else host
    return f"    listen {address}:{port}{' ssl' if tls else ''}{' default_server' if default else ''};"


def _server_blocks(
    directory: Path,
    host: str,
    ports: Mapping[str, int],
    sites: Mapping[str, Sequence[_Answer]],
    redirects: Mapping[str, str],
    certificates: Mapping[str, CertFiles],
    default: CertFiles,
    token: str,
) -> str:
    blocks: list[str] = []
    for scheme, port in ports.items():
        tls = scheme == "https"

        def tls_lines(cert: CertFiles, tls: bool = tls) -> list[str]:
            return (
                [f'    ssl_certificate "{cert.cert}";', f'    ssl_certificate_key "{cert.key}";']
                if tls
                else []
            )

        # a name no site has: what a shared server does with it (its own certificate, 404)
        blocks.append(
            "\n".join(
                [
                    "server {",
                    _listen(host, port, tls, default=True),
                    "    server_name _;",
                    *tls_lines(default),
                    # the readiness probe: answers with this server's token, nowhere else
                    f'    location = {_READY_PATH} {{ return 200 "{token}"; }}',
                    "    location / { return 404; }",
                    "}",
                ]
            )
        )
        for site, answers in sites.items():
            blocks.append(
                "\n".join(
                    [
                        "server {",
                        _listen(host, port, tls),
                        f"    server_name {site};",
                        *tls_lines(certificates.get(site, default)),
                        f'    root "{directory / "sites" / site}";',
                        *(line for answer in answers for line in _answer_lines(site, answer)),
                        "}",
                    ]
                )
            )
        for site, target in redirects.items():
            blocks.append(
                "\n".join(
                    [
                        "server {",
                        _listen(host, port, tls),
                        f"    server_name {site};",
                        *tls_lines(certificates.get(site, default)),
                        f"    return 301 {_location(target, scheme, port)};",
                        "}",
                    ]
                )
            )
    return "\n\n".join(blocks)


def _wait_for_token(
    host: str, port: int, tls: bool, token: str, process: subprocess.Popen[bytes], timeout: float = 10.0
) -> None:
    """Wait until this nginx answers on host:port; another process holding the port (nginx
    keeps retrying a taken port for 2.5 s before it gives up) does not know the token."""
    wait_for_port(host, port, timeout=timeout, process=process)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # not create_default_context: no CA store
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while True:
        connection = (
            http.client.HTTPSConnection(host, port, timeout=1, context=context)
            if tls
            else http.client.HTTPConnection(host, port, timeout=1)
        )
        try:
            connection.request("GET", _READY_PATH, headers={"Host": _READY_HOST})
            if connection.getresponse().read() == token.encode():
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"something else answers on {host}:{port}, not this nginx")
        time.sleep(0.02)


def _free_tcp_ports(count: int, host: str) -> list[int]:
    if ":" not in host:
        return free_ports(count, host)
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def start_https(
    lab_dir: Path,
    pki: LabPKI,
    sites: Mapping[str, Mapping[str, str | bytes]],
    *,
    host: str = LOOPBACK,
    https_port: int | None = None,
    http_port: int | None = None,
    plain_http: bool = True,
    certificates: Mapping[str, CertFiles] | None = None,
    redirects: Mapping[str, str] | None = None,
) -> HttpsServer:
    """Start nginx serving `sites` ({host name: {path: content}}) and wait until it listens.

    A path key may start with POST, a 4xx/5xx status or a redirect status (see the module):
    {"autodiscover.example.test": {"POST /autodiscover/autodiscover.xml": xml}}.

    certificates: a site's own certificate instead of the lab one (wrong name, expired...).
    redirects: {host name: target}; every request to that host answers 301. A target that
    is a host name keeps the scheme, port, path and query (``https://target:port/same?q``);
    a URL without a path gets the request's path and query appended; a URL with a path is
    the Location as it is.
    host/https_port/http_port: where it listens (default 127.0.0.1 and free ports; 443 and 80
    inside a network namespace, for example). plain_http=False: no HTTP listener.
    Files go to a new directory under `lab_dir` (created if missing).
    Raises LabUnavailableError when nginx is not installed.
    """
    require_programs("nginx")
    site_files: dict[str, dict[PurePosixPath, str | bytes]] = {}
    site_answers: dict[str, list[_Answer]] = {}
    for site, keys in sites.items():
        name = _site_name(site)
        stored = site_files.setdefault(name, {})
        answers = site_answers.setdefault(name, [])
        for key, content in keys.items():
            relative, answer = _path_key(site, key, content)
            if relative in stored or any(PurePosixPath(a.path.lstrip("/")) == relative for a in answers):
                raise ValueError(f"{site}: the path {relative} is given twice")
            if answer is not None:
                answers.append(answer)
            if answer is None or answer.post:
                stored[relative] = content
    redirect_targets = {_site_name(site): target for site, target in (redirects or {}).items()}
    for target in redirect_targets.values():
        _location(target, "https", 443)  # ValueError now rather than after the files are written
    for site in redirect_targets:
        if site in site_files:
            raise ValueError(f"{site} is given both as a site and as a redirect")
    own_certificates = {_site_name(site): files for site, files in (certificates or {}).items()}
    for site in own_certificates:
        if site not in site_files and site not in redirect_targets:
            raise ValueError(f"a certificate is given for {site}, which is no site")
    if (https_port is not None and https_port == http_port) or (not plain_http and http_port is not None):
        raise ValueError("http_port must differ from https_port and needs plain_http")

    lab_dir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="nginx-", dir=lab_dir))
    directory.chmod(0o755)
    for sub in ("tmp", "sites"):
        (directory / sub).mkdir()
    for site, files in site_files.items():
        root = directory / "sites" / site
        root.mkdir()
        for relative, content in files.items():
            path = root.joinpath(*relative.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    default = pki.issue(f"https-{directory.name}", [*site_files, *redirect_targets, LOOPBACK])
    template = resources.files("maildoctor_lab").joinpath("templates/nginx.conf.tmpl").read_text()

    last_output = ""
    for _ in range(3):  # a free port can be taken between choosing and binding it
        token = secrets.token_hex(6)
        wanted = {"https": https_port, "http": http_port if plain_http else None}
        chosen = iter(_free_tcp_ports(2, host))
        ports = {
            scheme: port if port is not None else next(chosen)
            for scheme, port in wanted.items()
            if scheme == "https" or plain_http
        }
        config = directory / "nginx.conf"
        config.write_text(
            render_template(
                template,
                {
                    "DIR": directory,
                    "SERVERS": _server_blocks(
                        directory,
                        host,
                        ports,
                        site_answers,
                        redirect_targets,
                        own_certificates,
                        default,
                        token,
                    ),
                },
            )
        )
        for log in ("error.log", "access.log", "stdout.log"):
            (directory / log).unlink(missing_ok=True)
        argv = ["nginx", "-c", str(config), "-p", f"{directory}/", "-e", str(directory / "error.log")]
        started = time.monotonic()
        popen = start_process("nginx", [*argv, "-g", "daemon off;"], directory / "stdout.log")
        logs = (directory / "error.log", directory / "access.log", directory / "stdout.log")
        managed = ManagedProcess("nginx", popen, logs=logs)
        try:
            for scheme, port in ports.items():
                _wait_for_token(host, port, scheme == "https", token, popen)
        except (OSError, RuntimeError) as exc:
            managed.stop()
            last_output = managed.diagnostics()
            taken = {int(port) for port in re.findall(r"bind\(\) to \S+:(\d+) failed", last_output)}
            if taken and not taken & {port for port in wanted.values() if port is not None}:
                continue  # only ports chosen here were taken: choose again
            raise RuntimeError(f"nginx did not start: {exc}\n{last_output}") from exc
        return HttpsServer(
            directory,
            host,
            ports["https"],
            ports.get("http"),
            default,
            managed,
            time.monotonic() - started,
        )
    raise RuntimeError(f"nginx could not bind free ports three times:\n{last_output}")


@contextlib.contextmanager
def running_https(
    lab_dir: Path,
    pki: LabPKI,
    sites: Mapping[str, Mapping[str, str | bytes]],
    *,
    host: str = LOOPBACK,
    https_port: int | None = None,
    http_port: int | None = None,
    plain_http: bool = True,
    certificates: Mapping[str, CertFiles] | None = None,
    redirects: Mapping[str, str] | None = None,
) -> Iterator[HttpsServer]:
    """start_https() as a context manager: the server stops when the block ends."""
    server = start_https(
        lab_dir,
        pki,
        sites,
        host=host,
        https_port=https_port,
        http_port=http_port,
        plain_http=plain_http,
        certificates=certificates,
        redirects=redirects,
    )
    with server:
        yield server


__all__ = ["HttpsServer", "running_https", "start_https"]
