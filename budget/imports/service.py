"""Imports of outcomes and budgets: SIE from the ledger, CSV/XLSX from a spreadsheet.

The management commands and the upload page call these functions, so they
share every rule. An import is all or nothing (one transaction); bad input
raises ``ImportFailed`` with Swedish messages that name the line. Importing the
same file twice changes nothing: rows are matched on their keys and only
written when the amount differs, so the history shows real changes only.
"""

from __future__ import annotations

import io
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from budget import signs
from budget.accounts import AccountMap
from budget.imports import sie as sie_format
from budget.imports.tabular import TabularError, open_table
from budget.models import (
    AccountGroup,
    BalanceAmount,
    BudgetYear,
    DetailBudget,
    ImportBatch,
    Outcome,
)
from budget.totals import refresh_totals
from styrning import formatting
from styrning.jobs import JobFailed, run_job, short_reason
from styrning.models import OrgUnit
from styrning.services import Counts, RowSync, sync_rows

MAX_MESSAGES = 50


class ImportFailed(Exception):
    """The file cannot be imported; ``errors`` are Swedish messages naming the line."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = list(errors)[:MAX_MESSAGES]


@dataclass
class Result:
    dry_run: bool
    year: int | None = None
    outcomes_created: int = 0
    outcomes_changed: int = 0
    outcomes_removed: int = 0
    budgets_written: int = 0
    balances_written: int = 0
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    per_unit: dict = field(default_factory=dict)  # unit label → {"YYYY-MM": table amount}
    info: dict = field(default_factory=dict)

    def as_dict(self):
        months = sorted({m for by_month in self.per_unit.values() for m in by_month})
        return {
            "dry_run": self.dry_run,
            "year": self.year,
            "outcomes_created": self.outcomes_created,
            "outcomes_changed": self.outcomes_changed,
            "outcomes_removed": self.outcomes_removed,
            "budgets_written": self.budgets_written,
            "balances_written": self.balances_written,
            "skipped": self.skipped,
            "warnings": self.warnings[:MAX_MESSAGES],
            "months": months,
            "units": [
                {"unit": unit, "amounts": [str(by_month.get(m, "")) for m in months]}
                for unit, by_month in sorted(self.per_unit.items())
            ],
            **self.info,
        }


def _units_by_code(municipality):
    return {
        u.ansvarskod: u
        for u in OrgUnit.objects.filter(municipality=municipality).exclude(ansvarskod="")
    }


def _budget_year(municipality, year, errors, line=None):
    budget_year = BudgetYear.objects.filter(municipality=municipality, year=year).first()
    if budget_year is None:
        where = _("line %(line)s: ") % {"line": line} if line else ""
        errors.append(
            where
            + _("there is no budget year %(year)s; create it under Budget → Frames first.")
            % {"year": year}
        )
    return budget_year


def _summarise(result, outcomes, units_by_pk, groups_by_pk):
    """outcomes: {(unit id or None, year, month, group id): ledger amount} → per-unit table
    sums (labelled with the units and groups of the two maps)."""
    sums = defaultdict(Decimal)
    for (unit_id, year, month, group_id), amount in outcomes.items():
        sums[(unit_id, year, month, groups_by_pk[group_id].kind)] += amount
    per_unit = defaultdict(lambda: defaultdict(Decimal))
    for (unit_id, year, month, kind), amount in sums.items():
        if kind not in (AccountGroup.Kind.REVENUE, AccountGroup.Kind.COST):
            label = _("Finance (taxes, grants, financial items)")
        elif unit_id is None:
            label = _("Not allocated to a responsibility code")
        else:
            unit = units_by_pk[unit_id]
            label = f"{unit.ansvarskod} {unit.name}"
        key = f"{year}-{month:02d}" if month else str(year)  # a yearly detaljbudget row
        per_unit[label][key] += signs.to_table(amount)
    result.per_unit = {k: dict(v) for k, v in per_unit.items()}


def _audit(batch):
    """(user, change reason) for the history rows an import writes: the batch's, or
    without one the user ``acting_user`` lends (if any) and no reason."""
    if batch is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        return (user if getattr(user, "is_authenticated", False) else None), ""
    reason = _("Import %(id)s: %(file)s") % {"id": batch.pk, "file": batch.filename}
    return batch.created_by, reason[:100]


@contextmanager
def acting_user(user):
    """Every history row written inside carries ``user`` (also rows saved one by one).

    simple-history takes the user from the request; a background job has none, so
    this lends it one for the duration.
    """
    context = HistoricalRecords.context
    before = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user) if user is not None else None
    try:
        yield
    finally:
        context.request = before


def _write_outcomes(
    municipality, outcomes, batch, result, *, replace_months, dry_run=False, progress=None
):
    """Make the Outcome rows hold ``outcomes`` ({(unit id or None, year, month, group id):
    amount}; primary keys, as a million lines must hash them).

    With ``replace_months`` (a ledger file covers whole months), rows of those months
    that the file no longer has are removed; otherwise other rows are left alone.
    Only what differs is written, with its history rows carrying the batch's user and
    reason, through ``sync_rows`` (on PostgreSQL: COPY, then one statement per kind of
    change, the removed rows in one). ``dry_run`` counts
    the same without writing, so a dry run reports what the real run will. Every import
    of outcomes writes through here, and the function ends in one place (for what must
    follow every write of outcomes).
    """
    user, reason = _audit(batch)
    months_by_year = defaultdict(set)
    for _unit, year, month, _group in outcomes:
        months_by_year[year].add(month)
    if not months_by_year:
        counts = Counts()
    else:
        scope = Q()
        for year, months in months_by_year.items():
            scope |= Q(year=year, month__in=sorted(months))
        counts = sync_rows(
            Outcome,
            Outcome.objects.filter(scope, municipality=municipality),
            ["unit_id", "year", "month", "group_id"],
            ["amount"],
            (
                (unit_id, year, month, group_id, amount)
                for (unit_id, year, month, group_id), amount in outcomes.items()
            ),
            constants={"municipality_id": municipality.pk},
            extra={"batch_id": batch.pk if batch else None},
            user=user,
            reason=reason,
            remove_missing=replace_months,
            dry_run=dry_run,
            progress=progress,
        )
    result.outcomes_created += counts.created
    result.outcomes_changed += counts.changed
    result.outcomes_removed += counts.removed
    if not dry_run and (counts.created or counts.changed or counts.removed):
        # The kept sums of the years written, in this transaction (budget.totals).
        refresh_totals(municipality.pk, set(months_by_year))


# --- SIE ------------------------------------------------------------------------------


def import_sie(
    municipality, source, *, year=None, dimension=1, dry_run=False, batch=None, progress=None
) -> Result:
    """Read an SIE 4 (or 3, or 4I) file; store its outcomes, #PBUDGET and balances.

    ``source`` is the file: a binary file object (read as a stream), a ``pathlib.Path`` or
    its bytes. ``year`` must match the file's #RAR 0; a file without #RAR (SIE 4I) is read
    as that year, or without it as the year its vouchers are dated in. The file is refused
    only where an amount that would be imported cannot be read; what is read leniently
    comes back as warnings naming the line. The dry run takes the same path as the import
    and counts the same new, changed and removed rows without writing them; it judges the
    file alone, so ansvarskoder, accounts and the budget year the database lacks are
    warnings there and errors in a real import. All or nothing: one transaction.
    """
    try:
        parsed = sie_format.parse_sie(source, year=year, progress=progress, keep_vouchers=False)
    except sie_format.SieError as error:
        raise ImportFailed(_sie_messages(error)) from error
    result = Result(dry_run=dry_run)
    result.info = {"program": parsed.program, "encoding": parsed.encoding}
    file_year = parsed.years[0][0].year  # parse_sie checked it against ``year``
    result.year = file_year
    result.warnings = [warning.message for warning in parsed.warnings]
    accounts = AccountMap(municipality)
    units = _units_by_code(municipality)
    problems: list[str] = []
    budget_year = _budget_year(municipality, file_year, problems)
    outcome_sums = sie_format.current_year_sums(parsed, dimension=dimension, source="psaldo")
    outcomes = _resolve_sie_rows(parsed, outcome_sums, dimension, accounts, units, problems)
    budget_sums = sie_format.current_year_sums(parsed, dimension=dimension, source="pbudget")
    budgets = _resolve_sie_rows(parsed, budget_sums, dimension, accounts, units, problems)
    problems = list(dict.fromkeys(problems))  # an unknown code in #PSALDO and #PBUDGET
    if problems and not dry_run:
        raise ImportFailed(problems)
    result.warnings += problems
    _summarise(result, outcomes, {unit.pk: unit for unit in units.values()}, accounts.groups)
    balances = sie_format.current_year_balances(parsed)
    with transaction.atomic():
        _write_outcomes(municipality, outcomes, batch, result, replace_months=True, dry_run=dry_run)
        if budget_year is not None:
            result.budgets_written = _write_detail_budgets(
                budget_year, budgets, dry_run=dry_run, batch=batch
            )
        result.balances_written = _write_balances(
            municipality, file_year, parsed, balances, batch, dry_run=dry_run
        )
        if dry_run:
            transaction.set_rollback(True)  # nothing is written; its scratch tables go
    if not balances:
        result.skipped.append(_("The file has no opening or closing balances for the year."))
    return result


def _resolve_sie_rows(parsed, sums, dimension, accounts, units, problems):
    """SIE sums {(object, "YYYY-MM", account): amount} → {(unit id or None, year, month,
    group id): amount}; balance accounts are left out (their IB/UB are kept apart), unknown
    ansvarskoder and accounts go to ``problems``."""
    resolved = defaultdict(Decimal)
    unknown_units, unknown_accounts = set(), set()
    unit_ids = {code: unit.pk for code, unit in units.items()}
    groups: dict = {}  # account → group id, or False for one left out
    months: dict = {}
    for (code, period, account), amount in sums.items():
        if not amount:
            continue
        group_id = groups.get(account)
        if group_id is None:
            group = None if sie_format.is_balance_account(account) else accounts.group_for(account)
            if group is None and not sie_format.is_balance_account(account):
                unknown_accounts.add(account)
            group_id = groups[account] = (
                group.pk if group is not None and group.kind != AccountGroup.Kind.BALANCE else False
            )
        if group_id is False:
            continue
        unit_id = None
        if code is not None:
            unit_id = unit_ids.get(code)
            if unit_id is None:
                unknown_units.add(code)
                continue
        month = months.get(period)
        if month is None:
            month = months[period] = (int(period[:4]), int(period[5:7]))
        key = (unit_id, *month, group_id)
        resolved[key] += amount
    for code in sorted(unknown_units):
        problems.append(
            _(
                "line %(line)s: the responsibility code %(code)s (dimension %(dim)s) is "
                "not in the organisation."
            )
            % {"line": _first_object_line(parsed, dimension, code), "code": code, "dim": dimension}
        )
    for account in sorted(unknown_accounts):
        problems.append(
            _(
                "line %(line)s: the account %(account)s belongs to no account "
                "group; add it to the account mapping."
            )
            % {"line": _first_line(parsed, account), "account": account}
        )
    return resolved


def _first_line(parsed, account):
    lines = parsed.account_lines.get(account) if hasattr(parsed, "account_lines") else None
    return lines or "?"


def _first_object_line(parsed, dimension, code):
    """The first line of the file that books on this object of the dimension."""
    return sie_format.first_object_line(parsed, dimension, code)


def _sie_messages(error) -> list[str]:
    errors = getattr(error, "errors", None) or [error]
    return [str(e) for e in errors]


def _write_detail_budgets(budget_year, budgets, *, dry_run=False, batch=None) -> int:
    """The detaljbudget per unit, group and month (or year), never frames; rows written.

    ``budgets`` is {(unit id, year, month or None, group id): amount}; rows without a unit
    are left out. Only rows that are new or differ are written, with their history, through
    ``sync_rows``; ``dry_run`` counts them.
    """
    user, reason = _audit(batch)
    rows = [
        (unit_id, group_id, month, amount)
        for (unit_id, _year, month, group_id), amount in budgets.items()
        if unit_id is not None
    ]
    if not rows:
        return 0  # nothing to create or change (rows the file lacks are kept)
    counts = sync_rows(
        DetailBudget,
        DetailBudget.objects.filter(budget_year=budget_year),
        ["unit_id", "group_id", "month"],
        ["amount"],
        rows,
        constants={"budget_year_id": budget_year.pk},
        user=user,
        reason=reason,
        dry_run=dry_run,
    )
    return counts.created + counts.changed


def _write_balances(municipality, year, parsed, balances, batch, *, dry_run=False) -> int:
    """#IB and #UB of the year per balance account: new and changed rows, counted the same
    in a dry run. One query loads the year's rows; only what differs is written."""
    user, reason = _audit(batch)
    sync = RowSync.from_values(
        BalanceAmount,
        BalanceAmount.objects.filter(municipality=municipality, year=year),
        ["kind", "account"],
        ["amount"],
        user=user,
        reason=reason,
        validate=False,  # read and checked line by line
    )
    for item in balances:
        sync.put(
            (item.kind, item.account),
            {
                "municipality": municipality,
                "year": year,
                "kind": item.kind,
                "account": item.account,
                "name": parsed.accounts.get(item.account, "")[:100],
            },
            {"amount": item.amount},
            extra={"batch": batch},
        )
    counts = sync.counts() if dry_run else sync.finish()
    return counts.created + counts.changed


