"""The knowledge base's data files are read strictly (knowledge_data.py): a typo fails here."""

from __future__ import annotations

import ast
import pickle
import shutil
import time
from pathlib import Path

import pytest

from maildoctor import causes, knowledge_data
from maildoctor.causes import CAUSES, CauseCode
from maildoctor.clients.guidance import client_field
from maildoctor.i18n import get_translator
from maildoctor.knowledge import KNOWLEDGE, texts_of
from maildoctor.knowledge_data import KNOWLEDGE_DIR, KnowledgeError, cause_codes, parse

PACKAGED = Path(str(KNOWLEDGE_DIR))
JA = get_translator("ja")

MINIMAL_CAUSE = """\
layer = "auth"
severity = "error"
title = "A title"
params = ["role", "host"]

[[fix]]
use = ["save"]
settings = [{ field = "host", value = "host", role = "incoming" }]

[[fix]]
text = ["Open the {role} settings of {host}.", "Open the settings."]

[do_not]
text = ["Do not."]
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A knowledge base of one cause (and one problem), to break in each test."""
    (tmp_path / "causes").mkdir()
    (tmp_path / "problems").mkdir()
    (tmp_path / "shared.toml").write_text('[save]\ntext = ["Save."]\n', encoding="utf-8")
    (tmp_path / "causes" / "SOME_CAUSE.toml").write_text(MINIMAL_CAUSE, encoding="utf-8")
    (tmp_path / "problems" / "mx.toml").write_text(
        '[MX_CNAME]\ntext = ["{host} is an alias.", "An alias."]\n', encoding="utf-8"
    )
    return tmp_path


def _break(folder: Path, old: str, new: str) -> None:
    path = folder / "causes" / "SOME_CAUSE.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_well_formed_base_is_read(folder: Path) -> None:
    base = parse(folder)
    entry = base.causes["SOME_CAUSE"]
    assert (entry.layer.value, entry.severity.value, entry.title) == ("auth", "error", "A title")
    assert [texts_of(step) for step in entry.fix] == [
        ("Save.",),
        ("Open the {role} settings of {host}.", "Open the settings."),
    ]
    assert entry.fix[0].settings == (knowledge_data.Setting("host", "host", "incoming"),)
    assert entry.do_not is not None and entry.do_not.text == "Do not."
    assert base.problems == {"mx:MX_CNAME": ("{host} is an alias.", "An alias.")}
    assert entry.extension is None


def test_a_code_the_spec_lacks_says_why_in_its_file(folder: Path) -> None:
    reason = "Providers started to refuse this in 2027; causes.md has no code for it yet."
    _break(folder, 'title = "A title"', f'title = "A title"\nextension = "{reason}"')
    assert parse(folder).causes["SOME_CAUSE"].extension == reason


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('title = "A title"', 'title = "A title"\ntitel = "typo"', "unknown key"),
        ('layer = "auth"', 'layer = "authentication"', "authentication"),
        ('severity = "error"', 'severity = "info"', "error or warning"),
        ('severity = "error"\n', "", "missing key"),
        ('title = "A title"', 'title = ""', "title"),
        ('use = ["save"]', 'use = ["sav"]', "no shared text 'sav'"),
        ('text = ["Do not."]', 'txt = ["Do not."]', "unknown key"),
        ("Open the settings.", "Open the {rol} settings.", "{rol} is not in the cause's params"),
        ('role = "incoming"', 'role = "sideways"', "not incoming or outgoing"),
        ('value = "host"', 'value = "hots"', "not a parameter"),
        ('params = ["role", "host"]', 'params = ["role", "host"]\nexplains = ["NO_SUCH"]', "unknown cause"),
        ('params = ["role", "host"]', 'params = ["role", "host"]\nexplains = ["SOME_CAUSE"]', "precedence"),
        ('text = ["Do not."]', "text = []", "needs a text"),
        ('text = ["Do not."]', 'text = [""]', "non-empty strings"),
        ('title = "A title"', 'title = "A title"\nextension = "needed"', "extension is the reason"),
        ('title = "A title"', 'title = "A title"\npassword_page = "yes"', "must be true or false"),
        ('title = "A title"', 'title = "A title"\npassword_page = true', "needs the params password_page"),
        ('title = "A title"', 'title = "A title"\ncheck_sending_side = 1', "must be true or false"),
        ('title = "A title"', 'title = "A title"\ncheck_sending_side = true', "dns or sending-domain"),
    ],
)
def test_a_fault_in_a_cause_file_is_refused_with_its_place(
    folder: Path, old: str, new: str, message: str
) -> None:
    _break(folder, old, new)
    with pytest.raises(KnowledgeError, match=r"SOME_CAUSE\.toml") as raised:
        parse(folder)
    assert message in str(raised.value)


