"""The driftredovisning table, specified once: the page, the CSV and the XLSX loop these columns.

Each column says its key, its heading, its unit and how to get its value from
a row of ``budget.overview`` (a ``BodyRow``, the unallocated row or the total).
Amounts come out in kronor: the frame columns with money to spend +, the rest
in table sign (intäkter +, kostnader −; a positive avvikelse is better). The
page shows them in tkr, the exports in kr, so both carry the same figures.

The budget pages' long tables are written here as HTML rather than by the
template engine, which spent more time on their cells than the page on its SQL:
the driftredovisning's rows (``page_table``), the changes list, the unit page's
account groups, the investments and the frames form. Each writes the markup its
template wrote (tests/budget/test_page_rows.py), escaping every text it inserts.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from budget import signs
from budget.forms import YearMonthForm
from budget.models import BudgetChange
from styrning import formatting, widgets

KR = "kr"

# ``html.escape`` (quotes too) in one call: ``text.translate(ESCAPES)``, for the long loops.
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


@dataclass(frozen=True)
class Column:
    key: str
    heading: Any  # a lazy translation
    unit: str | None  # KR for amounts (table sign, kronor), None for text
    value: Callable[[Any], Any]
    strong: bool = False  # the figure the reader looks for first
    on_page: bool = True  # False: exports only (the page shows it another way)

    @property
    def is_amount(self) -> bool:
        return self.unit == KR

    def page_text(self, row, in_tkr=formatting.in_tkr) -> str:
        """The cell as the page shows it: amounts in tkr without the unit (named in the caption).

        ``in_tkr``: a table's own ``formatting.tkr_formatter()``, which formats its cells faster.
        """
        value = self.value(row)
        if self.unit == KR:
            return in_tkr(value)
        return "" if value is None else str(value)


def _table_sign(attr):
    def get(row):
        return signs.to_table(getattr(row, attr))

    return get


def _frame_sign(attr):
    """A frame or a change of it: money the nämnd receives to spend is + (as budget.signs)."""

    def get(row):
        return signs.frame_to_table(getattr(row, attr))

    return get


def _action_plan(row):
    return str(_("Action plan needed")) if row.needs_action_plan else ""


DRIFT_COLUMNS = [
    Column("name", _("Committee or board"), None, lambda row: row.name),
    Column("adopted", _("Adopted frame"), KR, _frame_sign("adopted")),
    Column("changes", _("Changes"), KR, _frame_sign("changes")),
    Column("current", _("Current frame"), KR, _frame_sign("current")),
    Column("budget_to_date", _("Budget to date"), KR, _table_sign("budget_to_date")),
    Column("outcome", _("Outcome to date"), KR, _table_sign("outcome")),
    Column("deviation_to_date", _("Deviation to date"), KR, lambda row: row.deviation_to_date),
    Column("forecast", _("Full-year forecast"), KR, _table_sign("forecast_or_frame")),
    Column(
        "deviation_forecast",
        _("Deviation, forecast"),
        KR,
        lambda row: row.deviation_forecast,
        strong=True,
    ),
    # The page marks the row and its name instead, so the table fits the screen.
    Column("action_plan", _("Action plan"), None, _action_plan, on_page=False),
]
PAGE_COLUMNS = [column for column in DRIFT_COLUMNS if column.on_page]


def drift_columns(budget_year, columns=DRIFT_COLUMNS) -> list[Column]:
    """The columns for a budget year: before KF has adopted it, its frames are a proposal."""
    if budget_year.is_adopted:
        return list(columns)
    return [
        replace(column, heading=_("Proposed frame")) if column.key == "adopted" else column
        for column in columns
    ]


def drift_rows(ov) -> list:
    """The table's body rows in order: the nämnder, then outcome on no ansvar."""
    rows = list(ov.rows)
    if ov.unallocated_row is not None:
        rows.append(ov.unallocated_row)
    return rows


class UrlPattern:
    """A named URL with an id (its last argument), reversed once per page, not once per row."""

    MARK = "2147483647"

    def __init__(self, name, *args, query=""):
        head, _mark, tail = reverse(name, args=[*args, self.MARK]).partition(self.MARK)
        self.head, self.tail = head, f"{tail}?{query}" if query else tail

    def __call__(self, pk):
        return f"{self.head}{pk}{self.tail}"


WARNING_CLASS = ' class="row--warning"'


