"""The numbers of /budget/: frames, changes, outcome to date, forecast and deviations.

Every figure here is in the ledger's sign (net cost positive) until a template
or export shows it through ``budget.signs``. The page, the exports and later
the reports read these functions, so they agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from budget import signs, totals
from budget.models import (
    AccountGroup,
    BudgetChange,
    BudgetFrame,
    DetailBudget,
    Forecast,
)
from budget.pending import pending_forecasts
from followup.worklist import compiled_rows, compiled_values
from styrning import request_rows
from styrning.models import OrgUnit

ZERO = Decimal("0")
OPERATING = (AccountGroup.Kind.REVENUE, AccountGroup.Kind.COST)


@dataclass
class BodyRow:
    """One nämnd or styrelse in the overview (ledger sign: net cost positive)."""

    unit: OrgUnit
    adopted: Decimal = ZERO
    changes: Decimal = ZERO
    outcome: Decimal = ZERO
    forecast: Decimal | None = None
    budget_to_date: Decimal = ZERO
    needs_action_plan: bool = False
    change_list: list = field(default_factory=list)
    # False while the chosen month has no bookings yet: then there is no deviation to date.
    has_bookings: bool = True
    label: str = ""

    @property
    def name(self):
        return self.unit.name if self.unit is not None else self.label

    @property
    def current(self):
        return self.adopted + self.changes

    @property
    def forecast_or_frame(self):
        return self.current if self.forecast is None else self.forecast

    @property
    def deviation_forecast(self):
        """Avvikelse prognos − budget (table sign: positive is better)."""
        return signs.deviation(self.forecast_or_frame, self.current)

    @property
    def deviation_to_date(self):
        if not self.has_bookings:
            return None
        return signs.deviation(self.outcome, self.budget_to_date)


@dataclass
class ChangeEntry:
    """One decided budget change as a nämnd sees it (the changes list of pages and exports).

    ``effect`` is the change of the nämnd's frame in the ledger's sign (+: more to
    spend); ``frame_effect`` is the same in the tables' sign for the frame columns.
    """

    change: BudgetChange
    effect: Decimal
    inside: bool = False  # a move between units of the same nämnd (or unit)
    reversed_by: BudgetChange | None = None
    unit: OrgUnit | None = None  # the nämnd (or unit) whose frame the effect is on

    @property
    def frame_effect(self):
        return signs.frame_to_table(self.effect)


@dataclass
class FinanceRow:
    group: AccountGroup
    budget: Decimal = ZERO
    outcome: Decimal = ZERO
    forecast: Decimal | None = None

    @property
    def forecast_or_budget(self):
        return self.budget if self.forecast is None else self.forecast

    @property
    def deviation_forecast(self):
        return signs.deviation(self.forecast_or_budget, self.budget)


@dataclass
class UnallocatedRow:
    """Outcome the ledger put on no ansvar: it has an outcome and nothing else."""

    outcome: Decimal
    name: str = ""
    unit = None
    adopted = changes = current = budget_to_date = None
    forecast = forecast_or_frame = deviation_forecast = None
    needs_action_plan = False

    @property
    def deviation_to_date(self):
        """No budget covers it: all of it is a deviation, so the column adds up to the total."""
        return signs.deviation(self.outcome, ZERO)


@dataclass
class Overview:
    budget_year: object
    month: int
    rows: list[BodyRow]
    unallocated: Decimal
    finance: list[FinanceRow]
    seasonal: bool
    has_bookings: bool = True

    def row_for(self, unit) -> BodyRow | None:
        """The nämnd's or styrelse's row (None for a unit without a frame)."""
        return next((row for row in self.rows if row.unit.pk == unit.pk), None)

    @property
    def unallocated_note(self) -> str:
        """What the row of outcome on no nämnd is, for the note under a table that has it."""
        if not self.unallocated:
            return ""
        return str(
            _(
                "Not allocated to a responsibility code: operating revenue and costs booked "
                "without a responsibility code, or on one that belongs to no committee or "
                "board. It is part of the total."
            )
        )

    @property
    def unallocated_row(self) -> UnallocatedRow | None:
        if not self.unallocated:
            return None
        return UnallocatedRow(self.unallocated, str(_("Not allocated to a responsibility code")))

    @cached_property
    def totals(self) -> BodyRow:
        total = BodyRow(
            unit=None, forecast=ZERO, has_bookings=self.has_bookings, label=str(_("Total"))
        )
        for row in self.rows:
            total.adopted += row.adopted
            total.changes += row.changes
            total.outcome += row.outcome
            total.budget_to_date += row.budget_to_date
            total.forecast += row.forecast_or_frame
        total.outcome += self.unallocated
        return total

    @property
    def changes(self) -> list[ChangeEntry]:
        """The changes list: every decided change under each nämnd it touches."""
        return [replace(entry, unit=row.unit) for row in self.rows for entry in row.change_list]

    @property
    def financing_budget(self):
        return sum((r.budget for r in self.finance), ZERO)

    @property
    def financing_forecast(self):
        return sum((r.forecast_or_budget for r in self.finance), ZERO)

    @property
    def result_budget(self):
        """Årets resultat in the budget (positive is a surplus)."""
        return -(self.totals.current + self.financing_budget)

    @property
    def result_forecast(self):
        return -(self.totals.forecast + self.financing_forecast)

    def _taxes_and_grants(self, attr):
        codes = {"skatter", "statsbidrag"}
        return -sum((getattr(r, attr) for r in self.finance if r.group.code in codes), ZERO)

    @property
    def result_share_budget(self):
        return signs.percent(self.result_budget, self._taxes_and_grants("budget"))

    @property
    def result_share_forecast(self):
        return signs.percent(self.result_forecast, self._taxes_and_grants("forecast_or_budget"))

    @property
    def target(self):
        return self.budget_year.financial_target_percent

    @property
    def meets_target_forecast(self):
        share = self.result_share_forecast
        return share is not None and share >= self.target


def board_map(municipality) -> dict[int, int | None]:
    """unit id → id of the nämnd/styrelse it belongs to (one query over the tree)."""
    units = compiled_values(
        "board map",
        lambda municipality: (
            OrgUnit.objects.filter(municipality=municipality)
            .order_by("tree_id", "lft")
            .values_list("pk", "parent_id", "kind")
        ),
        municipality.pk,
    )
    return _boards(units)


def _boards(units) -> dict[int, int | None]:
    """``units`` as (pk, parent_id, kind) in tree order → unit id → its nämnd's id. No query."""
    board: dict[int, int | None] = {}
    for pk, parent_id, kind in units:  # tree order: parents come first
        board[pk] = pk if kind in OrgUnit.GOVERNING_KINDS else board.get(parent_id)
    return board


