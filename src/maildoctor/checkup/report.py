"""The check day's report (pure): "what changed since the last check day", rendered on demand in
Japanese or English, as plain text or HTML — from codes and parameters, never from stored text.

`CheckupReport.of(runs)` builds it from the recorded runs of one company (oldest first); sending
it (mail, Apprise) only needs `.text(lang)`, `.html(lang)`, `.subject(lang)` and `.changed`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from maildoctor.causes import get_cause
from maildoctor.checkup.bookrisks import BOOK_TITLES
from maildoctor.checkup.model import ItemKind, LoginMode, Outcome, RecordedFinding, RecordedItem, RecordedRun
from maildoctor.checkup.states import Changes, changes
from maildoctor.checkup.trends import Expiry, QuotaTrend, Trends, trends
from maildoctor.escaping import safe
from maildoctor.i18n import N_, Translator, get_translator

UNTESTED_WORDS: Final = {
    "timeout": N_("no answer in time"),
    "rate_limited": N_("the server refused: too many connections"),
    "resolver_broken": N_("the DNS server of this computer answers wrongly"),
    "offline": N_("no internet connection"),
    "crashed": N_("maildoctor could not run the check"),
    "bad_settings": N_("the server in the book cannot be read"),
}


@dataclass(frozen=True, slots=True)
class CheckupReport:
    company: str
    run_id: int
    day: datetime
    previous_day: datetime | None  # None: the first check day of this company
    changes: Changes
    trends: Trends
    without_login: tuple[str, ...]  # accounts checked without a password (no login tested)
    items: int
    # accounts whose login this run had already attempted (a worker killed midway): not tried again
    not_repeated: tuple[str, ...] = ()

    @classmethod
    def of(cls, runs: Sequence[RecordedRun]) -> CheckupReport:
        if not runs:
            raise ValueError("a report needs at least one recorded run")
        latest = runs[-1]
        return cls(
            company=latest.company,
            run_id=latest.run_id,
            day=latest.started_at,
            previous_day=runs[-2].started_at if len(runs) > 1 else None,
            changes=changes(runs),
            trends=trends(runs),
            without_login=tuple(
                sorted(
                    item.subject
                    for item in latest.items
                    if item.kind is ItemKind.ACCOUNT
                    and item.outcome is Outcome.CHECKED
                    and item.login is LoginMode.NO_PASSWORD
                )
            ),
            items=sum(1 for item in latest.items if item.kind is not ItemKind.BOOK),
            not_repeated=tuple(
                sorted(item.subject for item in latest.items if item.login is LoginMode.NOT_REPEATED)
            ),
        )

    @property
    def changed(self) -> bool:
        """Anything to tell: a problem new or gone, or an expiry alert due (else nothing is sent)."""
        return self.changes.changed or bool(self.trends.alerts)

    def subject(self, lang: str) -> str:
        _ = get_translator(lang).gettext
        return _("Check day {company}: {new} new, {gone} gone, {still} still there").format(
            company=safe(self.company),
            new=len(self.changes.new),
            gone=len(self.changes.gone),
            still=len(self.changes.still),
        )

    def sections(self, lang: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """The headline and the (title, lines) sections, in `lang`: what text and HTML both show."""
        translator = get_translator(lang)
        _ = translator.gettext
        day = self.day.date().isoformat()
        headline = _("Check day of {company}, {day}").format(company=safe(self.company), day=day)
        since = (
            _("Changes since the last check day ({day}).").format(day=self.previous_day.date().isoformat())
            if self.previous_day
            else _("This is the first check day: every problem found is listed as new.")
        )
        finding = _finding_line(translator)
        sections: list[tuple[str, tuple[str, ...]]] = [("", (since,))]
        listed = (
            (N_("New problems"), self.changes.new),
            (N_("Problems gone"), self.changes.gone),
            (N_("Still there"), self.changes.still),
            (N_("Seen this time only (confirmed if still there next time)"), self.changes.unconfirmed),
        )
        for title, findings in listed:
            if findings:
                sections.append((f"{_(title)} ({len(findings)})", tuple(map(finding, findings))))
        if not self.changed:
            quiet = (
                _("Nothing changed since the last check day.")
                if self.previous_day
                else _("No problems were found.")
            )
            sections.append(("", (quiet,)))
        if self.changes.untested:
            sections.append(
                (
                    _("Could not be tested this time (not a failure)"),
                    tuple(_untested_line(item, translator) for item in self.changes.untested),
                )
            )
        if self.without_login:
            sections.append(
                (
                    _("Checked without logging in: no password is kept (keyring or encrypted file)"),
                    tuple(safe(address) for address in self.without_login),
                )
            )
        if self.not_repeated:
            sections.append(
                (
                    _(
                        "Not logged in again: this check day had already tried once with the same user "
                        "name on the same server (a check stopped halfway and run again, or two accounts "
                        "sharing one login); a second try could lock the account"
                    ),
                    tuple(safe(address) for address in self.not_repeated),
                )
            )
        if self.trends.expiries:
            sections.append(
                (_("Expiry dates"), tuple(_expiry_line(e, translator) for e in self.trends.expiries))
            )
        if self.trends.quotas:
            sections.append(
                (_("Mailbox size"), tuple(_quota_line(q, translator) for q in self.trends.quotas))
            )
        return headline, tuple(sections)

    def text(self, lang: str) -> str:
        headline, sections = self.sections(lang)
        lines = [headline, ""]
        for title, body in sections:
            if title:
                lines.append(title)
            lines += [f"  - {line}" if title else line for line in body]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def html(self, lang: str) -> str:
        headline, sections = self.sections(lang)
        parts = [f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">', '<head><meta charset="utf-8">']
        parts.append(f"<title>{html.escape(headline)}</title></head>\n<body>")
        parts.append(f"<h1>{html.escape(headline)}</h1>")
        for title, body in sections:
            if title:
                parts.append(f"<h2>{html.escape(title)}</h2>")
                parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in body) + "</ul>")
            else:
                parts += [f"<p>{html.escape(line)}</p>" for line in body]
        parts.append("</body>\n</html>\n")
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Codes and parameters only (interface.md: JSON carries no translated text)."""

        def listed(findings: Iterable[RecordedFinding]) -> list[dict[str, Any]]:
            return [
                {
                    "id": f.id,
                    "cause": f.cause,
                    "subject": f.subject,
                    "server": f.server,
                    "severity": f.severity,
                    "params": dict(f.params),
                }
                for f in findings
            ]

        return {
            "company": self.company,
            "run": self.run_id,
            "day": self.day.isoformat(),
            "previous_day": self.previous_day.isoformat() if self.previous_day else None,
            "changed": self.changed,
            "new": listed(self.changes.new),
            "gone": listed(self.changes.gone),
            "still": listed(self.changes.still),
            "unconfirmed": listed(self.changes.unconfirmed),
            "could_not_test": [
                {"kind": i.kind.value, "subject": i.subject, "reason": i.reason.value if i.reason else None}
                for i in self.changes.untested
            ],
            "without_login": list(self.without_login),
            "login_not_repeated": list(self.not_repeated),
            "expiries": [
                {
                    "kind": e.kind,
                    "subject": e.subject,
                    "what": e.what,
                    "expires": e.expires.isoformat(),
                    "days_left": e.days_left,
                    "alert": e.alert,
                }
                for e in self.trends.expiries
            ],
            "quotas": [
                {
                    "subject": q.subject,
                    "used_kib": q.used_kib,
                    "limit_kib": q.limit_kib,
                    "growth_kib_per_day": q.growth_kib_per_day,
                    "days_until_full": q.days_until_full,
                }
                for q in self.trends.quotas
            ],
        }


