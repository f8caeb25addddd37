"""Indicator values (mätvärden) from a CSV file: ``indikator;period;kön;värde``.

- ``indikator``: the indicator's number, as the import page lists it beside each
  indicator the user may report on. The number is the one key that is unique and never
  changes: names repeat across units and years, and a Kolada KPI id is shared by every
  unit that follows the same KPI.
- ``period``: ``YYYY`` for the year's value, ``YYYY-MM`` for a month's.
- ``kön``: ``T`` (total), ``K`` or ``M``; empty is ``T``. K and M only for indicators
  split by gender.
- ``värde``: decimal comma or point, spaces (also non-breaking) between thousands.

Only indicators of goals the user may report on (``can_report_indicator``): others are
errors naming the line. A value belongs to the report that presents it — a month's to
the first period of the årshjul from that month on, a year's to the year's last period
(the årsbokslut) — and is refused if that period is locked. All or nothing; existing
values are updated (only when they differ), with their history.

A value for the very slot a follow-up reports (the period's month, the year at the
årsbokslut) is the follow-up's: it is kept with the unit's submission, as a value typed
in its form is, and reaches the politicians when the submission is approved; it is
refused while the submission is sent or once it is approved. Other values (earlier
years, months without a report) are measurements at once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budget.imports.tabular import parse_month
from followup import submissions
from followup.csvimport import (
    ImportFailed,
    ImportResult,
    TooManyDecimals,
    column_count_error,
    line_error,
    parse_decimal,
    read_lines,
)
from followup.models import ReportingPeriod, Submission
from goals.models import Indicator, Measurement
from styrning.models import OrgUnit
from styrning.permissions import can_report_indicator, indicator_reporting_units
from styrning.services import RowSync, Stored

CSV_COLUMNS = ["indikator", "period", "kön", "värde"]
GENDERS = {"": Measurement.Gender.TOTAL, "T": "T", "K": "K", "M": "M"}


def reportable_indicators(municipality, user) -> list[Indicator]:
    """The indicators whose values ``user`` may enter, in goal order (two queries:
    the user's scope, the indicators with their goals and owners). Limited in SQL to
    the units the user reports for: a chef in a city reads their own, not 5 000."""
    indicators = (
        Indicator.objects.visible_to(user)
        .filter(goal__municipality=municipality)
        .select_related("goal__owner", "goal__level")
        .order_by("goal__tree_id", "goal__lft", "order", "name")
    )
    units = indicator_reporting_units(user)
    if units is not None:
        indicators = indicators.filter(goal__owner__in=units)
    return [i for i in indicators if can_report_indicator(user, i.goal.owner)]


def _periods_by_year(municipality) -> dict[int, list[ReportingPeriod]]:
    periods: dict[int, list[ReportingPeriod]] = {}
    for period in ReportingPeriod.objects.filter(municipality=municipality).order_by(
        "year", "month"
    ):
        periods.setdefault(period.year, []).append(period)
    return periods


def covering_period(periods_by_year, year, month) -> ReportingPeriod | None:
    """The report that presents a value: for a month the first period from that month
    on, for a year (month None) the year's last period; None if the year has none."""
    periods = periods_by_year.get(year, [])
    if month is None:
        return periods[-1] if periods else None
    return next((p for p in periods if p.month >= month), None)


def import_indicator_values(
    municipality, data: bytes, user, *, dry_run: bool = False
) -> ImportResult:
    """Read the file, check every line, then create or update the Measurement rows (all or
    nothing). ``dry_run`` counts what would be created and changed, writing nothing.
    Raises ImportFailed with Swedish messages naming the lines."""
    lines = read_lines(data, CSV_COLUMNS)
    indicators = {i.pk: i for i in reportable_indicators(municipality, user)}
    periods = _periods_by_year(municipality)
    errors: list[str] = []
    rows = []
    seen: dict = {}
    for line, cells in lines:
        if wrong := column_count_error(line, cells, CSV_COLUMNS):
            errors.append(wrong)
            continue
        ident, period_text, gender_text, value_text = cells
        indicator = indicators.get(int(ident)) if ident.isdigit() else None
        if indicator is None:
            errors.append(
                line_error(
                    line,
                    _("there is no indicator %(id)s whose values you may enter.") % {"id": ident},
                )
            )
            continue
        try:
            year, month = parse_month(period_text, whole_year=True)
        except ValueError:
            errors.append(
                line_error(
                    line,
                    _("the period must be YYYY or YYYY-MM, not “%(text)s”.")
                    % {"text": period_text},
                )
            )
            continue
        gender = GENDERS.get(gender_text.upper())
        if gender is None:
            errors.append(
                line_error(
                    line,
                    _("the gender must be T, K, M or empty, not “%(text)s”.")
                    % {"text": gender_text},
                )
            )
            continue
        if gender != Measurement.Gender.TOTAL and not indicator.gender_split:
            errors.append(
                line_error(
                    line,
                    _("the indicator %(id)s (%(name)s) is not split by gender.")
                    % {"id": indicator.pk, "name": indicator.name},
                )
            )
            continue
        try:
            value = parse_decimal(value_text)
        except TooManyDecimals:
            errors.append(
                line_error(
                    line,
                    _("the value “%(text)s” has more than two decimals.") % {"text": value_text},
                )
            )
            continue
        except ValueError:
            errors.append(
                line_error(line, _("the value “%(text)s” is not a number.") % {"text": value_text})
            )
            continue
        if wrong := indicator.value_error(value):
            errors.append(line_error(line, wrong))
            continue
        period = covering_period(periods, year, month)
        if period is not None and period.is_locked:
            errors.append(
                line_error(
                    line,
                    _("%(period)s is locked: its report has been adopted.")
                    % {"period": period.label},
                )
            )
            continue
        key = (indicator.pk, year, month, gender)
        if key in seen:
            errors.append(
                line_error(
                    line,
                    _("the same indicator, period and gender are on line %(other)s already.")
                    % {"other": seen[key]},
                )
            )
            continue
        seen[key] = line
        rows.append((line, indicator, year, month, gender, value))
    if errors:
        raise ImportFailed(errors)
    rows, reported = _route_to_submissions(rows, periods, errors)
    if errors:
        raise ImportFailed(errors)
    result = ImportResult(dry_run=dry_run, pending=sum(len(v) for v in reported.values()))
    # The file's existing values read at once (one query), compared and written in bulk.
    existing = Measurement.objects.filter(
        indicator_id__in={row[1].pk for row in rows}, year__in={row[2] for row in rows}
    )
    sync = RowSync.from_values(
        Measurement,
        existing,
        ["indicator_id", "year", "month", "gender"],
        ["value"],
        user=user,
        reason=_("CSV import"),
    )
    genders = dict(Measurement.Gender.choices)
    for line, indicator, year, month, gender, value in rows:
        lookup = {"indicator": indicator, "year": year, "month": month, "gender": gender}
        key = (indicator.pk, year, month, gender)
        stored = sync.existing.get(key)
        old = stored.values["value"] if isinstance(stored, Stored) else None
        try:
            sync.put(key, lookup, {"value": value})
        except ValidationError as error:  # a model rule the checks above did not foresee
            errors.append(line_error(line, " ".join(error.messages)))
            continue
        if old != value:
            result.preview.append(
                {
                    "line": line,
                    "what": indicator.name,
                    "period": f"{year}-{month:02d}" if month else str(year),
                    "gender": genders[gender],
                    "old": old,
                    "new": value,
                }
            )
    if errors:
        raise ImportFailed(errors)
    counts = sync.counts()
    result.created, result.changed = counts.created, counts.changed
    result.unchanged = len(rows) - counts.created - counts.changed
    for submission, values in reported.items():
        # What the follow-up holds now (a chef may have typed it): the file overwrites it.
        now = submissions.values_in_submission(submission, {ind for ind, _g in values})
        where = _("in %(unit)s's follow-up (%(state)s)") % {
            "unit": submission.unit.name,
            "state": submission.get_state_display(),
        }
        for (indicator_id, gender), (line, value) in values.items():
            # Counted with the rest (a trial read "0 nya, 0 ändrade" for three new values).
            old = now.get((indicator_id, gender))
            kind = "unchanged" if old == value else "created" if old is None else "changed"
            setattr(result, kind, getattr(result, kind) + 1)
            if old != value:
                result.preview.append(
                    {
                        "line": line,
                        "what": indicators[indicator_id].name,
                        "where": where,
                        "period": submission.period.label,
                        "gender": genders[gender],
                        "old": old,
                        "new": value,
                    }
                )
    result.preview.sort(key=lambda row: row["line"])
    if not dry_run:
        with transaction.atomic():
            sync.finish()
            for submission, values in reported.items():
                values = {key: value for key, (_line, value) in values.items()}
                submissions.save_reported_values(submission, values, user, _("CSV import"))
    return result


def _route_to_submissions(rows, periods_by_year, errors):
    """Split the rows: those for a follow-up's own slot go to its submission (submission →
    {(indicator pk, gender): (line, value)}), the rest stay measurements. A sent or decided
    submission refuses its values, naming the line (errors appended). Two queries."""
    slots = {}
    for row in rows:
        _line, indicator, year, month, _gender, _value = row
        period = covering_period(periods_by_year, year, month)
        if period is not None and submissions.measurement_month(period) == month:
            slots[row] = period
    if not slots:
        return rows, {}
    found = list(
        Submission.objects.filter(period__in={p.pk for p in slots.values()}).select_related(
            "unit", "period"
        )
    )
    direct, reported = [], {}
    for row in rows:
        period = slots.get(row)
        line, indicator, _year, _month, gender, value = row
        submission = period and _submission_for(found, period, indicator.goal.owner)
        if not submission:
            direct.append(row)
            continue
        if (
            submission.state not in Submission.EDITABLE_STATES
            or period.state != ReportingPeriod.State.OPEN
        ):
            errors.append(
                line_error(
                    line,
                    _(
                        "the value belongs to %(unit)s's follow-up of %(period)s, which is "
                        "%(state)s: it can be changed only if the follow-up is returned."
                    )
                    % {
                        "unit": submission.unit.name,
                        "period": period.label,
                        "state": submission.get_state_display(),
                    },
                )
            )
            continue
        reported.setdefault(submission, {})[(indicator.pk, gender)] = (line, value)
    return direct, reported


def _submission_for(found, period, owner):
    """The submission of ``period`` that assesses goals of ``owner``: its unit's or a unit's
    above it, or the förvaltning's that serves the nämnd (``covered_goals``' rule)."""
    for submission in found:
        unit = submission.unit
        if submission.period_id != period.pk:
            continue
        if unit.tree_id == owner.tree_id and unit.lft <= owner.lft and owner.rght <= unit.rght:
            return submission
        if unit.parent_id == owner.pk and owner.kind in OrgUnit.GOVERNING_KINDS:
            return submission
    return None
