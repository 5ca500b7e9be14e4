"""Scenarios: a broken world described as data, and the code that builds it from the lab's servers.

A scenario is a TOML file: what the person typed (address, user name, password, the server
URLs from their mail program), which servers run and how they are broken, the DNS zones and
HTTPS sites of the world, firewall rules, and the cause codes a diagnosis must find. Port
numbers are chosen when the world is built, so the file names them by placeholder:
``imap+starttls://mail.example.test:{imap}``. Placeholders: the lab ports (``imap``,
``imaps``, ``pop3``, ``pop3s``, ``lmtp``, ``smtp`` = the MX-style port, ``submission``,
``smtps``, ``intercept`` = the interception proxy, ``closed`` = a port where nothing
listens, ``https``, ``http``), ``host`` (the mail servers' address) and ``dns`` (the
resolver as host:port).

Example::

    [scenario]
    description = "パスワードの打ち間違い"
    expect = ["AUTH_FAILED"]

    [account]
    address = "alice@example.test"
    password = "secrett"
    incoming = "imaps://mail.example.test:{imaps}"

    [dovecot]
    certificate = "good"

    [dns.zones."example.test"]
    records = ["@ MX 10 mail", "mail A {host}"]

A world with firewall rules must be built inside a network namespace the lab created
(``run_scenario`` does that); everything else runs on the host's loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import imaplib
import json
import os
import re
import shlex
import signal
import ssl
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from maildoctor_lab.certs import DEFAULT_SERVER_NAMES, LabPKI, StandardCerts
from maildoctor_lab.common import LOOPBACK, free_ports, make_lab_dir
from maildoctor_lab.dovecot import DovecotOptions, DovecotServer, MailUser, start_dovecot
from maildoctor_lab.legacy_tls import FRONT_KINDS
from maildoctor_lab.postfix import PostfixOptions, PostfixServer, start_postfix

NETNS_MARKER = "MAILDOCTOR_LAB_NETNS"
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class ScenarioError(ValueError):
    """The scenario file is not a valid description (the message names file and key)."""


# ---------------------------------------------------------------------------------------------
# The description (pure data)


@dataclass(frozen=True, slots=True)
class TypedSettings:
    """What the person's mail program has: each value exactly as typed, placeholders unfilled."""

    address: str
    password: str | None = None
    username: str | None = None
    incoming: str | None = None
    outgoing: str | None = None
    no_outgoing_auth: bool = False
    client: str | None = None


@dataclass(frozen=True, slots=True)
class MailboxSeed:
    user: str
    messages: int = 1
    size: int = 200  # bytes of body per message


@dataclass(frozen=True, slots=True)
class DovecotSpec:
    certificate: str = "good"
    options: DovecotOptions = field(default_factory=DovecotOptions)
    mailbox: tuple[MailboxSeed, ...] = ()
    # IMAP sessions of the account's user kept open while the command runs (other devices)
    hold_connections: int = 0
    # names a "good" certificate carries besides the usual lab names (a provider's real host name)
    certificate_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PostfixSpec:
    certificate: str = "good"
    # SASL mechanisms Postfix offers, e.g. "cram-md5" (smtpd_sasl_mechanism_filter)
    mechanisms: str | None = None


@dataclass(frozen=True, slots=True)
class InterceptionSpec:
    """Security software re-signing TLS in front of one lab port."""

    port: str  # imaps, pop3s, smtps (implicit TLS) or imap, pop3, submission (STARTTLS)


@dataclass(frozen=True, slots=True)
class ScriptedSmtpSpec:
    """An SMTP server (implicit TLS) answering in these exact words: every login refused with
    `auth_reply` (or any login accepted without it), every recipient with `rcpt_reply`."""

    auth_reply: str | None = None
    rcpt_reply: str | None = None


