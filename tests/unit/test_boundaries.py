"""One of each (issue 13): one port table, one exit-code enum, one Security enum, one domain normaliser."""

import ast
from pathlib import Path

import pytest

from maildoctor import clients, exitcode, model
from maildoctor.checks.server import MAIL_PORTS
from maildoctor.cli import app
from maildoctor.demo import command as demo_command
from maildoctor.discover.domains import mx_lookup_domains
from maildoctor.discover.guess import guesses
from maildoctor.discover.providers import ProviderIndex
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
DEMO_DIR = Path(demo_command.__file__).parent
PACKAGE_DIR = Path(model.__file__).parent

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
    assert [(code.name, int(code)) for code in exitcode.ExitCode] == [
        ("OK", 0),
        ("PROBLEMS", 1),
        ("USAGE", 2),
        ("NOT_RUN", 3),
    ]


def exit_status_names(source: str) -> list[str]:
    """The `EXIT_...` names a module assigns: `EXIT_... = 2` (or `= 2, 3`) is how the seven copies
    looked, then aliases of ExitCode until issue 13 removed them."""
    return [
        name.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign)
        for target in node.targets
        for name in ast.walk(target)
        if isinstance(name, ast.Name) and name.id.startswith("EXIT_")
    ]


@pytest.mark.parametrize(
    "path", sorted([*CLI_DIR.rglob("*.py"), *DEMO_DIR.rglob("*.py")]), ids=lambda path: path.name
)
def test_no_module_names_an_exit_status_of_its_own(path: Path) -> None:
    assert exit_status_names(path.read_text(encoding="utf-8")) == []


def test_the_exit_status_check_can_fail() -> None:
    assert exit_status_names("EXIT_OK, EXIT_NOT_RUN = 0, 3\nx = 1") == ["EXIT_OK", "EXIT_NOT_RUN"]
    assert exit_status_names("EXIT_USAGE = ExitCode.USAGE") == ["EXIT_USAGE"]
    assert exit_status_names("status = ExitCode.USAGE") == []


def security_imports(source: str) -> list[str]:
    """The modules `source` imports a `Security` from, and `class Security` where it defines one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "Security" for alias in node.names):
            found.append(node.module or "")
        elif isinstance(node, ast.ClassDef) and node.name == "Security":
            found.append("class Security")
    return found


@pytest.mark.parametrize(
    "path", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE_DIR))
)
def test_one_security_enum(path: Path) -> None:
    """model.Security, imported from model itself (clients.model re-exported it until issue 13)."""
    expected = ["class Security"] if path == PACKAGE_DIR / "model.py" else []
    found = security_imports(path.read_text(encoding="utf-8"))
    assert [where for where in found if where != "maildoctor.model"] == expected
    assert "Security" not in clients.__all__


def test_the_security_check_can_fail() -> None:
    found = security_imports("from maildoctor.clients.model import Lang, Security")
    assert found == ["maildoctor.clients.model"]
    assert security_imports("class Security(StrEnum):\n    SSL = 'ssl'") == ["class Security"]
    assert security_imports("from maildoctor.model import Security") == ["maildoctor.model"]


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