def latest_forecasts(municipality, year, month, unit_ids=None, *, approved_only=False):
    """(unit, group) → the latest forecast made in or before ``month`` (one query).

    ``approved_only``: skip forecasts a follow-up has not had approved yet (``budget.
    pending``; its query too), so the latest approved one stands; a collection of unit
    pks instead of True: except those units' own (the user works on their follow-ups)."""
    if unit_ids is None:
        rows = compiled_values(
            "latest forecasts",
            lambda municipality, year, month: _forecasts(municipality, year, month),
            municipality.pk,
            year,
            month,
        )
    else:
        rows = _forecasts(municipality, year, month).filter(unit_id__in=unit_ids)
    skip = pending_forecasts(municipality, year) if approved_only else set()
    if skip and not isinstance(approved_only, bool):
        own = set(approved_only)
        skip = {(unit_id, made) for unit_id, made in skip if unit_id not in own}
    latest: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for unit_id, group_id, made, amount in rows:
        if (unit_id, made) in skip:
            continue
        key = (unit_id, group_id)
        if key not in latest or made > latest[key][0]:
            latest[key] = (made, amount)
    return {key: amount for key, (made, amount) in latest.items()}


def _forecasts(municipality, year, month):
    """The forecasts of ``year`` made in or before ``month``, as latest_forecasts reads them."""
    return (
        Forecast.objects.filter(unit__municipality=municipality, year=year, month__lte=month)
        .order_by()  # no join to sort
        .values_list("unit_id", "group_id", "month", "amount")
    )


