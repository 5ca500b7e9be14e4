"""The nft text for the lab's namespace firewalls (pure: nothing is run)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from maildoctor_lab.netns import (
    BOOTSTRAP_FAILED,
    TABLE_NAME,
    FirewallRule,
    netns_argv,
    nft_ruleset,
    rules_from_json,
    rules_to_json,
)


def test_drop_and_reject() -> None:
    assert nft_ruleset([FirewallRule(10587, "drop"), FirewallRule(10993, "reject")]) == (
        "table inet maildoctor_lab {\n"
        "\tchain input {\n"
        "\t\ttype filter hook input priority filter; policy accept;\n"
        "\t\ttcp dport 10587 tcp flags syn / syn,ack drop\n"
        "\t\ttcp dport 10993 tcp flags syn / syn,ack reject with tcp reset\n"
        "\t}\n"
        "}\n"
    )


def test_no_rules_is_an_empty_accepting_chain() -> None:
    text = nft_ruleset([])
    assert "policy accept;" in text
    assert "dport" not in text
    assert text.count("{") == text.count("}") == 2


def test_rules_keep_their_order() -> None:
    rules = [FirewallRule(port, "drop" if port % 2 else "reject") for port in (1, 2, 3, 4)]
    lines = [line.strip() for line in nft_ruleset(rules).splitlines() if "dport" in line]
    assert lines == [
        "tcp dport 1 tcp flags syn / syn,ack drop",
        "tcp dport 2 tcp flags syn / syn,ack reject with tcp reset",
        "tcp dport 3 tcp flags syn / syn,ack drop",
        "tcp dport 4 tcp flags syn / syn,ack reject with tcp reset",
    ]


@pytest.mark.parametrize(
    ("rule", "statement"),
    [
        (
            FirewallRule(587, "drop", host="127.0.0.2"),
            "ip daddr 127.0.0.2 tcp dport 587 tcp flags syn / syn,ack drop",
        ),
        (
            FirewallRule(993, "reject", host="::1"),
            "ip6 daddr ::1 tcp dport 993 tcp flags syn / syn,ack reject with tcp reset",
        ),
        (
            FirewallRule(25, "drop", host="127.0.0.0/8"),
            "ip daddr 127.0.0.0/8 tcp dport 25 tcp flags syn / syn,ack drop",
        ),
        (
            FirewallRule(25, "drop", host="127.0.0.9/8"),
            "ip daddr 127.0.0.0/8 tcp dport 25 tcp flags syn / syn,ack drop",
        ),
        (FirewallRule(53, "drop", protocol="udp"), "udp dport 53 drop"),
        (
            FirewallRule(53, "reject", protocol="udp"),
            "udp dport 53 reject with icmpx type port-unreachable",
        ),
        (
            FirewallRule(5353, "reject", host="127.0.0.53", protocol="udp"),
            "ip daddr 127.0.0.53 udp dport 5353 reject with icmpx type port-unreachable",
        ),
    ],
)
def test_statement(rule: FirewallRule, statement: str) -> None:
    assert rule.nft_statement() == statement
    assert f"\t\t{statement}\n" in nft_ruleset([rule])


def test_only_our_own_table_is_defined() -> None:
    text = nft_ruleset([FirewallRule(1, "drop")])
    assert text.startswith(f"table inet {TABLE_NAME} {{\n")
    assert "flush" not in text
    assert "delete" not in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"port": 0, "action": "drop"}, "port"),
        ({"port": 65536, "action": "drop"}, "port"),
        ({"port": True, "action": "drop"}, "port"),
        ({"port": "25", "action": "drop"}, "port"),
        ({"port": 25, "action": "deny"}, "action"),
        ({"port": 25, "action": "drop", "protocol": "sctp"}, "protocol"),
        ({"port": 25, "action": "drop", "host": "localhost"}, "host"),
        ({"port": 25, "action": "drop", "host": "127.0.0.1; flush ruleset"}, "host"),
    ],
)
def test_invalid_rules_are_refused(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FirewallRule(**arguments)  # type: ignore[arg-type]


def test_json_round_trip() -> None:
    rules = [
        FirewallRule(10587, "drop"),
        FirewallRule(10993, "reject", host="::1"),
        FirewallRule(53, "reject", host="127.0.0.1", protocol="udp"),
    ]
    assert rules_from_json(rules_to_json(rules)) == rules
    assert rules_from_json('[{"port": 25, "action": "drop"}]') == [FirewallRule(25, "drop")]
    with pytest.raises(ValueError, match="unknown"):
        rules_from_json('[{"port": 25, "action": "drop", "chain": "input"}]')
    with pytest.raises(TypeError):
        rules_from_json('{"port": 25}')


def test_netns_argv() -> None:
    rules = [FirewallRule(10587, "drop")]
    argv = netns_argv(["python3", "-c", "print(1)"], rules)
    assert argv[0] == "unshare"
    assert {"--net", "--pid", "--fork", "--kill-child"} <= set(argv[: argv.index("--")])
    bootstrap = argv[argv.index("--") + 1 :]
    assert bootstrap[:3] == [sys.executable, "-m", "maildoctor_lab.netns"]
    assert rules_from_json(bootstrap[bootstrap.index("--rules") + 1]) == rules
    assert bootstrap[-4:] == ["--", "python3", "-c", "print(1)"]
    with pytest.raises(ValueError, match="no command"):
        netns_argv([], rules)


def test_bootstrap_prints_the_ruleset() -> None:
    """The bootstrap's own command line, without a namespace: --print-ruleset only prints."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "maildoctor_lab.netns",
            "--print-ruleset",
            "--rules",
            rules_to_json([FirewallRule(7, "drop")]),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stdout == nft_ruleset([FirewallRule(7, "drop")])


def test_bootstrap_refuses_bad_rules_before_touching_anything() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "maildoctor_lab.netns",
            "--rules",
            '[{"port": 0, "action": "drop"}]',
            "--",
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == BOOTSTRAP_FAILED
    assert "bad --rules" in done.stderr
