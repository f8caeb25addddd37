"""The submission workflow: drafts, pre-fill, saving, what is missing, send, return, approve.

Views, the calendar (``open_period``), the demo and the tests call these functions;
each write runs in one transaction and records who did it in the history. State
rules live here (permissions are the views' business, through styrning.permissions):

- utkast/återsänd in an open period: saved and sent (late after the deadline: allowed,
  and ``Submission.late`` says so);
- inskickad: returned with a reason, or approved (the ekonomichef);
- nothing changes in a locked period, whoever asks.

The helårsprognos of a submission is the budget's ``Forecast`` rows of the unit for
the period's month, written as ``/budget/``'s forecast form writes them
(``budget.overview.forecast_basis`` beside ``styrning.services.save_if_changed``, in
tkr and table sign through ``budget.signs``). Indicator values are ``goals.Measurement``
rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget import signs, totals
from budget.models import AccountGroup, BudgetYear, Forecast
from budget.overview import forecast_basis, month_forecast, needs_action_plan
from followup import personnel
from followup.choices import FORECAST_CONTENTS, GOAL_CONTENTS
from followup.fulfilment_queries import CompiledQuery
from followup.models import (
    Assessment,
    AssignmentReport,
    Evidence,
    PartDone,
    PersonnelFigure,
    ReportedValue,
    ReportingPeriod,
    Submission,
)
from followup.models.assessments import EVIDENCE_EXTENSIONS
from followup.models.personnel import PERSONNEL_KINDS
from followup.worklist import compiled_rows, compiled_values
from goals.models import Assignment, Goal, Indicator, Measurement
from styrning import formatting
from styrning.models import OrgUnit
from styrning.services import save_if_changed
from styrning.services import save_validated as _save

State = Submission.State
ZERO = Decimal("0")
CLOSED_ASSIGNMENT = (Assignment.Status.DONE, Assignment.Status.CANCELLED)
EARLIER_VALUES = 4  # earlier indicator values shown beside the field

# The reason of every row the period's opening copies forward (followup.history names the
# system as its author, beside the user who opened the period).
COPY_REASON = gettext_lazy("Copied automatically from the previous period when the period opened")


def _refuse_locked(period):
    if period.state == ReportingPeriod.State.LOCKED:
        raise ValidationError(_("The period is locked: its report has been adopted."))


def _locked_row(submission) -> Submission:
    """The submission again, locked for the transaction, with its period (one query)."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period", "unit")
        .get(pk=submission.pk)
    )


# Drafts and pre-fill ----------------------------------------------------------------


def reporting_units(municipality):
    """The municipality's reporting units: förvaltningar and bolag (no query until evaluated)."""
    return OrgUnit.objects.filter(municipality=municipality, kind__in=OrgUnit.OFFICE_KINDS)


def create_drafts(period, user=None) -> int:
    """A draft submission for every reporting unit without one, pre-filled; returns how many.

    ``followup.calendar.open_period`` calls this inside its transaction.
    """
    _refuse_locked(period)
    have = set(period.submissions.values_list("unit_id", flat=True))
    created = 0
    for unit in reporting_units(period.municipality).order_by("name"):
        if unit.pk in have:
            continue
        submission = _save(Submission(period=period, unit=unit), user, _("Opened with the period"))
        prefill(submission, user)
        created += 1
    return created


def covered_goals(submission):
    """The goals the submission assesses (no query until evaluated).

    Adopted goals valid in the period's year at a level assessed in follow-up, owned
    by the unit, the units below it, or the nämnd/styrelse it serves; in the order of
    the organisation tree, then of each goal tree.
    """
    unit, year = submission.unit, submission.period.year
    owners = models.Q(
        owner__tree_id=unit.tree_id, owner__lft__gte=unit.lft, owner__rght__lte=unit.rght
    )
    if unit.parent_id is not None:
        owners |= models.Q(owner_id=unit.parent_id, owner__kind__in=OrgUnit.GOVERNING_KINDS)
    return Goal.objects.filter(
        owners,
        status=Goal.Status.ADOPTED,
        level__is_assessed=True,
        start_year__lte=year,
        end_year__gte=year,
    ).order_by("owner__tree_id", "owner__lft", "level__order", "tree_id", "lft")


def covered_assignments(submission):
    """The särskilda uppdrag the submission reports on (no query until evaluated): those
    given to the unit or a unit below it, and to the nämnd or styrelse it serves (its
    förvaltning reports on them, as on the nämnd's goals)."""
    unit = submission.unit
    units = models.Q(unit__tree_id=unit.tree_id, unit__lft__gte=unit.lft, unit__rght__lte=unit.rght)
    if unit.parent_id is not None:
        units |= models.Q(unit_id=unit.parent_id, unit__kind__in=OrgUnit.GOVERNING_KINDS)
    return Assignment.objects.filter(units)


def _earlier(submission):
    """The unit's submissions of earlier periods (no query until evaluated)."""
    period = submission.period
    return Submission.objects.filter(unit_id=submission.unit_id).filter(
        models.Q(period__year__lt=period.year)
        | models.Q(period__year=period.year, period__month__lt=period.month)
    )


