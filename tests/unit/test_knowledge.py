"""The knowledge base covers every cause and renders findings into plain Japanese and English."""

import pytest

from maildoctor.causes import CAUSES, CauseCode
from maildoctor.i18n import Translator, get_translator
from maildoctor.knowledge import (
    KNOWLEDGE,
    LAYER_NAMES,
    PARAMS,
    VERDICT_HEADLINES,
    RenderedFinding,
    Step,
    layer_name,
    placeholders,
    render_finding,
    texts_of,
    translate_value,
    verdict_headline,
)
from maildoctor.model import Finding, Layer, ServerRole, Verdict

JA, EN = get_translator("ja"), get_translator("en")
LANGUAGES = pytest.mark.parametrize("translator", [JA, EN], ids=["ja", "en"])

# a value for every parameter the engine sets; no value contains a brace
SAMPLE_VALUES = {
    "sign_in_again": "maildoctor check … --oauth2",
    "permission": "IMAP.AccessAsUser.All",
    "blocked_protocol": "IMAP",
    "unlicensed_protocol": "POP",
    "role": "outgoing",
    "field": "password",
    "value_marked": "ta[r]o",
    "positions": "3",
    "kinds": "full-width",
    "address_marked": "taro@@example.jp",
    "problem": "two @",
    "suggestion": "mail.example.jp",
    "typed_username": "taro",
    "right_username": "taro@example.jp",
    "typed_host": "pop.example.jp",
    "right_host": "imap.example.jp",
    "right_port": "587",
    "right_security": "starttls",
    "host": "smtp.example.jp",
    "domain": "example.jp",
    "rcode": "NXDOMAIN",
    "expires": "2026-12-31",
    "port": "465",
    "typed_security": "ssl",
    "cert_names": "sv1234.example.ne.jp",
    "suggested_host": "sv1234.example.ne.jp",
    "not_after": "2026-01-31",
    "issuer": "Example Antivirus Root",
    "product": "Example Antivirus",
    "version": "TLS 1.0",
    "cipher": "AES128-GCM-SHA256",
    "username": "taro@example.jp",
    "provider": "Gmail",
    "password_page": "https://myaccount.google.com/apppasswords",
    "offered": "CRAM-MD5",
    "address": "hanako@example.jp",
    "recipient": "jiro@example.jp",
    "used": "1.9 GB",
    "limit": "2 GB",
    "percent": "95",
    "record": "v=spf1 -all",
    "option": "incoming",
    "suggested_record": "v=spf1 mx -all",
    "url": "imaps://mail.example.net:993",
}


def finding(code: CauseCode, server: ServerRole = ServerRole.INPUT, **params: str) -> Finding:
    cause = CAUSES[code]
    return Finding(
        cause=code.value,
        severity=cause.severity,
        layer=cause.layer,
        server=server,
        params=tuple(params.items()),
    )


def full_finding(code: CauseCode) -> Finding:
    return finding(code, **{name: SAMPLE_VALUES[name] for name in PARAMS[code]})


def all_steps(code: CauseCode) -> list[Step]:
    entry = KNOWLEDGE[code]
    return [*entry.fix, *([entry.do_not] if entry.do_not else [])]


# ------------------------------------------------------------------ the data


def test_knowledge_covers_exactly_the_cause_codes() -> None:
    assert set(KNOWLEDGE) == set(CauseCode) == set(CAUSES)
    assert set(PARAMS) == set(CauseCode)


@pytest.mark.parametrize("code", list(CauseCode))
def test_every_placeholder_is_a_declared_param(code: CauseCode) -> None:
    declared = set(PARAMS[code])
    for step in all_steps(code):
        for text in texts_of(step):
            assert placeholders(text) <= declared, (code, text)


@pytest.mark.parametrize("code", list(CauseCode))
def test_every_cause_has_a_title_and_a_step(code: CauseCode) -> None:
    assert CAUSES[code].title
    assert KNOWLEDGE[code].fix
    assert any(
        placeholders(text) <= set(PARAMS[code]) for step in KNOWLEDGE[code].fix for text in texts_of(step)
    )


def test_declared_params_are_known_to_the_sample() -> None:
    # keeps SAMPLE_VALUES complete, so the render tests below fill in every placeholder
    for params in PARAMS.values():
        assert set(params) <= set(SAMPLE_VALUES)
        assert len(set(params)) == len(params)


@pytest.mark.parametrize(
    "code",
    [
        CauseCode.AUTH_FAILED,
        CauseCode.ACCOUNT_LOCKED,
        CauseCode.SERVER_OUTAGE,
        CauseCode.MAILBOX_FULL,
        CauseCode.TLS_INTERCEPTED,
        CauseCode.PORT_BLOCKED,
    ],
)
def test_do_not_lines_where_the_spec_asks_for_them(code: CauseCode) -> None:
    assert KNOWLEDGE[code].do_not is not None
    for translator in (JA, EN):
        rendered = render_finding(finding(code), translator)
        assert rendered.do_not


