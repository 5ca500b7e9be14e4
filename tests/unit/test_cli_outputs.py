"""Issue 12 items 7 and 10 through the command line: option checks, dead ends, outputs that would not work."""

# ruff: noqa: F811 -- the tests take the imported `cli` fixture as their argument

from __future__ import annotations

import json
import plistlib
from pathlib import Path

import pytest
from test_cli import CliRunner, cli  # noqa: F401 -- the `cli` fixture of the other CLI tests

from maildoctor.cli.app import MAX_TIMEOUT
from maildoctor.cli.settings_dead_end import NothingFound, suggested_address, why_nothing_found
from maildoctor.discover.engine import DiscoveryFacts
from maildoctor.discover.mx import MxResult, order_mx
from maildoctor.export.oauth2 import SignInFamily, sign_in_family
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.lint.domain_input import domain_of_input

OFFLINE = ("--dns", "127.0.0.1:9")  # nothing listens there: every lookup fails at once


def _command(name: str) -> list[str]:
    return {"check": ["check", "taro@example.jp"], "settings": ["settings", "taro@example.jp"]}.get(
        name, ["domain", "example.jp"]
    )


@pytest.mark.parametrize("command", ["check", "settings", "domain"])
@pytest.mark.parametrize("value", ["0", "-1", "-0.5", "nan", "inf", "1e9", str(int(MAX_TIMEOUT) + 1), "abc"])
def test_a_timeout_that_cannot_be_one_is_a_usage_error(cli: CliRunner, command: str, value: str) -> None:
    run = cli(*_command(command), "--timeout", value, "--lang", "en")
    assert run.code == 2
    assert "--timeout takes the time limit in seconds" in run.output
    assert f"“{value}”" in run.output
    japanese = cli(*_command(command), f"--timeout={value}", "--lang", "ja")
    assert japanese.code == 2
    assert "--timeout には制限時間を秒で" in japanese.output


@pytest.mark.parametrize(
    ("option", "url", "english", "japanese"),
    [
        ("--incoming", "smtps://smtp.example.jp", "is a sending (SMTP) server", "送信用（SMTP）のサーバー"),
        ("--incoming", "smtp+starttls://smtp.example.jp:587", "imaps://, imap+starttls://", "pop3s://"),
        ("--outgoing", "imaps://imap.example.jp", "is a receiving (IMAP or POP3) server", "受信用"),
        ("--outgoing", "pop3://pop.example.jp", "smtps://, smtp+starttls://, smtp://", "smtp+starttls://"),
    ],
)
@pytest.mark.parametrize("command", ["check", "settings"])
def test_a_server_url_of_the_other_side_is_a_usage_error(
    cli: CliRunner, command: str, option: str, url: str, english: str, japanese: str
) -> None:
    run = cli(command, "taro@example.jp", option, url, "--lang", "en")
    assert run.code == 2
    assert english in run.output
    assert url in run.output
    run = cli(command, "taro@example.jp", option, url, "--lang", "ja")
    assert run.code == 2
    assert japanese in run.output


def test_no_command_is_marked_not_yet_in_the_help(cli: CliRunner) -> None:
    # issue 15: `web` was the last command marked so; it serves the browser interface now
    for lang, mark, web in (
        ("en", "(Not available yet.)", "web browser"),
        ("ja", "（まだ使えません）", "ブラウザー"),
    ):
        run = cli("--help", "--lang", lang)
        lines = {line.split()[1]: line for line in run.stdout.splitlines() if line.startswith("│ ")}
        assert web in lines["web"]
        assert not any(mark in line for line in lines.values())