@dataclass(frozen=True, slots=True)
class LegacyTlsSpec:
    """A TLS front (legacy_tls.py) before a plaintext lab port (imap, pop3): `kind` "tls1.0" (TLS 1.0
    only; its port is {legacy_tls}), "static-rsa" (TLS 1.2 with static-RSA key exchange only;
    {static_rsa}) or "login-only" (IMAP with the LOGIN command only, no AUTHENTICATE; {login_only})."""

    upstream: str
    kind: str = "tls1.0"

    @property
    def placeholder(self) -> str:
        return "legacy_tls" if self.kind == "tls1.0" else self.kind.replace("-", "_")


@dataclass(frozen=True, slots=True)
class FirewallSpec:
    port: str  # a placeholder name (submission, imaps, ...) or a number
    action: str  # drop (silently: a timeout) or reject (a refusal)


@dataclass(frozen=True, slots=True)
class DnsSpec:
    zones: tuple[tuple[str, tuple[str, ...]], ...] = ()
    servfail: tuple[str, ...] = ()
    timeout: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    account: TypedSettings
    expect: tuple[str, ...] = ()
    # words the top finding's fix steps / evidence must contain (ports, host names, server words)
    expect_fix: tuple[str, ...] = ()
    expect_evidence: tuple[str, ...] = ()
    dovecot: DovecotSpec | None = None
    postfix: PostfixSpec | None = None
    interception: InterceptionSpec | None = None
    scripted_smtp: ScriptedSmtpSpec | None = None
    legacy_tls: LegacyTlsSpec | None = None
    firewall: tuple[FirewallSpec, ...] = ()
    dns: DnsSpec | None = None
    https_sites: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # [https.redirects] host -> target: every request to that host answers 301 (another domain...)
    https_redirects: tuple[tuple[str, str], ...] = ()
    # run in a network namespace of its own, on the standard ports (implied by firewall rules)
    namespace: bool = False
    path: Path | None = None

    @property
    def needs_netns(self) -> bool:
        return self.namespace or bool(self.firewall)


_CERT_KINDS = ("good", "wrong_name", "expired", "self_signed", "intercepted")
_IMPLICIT_TLS_PORTS = ("imaps", "pop3s", "smtps")
_STARTTLS_PORTS = ("imap", "pop3", "submission")


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: [{key}] must be a table")
    return value


def _only_keys(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}")


def _dovecot_spec(table: dict[str, Any], where: str) -> DovecotSpec:
    option_names = [f.name for f in fields(DovecotOptions)]
    _only_keys(
        table, ["certificate", "certificate_names", "mailbox", "hold_connections", *option_names], where
    )
    certificate = str(table.pop("certificate", "good"))
    hold = int(table.pop("hold_connections", 0))
    names = tuple(str(name) for name in table.pop("certificate_names", ()))
    if names and certificate != "good":
        raise ScenarioError(f"{where}: certificate_names go with the good certificate only")
    if certificate not in _CERT_KINDS:
        raise ScenarioError(f"{where}: certificate must be one of {_CERT_KINDS}")
    seeds = tuple(MailboxSeed(**seed) for seed in table.pop("mailbox", []))
    if "users" in table:
        table["users"] = tuple(MailUser(**user) for user in table["users"])
    return DovecotSpec(certificate, DovecotOptions(**table), seeds, hold, names)


