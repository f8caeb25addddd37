"""Outcome to date, kept beside the ledger's rows (``OutcomeTotal``), and the figures read from it.

Outcome holds the ledger per unit, month and account group: summing a year of it on
every page scans the year's rows (110 000 at Stockholm's size). ``refresh_totals``
keeps, per (unit, or no unit, or the whole municipality; year; month; group), the
month's amount and the amount to date, a row for every month from the key's first
booking on; a page for month m reads month m's rows. Whatever writes Outcome rows
calls ``refresh_totals`` for the years it touched, in its transaction (the imports,
the admin, the demo loader, the scale-data generator).

The readers below are the only way pages, exports and reports get outcome sums:
one function per figure. Amounts are in the ledger's sign.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from budget.models import Outcome, OutcomeTotal
from followup.worklist import compiled_values
from styrning.services import bulk_session

ZERO = Decimal("0")
Scope = OutcomeTotal.Scope

# ``units`` of the readers: a list of unit ids, or one of these.
EVERYTHING = "everything"  # every unit and the rows on no ansvar
ALLOCATED = "allocated"  # every unit, not the rows on no ansvar


def refresh_totals(municipality_id: int, years: Iterable[int]) -> None:
    """Recompute the kept sums of ``years`` from Outcome: one DELETE, one INSERT … SELECT.

    Call it in the transaction that wrote the outcomes, for every year it touched (and
    only when something was written: it rewrites the years' rows, about a second per
    110 000 outcome rows on PostgreSQL). PostgreSQL and SQLite.
    """
    years = sorted({int(year) for year in years})
    if not years:
        return
    totals, outcomes = OutcomeTotal._meta.db_table, Outcome._meta.db_table
    in_years = ", ".join(["%s"] * len(years))
    with connection.cursor() as cursor:
        bulk_session(cursor)
        cursor.execute(
            f"DELETE FROM {totals} WHERE municipality_id = %s AND year IN ({in_years})",
            [municipality_id, *years],
        )
        # per_month: the ledger's rows per key and month (one row, or several on no
        # ansvar); keyed: those per unit (kind 0) or on no ansvar (1), and the whole
        # municipality's (2), a number rather than the scope's text, which would be
        # sorted by the database's collation;
        # running: the sums to date at each booked month, valid until the key's next
        # booked month. A key has a row for every month from its first booking on
        # (before it, no row is the same as a zero row), written month by month so that
        # a month's rows lie together on disk.
        cursor.execute(
            f"""
            WITH RECURSIVE months(month) AS (
                SELECT 1 UNION ALL SELECT month + 1 FROM months WHERE month < 12
            ),
            per_month AS (
                SELECT unit_id, year, month, group_id,
                       SUM(amount) AS amount, COUNT(*) AS bookings
                FROM {outcomes}
                WHERE municipality_id = %s AND year IN ({in_years})
                GROUP BY unit_id, year, month, group_id
            ),
            keyed AS (
                SELECT CASE WHEN unit_id IS NULL THEN 1 ELSE 0 END AS kind,
                       unit_id, year, month, group_id, amount, bookings
                FROM per_month
                UNION ALL
                SELECT 2, NULL, year, month, group_id, SUM(amount), SUM(bookings)
                FROM per_month
                GROUP BY year, month, group_id
            ),
            running AS (
                SELECT kind, unit_id, year, month, group_id, amount,
                       SUM(amount) OVER w AS to_date,
                       SUM(bookings) OVER w AS bookings,
                       LEAD(month, 1, 13) OVER w AS next_month
                FROM keyed
                WINDOW w AS (PARTITION BY kind, unit_id, year, group_id ORDER BY month)
            )
            INSERT INTO {totals}
                (municipality_id, scope, unit_id, year, month, group_id,
                 amount, to_date, bookings)
            SELECT %s,
                   CASE r.kind WHEN 0 THEN '{Scope.UNIT}' WHEN 1 THEN '{Scope.UNALLOCATED}'
                               ELSE '{Scope.MUNICIPALITY}' END,
                   r.unit_id, r.year, m.month, r.group_id,
                   CASE WHEN m.month = r.month THEN r.amount ELSE 0 END,
                   r.to_date,
                   r.bookings
            FROM running r
            JOIN months m ON m.month >= r.month AND m.month < r.next_month
            ORDER BY r.year, m.month, r.kind, r.unit_id, r.group_id
            """,
            [municipality_id, *years, municipality_id],
        )


def _rows(municipality_id, year, units):
    """OutcomeTotal rows of a year for ``units`` (ids, EVERYTHING or ALLOCATED); no query."""
    rows = OutcomeTotal.objects.filter(year=year).order_by()  # no join for Meta.ordering
    if units == EVERYTHING:
        return rows.filter(municipality_id=municipality_id, scope=Scope.MUNICIPALITY)
    if units == ALLOCATED:
        # The whole municipality less the rows on no ansvar: see _allocated.
        return rows.filter(
            municipality_id=municipality_id, scope__in=[Scope.MUNICIPALITY, Scope.UNALLOCATED]
        )
    return rows.filter(unit_id__in=units)


def _allocated(units, values):
    """For ALLOCATED the query returned (scope, *key, amount): all minus unallocated."""
    result: dict = defaultdict(Decimal)
    for scope, *key, amount in values:
        sign = -1 if units == ALLOCATED and scope == Scope.UNALLOCATED else 1
        result[key[0] if len(key) == 1 else tuple(key)] += sign * amount
    return result


def outcome_to_date_by_unit(municipality_id, year, month, kinds) -> dict[int | None, Decimal]:
    """Unit id (None: no ansvar) → outcome from January to ``month`` in groups of ``kinds``.

    Every unit of the municipality with an outcome that year (one query).
    """
    return dict(
        compiled_values(
            ("outcome to date by unit", tuple(kinds)),
            lambda municipality_id, year, month: (
                OutcomeTotal.objects.filter(
                    municipality_id=municipality_id,
                    year=year,
                    month=month,
                    scope__in=[Scope.UNIT, Scope.UNALLOCATED],
                    group__kind__in=kinds,
                )
                .order_by()
                .values("unit_id")
                .annotate(total=Sum("to_date"))
                .values_list("unit_id", "total")
            ),
            municipality_id,
            year,
            month,
        )
    )


def outcome_to_date_of_units(unit_ids, year, month, kinds) -> dict[int, Decimal]:
    """Unit id → outcome from January to ``month`` in groups of ``kinds``, for these units
    (one query)."""
    return dict(
        OutcomeTotal.objects.filter(
            unit_id__in=unit_ids, year=year, month=month, group__kind__in=kinds
        )
        .order_by()
        .values("unit_id")
        .annotate(total=Sum("to_date"))
        .values_list("unit_id", "total")
    )


def outcome_to_date_by_group(
    municipality_id, year, month, units, group_ids
) -> dict[int, tuple[Decimal, int]]:
    """Group id → (outcome from January to ``month``, Outcome rows booked by then).

    ``units``: unit ids, EVERYTHING or ALLOCATED. Groups without any outcome that
    year are missing. One query.
    """
    values = (
        _rows(municipality_id, year, units)
        .filter(month=month, group_id__in=group_ids)
        .values("scope", "group_id")
        .annotate(total=Sum("to_date"), bookings=Sum("bookings"))
        .values_list("scope", "group_id", "total", "bookings")
    )
    result: dict[int, tuple[Decimal, int]] = {}
    for scope, group_id, total, bookings in values:
        sign = -1 if units == ALLOCATED and scope == Scope.UNALLOCATED else 1
        before, booked = result.get(group_id, (ZERO, 0))
        result[group_id] = (before + sign * total, booked + sign * bookings)
    return result


def outcome_by_group_and_month(
    municipality_id, year, month, units, kinds
) -> dict[tuple[int, int], Decimal]:
    """(group id, month) → the month's outcome, January to ``month``, in groups of ``kinds``.

    ``units``: unit ids, EVERYTHING or ALLOCATED. One query.
    """
    values = (
        _rows(municipality_id, year, units)
        .filter(month__lte=month, group__kind__in=kinds)
        .values("scope", "group_id", "month")
        .annotate(total=Sum("amount"))
        .values_list("scope", "group_id", "month", "total")
    )
    return _allocated(units, values)


def latest_booked_month(municipality_id, year) -> int | None:
    """The latest month of ``year`` with bookings in the ledger, or None (one indexed query,
    compiled once per connection: every budget page asks)."""
    rows = compiled_values(
        "latest booked month",
        lambda municipality_id, year: (
            Outcome.objects.filter(municipality_id=municipality_id, year=year)
            .order_by("-month")
            .values_list("month", flat=True)[:1]
        ),
        municipality_id,
        year,
    )
    return rows[0][0] if rows else None


def month_has_bookings(municipality_id, year, month) -> bool:
    """Has the ledger booked anything for this month yet? One indexed query."""
    return Outcome.objects.filter(municipality_id=municipality_id, year=year, month=month).exists()