def _previous_assessments(submission, goal_ids) -> dict:
    """Goal pk → its latest assessment in an earlier goal period of the same unit, with
    that submission's period (one query): what the pre-fill copies and what the form
    compares against."""
    previous = {}
    for row in (
        Assessment.objects.filter(
            submission__in=_earlier(submission).filter(period__content__in=GOAL_CONTENTS),
            goal_id__in=goal_ids,
        )
        .select_related("submission__period")
        .order_by("goal_id", "-submission__period__year", "-submission__period__month")
    ):
        previous.setdefault(row.goal_id, row)
    return previous


def prefill(submission, user=None) -> int:
    """Copy texts and assessments forward from the unit's earlier submissions; idempotent.

    Only empty fields are filled: what anyone has written is never overwritten. Texts
    come from the latest earlier submission that has them; in a goal period (delår,
    årsbokslut) a goal's assessment, its prognosis and analysis from its latest earlier
    assessment in a goal period. A månadsrapport gets no assessments. Returns the
    number of rows written.
    """
    submission = _locked_row(submission)
    _refuse_locked(submission.period)
    if submission.state not in Submission.EDITABLE_STATES:
        return 0
    # The user who opened the period made it happen; the reason says the text is a copy,
    # not theirs (a trial read the entry as if the ekonomichef had written the comment).
    reason = str(COPY_REASON)
    written = 0
    earlier = _earlier(submission).order_by("-period__year", "-period__month")
    for name in ("economic_comment", "action_plan"):
        if getattr(submission, name).strip():
            continue
        if name == "action_plan":
            # A plan answers the last forecast's deviation: only where a forecast is asked
            # for, and only the latest submission's (a plan since dropped is not revived).
            if not submission.period.asks_forecast:
                continue
            text = earlier.values_list(name, flat=True).first()
        else:
            text = earlier.exclude(**{name: ""}).values_list(name, flat=True).first()
        if text:
            setattr(submission, name, text)
            written = 1
    if written:
        _save(submission, user, reason)
    if not submission.period.asks_goals:
        return written  # a månadsrapport asks for the economy only: no assessments
    goals = list(covered_goals(submission).values_list("pk", flat=True))
    previous = _previous_assessments(submission, goals)
    existing = {a.goal_id: a for a in submission.assessments.all()}
    for goal_id in goals:
        source = previous.get(goal_id)
        if source is None:
            continue
        assessment = existing.get(goal_id) or Assessment(submission=submission, goal_id=goal_id)
        changed = False
        # A prognosis for the year-end only where the period asks for one: the årsbokslut
        # assesses the year itself (a delår's prognosis copied there read "prognos för
        # årets slut" beside the year's own assessment).
        names = ("status", "prognosis", "analysis")
        if not submission.period.goal_prognosis:
            names = ("status", "analysis")
        for name in names:
            if not getattr(assessment, name) and getattr(source, name):
                setattr(assessment, name, getattr(source, name))
                changed = True
        if changed:
            _save(assessment, user, reason)
            written += 1
    return written


# What the page shows ------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    earlier: list  # (label, value) of earlier total values, oldest first
    current: dict  # gender → this period's value (Decimal) or None
    trend: str = ""  # "better", "unchanged", "worse" or "" (too few values)

    @property
    def trend_label(self) -> str:
        return _trend_labels().get(self.trend, "")

    @property
    def arrow(self) -> str:
        """Which way the value moved (the words say whether that is better): ↗ rose,
        ↘ fell, → unchanged; a falling sick leave is ↘ and "better"."""
        if not self.trend:
            return ""
        if self.trend == "unchanged":
            return "→"
        higher = self.indicator.direction == Indicator.Direction.HIGHER
        return "↗" if (self.trend == "better") == higher else "↘"


def _trend_labels():
    return {
        "better": _("better since the last measurement"),
        "unchanged": _("unchanged since the last measurement"),
        "worse": _("worse since the last measurement"),
    }


def trend(indicator, values) -> str:
    """Better/unchanged/worse from the last two values (oldest first) and the direction."""
    if len(values) < 2 or values[-1] is None or values[-2] is None:
        return ""
    change = values[-1] - values[-2]
    if change == 0:
        return "unchanged"
    higher = indicator.direction == Indicator.Direction.HIGHER
    return "better" if (change > 0) == higher else "worse"


@dataclass
class GoalRow:
    goal: Goal
    assessment: Assessment | None
    indicators: list[IndicatorRow] = field(default_factory=list)
    evidence: list = field(default_factory=list)
    # The earlier period whose assessment this still repeats word for word ("" if none).
    unchanged_since: str = ""
    # The roll-up's suggestion from the goals below and the indicators (the view sets it
    # on the rows it shows: followup.rollup.GoalRollup), None when not asked.
    rollup: object = None


@dataclass
class UnitGroup:
    unit: OrgUnit
    goals: list[GoalRow] = field(default_factory=list)
    deadline: object = None  # the enhet's parts are due at the period's unit deadline


@dataclass
class PersonnelRow:
    """One unit's personnel figures in a goal period's submission (as /uppfoljning/personal/)."""

    unit: OrgUnit
    figure: PersonnelFigure | None