def parse_scenario(data: Mapping[str, Any], name: str, path: Path | None = None) -> Scenario:
    where = str(path or name)
    _only_keys(
        data,
        [
            "scenario",
            "account",
            "dovecot",
            "postfix",
            "interception",
            "scripted_smtp",
            "legacy_tls",
            "firewall",
            "dns",
            "https",
        ],
        where,
    )
    head = _table(data, "scenario", where)
    _only_keys(
        head, ["description", "expect", "expect_fix", "expect_evidence", "namespace"], f"{where} [scenario]"
    )
    account_table = _table(data, "account", where)
    if "address" not in account_table:
        raise ScenarioError(f"{where}: [account] needs an address")
    _only_keys(account_table, [f.name for f in fields(TypedSettings)], f"{where} [account]")
    try:
        dovecot = _dovecot_spec(dict(data["dovecot"]), f"{where} [dovecot]") if "dovecot" in data else None
        postfix = PostfixSpec(**data["postfix"]) if "postfix" in data else None
        interception = InterceptionSpec(**data["interception"]) if "interception" in data else None
        scripted_smtp = ScriptedSmtpSpec(**data["scripted_smtp"]) if "scripted_smtp" in data else None
        legacy_tls = LegacyTlsSpec(**data["legacy_tls"]) if "legacy_tls" in data else None
        firewall = tuple(FirewallSpec(**rule) for rule in data.get("firewall", []))
        dns_table = _table(data, "dns", where)
        _only_keys(dns_table, ["zones", "servfail", "timeout"], f"{where} [dns]")
        zones = tuple(
            (zone_name, tuple(str(record) for record in zone["records"]))
            for zone_name, zone in _table(dns_table, "zones", where).items()
        )
        dns = (
            DnsSpec(zones, tuple(dns_table.get("servfail", ())), tuple(dns_table.get("timeout", ())))
            if dns_table
            else None
        )
        https_table = _table(data, "https", where)
        sites = tuple(
            (host, tuple((str(p), str(body)) for p, body in paths.items()))
            for host, paths in https_table.get("sites", {}).items()
        )
        https_redirects = tuple(
            (str(host), str(target)) for host, target in https_table.get("redirects", {}).items()
        )
    except (TypeError, KeyError) as exc:
        raise ScenarioError(f"{where}: {exc}") from exc
    if postfix is not None and dovecot is None:
        raise ScenarioError(f"{where}: [postfix] needs [dovecot] (SASL and delivery go through it)")
    if interception and interception.port not in (*_IMPLICIT_TLS_PORTS, *_STARTTLS_PORTS):
        raise ScenarioError(f"{where}: [interception] port must be one of the mail ports")
    if legacy_tls is not None and legacy_tls.kind not in FRONT_KINDS:
        raise ScenarioError(f"{where}: [legacy_tls] kind must be one of {FRONT_KINDS}")
    for rule in firewall:
        if rule.action not in ("drop", "reject"):
            raise ScenarioError(f"{where}: firewall action must be drop or reject")
    return Scenario(
        name=name,
        description=str(head.get("description", "")),
        account=TypedSettings(**account_table),
        expect=tuple(head.get("expect", ())),
        expect_fix=tuple(head.get("expect_fix", ())),
        expect_evidence=tuple(head.get("expect_evidence", ())),
        dovecot=dovecot,
        postfix=postfix,
        interception=interception,
        scripted_smtp=scripted_smtp,
        legacy_tls=legacy_tls,
        firewall=firewall,
        dns=dns,
        https_sites=sites,
        https_redirects=https_redirects,
        namespace=bool(head.get("namespace", False)),
        path=path,
    )


def load_scenario(path: Path) -> Scenario:
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{path}: {exc}") from exc
    return parse_scenario(data, path.stem, path)


def load_scenarios(directory: Path) -> list[Scenario]:
    return [load_scenario(path) for path in sorted(directory.glob("*.toml"))]


# ---------------------------------------------------------------------------------------------
# The world (servers running)


