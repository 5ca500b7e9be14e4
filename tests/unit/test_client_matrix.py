"""Every fix of every cause, in every mail program and both languages, says where its setting is.

Issue 7: a step that changes a setting is shown as the menu path and the field label of the
person's own program (`--client`), or, without one, as the path in the three most common
programs. This walks the whole client × cause × language × server matrix and fails on any gap:
an empty `where`, an unfilled placeholder, a line in the wrong language, a line that is neither a
path nor one of the program's own reasons or notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
from test_knowledge import SAMPLE_VALUES

from maildoctor.causes import CauseCode
from maildoctor.clients import COMMON_CLIENTS, ClientField, ClientId, load_client, load_clients
from maildoctor.clients.guidance import Guidance, client_field
from maildoctor.clients.model import LANGS, SECURITY_FIELDS, Lang
from maildoctor.clients.render import (
    ARROW,
    UnsupportedField,
    field_default,
    field_note,
    field_step,
    security_words,
    unsupported_reason,
)
from maildoctor.i18n import get_translator
from maildoctor.knowledge import KNOWLEDGE, PARAMS, Step, render_finding, texts_of
from maildoctor.model import Security, ServerRole
from maildoctor.rules.base import finding

ACCOUNT = "taro@example.jp"
ANY_SERVER = "ANYSERVERNAME"  # stands for whichever server name a path shows
ROLES = ("incoming", "outgoing")
# hiragana, katakana (full- and half-width), CJK ideographs, full-width forms
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9f]")
# symbols English paths use for what the program shows as an icon: ≡ (menu), ⚙ (settings),
# − (the remove button of Mail on Mac), and typographic quotes
ENGLISH_SYMBOLS = frozenset("≡⚙−“”‘’…")
# the values a parameterised setting may take besides SAMPLE_VALUES' one, to reach every branch
FIELD_VALUES = ("username", "password", "host", "address")
SECURITY_VALUES = tuple(security.value for security in Security)


def causes_with_settings() -> list[CauseCode]:
    return [code for code in CauseCode if any(step.settings for step in KNOWLEDGE[code].fix)]


def variants(code: CauseCode, role: str) -> Iterator[dict[str, str]]:
    """The finding's parameters: every declared one from SAMPLE_VALUES, the role overridden,
    and one variant per value of `field` and of `right_security` when the cause has them."""
    base = {name: SAMPLE_VALUES[name] for name in PARAMS[code]}
    if "role" in base:
        base["role"] = role
    fields = FIELD_VALUES if "field" in base else (base.get("field"),)
    securities = SECURITY_VALUES if "right_security" in base else (base.get("right_security"),)
    for field in fields:
        for security in securities:
            params = dict(base)
            if field is not None:
                params["field"] = field
            if security is not None:
                params["right_security"] = security
            yield params


def allowed_plain_lines(client: ClientId, lang: Lang) -> frozenset[str]:
    """What a line that is not a path may be: the program's reason for lacking a setting, or
    the default / note shown beside a path (in the form guidance.where_lines gives them)."""
    translator = get_translator(lang)
    lines: set[str] = set()
    for field in ClientField:
        reason = unsupported_reason(client, field, lang)
        if reason is not None:
            lines.add(reason)
        default = field_default(client, field, lang)
        if default is not None:
            lines.add(translator.gettext("Default: {default}").format(default=default))
        note = field_note(client, field, lang)
        if note is not None:
            lines.add(translator.gettext("Note: {note}").format(note=note))
    return frozenset(lines)


def english_leftovers(line: str) -> str:
    """The characters of an English line that are neither ASCII nor the arrow or an icon symbol."""
    rest = line.replace(ACCOUNT, "").replace(ARROW, " ")
    return "".join(char for char in rest if not char.isascii() and char not in ENGLISH_SYMBOLS)


def value_shown(client: ClientId, field: ClientField, value: str, lang: Lang) -> tuple[str, ...]:
    """The texts one of which a line setting `field` to `value` must hold."""
    if field in SECURITY_FIELDS:
        try:
            return (f": {security_words(client, Security(value), lang)}",)
        except UnsupportedField as unsupported:  # the program cannot express it: the path and why
            return (f"({unsupported})",)
    return (f": {value}",)


@dataclass
class Walk:
    checked: set[tuple[ClientId | None, CauseCode, Lang]]
    steps: int
    problems: list[str]


def walk_client(client: ClientId, lang: Lang) -> Walk:
    translator = get_translator(lang)
    allowed = allowed_plain_lines(client, lang)
    walk = Walk(set(), 0, [])
    for code in causes_with_settings():
        entry = KNOWLEDGE[code]
        for role in ROLES:
            for params in variants(code, role):
                variant = f"{params.get('field', '')} {params.get('right_security', '')}"
                where = f"{client} {lang} {code} {role} {variant}"
                item = finding(code.value, ServerRole(role), params)
                rendered = render_finding(item, translator, Guidance(client, account=ACCOUNT))
                # with every parameter set every step shows, so the steps pair with the entry's
                if len(rendered.fix) != len(entry.fix) or len(rendered.where) != len(entry.fix):
                    walk.problems.append(f"{where}: {len(rendered.fix)} steps shown of {len(entry.fix)}")
                    continue
                for number, (step, lines) in enumerate(zip(entry.fix, rendered.where, strict=True), 1):
                    if not step.settings:
                        if lines:
                            walk.problems.append(f"{where} step {number}: lines for a step with no setting")
                        continue
                    walk.steps += 1
                    walk.problems += [
                        f"{where} step {number}: {problem}"
                        for problem in check_lines(client, lang, step, params, role, lines, allowed)
                    ]
            walk.checked.add((client, code, lang))
    return walk


def check_lines(
    client: ClientId,
    lang: Lang,
    step: Step,
    params: Mapping[str, str],
    role: str,
    lines: tuple[str, ...],
    allowed: frozenset[str],
) -> list[str]:
    problems: list[str] = []
    if not lines:
        return ["no line says where the setting is"]
    for line in lines:
        if "{" in line or "}" in line:
            problems.append(f"unfilled placeholder: {line!r}")
        if lang == "ja" and not JAPANESE.search(line):
            problems.append(f"no Japanese in a Japanese line: {line!r}")
        if lang == "en" and (JAPANESE.search(line) or english_leftovers(line)):
            problems.append(f"non-English characters in an English line: {line!r}")
        if ARROW not in line and line not in allowed:
            problems.append(f"neither a path nor the program's reason or note: {line!r}")
    for setting in step.settings:
        field = client_field(setting, params, role)
        if field is None:
            problems.append(f"{setting} names no field of the program")
            continue
        reason = unsupported_reason(client, field, lang)
        if reason is not None:
            if reason not in lines:
                problems.append(f"{field}: the program's reason is missing")
            continue
        # the path and label without a value; the server the program lists may be filled in or not
        bare = field_step(client, field, lang, account=ACCOUNT, server=ANY_SERVER)
        path = re.compile(re.escape(bare).replace(ANY_SERVER, ".+?"))
        if not any(path.match(line) for line in lines):
            problems.append(f"{field}: no line is its path {bare!r}: {lines!r}")
            continue
        value = params.get(setting.value) if setting.value else None
        if value and not any(
            shown in line for line in lines for shown in value_shown(client, field, value, lang)
        ):
            problems.append(f"{field}: no line shows the value {value!r}: {lines!r}")
    return problems


CASES = [pytest.param(client, lang, id=f"{client}-{lang}") for client in ClientId for lang in LANGS]


@pytest.mark.parametrize(("client", "lang"), CASES)
def test_every_setting_step_of_every_cause_has_its_place_in_the_program(client: ClientId, lang: Lang) -> None:
    walk = walk_client(client, lang)
    assert not walk.problems, "\n".join(walk.problems[:40])
    assert walk.steps > 0


def test_the_matrix_does_not_silently_shrink() -> None:
    # the floor comes from the data: every client in the data × every cause with a setting step × 2
    assert set(load_clients()) == set(ClientId)
    with_settings = causes_with_settings()
    floor = len(ClientId) * len(with_settings) * len(LANGS)
    checked: set[tuple[ClientId | None, CauseCode, Lang]] = set()
    for client in ClientId:
        for lang in LANGS:
            checked |= walk_client(client, lang).checked
    assert len(checked) >= floor
    # and the data itself cannot shrink to nothing: the causes that are about mail-program settings
    assert len(ClientId) >= 8
    assert len(with_settings) >= 20, with_settings
    assert {
        CauseCode.PORT_SECURITY_MISMATCH,
        CauseCode.SMTP_AUTH_REQUIRED,
        CauseCode.AUTH_FAILED,
        CauseCode.POP_DELETE_RISK,
        CauseCode.POP_DELETED_ELSEWHERE,
        CauseCode.SETTINGS_OUTDATED,
    } <= set(with_settings)


# ------------------------------------------------------------------ without --client


def common_names(lang: Lang) -> dict[ClientId, str]:
    separator = ": " if lang == "en" else "："
    return {client: load_client(client).name.get(lang) + separator for client in COMMON_CLIENTS}


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_client_each_setting_has_one_line_per_common_program(lang: Lang) -> None:
    translator = get_translator(lang)
    names = common_names(lang)
    others = [load_client(client).name.get(lang) for client in ClientId if client not in COMMON_CLIENTS]
    problems: list[str] = []
    combinations = 0
    for code in causes_with_settings():
        entry = KNOWLEDGE[code]
        for role in ROLES:
            for params in variants(code, role):
                item = finding(code.value, ServerRole(role), params)
                rendered = render_finding(item, translator, Guidance(None, account=ACCOUNT))
                assert len(rendered.where) == len(entry.fix), (code, role)
                for number, (step, lines) in enumerate(zip(entry.fix, rendered.where, strict=True), 1):
                    where = f"{code} {role} {params.get('field', '')} step {number}"
                    fields = {client_field(setting, params, role) for setting in step.settings}
                    fields.discard(None)
                    if step.settings and not fields:
                        problems.append(f"{where}: no field")
                    for client, name in names.items():
                        mine = [line for line in lines if line.startswith(name)]
                        if len(mine) != len(fields):
                            problems.append(f"{where}: {len(mine)} lines for {client}, {len(fields)} fields")
                    strays = [line for line in lines if not any(line.startswith(n) for n in names.values())]
                    if strays:
                        problems.append(f"{where}: lines of no common program: {strays}")
                    if any(other in line for line in lines for other in others):
                        problems.append(f"{where}: names a program that is not a common one")
                    for line in lines:
                        if "{" in line or "}" in line:
                            problems.append(f"{where}: unfilled placeholder: {line!r}")
                        if lang == "ja" and not JAPANESE.search(line):
                            problems.append(f"{where}: no Japanese: {line!r}")
                        if lang == "en" and (JAPANESE.search(line) or english_leftovers(line)):
                            problems.append(f"{where}: not English: {line!r}")
                combinations += 1
    assert not problems, "\n".join(problems[:40])
    assert combinations >= len(causes_with_settings()) * len(ROLES)


def test_the_common_programs_are_three_known_ones() -> None:
    assert len(COMMON_CLIENTS) == 3 == len(set(COMMON_CLIENTS))
    assert set(COMMON_CLIENTS) <= set(ClientId)


# ------------------------------------------------------------------ which causes name settings

ENGLISH_SETTING_WORDS = re.compile(
    r"\bport\b|\bencryption\b|\buser name\b|\bpassword\b|\bserver name\b|Leave a copy", re.IGNORECASE
)
# "サポート" (support) holds ポート; it is no port
JAPANESE_SETTING_WORDS = re.compile(
    r"(?<!サ)ポート|暗号化|ユーザー名|パスワード|サーバー名|サーバーに(?:コピーを)?残"
)

# causes whose texts use a setting word about something that is not a mail-program setting
NOT_A_PROGRAM_SETTING: Mapping[CauseCode, str] = {
    CauseCode.TLS_INTERCEPTED: (
        "“encrypted connections” is the security software's mail scan, turned off in that software"
    ),
    CauseCode.TLS_VERSION_OUTDATED: "the TLS version (暗号化) is the server's; the provider turns it on",
}


def setting_words(code: CauseCode) -> list[str]:
    ja = get_translator("ja")
    found: list[str] = []
    entry = KNOWLEDGE[code]
    for step in entry.fix:
        for text in texts_of(step):
            found += [match.group(0) for match in ENGLISH_SETTING_WORDS.finditer(text)]
            found += [match.group(0) for match in JAPANESE_SETTING_WORDS.finditer(ja.gettext(text))]
    return found


def test_setting_words_are_found_at_all() -> None:
    # the word lists below must match something, or the next test would pass vacuously
    assert "port" in setting_words(CauseCode.PORT_CLOSED)
    assert "ポート" in setting_words(CauseCode.PORT_CLOSED)
    assert "Leave a copy" in setting_words(CauseCode.POP_DELETED_ELSEWHERE)
    assert not setting_words(CauseCode.SERVER_OUTAGE)  # "support", "サポート" are no port


@pytest.mark.parametrize("code", list(CauseCode))
def test_a_cause_that_talks_about_a_setting_shows_where_it_is(code: CauseCode) -> None:
    words = setting_words(code)
    has_settings = any(step.settings for step in KNOWLEDGE[code].fix)
    if code in NOT_A_PROGRAM_SETTING:
        assert words, f"{code} no longer names a setting: drop it from NOT_A_PROGRAM_SETTING"
        assert not has_settings, f"{code} now has settings: drop it from NOT_A_PROGRAM_SETTING"
        return
    if words:
        assert has_settings, f"{code} mentions {sorted(set(words))} but no fix step names a setting"
