"""/uppfoljning/: "Min uppföljning" for chefs, the review overview for the ekonomichef.

Both read a fixed number of queries, whatever the number of units and periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models

from followup.models import ReportingPeriod, Submission
from styrning.models import OrgUnit
from styrning.permissions import scope_for

State = Submission.State
PeriodState = ReportingPeriod.State


@dataclass
class WorkRow:
    """One line of the list: a submission, or an enhet's part of one."""

    submission: Submission
    deadline: dt.date
    part_of: OrgUnit | None = None  # the enhet whose part this is (enhetschefer)
    overdue: bool = False  # not sent and past its deadline

    @property
    def late_sent(self) -> bool:
        return self.submission.is_sent and self.submission.late


def _overdue(submission, deadline, today) -> bool:
    return submission.state in Submission.EDITABLE_STATES and deadline < today


def chef_rows(user, today) -> list[WorkRow]:
    """What the chef (or delegate) must report in open periods, overdue first (one query
    besides the scope's)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return []
    mine = models.Q(delegate=user)
    part_roots = []
    for root in scope.manage_roots:
        mine |= models.Q(
            unit__tree_id=root.tree_id, unit__lft__gte=root.lft, unit__rght__lte=root.rght
        )
        if not root.is_office and not root.is_governing_body and root.kind != OrgUnit.Kind.COUNCIL:
            part_roots.append(root)
            mine |= models.Q(
                unit__tree_id=root.tree_id, unit__lft__lt=root.lft, unit__rght__gt=root.rght
            )
    rows = []
    for submission in (
        Submission.objects.filter(mine, period__state=PeriodState.OPEN)
        .select_related("period", "unit")
        .order_by("period__deadline", "unit__name")
    ):
        unit = submission.unit
        parts = [
            r
            for r in part_roots
            if r.tree_id == unit.tree_id and unit.lft < r.lft and r.rght < unit.rght
        ]
        own = submission.delegate_id == user.pk or any(
            r.tree_id == unit.tree_id and r.lft <= unit.lft and unit.rght <= r.rght
            for r in scope.manage_roots
        )
        if own:
            deadline = submission.period.deadline
            rows.append(WorkRow(submission, deadline, None, _overdue(submission, deadline, today)))
        elif submission.period.asks_goals:
            deadline = submission.period.unit_deadline
            for part in parts:
                rows.append(
                    WorkRow(submission, deadline, part, _overdue(submission, deadline, today))
                )
    rows.sort(key=lambda r: (not r.overdue, r.deadline, r.submission.unit.name))
    return rows


def has_due(rows) -> bool:
    """Is anything still to be written or sent?"""
    return any(r.submission.state in Submission.EDITABLE_STATES for r in rows)


REVIEW_ORDER = {State.SENT: 1, State.RETURNED: 2, State.DRAFT: 3, State.APPROVED: 4}


def review_rows(municipality, today) -> list[WorkRow]:
    """Every reporting unit × open or closed period with its submission: late ones first,
    then those waiting for review (one query)."""
    rows = [
        WorkRow(s, s.period.deadline, None, _overdue(s, s.period.deadline, today))
        for s in Submission.objects.filter(
            period__municipality=municipality,
            period__state__in=(PeriodState.OPEN, PeriodState.CLOSED),
        ).select_related("period", "unit", "sent_by", "delegate")
    ]
    rows.sort(
        key=lambda r: (
            not r.overdue,
            REVIEW_ORDER.get(r.submission.state, 5),
            -r.submission.period.year,
            -r.submission.period.month,
            r.submission.unit.name,
        )
    )
    return rows