def test_settings_json_is_format_json(cli: CliRunner) -> None:
    alias = cli("settings", "taro@outlook.jp", "--json", *OFFLINE, "--timeout", "1")
    named = cli("settings", "taro@outlook.jp", "--format", "json", *OFFLINE, "--timeout", "1")
    assert alias.code == named.code == 0
    assert json.loads(alias.stdout) == json.loads(named.stdout)
    assert json.loads(alias.stdout)["schema"] == "maildoctor.settings/1"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_settings_json_with_another_format_is_a_usage_error(cli: CliRunner, lang: str) -> None:
    run = cli("settings", "taro@outlook.jp", "--json", "--format", "sheet", "--lang", lang)
    assert run.code == 2
    assert "--format json" in run.output
    assert "--format sheet" in run.output


@pytest.mark.parametrize(("lang", "words"), [("en", "Did you mean"), ("ja", "のことではありませんか")])
def test_settings_says_why_an_address_is_not_one_and_suggests_the_right_one(
    cli: CliRunner, lang: str, words: str
) -> None:
    run = cli("settings", "taro＠gmail.com", "--lang", lang)
    assert run.code == 2
    assert words in run.stderr
    assert "  maildoctor settings taro@gmail.com\n" in run.stderr
    assert "＠" in run.stderr  # the sentence about the full-width at sign


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_settings_for_a_mistyped_provider_domain_suggests_it_and_says_what_next(
    cli: CliRunner, lang: str
) -> None:
    # whether the quick "is any DNS server answering" stop or the search's own time limit comes
    # first (a loaded machine), the words are the same: no memo for the provider when the cause is
    # this computer's connection
    said = set()
    for timeout in ("1", "5"):
        run = cli("settings", "taro@gmial.com", *OFFLINE, "--timeout", timeout, "--lang", lang)
        assert run.code == 3  # no DNS answer at all: the search could not run
        assert "  maildoctor settings taro@gmail.com\n" in run.stderr
        assert "--memo" not in run.stderr
        assert ("DNS server answered" if lang == "en" else "DNSサーバーから応答がなく") in run.stderr
        said.add(run.stderr)
    assert len(said) == 1


def _facts(outcome: DnsOutcome, answers: tuple[str, ...] = ()) -> DiscoveryFacts:
    records, null = order_mx(answers)
    mx = MxResult("example.jp", DnsLookup("example.jp", "MX", outcome, answers), records, null)
    return DiscoveryFacts(None, None, mx, provider_by_domain=False, provider_by_mx=False)


@pytest.mark.parametrize(
    ("outcome", "answers", "expected"),
    [
        (DnsOutcome.TIMEOUT, (), NothingFound.NO_DNS_ANSWER),
        (DnsOutcome.SERVFAIL, (), NothingFound.NO_DNS_ANSWER),
        (DnsOutcome.NXDOMAIN, (), NothingFound.NO_SUCH_DOMAIN),
        (DnsOutcome.NODATA, (), NothingFound.NO_MAIL_SERVERS),
        (DnsOutcome.OK, ("0 .",), NothingFound.NO_MAIL_SERVERS),
        (DnsOutcome.OK, ("10 mx.example.jp.",), NothingFound.NOTHING_KNOWN),
    ],
)
def test_why_nothing_was_found(outcome: DnsOutcome, answers: tuple[str, ...], expected: NothingFound) -> None:
    assert why_nothing_found(_facts(outcome, answers)) is expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("taro@gmial.com", "taro@gmail.com"),
        ("taro@docomo.ne.jo", "taro@docomo.ne.jp"),
        ("taro＠gmail.com", "taro@gmail.com"),
        ("taro@gmail.com", None),
        ("taro@example.jp", None),
    ],
)
def test_suggested_address(address: str, expected: str | None) -> None:
    assert suggested_address(address, {"gmail.com", "docomo.ne.jp", "outlook.jp"}) == expected


