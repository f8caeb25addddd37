"""Personnel figures and the personalberättelse as a service.

The pages, the CSV import and the demo call these functions; each runs in one
transaction, validates every row with ``full_clean()`` and writes history only for
rows that change. Errors name the unit and the field (a page) or the line (a file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from budget.imports.tabular import parse_month
from followup.choices import GOAL_CONTENTS
from followup.csvimport import (
    ImportFailed,
    ImportResult,
    TooManyDecimals,
    column_count_error,
    line_error,
    parse_decimal,
    read_lines,
)
from followup.fulfilment_queries import CompiledQuery
from followup.models import PersonnelFigure, PersonnelReport, ReportingPeriod, Submission
from followup.models.personnel import LOCKED_MESSAGE, PERSONNEL_KINDS
from followup.worklist import compiled_count, compiled_rows, compiled_values
from styrning import formatting
from styrning.models import OrgUnit

CSV_COLUMNS = [
    "enhet",
    "period",
    "sjukfrånvaro",
    "sjukfrånvaro_k",
    "sjukfrånvaro_m",
    "anställda",
    "årsarbetare",
]
# The CSV's value columns, in order, and the field each fills.
CSV_FIELDS = [
    ("sjukfrånvaro", "sick_leave"),
    ("sjukfrånvaro_k", "sick_leave_women"),
    ("sjukfrånvaro_m", "sick_leave_men"),
    ("anställda", "employees"),
    ("årsarbetare", "full_time_equivalents"),
]


def goal_periods(municipality):
    """The periods that ask for goals (delår, årsbokslut): where personnel figures belong."""
    return ReportingPeriod.objects.filter(
        municipality=municipality, content__in=GOAL_CONTENTS
    ).order_by("-year", "-month")


_GOAL_PERIODS = CompiledQuery(lambda municipality_id: goal_periods(municipality_id))
_GOAL_PERIOD = CompiledQuery(
    # As get() asks: the ordering dropped, at most 21 rows.
    lambda municipality_id, pk: goal_periods(municipality_id).filter(pk=pk).order_by()[:21]
)
_REPORTS_WRITTEN = CompiledQuery(
    lambda period_ids: PersonnelReport.objects.filter(period__in=period_ids).values_list("period"),
    in_list=0,
)


def goal_period_list(municipality) -> list[ReportingPeriod]:
    """``goal_periods`` as a list (one query, compiled once a process)."""
    return _GOAL_PERIODS(municipality.pk)


def goal_period(municipality, pk) -> ReportingPeriod | None:
    """The goal period ``pk`` of the municipality, or None (one query, compiled once a
    process)."""
    found = _GOAL_PERIOD(municipality.pk, pk)
    return found[0] if found else None


def periods_with_report(periods) -> set[int]:
    """The pks of those of ``periods`` with a personalberättelse (one query; none for no
    periods)."""
    return {period_id for (period_id,) in _REPORTS_WRITTEN([p.pk for p in periods])}


def personnel_report(period) -> PersonnelReport | None:
    """The period's personalberättelse with who wrote it, or None (one query, compiled
    once per connection)."""
    found = compiled_rows(
        "personnel report",
        lambda period_id: PersonnelReport.objects.filter(period=period_id).select_related(
            "written_by"
        )[:1],
        period.pk,
    )
    return found[0] if found else None


class Office(NamedTuple):
    """A förvaltning or bolag of the personnel table's selector: its name and subtree."""

    pk: int
    name: str
    tree_id: int
    lft: int
    rght: int


def _readable_units(readable: int | None, office: bool):
    """A builder of ``personnel_units`` among the units a user reads: every unit
    (``readable`` None) or those of ``readable`` subtrees, each given by its tree_id, lft
    and rght after the municipality's pk; with ``office``, only those of one förvaltning
    or bolag, its tree_id, lft and rght last. For queries compiled once per shape."""

    def build(municipality_id, *bounds):
        if office:
            bounds, (tree_id, lft, rght) = bounds[:-3], bounds[-3:]
        if readable is None:
            units = OrgUnit.objects.all()
        else:
            roots = [
                OrgUnit(tree_id=bounds[i], lft=bounds[i + 1], rght=bounds[i + 2])
                for i in range(0, len(bounds), 3)
            ]
            units = OrgUnit.objects.in_subtrees(roots)
        found = personnel_units(municipality_id).filter(pk__in=units.values("pk"))
        if office:
            found = found.filter(tree_id=tree_id, lft__gte=lft, rght__lte=rght)
        return found

    return build


