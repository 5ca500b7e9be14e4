from maildoctor.discover.candidates import DiscoveredSettings, ProviderInfo, ServerCandidate, Source
from maildoctor.discover.merge import merge
from maildoctor.model import Protocol, Security


def imap(host: str, port: int, security: Security, source: Source) -> ServerCandidate:
    return ServerCandidate(Protocol.IMAP, host, port, security, "taro@example.jp", source=source)


def test_most_authoritative_first_and_duplicates_kept_once() -> None:
    guessed = DiscoveredSettings(
        "taro@example.jp",
        None,
        (
            imap("mail.example.jp", 993, Security.SSL, Source.GUESS),
            imap("imap.example.jp", 143, Security.STARTTLS, Source.GUESS),
        ),
        (),
    )
    provider = DiscoveredSettings(
        "taro@example.jp",
        ProviderInfo("example.jp", "Example"),
        (
            imap("imap.example.jp", 993, Security.SSL, Source.PROVIDER),
            imap("MAIL.example.jp.", 993, Security.SSL, Source.PROVIDER),
        ),
        (),
    )
    merged = merge("taro@example.jp", [guessed, provider])
    assert merged.provider == ProviderInfo("example.jp", "Example")
    assert [(c.host, c.port, c.source) for c in merged.incoming] == [
        ("imap.example.jp", 993, Source.PROVIDER),
        ("MAIL.example.jp.", 993, Source.PROVIDER),
        ("imap.example.jp", 143, Source.GUESS),
    ]