def test_every_text_is_translated_into_japanese() -> None:
    texts = {text for code in CauseCode for step in all_steps(code) for text in texts_of(step)}
    texts |= set(LAYER_NAMES.values()) | set(VERDICT_HEADLINES.values())
    untranslated = sorted(text for text in texts if JA.gettext(text) == text)
    assert not untranslated


# ------------------------------------------------------------------ rendering


@LANGUAGES
@pytest.mark.parametrize("code", list(CauseCode))
def test_full_render_leaves_no_placeholder(code: CauseCode, translator: Translator) -> None:
    rendered = render_finding(full_finding(code), translator)
    assert isinstance(rendered, RenderedFinding)
    assert rendered.title == translator.gettext(CAUSES[code].title)
    assert rendered.fix
    for text in (rendered.title, *rendered.fix, rendered.do_not or ""):
        assert "{" not in text and "}" not in text, text


@LANGUAGES
@pytest.mark.parametrize("code", list(CauseCode))
def test_every_cause_has_advice_even_without_params(code: CauseCode, translator: Translator) -> None:
    rendered = render_finding(finding(code), translator)
    assert rendered.fix
    for text in rendered.fix:
        assert "{" not in text, text


def test_full_render_shows_the_exact_step_and_not_its_stand_ins() -> None:
    rendered = render_finding(full_finding(CauseCode.USERNAME_FORM), EN)
    assert "Change the user name from taro to taro@example.jp." in rendered.fix
    assert "Change the user name to taro@example.jp." not in rendered.fix


def test_a_step_with_a_missing_param_is_hidden() -> None:
    without_port = finding(CauseCode.SETTINGS_OUTDATED, right_host="imap.example.jp", right_security="ssl")
    fix = render_finding(without_port, EN).fix
    assert not any("port" in step for step in fix)
    assert "Set the encryption to SSL/TLS." in fix
    with_port = finding(CauseCode.SETTINGS_OUTDATED, right_host="imap.example.jp", right_port="993")
    fix = render_finding(with_port, EN).fix
    assert "Set the port number to 993." in fix
    assert not any("encryption" in step for step in fix)


def test_an_empty_param_counts_as_missing() -> None:
    fix = render_finding(finding(CauseCode.SETTINGS_OUTDATED, right_port=""), EN).fix
    assert not any("port number to" in step for step in fix)


def test_a_missing_param_falls_back_to_a_plainer_step() -> None:
    exact = render_finding(finding(CauseCode.PORT_CLOSED, port="110", right_port="995"), JA).fix
    assert "ポート番号を 110 から 995 に変更します。" in exact
    only_right = render_finding(finding(CauseCode.PORT_CLOSED, right_port="995"), JA).fix
    assert "ポート番号を 995 に変更します。" in only_right
    neither = render_finding(finding(CauseCode.PORT_CLOSED), JA).fix
    assert any("プロバイダーの案内" in step for step in neither)


def test_port_security_mismatch_names_port_and_encryption_in_japanese() -> None:
    rendered = render_finding(
        finding(
            CauseCode.PORT_SECURITY_MISMATCH,
            role="outgoing",
            port="465",
            right_port="587",
            right_security="starttls",
        ),
        JA,
    )
    text = "\n".join(rendered.fix)
    assert "587" in text and "STARTTLS" in text
    assert "ポート番号を 465 から 587 に、暗号化を「STARTTLS」に変更します。" in rendered.fix
    assert "メールソフトで送信サーバーの設定を開きます。" in rendered.fix


def test_values_that_are_not_translated_are_inserted_verbatim() -> None:
    rendered = render_finding(finding(CauseCode.HOST_NOT_FOUND, host="imap.exmaple.jp"), JA)
    assert "サーバー名「imap.exmaple.jp」に打ち間違いがないか確認します。" in rendered.fix


# ------------------------------------------------------------------ translated values


@pytest.mark.parametrize(
    ("name", "value", "japanese", "english"),
    [
        ("role", "incoming", "受信サーバー", "incoming server"),
        ("role", "outgoing", "送信サーバー", "outgoing server"),
        ("role", "domain", "ドメイン", "domain"),
        ("role", "input", "入力した設定", "typed settings"),
        ("right_security", "ssl", "SSL/TLS", "SSL/TLS"),
        ("right_security", "starttls", "STARTTLS", "STARTTLS"),
        ("right_security", "none", "なし", "None"),
        ("typed_security", "none", "なし", "None"),
        ("security", "ssl", "SSL/TLS", "SSL/TLS"),
        ("field", "username", "ユーザー名", "user name"),
        ("field", "password", "パスワード", "password"),
        ("field", "host", "サーバー名", "server name"),
        ("field", "address", "メールアドレス", "email address"),
        ("host", "incoming", "incoming", "incoming"),  # only the named params are translated
        ("role", "somewhere", "somewhere", "somewhere"),  # an unknown value stays as it is
    ],
)
def test_translate_value(name: str, value: str, japanese: str, english: str) -> None:
    assert translate_value(name, value, JA) == japanese
    assert translate_value(name, value, EN) == english