@dataclass
class ReadableUnits:
    """The personnel units of a municipality in the subtrees of ``roots`` (None: every
    unit; see permissions.personnel_readable_roots), each query compiled once per shape
    (followup.worklist; the ORM on SQLite)."""

    municipality: object
    roots: list | None

    def _args(self, *office_bounds) -> tuple:
        bounds = [n for root in self.roots or () for n in (root.tree_id, root.lft, root.rght)]
        return (self.municipality.pk, *bounds, *office_bounds)

    def _shape(self):
        return None if self.roots is None else len(self.roots)

    def offices(self) -> list[Office]:
        """The förvaltningar and bolag among them, in tree order (one query)."""
        if self.roots == []:
            return []
        build = _readable_units(self._shape(), office=False)
        rows = compiled_values(
            ("personnel offices", self._shape()),
            lambda *args: (
                build(*args)
                .filter(kind__in=OrgUnit.OFFICE_KINDS)
                .values_list("pk", "name", "tree_id", "lft", "rght")
            ),
            *self._args(),
        )
        return [Office(*row) for row in rows]

    def count(self) -> int:
        """How many (one query)."""
        if self.roots == []:
            return 0
        build = _readable_units(self._shape(), office=False)
        return compiled_count(("personnel units count", self._shape()), build, *self._args())

    def units(self, office: Office | None = None) -> list[OrgUnit]:
        """The units, or those of ``office`` (one query)."""
        if self.roots == []:
            return []
        bounds = () if office is None else (office.tree_id, office.lft, office.rght)
        build = _readable_units(self._shape(), office=office is not None)
        key = ("personnel units", self._shape(), office is not None)
        return compiled_rows(key, build, *self._args(*bounds))


def personnel_units(municipality):
    """Förvaltningar, bolag and enheter in tree order (no query until evaluated)."""
    return OrgUnit.objects.filter(municipality=municipality, kind__in=PERSONNEL_KINDS).order_by(
        "tree_id", "lft"
    )


