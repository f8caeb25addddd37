"""Reminder e-mails to the chefs whose follow-up is not sent.

``send_reminders(today)`` runs in the årshjul's daily task (``followup.tasks.daily``), after
``followup.calendar.run_due`` has opened the periods due.
For every open period it reminds the förvaltningschefer and VD:ar (the MANAGER
memberships on the reporting unit) whose submission is not sent — no row yet, or a
row not in ``Submission.SENT_STATES`` — twice: ``reminder_days_before`` days before the
deadline (from the active calendar template, default 3) and on the day after it. The
``ReminderLog``'s unique constraint makes sure nobody gets the same reminder twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followup.models import CalendarTemplate, ReminderLog, ReportingPeriod, Submission
from styrning.formatting import iso_date
from styrning.models import Membership, OrgUnit

DEFAULT_DAYS_BEFORE = 3
# /uppfoljning/ (DESIGN.md's fixed interface): where the chef fills in the follow-up.
FOLLOWUP_PATH = "/uppfoljning/"


def _days_before(municipality_ids) -> dict[int, int]:
    """Per municipality pk: the active template's reminder days (one query)."""
    return dict(
        CalendarTemplate.objects.filter(municipality__in=municipality_ids, is_active=True)
        .values_list("municipality", "reminder_days_before")
        .order_by()
    )


def due_kind(period, today: dt.date, days_before: int) -> str | None:
    """Which reminder ``period`` is due for on ``today``: "before", "after" or None."""
    if today == period.deadline - dt.timedelta(days=days_before):
        return ReminderLog.Kind.BEFORE
    if today == period.deadline + dt.timedelta(days=1):
        return ReminderLog.Kind.AFTER
    return None


def unsent_units(period) -> list[OrgUnit]:
    """The period's reporting units (förvaltningar and bolag) whose submission is not sent:
    no row, or a row that is a draft or returned (two queries)."""
    sent = Submission.objects.filter(period=period, state__in=Submission.SENT_STATES)
    return list(
        OrgUnit.objects.filter(municipality=period.municipality_id, kind__in=OrgUnit.OFFICE_KINDS)
        .exclude(pk__in=sent.values("unit"))
        .order_by("name")
    )


def _message(period, unit, user, kind) -> tuple[str, str]:
    """The Swedish subject and text of one reminder."""
    link = settings.SITE_URL + FOLLOWUP_PATH
    values = {
        "period": period.label,
        "unit": unit.name,
        "deadline": iso_date(period.deadline),
        "link": link,
        "name": user.get_full_name() or user.username,
    }
    if kind == ReminderLog.Kind.BEFORE:
        subject = _("Reminder: %(unit)s's follow-up for %(period)s is due on %(deadline)s")
        body = _(
            "Hello %(name)s,\n\n"
            "The follow-up of %(unit)s for %(period)s has not been sent yet. "
            "The deadline is %(deadline)s.\n\n"
            "Fill it in and send it here: %(link)s\n\n"
            "This is an automatic reminder from Styrning."
        )
    else:
        subject = _("Overdue: %(unit)s's follow-up for %(period)s (deadline %(deadline)s)")
        body = _(
            "Hello %(name)s,\n\n"
            "The follow-up of %(unit)s for %(period)s was due on %(deadline)s and has not "
            "been sent. It can still be sent, but is marked late.\n\n"
            "Fill it in and send it here: %(link)s\n\n"
            "This is an automatic reminder from Styrning."
        )
    return subject % values, body % values


def send_reminders(today: dt.date | None = None) -> int:
    """Send today's due reminders for every open period; returns how many e-mails were sent.

    Queries: one for the open periods, one for the templates, and per period that is due
    one for its unsent units, one for their chefs and one for the reminders already sent.
    """
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN))
    days = _days_before({p.municipality_id for p in periods})
    due = [
        (period, kind)
        for period in periods
        if (kind := due_kind(period, today, days.get(period.municipality_id, DEFAULT_DAYS_BEFORE)))
    ]
    if not due:
        return 0  # most days: no connection to the mail server at all
    sent = 0
    with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
        for period, kind in due:
            units = unsent_units(period)
            if not units:
                continue
            chefs = (
                Membership.objects.filter(
                    unit__in=units, role=Membership.Role.MANAGER, user__is_active=True
                )
                .exclude(user__email="")
                .select_related("user", "unit")
                .order_by("unit__name", "user__username")
            )
            done = set(
                ReminderLog.objects.filter(period=period, kind=kind).values_list("unit", "user")
            )
            for membership in chefs:
                if (membership.unit_id, membership.user_id) in done:
                    continue
                sent += _send_one(connection, period, membership.unit, membership.user, kind)
    return sent


def _send_one(connection, period, unit, user, kind) -> int:
    """Log and send one reminder in one transaction: if sending fails, no log row stays
    (the reminder is tried at the next run the same day); if the log row exists (another
    run got there first), nothing is sent."""
    subject, body = _message(period, unit, user, kind)
    try:
        with transaction.atomic():
            ReminderLog.objects.create(
                period=period, unit=unit, user=user, kind=kind, email=user.email
            )
            EmailMessage(subject, body, to=[user.email], connection=connection).send()
    except IntegrityError:
        return 0
    return 1