@dataclass
class World:
    scenario: Scenario
    directory: Path
    pki: LabPKI
    certs: StandardCerts
    values: dict[str, str] = field(default_factory=dict)
    dovecot: DovecotServer | None = None
    postfix: PostfixServer | None = None
    dns: Any = None  # maildoctor_lab.dns.DnsServer
    https: Any = None  # maildoctor_lab.https.HttpsServer
    interception: Any = None  # maildoctor_lab.mitm.MitmProxy
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def fill(self, text: str) -> str:
        """Replace {placeholders} with this world's values; an unknown one is an error."""

        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key == "check_arguments":  # inside a longer word (a shell line): quoted for the shell
                return shlex.join(self.check_arguments())
            if key not in self.values:
                raise ScenarioError(f"{self.scenario.name}: no value for {{{key}}} in this world")
            return self.values[key]

        return _PLACEHOLDER.sub(value, text)

    @property
    def ca_file(self) -> Path:
        return self.pki.ca.cert

    @property
    def password(self) -> str | None:
        return self.scenario.account.password

    def check_arguments(self) -> list[str]:
        """The `maildoctor check` arguments for what the person typed (the password goes to stdin)."""
        typed = self.scenario.account
        argv = [typed.address]
        for option, value in (
            ("--incoming", typed.incoming),
            ("--outgoing", typed.outgoing),
            ("--user", typed.username),
            ("--client", typed.client),
        ):
            if value is not None:
                argv += [option, self.fill(value)]
        if typed.no_outgoing_auth:
            argv.append("--no-outgoing-auth")
        if self.dns is not None:
            argv += ["--dns", self.values["dns"]]
        argv += ["--ca-file", str(self.ca_file)]
        argv.append("--password-stdin" if typed.password is not None else "--no-auth")
        return argv

    def describe(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "directory": str(self.directory),
            "values": self.values,
            "ca_file": str(self.ca_file),
            "check_arguments": self.check_arguments(),
        }

    def close(self) -> None:
        self._stack.close()