@dataclass
class Content:
    """Everything the submission page shows and the form is built from."""

    submission: Submission
    groups: list[UnitGroup]
    assignments: list  # (assignment, report or None)
    basis: list | None  # budget.overview.ForecastBasis rows, None without a budget year
    budget_year: object
    forecast_saved: bool
    evidence: list  # attached to the economic comment
    personnel: list = field(default_factory=list)  # PersonnelRow per unit, goal periods only
    budget_total: Decimal = ZERO
    outcome_total: Decimal = ZERO
    outcome_month: int | None = None  # the last month the outcome is booked through
    forecast_total: Decimal | None = None
    forecast_comment: str = ""  # the comment of the month's forecast (as /budget/ has it)
    # Texts that still read as an earlier period wrote them: field name → its period.
    unchanged: dict = field(default_factory=dict)

    @property
    def period(self):
        return self.submission.period

    @property
    def goal_rows(self):
        return [row for group in self.groups for row in group.goals]

    @property
    def unbooked_months(self) -> str:
        """The period's months the ledger has no bookings for yet: "december",
        "november–december"; "" when it is booked through the period's month."""
        last = self.period.month
        first = (self.outcome_month or 0) + 1
        if first > last:
            return ""
        if first == last:
            return formatting.month_name(last).lower()
        return f"{formatting.month_name(first).lower()}–{formatting.month_name(last).lower()}"

    @property
    def action_plan_required(self) -> bool:
        """The budget's own rule: a negative deviation of the forecast beyond the threshold."""
        if self.basis is None or not self.period.asks_forecast or self.forecast_total is None:
            return False
        deviation = signs.deviation(self.forecast_total, self.budget_total)
        return needs_action_plan(self.budget_year, deviation, self.budget_total)

    @property
    def deviation_tkr(self):
        if self.forecast_total is None:
            return None
        return signs.to_tkr(signs.deviation(self.forecast_total, self.budget_total))


# Above this many goals the form comes in parts (?del=N): the economy, personnel and
# assignments first, then the goals, at most this many a part. Every part saves on its
# own; "what is missing" and sending always cover the whole submission.
GOAL_PART_SIZE = 40


@dataclass
class FormPart:
    """One part of the submission form: the economy part, or a run of goal groups."""

    number: int
    groups: list  # UnitGroup, the goals this part assesses
    economy: bool  # the economic comment, forecast, action plan, personnel and assignments

    @property
    def goal_rows(self):
        return [row for group in self.groups for row in group.goals]

    @property
    def label(self) -> str:
        if self.economy and not self.groups:
            return _("Economy, personnel and assignments")
        if self.economy:
            return _("The whole follow-up")
        first, last = self.groups[0].unit.name, self.groups[-1].unit.name
        if first == last:
            return _("Goals: %(unit)s") % {"unit": first}
        return _("Goals: %(first)s – %(last)s") % {"first": first, "last": last}


def form_parts(page) -> list[FormPart]:
    """The parts of the form (no query): one part when the goals are few; else the
    economy part and parts of at most ``GOAL_PART_SIZE`` goals, a unit's goals kept
    together where they fit in one part."""
    if len(page.goal_rows) <= GOAL_PART_SIZE:
        return [FormPart(1, page.groups, True)]
    parts = [FormPart(1, [], True)]
    current: list = []
    size = 0

    def flush():
        nonlocal current, size
        if current:
            parts.append(FormPart(len(parts) + 1, current, False))
        current, size = [], 0

    for group in page.groups:
        goals = list(group.goals)
        if size and size + len(goals) > GOAL_PART_SIZE and len(goals) <= GOAL_PART_SIZE:
            flush()
        while goals:
            if size == GOAL_PART_SIZE:
                flush()
            take, goals = goals[: GOAL_PART_SIZE - size], goals[GOAL_PART_SIZE - size :]
            current.append(UnitGroup(group.unit, take, group.deadline))
            size += len(take)
    flush()
    return parts


def measurement_month(period):
    """The Measurement month of a period's values: None (the year) at the årsbokslut."""
    return None if period.month == 12 else period.month


def _operating_groups(municipality):
    """The revenue and cost groups (one query; a municipality gets its groups when it is
    created, see budget.signals: reading a page never writes)."""
    groups = compiled_rows(
        "operating groups",
        lambda municipality_id: AccountGroup.objects.filter(municipality=municipality_id).filter(
            kind__in=(AccountGroup.Kind.REVENUE, AccountGroup.Kind.COST)
        ),
        municipality.pk,
    )
    for group in groups:
        AccountGroup.municipality.field.set_cached_value(group, municipality)  # as the manager
    return groups


# The page's queries, compiled once per connection (followup.worklist.compiled_rows and
# fulfilment_queries.CompiledQuery; the ORM on SQLite): building and compiling them cost
# more Python than the rest of the page. Each builder takes plain values (ids, years,
# a unit's tree bounds) and gives the queryset the page asked the ORM for.


def _stand_in(tree_id, lft, rght, parent_id=None, year=None):
    """A submission of a unit with these tree bounds (and parent) in ``year``: what
    ``covered_goals`` and ``covered_assignments`` read of one."""
    unit = OrgUnit(tree_id=tree_id, lft=lft, rght=rght, parent_id=parent_id)
    return Submission(unit=unit, period=ReportingPeriod(year=year))


