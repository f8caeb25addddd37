"""/uppfoljning/: "Min uppföljning" for chefs, the review overview for the ekonomichef.

Both read a fixed number of queries, whatever the number of units and periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import models

from followup.models import PartDone, ReportingPeriod, Submission
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
    part_done: bool = False  # the enhet's part marked done by its chef

    @property
    def late_sent(self) -> bool:
        return self.submission.is_sent and self.submission.late


def _overdue(submission, deadline, today) -> bool:
    """Not sent and past its deadline while it can still be sent (its period open; a
    closed period's draft can no longer be, until the period is reopened)."""
    return (
        submission.state in Submission.EDITABLE_STATES
        and deadline < today
        and submission.period.state == PeriodState.OPEN
    )


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
    _mark_parts_done([r for r in rows if r.part_of is not None])
    rows.sort(key=lambda r: (not r.overdue, r.deadline, r.submission.unit.name))
    return rows


def _mark_parts_done(rows) -> None:
    """An enhet's part marked done is done: not overdue, not due (one query, none
    without parts)."""
    if not rows:
        return
    done = PartDone.objects.filter(submission__in={r.submission.pk for r in rows}).values_list(
        "submission_id", "unit__tree_id", "unit__lft"
    )
    for row in rows:
        root = row.part_of
        row.part_done = any(
            pk == row.submission.pk and tree == root.tree_id and root.lft <= lft < root.rght
            for pk, tree, lft in done
        )
        row.overdue = row.overdue and not row.part_done


def has_due(rows) -> bool:
    """Is anything still to be written or sent (an enhet's part marked done is not)?"""
    return any(r.submission.state in Submission.EDITABLE_STATES and not r.part_done for r in rows)


REVIEW_ORDER = {State.SENT: 1, State.RETURNED: 2, State.DRAFT: 3, State.APPROVED: 4}
REVIEW_PAGE_SIZE = 50
REVIEW_PERIOD_STATES = (PeriodState.OPEN, PeriodState.CLOSED)


def review_periods(municipality):
    """The open and closed periods, latest first: what the review list can be limited to
    (no query until evaluated)."""
    return ReportingPeriod.objects.filter(
        municipality=municipality, state__in=REVIEW_PERIOD_STATES
    ).order_by("-year", "-month")


def review_queryset(municipality, today, period=None):
    """Every reporting unit × open or closed period (or only ``period``) with its
    submission, ordered in SQL: late ones first, then those waiting for review (sent,
    returned, draft, approved), the latest period first, then by unit."""
    overdue = models.Case(
        models.When(
            state__in=Submission.EDITABLE_STATES,
            period__deadline__lt=today,
            period__state=PeriodState.OPEN,
            then=models.Value(0),
        ),
        default=models.Value(1),
    )
    state_order = models.Case(
        *[
            models.When(state=state, then=models.Value(order))
            for state, order in REVIEW_ORDER.items()
        ],
        default=models.Value(5),
    )
    submissions = Submission.objects.filter(
        period__municipality=municipality, period__state__in=REVIEW_PERIOD_STATES
    )
    if period is not None:
        submissions = submissions.filter(period=period)
    return (
        submissions.select_related("period", "unit", "sent_by", "delegate")
        .annotate(review_overdue=overdue, review_state=state_order)
        .order_by(
            "review_overdue",
            "review_state",
            "-period__year",
            "-period__month",
            "unit__name",
            "pk",
        )
    )


def review_page(municipality, today, period=None, number=None):
    """One page (``REVIEW_PAGE_SIZE`` rows) of the review list: the Paginator's page, whose
    ``rows`` are WorkRows (two queries: the count and the page, whatever the number of
    units and periods)."""
    paginator = Paginator(review_queryset(municipality, today, period), REVIEW_PAGE_SIZE)
    page = paginator.get_page(number)
    page.rows = [
        WorkRow(s, s.period.deadline, None, _overdue(s, s.period.deadline, today))
        for s in page.object_list
    ]
    return page


def decided_for(user):
    """The approved follow-ups that concern the user: those of their own units, of the
    units below them (a nämnd's förvaltning) and above them (an enhet's förvaltning);
    every one for a user with no unit (no query: a queryset, on the user's scope)."""
    units = scope_for(user).units
    submissions = Submission.objects.decided_visible_to(user)
    if units:
        near = models.Q(pk__in=[])
        for unit in units:
            same_tree = models.Q(unit__tree_id=unit.tree_id)
            below = models.Q(unit__lft__gte=unit.lft, unit__rght__lte=unit.rght)
            above = models.Q(unit__lft__lte=unit.lft, unit__rght__gte=unit.rght)
            near |= same_tree & (below | above)
        submissions = submissions.filter(near)
    return submissions


def decided_periods(municipality, decided):
    """The periods of the ``decided`` follow-ups (``decided_for``), latest first (one query)."""
    return list(
        ReportingPeriod.objects.filter(
            municipality=municipality, pk__in=decided.values("period")
        ).order_by("-year", "-month")
    )


def decided_rows(decided, period) -> list[Submission]:
    """The ``decided`` follow-ups of ``period``, in the organisation's order (one query)."""
    return list(
        decided.filter(period=period)
        .select_related("period", "unit", "decided_by")
        .order_by("unit__tree_id", "unit__lft")
    )