def test_role_security_and_field_are_translated_in_the_render() -> None:
    rendered = render_finding(
        finding(CauseCode.PORT_CLOSED, role="incoming", host="imap.example.jp", right_security="ssl"), JA
    )
    assert "メールソフトで受信サーバー（サーバー名「imap.example.jp」）の設定を開きます。" in rendered.fix
    assert "暗号化を「SSL/TLS」にします。" in rendered.fix
    none = render_finding(finding(CauseCode.SETTINGS_OUTDATED, right_security="none"), JA)
    assert "暗号化を「なし」にします。" in none.fix
    typo = render_finding(finding(CauseCode.CREDENTIAL_TYPO_RISK, field="username", role="outgoing"), JA)
    assert "メールソフトで送信サーバーの設定を開き、ユーザー名を手で入力し直します。" in typo.fix
    english = render_finding(finding(CauseCode.CREDENTIAL_TYPO_RISK, field="host"), EN)
    assert "In the mail program, type the server name again by hand." in english.fix


def test_role_defaults_to_the_findings_server() -> None:
    rendered = render_finding(finding(CauseCode.USERNAME_FORM, server=ServerRole.INCOMING), JA)
    assert "メールソフトで受信サーバーの設定を開きます。" in rendered.fix
    explicit = render_finding(
        finding(CauseCode.USERNAME_FORM, server=ServerRole.INCOMING, role="outgoing"), EN
    )
    assert "In the mail program, open the outgoing server settings." in explicit.fix
    no_server = render_finding(finding(CauseCode.USERNAME_FORM, server=ServerRole.INPUT), EN)
    assert "In the mail program, open the account settings." in no_server.fix


def test_unknown_cause_renders_as_its_code() -> None:
    unknown = Finding(
        cause="FROM_A_NEWER_VERSION",
        severity=CAUSES[CauseCode.AUTH_FAILED].severity,
        layer=Layer.AUTH,
        server=ServerRole.INCOMING,
    )
    assert render_finding(unknown, JA) == RenderedFinding(title="FROM_A_NEWER_VERSION", fix=(), do_not=None)


def test_findings_render_in_either_language() -> None:
    stored = full_finding(CauseCode.AUTH_FAILED)
    japanese, english = render_finding(stored, JA), render_finding(stored, EN)
    assert japanese.title == "ユーザー名またはパスワードが間違っています"
    assert english.title == "The user name or password is wrong"
    assert japanese.do_not and "ロック" in japanese.do_not
    assert english.do_not and "locked" in english.do_not


# ------------------------------------------------------------------ layers and verdicts


def test_layer_names() -> None:
    assert set(LAYER_NAMES) == set(Layer)
    for layer in Layer:
        assert layer_name(layer, EN)
        assert layer_name(layer, JA) != layer_name(layer, EN)
    assert layer_name(Layer.TLS, JA) == "暗号化"


def test_verdict_headlines() -> None:
    assert set(VERDICT_HEADLINES) == set(Verdict)
    assert verdict_headline(Verdict.OK, EN) == "No problems found"
    assert verdict_headline(Verdict.PROBLEMS, EN) == "Problems found"
    assert verdict_headline(Verdict.INCOMPLETE, EN) == "The diagnosis could not finish"
    assert verdict_headline(Verdict.OK, JA) == "問題は見つかりませんでした"
    assert verdict_headline(Verdict.PROBLEMS, JA) == "問題が見つかりました"
    assert verdict_headline(Verdict.INCOMPLETE, JA) == "診断を最後まで行えませんでした"


def test_a_change_from_a_value_to_the_same_value_is_not_said() -> None:
    item = finding(
        CauseCode.PORT_SECURITY_MISMATCH,
        ServerRole.INCOMING,
        role="incoming",
        host="imap.example.jp",
        port="993",
        typed_security="starttls",
        right_port="993",
        right_security="ssl",
    )
    for lang in ("ja", "en"):
        fix = render_finding(item, get_translator(lang)).fix
        assert not any("993 から 993" in step or "from 993 to 993" in step for step in fix), fix
        assert any("993" in step and "SSL/TLS" in step for step in fix), fix
