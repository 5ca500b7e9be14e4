"""Microsoft Autodiscover (POX): the request we send and the answers we read (pure, no I/O)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from maildoctor.discover.autodiscover import (
    ENVELOPE_SCHEMA,
    MAX_RESPONSE_BYTES,
    REQUEST_SCHEMA,
    RESPONSE_SCHEMA,
    AutodiscoverError,
    autodiscover_request,
    autodiscover_urls,
    parse_autodiscover,
)
from maildoctor.discover.candidates import ServerCandidate, Source

ADDRESS = "taro@example.test"


def answer(account: str, *, user: str = "<User><DisplayName>Taro Yamada</DisplayName></User>") -> bytes:
    """An Outlook answer as Exchange and hosting providers' Autodiscover scripts write it."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{ENVELOPE_SCHEMA}">
  <Response xmlns="{RESPONSE_SCHEMA}">
    {user}
    <Account>
      {account}
    </Account>
  </Response>
</Autodiscover>
""".encode()


def protocol(kind: str, server: str, port: str | None = None, **fields: str) -> str:
    parts = [f"<Type>{kind}</Type>", f"<Server>{server}</Server>"]
    if port is not None:
        parts.append(f"<Port>{port}</Port>")
    parts += [f"<{name}>{value}</{name}>" for name, value in fields.items()]
    return f"<Protocol>{''.join(parts)}</Protocol>"


def brief(candidates: tuple[ServerCandidate, ...]) -> list[tuple[str, str, int, str, str]]:
    return [(c.protocol.value, c.host, c.port, c.security.value, c.username) for c in candidates]


# A hosting provider's answer (the shape of the Autodiscover scripts shared hosts serve):
# IMAP and SMTP with SSL on, SMTP taking the IMAP login.
HOSTED = answer(
    """<AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>IMAP</Type>
        <Server>imap.example.test</Server>
        <Port>993</Port>
        <DomainRequired>off</DomainRequired>
        <LoginName>taro@example.test</LoginName>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>smtp.example.test</Server>
        <Port>465</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
        <UsePOPAuth>on</UsePOPAuth>
        <SMTPLast>off</SMTPLast>
      </Protocol>"""
)

# Exchange 2010's answer to an Outlook request: MAPI, Outlook Anywhere and OWA, no IMAP.
EXCHANGE_ONLY = answer(
    """<AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>EXCH</Type>
        <Server>EXCH01.corp.example.test</Server>
        <ServerDN>/o=Example/ou=Exchange Administrative Group/cn=Configuration/cn=Servers/cn=EXCH01</ServerDN>
        <ServerVersion>738180DA</ServerVersion>
        <AD>DC01.corp.example.test</AD>
        <ASUrl>https://mail.example.test/EWS/Exchange.asmx</ASUrl>
        <EwsUrl>https://mail.example.test/EWS/Exchange.asmx</EwsUrl>
      </Protocol>
      <Protocol>
        <Type>EXPR</Type>
        <Server>mail.example.test</Server>
        <SSL>On</SSL>
        <AuthPackage>Ntlm</AuthPackage>
      </Protocol>
      <Protocol>
        <Type>WEB</Type>
        <Internal><OWAUrl AuthenticationMethod="Basic, Fba">https://mail.example.test/owa/</OWAUrl></Internal>
      </Protocol>
      <Protocol Type="mapiHttp" Version="1">
        <Internal><MailStore><InternalUrl>https://mail.example.test/mapi/emsmdb/</InternalUrl></MailStore></Internal>
      </Protocol>"""
)


# --------------------------------------------------------------------------- the request


def test_request_is_outlooks_pox_request() -> None:
    body = autodiscover_request(ADDRESS)
    root = ET.fromstring(body)  # noqa: S314 -- our own document
    assert root.tag == f"{{{REQUEST_SCHEMA}}}Autodiscover"
    request = root.find(f"{{{REQUEST_SCHEMA}}}Request")
    assert request is not None
    assert request.findtext(f"{{{REQUEST_SCHEMA}}}EMailAddress") == ADDRESS
    assert request.findtext(f"{{{REQUEST_SCHEMA}}}AcceptableResponseSchema") == RESPONSE_SCHEMA
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_request_escapes_the_address() -> None:
    body = autodiscover_request("a&b<c>@example.test")
    assert b"a&amp;b&lt;c&gt;@example.test" in body
    root = ET.fromstring(body)  # noqa: S314 -- our own document
    assert root.findtext(f".//{{{REQUEST_SCHEMA}}}EMailAddress") == "a&b<c>@example.test"


def test_urls_in_outlooks_order() -> None:
    assert autodiscover_urls("example.test") == (
        "https://autodiscover.example.test/autodiscover/autodiscover.xml",
        "https://example.test/autodiscover/autodiscover.xml",
        "http://autodiscover.example.test/autodiscover/autodiscover.xml",
    )


# --------------------------------------------------------------------------- settings


def test_imap_and_smtp_with_ssl_on() -> None:
    found = parse_autodiscover(HOSTED, ADDRESS)
    assert brief(found.incoming) == [("imap", "imap.example.test", 993, "ssl", "taro@example.test")]
    # UsePOPAuth: the SMTP login is the IMAP login
    assert brief(found.outgoing) == [("smtp", "smtp.example.test", 465, "ssl", "taro@example.test")]
    assert all(c.source is Source.AUTODISCOVER and not c.needs_consent for c in found.candidates)
    assert found.incoming[0].authentication == ("password-cleartext",)
    assert found.display_name == "Taro Yamada"
    assert found.redirect_address is None and found.redirect_url is None and found.error_code is None


def test_pop3_and_ssl_on_at_a_starttls_port() -> None:
    found = parse_autodiscover(
        answer(
            protocol("POP3", "pop.example.test", "995", SSL="on", LoginName="taro")
            + protocol("SMTP", "smtp.example.test", "587", SSL="on", LoginName="taro")
        ),
        ADDRESS,
    )
    assert brief(found.incoming) == [("pop3", "pop.example.test", 995, "ssl", "taro")]
    # Outlook's "SSL on" at 587 is STARTTLS
    assert brief(found.outgoing) == [("smtp", "smtp.example.test", 587, "starttls", "taro")]


@pytest.mark.parametrize(
    ("fields", "port", "expected"),
    [
        ({"Encryption": "TLS"}, "143", ("imap", 143, "starttls")),
        ({"Encryption": "TLS", "SSL": "on"}, "143", ("imap", 143, "starttls")),
        ({"Encryption": "SSL", "SSL": "off"}, "993", ("imap", 993, "ssl")),  # Encryption wins
        ({"Encryption": "None"}, "143", ("imap", 143, "none")),
        ({"Encryption": "Auto"}, "993", ("imap", 993, "ssl")),
        ({"Encryption": "Auto"}, "143", ("imap", 143, "starttls")),
        ({"SSL": "off"}, "143", ("imap", 143, "none")),
        ({"SSL": "ON"}, "993", ("imap", 993, "ssl")),
        ({}, "993", ("imap", 993, "ssl")),  # SSL left out: on, as Outlook reads it
        ({"Encryption": "TLS"}, None, ("imap", 143, "starttls")),  # no port: the usual one
        ({"SSL": "on"}, None, ("imap", 993, "ssl")),
        ({"SSL": "off"}, None, ("imap", 143, "none")),
    ],
)
def test_encryption_and_ssl(fields: dict[str, str], port: str | None, expected: tuple[str, int, str]) -> None:
    found = parse_autodiscover(answer(protocol("IMAP", "mail.example.test", port, **fields)), ADDRESS)
    (imap,) = found.incoming
    assert (imap.protocol.value, imap.port, imap.security.value) == expected


def test_login_name_domain_and_spa() -> None:
    found = parse_autodiscover(
        answer(
            protocol(
                "IMAP",
                "Mail.Example.Test.",
                "993",
                SSL="on",
                LoginName="taro",
                DomainRequired="on",
                DomainName="CORP",
                SPA="on",
            )
            + protocol("SMTP", "mail.example.test", "25", SSL="off", AuthRequired="off")
        ),
        ADDRESS,
    )
    (imap,) = found.incoming
    assert (imap.host, imap.username, imap.authentication) == ("mail.example.test", "CORP\\taro", ("NTLM",))
    (smtp,) = found.outgoing
    # no LoginName: the address; no authentication wanted
    assert (smtp.username, smtp.authentication, smtp.security.value) == (ADDRESS, ("none",), "none")


def test_order_kept_and_duplicates_dropped() -> None:
    found = parse_autodiscover(
        answer(
            protocol("POP3", "pop.example.test", "995")
            + protocol("IMAP", "imap.example.test", "993")
            + protocol("imap", "imap.example.test", "993")
            + protocol("SMTP", "smtp.example.test", "587", Encryption="TLS")
            + protocol("SMTP", "smtp.example.test", "465")
        ),
        ADDRESS,
    )
    assert [(c.protocol.value, c.port) for c in found.incoming] == [("pop3", 995), ("imap", 993)]
    assert [(c.port, c.security.value) for c in found.outgoing] == [(587, "starttls"), (465, "ssl")]


def test_prefixed_namespaces_are_the_same_document() -> None:
    document = f"""<?xml version="1.0"?>
