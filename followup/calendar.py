"""The årshjul as a service: templates, a year's periods, and their states.

Views, the daily Celery task, the ``make_periods`` command and the demo call
these functions; each runs in one transaction and writes its history with who
did it (``user``; None for the schedule).

The standard templates (``STANDARD_TEMPLATES``) come from the seeds. Hedemora:
"Alla uppföljningar görs månaden efter att perioden stängts i ekonomisystemet",
so a period opens some days after its month's end, when the ledger is closed,
and its deadline falls in the month after. The offsets (days after the month's end):

========================  =====  ================  ========
report                    opens  enheter's parts   deadline
========================  =====  ================  ========
månadsrapport             5      5 days before     15
delårsrapport (31 Aug)    5      7 days before     20
årsbokslut (31 Dec)       10     14 days before    45
========================  =====  ================  ========

The delårsrapport's submissions are in by 20 September, leaving KS time to hand
the report to KF within two months (kommunallagen); the årsbokslut's by mid
February, when Hedemora's nämnder have taken position on their part and before
KS adopts the årsredovisning in March. Katrineholm reports to KS every month but
January, June and August; August is its delårsrapport, December its bokslut.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followup.choices import ReportContent, ReportKind
from followup.models import CalendarEntry, CalendarTemplate, ReportingPeriod, Submission
from followup.submissions import create_drafts
from styrning.services import save_validated as _save

State = ReportingPeriod.State
MONTHLY, INTERIM, ANNUAL = ReportKind.MONTHLY, ReportKind.INTERIM, ReportKind.ANNUAL
ECONOMY, FORECAST = ReportContent.ECONOMY, ReportContent.ECONOMY_FORECAST
GOALS_PROGNOSIS, GOALS_YEAR = ReportContent.GOALS_PROGNOSIS, ReportContent.GOALS_YEAR

# (opens, units' lead, deadline) in days, per kind of report: see the module's docstring.
OFFSETS = {MONTHLY: (5, 5, 15), INTERIM: (5, 7, 20), ANNUAL: (10, 14, 45)}

# month → (kind, content), per standard template.
STANDARD_TEMPLATES = {
    "hedemora": {
        "name": "Hedemoras årshjul",
        "months": {
            2: (MONTHLY, ECONOMY),
            3: (MONTHLY, FORECAST),
            4: (MONTHLY, ECONOMY),
            5: (MONTHLY, ECONOMY),
            8: (INTERIM, GOALS_PROGNOSIS),
            9: (MONTHLY, ECONOMY),
            10: (MONTHLY, FORECAST),
            12: (ANNUAL, GOALS_YEAR),
        },
    },
    "katrineholm": {
        "name": "Katrineholms årshjul",
        "months": {
            2: (MONTHLY, ECONOMY),
            3: (MONTHLY, FORECAST),
            4: (MONTHLY, FORECAST),
            5: (MONTHLY, FORECAST),
            7: (MONTHLY, FORECAST),
            8: (INTERIM, GOALS_PROGNOSIS),
            9: (MONTHLY, FORECAST),
            10: (MONTHLY, FORECAST),
            11: (MONTHLY, FORECAST),
            12: (ANNUAL, GOALS_YEAR),
        },
    },
}
DEFAULT_TEMPLATE = "hedemora"


def install_template(municipality, key: str = DEFAULT_TEMPLATE, user=None) -> CalendarTemplate:
    """Create (or bring up to date) a standard template and make it the active one."""
    spec = STANDARD_TEMPLATES[key]
    with transaction.atomic():
        others = CalendarTemplate.objects.filter(municipality=municipality, is_active=True)
        for other in others.exclude(name=spec["name"]):
            other.is_active = False
            _save(other, user)
        template = CalendarTemplate.objects.filter(
            municipality=municipality, name=spec["name"]
        ).first() or CalendarTemplate(municipality=municipality, name=spec["name"])
        if template.pk is None or not template.is_active:
            template.is_active = True
            _save(template, user)
        existing = {entry.month: entry for entry in template.entries.all()}
        for month, (kind, content) in spec["months"].items():
            opens, lead, deadline = OFFSETS[kind]
            values = {
                "kind": kind,
                "content": content,
                "opens_after_days": opens,
                "deadline_after_days": deadline,
                "unit_lead_days": lead,
            }
            entry = existing.pop(month, None) or CalendarEntry(template=template, month=month)
            if entry.pk is None or any(getattr(entry, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(entry, name, value)
                _save(entry, user)
        for entry in existing.values():
            entry.delete()
    return template


def active_template(municipality, user=None) -> CalendarTemplate:
    """The municipality's active template; the standard one of its model if it has none."""
    template = CalendarTemplate.objects.active_for(municipality)
    if template is None:
        key = municipality.model_name if municipality.model_name in STANDARD_TEMPLATES else None
        template = install_template(municipality, key or DEFAULT_TEMPLATE, user)
    return template