def _bounds(unit) -> list:
    """The unit's tree bounds, and its parent's pk when it has one (a shape of its own)."""
    bounds = [unit.tree_id, unit.lft, unit.rght]
    return bounds if unit.parent_id is None else [*bounds, unit.parent_id]


_INDICATORS = CompiledQuery(
    lambda goal_ids: Indicator.objects.filter(goal_id__in=goal_ids).order_by(
        "goal_id", "order", "name"
    ),
    in_list=0,
)
_MEASUREMENTS = CompiledQuery(
    lambda indicator_ids, year: (
        Measurement.objects.filter(indicator_id__in=indicator_ids, year__lte=year)
        .order_by("year", models.F("month").asc(nulls_last=True))
        .values_list("indicator_id", "year", "month", "gender", "value")
    ),
    in_list=0,
)


def content(submission) -> Content:
    """The page's content for ``submission`` (loaded with ``for_page``), in a fixed
    number of queries whatever the number of goals, indicators and assignments.
    """
    period, unit = submission.period, submission.unit
    groups: dict[int, UnitGroup] = {}
    goal_rows: dict[int, GoalRow] = {}
    evidence = compiled_rows(
        "submission evidence",
        lambda pk: Evidence.objects.filter(submission=pk).select_related("uploaded_by"),
        submission.pk,
    )
    units = []  # the unit and those below it, in tree order (goal periods)
    bounds = _bounds(unit)
    if period.asks_goals:
        units = compiled_rows(
            "submission units",
            lambda *b: OrgUnit.objects.in_subtrees([_stand_in(*b).unit]).order_by("tree_id", "lft"),
            *bounds[:3],
        )
        # Each goal's owner is one of them or the nämnd above: the same instance for all
        # its goals, not one built per goal row by select_related.
        owners = {u.pk: u for u in units}
        if unit.parent is not None:
            owners[unit.parent_id] = unit.parent
        goals = compiled_rows(
            ("submission goals", len(bounds)),
            lambda year, *b: covered_goals(_stand_in(*b, year=year)).select_related("level"),
            period.year,
            *bounds,
        )
        assessments = {a.goal_id: a for a in _rows_of(Assessment, submission)}
        # Set as select_related sets them: in the relation's cache, the keys already
        # matching (an assignment checks the instance and asks the database routers).
        owner_field, goal_field = Goal.owner.field, Assessment.goal.field
        for goal in goals:
            owner_field.set_cached_value(goal, owners[goal.owner_id])
            group = groups.get(goal.owner_id)
            if group is None:
                group = groups[goal.owner_id] = UnitGroup(goal.owner)
                if goal.owner.kind == OrgUnit.Kind.UNIT:
                    group.deadline = period.unit_deadline
            assessment = assessments.get(goal.pk)
            if assessment is not None:
                goal_field.set_cached_value(assessment, goal)  # the page reads its owner
            row = goal_rows[goal.pk] = GoalRow(goal, assessment)
            group.goals.append(row)
        month = measurement_month(period)
        indicators = _INDICATORS(list(goal_rows))
        values = defaultdict(list)
        current = defaultdict(dict)
        for m in _MEASUREMENTS([i.pk for i in indicators], period.year):
            ind, year, m_month, gender, value = m
            if year == period.year and m_month == month:
                current[ind][gender] = value
                continue
            if year == period.year and (month is None or (m_month or 13) > month):
                continue  # later in the year than this period
            if gender == Measurement.Gender.TOTAL:
                label = f"{year}-{m_month:02d}" if m_month else str(year)
                values[ind].append((label, value))
        # What this submission reports and nobody has approved yet stands over the live
        # measurement (None: it clears it).
        for ind, gender, value in compiled_values(
            "submission reported values",
            lambda pk: ReportedValue.objects.filter(submission=pk).values_list(
                "indicator_id", "gender", "value"
            ),
            submission.pk,
        ):
            if value is None:
                current[ind].pop(gender, None)
            else:
                current[ind][gender] = value
        for indicator in indicators:
            earlier = values[indicator.pk][-EARLIER_VALUES:]
            series = [v for _label, v in earlier]
            now = current[indicator.pk].get(Measurement.Gender.TOTAL)
            if now is not None:
                series.append(now)
            goal_rows[indicator.goal_id].indicators.append(
                IndicatorRow(indicator, earlier, current[indicator.pk], trend(indicator, series))
            )
        for item in evidence:
            if item.assessment_id is not None:
                for row in goal_rows.values():
                    if row.assessment is not None and row.assessment.pk == item.assessment_id:
                        row.evidence.append(item)
    personnel_rows = []
    if period.asks_goals:
        units = [u for u in units if u.kind in PERSONNEL_KINDS]
        figures = personnel.figure_lookup(period, units)
        personnel_rows = [PersonnelRow(u, figures.get(u.pk)) for u in units]
    reports = {r.assignment_id: r for r in _rows_of(AssignmentReport, submission)}
    assignments = [
        (a, reports.get(a.pk))
        for a in compiled_rows(
            ("submission assignments", len(bounds)),
            lambda *b: (
                covered_assignments(_stand_in(*b))
                .select_related("unit", "given_by")
                .order_by("due_date", "title")
            ),
            *bounds,
        )
        if a.status not in CLOSED_ASSIGNMENT or a.pk in reports
    ]
    # .first(): the model's ordering (-year), one row.
    found = compiled_rows(
        "submission budget year",
        lambda municipality_id, year: BudgetYear.objects.filter(
            municipality_id=municipality_id, year=year
        )[:1],
        period.municipality_id,
        period.year,
    )
    budget_year = found[0] if found else None
    basis = None
    result = Content(
        submission=submission,
        groups=list(groups.values()),
        assignments=assignments,
        basis=None,
        budget_year=budget_year,
        forecast_saved=False,
        evidence=[e for e in evidence if e.assessment_id is None],
        personnel=personnel_rows,
    )
    if budget_year is not None:
        basis = forecast_basis(
            budget_year, unit, period.month, _operating_groups(unit.municipality)
        )
        result.basis = basis
        result.budget_total = sum((b.budget for b in basis), ZERO)
        result.outcome_total = sum((b.outcome for b in basis), ZERO)
        booked = totals.latest_booked_month(unit.municipality_id, period.year)
        result.outcome_month = min(booked, period.month) if booked else None
        if period.asks_forecast:
            result.forecast_saved, result.forecast_comment = month_forecast(
                unit, period.year, period.month
            )
            result.forecast_total = sum((b.suggestion for b in basis), ZERO)
    return result