@pytest.mark.parametrize(
    ("text", "domain", "changed"),
    [
        ("https://www.example.com/", "example.com", True),
        ("http://mail.example.jp:8080/path?q=1", "mail.example.jp", True),
        ("mailto:taro@example.jp?subject=hello", "example.jp", True),
        ("taro@example.jp", "example.jp", True),
        ("EXAMPLE.JP.", "example.jp", False),
        ("example.jp", "example.jp", False),
        ("ｅｘａｍｐｌｅ．ｊｐ", "example.jp", True),
        ("日本.jp", "xn--wgv71a.jp", True),
        ("www.example.co.jp", "example.co.jp", True),
        ("example", None, False),
        ("foo bar.jp", None, False),
        ("https://", None, False),
        ("a..b.jp", None, False),
    ],
)
def test_domain_of_input(text: str, domain: str | None, changed: bool) -> None:
    got = domain_of_input(text)
    assert (got.domain, got.changed) == (domain, changed)


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Checking the domain example.com"), ("ja", "ドメイン example.com を調べます")]
)
def test_domain_takes_a_web_address_and_says_which_domain(cli: CliRunner, lang: str, words: str) -> None:
    run = cli("domain", "https://www.example.com/", *OFFLINE, "--timeout", "1", "--lang", lang)
    assert run.code == 3  # offline here; the point is which domain was asked about
    assert words in run.stderr


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_domain_refuses_what_names_no_domain(cli: CliRunner, lang: str) -> None:
    run = cli("domain", "not-a-domain", "--lang", lang)
    assert run.code == 2
    assert "example.jp" in run.stderr


@pytest.mark.parametrize(
    ("lang", "refused", "path"),
    [
        (
            "en",
            "No iPhone profile was made",
            "Settings → Apps → Mail → Mail Accounts → Add Account → Outlook.com",
        ),
        (
            "ja",
            "プロファイルは作りませんでした",
            "設定 → アプリ → メール → メールアカウント → アカウントを追加 → Outlook.com",
        ),
    ],
)
def test_no_password_profile_for_an_account_that_signs_in_only_with_oauth2(
    cli: CliRunner, tmp_path: Path, lang: str, refused: str, path: str
) -> None:
    target = tmp_path / "outlook.mobileconfig"
    run = cli(
        "settings", "taro@outlook.jp", "--format", "mobileconfig", "--output", str(target),
        *OFFLINE, "--timeout", "1", "--lang", lang,
    )  # fmt: skip
    assert run.code == 1  # the account is what it is: nothing that would work can be written
    assert not target.exists()
    assert run.stdout == ""
    assert refused in run.stderr
    assert path in " ".join(run.stderr.split())


def test_a_password_profile_is_still_made_where_a_password_works(cli: CliRunner) -> None:
    run = cli("settings", "taro@gmail.com", "--format", "mobileconfig", *OFFLINE, "--timeout", "1")
    assert run.code == 0
    assert plistlib.loads(run.stdout.encode())["PayloadContent"][0]["EmailAddress"] == "taro@gmail.com"


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Add Account → Outlook.com"), ("ja", "アカウントを追加 → Outlook.com")]
)
def test_the_table_and_the_memo_say_what_works_for_oauth2(cli: CliRunner, lang: str, words: str) -> None:
    table = cli("settings", "taro@outlook.jp", *OFFLINE, "--timeout", "1", "--lang", lang)
    assert table.code == 0
    assert words in "".join(line.strip("│ ") for line in table.stdout.splitlines())
    memo = cli("settings", "taro@outlook.jp", "--memo", *OFFLINE, "--timeout", "1", "--lang", lang)
    assert memo.stdout.count(words) == 1  # the same note for both servers, said once


@pytest.mark.parametrize(
    ("client", "lang", "words"),
    [
        ("thunderbird", "en", "Server Settings → Authentication method"),
        ("thunderbird", "ja", "サーバー設定 → 認証方式"),
        ("iphone", "en", "Add Account → Microsoft Exchange, Outlook.com or Google"),
    ],
)
def test_with_a_client_an_oauth2_account_is_added_through_its_sign_in_first(
    cli: CliRunner, client: str, lang: str, words: str
) -> None:
    run = cli("settings", "taro@outlook.jp", "--client", client, *OFFLINE, "--timeout", "1", "--lang", lang)
    assert run.code == 0
    flat = " ".join(run.stdout.split())
    assert words in flat
    # the provider's sign-in comes before the servers to type
    assert flat.index(words) < flat.rindex("outlook.office365.com")