<a:Autodiscover xmlns:a="{ENVELOPE_SCHEMA}">
  <o:Response xmlns:o="{RESPONSE_SCHEMA}">
    <o:Account><o:Action>settings</o:Action>
      <o:Protocol><o:Type>IMAP</o:Type><o:Server>imap.example.test</o:Server><o:Port>993</o:Port></o:Protocol>
    </o:Account>
  </o:Response>
</a:Autodiscover>""".encode()
    assert brief(parse_autodiscover(document, ADDRESS).incoming) == [
        ("imap", "imap.example.test", 993, "ssl", ADDRESS)
    ]


def test_elements_of_another_namespace_are_not_read() -> None:
    # a <Protocol> in no namespace inside the Outlook answer is not the Outlook answer's
    document = answer(
        '<Protocol xmlns=""><Type>IMAP</Type><Server>evil.test</Server><Port>993</Port></Protocol>'
        + protocol("IMAP", "imap.example.test", "993")
    )
    assert [c.host for c in parse_autodiscover(document, ADDRESS).incoming] == ["imap.example.test"]


def test_a_declared_encoding_is_honoured() -> None:
    document = answer(
        protocol("IMAP", "imap.example.test", "993"), user="<User><DisplayName>Zoë</DisplayName></User>"
    )
    latin = document.decode().replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("iso-8859-1")
    assert parse_autodiscover(latin, ADDRESS).display_name == "Zoë"


# --------------------------------------------------------------------------- other answers


def test_exchange_only_answer_gives_no_candidates() -> None:
    found = parse_autodiscover(EXCHANGE_ONLY, ADDRESS)
    assert found.candidates == ()
    assert found.other_types == ("EXCH", "EXPR", "WEB", "MAPIHTTP")


def test_redirect_addr() -> None:
    found = parse_autodiscover(
        answer(
            "<AccountType>email</AccountType><Action>redirectAddr</Action>"
            "<RedirectAddr>taro@example.mail.onmicrosoft.test</RedirectAddr>"
        ),
        ADDRESS,
    )
    assert found.redirect_address == "taro@example.mail.onmicrosoft.test"
    assert found.candidates == () and found.redirect_url is None


def test_redirect_url() -> None:
    url = "https://autodiscover.hoster.test/autodiscover/autodiscover.xml"
    found = parse_autodiscover(
        answer(f"<Action>redirectUrl</Action><RedirectUrl>{url}</RedirectUrl>"), ADDRESS
    )
    assert found.redirect_url == url and found.redirect_address is None


@pytest.mark.parametrize(
    "account",
    [
        "<Action>redirectAddr</Action><RedirectAddr>not an address</RedirectAddr>",
        "<Action>redirectAddr</Action>",
        "<Action>redirectAddr</Action><RedirectAddr>taro@bad host.test</RedirectAddr>",
        "<Action>redirectUrl</Action><RedirectUrl>http://autodiscover.hoster.test/a.xml</RedirectUrl>",
        "<Action>redirectUrl</Action><RedirectUrl>https://[::1/a.xml</RedirectUrl>",
        "<Action>redirectUrl</Action><RedirectUrl>javascript:alert(1)</RedirectUrl>",
    ],
)
def test_unusable_redirects_are_refused(account: str) -> None:
    with pytest.raises(AutodiscoverError, match="redirect"):
        parse_autodiscover(answer(account), ADDRESS)


def test_error_response() -> None:
    # what Exchange answers for an address it does not know
    document = f"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{ENVELOPE_SCHEMA}">
  <Response>
    <Error Time="16:42:44.4306250" Id="2477272013">
      <ErrorCode>500</ErrorCode>
      <Message>The e-mail address cannot be found.</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>""".encode()
    found = parse_autodiscover(document, ADDRESS)
    assert (found.error_code, found.error_message) == ("500", "The e-mail address cannot be found.")
    assert found.candidates == ()