UNCHANGED_TEXTS = ("economic_comment", "action_plan")
EARLIER_LOOKED_AT = 12  # a year of månadsrapporter: far enough back for a copied text


def mark_unchanged(page: Content) -> None:
    """Mark what still reads word for word as an earlier period wrote it: the texts the
    pre-fill copied and nobody has touched, so the chef sees what to review before
    sending (copying never decides for them). Only while the submission can change
    (two queries)."""
    submission = page.submission
    if submission.state not in Submission.EDITABLE_STATES:
        return
    earlier = list(
        _earlier(submission)
        .select_related("period")
        .order_by("-period__year", "-period__month")
        .only("period", *UNCHANGED_TEXTS)[:EARLIER_LOOKED_AT]
    )
    for name in UNCHANGED_TEXTS:
        text = getattr(submission, name).strip()
        source = next((e for e in earlier if getattr(e, name).strip()), None)
        if text and source is not None and getattr(source, name).strip() == text:
            page.unchanged[name] = source.period.label
    rows = {row.goal.pk: row for row in page.goal_rows if row.assessment is not None}
    if rows:
        for goal_id, old in _previous_assessments(submission, list(rows)).items():
            now = rows[goal_id].assessment
            same = all(getattr(now, n) == getattr(old, n) for n in ("status", "analysis"))
            if same and now.analysis.strip():
                rows[goal_id].unchanged_since = old.submission.period.label


# Saving -------------------------------------------------------------------------------


@dataclass
class Parts:
    """What a save brings, already parsed by the form (only the parts the user may edit).

    ``fields``: Submission fields; ``assessments``: goal pk → {status, prognosis, analysis};
    ``assignments``: assignment pk → {status, comment}; ``forecasts``: group pk → the
    full-year forecast of the unit and all below it in tkr, table sign;
    ``measurements``: (indicator pk, gender) → value or None (clears it);
    ``personnel``: OrgUnit → {PersonnelFigure value field: value or None} (goal periods).
    Each dict also carries ``errors_to`` names: the form field an error belongs to.
    """

    fields: dict = field(default_factory=dict)
    assessments: dict = field(default_factory=dict)
    assignments: dict = field(default_factory=dict)
    forecasts: dict = field(default_factory=dict)
    forecast_comment: str | None = None  # the month's comment, saved on every forecast row
    measurements: dict = field(default_factory=dict)
    personnel: dict = field(default_factory=dict)


def _require_editable(submission):
    _refuse_locked(submission.period)
    if submission.state not in Submission.EDITABLE_STATES:
        raise ValidationError(
            _("The follow-up is %(state)s and can no longer be changed.")
            % {"state": submission.get_state_display()}
        )
    if submission.period.state != ReportingPeriod.State.OPEN:
        raise ValidationError(
            _("%(period)s is not open: the follow-up can no longer be changed.")
            % {"period": submission.period.label}
        )