def share_to_date(budget_year, month, unit_ids, monthly=None) -> tuple[Decimal, bool]:
    """The share of the year's budget due by the end of ``month`` for these units.

    Seasonal when they have a monthly detaljbudget, else linear. One query, none
    when given ``monthly_detail``'s rows.
    """
    shares = board_shares(budget_year, month, {pk: 0 for pk in unit_ids}, monthly)
    return shares.get(0, (Decimal(month) / Decimal(12), False))


def monthly_detail(budget_year) -> list[tuple[int, int, Decimal]]:
    """(unit id, month, total) of the year's monthly detaljbudget on operating groups.

    One query; ``board_shares`` and ``share_to_date`` read it.
    """
    return compiled_values(
        "monthly detail",
        lambda budget_year: (
            DetailBudget.objects.filter(
                budget_year=budget_year, month__isnull=False, group__kind__in=OPERATING
            )
            .order_by()
            .values("unit_id", "month")
            .annotate(total=Sum("amount"))
            .values_list("unit_id", "month", "total")
        ),
        budget_year.pk,
    )


def board_shares(budget_year, month, boards, monthly=None) -> dict:
    """Per board: (share of the year due by ``month``, seasonal?). One query, none when
    given ``monthly_detail``'s rows.

    A board whose units have a monthly detaljbudget follows it; the others are linear.
    """
    totals: dict = defaultdict(lambda: [ZERO, ZERO])
    rows = monthly_detail(budget_year) if monthly is None else monthly
    for unit_id, m, total in rows:
        board = boards.get(unit_id)
        if board is None and unit_id not in boards:
            continue
        totals[board][0] += total
        if m <= month:
            totals[board][1] += total
    linear = (Decimal(month) / Decimal(12), False)
    shares = {}
    for board, (year_total, to_date) in totals.items():
        shares[board] = (to_date / year_total, True) if year_total else linear
    return shares


def detail_sums(queryset, key_fields):
    """Detaljbudget summed per key: a yearly row where there is one, else its months.

    ``key_fields`` e.g. ("unit_id", "group_id"); one query.
    """
    yearly, monthly = defaultdict(Decimal), defaultdict(Decimal)
    for values in queryset.order_by().values_list(*key_fields, "month", "amount"):
        *key, m, amount = values
        (yearly if m is None else monthly)[tuple(key)] += amount
    sums = dict(monthly)
    sums.update(yearly)
    return sums


def _frames_with_units(budget_year, year):
    """The frames of a budget year's ``year`` with their units (select_related_rows reads it)."""
    return BudgetFrame.objects.filter(budget_year=budget_year, year=year).select_related("unit")


def budget_overview(budget_year, month, *, approved_only=False) -> Overview:
    """Everything /budget/ shows for a year up to and including ``month``.

    A fixed number of queries, whatever the number of nämnder and units.
    ``approved_only``: the forecasts of approved follow-ups only (``latest_forecasts``).
    """
    municipality = budget_year.municipality
    boards = board_map(municipality)
    frames = request_rows.select_related_rows(
        _frames_with_units, budget_year.pk, budget_year.year, using=connection.alias
    )
    rows = {frame.unit_id: BodyRow(unit=frame.unit, adopted=frame.amount) for frame in frames}
    outcomes = totals.outcome_to_date_by_unit(municipality.pk, budget_year.year, month, OPERATING)
    forecasts = latest_forecasts(municipality, budget_year.year, month, approved_only=approved_only)
    groups = {
        g.pk: g
        for g in compiled_rows(
            "account groups",
            lambda municipality: AccountGroup.objects.filter(municipality=municipality),
            municipality.pk,
        )
    }
    has_bookings = month_has_bookings(municipality, budget_year.year, month)
    shares = board_shares(budget_year, month, boards)
    changes = year_changes(budget_year)
    unallocated, seasonal = _fill_rows(
        rows, budget_year, boards, outcomes, forecasts, groups, has_bookings, shares, month, changes
    )
    finance = finance_rows(budget_year, month, groups, forecasts)
    ordered = sorted(rows.values(), key=lambda r: (r.unit.tree_id, r.unit.lft))
    return Overview(budget_year, month, ordered, unallocated, finance, seasonal, has_bookings)