def _amount_cells(columns, row, in_tkr, before="", forecast_note="") -> str:
    """A row's amount cells: each ``Column.page_text`` with ``in_tkr``, the strong one in
    <strong>, ``forecast_note`` after the forecast. A formatted figure holds digits, a minus
    and the language's separators: nothing to escape."""
    cells = []
    for column in columns:
        text = column.page_text(row, in_tkr)
        if column.strong:
            text = f"<strong>{text}</strong>"
        note = forecast_note if column.key == "forecast" else ""
        cells.append(f'{before}<td class="num">{text}{note}</td>')
    return "".join(cells)


def page_table(ov, link: Callable[[Any], str | None] = lambda row: None) -> dict:
    """The driftredovisning for the page: headings, and the body rows and the total as HTML.

    The rows are many (a nämnd each) and alike, so they are written here rather
    than by the template engine: ``body`` is the ``<tr>`` elements of the table's
    ``<tbody>``, ``total`` its ``<tfoot>`` row. Every cell is ``Column.page_text``.
    """
    columns = drift_columns(ov.budget_year, PAGE_COLUMNS)
    name, amounts = columns[0], columns[1:]
    in_tkr = formatting.tkr_formatter()
    warning = format_html(
        '<br><span class="status status--warning">{}</span>', _("Action plan needed")
    )
    no_forecast = format_html(
        '<span class="visually-hidden"> ({})</span>*', _("no forecast: the frame")
    )
    body = []
    unforecast_rows = False
    for row in drift_rows(ov):
        url = link(row) if row.unit is not None else None
        text = html.escape(name.page_text(row))
        heading = f'<a href="{html.escape(url)}">{text}</a>' if url else text
        marked = bool(row.needs_action_plan)
        # A nämnd without a forecast shows its frame as the forecast, marked with a *.
        unforecast = row.unit is not None and row.forecast is None
        unforecast_rows = unforecast_rows or unforecast
        cells = _amount_cells(amounts, row, in_tkr, "\n      ", no_forecast if unforecast else "")
        body.append(
            f"\n    <tr{WARNING_CLASS if marked else ''}>"
            f'\n      <th scope="row">{heading}\n        {warning if marked else ""}</th>'
            f"{cells}\n    </tr>\n    "
        )
    total = ov.totals
    total_cells = _amount_cells(amounts, total, in_tkr)
    return {
        "columns": columns,
        "body": mark_safe("".join(body)),
        "total": mark_safe(
            f'<tr><th scope="row">{escape(name.page_text(total))}</th>{total_cells}</tr>'
        ),
        # The "*" note under the table, only when a row carries the mark.
        "unforecast": unforecast_rows,
        "note": ov.unallocated_note,
    }


def export_header(ov) -> list[str]:
    """Headings with the unit where there is one: "Beslutad ram (kr)"."""
    return [
        f"{column.heading} ({column.unit})" if column.unit else str(column.heading)
        for column in drift_columns(ov.budget_year)
    ]


def export_rows(ov) -> list[list]:
    """Body rows and the total as values: amounts as Decimal kronor, text as str."""
    return [[column.value(row) for column in DRIFT_COLUMNS] for row in [*drift_rows(ov), ov.totals]]


# The year's decided budget changes, as the overview lists them.
CHANGE_COLUMNS = [
    Column("decided_on", _("Decision date"), None, lambda c: formatting.iso_date(c.decided_on)),
    Column(
        "decision",
        _("Decision"),
        None,
        lambda c: f"{c.decided_by.name}, {c.decision_reference}",
    ),
    Column("kind", _("Kind"), None, lambda c: str(c.get_kind_display()).capitalize()),
    Column("from", _("From"), None, lambda c: c.from_unit.name if c.from_unit_id else ""),
    Column("to", _("To"), None, lambda c: c.to_unit.name),
    Column("amount", _("Amount"), KR, lambda c: Decimal(c.amount)),
]


def change_list(ov) -> list:
    """Each decided change of the year once, in decision order (from the overview's rows)."""
    seen: dict[int, Any] = {}
    for row in ov.rows:
        for item in row.change_list:
            change = getattr(item, "change", item)  # a BudgetChange or an entry holding one
            seen.setdefault(change.pk, change)
    return sorted(seen.values(), key=lambda c: (c.decided_on, c.pk))


