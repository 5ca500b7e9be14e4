"""lint_account: the typed account as findings, and the password never in any of them."""

import random
import unicodedata

import pytest

from maildoctor.causes import get_cause
from maildoctor.lint.findings import lint_account
from maildoctor.model import Finding, Layer, Secret, ServerRole, Severity

ADDRESS = "taro@example.jp"
CLEAN_PASSWORD = "hello"
HOSTS = {ServerRole.INCOMING: "mail.example.jp", ServerRole.OUTGOING: "smtp.example.jp"}


def lint(
    address: str = ADDRESS,
    username: str | None = ADDRESS,
    hosts: dict[ServerRole, str] | None = None,
    password: str | None = CLEAN_PASSWORD,
) -> tuple[Finding, ...]:
    return lint_account(
        address, username, HOSTS if hosts is None else hosts, None if password is None else Secret(password)
    )


def test_a_clean_account_has_no_findings() -> None:
    assert lint() == ()
    assert lint(username=None, password=None, hosts={}) == ()
    assert lint(username="", password="") == ()


def test_an_invalid_address() -> None:
    (finding,) = lint(address="taro＠example.jp ")
    assert finding.cause == "ADDRESS_INVALID"
    assert (finding.severity, finding.layer, finding.server) == (
        Severity.ERROR,
        Layer.INPUT,
        ServerRole.INPUT,
    )
    assert dict(finding.params) == {
        "address_marked": "taro⟦＠⟧example.jp⟦ ⟧",
        "problem": "fullwidth_at",
        "kinds": "fullwidth_at,space",
        "positions": "5, 16",
        "suggestion": "taro@example.jp",
    }
    assert finding.evidence[0] == "taro⟦＠⟧example.jp⟦ ⟧"
    assert finding.consequence_of is None


def test_an_invalid_address_without_a_suggestion() -> None:
    (finding,) = lint(address="taro@example")
    assert finding.param("problem") == "invalid_domain"
    assert finding.param("suggestion") is None
    assert finding.param("address_marked") == "taro@example"


def test_a_host_with_a_lookalike() -> None:
    (finding,) = lint(hosts={ServerRole.INCOMING: "maiI.example.jp"})
    assert finding.cause == "CREDENTIAL_TYPO_RISK"
    assert (finding.severity, finding.layer, finding.server) == (
        Severity.WARNING,
        Layer.INPUT,
        ServerRole.INPUT,
    )
    assert dict(finding.params) == {
        "field": "host",
        "role": "incoming",
        "value_marked": "mai⟦I⟧.example.jp",
        "positions": "4",
        "kinds": "lookalike",
    }
    assert finding.evidence[0] == "mai⟦I⟧.example.jp"
    assert finding.evidence[1].startswith("incoming host: ")


def test_one_finding_per_field_in_a_fixed_order() -> None:
    findings = lint(
        address="taro@@example.jp",
        username=" taro",
        hosts={ServerRole.OUTGOING: "smtp.example.jp.", ServerRole.INCOMING: "imaps://mail.example.jp"},
        password="GXBVKQZ ",
    )
    assert [(f.cause, f.param("field"), f.param("role")) for f in findings] == [
        ("ADDRESS_INVALID", None, None),
        ("CREDENTIAL_TYPO_RISK", "username", None),
        ("CREDENTIAL_TYPO_RISK", "password", None),
        ("CREDENTIAL_TYPO_RISK", "host", "incoming"),
        ("CREDENTIAL_TYPO_RISK", "host", "outgoing"),
    ]
    password = findings[2]
    assert password.param("kinds") == "trailing_space,caps_lock_like"
    assert password.param("positions") == "8"
    assert password.param("value_marked") is None
    assert password.evidence[0] == "password: positions 8 (trailing_space, caps_lock_like)"
    assert findings[3].param("kinds") == "scheme_in_host"
    assert findings[4].param("kinds") == "trailing_dot"


def test_several_kinds_in_one_value() -> None:
    (finding,) = lint(username="ｔａｒｏ\u200b ")
    assert finding.param("kinds") == "trailing_space,fullwidth,invisible"
    assert finding.param("positions") == "1, 2, 3, 4, 5, 6"
    assert finding.param("value_marked") == "⟦ｔａｒｏ⟧⟦U+200B⟧⟦ ⟧"
    assert len(finding.evidence) == 4


def test_a_japanese_host_is_a_risk_unless_the_mail_domain_is_japanese_too() -> None:
    (finding,) = lint(hosts={ServerRole.INCOMING: "メール.example.jp"})
    assert finding.param("kinds") == "non_ascii"
    assert (
        lint(address="taro@日本語.jp", username=None, hosts={ServerRole.INCOMING: "メール.日本語.jp"}) == ()
    )