def _fill_rows(
    rows, budget_year, boards, outcomes, forecasts, groups, has_bookings, shares, month, changes
):
    """Add changes, outcome, forecast and budget to date to the nämnder's ``rows`` (by id).

    ``boards`` maps unit ids to their nämnd's, ``outcomes`` unit ids to outcome to date,
    ``forecasts`` (unit, group) to the latest forecast; ``shares`` is ``board_shares``,
    ``changes`` is ``year_changes``. Returns the outcome on no nämnd and whether any
    row's budget to date is seasonal. No query.
    """
    for board_id, (amount, entries) in change_effects(budget_year, boards, changes).items():
        if board_id in rows:
            rows[board_id].changes = amount
            rows[board_id].change_list = entries

    unallocated = ZERO
    for unit_id, total in outcomes.items():
        board = boards.get(unit_id) if unit_id else None
        if board in rows:
            rows[board].outcome += total
        else:
            unallocated += total

    operating = {pk for pk, group in groups.items() if group.is_operating}
    for (unit_id, group_id), amount in forecasts.items():
        if group_id not in operating:
            continue
        board = boards.get(unit_id)
        if board not in rows:
            continue
        rows[board].forecast = (rows[board].forecast or ZERO) + amount

    linear = (Decimal(month) / Decimal(12), False)
    seasonal = False
    for board_id, row in rows.items():
        row.has_bookings = has_bookings
        share, row_seasonal = shares.get(board_id, linear)
        seasonal = seasonal or row_seasonal
        row.budget_to_date = (row.current * share).quantize(Decimal("0.01"))
        row.needs_action_plan = needs_action_plan(budget_year, row.deviation_forecast, row.current)
    return unallocated, seasonal


def month_has_bookings(municipality, year, month) -> bool:
    """Has the ledger booked anything for this month yet? One indexed query."""
    return totals.month_has_bookings(municipality.pk, year, month)


CHANGE_RELATIONS = ("from_unit", "to_unit", "decided_by", "reverses")


def year_changes_queryset(budget_year):
    """The year's decided changes with their units, decider and reversed change."""
    return BudgetChange.objects.filter(budget_year=budget_year).select_related(*CHANGE_RELATIONS)


def year_changes(budget_year) -> list[BudgetChange]:
    """``year_changes_queryset``'s changes (one query).

    Its query on a plain cursor (``request_rows.select_related_rows``): compiling its
    four joins cost the ORM more than the database took to run it."""
    return request_rows.select_related_rows(
        year_changes_queryset, budget_year.pk, using=connection.alias
    )


def change_effects(
    budget_year, boards, changes=None
) -> dict[int, tuple[Decimal, list[ChangeEntry]]]:
    """Per nämnd: the net of decided changes into and out of its frame, and the changes.

    Every decided change is listed under each nämnd it touches, reversed ones and
    their reversals included. A move inside one nämnd leaves its frame as it is
    (effect 0) but is listed under that nämnd. One query, none when given
    ``year_changes``.
    """
    if changes is None:
        changes = year_changes(budget_year)
    reversed_by = {c.reverses_id: c for c in changes if c.reverses_id}
    effects: dict[int, tuple[Decimal, list[ChangeEntry]]] = {}

    def add(board, effect, change, inside=False):
        amount, entries = effects.get(board, (ZERO, []))
        entry = ChangeEntry(change, effect, inside, reversed_by.get(change.pk))
        effects[board] = (amount + effect, [*entries, entry])

    for change in changes:
        to_board = boards.get(change.to_unit_id)
        from_board = boards.get(change.from_unit_id) if change.from_unit_id else None
        if to_board is not None and to_board == from_board:
            add(to_board, ZERO, change, inside=True)
            continue
        for board, sign in ((to_board, 1), (from_board, -1)):
            if board is not None:
                add(board, sign * change.amount, change)
    return effects