def test_with_a_client_a_password_account_gets_only_the_servers(cli: CliRunner) -> None:
    run = cli(
        "settings", "taro@gmail.com", "--client", "thunderbird", *OFFLINE, "--timeout", "1", "--lang", "en"
    )
    assert run.code == 0
    assert (
        "Authentication method"
        not in " ".join(run.stdout.split()).split("In Thunderbird")[1].split("SMTP")[0]
    )
    assert "sign-in" not in run.stdout


@pytest.mark.parametrize(
    ("host", "family"),
    [
        ("outlook.office365.com", SignInFamily.MICROSOFT),
        ("smtp-mail.outlook.com", SignInFamily.MICROSOFT),
        ("imap.gmail.com", SignInFamily.GOOGLE),
        ("imap.mail.yahoo.com", SignInFamily.OTHER),
        ("notoutlook.com", SignInFamily.OTHER),
    ],
)
def test_sign_in_family(host: str, family: SignInFamily) -> None:
    assert sign_in_family(host) is family


@pytest.mark.parametrize(
    ("lang", "port_110", "port_25", "fullwidth", "outdated"),
    [
        (
            "en",
            "Incoming mail server: port 110 without encryption",
            "Outgoing mail server: port 25 without encryption",
            "full-width characters",
            "The server settings are old ones the provider replaced",
        ),
        ("ja", "ポート 110 で、暗号化なし", "ポート 25 で、暗号化なし", "全角", "古いもの"),
    ],
)
def test_the_memo_flags_what_is_plainly_wrong_in_what_was_typed_once_each(
    cli: CliRunner, lang: str, port_110: str, port_25: str, fullwidth: str, outdated: str
) -> None:
    run = cli(
        "settings", "taro@outlook.jp", "--memo", "--incoming", "pop3://pop3.live.com:110",
        "--outgoing", "smtp://smtp.live.com:25", "--user", "ｔａｒｏ",
        *OFFLINE, "--timeout", "1", "--lang", lang,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    memo = run.stdout
    for point in (port_110, port_25, fullwidth):
        assert point in memo
    assert memo.count(outdated) == 1  # both old server names under one title
    assert "pop3.live.com" in memo.split(outdated)[1]
    assert "smtp.live.com" in memo.split(outdated)[1]
    lines = [line.strip() for line in memo.splitlines() if line.strip() and set(line.strip()) != {"="}]
    assert len(lines) == len(set(lines)), "a line of the memo is there twice"


def test_the_memo_leaves_encrypted_or_already_diagnosed_ports_alone(cli: CliRunner) -> None:
    run = cli(
        "settings", "taro@outlook.jp", "--memo", "--incoming", "imaps://outlook.office365.com",
        "--outgoing", "smtp://smtp-mail.outlook.com:465", *OFFLINE, "--timeout", "1", "--lang", "en",
    )  # fmt: skip
    assert "without encryption" not in run.stdout  # 465 without SSL is a mismatch, said by the diagnosis
    assert "What looks wrong in the typed settings" not in run.stdout


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Add Account → Outlook.com"), ("ja", "アカウントを追加 → Outlook.com")]
)
def test_the_html_sheet_says_what_works_for_oauth2(
    cli: CliRunner, tmp_path: Path, lang: str, words: str
) -> None:
    target = tmp_path / "sheet.html"
    run = cli(
        "settings", "taro@outlook.jp", "--format", "sheet", "--output", str(target),
        *OFFLINE, "--timeout", "1", "--lang", lang,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert words in target.read_text(encoding="utf-8")