def changes_html(entries, show_unit, can_reverse, year) -> str:
    """The rows of the changes list (``templates/budget/_changes.html``) as HTML.

    ``entries`` are ``budget.overview.ChangeEntry``s; ``show_unit`` adds the
    nämnd the entry is listed under, ``can_reverse`` the link that reverses a
    change in force. Written here rather than by the template engine: each row
    costs it a dozen lookups, translations and filters. Its texts go through
    ``html.escape``, as Django's ``escape`` does, without its lazy-string wrapper.
    """
    if not entries:
        return ""
    words = {
        "from": html.escape(gettext("from")),
        "to": html.escape(gettext("to")),
        "inside": format_html('0 <span class="muted">({})</span>', gettext("inside the committee")),
        "in_force": html.escape(gettext("In force")),
        "reverse": html.escape(gettext("Reverse")),
        # Each kind as get_kind_display() shows it, capitalised.
        "kinds": {
            kind: html.escape(capfirst(str(label))) for kind, label in BudgetChange.Kind.choices
        },
    }
    reverse_url = UrlPattern("budget:change_reverse", year)
    in_tkr = formatting.tkr_formatter()
    return mark_safe(
        "".join(_change_row(e, show_unit, can_reverse, words, reverse_url, in_tkr) for e in entries)
    )


def _change_row(entry, show_unit, can_reverse, words, reverse_url, in_tkr) -> str:
    """One row of ``changes_html``; ``in_tkr`` formats its figures (nothing to escape)."""
    change = entry.change
    reference = html.escape(change.decision_reference)
    unit = f'<th scope="row">{html.escape(entry.unit.name)}</th>' if show_unit else ""
    what = words["kinds"][change.kind]
    if change.from_unit_id:
        what += f" {words['from']} {html.escape(change.from_unit.name)}"
    what += f" {words['to']} {html.escape(change.to_unit.name)}"
    if change.funding:
        what += f" ({html.escape(change.funding)})"
    if change.description:
        what += f'<br><span class="muted">{html.escape(change.description)}</span>'
    effect = words["inside"] if entry.inside else in_tkr(entry.frame_effect)
    if entry.reversed_by:
        status = (
            '<span class="status status--warning">'
            + gettext("Reversed by %(reference)s")
            % {"reference": html.escape(entry.reversed_by.decision_reference)}
            + "</span>"
        )
    elif change.reverses_id:
        status = gettext("Reverses %(reference)s") % {
            "reference": html.escape(change.reverses.decision_reference)
        }
    else:
        status = words["in_force"]
        if can_reverse:
            status += (
                f' <a class="no-print" href="{reverse_url(change.pk)}">{words["reverse"]}'
                f'<span class="visually-hidden"> {reference}</span></a>'
            )
    return (
        f"\n  <tr>\n    {unit}"
        f'\n    <td>{reference}<br><span class="muted">{html.escape(change.decided_by.name)}, '
        f"{formatting.iso_date(change.decided_on)}</span></td>"
        f"\n    <td>{what}</td>"
        f'\n    <td class="num">{in_tkr(change.amount)}</td>'
        f'\n    <td class="num">{effect}</td>'
        f"\n    <td>{status}</td>\n  </tr>\n  "
    )


def _group_row(heading, figures, months, in_tkr) -> str:
    """A row of the unit page's table: budget, to date, forecast, deviations, then ``months``."""

    def ledger(key):
        return in_tkr(signs.to_table(figures[key]))

    return (
        f'<tr><th scope="row">{heading}</th><td class="num">{ledger("budget")}</td>'
        f'\n  <td class="num">{ledger("budget_to_date")}</td>'
        f'<td class="num">{ledger("outcome")}</td>'
        f'<td class="num">{in_tkr(figures["deviation_to_date"])}</td>'
        f'\n  <td class="num">{ledger("forecast")}</td>'
        f'<td class="num"><strong>{in_tkr(figures["deviation"])}</strong></td>'
        f"{months}</tr>"
    )


def _month_cells(amounts, in_tkr) -> str:
    return "\n  " + "".join(f'<td class="num">{in_tkr(signs.to_table(v))}</td>' for v in amounts)