def needs_action_plan(budget_year, deviation, frame) -> bool:
    """A negative deviation beyond the threshold in kronor or in per cent of the frame."""
    if deviation is None or deviation >= 0:
        return False
    if -deviation > budget_year.deviation_threshold_amount:
        return True
    if frame:
        return -deviation / abs(frame) * 100 > budget_year.deviation_threshold_percent
    return False


def finance_rows(budget_year, month, groups, forecasts) -> list[FinanceRow]:
    """Finansförvaltningen: taxes, grants, financial items and central items (three queries)."""
    municipality = budget_year.municipality
    financing = [g for g in groups.values() if g.kind == AccountGroup.Kind.FINANCING]
    rows = {g.pk: FinanceRow(group=g) for g in sorted(financing, key=lambda g: g.order)}
    budgets = detail_sums(
        DetailBudget.objects.filter(budget_year=budget_year, group_id__in=rows),
        ("unit_id", "group_id"),
    )
    for (_unit_id, group_id), amount in budgets.items():
        rows[group_id].budget += amount
    outcomes = totals.outcome_to_date_by_group(
        municipality.pk, budget_year.year, month, totals.EVERYTHING, list(rows)
    )
    for group_id, (total, _bookings) in outcomes.items():
        rows[group_id].outcome = total
    for (_unit_id, group_id), amount in forecasts.items():
        if group_id in rows:
            rows[group_id].forecast = (rows[group_id].forecast or ZERO) + amount
    return list(rows.values())


@dataclass
class UnitDetail:
    """Drill-down: a unit's account groups by month, its detaljbudget and forecast."""

    unit: OrgUnit
    months: list[int]
    groups: list[dict]
    children: list[dict]
    detail_total: Decimal
    frame: Decimal | None
    total: dict = field(default_factory=dict)
    # What the nämnd's frame, forecast or outcome holds beyond its account groups' rows.
    residual: dict | None = None
    has_bookings: bool = True
    changes: list = field(default_factory=list)  # unit_changes: the list on the unit's page

    @property
    def detail_mismatch(self):
        if self.frame is None:
            return None
        return self.detail_total - self.frame


