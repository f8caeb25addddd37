"""The assessment beside every goal of /mal/, for a chosen goal period.

Registered with the goals app (``goals.additions``) in ``FollowupConfig.ready``: /mal/
gets the period field of its filter form, the query string its links keep, and per
goal row a line with the goal's final assessment in the period — the roll-up's, as on
/uppfoljning/maluppfyllelse/ (symbol, words and colour: the ``{% fulfilment %}``
badge) — and a link to "hur bedömningen gjordes".

Politicians (everyone but those ``may_see_unapproved_fulfilment``) see decided results
only; the others may ask for follow-ups in progress too (``?pagaende=1``).

Queries: the goal periods (one), and for the rows the final assessments of the whole
tree, kept between requests while nothing they are computed from has changed
(``followup.finals``: one query, and the roll-up's seven when they must be computed).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from followup import fulfilment, rollup
from followup.finals import departures, final_statuses, fingerprint
from followup.fulfilment_views import _period_and_form
from followup.rollup import STATUS_ORDER
from goals.additions import TreeAddition
from goals.tree import UrlPattern, escape  # html.escape's, in one pass (a line a goal)


def tree_lines(municipality, period, decided_only, goals) -> dict[int, str]:
    """goal pk → the line under its row: the period, the badge of its final assessment in
    it and the link to how it was made. Goals the roll-up does not hold (drafts, goals
    not valid in the period's year) get none. One query while the results are kept
    (``followup.finals``), else the roll-up's seven too."""
    if not goals:
        return {}
    stamp = fingerprint()
    finals = final_statuses(municipality, period, decided_only, stamp=stamp)
    if not finals:
        return {}
    departs = departures(municipality, period, decided_only, stamp=stamp)
    calculated = escape(_("calculated"))
    badges = {status: rollup.badge(status) for status in STATUS_ORDER}
    url = UrlPattern("followup:rollup")
    query = fulfilment.page_query(period, decided_only)
    when = escape(fulfilment.period_name(period))
    how = escape(_("How the assessment was made"))
    lines = {}
    for goal in goals:
        status = finals.get(goal.pk)
        if status is None:
            continue
        departed = ""
        if goal.pk in departs:
            # The own assessment beside what the indicators or the goals below suggest.
            suggested = badges[departs[goal.pk]]
            departed = f' <span class="goal-row__departs">({calculated}: {suggested})</span>'
        lines[goal.pk] = (
            f'<p class="goal-row__fulfilment"><span class="muted">{when}:</span> '
            f'{badges[status]}{departed} <a href="{url(goal.pk)}{query}">{how}'
            f'<span class="visually-hidden">: {escape(goal.title)}</span></a></p>'
        )
    return lines


def tree_addition(request, municipality, years, with_form, year=None) -> TreeAddition | None:
    """/mal/'s period field, query and lines (``goals.additions``); None before any goal
    period has opened. One query, and the roll-up's when the rows are asked for."""
    periods = fulfilment.goal_periods(municipality)
    if not periods:
        return None
    # "Delår 2026" in /mal/'s narrow filter ("Delårsrapport per 31 augusti 2026" was cut).
    # One year (chosen in the filter, or an earlier year's goal opened): its follow-up,
    # even where the filter form still carries the period chosen for another year.
    period, decided_only, form = _period_and_form(
        request,
        municipality,
        periods,
        years=[year] if year else years,
        warn=with_form,
        labels=fulfilment.period_name,
        only_years=year is not None,
        with_form=with_form,
    )
    if period is None:
        return None
    return TreeAddition(
        query=fulfilment.page_query(period, decided_only).lstrip("?"),
        form=form,
        lines=lambda goals: tree_lines(municipality, period, decided_only, goals),
    )