# --- CSV / XLSX ---------------------------------------------------------------------------


def _read_spreadsheet(municipality, data, filename, *, whole_year=False, progress=None):
    """Rows of a CSV/XLSX file resolved against the database, or ImportFailed.

    Returns ({(unit id, year, month, group id): amount}, {year: BudgetYear}, (units by
    pk, groups by pk)). The file is
    read row by row; every problem is collected and reported by line (the first
    MAX_MESSAGES of them), so one upload shows what is wrong.
    """
    errors: list[str] = []
    more = 0

    def refuse(message):
        nonlocal more
        if len(errors) < MAX_MESSAGES - 1:  # the last place is for the count
            errors.append(message)
        else:
            more += 1

    accounts = AccountMap(municipality)
    units = _units_by_code(municipality)
    groups: dict = {}
    budget_years: dict = {}
    amounts: dict = defaultdict(Decimal)
    try:
        table = open_table(data, filename, whole_year=whole_year)
        for row in table:
            if isinstance(row, TabularError):
                refuse(row.message)
                continue
            unit = units.get(row.unit_code)
            if row.group not in groups:
                groups[row.group] = accounts.group_by_code_or_name(row.group)
            group = groups[row.group]
            if unit is None:
                refuse(
                    _("line %(line)s: the responsibility code %(code)s is not in the organisation.")
                    % {"line": row.line, "code": row.unit_code}
                )
            if group is None:
                refuse(
                    _("line %(line)s: the account group “%(group)s” does not exist.")
                    % {"line": row.line, "group": row.group}
                )
            if row.year not in budget_years:
                missing: list[str] = []
                budget_years[row.year] = _budget_year(municipality, row.year, missing, row.line)
                for message in missing:
                    refuse(message)
            if unit is not None and group is not None:
                amounts[(unit.pk, row.year, row.month, group.pk)] += row.amount
            if progress:
                progress(row.line, table.total if table.total >= row.line else 0)
    except TabularError as error:
        raise ImportFailed([*errors, error.message]) from error
    if more:
        errors.append(_("…and %(count)s more problems.") % {"count": more})
    if errors:
        raise ImportFailed(errors)
    # Keyed by primary keys (cheap to hash); the maps name them.
    names = ({unit.pk: unit for unit in units.values()}, accounts.groups)
    return dict(amounts), budget_years, names