def unit_detail(budget_year, unit, month, *, approved_only=False) -> UnitDetail:
    """Per account group: budget, outcome per month and to date, forecast, deviation.

    Covers the unit and everything below it. For a nämnd or styrelse the net row
    is its row of ``budget_overview`` (one function computes both pages), and a
    row "not distributed on account groups" shows what the groups do not cover.
    Also the changes of ``unit_changes``. A fixed number of queries.
    """
    year = budget_year.year
    municipality = budget_year.municipality
    everyone = list(
        OrgUnit.objects.filter(municipality=municipality)
        .order_by("tree_id", "lft")
        .values_list("pk", "parent_id", "tree_id", "lft", "rght", "kind")
    )
    # The unit's place in the tree as the database has it now (not a stale instance's).
    tree, left, right = next((t, lo, hi) for pk, _p, t, lo, hi, _k in everyone if pk == unit.pk)
    subtree = [
        (pk, parent_id, kind)
        for pk, parent_id, tree_id, lft, rght, kind in everyone
        if tree_id == tree and left <= lft and rght <= right
    ]
    ids = [pk for pk, _parent_id, _kind in subtree]
    # The council's page covers every unit: read the municipality's sums, not each unit's.
    units = totals.ALLOCATED if len(ids) == len(everyone) else ids
    groups = list(municipality.account_groups.filter(kind__in=OPERATING))
    budget = defaultdict(Decimal)
    unit_budgets = detail_sums(
        DetailBudget.objects.filter(
            budget_year=budget_year, unit_id__in=ids, group__kind__in=OPERATING
        ),
        ("unit_id", "group_id"),
    )
    for (_unit_id, gid), amount in unit_budgets.items():
        budget[gid] += amount
    outcome = defaultdict(Decimal)
    outcome.update(
        totals.outcome_by_group_and_month(municipality.pk, year, month, units, OPERATING)
    )
    forecast = defaultdict(Decimal)
    has_forecast = set()
    forecasts = latest_forecasts(municipality, year, month, ids, approved_only=approved_only)
    for (_unit_id, gid), amount in forecasts.items():
        forecast[gid] += amount
        has_forecast.add(gid)
    monthly = monthly_detail(budget_year)
    share, _seasonal = share_to_date(budget_year, month, ids, monthly)
    has_bookings = month_has_bookings(municipality, year, month)
    changes = year_changes(budget_year)
    child_units = list(unit.get_children())
    by_unit = {}  # unit id → outcome to date: for a nämnd's net row and the units below
    if unit.is_governing_body or child_units:
        if units == totals.ALLOCATED:
            by_unit = totals.outcome_to_date_by_unit(municipality.pk, year, month, OPERATING)
        else:
            by_unit = totals.outcome_to_date_of_units(ids, year, month, OPERATING)

    months = list(range(1, month + 1))
    rows = []
    for g in groups:
        to_date = sum((outcome[(g.pk, m)] for m in months), ZERO)
        fc = forecast[g.pk] if g.pk in has_forecast else budget[g.pk]
        budget_to_date = (budget[g.pk] * share).quantize(Decimal("0.01"))
        rows.append(
            {
                "group": g,
                "budget": budget[g.pk],
                "budget_to_date": budget_to_date,
                "by_month": [outcome[(g.pk, m)] for m in months],
                "outcome": to_date,
                "forecast": fc,
                "deviation": signs.deviation(fc, budget[g.pk]),
                "deviation_to_date": signs.deviation(to_date, budget_to_date)
                if has_bookings
                else None,
            }
        )
    sums = {
        key: sum((r[key] for r in rows), ZERO)
        for key in ("budget", "budget_to_date", "outcome", "forecast")
    }
    net = dict(sums)
    net["by_month"] = [sum((r["by_month"][i] for r in rows), ZERO) for i in range(month)]
    frame = None
    body_row = None
    if unit.is_governing_body:
        body_row = _body_row(
            budget_year,
            month,
            unit,
            subtree,
            by_unit,
            forecasts,
            {g.pk: g for g in groups},
            has_bookings,
            monthly,
            changes,
        )
    if body_row is not None:
        frame = body_row.current
        net.update(
            budget=body_row.current,
            budget_to_date=body_row.budget_to_date,
            outcome=body_row.outcome,
            forecast=body_row.forecast_or_frame,
        )
    net["deviation"] = signs.deviation(net["forecast"], net["budget"])
    net["deviation_to_date"] = (
        signs.deviation(net["outcome"], net["budget_to_date"]) if has_bookings else None
    )
    residual = None
    if body_row is not None and any(net[key] != sums[key] for key in sums):
        residual = {key: net[key] - sums[key] for key in sums}
        # Its deviations too, so each column of the page adds up to the net row.
        residual["deviation"] = net["deviation"] - sum((r["deviation"] for r in rows), ZERO)
        residual["deviation_to_date"] = (
            net["deviation_to_date"] - sum((r["deviation_to_date"] for r in rows), ZERO)
            if has_bookings
            else None
        )
    children = []
    if child_units:
        child_sums = defaultdict(Decimal)
        child_of = {}
        for pk, parent_id, _kind in subtree:  # tree order: parents come first
            if parent_id == unit.pk:
                child_of[pk] = pk
            elif parent_id in child_of:
                child_of[pk] = child_of[parent_id]
        for unit_id, total in by_unit.items():
            if unit_id in child_of:
                child_sums[child_of[unit_id]] += total
        budgets = defaultdict(Decimal)
        for (unit_id, _gid), amount in unit_budgets.items():
            if unit_id in child_of:
                budgets[child_of[unit_id]] += amount
        children = [
            {
                "unit": c,
                "outcome": child_sums[c.pk],
                "budget": budgets[c.pk],
                "budget_to_date": (budgets[c.pk] * share).quantize(Decimal("0.01")),
                "deviation_to_date": signs.deviation(
                    child_sums[c.pk], (budgets[c.pk] * share).quantize(Decimal("0.01"))
                )
                if has_bookings
                else None,
            }
            for c in child_units
        ]
    detail_total = sum(budget.values(), ZERO)
    return UnitDetail(
        unit,
        months,
        rows,
        children,
        detail_total,
        frame,
        net,
        residual,
        has_bookings,
        unit_changes(budget_year, unit, changes),
    )


