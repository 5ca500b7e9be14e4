from maildoctor.discover.candidates import DiscoveredSettings, Source
from maildoctor.discover.guess import guesses, only_verified


def test_guesses_cover_the_usual_names_implicit_tls_first() -> None:
    found = guesses("Taro@Example.JP.")
    first = found.incoming[0]
    assert (first.host, first.port, str(first.security), first.source) == (
        "imap.example.jp",
        993,
        "ssl",
        Source.GUESS,
    )
    assert {c.host for c in found.outgoing} == {"smtp.example.jp", "mail.example.jp", "example.jp"}
    assert all(c.port in (465, 587) for c in found.outgoing)
    assert len(found.incoming) == 3 * 2 + 4 * 2
    assert not any(c.verified for c in (*found.incoming, *found.outgoing))


def test_only_verified_drops_the_rest() -> None:
    import dataclasses

    found = guesses("taro@example.jp")
    one = dataclasses.replace(found.incoming[1], verified=True)
    kept = only_verified(DiscoveredSettings(found.address, None, (found.incoming[0], one), found.outgoing))
    assert kept.incoming == (one,)
    assert kept.outgoing == ()