def finding_title(finding: RecordedFinding, translator: Translator) -> str:
    """The finding's title in the reader's language; a code this version does not know stays a code."""
    values = {name: safe(value) for name, value in finding.params}
    template = BOOK_TITLES.get(finding.cause)
    if template is not None:
        try:
            return translator.gettext(template).format_map(values)
        except (KeyError, ValueError):
            return finding.cause
    try:
        return translator.gettext(get_cause(finding.cause).title)
    except KeyError:
        return safe(finding.cause)


def _finding_line(translator: Translator) -> Callable[[RecordedFinding], str]:
    _ = translator.gettext

    def line(finding: RecordedFinding) -> str:
        title = finding_title(finding, translator)
        if finding.cause in BOOK_TITLES:
            return title
        return _("{title} — {subject} ({server})").format(
            title=title, subject=safe(finding.subject), server=safe(finding.server)
        )

    return line


def _untested_line(item: RecordedItem, translator: Translator) -> str:
    reason = translator.gettext(UNTESTED_WORDS.get(item.reason.value if item.reason else "", N_("unknown")))
    return f"{safe(item.subject)}: {reason}"


def _expiry_line(expiry: Expiry, translator: Translator) -> str:
    _ = translator.gettext
    what = _("Certificate of {host}") if expiry.kind == "cert" else _("Domain {host}")
    name = what.format(host=safe(expiry.what))
    if expiry.days_left < 0:
        line = _("{name}: expired on {date}").format(name=name, date=expiry.expires.isoformat())
    else:
        line = _("{name}: {days} days left (until {date})").format(
            name=name, days=expiry.days_left, date=expiry.expires.isoformat()
        )
    if expiry.alert is not None and expiry.alert > 0:
        line += " " + _("[alert: less than {days} days]").format(days=expiry.alert)
    return line


def _quota_line(quota: QuotaTrend, translator: Translator) -> str:
    _ = translator.gettext
    line = _("{address}: {used} MB of {limit} MB used ({percent}%)").format(
        address=safe(quota.subject),
        percent=quota.percent,
        used=quota.used_kib // 1024,
        limit=quota.limit_kib // 1024,
    )
    if quota.days_until_full is not None and quota.growth_kib_per_day is not None:
        line += _(", growing {growth} MB a day: full in about {days} days").format(
            growth=round(quota.growth_kib_per_day / 1024, 1), days=quota.days_until_full
        )
    return line