def _field_label(name) -> str:
    return str(PersonnelFigure._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class Refusal:
    """A refused row's message, knowing the unit and the field (None: the whole row) it
    is about, so a page can mark the field. ``str()`` is the whole message:
    "Hemtjänst Norr: Årsarbetare: Årsarbetarna kan inte vara fler än de anställda."."""

    unit: OrgUnit
    field: str | None
    message: str
    where: str

    def __str__(self):
        if self.field is None:
            return f"{self.where}: {self.message}"
        return f"{self.where}: {_field_label(self.field)}: {self.message}"


class FiguresRefused(ValidationError):
    """``save_figures``' refusal: its ``messages`` name unit and field, its ``refusals``
    say which (``Refusal``)."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__([str(refusal) for refusal in refusals])
        self.refusals = refusals


def _messages(error: ValidationError, row) -> list[Refusal]:
    """A ``Refusal`` for every message of ``error`` about ``row``."""
    if not hasattr(error, "error_dict"):
        return [Refusal(row.unit, None, message, row.where) for message in error.messages]
    out = []
    for name, errors in error.message_dict.items():
        field = None if name == "__all__" else name
        out += [Refusal(row.unit, field, message, row.where) for message in errors]
    return out


@dataclass
class _Row:
    unit: OrgUnit
    values: dict
    where: str  # the unit's name, or "line 3 (Hemtjänst Norr)" in an import
    line: int | None = None  # the file's line, in an import: the preview lists what it changes


def _line_of(error: str) -> int:
    """The line an import's message names ("rad 3: …", "rad 2 (Hemtjänst): …")."""
    found = re.search(r"\d+", error)
    return int(found.group()) if found else 0


def _label(name: str) -> str:
    return str(PersonnelFigure._meta.get_field(name).verbose_name)


def _write(period, rows: list[_Row], user, reason, result: ImportResult) -> list[Refusal]:
    """Validate and save the rows of one period; returns the messages of the rows refused.
    Empty values of a new row are left empty; a row with nothing in it is not created."""
    errors = []
    existing = {f.unit_id: f for f in PersonnelFigure.objects.filter(period=period)}
    # A sent or approved follow-up holds its units' figures as they were sent.
    frozen = list(
        Submission.objects.filter(
            period=period, state__in=[Submission.State.SENT, *Submission.DECIDED_STATES]
        ).select_related("unit")
    )
    for row in rows:
        figure = existing.get(row.unit.pk)
        values = dict(row.values)
        if figure is None and all(v is None for v in values.values()):
            result.unchanged += 1
            continue
        if figure is not None and all(getattr(figure, k) == v for k, v in values.items()):
            result.unchanged += 1
            continue
        holder = next(
            (
                sub
                for sub in frozen
                if sub.unit.tree_id == row.unit.tree_id
                and sub.unit.lft <= row.unit.lft
                and row.unit.rght <= sub.unit.rght
            ),
            None,
        )
        if holder is not None:
            errors.append(
                Refusal(
                    row.unit,
                    None,
                    _(
                        "the follow-up of %(unit)s is %(state)s; its personnel figures can "
                        "change only if it is returned."
                    )
                    % {"unit": holder.unit.name, "state": holder.get_state_display()},
                    row.where,
                )
            )
            continue
        figure = figure or PersonnelFigure(period=period, unit=row.unit)
        state = "created" if figure.pk is None else "changed"
        for name, value in values.items():
            if row.line is not None and getattr(figure, name) != value:
                result.preview.append(
                    {
                        "line": row.line,
                        "what": f"{row.unit.name}: {_label(name)}",
                        "period": f"{period.year}-{period.month:02d}",
                        "gender": None,
                        "old": getattr(figure, name),
                        "new": value,
                    }
                )
            setattr(figure, name, value)
        figure.updated_by = user
        try:
            figure.full_clean()
        except ValidationError as error:
            errors += _messages(error, row)
            continue
        figure._history_user = user
        if reason:
            figure._change_reason = reason
        figure.save()
        setattr(result, state, getattr(result, state) + 1)
    return errors


def closed_message(period) -> str:
    """Why the figures and the personalberättelse of ``period`` cannot be entered now, or
    "" (no query): not before the period opens (HR could fill in next year's), not once
    its report is adopted."""
    if period.is_locked:
        return str(LOCKED_MESSAGE)
    if period.state == ReportingPeriod.State.PLANNED:
        return _("%(period)s has not opened yet: its figures can be entered from %(day)s.") % {
            "period": period.label,
            "day": formatting.iso_date(period.opens_on),
        }
    return ""


def save_figures(period, values_by_unit: dict, user, *, reason: str = "") -> ImportResult:
    """Make the period's figures of the given units hold ``values_by_unit`` ({OrgUnit:
    {field: value or None}}); all or nothing. Raises ``FiguresRefused`` (a ValidationError)
    with a message per refused unit and field; a locked period refuses everything."""
    result = ImportResult(dry_run=False)
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        closed = closed_message(period)
        if closed:
            raise ValidationError(closed)
        rows = [
            _Row(unit, values, unit.name)
            for unit, values in sorted(values_by_unit.items(), key=lambda item: item[0].lft)
        ]
        refusals = _write(period, rows, user, reason, result)
        if refusals:
            raise FiguresRefused(refusals)
    return result


def save_personnel_report(period, text: str, user) -> PersonnelReport:
    """Write (or rewrite) the period's personalberättelse; history keeps every version."""
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        closed = closed_message(period)
        if closed:
            raise ValidationError(closed)
        report = PersonnelReport.objects.filter(period=period).first() or PersonnelReport(
            period=period
        )
        if report.pk is not None and report.text == text:
            return report
        report.text = text
        report.written_by = user
        report.full_clean()
        report._history_user = user
        report.save()
    return report


# --- CSV ------------------------------------------------------------------------------


def _unit_lookup(municipality):
    """(by ansvarskod, by lower-case name → list of units) for the import."""
    by_code, by_name = {}, {}
    for unit in personnel_units(municipality):
        if unit.ansvarskod:
            by_code[unit.ansvarskod] = unit
        by_name.setdefault(unit.name.lower(), []).append(unit)
    return by_code, by_name


def import_figures(municipality, data: bytes, user, *, dry_run: bool = False) -> ImportResult:
    """Import ``enhet;period;sjukfrånvaro;sjukfrånvaro_k;sjukfrånvaro_m;anställda;årsarbetare``.

    ``enhet`` is the unit's ansvarskod or, failing that, its exact name; ``period`` is the
    goal period's month (YYYY-MM: 2026-08 for the delårsrapport). An empty cell leaves
    the figure as it is. Only the units the user may enter figures for
    (``personnel_changeable_units``); a locked period is refused. All or nothing: any
    error refuses the whole file, and every error names its line.
    """
    from styrning.permissions import personnel_changeable_units

    lines = read_lines(data, CSV_COLUMNS)
    by_code, by_name = _unit_lookup(municipality)
    allowed = set(personnel_changeable_units(user).values_list("pk", flat=True))
    periods = {(p.year, p.month): p for p in goal_periods(municipality)}
    errors: list[str] = []
    rows_by_period: dict = {}
    seen: dict = {}
    for line, cells in lines:
        if wrong := column_count_error(line, cells, CSV_COLUMNS):
            errors.append(wrong)
            continue
        unit_text, period_text = cells[0], cells[1]
        unit = by_code.get(unit_text)
        if unit is None:
            named = by_name.get(unit_text.lower(), [])
            if len(named) > 1:
                errors.append(
                    line_error(
                        line,
                        _("“%(unit)s” names more than one unit; give its responsibility code.")
                        % {"unit": unit_text},
                    )
                )
                continue
            unit = named[0] if named else None
        if unit is None or unit.pk not in allowed:
            errors.append(
                line_error(
                    line,
                    _("there is no unit “%(unit)s” whose personnel figures you may enter.")
                    % {"unit": unit_text},
                )
            )
            continue
        try:
            year, month = parse_month(period_text)
        except ValueError:
            errors.append(
                line_error(
                    line, _("the period must be YYYY-MM, not “%(text)s”.") % {"text": period_text}
                )
            )
            continue
        period = periods.get((year, month))
        if period is None:
            errors.append(
                line_error(
                    line,
                    _(
                        "%(period)s is not an interim report or annual accounts period of the "
                        "reporting calendar."
                    )
                    % {"period": period_text},
                )
            )
            continue
        if period.is_locked:
            errors.append(
                line_error(
                    line,
                    _("%(period)s is locked: its report has been adopted.")
                    % {"period": period.label},
                )
            )
            continue
        if period.state == ReportingPeriod.State.PLANNED:
            errors.append(line_error(line, closed_message(period)))
            continue
        key = (period.pk, unit.pk)
        if key in seen:
            errors.append(
                line_error(
                    line,
                    _("%(unit)s and %(period)s are on line %(other)s already.")
                    % {"unit": unit.name, "period": period_text, "other": seen[key]},
                )
            )
            continue
        seen[key] = line
        values, bad = {}, False
        for (column, name), text in zip(CSV_FIELDS, cells[2:], strict=True):
            if not text:
                continue  # empty: leave the figure as it is
            problem = None
            try:
                value = parse_decimal(text)
            except TooManyDecimals:
                problem = _("%(column)s “%(text)s” has more than two decimals.")
            except ValueError:
                problem = _("%(column)s “%(text)s” is not a number.")
            else:
                if name == "employees" and value != value.to_integral_value():
                    problem = _("%(column)s “%(text)s” is not a whole number.")
            if problem:
                errors.append(line_error(line, problem % {"column": column, "text": text}))
                bad = True
                continue
            values[name] = int(value) if name == "employees" else value
        if not bad:
            where = _("line %(line)s (%(unit)s)") % {"line": line, "unit": unit.name}
            rows_by_period.setdefault(period, []).append(_Row(unit, values, where, line))
    # The lines that could be read are checked against the model's rules too, so one round
    # names every error of the file (the transaction is rolled back on any).
    result = ImportResult(dry_run=dry_run)
    reason = _("CSV import")
    with transaction.atomic():
        for period, rows in rows_by_period.items():
            errors += [str(refusal) for refusal in _write(period, rows, user, reason, result)]
        if errors:
            raise ImportFailed(sorted(errors, key=_line_of))  # in the file's order
        if dry_run:
            transaction.set_rollback(True)
    return result


_FIGURES = CompiledQuery(
    lambda period_id, unit_ids: PersonnelFigure.objects.filter(period=period_id).filter(
        Q(unit__in=unit_ids)
    ),
    in_list=1,
)


def figure_lookup(period, units) -> dict[int, PersonnelFigure]:
    """The period's figures of ``units`` by unit pk (one query, compiled once a process;
    none for no units)."""
    return {figure.unit_id: figure for figure in _FIGURES(period.pk, [u.pk for u in units])}