def import_outcomes(
    municipality, data: bytes, filename: str, *, dry_run=False, batch=None, progress=None
) -> Result:
    """Outcomes per unit code, month and account group from a CSV or XLSX file.

    A dry run counts new, changed and removed rows exactly as the real run will.
    """
    outcomes, years, names = _read_spreadsheet(municipality, data, filename, progress=progress)
    result = Result(dry_run=dry_run, year=min(years) if years else None)
    _summarise(result, outcomes, *names)
    with transaction.atomic():
        _write_outcomes(
            municipality,
            outcomes,
            batch,
            result,
            replace_months=False,
            dry_run=dry_run,
            progress=progress,
        )
    return result


def import_detail_budget(
    municipality, data: bytes, filename: str, *, dry_run=False, batch=None, progress=None
) -> Result:
    """Detaljbudget per unit code, account group and year or month, from CSV or XLSX.

    The column månad holds a year (2026) for a yearly row or a month (2026-03).
    Frames are never changed; the unit page shows where the rows do not add up.
    ``budgets_written`` counts new and changed rows, the same in a dry run.
    """
    budgets, budget_years, names = _read_spreadsheet(
        municipality, data, filename, whole_year=True, progress=progress
    )
    result = Result(dry_run=dry_run, year=min(budget_years) if budget_years else None)
    _summarise(result, budgets, *names)
    units_by_pk = names[0]
    with transaction.atomic():
        for year, budget_year in budget_years.items():
            part = {k: v for k, v in budgets.items() if k[1] == year}
            # A dry run writes too, to see the frames' sums after it, and is rolled back.
            result.budgets_written += _write_detail_budgets(budget_year, part, batch=batch)
            units = {units_by_pk[k[0]] for k in part if k[0] is not None}
            result.warnings += _frame_mismatches(budget_year, units)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _frame_mismatches(budget_year, units) -> list[str]:
    """A warning per nämnd or styrelse whose detaljbudget no longer adds up to its frame.

    The same comparison as the nämnd's budget page (``unit_detail``): one query for
    the tree, then a few per nämnd the file touches (not per unit).
    """
    from budget.overview import board_map, unit_detail

    boards = board_map(budget_year.municipality)
    ids = {boards.get(unit.pk) for unit in units if unit is not None} - {None}
    warnings = []
    for body in OrgUnit.objects.filter(pk__in=ids).order_by("name"):
        detail = unit_detail(budget_year, body, 12)
        if detail.detail_mismatch:
            warnings.append(
                _(
                    "%(unit)s: the detail budget adds up to %(total)s, its frame is %(frame)s "
                    "(a difference of %(diff)s)."
                )
                % {
                    "unit": body.name,
                    "total": formatting.tkr(detail.detail_total),
                    "frame": formatting.tkr(detail.frame),
                    "diff": formatting.tkr(detail.detail_mismatch),
                }
            )
    return warnings