def test_the_marks_for_the_password_page_and_checks_sending_side(folder: Path) -> None:
    assert not parse(folder).causes["SOME_CAUSE"].password_page
    _break(folder, 'params = ["role", "host"]', 'params = ["role", "host", "provider", "password_page"]')
    _break(folder, 'title = "A title"', 'title = "A title"\npassword_page = true')
    assert parse(folder).causes["SOME_CAUSE"].password_page
    _break(folder, 'layer = "auth"', 'layer = "sending-domain"\ncheck_sending_side = true')
    entry = parse(folder).causes["SOME_CAUSE"]
    assert (entry.password_page, entry.check_sending_side) == (True, True)


def test_the_packaged_marks_are_those_check_and_the_password_rule_used() -> None:
    # the lists rules/password.py and diagnose.py held in Python before issue 13
    password = {"AUTH_FAILED", "APP_PASSWORD_REQUIRED", "ACCOUNT_LOCKED"}
    assert knowledge_data.causes_marked("password_page") == password
    assert knowledge_data.causes_marked("check_sending_side") == {
        "SPF_FAIL",
        "DMARC_FAIL",
        "DKIM_MISSING",
        "DOMAIN_EXPIRING",
        "DOMAIN_NOT_RESOLVING",
    }


def test_a_file_not_named_by_a_code_is_refused(folder: Path) -> None:
    shutil.copy(folder / "causes" / "SOME_CAUSE.toml", folder / "causes" / "some-cause.toml")
    with pytest.raises(KnowledgeError, match="named by its code"):
        cause_codes(folder)


def test_broken_toml_and_foreign_problem_keys_are_refused(folder: Path) -> None:
    (folder / "problems" / "mx.toml").write_text('[MX_CNAME]\ntext = ["A."]\nsettings = []\nuse = 3\n')
    with pytest.raises(KnowledgeError, match=r"problems/mx.toml \[MX_CNAME\]"):
        parse(folder)
    (folder / "shared.toml").write_text("[save\n")
    with pytest.raises(KnowledgeError, match=r"shared\.toml"):
        parse(folder)


def test_two_roots_may_not_share_a_precedence(folder: Path) -> None:
    _break(
        folder,
        'params = ["role", "host"]',
        'params = ["role", "host"]\nexplains = ["OTHER"]\nexplains_precedence = 1',
    )
    other = MINIMAL_CAUSE.replace(
        'params = ["role", "host"]',
        'params = ["role", "host"]\nexplains = ["SOME_CAUSE"]\nexplains_precedence = 1',
    )
    (folder / "causes" / "OTHER.toml").write_text(other, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="same explains_precedence"):
        parse(folder)


# ------------------------------------------------------------------ the packaged base


def test_the_packaged_base_is_read_without_a_fault() -> None:
    base = parse()
    assert set(base.causes) == {code.value for code in CauseCode} == {code.value for code in CAUSES}
    assert base.problems


def test_the_typed_cause_codes_are_codes_of_the_data() -> None:
    """causes.py names codes for the type checker (CauseCode.X); each one must have its file."""
    tree = ast.parse(Path(causes.__file__).read_text(encoding="utf-8"))
    typed = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "CauseCode"
        for statement in node.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    assert typed, "no typed CauseCode members found: has causes.py changed shape?"
    assert typed <= set(cause_codes())


def _every_text() -> set[str]:
    base = parse()
    texts = {entry.title for entry in base.causes.values()}
    for entry in base.causes.values():
        for step in (*entry.fix, *((entry.do_not,) if entry.do_not else ())):
            texts.update(texts_of(step))
    for problem in base.problems.values():
        texts.update(problem)
    return texts


def test_every_text_of_the_base_has_a_japanese_translation() -> None:
    missing = sorted(text for text in _every_text() if JA.gettext(text) == text)
    assert missing == [], "texts of data/knowledge/ without a ja translation (run the catalog tools)"


def test_every_setting_a_step_changes_is_one_the_mail_programs_know() -> None:
    params = {"role": "incoming", "field": "username"}
    for code, entry in KNOWLEDGE.items():
        for step in entry.fix:
            for setting in step.settings:
                assert client_field(setting, params) is not None, f"{code}: {setting}"


def test_the_kept_copy_is_the_base_itself() -> None:
    """datacache keeps the parsed base as a pickle; it must come back equal, through the constructors."""
    base = parse()
    again = pickle.loads(pickle.dumps(base, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
    assert again == base
    assert again.causes["PORT_CLOSED"].fix[1].settings == base.causes["PORT_CLOSED"].fix[1].settings != ()


def test_the_base_is_read_once_and_quickly() -> None:
    """Parsing every file stays well under the start-up budget; the kept copy is faster still."""
    started = time.perf_counter()
    parse()
    parsed = time.perf_counter() - started
    assert parsed < 0.5, f"parsing the knowledge base took {parsed:.3f} s"
    assert knowledge_data.knowledge_base() is knowledge_data.knowledge_base()