def group_table(detail) -> dict:
    """The unit page's table per account group (``budget.overview.UnitDetail``) as HTML.

    ``body``: a row per group with its months, then the row of what the groups do not
    cover; ``total``: the net row. Ledger amounts in table sign and tkr, deviations in
    tkr. Written here rather than by the template engine: a row has up to 19 cells.
    """
    in_tkr = formatting.tkr_formatter()
    body = []
    for g in detail.groups:
        months = _month_cells(g["by_month"], in_tkr)
        body.append(f"\n  {_group_row(html.escape(g['group'].name), g, months, in_tkr)}\n  ")
    body.append("\n  ")
    if detail.residual:
        heading = escape(gettext("Not distributed on account groups"))
        months = "<td></td>" * len(detail.months)
        body.append(_group_row(heading, detail.residual, months, in_tkr))
    net_months = _month_cells(detail.total["by_month"], in_tkr)
    net = _group_row(escape(gettext("Net")), detail.total, net_months, in_tkr)
    return {"body": mark_safe("".join(body)), "total": mark_safe(net)}


INVESTMENT_FIELDS = ("pk", "code", "name", "unit__name", "budget", "outcome", "total_expenditure")


def investment_rows(projects, edit_url=None) -> str:
    """The investment page's rows as HTML, from ``projects.values_list(*INVESTMENT_FIELDS)``.

    Amounts as expenditure in kronor; the deviation is ``signs.deviation(outcome,
    budget)``. ``edit_url`` (a ``UrlPattern`` for the ekonomichef) links each project
    to its form. Written here rather than by the template engine: a municipality has
    hundreds of projects.
    """
    rows = []
    whole = formatting.whole_formatter()
    over = escape(gettext("above the decided total"))
    # Escaping is per character: the link's parts escaped once, around the pk's digits;
    # a unit's name once, however many projects it has.
    if edit_url is not None:
        head, tail = html.escape(edit_url.head), html.escape(edit_url.tail)
    units: dict[str, str] = {}
    for pk, code, name, unit_name, budget, outcome, total in projects:
        title = f"{code.translate(ESCAPES)} {name.translate(ESCAPES)}"
        if edit_url is not None:
            title = f'<a href="{head}{pk}{tail}">{title}</a>'
        unit_html = units.get(unit_name)
        if unit_html is None:
            unit_html = units[unit_name] = unit_name.translate(ESCAPES)
        # The year's outcome alone beyond the project's decided total: said in words, on a
        # marked row (the trial found 4 480 000 beside 4 200 000 with nothing said).
        beyond = total is not None and outcome is not None and outcome > total
        mark = f' <span class="status status--warning">{over}</span>' if beyond else ""
        marked = ' class="row--warning"' if beyond else ""
        rows.append(
            f'<tr{marked}><th scope="row">{title}</th><td>{unit_html}</td>'
            f'<td class="num">{whole(budget)}</td>'
            f'<td class="num">{whole(outcome)}{mark}</td>'
            f'<td class="num">{whole(signs.deviation(outcome, budget))}</td>'
            f'<td class="num">{whole(total)}</td></tr>\n  '
        )
    return mark_safe("".join(rows))


def investment_totals(projects) -> dict:
    """The investment table's total row: budget, outcome, deviation and decided totals of
    ``projects`` (the rows' values_list, already read: no query)."""
    budget = sum((row[4] or 0 for row in projects), Decimal(0))
    outcome = sum((row[5] or 0 for row in projects), Decimal(0))
    total = sum((row[6] or 0 for row in projects), Decimal(0))
    return {
        "budget": budget,
        "outcome": outcome,
        "deviation": signs.deviation(outcome, budget),
        "total": total,
    }


