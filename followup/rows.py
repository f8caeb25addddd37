"""Long tables of the follow-up pages written in Python rather than a template loop.

A template loop with an include and a dozen tags a row cost more than the page's SQL
(the review list shows 50 rows). Each function writes the markup its template wrote,
byte for byte; tests/followup/test_rows.py compares them with the old templates. The
words are looked up once a table, not once a row, and go through gettext as the
templates' {% translate %} did.
"""

from __future__ import annotations

import re
from html import escape

from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followup import rollup
from followup.choices import ReportContent
from followup.models import ReportingPeriod, Submission
from followup.submissions import _trend_labels
from goals.tree import UrlPattern
from styrning.formatting import iso_date, number, number_formatter
from styrning.templatetags.form_tags import field as field_html
from styrning.widgets import conditional_escape as html_escape


def _csrf_input(token: str) -> str:
    """What {% csrf_token %} writes."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


class StateBadge:
    """followup/_state.html for many submissions: the state in words, when it was sent,
    and whether that was late (the words looked up once)."""

    def __init__(self):
        self.labels = {value: escape(capfirst(label)) for value, label in Submission.State.choices}
        self.sent = _("sent %(day)s")
        self.late = escape(_("late"))

    def __call__(self, submission) -> str:
        state = submission.state
        html = (
            f'<span class="status status--submission-{escape(state)}">'
            f"{self.labels.get(state, escape(state))}</span>"
        )
        if submission.is_sent:
            day = iso_date(timezone.localtime(submission.sent_at)) if submission.sent_at else ""
            late = f" – {self.late}" if submission.late else ""
            # Kept on one line: "2026-09-" and "12" were split (a trial).
            html += f'<br><small class="date">{escape(self.sent % {"day": day})}{late}</small>'
        return html + "\n"


def review_rows(rows, csrf_token: str) -> SafeString:
    """The review list's rows (worklist.review_page's WorkRows): unit, period, deadline,
    state, and approve/return forms for a sent follow-up (mine.html's table body)."""
    state = StateBadge()
    url = UrlPattern("followup:submission")
    approve_url = UrlPattern("followup:submission_approve")
    return_url = UrlPattern("followup:submission_return")
    calendar_url = reverse("followup:calendar")
    csrf = _csrf_input(csrf_token)
    words = {
        "overdue": escape(_("overdue")),
        "confirm": escape(
            _(
                "Approve the follow-up? Its assessments and values then reach the "
                "politicians and the reports."
            )
        ),
        "approve": escape(_("Approve")),
        "reason": escape(_("Reason for returning")),
        "return": escape(_("Return")),
        "confirm_return": escape(
            _(
                "Return the follow-up to the unit? It can then be changed and sent again; "
                "your reason is shown to it."
            )
        ),
        "unsent": escape(_("Not sent: the period is closed.")),
        "reopen": escape(_("Reopen the period in the reporting calendar")),
    }
    overdue = f' <span class="status status--warning">{words["overdue"]}</span>'
    labels: dict[int, str] = {}  # period pk → its label, written once
    out = []
    for row in rows:
        sub = row.submission
        period = sub.period
        label = labels.get(period.pk)
        if label is None:
            label = labels[period.pk] = escape(period.label)
        unit = escape(sub.unit_name)  # review_queryset's annotation
        if sub.state == Submission.State.SENT:
            actions = (
                f'\n      <form method="post" action="{approve_url(sub.pk)}">{csrf}'
                '<input type="hidden" name="next" value="mine">\n'
                '        <button type="submit" class="button button--quiet" '
                f'data-confirm="{words["confirm"]}">{words["approve"]}'
                f'<span class="visually-hidden"> {unit}, {label}</span></button></form>\n'
                f'      <form method="post" action="{return_url(sub.pk)}" class="return-form">'
                f'{csrf}<input type="hidden" name="next" value="mine">\n'
                f'        <label for="reason-{sub.pk}">{words["reason"]}'
                f'<span class="visually-hidden"> {unit}</span></label>\n'
                f'        <textarea id="reason-{sub.pk}" name="return_reason" rows="2" '
                "required></textarea>\n"
                '        <button type="submit" class="button button--quiet" '
                f'data-confirm="{words["confirm_return"]}">{words["return"]}'
                f'<span class="visually-hidden"> {unit}, {label}</span></button></form>\n    '
            )
        elif sub.left_unsent:
            actions = (
                f'{words["unsent"]} <a href="{calendar_url}?ar={period.year}">'
                f"{words['reopen']}</a>\n    "
            )
        else:
            actions = "–"
        out.append(
            "\n  <tr>\n"
            f'    <th scope="row"><a href="{url(sub.pk)}">{unit}</a></th>\n'
            f"    <td>{label}</td>\n"
            f'    <td><span class="date">{iso_date(row.deadline)}</span>'
            f"{overdue if row.overdue else ''}</td>\n"
            f"    <td>{state(sub)}</td>\n"
            f'    <td class="review-actions">{actions}</td>\n'
            "  </tr>\n  "
        )
    return mark_safe("".join(out))


def calendar_rows(rows, can_manage: bool, csrf_token: str) -> SafeString:
    """The årshjul's table rows (overview.PeriodRow): the period, what it asks for, its
    dates, state and submissions, and the open/close/lock forms for those who manage
    periods (calendar.html's table body)."""
    State = ReportingPeriod.State
    contents = {value: escape(capfirst(label)) for value, label in ReportContent.choices}
    states = {value: escape(capfirst(label)) for value, label in State.choices}
    open_url = UrlPattern("followup:period_open")
    close_url = UrlPattern("followup:period_close")
    lock_url = UrlPattern("followup:period_lock")
    csrf = _csrf_input(csrf_token)
    words = {
        "confirm_reopen": escape(
            _("Reopen the period? The units can change their follow-ups again.")
        ),
        "confirm_open": escape(_("Open the period now? The units can start reporting at once.")),
        "reopen": escape(_("Reopen")),
        "open": escape(_("Open")),
        "confirm_close": escape(
            _(
                "Close the period? Follow-ups not yet sent can then no longer be sent until "
                "it is reopened."
            )
        ),
        "close": escape(_("Close")),
        "reference": escape(_("Decision reference")),
        "lock": escape(_("Lock")),
    }
    out = []
    for row in rows:
        period, pk = row.period, row.period.pk
        label = escape(row.label)
        hidden = f'<span class="visually-hidden"> {label}</span>'
        locked = f"<br><small>{escape(row.locked)}</small>" if row.locked else ""
        late = f"<br><small>{escape(row.late)}</small>" if row.late else ""
        actions = ""
        if can_manage:
            opening = closing = locking = ""
            if row.can_open:
                again = period.state == State.CLOSED
                confirm = words["confirm_reopen"] if again else words["confirm_open"]
                if row.opens_early:
                    # Before the month it covers has ended: the units would report on
                    # figures to date (a trial sent an årsbokslut on 7 December).
                    confirm = escape(
                        _(
                            "Open the period now, before %(day)s, the end of what it covers? "
                            "The units can start reporting at once, on the figures to date."
                        )
                        % {"day": iso_date(period.period_end)}
                    )
                opening = (
                    f'<form method="post" action="{open_url(pk)}">{csrf}'
                    '<button type="submit" class="button button--quiet" data-confirm="'
                    f'{confirm}">'
                    f"{words['reopen'] if again else words['open']}{hidden}</button></form>"
                )
            if row.can_close:
                closing = (
                    f'<form method="post" action="{close_url(pk)}">{csrf}'
                    '<button type="submit" class="button button--quiet" '
                    f'data-confirm="{words["confirm_close"]}">{words["close"]}{hidden}'
                    "</button></form>"
                )
            if row.can_lock:
                locking = (
                    f'<form method="post" action="{lock_url(pk)}" class="lock-form">{csrf}\n'
                    f'            <label for="lock-{pk}">{words["reference"]}{hidden}</label>\n'
                    f'            <input type="text" id="lock-{pk}" name="decision_reference" '
                    'maxlength="120" required aria-describedby="lock-help">\n'
                    '            <button type="submit" class="button button--quiet">'
                    f"{words['lock']}{hidden}</button></form>"
                )
            actions = (
                '<td class="period-actions">\n'
                f"          {opening}\n          {closing}\n          {locking}\n        </td>"
            )
        out.append(
            f'\n      <tr id="period-{pk}">\n'
            f'        <th scope="row">{label}</th>\n'
            f"        <td>{contents.get(period.content, escape(period.content))}</td>\n"
            f"        <td>{_day(period.opens_on)}</td>\n"
            f"        <td>{_day(period.unit_deadline)}</td>\n"
            f"        <td>{_day(period.deadline)}</td>\n"
            f'        <td><span class="status status--period-{escape(period.state)}">'
            f"{states.get(period.state, escape(period.state))}</span>{locked}</td>\n"
            f"        <td>{escape(row.submitted) or '–'}{late}</td>\n"
            f"        {actions}\n"
            "      </tr>\n      "
        )
    return mark_safe("".join(out))


def _day(value) -> str:
    """A date as {{ value|date:"Y-m-d" }} wrote it ("" for none)."""
    return value.isoformat() if value is not None else ""


def goal_sections(groups) -> SafeString:
    """The goals of a part of the submission form (submission.html): per unit its goals,
    each with its indicators' table, the fields the view bound (``row.bound``,
    ``ind.bound``) and the files attached to its assessment. A part has up to 40 goals
    and a few hundred fields."""
    words = {
        "due": escape(_("the enhet's part is due %(day)s")),
        "indicators": escape(_("Indicators of %(goal)s")),
        "head": "".join(
            f'<th scope="col">{escape(text)}</th>'
            for text in (
                _("Indicator"),
                _("Baseline"),
                _("Target"),
                _("Earlier values"),
                _("Trend"),
                _("This period"),
            )
        ),
        "unchanged": escape(
            _(
                "The assessment and analysis are the same as in %(period)s. Review them and "
                "change what no longer holds."
            )
        ),
        "none": escape(_("No adopted goals to assess this year.")),
        "suggested": escape(_("Suggested from the goals below and the indicators:")),
        "departs": escape(
            _(
                "The assessment departs from the suggestion with the text of %(period)s: "
                "say in the analysis why it still holds, or change it."
            )
        ),
    }
    trends = {key: escape(text) for key, text in _trend_labels().items()}
    figure = number_formatter()  # the separators looked up once, not once a figure
    evidence = get_template("followup/_evidence.html")
    out = []
    for group in groups:
        unit = group.unit
        due = (
            f" <small>({words['due'] % {'day': _day(group.deadline)}})</small>"
            if group.deadline
            else ""
        )
        out.append(
            f'\n  <section class="goal-unit" aria-labelledby="unit-{unit.pk}">\n'
            f'    <h3 id="unit-{unit.pk}" tabindex="-1">{escape(unit.name)}{due}</h3>\n    '
        )
        for row in group.goals:
            goal = row.goal
            title = escape(goal.title)
            table = ""
            if row.indicators:
                named = words["indicators"] % {"goal": title}
                lines = "".join([_indicator_line(ind, trends, figure) for ind in row.indicators])
                table = (
                    f'\n      <div class="table-wrap" tabindex="0" role="region" '
                    f'aria-label="{named}">\n'
                    '      <table class="indicator-table">\n'
                    f'        <caption class="visually-hidden">{named}</caption>\n'
                    f"        <thead><tr>{words['head']}</tr></thead>\n"
                    f"        <tbody>{lines}</tbody>\n"
                    "      </table>\n"
                    "      </div>\n      "
                )
            unchanged = ""
            if row.unchanged_since and row.removable:
                note = words["unchanged"] % {"period": escape(row.unchanged_since)}
                unchanged = (
                    f'<p class="unchanged-note"><span aria-hidden="true">↻</span> {note}</p>'
                )
            unchanged += _suggestion(row, words)
            # The included template's output: its last line break, even with no files.
            files = (
                evidence.render({"items": row.evidence, "removable": row.removable})
                if row.evidence
                else "\n"
            )
            out.append(
                f'\n    <div class="goal-assessment" id="goal-{goal.pk}" role="group" '
                f'aria-labelledby="goal-{goal.pk}-title">\n'
                f'      <h4 id="goal-{goal.pk}-title">{escape(goal.level.name)}: {title}</h4>\n'
                f"      {table}\n"
                f"      {unchanged}\n"
                f"      {''.join([field_html(bound) for bound in row.bound])}\n"
                f"      {files}\n"
                "    </div>\n    "
            )
        out.append("\n  </section>\n  ")
    if not groups:
        out.append(f"<p>{words['none']}</p>\n  ")
    return mark_safe("".join(out))


def _suggestion(row, words) -> str:
    """The roll-up's suggestion for the goal beside its assessment, when there is
    something below it or an indicator value to suggest from; and, when the assessment
    departs from it with a text copied from an earlier period, a request to review it
    (the trial: last period's "ej uppfyllt" reached the politicians beside a suggested
    "uppfyllt", never looked at)."""
    mine = row.rollup
    if mine is None or not (mine.child_ids or any(i.value is not None for i in mine.indicators)):
        return ""
    text = (
        f'<p class="rollup-suggestion">{words["suggested"]} '
        f"{rollup.badge(mine.suggested)} – {escape(mine.explanation)}</p>"
    )
    status = row.assessment.status if row.assessment is not None else ""
    if row.unchanged_since and row.removable and status and status != mine.suggested:
        note = words["departs"] % {"period": escape(row.unchanged_since)}
        text += f'<p class="unchanged-note"><span aria-hidden="true">⚠</span> {note}</p>'
    return text


# The personnel table's read-only figures: (field, decimals) as the template's num filter.
PERSONNEL_SHOWN = (
    ("sick_leave", 1),
    ("sick_leave_women", 1),
    ("sick_leave_men", 1),
    ("employees", 0),
    ("full_time_equivalents", 1),
)


def personnel_rows(rows) -> SafeString:
    """The submission form's personnel table body: per unit its fields (``fields``, bound
    fields of the form) or, read-only, its figures (``figure``, None when it has none).
    A förvaltning has a dozen units of five fields each."""
    figure_text = number_formatter()  # the separators looked up once, not once a figure
    out = []
    for row in rows:
        unit = row["unit"]
        if row["fields"]:
            cells = "".join(
                f'<td><label class="visually-hidden" for="{html_escape(bound.auto_id)}">'
                f"{html_escape(bound.label)}</label>{html_escape(bound)}"
                + "".join(
                    f'<span class="field__errors">{html_escape(error)}</span>'
                    for error in bound.errors
                )
                + "</td>"
                for bound in row["fields"]
            )
            cells += "\n      "
        else:
            figure = row["figure"]
            cells = "".join(
                '\n      <td class="number">'
                f"{figure_text(getattr(figure, name) if figure else '', decimals) or '–'}</td>"
                for name, decimals in PERSONNEL_SHOWN
            )
            cells += "\n      "
        out.append(
            f'\n    <tr id="personnel-{unit.pk}">\n'
            f'      <th scope="row">{escape(unit.name)}</th>\n      {cells}\n    </tr>'
        )
    return mark_safe("".join(out))


def personnel_index_rows(rows) -> SafeString:
    """The body of /uppfoljning/personal/'s table: per goal period (``period``) a link to
    its figures, its state, and its personalberättelse (``report_readable``,
    ``report_written``). The template loop cost more than the page's SQL."""
    period_url = UrlPattern("personnel:period")
    report_url = UrlPattern("personnel:report")
    states = {value: escape(capfirst(label)) for value, label in ReportingPeriod.State.choices}
    written = escape(_("Written"))
    not_written = escape(_("Not written yet"))
    published = escape(_("Published when the report is adopted"))
    out = []
    for row in rows:
        period = row["period"]
        label = escape(period.label)
        if row["report_readable"]:
            report = (
                f'<a href="{report_url(period.pk)}">'
                f"{written if row['report_written'] else not_written}"
                f'<span class="visually-hidden"> – {label}</span></a>'
            )
        else:
            report = published
        out.append(
            "\n  <tr>\n"
            f'    <th scope="row"><a href="{period_url(period.pk)}">{label}</a></th>\n'
            f"    <td>{states.get(period.state, escape(capfirst(period.state)))}</td>\n"
            f"    <td>{report}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(out))


def personnel_table_rows(rows) -> SafeString:
    """The body of /uppfoljning/personal/period/<id>/'s table: per unit (indented by its
    level) its five fields with their labels and errors, or read-only its figures as the
    submission shows them (``PERSONNEL_SHOWN``). HR sees every unit of a municipality at
    once (up to 150 rows, 750 fields): the template loop cost 60 ms."""
    figure_text = number_formatter()  # the separators looked up once, not once a figure
    out = []
    for row in rows:
        unit, form = row["unit"], row["form"]
        name = escape(unit.name)
        head = name
        if form is not None:
            head += "".join(
                f'<span class="field__errors">{html_escape(error)}</span>'
                for error in form.non_field_errors()
            )
            cells = []
            for bound in form:
                auto_id = html_escape(bound.auto_id)
                errors = bound.errors
                shown = (
                    f'<span class="field__errors" id="{auto_id}_errors">'
                    + " ".join(html_escape(error) for error in errors)
                    + "</span>"
                    if errors
                    else ""
                )
                cells.append(
                    f'<td><label class="visually-hidden" for="{auto_id}">'
                    f"{html_escape(bound.label)} – {name}</label>{html_escape(bound)}{shown}</td>"
                )
            body = "".join(cells)
        else:
            figure = row["figure"]
            body = "\n    ".join(
                '<td class="number">'
                f"{figure_text(getattr(figure, field) if figure else '', decimals) or '–'}</td>"
                for field, decimals in PERSONNEL_SHOWN
            )
        out.append(
            f'\n  <tr id="unit-{unit.pk}">\n'
            f'    <th scope="row" class="level-{unit.mptt_level}">{head}</th>\n'
            f"    {body}\n  </tr>"
        )
    return mark_safe("".join(out))


def _indicator_line(ind, trends, figure) -> str:
    """One indicator's row of a goal's table: baseline, target, earlier values, trend
    and this period's fields; ``figure`` formats a number (``number_formatter``)."""
    indicator = ind.indicator
    unit = f" ({escape(indicator.unit)})" if indicator.unit else ""
    baseline = (
        f"{figure(indicator.baseline_value)} ({indicator.baseline_year})"
        if indicator.baseline_year
        else "–"
    )
    target = (
        f"{figure(indicator.target_value)} ({indicator.target_year})"
        if indicator.target_year
        else "–"
    )
    earlier = "; ".join([f"{escape(label)}: {figure(value)}" for label, value in ind.earlier])
    trend = (
        f'<span class="trend trend--{escape(ind.trend)}"><span aria-hidden="true">'
        f"{ind.arrow}</span> {trends.get(ind.trend, '')}</span>"
        if ind.trend
        else "–"
    )
    return (
        "<tr>\n"
        f'          <th scope="row">{escape(indicator.name)}{unit}</th>\n'
        f"          <td>{baseline}</td>\n"
        f"          <td>{target}</td>\n"
        f"          <td>{earlier or '–'}</td>\n"
        f"          <td>{trend}</td>\n"
        f"          <td>{''.join([field_html(bound) for bound in ind.bound])}</td>\n"
        "        </tr>"
    )


def indicator_rows(indicators) -> SafeString:
    """The table body of the indicators one may report on (personnel/indicator_import.html):
    number, name and unit, goal (linked), owner and whether split by gender. A chef's
    table has a hundred rows; ``indicators`` come with their goal and its owner."""
    goal_url = UrlPattern("goals:detail")
    split = {True: escape(_("yes")), False: escape(_("no"))}
    out = []
    for indicator in indicators:
        goal = indicator.goal
        unit = f" ({escape(indicator.unit)})" if indicator.unit else ""
        out.append(
            "\n  <tr>\n"
            f"    <td>{indicator.pk}</td>\n"
            f'    <th scope="row">{escape(indicator.name)}{unit}</th>\n'
            f'    <td><a href="{goal_url(goal.pk)}">{escape(goal.title)}</a></td>\n'
            f"    <td>{escape(goal.owner.name)}</td>\n"
            f"    <td>{split[bool(indicator.gender_split)]}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe(f"\n  {''.join(out)}\n  ")


PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _paragraphs(text: str) -> str:
    """What the ``linebreaks`` filter writes of a text (escaped, a ``<p>`` a paragraph,
    ``<br>`` a line), without its lazy-text wrappers: a midterm review has hundreds."""
    parts = PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n\n".join("<p>" + escape(part).replace("\n", "<br>") + "</p>" for part in parts)


def midterm_items(items, assignments: bool = False, badges: dict | None = None) -> SafeString:
    """The halvtidsuppföljning's list of a goal's resultatmål or uppdrag
    (``fulfilment.MidtermItem``): each linked with its owner, its assessment's badge, an
    uppdrag's own status and the units' comments (midterm.html; a mandate period lists
    hundreds). ``assignments``: the items are uppdrag, each with its own status.
    ``badges``: a dict kept while a page renders, so each status's badge is written once
    a page rather than once a list."""
    if badges is None:
        badges = {}
    own_status = escape(_("status: %(status)s"))
    out = []
    for item in items:
        badge = badges.get(item.status)
        if badge is None:
            badge = badges[item.status] = rollup.badge(item.status)
        status = (
            f' <span class="muted">{own_status % {"status": escape(item.status_label)}}</span>'
            if assignments
            else ""
        )
        comment = (
            f'<blockquote class="unit-comment__text">{_paragraphs(item.comment)}</blockquote>'
            if item.comment
            else ""
        )
        out.append(
            "<li>\n"
            f'      <p class="midterm-items__head"><a href="{escape(item.url)}">'
            f'{escape(item.title)}</a> <span class="muted">({escape(item.owner)})</span> '
            f"{badge}\n{status}</p>\n"
            f"      {comment}\n"
            "    </li>"
        )
    return mark_safe("".join(out))


def midterm_sections(
    rows, child_level, words: dict, heads: dict | None = None, badges: dict | None = None
) -> SafeString:
    """The halvtidsuppföljning's section per goal (``fulfilment.MidtermGoal``): its three
    lists of counts, the link to how it was assessed and its resultatmål and uppdrag
    (midterm.html's loop; the template's tags cost more than the page's SQL). ``words``:
    the page's translated "counts", "assignments", "together" and "how"; ``heads`` and
    ``badges``: dicts kept while the page renders (``counts_list``, ``midterm_items``)."""
    if heads is None:
        heads = {}
    if badges is None:
        badges = {}
    children = escape(str(child_level.name_plural)) if child_level else ""
    counts = words["counts"]
    assignments_word = html_escape(words["assignments"])
    together = html_escape(words["together"])
    how = html_escape(words["how"])
    out = []
    for row in rows:
        title = escape(row.title)
        link = (
            f'<p><a href="{escape(row.rollup_url)}">{how}<span class="visually-hidden">: '
            f"{title}</span></a></p>"
            if row.rollup_url
            else ""
        )
        goal_items = (
            f'\n  <h3>{children}</h3>\n  <ul class="midterm-items">\n    '
            f"{midterm_items(row.goal_items, False, badges)}\n  </ul>\n  "
            if row.goal_items
            else ""
        )
        assignment_items = (
            f'\n  <h3>{assignments_word}</h3>\n  <ul class="midterm-items">\n    '
            f"{midterm_items(row.assignment_items, True, badges)}\n  </ul>\n  "
            if row.assignment_items
            else ""
        )
        out.append(
            f'\n<section class="midterm-goal" id="goal-{row.pk}" '
            f'aria-labelledby="goal-{row.pk}-heading">\n'
            f'  <h2 id="goal-{row.pk}-heading">{title}</h2>\n'
            '  <div class="midterm-summary">\n'
            f"    <div><h3>{children}</h3>{rollup.counts_list(row.goals, counts, heads)}</div>\n"
            f"    <div><h3>{assignments_word}</h3>"
            f"{rollup.counts_list(row.assignments, counts, heads)}</div>\n"
            f"    <div><h3>{together}</h3>{rollup.counts_list(row.total, counts, heads)}</div>\n"
            "  </div>\n"
            f"  {link}\n"
            f"  {goal_items}\n"
            f"  {assignment_items}\n"
            "</section>\n"
        )
    return mark_safe("".join(out))


def rollup_indicator_rows(indicators) -> SafeString:
    """The rows of the goal's indicators on "how the assessment was made"
    (``rollup.IndicatorProgress``): baseline, target and latest value with their years,
    and the indicator's status (rollup.html's loop)."""
    cumulative = escape(_("cumulative within the year"))
    out = []
    for i in indicators:
        unit = f" ({escape(i.unit)})" if i.unit else ""
        note = f"<br><small>{cumulative}</small>" if i.cumulative else ""
        baseline = (
            "–" if i.baseline is None else f"{escape(number(i.baseline))} ({i.baseline_year})"
        )
        target = "–" if i.target is None else f"{escape(number(i.target))} ({i.target_year})"
        value = "–" if i.value is None else f"{escape(number(i.value))} ({escape(i.value_label)})"
        out.append(
            f'\n    <tr>\n      <th scope="row">{escape(i.name)}{unit}{note}</th>\n'
            f'      <td class="num">{baseline}</td>\n'
            f'      <td class="num">{target}</td>\n'
            f'      <td class="num">{value}</td>\n'
            f"      <td>{rollup.badge(i.status)}\n</td>\n"
            "    </tr>\n    "
        )
    return mark_safe("".join(out))


def midterm_table_rows(rows) -> SafeString:
    """The halvtidsuppföljning's table body: per goal (``fulfilment.MidtermGoal``) its
    title, linked to its section, and its summed counts (midterm.html's loop)."""
    return mark_safe(
        "".join(
            f'<tr>\n      <th scope="row"><a href="#goal-{row.pk}">{escape(row.title)}</a></th>'
            "\n      "
            + "".join(f'<td class="num">{item.count}</td>' for item in row.total)
            + "\n    </tr>"
            for row in rows
        )
    )


def fulfilment_cards(cards, child_level) -> SafeString:
    """Måluppfyllelse's cards (``fulfilment.GoalCard``): a goal's assessment, how it was
    reached, the counts below it, its trend and the links to the drill-down and to how
    the assessment was made (fulfilment.html)."""
    words = {
        "prognosis": escape(_("Prognosis for the full year")),
        "owner": escape(_("Assessed by the goal's owner")),
        "counts": _("Assessments of the goals below"),
        "trend": escape(_("The assessment in this and the earlier follow-ups.")),
        "how": escape(_("How the assessment was made")),
    }
    if child_level:
        level = escape(child_level.name_plural.lower())
        drill = escape(
            capfirst(
                _("The %(level)s and the units' comments")
                % {"level": child_level.name_plural.lower()}
            )
        )
    else:
        level = ""
        drill = escape(_("The units' comments"))
    heads, badges = {}, {}  # each status's list item and badge, written once a page
    out = []
    for card in cards:
        title = escape(card.title)
        badge = badges.get(card.status)
        if badge is None:
            badge = badges[card.status] = rollup.badge(card.status)
        if child_level:
            below = escape(
                ngettext(
                    "%(counter)s goal below (%(level)s)",
                    "%(counter)s goals below (%(level)s)",
                    card.below,
                )
            ) % {"counter": card.below, "level": level}
        else:
            below = escape(_("Goals below"))
        prognosis = (
            f'<p class="fulfilment-card__prognosis"><strong>{words["prognosis"]}:</strong> '
            f"{badges.get(card.prognosis) or rollup.badge(card.prognosis)}\n</p>"
            if card.prognosis
            else ""
        )
        override = (
            f'<p class="fulfilment-card__override"><strong>{words["owner"]}:</strong> '
            f"{escape(card.override_reason)}</p>"
            if card.override_reason
            else ""
        )
        how = (
            f'<a class="button button--quiet" href="{escape(card.rollup_url)}">{words["how"]}'
            f'<span class="visually-hidden">: {title}</span></a>'
            if card.rollup_url
            else ""
        )
        out.append(
            f'\n<article class="fulfilment-card" aria-labelledby="goal-{card.pk}">\n'
            '  <div class="fulfilment-card__head">\n'
            f'    <h2 id="goal-{card.pk}" class="fulfilment-card__title">{title}</h2>\n'
            f'    <p class="fulfilment-card__status">{badge}\n</p>\n'
            "  </div>\n"
            f'  <p class="fulfilment-card__explanation">{escape(card.explanation)}</p>\n'
            f"  {prognosis}\n"
            f"  {override}\n"
            '  <div class="fulfilment-card__body">\n'
            "    <div>\n"
            f'      <h3 class="fulfilment-card__subhead">{below}</h3>\n'
            "      \n"
            f"      {rollup.counts_list(card.counts, words['counts'], heads)}\n"
            "    </div>\n"
            '    <figure class="trend-figure">\n'
            f"      {card.trend}\n"
            f'      <figcaption class="muted">{words["trend"]}</figcaption>\n'
            "    </figure>\n"
            "  </div>\n"
            '  <p class="actions">\n'
            f'    <a class="button" href="{escape(card.drill_url)}">{drill}'
            f'<span class="visually-hidden">: {title}</span></a>\n'
            f"    {how}\n"
            "  </p>\n"
            "</article>\n"
        )
    return mark_safe("".join(out))


def rollup_period_options(periods, period) -> SafeString:
    """The period choice on "how the assessment was made": an option per goal period, the
    one shown selected (rollup.html's loop; a municipality has a dozen and more)."""
    chosen = period.pk if period is not None else None
    return mark_safe(
        "".join(
            f'<option value="{p.pk}"{" selected" if p.pk == chosen else ""}>'
            f"{escape(p.label)}</option>"
            for p in periods
        )
    )


def rollup_count_rows(counts) -> SafeString:
    """The goals directly below per assessment on "how the assessment was made"
    (``{"status", "n"}`` rows: rollup.html's table rows)."""
    figure = number_formatter()
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{rollup.badge(row["status"])}\n</th>'
            f'<td class="num">{escape(figure(row["n"]))}</td></tr>'
            for row in counts
        )
    )


def _linebreaksbr(text: str) -> str:
    """What the linebreaksbr filter writes for plain text: escaped, each line break
    (CR LF, CR or LF) a <br>."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def rollup_children(children, prognosis: bool) -> SafeString:
    """The goals directly below on "how the assessment was made" (``rollup_page.ChildRow``):
    each with its owner, assessment and where it came from, its prognosis at delår
    (``prognosis``) and its unit's own analysis (rollup.html; a nämnd's goals are dozens)."""
    badges = {status: rollup.badge(status) for status in rollup.STATUS_ORDER}
    the_goal = escape(_("the goal"))
    in_progress = escape(_("in progress"))
    # The unit whose follow-up holds the text: a förvaltning's, also for its enheter's
    # goals (the trial read an enhet's own text signed by its förvaltning).
    reported_in = escape(_("in the follow-up of %(unit)s"))
    out = []
    for child in children:
        title = escape(child.title)
        forecast = (
            f"<td>{badges.get(child.prognosis) or rollup.badge(child.prognosis)}\n</td>"
            if prognosis
            else ""
        )
        if child.analysis:
            busy = f" ({in_progress})" if child.in_progress else ""
            analysis = (
                f"{_linebreaksbr(child.analysis)}<br><small>"
                f"{reported_in % {'unit': escape(child.reported_by)}}{busy}</small>"
            )
        else:
            analysis = "–"
        out.append(
            "\n    <tr>\n"
            f'      <th scope="row"><a href="{escape(child.url)}">{title}</a><br><small>'
            f'{escape(child.level)} · <a href="{escape(child.goal_url)}">{the_goal}'
            f'<span class="visually-hidden"> {title}</span></a></small></th>\n'
            f"      <td>{escape(child.owner)}</td>\n"
            f"      <td>{badges.get(child.status) or rollup.badge(child.status)}\n"
            f"<br><small>{escape(child.source)}</small></td>\n"
            f"      {forecast}\n"
            f"      <td>{analysis}</td>\n"
            "    </tr>\n    "
        )
    return mark_safe("".join(out))


# The wheel's sector colours by state (a locked period's, black, for any other state).
_WHEEL_FILLS = {
    "planned": 'fill="#ffffff" stroke="#4a5561" stroke-dasharray="4 3"',
    "open": 'fill="#0b4f71" stroke="#0b4f71"',
    "closed": 'fill="url(#wheel-closed)" stroke="#4a5561"',
}


def wheel_svg(wheel) -> SafeString:
    """The årshjul's drawing (overview.Wheel) as the figure calendar.html shows: the
    months around, a sector per period, the needle for today and the legend."""
    centre = escape(wheel.centre)
    out = [
        '<figure class="chart wheel">\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {wheel.size} {wheel.size}" '
        'width="100%" role="img" aria-labelledby="wheel-title wheel-desc">\n'
        '  <title id="wheel-title">'
        + _("The reporting calendar %(year)s")
        % {"year": wheel.year}
        + "</title>\n"
        f'  <desc id="wheel-desc">{escape(wheel.summary)}. '
        + escape(
            _(
                "The months run clockwise from January at the top; each period sits in the "
                "month it covers, with its kind of report and its state. The same facts are "
                "in the table."
            )
        )
        + "</desc>\n"
        '  <defs><pattern id="wheel-closed" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" '
        'height="6" fill="#d5dbe1"/><rect width="2" height="6" fill="#9aa5b1"/></pattern>'
        "</defs>\n  "
    ]
    # The paths and coordinates are figures and letters overview.wheel wrote (nothing to
    # escape, unlike the words): a wheel has a hundred of them.
    for path, x, y, name in wheel.months:
        out.append(
            f'<path d="{path}" fill="#f3f5f7" stroke="#6b7785" stroke-width="1"/>'
            f'<text x="{x}" y="{y}" text-anchor="middle" font-size="13" '
            f'fill="#1b1f24">{escape(name)}</text>\n  '
        )
    out.append("\n  ")
    for s in wheel.sectors:
        fill = _WHEEL_FILLS.get(s.state, 'fill="#1b1f24" stroke="#1b1f24"')
        text = "#ffffff" if s.state in ("open", "locked") else "#1b1f24"
        out.append(
            f'<g class="wheel__period wheel__period--{escape(s.state)}">'
            f"<title>{escape(s.title)}</title>\n"
            f'    <path d="{s.path}" {fill} stroke-width="1.5"/>\n'
            f'    <text x="{s.x}" y="{s.y}" text-anchor="middle" font-size="16" '
            f'font-weight="700" fill="{text}">{escape(s.letter)}</text>\n'
            f'    <text x="{s.x}" y="{s.y2}" text-anchor="middle" '
            f'font-size="10" fill="{text}">{escape(s.state_label)}</text>\n'
            "  </g>"
        )
    out.append("\n  ")
    if wheel.today:
        x, y, title = (escape(part) for part in wheel.today)
        out.append(
            f'<g><title>{title}</title><line x1="{centre}" y1="{centre}" x2="{x}" y2="{y}" '
            f'stroke="#a1262d" stroke-width="2.5"/><circle cx="{x}" cy="{y}" r="4" '
            'fill="#a1262d"/></g>'
        )
    out.append(
        "\n"
        f'  <circle cx="{centre}" cy="{centre}" r="60" fill="#ffffff" stroke="#6b7785"/>\n'
        f'  <text x="{centre}" y="{escape(wheel.centre_text_y)}" text-anchor="middle" '
        f'font-size="30" font-weight="700" fill="#1b1f24">{wheel.year}</text>\n'
        "</svg>\n"
        '<figcaption class="chart-legend">'
        + escape(_("Letters: M monthly report, D interim report, Å annual accounts."))
        + " "
        + escape(
            _(
                "Dashed: planned; dark blue: open; striped: closed; black: locked. "
                "The red line is today."
            )
        )
        + "</figcaption>\n</figure>\n"
    )
    return mark_safe("".join(out))


def parallel_years(items, year: int) -> SafeString:
    """The årshjul's three parallel years (overview.ParallelYear), each with a link to its
    own calendar but the one shown (calendar.html's list)."""
    out = []
    for item in items:
        link = ""
        if item.year != year:
            show = _("Show %(other)s") % {"other": item.year}
            link = f' <a href="?ar={item.year}">{show}</a>'
        out.append(
            f"<li><strong>{escape(item.role)} {item.year}</strong><br>{escape(item.text)}"
            f"{link}</li>\n    "
        )
    return mark_safe("".join(out))
