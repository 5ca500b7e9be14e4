"""lint_account: the typed account as findings, and the password never in any of them."""

import random
import re
import string
import unicodedata

import pytest

from maildoctor.causes import get_cause
from maildoctor.i18n import get_translator
from maildoctor.knowledge import render_evidence
from maildoctor.lint.address import AddressProblemKind
from maildoctor.lint.findings import lint_account
from maildoctor.lint.typed import TypoRiskKind
from maildoctor.model import Evidence, Finding, Layer, Secret, ServerRole, Severity

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
    assert finding.evidence == (
        "taro⟦＠⟧example.jp⟦ ⟧",
        Evidence.of(
            "The @ in the {field} is the full-width ＠ (position {positions}). Type the half-width @.",
            field="address",
            positions="5",
        ),
        Evidence.of("The {field} has a space in it (position {positions}).", field="address", positions="16"),
        Evidence.of("Did you mean {suggestion}?", suggestion="taro@example.jp"),
    )
    assert finding.consequence_of is None


def test_an_invalid_address_without_a_suggestion() -> None:
    (finding,) = lint(address="taro@example")
    assert finding.param("problem") == "invalid_domain"
    assert finding.param("suggestion") is None
    assert finding.param("address_marked") == "taro@example"
    assert finding.evidence == (
        "taro@example",
        Evidence.of(
            "The domain of the {field} (the part after the @) is not written correctly. "
            "It should look like example.co.jp.",
            field="address",
        ),
    )


def test_problems_of_one_kind_share_a_sentence() -> None:
    (finding,) = lint(address="ta ro@exa mple.jp")
    assert finding.evidence == (
        "ta⟦ ⟧ro@exa⟦ ⟧mple.jp",
        Evidence.of(
            "The {field} has a space in it (position {positions}).", field="address", positions="3, 10"
        ),
        Evidence.of("Did you mean {suggestion}?", suggestion="taro@example.jp"),
    )


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "The {field} is empty."),
        ("taro.example.jp", "The {field} has no @ between the name and the domain."),
        ("taro@@example.jp", "The {field} has more than one @ (position {positions})."),
        (
            "ｔaro@example.jp",
            "The {field} has full-width characters (position {positions}). Type them in half-width.",
        ),
        (
            "taro\u200b@example.jp",
            "The {field} has invisible characters (position {positions}). "
            "They often come along when text is copied and pasted.",
        ),
        (
            "ta..ro@example.jp",
            "The part of the {field} before the @ is not written correctly (position {positions}). "
            "It may hold half-width letters, digits and symbols such as . - _ +, "
            "but no dot at the start or the end and no two dots in a row.",
        ),
        (
            "taro@exa_mple.jp",
            "The domain of the {field} (the part after the @) is not written correctly "
            "(position {positions}). It should look like example.co.jp.",
        ),
    ],
)
def test_each_address_problem_has_its_sentence(address: str, message: str) -> None:
    (finding,) = lint(address=address, username=None)
    sentences = [item for item in finding.evidence if isinstance(item, Evidence)]
    assert sentences[0].message == message
    assert ("field", "address") in sentences[0].values
    assert finding.evidence[: -len(sentences)] == ((finding.param("address_marked"),) if address else ())


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
    assert finding.evidence == (
        "mai⟦I⟧.example.jp",
        Evidence.of(
            "The {role} name has characters that are easy to mistake for others, such as {characters} "
            "(position {positions}).",
            field="host",
            role="incoming",
            positions="4",
            characters="I",
        ),
    )


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
    assert password.evidence == (
        Evidence.of(
            "The {field} has a space at the end (position {positions}).", field="password", positions="8"
        ),
        Evidence.of(
            "The capital and small letters of the {field} look the wrong way round, as if Caps Lock were on.",
            field="password",
        ),
    )
    assert findings[1].evidence == (
        "⟦ ⟧taro",
        Evidence.of(
            "The {field} has a space at the start (position {positions}).", field="username", positions="1"
        ),
    )
    assert findings[3].param("kinds") == "scheme_in_host"
    assert findings[3].evidence[1] == Evidence.of(
        "The {role} name starts with {characters}. Type only the name, such as mail.example.jp.",
        field="host",
        role="incoming",
        positions="1, 2, 3, 4, 5, 6, 7, 8",
        characters="imaps://",
    )
    assert findings[4].param("kinds") == "trailing_dot"
    assert findings[4].evidence[1] == Evidence.of(
        "The {role} name ends with a dot (position {positions}).",
        field="host",
        role="outgoing",
        positions="16",
    )


def test_several_kinds_in_one_value() -> None:
    (finding,) = lint(username="ｔａｒｏ\u200b ")
    assert finding.param("kinds") == "trailing_space,fullwidth,invisible"
    assert finding.param("positions") == "1, 2, 3, 4, 5, 6"
    assert finding.param("value_marked") == "⟦ｔａｒｏ⟧⟦U+200B⟧⟦ ⟧"
    assert [item.message for item in finding.evidence[1:] if isinstance(item, Evidence)] == [
        "The {field} has a space at the end (position {positions}).",
        "The {field} has full-width characters, as typed with Japanese input on (position {positions}). "
        "Type them in half-width.",
        "The {field} has invisible characters (position {positions}). "
        "They often come along when text is copied and pasted.",
    ]
    assert [
        dict(item.values)["positions"] for item in finding.evidence[1:] if isinstance(item, Evidence)
    ] == [
        "6",
        "1, 2, 3, 4",
        "5",
    ]