@dataclass
class MadePeriods:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # no longer planned: never changed


def make_periods(municipality, year: int, user=None) -> MadePeriods:
    """Make ``year``'s periods from the active template; idempotent.

    A planned period follows the template (its dates and content are updated, and a
    planned period of a month the template no longer has is removed); a period
    that has been opened is never changed.
    """
    result = MadePeriods()
    reason = _("From the calendar template")
    with transaction.atomic():
        template = active_template(municipality, user)
        entries = {entry.month: entry for entry in template.entries.all()}
        existing = {
            p.month: p
            for p in ReportingPeriod.objects.select_for_update().filter(
                municipality=municipality, year=year
            )
        }
        for month, entry in sorted(entries.items()):
            opens_on, unit_deadline, deadline = entry.dates(year)
            values = {
                "kind": entry.kind,
                "content": entry.content,
                "opens_on": opens_on,
                "unit_deadline": unit_deadline,
                "deadline": deadline,
            }
            period = existing.pop(month, None)
            if period is None:
                period = ReportingPeriod(municipality=municipality, year=year, month=month)
                for name, value in values.items():
                    setattr(period, name, value)
                _save(period, user, reason)
                result.created += 1
            elif period.state != State.PLANNED:
                result.kept += 1
            elif any(getattr(period, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(period, name, value)
                _save(period, user, reason)
                result.updated += 1
        for period in existing.values():
            if period.state == State.PLANNED and not period.submissions.exists():
                period.delete()
                result.removed += 1
            else:
                result.kept += 1
    return result


def _locked_for_update(period) -> ReportingPeriod:
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


def _refuse_locked(period):
    if period.state == State.LOCKED:
        raise ValidationError(
            _("%(period)s is locked: its report has been adopted.") % {"period": period.label}
        )


def open_period(period, user=None, reason="") -> ReportingPeriod:
    """Open a planned period (or reopen a closed one): a draft submission per reporting unit."""
    with transaction.atomic():
        period = _locked_for_update(period)
        _refuse_locked(period)
        if period.state == State.OPEN:
            raise ValidationError(_("%(period)s is already open.") % {"period": period.label})
        if period.state == State.PLANNED and period.opens_on > timezone.localdate():
            # Opened early: the table says when it opened, not the day it was planned for.
            period.opens_on = timezone.localdate()
        period.state = State.OPEN
        _save(period, user, reason)
        # Every reporting unit gets its draft, pre-filled from the previous period.
        create_drafts(period, user)
        return period


def close_period(period, user=None) -> ReportingPeriod:
    """Close an open period: no more submissions come in."""
    with transaction.atomic():
        period = _locked_for_update(period)
        _refuse_locked(period)
        if period.state != State.OPEN:
            raise ValidationError(
                _("Only an open period can be closed; %(period)s is %(state)s.")
                % {"period": period.label, "state": period.get_state_display()}
            )
        period.state = State.CLOSED
        return _save(period, user)


def lock_period(period, reference: str, user=None) -> ReportingPeriod:
    """Lock a closed period once its report is adopted; its approved submissions lock too.

    ``reference`` is the adoption's decision reference, e.g. "KF 2027-04-20 § 12".
    Refused while a submission waits for review (inskickad).
    """
    reference = (reference or "").strip()
    with transaction.atomic():
        period = _locked_for_update(period)
        _refuse_locked(period)
        if period.state != State.CLOSED:
            raise ValidationError(
                _("Close %(period)s before you lock it; it is %(state)s.")
                % {"period": period.label, "state": period.get_state_display()}
            )
        if not reference:
            raise ValidationError(
                {"decision_reference": _("Give the decision that adopted the report.")}
            )
        waiting = period.submissions.filter(state=Submission.State.SENT).count()
        if waiting:
            raise ValidationError(
                ngettext(
                    "%(count)s submission of %(period)s waits for review.",
                    "%(count)s submissions of %(period)s wait for review.",
                    waiting,
                )
                % {"count": waiting, "period": period.label}
            )
        for submission in period.submissions.select_for_update().filter(
            state=Submission.State.APPROVED
        ):
            submission.state = Submission.State.LOCKED
            _save(submission, user, reference)
        period.state = State.LOCKED
        period.decision_reference = reference
        period.locked_at = timezone.now()
        period.locked_by = user
        return _save(period, user, reference)


def run_due(today: dt.date | None = None) -> list[ReportingPeriod]:
    """Open every planned period whose opening date has come; returns those opened.

    The schedule is data: the periods say when they open. The daily task calls this.
    """
    today = today or timezone.localdate()
    opened = []
    reason = _("Opened by the calendar")
    for period in ReportingPeriod.objects.due_to_open(today).order_by("opens_on", "pk"):
        opened.append(open_period(period, reason=reason))
    return opened