def save_draft(submission, parts: Parts, user=None, basis=None) -> Submission:
    """Save every part at once (the caller holds the transaction and the version check).

    Raises ``ValidationError`` with a dict keyed by the form's field names when a part
    breaks a rule (an assignment marked done without a comment, say); nothing is then
    kept. ``basis`` is the page's ``forecast_basis`` (read again when omitted).
    """
    submission = _locked_row(submission)
    _require_editable(submission)
    period = submission.period
    reason = _("Draft saved")
    errors: dict[str, list] = {}
    for name, value in parts.fields.items():
        setattr(submission, name, value)
    _save(submission, user, reason)  # also moves the version every save is checked against
    if parts.assessments:
        existing = {
            a.goal_id: a for a in submission.assessments.filter(goal_id__in=parts.assessments)
        }
        for goal_id, values in parts.assessments.items():
            assessment = existing.get(goal_id) or Assessment(submission=submission, goal_id=goal_id)
            if all(getattr(assessment, k) == v for k, v in values.items()):
                continue  # as stored, or still empty: nothing to write
            for name, value in values.items():
                setattr(assessment, name, value)
            _save(assessment, user, reason)
    if parts.assignments:
        _save_assignments(submission, parts.assignments, user, errors)
    if parts.forecasts:
        _save_forecasts(submission, parts.forecasts, user, basis, parts.forecast_comment)
    if parts.measurements:
        save_reported_values(submission, parts.measurements, user, reason)
    if parts.personnel and period.asks_goals:
        # The same rows and rules as /uppfoljning/personal/, inside this transaction.
        try:
            personnel.save_figures(period, parts.personnel, user, reason=reason)
        except ValidationError as error:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return submission


def _save_assignments(submission, values_by_pk, user, errors):
    """The period's report of each assignment, and the assignment itself by its own rules."""
    reports = {r.assignment_id: r for r in submission.assignment_reports.all()}
    assignments = Assignment.objects.in_bulk(list(values_by_pk))
    for pk, values in values_by_pk.items():
        assignment = assignments[pk]
        report = reports.get(pk) or AssignmentReport(submission=submission, assignment=assignment)
        if (report.status, report.comment) == (values["status"], values["comment"]):
            continue  # as stored (or still empty): no report, no change of the assignment
        report.status, report.comment = values["status"], values["comment"]
        _save(report, user)
        if not values["status"]:
            continue
        # Checked now by the uppdrag's own rules; the uppdrag itself changes when the
        # submission is approved (``_apply_reported``).
        assignment.status = values["status"]
        assignment.comment = values["comment"]
        try:
            assignment.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                target = f"u-{pk}-comment" if name == "comment" else f"u-{pk}-status"
                errors.setdefault(target, []).extend(messages)


def pending_forecasts(municipality, year) -> set[tuple[int, int]]:
    """(unit pk, month) of the forecasts of ``year`` whose follow-up is not approved yet:
    those of submissions in the periods that ask for a forecast, not decided (one query;
    registered with ``budget.pending``; compiled once per connection: every budget
    overview asks)."""
    return set(
        compiled_values(
            "pending forecasts",
            lambda municipality, year: (
                Submission.objects.filter(
                    period__municipality=municipality,
                    period__year=year,
                    period__content__in=FORECAST_CONTENTS,
                )
                .exclude(state__in=Submission.DECIDED_STATES)
                .values_list("unit_id", "period__month")
            ),
            municipality.pk,
            year,
        )
    )


def locked_month(municipality, year, month) -> str:
    """Why the forecasts made in ``month`` can no longer change: a locked period of that
    month (its report adopted), else "" (one query; registered with ``budget.pending``).
    Nothing in a locked period changes, the budget's forecast of it included."""
    period = ReportingPeriod.objects.filter(
        municipality=municipality, year=year, month=month, state=ReportingPeriod.State.LOCKED
    ).first()
    if period is None:
        return ""
    return _("%(period)s is locked: its report has been adopted (%(reference)s).") % {
        "period": period,
        "reference": period.decision_reference or _("no decision given"),
    }


def _rows_of(model, submission) -> list:
    """``submission``'s rows of ``model`` (its assessments, its uppdrag reports) by a
    statement compiled once per connection, each holding the submission as the related
    manager's rows do."""
    rows = compiled_rows(
        ("submission rows", model),
        lambda pk: model.objects.filter(submission=pk),
        submission.pk,
    )
    field = model.submission.field
    for row in rows:
        field.set_cached_value(row, submission)
    return rows


def _live_values(period, indicator_ids) -> dict:
    """(indicator pk, gender) → the measurement of ``period``'s slot (one query)."""
    return {
        (ind, gender): value
        for ind, gender, value in Measurement.objects.filter(
            indicator_id__in=indicator_ids, year=period.year, month=measurement_month(period)
        ).values_list("indicator_id", "gender", "value")
    }


def values_in_submission(submission, indicator_ids) -> dict:
    """(indicator pk, gender) → the value ``submission`` shows for its period's slot: the
    one reported in it, else the live measurement (two queries)."""
    values = _live_values(submission.period, indicator_ids)
    values.update(
        ((ind, gender), value)
        for ind, gender, value in submission.reported_values.filter(
            indicator_id__in=indicator_ids
        ).values_list("indicator_id", "gender", "value")
    )
    return values


def save_reported_values(submission, measurements, user, reason):
    """The values the form reports, kept with the submission until it is approved: a
    value equal to the live measurement is no report (its row goes)."""
    live = _live_values(submission.period, {ind for ind, _g in measurements})
    reported = {
        (r.indicator_id, r.gender): r
        for r in submission.reported_values.filter(
            indicator_id__in={ind for ind, _g in measurements}
        )
    }
    for (indicator_id, gender), value in measurements.items():
        row = reported.get((indicator_id, gender))
        if value == live.get((indicator_id, gender)):
            if row is not None:
                row.delete()
            continue
        save_if_changed(
            ReportedValue,
            {"submission": submission, "indicator_id": indicator_id, "gender": gender},
            {"value": value},
            user=user,
            reason=reason,
        )


