"""One of each (issue 13): one port table, one exit-code enum, one Security enum, one domain normaliser."""

import ast
from pathlib import Path

import pytest

from maildoctor import clients, exitcode, model
from maildoctor.cli import app
from maildoctor.clients import model as clients_model
from maildoctor.diagnose import MAIL_PORTS
from maildoctor.discover.guess import guesses
from maildoctor.discover.providers import ProviderIndex, mx_lookup_domains
from maildoctor.domainname import normalize_domain
from maildoctor.model import (
    STANDARD_PORTS,
    Protocol,
    Security,
    default_port,
    mail_program_ports,
    parse_server_url,
)
from maildoctor.rules.base import STANDARD_PAIRS
from maildoctor.tlsfacts import host_matches

CLI_DIR = Path(app.__file__).parent

# ------------------------------------------------------------------ ports


@pytest.mark.parametrize(
    ("url", "port"),
    [  # interface.md, "Server URLs"
        ("imaps://h", 993),
        ("imap+starttls://h", 143),
        ("imap://h", 143),
        ("pop3s://h", 995),
        ("pop3+starttls://h", 110),
        ("pop3://h", 110),
        ("smtps://h", 465),
        ("smtp+starttls://h", 587),
        ("smtp://h", 25),
    ],
)
def test_server_urls_default_to_the_standard_ports(url: str, port: int) -> None:
    endpoint = parse_server_url(url)
    assert endpoint.port == port
    assert default_port(endpoint.protocol, endpoint.security) == port


def test_each_port_is_in_the_table_once() -> None:
    ports = [row.port for row in STANDARD_PORTS]
    assert sorted(ports) == [25, 110, 143, 465, 587, 993, 995]
    assert [row.port for row in STANDARD_PORTS if not row.for_mail_programs] == [25]


def test_the_tables_that_were_copies_come_from_the_one_table() -> None:
    assert [port for port, _, _ in MAIL_PORTS] == [993, 143, 995, 110, 587, 465, 25]
    assert STANDARD_PAIRS[Protocol.SMTP] == ((587, Security.STARTTLS), (465, Security.SSL))
    assert mail_program_ports(Protocol.IMAP) == ((993, Security.SSL), (143, Security.STARTTLS))
    # guessing proposes implicit TLS first (RFC 8314), and never port 25
    smtp = [(c.port, c.security) for c in guesses("taro@example.jp").outgoing if c.host == "smtp.example.jp"]
    assert smtp == [(465, Security.SSL), (587, Security.STARTTLS)]
    pop = [(c.port, c.security) for c in guesses("taro@example.jp").incoming if c.host == "pop.example.jp"]
    assert pop == [(995, Security.SSL), (110, Security.STARTTLS)]


# ------------------------------------------------------------------ exit codes, Security


def test_one_exit_code_enum() -> None:
    assert app.ExitCode is exitcode.ExitCode
    assert [(code.name, int(code)) for code in exitcode.ExitCode] == [
        ("OK", 0),
        ("PROBLEMS", 1),
        ("USAGE", 2),
        ("NOT_RUN", 3),
    ]


@pytest.mark.parametrize("path", sorted(CLI_DIR.glob("*.py")), ids=lambda path: path.name)
def test_no_cli_module_writes_an_exit_status_as_a_number(path: Path) -> None:
    """`EXIT_... = 2` (or `2, 3`) is how the six copies looked; the names may stay as aliases of ExitCode."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(
            isinstance(name, ast.Name) and name.id.startswith("EXIT_")
            for target in node.targets
            for name in ast.walk(target)
        ):
            assert not any(isinstance(value, ast.Constant) for value in ast.walk(node.value)), ast.unparse(
                node
            )


def test_one_security_enum() -> None:
    assert clients_model.Security is model.Security
    assert clients.Security is model.Security


# ------------------------------------------------------------------ the domain normaliser


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        (" Example.JP. ", "example.jp"),
        ("例え.jp", "xn--r8jz45g.jp"),
        ("ＥＸＡＭＰＬＥ.jp", "example.jp"),  # full-width letters folded (UTS #46)
        ("_dmarc.Example.jp", "_dmarc.example.jp"),  # ASCII is kept as it is, lower case
        ("*.example.jp", "*.example.jp"),
        ("xn--r8jz45g.jp", "xn--r8jz45g.jp"),
        ("", ""),
        (".", ""),
        ("a..jp", ""),  # an empty label
        ("☃.jp", ""),  # IDNA 2008 has no symbols
    ],
)
def test_normalize_domain(text: str, normal: str) -> None:
    assert normalize_domain(text) == normal


def test_normalize_domain_can_keep_the_unicode_form() -> None:
    assert normalize_domain(" 例え.JP. ", a_labels=False) == "例え.jp"
    assert normalize_domain("a..jp", a_labels=False) == ""


def test_its_users_agree() -> None:
    # the provider index, the MX rule and certificate matching all see 例え.jp as xn--r8jz45g.jp
    assert ProviderIndex([]).lookup("例え.jp") is None
    assert mx_lookup_domains("MX.例え.jp.") == ("xn--r8jz45g.jp",)
    assert host_matches(["mail.xn--r8jz45g.jp"], [], "Mail.例え.jp.")
    assert not host_matches(["mail.example.jp"], [], "mail..example.jp")