def frame_rows(boards, form) -> str:
    """The frames form's rows as HTML: per nämnd its name and a labelled input per year.

    ``form`` is a ``budget.forms.FrameForm``. Each input is the markup its bound field
    renders (``styrning.widgets``: the field's widget attrs, ``disabled``, ``aria-invalid``,
    the id), with the field's errors below it, written here without a bound field each:
    fifty nämnder of three years, where Django's rendering cost several times the page's
    SQL (tests/budget/test_page_rows.py renders both ways and compares them).
    """
    if not form.fields:
        return _stored_frame_rows(boards, form)
    errors = form.errors if form.is_bound else {}
    attrs_html: dict[tuple, str] = {}  # the cells share their widget attrs but for errors
    cells: dict[int, list[str]] = {board.pk: [] for board in boards}
    for board, _year, name in form.cells:
        field = form.fields[name]
        field_id = f"id_{name}"
        attrs = dict(field.widget.attrs)
        if field.disabled:
            attrs["disabled"] = True
        field_errors = errors.get(name)
        if field_errors:
            attrs["aria-invalid"] = "true"
            if not attrs.get("aria-describedby"):
                attrs["aria-describedby"] = f"{field_id}_errors"
        key = tuple(attrs.items())
        if key not in attrs_html:
            attrs_html[key] = widgets.html_attrs(attrs)
        id_attr = f' id="{field_id}"' if "id" not in attrs else ""
        value = field.widget.format_value(form.cell_value(name))
        value_attr = f' value="{html.escape(str(value))}"' if value is not None else ""
        error_html = (
            f'<div class="field__errors" id="{field_id}_errors">'
            f"{' '.join(conditional_escape(e) for e in field_errors)}</div>"
            if field_errors
            else ""
        )
        cells[board.pk].append(
            f'<td><label class="visually-hidden" for="{field_id}">{html.escape(field.label)}'
            f'</label><input type="text" name="{name}"{value_attr}{attrs_html[key]}{id_attr}>'
            f"{error_html}</td>"
        )
    rows = [
        f'\n    <tr><th scope="row">{escape(board.name)}</th>{"".join(cells[board.pk])}</tr>\n    '
        for board in boards
    ]
    return mark_safe("".join(rows))


def _stored_frame_rows(boards, form) -> str:
    """``frame_rows`` of an unbound ``FrameForm``, which has no field per cell: every input
    has the prototype field's attrs and shows the stored frame as ``TkrField.prepare_value``
    does (one formatter for the table), and no errors. A formatted figure holds digits, a
    minus and the language's separators: nothing to escape."""
    prototype = form.prototype
    attrs = dict(prototype.widget.attrs)
    if prototype.disabled:
        attrs["disabled"] = True
    attrs_html = widgets.html_attrs(attrs)
    with_id = "id" not in attrs
    number = formatting.number_formatter()
    label = html.escape(form.label)  # escaping is per character: the parts escaped alike
    frames = form.frames
    rows = []
    for board in boards:
        pk, board_name = board.pk, html.escape(board.name)
        cells = []
        for year in form.years:
            name = f"frame_{pk}_{year}"
            amount = frames.get((pk, year))
            value_attr = (
                f' value="{number(signs.to_tkr(amount))}"'
                if isinstance(amount, (int, Decimal))
                else ""
            )
            id_attr = f' id="id_{name}"' if with_id else ""
            cells.append(
                f'<td><label class="visually-hidden" for="id_{name}">'
                f"{label % {'unit': board_name, 'year': year}}"
                f'</label><input type="text" name="{name}"{value_attr}{attrs_html}{id_attr}></td>'
            )
        rows.append(f'\n    <tr><th scope="row">{board_name}</th>{"".join(cells)}</tr>\n    ')
    return mark_safe("".join(rows))


def period_form(years, year, month) -> str:
    """The year and month form of the budget pages, ``year`` and ``month`` chosen: the markup
    ``{% field %}`` writes for an unbound ``YearMonthForm`` (the years offered are ``years``,
    as they come). Written here: the form's fields, bound fields and widgets cost about 1 500
    calls on every budget page, more than its table (tests/budget/test_page_rows.py holds it
    to the template it replaced)."""
    labels = YearMonthForm.base_fields
    required = f' <span class="required">({escape(gettext("required"))})</span>'

    def select(name, choices, chosen) -> str:
        options = "".join(
            f'\n  <option value="{value}"{" selected" if value == chosen else ""}>'
            f"{str(label).translate(ESCAPES)}</option>\n"
            for value, label in choices
        )
        return (
            f'<div class="field">\n  <label for="id_{name}">{escape(labels[name].label)}'
            f'{required}</label>\n  <select name="{name}" id="id_{name}">{options}\n</select>'
            "\n  \n  \n</div>"
        )

    aria_label = escape(gettext("Choose year and month"))
    return mark_safe(
        f'\n<form method="get" class="filters" aria-label="{aria_label}">'
        f"\n  {select('ar', [(y, y) for y in years], year)}"
        f"{select('manad', YearMonthForm.MONTHS, month)}"
        '\n  <div class="filters__actions"><button type="submit" class="button">'
        f"{escape(gettext('Show'))}</button></div>\n</form>\n"
    )