# --- the background job ------------------------------------------------------------------


# Every kind of upload reaches its importer through this table, and only through it.
# ``stream`` is the stored file opened for reading: SIE is read from it as a stream, the
# spreadsheets whole.
IMPORTERS = {
    ImportBatch.Kind.SIE: lambda upload, stream, **options: import_sie(
        upload.municipality,
        stream,
        dimension=int(upload.options.get("dimension") or 1),
        **options,
    ),
    ImportBatch.Kind.OUTCOMES: lambda upload, stream, **options: import_outcomes(
        upload.municipality, stream.read(), upload.filename, **options
    ),
    ImportBatch.Kind.DETAIL_BUDGET: lambda upload, stream, **options: import_detail_budget(
        upload.municipality, stream.read(), upload.filename, **options
    ),
}


@contextmanager
def _stored_file(batch):
    """The batch's stored file opened for reading in binary (an empty stream without one)."""
    if not batch.file:
        yield io.BytesIO(b"")
        return
    with batch.file.open("rb") as stored:
        yield stored


def run_batch(batch_id: int) -> bool:
    """Run an uploaded import as its job; the result or the refused lines go on the batch.

    Returns True when the job is done. The job always ends (styrning.jobs.run_job).
    """
    batch = ImportBatch.objects.select_related("municipality", "created_by").get(pk=batch_id)

    def work(job, progress):
        importer = IMPORTERS.get(batch.kind)
        if importer is None:
            raise JobFailed(
                _("There is no importer for files of the kind “%(kind)s”.") % {"kind": batch.kind}
            )
        try:
            with _stored_file(batch) as stream, acting_user(batch.created_by):
                result = importer(
                    batch, stream, dry_run=batch.dry_run, batch=batch, progress=progress
                )
        except ImportFailed as failure:
            ImportBatch.objects.filter(pk=batch.pk).update(errors=failure.errors)
            raise JobFailed(
                _("Nothing was imported: %(count)s problems; the first: %(first)s")
                % {"count": len(failure.errors), "first": short_reason(failure.errors[0], 300)}
                if failure.errors
                else _("Nothing was imported.")
            ) from failure
        ImportBatch.objects.filter(pk=batch.pk).update(result=result.as_dict(), year=result.year)

    with translation.override(settings.LANGUAGE_CODE):
        return run_job(batch.job_id, work)