def test_error_in_the_outlook_namespace() -> None:
    found = parse_autodiscover(
        f"""<Autodiscover xmlns="{ENVELOPE_SCHEMA}"><Response xmlns="{RESPONSE_SCHEMA}">
<Error><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error>
</Response></Autodiscover>""".encode(),
        ADDRESS,
    )
    assert (found.error_code, found.error_message) == ("600", "Invalid Request")


# --------------------------------------------------------------------------- refused


def test_dtd_and_entities_are_refused() -> None:
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + answer("<Action>settings</Action>").split(b"?>", 1)[1].replace(b"Taro Yamada", b"&lol2;")
    )
    with pytest.raises(AutodiscoverError, match="DOCTYPE"):
        parse_autodiscover(billion_laughs, ADDRESS)
    external = b'<!doctype x SYSTEM "file:///etc/passwd"><Autodiscover/>'
    with pytest.raises(AutodiscoverError, match="DOCTYPE"):
        parse_autodiscover(external, ADDRESS)
    # an undeclared entity is a parse error, not an expansion
    with pytest.raises(AutodiscoverError, match="well-formed"):
        parse_autodiscover(answer(protocol("IMAP", "&xxe;", "993")), ADDRESS)


def test_oversized_answer_is_refused() -> None:
    huge = HOSTED.replace(b"<Account>", b"<Account>" + b" " * MAX_RESPONSE_BYTES)
    with pytest.raises(AutodiscoverError, match="more than"):
        parse_autodiscover(huge, ADDRESS)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<html><body>It works!</body></html>", "not an Autodiscover answer"),
        (b"not xml at all", "well-formed"),
        (b"", "well-formed"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        # the request echoed back (a misconfigured static file)
        (autodiscover_request(ADDRESS), "not an Autodiscover answer"),
        (f'<Autodiscover xmlns="{ENVELOPE_SCHEMA}"/>'.encode(), "no <Response>"),
        (
            f'<Autodiscover xmlns="{ENVELOPE_SCHEMA}"><Response xmlns='
            '"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006">'
            "</Response></Autodiscover>".encode(),
            "another schema",
        ),
        (
            f'<Autodiscover xmlns="{ENVELOPE_SCHEMA}"><Response><Account/></Response>'
            "</Autodiscover>".encode(),
            "neither",
        ),
    ],
)
def test_not_an_answer(document: bytes, message: str) -> None:
    with pytest.raises(AutodiscoverError, match=message):
        parse_autodiscover(document, ADDRESS)


