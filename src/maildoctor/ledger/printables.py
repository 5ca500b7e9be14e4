"""The book on paper: the account list as the guides draw it, and the 「メールが止まったら」 wall sheet.

Pure: the facts (printout.py gathers them from the book) in, one self-contained HTML document out,
ready to print (A4, local fonts only, nothing fetched). Every value is escaped and its control
characters made visible: names and notes are typed by people, provider names come from data files.
The PDF is made from this HTML by export/sheet.py's sheet_to_pdf().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from babel.dates import format_date

from maildoctor.export.page import escaped, page_head
from maildoctor.i18n import N_, Translator

ACCOUNTS_TITLE: Final = N_("Mail accounts of {company}")
ACCOUNTS_INTRO: Final = N_(
    "One row per mail account. Passwords are never printed here: the list says only who manages each "
    "password and where it is kept."
)
NO_ACCOUNTS: Final = N_("The book has no accounts for this company yet.")
LABEL_ADDRESS: Final = N_("Address")
LABEL_PERSON: Final = N_("Person")
LABEL_PROVIDER: Final = N_("Provider")
LABEL_SERVERS: Final = N_("Servers")
LABEL_INCOMING: Final = N_("Receiving server")
LABEL_OUTGOING: Final = N_("Sending server")
LABEL_USER: Final = N_("User name")
LABEL_PASSWORD: Final = N_("Password managed by")
LABEL_KEPT: Final = N_("Password kept at")
LABEL_DEVICES: Final = N_("Devices")
LABEL_LAST_CHANGE: Final = N_("Last change")
LEAVES_ON_SERVER: Final = N_("leaves mail on the server")
LEAVES_FOR_DAYS: Final = N_("leaves mail on the server for {days} days")
REMOVES_FROM_SERVER: Final = N_("removes mail from the server")
NO_DEVICES: Final = N_("none recorded")
MADE_ON: Final = N_("Made on {date}")
FOOTER: Final = N_("Made by maildoctor {version} from the accounts book. Print it again after each change.")

WALL_TITLE: Final = N_("When mail stops")
WALL_SUBTITLE: Final = N_("{company}: what to do when email cannot be sent or received")
CALL_FIRST: Final = N_("Call first")
NO_CONTACT: Final = N_(
    "No contact is in the book yet. Add one: maildoctor ledger contact add NAME --role inhouse --order 1"
)
THEN_CALL: Final = N_("If they cannot be reached")
PROVIDER_SUPPORT: Final = N_("The mail company's support")
SUPPORT_PAGE: Final = N_("Support page")
PASSWORD_PAGE: Final = N_("Password page")
CHECKS_TITLE: Final = N_("Three things to check before you call")
CHECKS: Final = (
    N_(
        "Can you open a web page, and can the people next to you send and receive mail? If nobody can, "
        "the cause is the office's internet or the mail company, not your computer."
    ),
    N_(
        "Look at the error message on the screen. Write it down word for word, or take a photo of it, "
        "with the time it appeared."
    ),
    N_(
        "Did anything change recently: a new password, a new phone or computer, a full mailbox warning? "
        "Tell the person you call."
    ),
)
DO_NOT: Final = N_(
    "Do not delete the account from the mail program and add it again before you call: mail kept "
    "only on this computer can be lost."
)
AT_ORGANISATION: Final = N_("{organisation} ({role})")
ROLE_LABELS: Final = {
    "provider": N_("mail company"),
    "web": N_("web company"),
    "inhouse": N_("in the office"),
    "other": N_("other"),
}

_FONTS: Final = (
    '"IPAexGothic", "IPAPGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", '
    '"Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic", "Meiryo", "DejaVu Sans", sans-serif'
)
_CSS: Final = f"""
@page {{ size: A4 {{orientation}}; margin: 12mm 12mm 14mm 12mm;
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; }} }}
html {{ color: #000; background: #fff; font-family: {_FONTS}; font-size: 9.5pt; line-height: 1.4; }}
body {{ margin: 0; }}
@media screen {{ body {{ max-width: 270mm; margin: 8mm auto; }} }}
.made {{ float: right; font-size: 8.5pt; color: #444; }}
h1 {{ font-size: 16pt; margin: 0 0 2mm 0; padding-bottom: 1.5mm; border-bottom: 1.5pt solid #000; }}
h2 {{ font-size: 12pt; margin: 5mm 0 1.5mm 0; }}
table {{ border-collapse: collapse; width: 100%; }}
tr {{ break-inside: avoid; }}
th, td {{ border: 0.75pt solid #444; padding: 1.2mm 1.8mm; text-align: left; vertical-align: top; }}
thead th {{ background: #e6e6e6; }}
.v {{ font-family: "DejaVu Sans Mono", "Menlo", "Consolas", {_FONTS}; overflow-wrap: anywhere; }}
.sub {{ color: #333; font-size: 8.5pt; }}
ul.devices {{ margin: 0; padding-left: 4mm; }}
.first {{ border: 2.5pt solid #000; padding: 3mm 5mm; margin: 3mm 0; }}
.first .name {{ font-size: 16pt; font-weight: bold; margin: 0; }}
.first .phone {{ font-size: 22pt; font-weight: bold; margin: 1mm 0; }}
ol.checks {{ font-size: 12pt; padding-left: 7mm; }}
ol.checks li {{ margin: 0 0 2mm 0; }}
.warning {{ border: 1pt solid #000; padding: 2mm 4mm; font-weight: bold; }}
table.accounts {{ table-layout: fixed; }}
table.accounts col.address {{ width: 18%; }} table.accounts col.provider {{ width: 10%; }}
table.accounts col.servers {{ width: 20%; }} table.accounts col.user {{ width: 14%; }}
table.accounts col.password {{ width: 12%; }} table.accounts col.devices {{ width: 18%; }}
table.accounts col.last {{ width: 8%; }}
body.wall {{ font-size: 11.5pt; }}
body.wall h1 {{ font-size: 26pt; }}
body.wall h2 {{ font-size: 15pt; margin-top: 7mm; }}
footer {{ margin-top: 5mm; font-size: 8pt; color: #444; }}
"""


_ACCOUNT_COLUMNS: Final = ("address", "provider", "servers", "user", "password", "devices", "last")


@dataclass(frozen=True, slots=True)
class DeviceLine:
    name: str
    person: str | None
    kind: str
    protocol: str  # "pop3" or "imap"
    leave_on_server: bool | None
    leave_days: int | None


@dataclass(frozen=True, slots=True)
class AccountLine:
    address: str
    person: str | None
    provider: str | None  # the provider's name for people, already in the sheet's language
    incoming: str | None
    outgoing: str | None
    username: str | None
    password_manager: str | None
    password_location: str | None
    devices: tuple[DeviceLine, ...]
    last_change: date | None


@dataclass(frozen=True, slots=True)
class ContactLine:
    name: str
    role: str  # values.ContactRole
    organisation: str | None
    phone: str | None
    email: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class ProviderSupport:
    name: str
    support_page: str | None
    password_page: str | None


@dataclass(frozen=True, slots=True)
class WallFacts:
    company: str
    contacts: tuple[ContactLine, ...]  # in call order: the first is called first
    providers: tuple[ProviderSupport, ...]


_h = escaped


def _document(title: str, body: Sequence[str], translator: Translator, version: str, landscape: bool) -> str:
    css = _CSS.replace("{orientation}", "landscape" if landscape else "portrait")
    return (
        "\n".join(
            [
                *page_head(translator.language.value, title, css, version),
                f'<body class="{"wall" if not landscape else "list"}">',
                *(part for part in body if part),
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


def _made_on(made_on: date, translator: Translator) -> str:
    day = format_date(made_on, format="long", locale=translator.language.value)
    return f'<p class="made">{_h(translator.gettext(MADE_ON).format(date=day))}</p>'


# ------------------------------------------------------------------ the account list


def device_text(device: DeviceLine, translator: Translator) -> str:
    """One device as the guides write it: name (whose, what) — POP or IMAP, and what it does with mail."""
    _ = translator.gettext
    who = ", ".join(part for part in (device.person, device.kind) if part)
    protocol = "POP" if device.protocol == "pop3" else "IMAP"
    line = f"{device.name} ({who}) — {protocol}" if who else f"{device.name} — {protocol}"
    if device.protocol != "pop3" or device.leave_on_server is None:
        return line
    if not device.leave_on_server:
        return f"{line}, {_(REMOVES_FROM_SERVER)}"
    if device.leave_days is not None:
        return f"{line}, {_(LEAVES_FOR_DAYS).format(days=device.leave_days)}"
    return f"{line}, {_(LEAVES_ON_SERVER)}"


def render_accounts(
    company: str, accounts: Sequence[AccountLine], translator: Translator, *, made_on: date, version: str
) -> str:
    """The account list of one company: one row per account, landscape A4."""
    _ = translator.gettext
    title = _(ACCOUNTS_TITLE).format(company=company)
    headings = (
        _(LABEL_ADDRESS) + " / " + _(LABEL_PERSON),
        _(LABEL_PROVIDER),
        _(LABEL_SERVERS),
        _(LABEL_USER),
        _(LABEL_PASSWORD) + " / " + _(LABEL_KEPT),
        _(LABEL_DEVICES),
        _(LABEL_LAST_CHANGE),
    )
    rows = []
    for account in accounts:
        devices = (
            '<ul class="devices">'
            + "".join(f"<li>{_h(device_text(device, translator))}</li>" for device in account.devices)
            + "</ul>"
            if account.devices
            else f'<span class="sub">{_h(_(NO_DEVICES))}</span>'
        )
        last = (
            format_date(account.last_change, format="short", locale=translator.language.value)
            if account.last_change
            else ""
        )
        cells = (
            f'<span class="v">{_h(account.address)}</span><br><span class="sub">{_h(account.person)}</span>',
            _h(account.provider),
            f'<span class="sub">{_h(_(LABEL_INCOMING))}</span><br>'
            f'<span class="v">{_h(account.incoming)}</span><br>'
            f'<span class="sub">{_h(_(LABEL_OUTGOING))}</span><br>'
            f'<span class="v">{_h(account.outgoing)}</span>',
            f'<span class="v">{_h(account.username)}</span>',
            f'{_h(account.password_manager)}<br><span class="sub">{_h(account.password_location)}</span>',
            devices,
            _h(last),
        )
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    table = (
        '<table class="accounts">'
        + "".join(f'<col class="{name}">' for name in _ACCOUNT_COLUMNS)
        + "<thead><tr>"
        + "".join(f"<th>{_h(text)}</th>" for text in headings)
        + "</tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table>"
        if rows
        else f"<p>{_h(_(NO_ACCOUNTS))}</p>"
    )
    body = (
        _made_on(made_on, translator),
        f"<h1>{_h(title)}</h1>",
        f"<p>{_h(_(ACCOUNTS_INTRO))}</p>",
        table,
        f"<footer>{_h(_(FOOTER).format(version=version))}</footer>",
    )
    return _document(title, body, translator, version, landscape=True)


# ------------------------------------------------------------------ the wall sheet


def _contact_lines(contact: ContactLine, translator: Translator) -> list[str]:
    role = translator.gettext(ROLE_LABELS.get(contact.role, ROLE_LABELS["other"]))
    at = translator.gettext(AT_ORGANISATION).format(organisation=contact.organisation, role=role)
    lines = [at if contact.organisation else role]
    lines += [text for text in (contact.email, contact.url) if text]
    return lines


def _first_contact(contact: ContactLine | None, translator: Translator) -> str:
    if contact is None:
        return f'<div class="first"><p>{_h(translator.gettext(NO_CONTACT))}</p></div>'
    parts = [f'<p class="name">{_h(contact.name)}</p>']
    if contact.phone:
        parts.append(f'<p class="phone v">{_h(contact.phone)}</p>')
    parts += [f"<p>{_h(line)}</p>" for line in _contact_lines(contact, translator)]
    return '<div class="first">' + "".join(parts) + "</div>"


def _other_contacts(contacts: Sequence[ContactLine], translator: Translator) -> str:
    if not contacts:
        return ""
    rows = "".join(
        f'<tr><td>{_h(contact.name)}</td><td class="v">{_h(contact.phone)}</td>'
        f"<td>{'<br>'.join(_h(line) for line in _contact_lines(contact, translator))}</td></tr>"
        for contact in contacts
    )
    return f"<h2>{_h(translator.gettext(THEN_CALL))}</h2><table><tbody>{rows}</tbody></table>"


def _providers(providers: Sequence[ProviderSupport], translator: Translator) -> str:
    if not providers:
        return ""
    _ = translator.gettext
    items = []
    for provider in providers:
        lines = [f"<strong>{_h(provider.name)}</strong>"]
        if provider.support_page:
            lines.append(f'{_h(_(SUPPORT_PAGE))}: <span class="v">{_h(provider.support_page)}</span>')
        if provider.password_page:
            lines.append(f'{_h(_(PASSWORD_PAGE))}: <span class="v">{_h(provider.password_page)}</span>')
        items.append("<li>" + "<br>".join(lines) + "</li>")
    return f"<h2>{_h(_(PROVIDER_SUPPORT))}</h2><ul>{''.join(items)}</ul>"


def render_wall(facts: WallFacts, translator: Translator, *, made_on: date, version: str) -> str:
    """The one-page 「メールが止まったら」 sheet: whom to call first, the provider's support, three checks."""
    _ = translator.gettext
    title = _(WALL_TITLE)
    first = facts.contacts[0] if facts.contacts else None
    checks = "".join(f"<li>{_h(_(text))}</li>" for text in CHECKS)
    body = (
        _made_on(made_on, translator),
        f"<h1>{_h(title)}</h1>",
        f"<p>{_h(_(WALL_SUBTITLE).format(company=facts.company))}</p>",
        f"<h2>{_h(_(CALL_FIRST))}</h2>",
        _first_contact(first, translator),
        f"<h2>{_h(_(CHECKS_TITLE))}</h2>",
        f'<ol class="checks">{checks}</ol>',
        f'<p class="warning">{_h(_(DO_NOT))}</p>',
        _other_contacts(facts.contacts[1:], translator),
        _providers(facts.providers, translator),
        f"<footer>{_h(_(FOOTER).format(version=version))}</footer>",
    )
    return _document(title, body, translator, version, landscape=False)
