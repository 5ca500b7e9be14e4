"""Sending a check day's report (`checkup --send`): by mail through an account of the book (its
sending server and user name; the password from the notify variable or keyring, else where the
check day keeps passwords), and/or through Apprise. Nothing is sent when nothing changed and no
expiry alert is due; every target's result is kept in the book, and each alert sent is kept so
it is sent once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from maildoctor.checkup import alerts
from maildoctor.checkup.passwords import find_password as checkup_password
from maildoctor.checkup.report import CheckupReport
from maildoctor.checkup.runs import retrying
from maildoctor.i18n import N_
from maildoctor.ledger import notify
from maildoctor.ledger.errors import LedgerError, ProblemKind
from maildoctor.ledger.schema import Account, CheckupAlert, CheckupRun, CheckupSending, Company
from maildoctor.ledger.store import transaction
from maildoctor.model import ServerUrlError


@dataclass(frozen=True)
class SendPlan:
    """Where the reports go: mail from an account of the book to `mail_to`, and Apprise URLs."""

    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    apprise_urls: tuple[str, ...] = ()
    ca_file: Path | None = None


def mail_route(engine: Engine, plan: SendPlan) -> notify.MailRoute | None:
    """The route through the book's account `plan.mail_from`; LedgerError when it cannot carry mail."""
    if plan.mail_from is None:
        return None
    with transaction(engine) as session:
        account = session.scalars(
            select(Account).where(func.lower(Account.address) == plan.mail_from.lower()).order_by(Account.id)
        ).first()
        if account is None:
            raise LedgerError(
                N_("No account {address} in the book."), ProblemKind.USAGE, address=plan.mail_from
            )
        if not account.outgoing:
            raise LedgerError(
                N_(
                    "The account {address} has no sending server in the book, so the report cannot be sent "
                    "through it."
                ),
                ProblemKind.USAGE,
                address=account.address,
            )
        try:
            return notify.route_from_url(
                account.outgoing,
                username=account.username or account.address,
                sender=account.address,
                recipients=plan.mail_to or (account.address,),
                ca_file=plan.ca_file,
            )
        except notify.RouteError as error:
            raise LedgerError(error.message, ProblemKind.USAGE, **error.params) from error
        except ServerUrlError as error:
            raise LedgerError(
                N_("The sending server of {address} in the book cannot be read."),
                ProblemKind.USAGE,
                address=account.address,
            ) from error


def route_password(route: notify.MailRoute) -> str | None:
    """The notify variable or keyring first, then the check day's own store for that address."""
    found = notify.find_password(route)
    if found is not None:
        return found
    kept = checkup_password(route.sender)
    return kept.reveal() if kept is not None else None


def _sent_alerts(engine: Engine, company: str) -> set[alerts.AlertKey]:
    with transaction(engine) as session:
        rows = session.execute(
            select(CheckupAlert.kind, CheckupAlert.what, CheckupAlert.expires, CheckupAlert.threshold)
            .join(Company, Company.id == CheckupAlert.company_id)
            .where(Company.code == company)
        ).all()
    return {(kind, what, expires, threshold) for kind, what, expires, threshold in rows}


def with_due_alerts(engine: Engine, report: CheckupReport) -> CheckupReport:
    """The report as it is sent: each expiry's alert the most urgent one not sent before."""
    return replace(report, trends=alerts.due(report.trends, _sent_alerts(engine, report.company)))


def keep(engine: Engine, report: CheckupReport, outcome: notify.Outcome) -> None:
    """Each target's result, and (when anything arrived) the alerts it carried, into the book."""
    if outcome.skipped:
        return

    def write() -> None:
        with transaction(engine) as session:
            session.add_all(
                CheckupSending(
                    run_id=report.run_id,
                    channel=sent.channel,
                    target=sent.target[:700],
                    ok=sent.ok,
                    reason=sent.reason[:300],
                )
                for sent in outcome.sent
            )
            if not any(sent.ok for sent in outcome.sent):
                return
            company_id = session.scalars(
                select(CheckupRun.company_id).where(CheckupRun.id == report.run_id)
            ).one()
            for kind, what, expires, threshold in alerts.alert_keys(report.trends.alerts):
                try:
                    with session.begin_nested():
                        session.add(
                            CheckupAlert(
                                company_id=company_id,
                                run_id=report.run_id,
                                kind=kind,
                                what=what,
                                expires=expires,
                                threshold=threshold,
                            )
                        )
                except IntegrityError:
                    continue  # another check-up sent it at the same moment

    retrying(write)


def send(
    engine: Engine, report: CheckupReport, plan: SendPlan, lang: str, route: notify.MailRoute | None
) -> tuple[CheckupReport, notify.Outcome]:
    """Send one company's report (unless nothing is to tell) and keep the result; both returned."""
    told = with_due_alerts(engine, report)
    message = notify.Report(told.subject(lang), told.text(lang), told.html(lang), changed=told.changed)
    outcome = notify.send_report(message, mail=route, apprise_urls=plan.apprise_urls, password=route_password)
    keep(engine, told, outcome)
    return told, outcome