def test_a_japanese_host_is_a_risk_unless_the_mail_domain_is_japanese_too() -> None:
    (finding,) = lint(hosts={ServerRole.INCOMING: "メール.example.jp"})
    assert finding.param("kinds") == "non_ascii"
    assert (
        lint(address="taro@日本語.jp", username=None, hosts={ServerRole.INCOMING: "メール.日本語.jp"}) == ()
    )


def test_a_password_lookalike_names_its_group_of_characters() -> None:
    (finding,) = lint(password="Zq4l9x")
    assert finding.evidence == (
        Evidence.of(
            "The {field} has characters that are easy to mistake for others, such as {characters} "
            "(position {positions}).",
            field="password",
            positions="4",
            characters="l, 1, I, |",
        ),
    )


def lint_every_kind() -> tuple[Finding, ...]:
    """Values that between them have every kind of problem and risk."""
    return (
        *lint(
            address="ｔaro＠＠example.jp\u200b ",
            username=" ＴＡＲＯ\u3000rn1l0O\u200bぱ ",
            hosts={
                ServerRole.INCOMING: " imaps://user@mai1.exam ple..jp.\u200b ",
                ServerRole.OUTGOING: "ｓｍｔｐ.メール.example.jp",
            },
            password=" Zq9#l1xR\u3000\u200bぱＫ ",
        ),
        *lint(address="", username="TARO", hosts={ServerRole.INCOMING: "メール.example.jp"}),
        *lint(address="taro", username=None, hosts={}),
        *lint(address="ta..ro@exa_mple.jp", username=None, hosts={}),
        *lint(address="taro@example", username=None, hosts={}),
    )


def test_the_values_have_every_kind() -> None:
    kinds = {kind for finding in lint_every_kind() for kind in (finding.param("kinds") or "").split(",")}
    assert kinds == {kind.value for kind in (*TypoRiskKind, *AddressProblemKind)}


def test_only_the_typed_values_are_plain_lines() -> None:
    findings = lint_every_kind()
    for finding in findings:
        first, *sentences = finding.evidence
        if finding.param("field") != "password" and finding.param("address_marked") != "":
            assert first in (finding.param("value_marked"), finding.param("address_marked"))
            assert isinstance(first, str)
        else:
            sentences.insert(0, first)
        assert sentences
        for sentence in sentences:
            assert isinstance(sentence, Evidence)
            # words, not identifiers such as trailing_space
            assert not re.search(r"[a-z]_[a-z]", sentence.message), sentence.message


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_sentence_renders(language: str) -> None:
    translator = get_translator(language)
    for finding in lint_every_kind():
        for item in finding.evidence:
            if isinstance(item, Evidence):
                fields = {name for _, name, _, _ in string.Formatter().parse(item.message) if name}
                assert fields <= dict(item.values).keys(), item.message
                text = render_evidence(item, translator)
                assert "{" not in text
                if language == "ja":
                    assert text != item.message, f"not translated: {item.message}"


def test_the_sentences_in_japanese_and_english() -> None:
    findings = lint(username="taro ", hosts={ServerRole.INCOMING: "maiI.example.jp"}, password="GXBVKQZ ")
    ja, en = get_translator("ja"), get_translator("en")
    rendered = [[render_evidence(item, t) for item in f.evidence] for t in (ja, en) for f in findings]
    assert rendered == [
        ["taro⟦ ⟧", "ユーザー名の最後に空白があります（5 文字目）。"],
        [
            "パスワードの最後に空白があります（8 文字目）。",
            "パスワードの大文字と小文字が逆になっているようです。"
            "Caps Lock がオンになっていないか確かめてください。",
        ],
        ["mai⟦I⟧.example.jp", "受信サーバー名に見分けにくい文字（I など）があります（4 文字目）。"],
        ["taro⟦ ⟧", "The user name has a space at the end (position 5)."],
        [
            "The password has a space at the end (position 8).",
            "The capital and small letters of the password look the wrong way round, "
            "as if Caps Lock were on.",
        ],
        [
            "mai⟦I⟧.example.jp",
            "The incoming server name has characters that are easy to mistake for others, "
            "such as I (position 4).",
        ],
    ]
    (address,) = lint(address="taro＠example.jp", username=None)
    assert [render_evidence(item, ja) for item in address.evidence] == [
        "taro⟦＠⟧example.jp",
        "メールアドレスの @ が全角の ＠ になっています（5 文字目）。半角の @ で入力してください。",
        "taro@example.jp のことではありませんか？",
    ]


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

    No lower case, no space or comma, no parentheses: the sentences around a
    password's positions ("The {field} has ... (position 1, 8)") are made of those.
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


TRANSLATORS = (get_translator("ja"), get_translator("en"))


def finding_texts(finding: Finding) -> list[str]:
    """Everything a finding holds, and its evidence as shown in Japanese and in English."""
    texts = [finding.cause, finding.consequence_of or ""]
    for key, value in finding.params:
        texts += [key, value]
    for item in finding.evidence:
        texts += [render_evidence(item, translator) for translator in TRANSLATORS]
        if isinstance(item, Evidence):
            texts.append(item.message)
            for name, value in item.values:
                texts += [name, value]
        else:
            texts.append(item)
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