def _apply_reported(submission, user):
    """On approval: the reported indicator values become the measurements of the period,
    and each uppdrag takes the status and comment reported for it (with the history)."""
    period = submission.period
    reason = _("Approved in %(period)s") % {"period": period.label}
    month = measurement_month(period)
    for row in submission.reported_values.select_related("indicator"):
        lookup = {
            "indicator": row.indicator,
            "year": period.year,
            "month": month,
            "gender": row.gender,
        }
        if row.value is None:
            for measurement in Measurement.objects.filter(**lookup):
                measurement._history_user = user
                measurement._change_reason = reason
                measurement.delete()
        else:
            save_if_changed(Measurement, lookup, {"value": row.value}, user=user, reason=reason)
    for report in submission.assignment_reports.exclude(status="").select_related("assignment"):
        save_if_changed(
            Assignment,
            {"pk": report.assignment_id},
            {"status": report.status, "comment": report.comment},
            user=user,
            reason=reason,
        )


def _save_forecasts(submission, amounts, user, basis=None, comment=None):
    """The unit's Forecast rows for the period's month, as /budget/'s forecast form saves
    them: the unit's own row holds the total less what the units below forecast, and
    every row the month's ``comment`` (None: left as it is)."""
    period, unit = submission.period, submission.unit
    if basis is None:
        budget_year = BudgetYear.objects.get(
            municipality_id=period.municipality_id, year=period.year
        )
        basis = forecast_basis(
            budget_year, unit, period.month, _operating_groups(unit.municipality)
        )
    for row in basis:
        if row.group.pk not in amounts:
            continue
        total = signs.ledger_from_table_tkr(amounts[row.group.pk])
        save_if_changed(
            Forecast,
            {"unit": unit, "year": period.year, "month": period.month, "group": row.group},
            {"amount": total - row.below}
            if comment is None
            else {"amount": total - row.below, "comment": comment},
            user=user,
            reason=_("Full-year forecast in %(period)s") % {"period": period.label},
        )


# What is missing, and the transitions ------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """One thing missing before sending: the Swedish message, the form field to fill in
    (its name in ``SubmissionForm``) and the goal it belongs to (None: the economy part)."""

    message: str
    field: str
    goal: Goal | None = None

    def __str__(self):
        return self.message


def assignment_status(assignment, report) -> str:
    """The status a submission reports for an assignment: this period's report, else the
    assignment's own (what the form shows and a save stores)."""
    if report is not None and report.status:
        return report.status
    return assignment.status


def gaps(page: Content, rights=None) -> list[Gap]:
    """What must be filled in before the submission can be sent, naming the goal or
    field (no query: ``page`` holds everything). With ``rights`` (a
    ``SubmissionRights``), only what that user fills in: an enhetschef's own goals."""
    return [gap for gap, filled in requirements(page, rights) if not filled]


def requirements(page: Content, rights=None) -> list[tuple[Gap, bool]]:
    """Everything that must be filled in before sending, each as the ``Gap`` it would be
    and whether it is filled in as stored (no query). A form posted with a value in
    error is checked against what it posted, not what is stored (the view)."""
    submission, period = page.submission, page.period
    economy = rights is None or rights.edit_all
    found = []
    if economy:
        found.append(
            (
                Gap(_("The economic comment is missing."), "economic_comment"),
                bool(submission.economic_comment.strip()),
            )
        )
        if period.asks_forecast and page.basis is not None:
            first = f"f-{page.basis[0].group.pk}" if page.basis else ""
            found.append(
                (Gap(_("The full-year forecast has not been saved."), first), page.forecast_saved)
            )
        if page.action_plan_required:
            plan = _("An action plan is required: the forecast deviates beyond the threshold.")
            found.append((Gap(plan, "action_plan"), bool(submission.action_plan.strip())))
    if period.asks_goals:
        for row in page.goal_rows:
            goal = row.goal
            if rights is not None and not rights.may_edit_part(goal.owner):
                continue
            a = row.assessment
            title = goal.title
            found.append(
                (
                    Gap(
                        _("“%(goal)s”: the assessment is missing.") % {"goal": title},
                        f"a-{goal.pk}-status",
                        goal,
                    ),
                    a is not None and bool(a.status),
                )
            )
            if period.goal_prognosis:
                found.append(
                    (
                        Gap(
                            _("“%(goal)s”: the prognosis for the year-end is missing.")
                            % {"goal": title},
                            f"a-{goal.pk}-prognosis",
                            goal,
                        ),
                        a is not None and bool(a.prognosis),
                    )
                )
            found.append(
                (
                    Gap(
                        _("“%(goal)s”: the analysis is missing.") % {"goal": title},
                        f"a-{goal.pk}-analysis",
                        goal,
                    ),
                    a is not None and bool(a.analysis.strip()),
                )
            )
    if economy:
        for assignment, report in page.assignments:
            found.append(
                (
                    Gap(
                        _("Assignment “%(assignment)s”: the status is missing.")
                        % {"assignment": assignment.title},
                        f"u-{assignment.pk}-status",
                    ),
                    bool(assignment_status(assignment, report)),
                )
            )
    return found