def _seed_mailboxes(server: DovecotServer, seeds: Sequence[MailboxSeed], domain: str) -> None:
    for seed in seeds:
        for number in range(seed.messages):
            body = ("x" * 76 + "\r\n") * max(1, seed.size // 78)
            recipient = f"{seed.user}@{domain}"
            headers = f"From: lab@{domain}\r\nTo: {recipient}\r\nSubject: lab message {number + 1}\r\n"
            server.deliver(recipient, f"{headers}\r\n{body}")


def _hold_connections(world: World, server: DovecotServer, count: int) -> None:
    """Other devices of the same account, logged in and staying connected."""
    if count <= 0:
        return
    typed = world.scenario.account
    user = server.user((typed.username or typed.address).split("@")[0])
    context = ssl.create_default_context(cafile=str(world.pki.ca.cert))
    context.check_hostname = False
    for _ in range(count):
        if server.options.tls:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(server.host, server.ports["imaps"], ssl_context=context)
        else:
            client = imaplib.IMAP4(server.host, server.ports["imap"])
        client.login(user.name, user.password)
        world._stack.callback(_logout_quietly, client)


def _logout_quietly(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _start_interception(world: World, spec: InterceptionSpec) -> None:
    from maildoctor_lab import mitm

    upstream_port = int(world.values[spec.port])
    modes: dict[str, mitm.MitmMode] = {
        "imaps": "implicit",
        "pop3s": "implicit",
        "smtps": "implicit",
        "imap": "starttls-imap",
        "pop3": "starttls-pop3",
        "submission": "starttls-smtp",
    }
    mode = modes[spec.port]
    proxy = mitm.start_mitm(
        upstream_host=world.values["host"],
        upstream_port=upstream_port,
        mode=mode,
        certificate=world.certs.intercepted,
        upstream_ca=world.pki.ca.cert,
        listen_host=world.values["host"],
    )
    world._stack.callback(proxy.stop)
    world.interception = proxy
    world.values["intercept"] = str(proxy.port)


def _start_dns(world: World, spec: DnsSpec) -> None:
    from maildoctor_lab import dns

    zones = [
        dns.zone_from_records(name, [world.fill(record) for record in records])
        for name, records in spec.zones
    ]
    server = dns.start_dns(
        world.directory / "dns",
        zones,
        servfail=spec.servfail,
        timeout=spec.timeout,
        port=53 if in_lab_namespace() else None,
    )
    world._stack.callback(server.stop)
    world.dns = server
    world.values["dns"] = server.nameserver


def _mail_domain(address: str) -> str:
    """The account's domain, which the lab's Postfix serves (example.test when there is none)."""
    domain = address.rpartition("@")[2].strip().lower()
    usable = domain.isascii() and "." in domain and all(c.isalnum() or c in ".-" for c in domain)
    return domain if usable else "example.test"


def _start_https(
    world: World,
    sites: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    redirects: Sequence[tuple[str, str]] = (),
) -> None:
    from maildoctor_lab import https

    server = https.start_https(
        world.directory / "https",
        world.pki,
        {host: {path: world.fill(body) for path, body in paths} for host, paths in sites},
        redirects=dict(redirects),
        https_port=443 if in_lab_namespace() else None,
        http_port=80 if in_lab_namespace() else None,
    )
    world._stack.callback(server.stop)
    world.https = server
    world.values["https"] = str(server.https_port)
    world.values["http"] = str(server.http_port)


def in_lab_namespace() -> bool:
    return os.environ.get(NETNS_MARKER) == "1"


def apply_firewall(world: World) -> None:
    """Install the scenario's rules; only inside a namespace the lab made (never on the host)."""
    if not world.scenario.firewall:
        return
    if not in_lab_namespace():
        raise ScenarioError(f"{world.scenario.name}: firewall rules are only applied inside a lab namespace")
    from maildoctor_lab import netns

    rules = [
        netns.FirewallRule(
            port=int(rule.port) if rule.port.isdigit() else int(world.values[rule.port]),
            action="drop" if rule.action == "drop" else "reject",
        )
        for rule in world.scenario.firewall
    ]
    netns.apply_firewall(rules)


def build_world(scenario: Scenario, directory: Path | None = None) -> World:
    """Start everything the scenario describes. Call `close()` (or use `world_of`) to tear down."""
    directory = directory or make_lab_dir("md-")  # short: unix socket paths below it are limited to 108 bytes
    pki = LabPKI(directory / "tls")
    world = World(scenario, directory, pki, pki.standard_set())
    # In a namespace of its own the world takes the ports a real provider uses (993, 587, 53...),
    # so a typed "imaps://mail.example.test:993" means what it says.
    standard = in_lab_namespace()
    try:
        host = scenario.dovecot.options.host if scenario.dovecot else LOOPBACK
        world.values["host"] = host
        world.values["ca_file"] = str(pki.ca.cert)
        world.values["closed"] = str(free_ports(1, host)[0])
        named_certificate = None
        if scenario.dovecot is not None:
            named_certificate = (
                world.pki.issue(
                    "dovecot-named", (*DEFAULT_SERVER_NAMES, *scenario.dovecot.certificate_names, "127.0.0.1")
                )
                if scenario.dovecot.certificate_names
                else None
            )
            dovecot_certificate = named_certificate or world.certs.by_kind(scenario.dovecot.certificate)
            dovecot = start_dovecot(
                directory / "dovecot",
                dovecot_certificate,
                dataclasses.replace(scenario.dovecot.options, standard_ports=standard),
            )
            world._stack.callback(dovecot.stop)
            world.dovecot = dovecot
            world.values.update({name: str(port) for name, port in dovecot.ports.items()})
            domain = scenario.account.address.rpartition("@")[2] or "example.test"
            _seed_mailboxes(dovecot, scenario.dovecot.mailbox, domain)
            _hold_connections(world, dovecot, scenario.dovecot.hold_connections)
        if scenario.postfix is not None and world.dovecot is not None:
            postfix = start_postfix(
                directory / "postfix",
                world.dovecot,
                # a good certificate carries the names the scenario gave Dovecot's, too
                named_certificate
                if scenario.postfix.certificate == "good" and named_certificate is not None
                else world.certs.by_kind(scenario.postfix.certificate),
                PostfixOptions(
                    standard_ports=standard,
                    mechanisms=scenario.postfix.mechanisms,
                    domain=_mail_domain(scenario.account.address),
                ),
            )
            world._stack.callback(postfix.stop)
            world.postfix = postfix
            world.values.update(
                {
                    "smtp": str(postfix.ports["mx"]),
                    "submission": str(postfix.ports["submission"]),
                    "smtps": str(postfix.ports["smtps"]),
                }
            )
        if scenario.interception is not None:
            _start_interception(world, scenario.interception)
        if scenario.scripted_smtp is not None:
            from maildoctor_lab.scripted_smtp import start_scripted_smtp

            port = 465 if standard and scenario.postfix is None else None
            spec = scenario.scripted_smtp
            scripted = start_scripted_smtp(world.certs.good, spec.auth_reply, host, port, spec.rcpt_reply)
            world._stack.callback(scripted.stop)
            world.values["scripted_smtp"] = str(scripted.port)
        if scenario.legacy_tls is not None:
            from maildoctor_lab.legacy_tls import start_legacy_tls

            spec_front = scenario.legacy_tls
            upstream = int(world.values[spec_front.upstream])
            kind = next(known for known in FRONT_KINDS if known == spec_front.kind)
            # static-RSA key exchange needs an RSA key (the lab's certificates are EC otherwise)
            certificate = (
                world.pki.issue("static-rsa", rsa_key=True) if kind == "static-rsa" else world.certs.good
            )
            front = start_legacy_tls(certificate, host, upstream, host, kind=kind)
            world._stack.callback(front.stop)
            world.values[spec_front.placeholder] = str(front.port)
        if scenario.https_sites or scenario.https_redirects:
            _start_https(world, scenario.https_sites, scenario.https_redirects)
        if scenario.dns is not None:
            _start_dns(world, scenario.dns)
        apply_firewall(world)
    except BaseException:
        world.close()
        raise
    return world


@contextlib.contextmanager
def world_of(scenario: Scenario, directory: Path | None = None) -> Iterator[World]:
    world = build_world(scenario, directory)
    try:
        yield world
    finally:
        world.close()


# ---------------------------------------------------------------------------------------------
# Running a command against a world


def expand_command(world: World, command: Sequence[str]) -> list[str]:
    """Fill placeholders in a command; the word {check_arguments} becomes the check arguments."""
    argv: list[str] = []
    for word in command:
        if word == "{check_arguments}":
            argv += world.check_arguments()
        else:
            argv.append(world.fill(word))
    return argv


def run_scenario(
    scenario: Scenario,
    command: Sequence[str],
    *,
    timeout: float = 120.0,
    stdin: str | None = None,
    namespace: bool | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Build the world, run `command` against it, tear the world down.

    The command runs in a child process, inside a new network namespace (on the standard ports)
    when the scenario has firewall rules or asks for one, or when `namespace` is true. Without
    `stdin`, the scenario's typed password is given on standard input.
    """
    if scenario.path is None:
        raise ScenarioError(f"{scenario.name}: run_scenario needs a scenario loaded from a file")
    child = [sys.executable, "-m", "maildoctor_lab.scenario", "exec", str(scenario.path), "--", *command]
    if stdin is None and scenario.account.password is not None:
        stdin = scenario.account.password + "\n"
    if scenario.needs_netns if namespace is None else namespace or scenario.needs_netns:
        from maildoctor_lab import netns

        return netns.run_in_netns(
            child, rules=(), timeout=timeout, input=stdin, env={**(env or {}), NETNS_MARKER: "1"}
        )
    return subprocess.run(
        child,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m maildoctor_lab.scenario", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="action", required=True)
    up = sub.add_parser("up", help="build the world, print it as JSON, keep it until interrupted")
    up.add_argument("path", type=Path)
    run = sub.add_parser("exec", help="build the world, run a command against it, tear it down")
    run.add_argument("path", type=Path)
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    scenario = load_scenario(args.path)
    with world_of(scenario) as world:
        if args.action == "up":
            print(json.dumps(world.describe(), ensure_ascii=False, indent=2), flush=True)
            stop_signals = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
            signal.sigwait(stop_signals)
            return 0
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        argv_filled = expand_command(world, command)
        print(f"# {shlex.join(argv_filled)}", file=sys.stderr, flush=True)
        completed = subprocess.run(argv_filled, stdin=sys.stdin, check=False)
        return completed.returncode


if __name__ == "__main__":
    sys.exit(_main())