def _body_row(
    budget_year, month, unit, units, outcomes, forecasts, groups, has_bookings, monthly, changes
):
    """``unit``'s row of ``budget_overview`` (None without a frame), from its part of the figures.

    ``units``: (pk, parent_id, kind) of the unit and everything below it, in tree
    order; ``outcomes``, ``forecasts`` and ``monthly`` cover them (the readers'
    results the unit's page already holds), ``changes`` is ``year_changes``. The row
    is filled by the overview's own ``_fill_rows``. One query: the frame.
    """
    frame = (
        BudgetFrame.objects.filter(budget_year=budget_year, year=budget_year.year, unit=unit)
        .values_list("amount", flat=True)
        .first()
    )
    if frame is None:
        return None
    boards = _boards(units)
    rows = {unit.pk: BodyRow(unit=unit, adopted=frame)}
    shares = board_shares(budget_year, month, boards, monthly)
    _fill_rows(
        rows, budget_year, boards, outcomes, forecasts, groups, has_bookings, shares, month, changes
    )
    return rows[unit.pk]


def default_year(budget_years, today=None):
    """The budget year to show when none is asked for.

    The current calendar year if it has a budget, else the newest adopted one,
    else the newest. ``budget_years`` are BudgetYear rows; no query.
    """
    if not budget_years:
        return None
    today = today or dt.date.today()
    by_year = {b.year: b for b in budget_years}
    if today.year in by_year:
        return by_year[today.year]
    adopted = [b for b in budget_years if b.is_adopted]
    return max(adopted or budget_years, key=lambda b: b.year)


def default_month(budget_year, today=None) -> int:
    """The latest month with bookings; without any, this month, January of a year to
    come or December of a past one (one query)."""
    latest = latest_booked_month(budget_year.municipality_id, budget_year.year)
    if latest:
        return latest
    today = today or dt.date.today()
    if today.year == budget_year.year:
        return today.month
    return 1 if budget_year.year > today.year else 12


def _within(unit, other) -> bool:
    return (
        other is not None
        and other.tree_id == unit.tree_id
        and unit.lft <= other.lft
        and other.rght <= unit.rght
    )


def unit_changes(budget_year, unit, changes=None) -> list[ChangeEntry]:
    """The decided changes that move money into, out of or inside ``unit`` and its subtree.

    For a nämnd the same entries (and effects) as its row of the overview; for a
    förvaltning or enhet the effect on the budget of its part. Reversed changes
    and their reversals are both listed. One query, none when given ``year_changes``.
    """
    if changes is None:
        subtree = OrgUnit.objects.in_subtrees([unit]).values("pk")
        changes = list(
            year_changes_queryset(budget_year).filter(
                Q(to_unit__in=subtree) | Q(from_unit__in=subtree)
            )
        )
    else:
        changes = [c for c in changes if _within(unit, c.to_unit) or _within(unit, c.from_unit)]
    reversed_by = {c.reverses_id: c for c in changes if c.reverses_id}
    entries = []
    for change in changes:
        into, out_of = _within(unit, change.to_unit), _within(unit, change.from_unit)
        effect = ZERO if into and out_of else (change.amount if into else -change.amount)
        entries.append(
            ChangeEntry(change, effect, into and out_of, reversed_by.get(change.pk), unit)
        )
    return entries