def enhet_parts(page: Content) -> list[OrgUnit]:
    """The enheter whose goals the follow-up covers, in the page's order: the parts an
    enhetschef fills in and marks done (no query)."""
    seen = {}
    for row in page.goal_rows:
        owner = row.goal.owner
        if owner.kind == OrgUnit.Kind.UNIT and owner.pk not in seen:
            seen[owner.pk] = owner
    return list(seen.values())


def parts_done(submission) -> dict[int, PartDone]:
    """The enheter's parts marked done, by unit id (one query)."""
    rows = PartDone.objects.filter(submission=submission).select_related("done_by")
    return {row.unit_id: row for row in rows}


def mark_parts_done(submission, user, rights) -> list[PartDone]:
    """Mark done the parts ``rights`` lets ``user`` fill in (an enhetschef's enheter), in
    one transaction with the submission row locked: refused (``ValidationError``, the
    ``Gap``s as its messages) while the follow-up can no longer change or something of
    theirs is missing. A part already marked keeps its first mark."""
    with transaction.atomic():
        row = _locked_row(submission)
        _require_editable(row)
        page = content(Submission.objects.for_page().get(pk=row.pk))
        missing_here = gaps(page, rights)
        if missing_here:
            raise ValidationError([gap.message for gap in missing_here])
        done = parts_done(row)
        made = []
        for unit in enhet_parts(page):
            if rights.may_edit_part(unit) and unit.pk not in done:
                part = PartDone(submission=row, unit=unit, done_by=user, done_at=timezone.now())
                part._history_user = user
                part.save()
                made.append(part)
        return made


def missing(page: Content) -> list[str]:
    """What must be filled in before the whole submission can be sent, in Swedish
    (``gaps`` as messages; no query)."""
    return [gap.message for gap in gaps(page)]


def not_ended(period) -> str:
    """Why a follow-up of ``period`` cannot be sent yet, or "" once the period has ended:
    until then its figures are those to date (a trial sent, and approved, an årsbokslut
    opened early on 7 December). No query."""
    if period.period_end < timezone.localdate():
        return ""
    return _(
        "The period runs until %(end)s: the follow-up can be sent from %(day)s. Until then "
        "you can save drafts."
    ) % {
        "end": formatting.iso_date(period.period_end),
        "day": formatting.iso_date(period.period_end + dt.timedelta(days=1)),
    }


def send(submission, user=None) -> Submission:
    """Utkast or återsänd → inskickad; refused while something is missing (the messages)
    and before the period has ended (``not_ended``).

    After the deadline it is still sent, and ``Submission.late`` says it was late.
    """
    with transaction.atomic():
        row = _locked_row(submission)
        _require_editable(row)
        early = not_ended(row.period)
        if early:
            raise ValidationError(early)
        gaps = missing(content(Submission.objects.for_page().get(pk=row.pk)))
        if gaps:
            raise ValidationError(gaps)
        row.state = State.SENT
        row.sent_at = timezone.now()  # the first send is kept in first_sent_at (the model)
        row.sent_by = user
        return _save(row, user, _("Sent"))


def _require_sent(row):
    _refuse_locked(row.period)
    if row.state != State.SENT:
        raise ValidationError(
            _("Only a sent follow-up can be reviewed; this one is %(state)s.")
            % {"state": row.get_state_display()}
        )


def return_submission(submission, reason: str, user=None) -> Submission:
    """Inskickad → återsänd, with the ekonomichef's reason (required)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        row = _locked_row(submission)
        _require_sent(row)
        if not reason:
            raise ValidationError({"return_reason": _("Say why the follow-up is returned.")})
        row.state = State.RETURNED
        row.return_reason = reason
        row.decided_at = timezone.now()
        row.decided_by = user
        return _save(row, user, reason)


def approve(submission, user=None) -> Submission:
    """Inskickad → godkänd (the ekonomichef)."""
    with transaction.atomic():
        row = _locked_row(submission)
        _require_sent(row)
        row.state = State.APPROVED
        row.decided_at = timezone.now()
        row.decided_by = user
        _apply_reported(row, user)
        return _save(row, user, _("Approved"))


def attach(submission, upload, user=None, assessment=None) -> Evidence:
    """Store an evidence file under a random name (type and size checked)."""
    with transaction.atomic():
        row = _locked_row(submission)
        _require_editable(row)
        evidence = Evidence(
            submission=row,
            assessment=assessment,
            file=upload,
            name=upload.name[:200],
            content_type=EVIDENCE_EXTENSIONS.get(PurePath(upload.name).suffix.lower(), ""),
            size=upload.size,
            uploaded_by=user,
        )
        return _save(evidence, user)


def remove_evidence(evidence, user=None) -> None:
    """Remove an attached file while its submission can still change (the history keeps
    that it was there, who removed it and when; the stored file goes)."""
    with transaction.atomic():
        row = _locked_row(evidence.submission)
        _require_editable(row)
        evidence._history_user = user
        evidence._change_reason = _("Removed")
        stored = evidence.file
        evidence.delete()
        transaction.on_commit(lambda: stored.delete(save=False))