def test_hostile_text_does_not_become_a_candidate() -> None:
    found = parse_autodiscover(
        answer(
            protocol("IMAP", "imap.example.test\r\nX-Injected: 1", "993")
            + protocol("IMAP", "evil host.test", "993")
            + protocol("IMAP", "-leading-dash.test", "993")
            + protocol("IMAP", "a" * 300 + ".test", "993")
            + protocol("IMAP", "imap.example.test", "99999")
            + protocol("IMAP", "imap.example.test", "993abc")
            + protocol("IMAP", "imap.example.test", "٩٩٣")  # Arabic-Indic digits
            + protocol("POP3", "pop.example.test", "995", LoginName="taro&#155;31m")
            + protocol("POP3", "pop2.example.test", "995", LoginName="x" * 1000)
            + protocol("IMAP", "127.0.0.1", "993")
            + protocol("X" * 500, "imap.example.test", "993"),
            # XML 1.0 has no ESC, but C1 controls (CSI is U+009B) and bidi overrides get through
            user="<User><DisplayName>&#155;2JTaro\u202eoyaT</DisplayName></User>",
        ),
        ADDRESS,
    )
    # only the entries that are what they say; a bad LoginName falls back to the address
    assert brief(found.incoming) == [
        ("pop3", "pop.example.test", 995, "ssl", ADDRESS),
        ("pop3", "pop2.example.test", 995, "ssl", ADDRESS),
        ("imap", "127.0.0.1", 993, "ssl", ADDRESS),
    ]
    assert found.display_name == "?2JTaro?oyaT"
    assert all(len(kind) <= 40 for kind in found.other_types)


def test_hostile_error_message_is_made_safe() -> None:
    document = f"""<Autodiscover xmlns="{ENVELOPE_SCHEMA}"><Response><Error>
<ErrorCode>500</ErrorCode><Message>&#155;2J&#133;{"x" * 5000}</Message>
</Error></Response></Autodiscover>""".encode()
    found = parse_autodiscover(document, ADDRESS)
    assert found.error_message is not None
    assert found.error_message.startswith("?2J?x") and len(found.error_message) == 300