def test_the_codes_are_those_of_the_catalogue() -> None:
    findings = lint(address="taro@@example.jp", username="TARO", password=" x")
    for finding in findings:
        assert get_cause(finding.cause).layer is finding.layer
        assert get_cause(finding.cause).severity is finding.severity
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in finding.params)


# --------------------------------------------------------------------------- the password never leaks

# One of each risk, and values a person might really type; all unique, none a word.
PASSWORDS = [
    " Zq9#xR",  # leading space
    "Zq9#xR\u3000",  # trailing ideographic space
    "Zq9#xR\n",  # a line break pasted along
    "Kj\u3000vQ7x",  # inner ideographic space
    "Vq7 Hx9k",  # inner space
    "ＫｊｖＱ７ｘ",  # full-width: its NFKC form is searched for too
    "Hk\u200bv7Qz",  # zero-width space
    "Hkv7Qz\u00a0",  # NBSP
    "\ufeffBv8Kq",  # BOM
    "Xz\u00adQ8v",  # soft hyphen
    "GXBVKQZ7",  # Caps Lock
    "wZRTYKP",  # inverted case
    "k7lP0x2q",  # look-alikes in a code
    "QZ1lI0O9",
    "Wq|Jx\u2010v",  # | and a Unicode hyphen
    "Mv8ーKq",  # the prolonged sound mark for "-"
    "ぱZq9#",  # kana mode
    "Ｚｑ９＃ｘＲ\u3000",
]


def random_passwords(count: int) -> list[str]:
    """Random passwords whose every 3 characters cannot occur in the words of a finding by chance.

    No lower case, no space or comma, no parentheses: the fixed text around a
    password's positions ("password: positions 1, 8 (...)") is made of those.
    """
    rng = random.Random(20241125)
    plain = "BCDFGHJKLMNPQRSTVWXZ0123456789#$%&*+=?!@^~"
    risky = ["\u3000", "\u200b", "\u00a0", "\ufeff", "ー", "|", "I", "O", "0", "1", "Ｑ", "７", "＃"]
    passwords = set()
    while len(passwords) < count:
        chars = [rng.choice(plain) for _ in range(rng.randint(6, 20))]
        for _ in range(rng.randint(0, 3)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(risky))
        passwords.add("".join(chars))
    return sorted(passwords)


def leak_probes(password: str) -> set[str]:
    """Every substring of 3 or more characters, of the password and of its NFKC and stripped forms."""
    forms = {password, unicodedata.normalize("NFKC", password)}
    forms |= {"".join(c for c in form if c.isprintable() and not c.isspace()) for form in list(forms)}
    probes: set[str] = set()
    for form in forms:
        if 0 < len(form) < 3:
            probes.add(form)
        probes |= {form[i:j] for i in range(len(form)) for j in range(i + 3, len(form) + 1)}
    return probes


def finding_texts(finding: Finding) -> list[str]:
    texts = [finding.cause, *finding.evidence, finding.consequence_of or ""]
    for key, value in finding.params:
        texts += [key, value]
    return texts


def assert_no_leak(password: str, findings: tuple[Finding, ...]) -> None:
    assert all(f.param("value_marked") is None for f in findings if f.param("field") == "password")
    texts = [text for finding in findings for text in finding_texts(finding)]
    leaks = {probe for probe in leak_probes(password) for text in texts if probe in text}
    assert leaks == set()
    for finding in findings:
        assert password not in repr(finding)
        assert unicodedata.normalize("NFKC", password) not in repr(finding)


@pytest.mark.parametrize("password", PASSWORDS)
def test_no_finding_carries_any_part_of_the_password(password: str) -> None:
    # with other fields at fault too, whose findings do show their values
    findings = lint(password=password, username="taro ", hosts={ServerRole.INCOMING: "maiI.example.jp"})
    assert_no_leak(password, findings)


@pytest.mark.parametrize("password", random_passwords(300))
def test_no_finding_carries_any_part_of_a_random_password(password: str) -> None:
    # alone: the other fields' evidence names code points ("U+0049"), which random digits could match
    assert_no_leak(password, lint(password=password))


@pytest.mark.parametrize("password", PASSWORDS)
def test_each_chosen_password_has_a_risk(password: str) -> None:
    # otherwise the leak test above would check nothing for it
    assert any(f.param("field") == "password" for f in lint(password=password))
