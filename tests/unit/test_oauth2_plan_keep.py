"""Where `check --oauth2` signs in (oauth2_plan) and what --keep-token keeps (oauth2_keep): pure parts."""

from __future__ import annotations

import pytest

from maildoctor.cli.oauth2_keep import entry_name, make_entry, parse_entry
from maildoctor.cli.oauth2_plan import (
    GOOGLE_NOT_YET,
    MICROSOFT_SCOPE,
    SignInPlan,
    authority_error,
    sign_in_plan,
)
from maildoctor.protocol.oauth_device import BearerToken


@pytest.mark.parametrize(
    ("provider", "tenant", "guessed"),
    [
        ("microsoft365", "organizations", False),
        ("outlook-com", "consumers", False),
        (None, "organizations", True),
    ],
)
def test_microsoft_accounts_sign_in_at_their_tenant(provider: str | None, tenant: str, guessed: bool) -> None:
    plan = sign_in_plan(provider, None, None)
    assert isinstance(plan, SignInPlan)
    base = f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0"
    assert (plan.device_endpoint, plan.token_endpoint) == (f"{base}/devicecode", f"{base}/token")
    assert plan.scope == MICROSOFT_SCOPE and "IMAP.AccessAsUser.All" in plan.scope and plan.guessed is guessed


def test_google_is_not_yet_and_an_authority_given_wins() -> None:
    assert sign_in_plan("gmail", None, None) == GOOGLE_NOT_YET
    plan = sign_in_plan("gmail", "https://127.0.0.1:8443/oauth2/", "mail")
    assert plan == SignInPlan("https://127.0.0.1:8443/oauth2", "mail")


@pytest.mark.parametrize(
    ("url", "ok"),
    [("https://login.example.jp/oauth2", True), ("http://login.example.jp", False), ("https://x/a?b", False)],
)
def test_an_authority_must_be_https(url: str, ok: bool) -> None:
    assert (authority_error(url) is None) is ok


def test_a_kept_entry_is_used_only_while_it_is_good() -> None:
    entry = make_entry(BearerToken("tok-123"), 600, now=1000)
    assert parse_entry(entry, now=1000) == BearerToken("tok-123")
    assert parse_entry(entry, now=1000 + 600 - 30) is None  # too close to its end
    assert parse_entry(make_entry(BearerToken("t"), None, now=0), now=3000) == BearerToken("t")  # an hour
    for broken in (None, "", "[]", "{", '{"access_token": 1, "expires_at": 9e12}', "x" * 20000):
        assert parse_entry(broken, now=0) is None


def test_entries_are_per_server_application_and_address() -> None:
    names = {
        entry_name("https://a", "c1", "Taro@Example.jp"),
        entry_name("https://a", "c1", "taro@example.jp"),
        entry_name("https://b", "c1", "taro@example.jp"),
        entry_name("https://a", "c2", "taro@example.jp"),
    }
    assert len(names) == 3