@dataclass
class ForecastBasis:
    """What the forecast form shows beside one account group (ledger sign, kronor).

    ``shown`` is the forecast the unit's page shows in this row at the month
    (the latest forecasts of the unit and every unit below it, or the budget
    when there is none); ``below`` the part of it forecast by units below.
    """

    group: AccountGroup
    budget: Decimal = ZERO
    outcome: Decimal = ZERO
    booked: bool = False
    own: Decimal | None = None
    below: Decimal = ZERO
    has_forecast: bool = False
    share: Decimal = ZERO  # share of the year's budget due by the month
    seasonal: bool = False

    @property
    def shown(self):
        if not self.has_forecast:
            return self.budget
        return (self.own or ZERO) + self.below

    @property
    def suggestion(self):
        """The last forecast; else utfall to date extrapolated by the budget's profile."""
        if self.has_forecast:
            return self.shown
        if not self.booked or not self.share:
            return self.budget
        return (self.outcome / self.share).quantize(Decimal("0.01"))


def forecast_basis(budget_year, unit, month, groups) -> list[ForecastBasis]:
    """Per group: budget, utfall to date, the last forecast and a suggestion (5 queries).

    The same figures as the unit's page (``unit_detail``) for the same month: the
    unit with everything below it. For the council (the root), the outcome is the
    whole municipality's, as in the overview's financing rows.
    """
    ids = list(OrgUnit.objects.in_subtrees([unit]).values_list("pk", flat=True))
    year = budget_year.year
    rows = {g.pk: ForecastBasis(group=g) for g in groups}
    detail = DetailBudget.objects.filter(
        budget_year=budget_year, unit_id__in=ids, group_id__in=rows
    )
    profile = defaultdict(lambda: [ZERO] * 13)
    for gid, m, amount in (
        detail.filter(month__isnull=False).order_by().values_list("group_id", "month", "amount")
    ):
        profile[gid][m] += amount
    for (_unit_id, gid), amount in detail_sums(detail, ("unit_id", "group_id")).items():
        rows[gid].budget += amount
    outcomes = totals.outcome_to_date_by_group(
        budget_year.municipality_id,
        year,
        month,
        totals.EVERYTHING if unit.parent_id is None else ids,
        list(rows),
    )
    for gid, (total, bookings) in outcomes.items():
        rows[gid].outcome, rows[gid].booked = total, bookings > 0
    forecasts = latest_forecasts(budget_year.municipality, year, month, ids)
    for (unit_id, gid), amount in forecasts.items():
        if gid not in rows:
            continue
        rows[gid].has_forecast = True
        if unit_id == unit.pk:
            rows[gid].own = amount
        else:
            rows[gid].below += amount
    for gid, row in rows.items():
        months = profile[gid]
        year_total = sum(months, ZERO)
        if year_total:
            row.share, row.seasonal = sum(months[: month + 1], ZERO) / year_total, True
        else:
            row.share = Decimal(month) / Decimal(12)
    return list(rows.values())


latest_booked_month = totals.latest_booked_month


def month_forecast(unit, year, month) -> tuple[bool, str]:
    """Whether ``unit`` has a forecast made in ``month``, and its comment (saved on every
    row of that month; /budget/'s forecast form and the follow-up show and save the
    same). One query."""
    comments = list(
        Forecast.objects.filter(unit=unit, year=year, month=month).values_list("comment", flat=True)
    )
    return bool(comments), next((c for c in comments if c), "")


def forecast_comment(unit, year, month) -> str:
    """The comment of ``unit``'s forecast made in ``month`` ("" without one; one query)."""
    return month_forecast(unit, year, month)[1]
