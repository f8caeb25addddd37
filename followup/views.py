"""/arshjul/ and /uppfoljning/: the reporting calendar, the submissions and their review.

Views parse and redirect; followup.calendar changes the periods.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import FileResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from budget.forms import forecasts_below_outcome
from followup import calendar as calendar_service
from followup import finals, worklist
from followup import rows as rows_html
from followup import submissions as service
from followup.choices import GOAL_CONTENTS
from followup.forms import (
    DecidedFilterForm,
    EvidenceForm,
    LockForm,
    MakePeriodsForm,
    ReturnForm,
    ReviewFilterForm,
    SubmissionForm,
    YearForm,
)
from followup.history import submission_log
from followup.models import Evidence, ReportingPeriod, Submission
from followup.overview import calendar_page, years_offered
from reports.writing import due_texts
from styrning import formatting
from styrning.concurrency import EditConflict
from styrning.models import Membership, Municipality, OrgUnit
from styrning.permissions import (
    can_manage_periods,
    get_for_user,
    may_delegate,
    may_enter_personnel,
    may_report_indicators,
    require_period_manager,
    require_submission,
    scope_for,
    submission_rights,
)
from styrning.views import START_PARAM, goals_start_url


def _calendar_url(year) -> str:
    return f"{reverse('followup:calendar')}?ar={year}"


def _asked_year(request, municipality, today):
    """The year of ``?ar=`` (this year without it, or with a year not offered) and its form."""
    years = years_offered(municipality, today, today.year)
    year = today.year
    # Without ?ar= this year, and no form to validate (an unbound one would not be valid).
    asked = YearForm(request.GET, years=years) if "ar" in request.GET else None
    if asked is not None and asked.is_valid():
        year = asked.cleaned_data["ar"]
    elif asked is not None:
        messages.warning(
            request,
            _("There is no calendar for the year %(asked)s: showing %(year)s.")
            % {"asked": request.GET["ar"][:10], "year": year},
        )
    return year, YearForm(initial={"ar": year}, years=years)


@require_GET
@login_required
def calendar(request):
    """The year at a glance: every period, its dates, state and submissions; the three years."""
    municipality = Municipality.objects.current()
    today = timezone.localdate()
    year, form = _asked_year(request, municipality, today)
    context = calendar_page(municipality, year, today, can_manage_periods(request.user))
    context["form"] = form
    # One CSRF token for the rows' forms, the make-periods form and the header's logout
    # (the context processor's would mask a second one: 500 calls).
    context["csrf_token"] = token = get_token(request)
    # The table's rows, the wheel and the three years written in Python (followup/rows.py).
    context["rows_html"] = rows_html.calendar_rows(context["rows"], context["can_manage"], token)
    context["wheel_html"] = rows_html.wheel_svg(context["wheel"])
    context["parallel_html"] = rows_html.parallel_years(context["parallel"], year)
    return render(request, "followup/calendar.html", context)


@require_POST
@login_required
def make(request):
    """Make (or bring up to date) the year's periods from the årshjul template."""
    require_period_manager(request.user)
    form = MakePeriodsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year from 1900 to 2100."))
        return redirect("followup:calendar")
    year = form.cleaned_data["ar"]
    result = calendar_service.make_periods(Municipality.objects.current(), year, request.user)
    messages.success(
        request,
        _(
            "The periods of %(year)s: %(created)s made, %(updated)s updated, "
            "%(removed)s removed, %(kept)s already opened and kept."
        )
        % {"year": year, **vars(result)},
    )
    return redirect(_calendar_url(year))


def _period(request, pk) -> ReportingPeriod:
    """The period of the URL: 404 if there is none, 403 unless the user manages periods."""
    municipality = Municipality.objects.current()
    return get_for_user(
        request, ReportingPeriod.objects.filter(municipality=municipality), pk, "change"
    )


def _apply(request, period, action, done_message, *args):
    try:
        changed = action(period, *args, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message % {"period": changed.label})
    return redirect(_calendar_url(period.year))


@require_POST
@login_required
def period_open(request, pk):
    return _apply(
        request, _period(request, pk), calendar_service.open_period, _("%(period)s is open.")
    )


@require_POST
@login_required
def period_close(request, pk):
    return _apply(
        request, _period(request, pk), calendar_service.close_period, _("%(period)s is closed.")
    )


@require_POST
@login_required
def period_lock(request, pk):
    period = _period(request, pk)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("%(period)s was not locked: give the decision that adopted the report.")
            % {"period": period.label},
        )
        return redirect(_calendar_url(period.year))
    return _apply(
        request,
        period,
        calendar_service.lock_period,
        _("%(period)s is locked."),
        form.cleaned_data["decision_reference"],
    )


# Submissions (/uppfoljning/) ------------------------------------------------------------


def _submissions(municipality):
    return Submission.objects.for_page().filter(period__municipality=municipality)


@require_GET
@login_required
def mine(request):
    """Min uppföljning: what the chef must report; the ekonomichef's review of every unit.

    Coming from the start page (``?start=1``) with nothing due, a chef goes on to the
    goals page instead, and the ekonomichef with nothing waiting for review to /budget/.
    """
    municipality = Municipality.objects.current()
    today = timezone.localdate()
    scope = scope_for(request.user)
    review = scope.manages_budget
    rows = worklist.chef_rows(request.user, today)
    texts = due_texts(request.user)  # the report chapters the user writes ("Mina texter")
    personnel_due = _personnel_reports_due(request.user, municipality)
    if (
        request.GET.get(START_PARAM)
        and not review
        and not worklist.has_due(rows)
        and not texts
        and not personnel_due
    ):
        # Not a silent jump to the goals: say why, and when the next follow-up opens.
        messages.info(request, _nothing_due_message(municipality, today, scope))
        return redirect(goals_start_url(request.user))
    if (
        request.GET.get(START_PARAM)
        and review
        and not Submission.objects.filter(
            period__municipality=municipality, state=Submission.State.SENT
        ).exists()
    ):
        return redirect("budget:overview")  # nothing waits for review: the budget
    review_page = review_form = None
    if review:
        # Paged in SQL: a city has a thousand rows here; one period at a time if asked.
        periods = worklist.review_periods(municipality)
        review_form = ReviewFilterForm(request.GET or None, periods=periods)
        period = review_form.cleaned_data["period"] if review_form.is_valid() else None
        review_page = worklist.review_page(municipality, today, period, request.GET.get("sida"))
        review_page.query = f"period={period.pk}&" if period else ""
    decided_form = decided = decided_period = None
    if not review:
        # What has been approved, for those who read rather than review: the politicians
        # of a nämnd find its förvaltning's follow-ups here, a period at a time.
        concerning = worklist.decided_for(request.user)
        decided_form = DecidedFilterForm(
            request.GET if "godkanda" in request.GET else None,
            periods=worklist.decided_periods(municipality, concerning),
        )
        decided_period = decided_form.period()
        decided = worklist.decided_rows(concerning, decided_period) if decided_period else []
    return render(
        request,
        "followup/mine.html",
        {
            "rows": rows,
            "texts": texts,
            "personnel_due": personnel_due,
            "review": review,
            "review_page": review_page,
            "review_rows": review_page.rows if review_page else [],
            # The rows written in Python (followup/rows.py): 50 a page, each with its forms.
            "review_html": rows_html.review_rows(review_page.rows, get_token(request))
            if review_page
            else "",
            "review_form": review_form,
            "decided_form": decided_form,
            "decided_period": decided_period,
            "decided": decided,
            "reports_anything": scope.roles - {Membership.Role.POLITICIAN} or not scope.roles,
            "return_form": ReturnForm(),
            "today": today,
            # Reported beside the submissions: personnel figures, indicator values from a file.
            "personnel_link": may_enter_personnel(request.user) or review,
            "indicator_import_link": may_report_indicators(request.user),
        },
    )


def _personnel_reports_due(user, municipality):
    """HR's personalberättelser still to write: the open goal periods without one, by
    deadline (one query; none for others)."""
    if Membership.Role.HR not in scope_for(user).roles:
        return []
    return list(
        ReportingPeriod.objects.filter(
            municipality=municipality,
            state=ReportingPeriod.State.OPEN,
            content__in=GOAL_CONTENTS,
        )
        .filter(models.Q(personnel_report__isnull=True) | models.Q(personnel_report__text=""))
        .order_by("deadline")
    )


def _delegates(submission, user):
    """Who may be named delegate: a chef of the submission's unit or of a unit below it
    (a stand-in, an enhetschef), or HR, who serve the whole organisation (not a bolag's);
    not another förvaltning's chefs (a list of every chef of a large municipality, and
    their colleagues' follow-ups are not theirs), not politicians, not the ekonomichef
    who reviews it (nobody reviews what they filled in), not the chef naming them. The
    one named stays in the list."""
    unit = submission.unit
    chef_here = models.Q(
        memberships__role=Membership.Role.MANAGER,
        memberships__unit__tree_id=unit.tree_id,
        memberships__unit__lft__gte=unit.lft,
        memberships__unit__rght__lte=unit.rght,
    )
    # HR serve the municipality's own organisation, not a bolag's.
    hr = (
        models.Q(pk=None)
        if unit.kind == OrgUnit.Kind.COMPANY
        else models.Q(memberships__role=Membership.Role.HR)
    )
    named = models.Q(pk=submission.delegate_id) if submission.delegate_id else models.Q(pk=None)
    return (
        get_user_model()
        .objects.filter(
            models.Q(is_active=True)
            & (chef_here | hr)
            & ~models.Q(memberships__role=Membership.Role.FINANCE)
            & ~models.Q(pk=user.pk)
            | named
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@login_required
def submission(request, pk):
    """One submission: the form for those who may fill it in, read-only for the others.

    POST ``action=save`` saves every part in one transaction (the version check refuses a
    save over someone else's); ``action=send`` saves and then sends, or says what is missing.
    """
    municipality = Municipality.objects.current()
    sub = get_for_user(request, _submissions(municipality), pk)
    page = service.content(sub)
    owners = [row.goal.owner for row in page.goal_rows]
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        rights = require_submission(request.user, sub, "edit", owners)
        if action == "send" and not rights.send:
            raise PermissionDenied
        if action == "done" and (rights.edit_all or not page.period.asks_goals):
            raise PermissionDenied  # an enhetschef marks their own part done
    else:
        rights = submission_rights(request.user, sub, owners)
    parts = service.form_parts(page)
    part = _part(request, parts)
    form = SubmissionForm(
        request.POST if request.method == "POST" else None,
        instance=sub,
        page=page,
        rights=rights,
        # Only the economy part has the delegate field: no queryset to build for the others.
        delegates=_delegates(sub, request.user) if part.economy else None,
        can_delegate=may_delegate(request.user, sub),
        part=part,
    )
    here = _part_url(sub, part, parts)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.check_version()
                service.save_draft(sub, form.parts(), request.user, basis=page.basis)
        except EditConflict:
            pass  # the form carries who changed what; the user's text stays in it
        except ValidationError as error:
            form.add_error(None, error)
        else:
            for warning in forecasts_below_outcome(form, form.forecast_fields):
                messages.warning(request, warning)
            if action == "done":
                return _mark_done(request, sub, rights, here)
            if action != "send":
                messages.success(request, _("The draft was saved."))
                return redirect(here)
            early = service.not_ended(page.period)
            if early:
                messages.error(request, f"{_('The draft was saved but not sent.')} {early}")
                return redirect(here)
            try:
                service.send(sub, request.user)
            except ValidationError as error:
                messages.error(
                    request,
                    _("The draft was saved but not sent. Complete what is missing: %(gaps)s")
                    % {"gaps": " ".join(error.messages)},
                )
                # The box of what is missing takes the focus (static/js/page.js); the
                # page marks each missing field (MISSING_PARAM).
                return redirect(f"{_with_missing(here)}#{MISSING_ID}")
            messages.success(request, _("The follow-up was sent."))
            return redirect("followup:mine")
    # A send refused for a value in error: what is missing is what the post left empty,
    # not what is stored (the trial cleared an assessment, typed a bad value and was told
    # of the value alone; the missing assessment came a round later).
    # A draft refused the same way lists what its post left empty too (a trial filled in
    # an assessment, typed "abc" in a value, saved, and was told the assessment was missing).
    refused_send = action in ("send", "done")
    posted = request.POST if request.method == "POST" and form.errors else None
    missing = _missing_items(page, rights, form, part, parts, sub, posted)
    if (refused_send and posted is not None) or (
        request.method == "GET" and request.GET.get(MISSING_PARAM) and rights.edit
    ):
        # Each missing field says so (also back from a send that found something missing).
        form.mark_missing((item["field"], item["message"]) for item in missing)
    assessments = [row.assessment for row in page.goal_rows if row.assessment is not None]
    unchanged = 0
    if rights.edit:
        # Counted over what this user fills in: an enhetschef's own goals, not the whole.
        service.mark_unchanged(page)
        unchanged = (len(page.unchanged) if rights.edit_all else 0) + sum(
            1
            for row in page.goal_rows
            if row.unchanged_since and rights.may_edit_part(row.goal.owner)
        )
    for row in part.goal_rows:
        editable, keys = form.goal_fields[row.goal.pk]
        row.bound = [
            form[f"a-{row.goal.pk}-{key}"]
            for key in ("status", "prognosis", "analysis")
            if key in keys
        ]
        for ind in row.indicators:
            ind.bound = [form[name] for name in ind.fields]
        row.removable = rights.edit and rights.may_edit_part(row.goal.owner)
    if page.period.asks_goals and part.goal_rows:
        # Beside each assessment what the roll-up suggests from below (drafts counted:
        # the form is where the unit's own assessments are made).
        suggestions = finals.kept_rollups(
            municipality,
            page.period,
            [row.goal.pk for row in part.goal_rows],
            decided_only=False,
            stamp=finals.fingerprint(),
        )
        for row in part.goal_rows:
            row.rollup = suggestions.get(row.goal.pk)
    assignment_rows = [
        (a, [form[f"u-{a.pk}-status"], form[f"u-{a.pk}-comment"]])
        for a, _r in page.assignments
        if a.pk in form.assignment_fields
    ]
    personnel_rows = [
        {"unit": row.unit, "figure": row.figure, "fields": [form[n] for n in names] if ok else []}
        for row, names, ok in form.personnel_fields
    ]
    enhet_parts = _enhet_parts(page, rights)
    # Indicators of what this user fills in with no value for the period: not required
    # to send (some are measured later), but said so (the trial sent a year's report
    # with every indicator empty and was told everything required was filled in).
    indicators_empty = (
        sum(
            1
            for row in page.goal_rows
            if rights.may_edit_part(row.goal.owner)
            for ind in row.indicators
            if all(value is None for value in ind.current.values())
        )
        if rights.edit
        else 0
    )
    history, more_history = (None, False)
    if part.economy:
        # The history once, with the economy part (it reads every change of the whole):
        # the latest changes, and all of them on request.
        whole = request.GET.get("historik") == "alla"
        history, more_history = submission_log(sub, limit=None if whole else HISTORY_SHOWN)
    return render(
        request,
        "followup/submission.html",
        {
            "submission": sub,
            "page": page,
            "form": form,
            "rights": rights,
            "missing": missing,
            "own_part": _own_part(page, rights, sub, parts),
            "enhet_parts": enhet_parts,
            "parts_waiting": sum(1 for item in enhet_parts if not item["done"]),
            "indicators_empty": indicators_empty,
            # The send question counts them again when asked (static/js/page.js): the
            # count of the page's load went stale as the user filled values in.
            "indicators_words": [
                ngettext(
                    "%(count)s indicator has no value for the period.",
                    "%(count)s indicators have no value for the period.",
                    n,
                )
                for n in (1, 2)
            ],
            # An enhetschef's own parts not yet marked done: the button to mark them.
            "own_parts_open": any(item["mine"] and not item["done"] for item in enhet_parts),
            "missing_id": MISSING_ID,
            "not_ended": service.not_ended(page.period) if rights.send else "",
            "unchanged": unchanged,
            "history": history,
            "more_history": more_history,
            "history_url": f"{here}{'&' if '?' in here else '?'}historik=alla#history-heading",
            "return_form": ReturnForm(),
            "evidence_form": EvidenceForm(
                assessments=[a for a in assessments if rights.may_edit_part(a.goal.owner)],
                economy=rights.edit_all,
            )
            if rights.edit
            else None,
            "forecast_rows": _forecast_rows(page, form),
            "forecast_comment_field": form["forecast_comment"]
            if "forecast_comment" in form.fields
            else None,
            "assignment_rows": assignment_rows,
            "personnel_rows": personnel_rows,
            "personnel_html": rows_html.personnel_rows(personnel_rows),
            "part": part,
            # The goals of the part written in Python (followup/rows.py): up to 40 goals
            # with their indicators and a few hundred fields.
            "goals_html": rows_html.goal_sections(part.groups)
            if page.period.asks_goals and part.groups
            else "",
            "parts": [
                {"part": p, "url": _part_url(sub, p, parts), "current": p is part} for p in parts
            ]
            if len(parts) > 1
            else [],
        },
    )


def _nothing_due_message(municipality, today, scope) -> str:
    """What a chef with nothing to report is told on the way to the goals (one query): the
    next period that asks something of her (an enhet's chef reports only in the periods
    that ask for goals, not in a månadsrapport)."""
    upcoming = ReportingPeriod.objects.filter(
        municipality=municipality,
        state=ReportingPeriod.State.PLANNED,
        opens_on__gt=today,
    )
    if scope.manage_roots and all(worklist.reports_a_part(r) for r in scope.manage_roots):
        upcoming = upcoming.filter(content__in=GOAL_CONTENTS)
    upcoming = upcoming.order_by("opens_on", "pk").first()
    if upcoming is None:
        return _(
            "You have nothing to report right now. Follow-up in the menu lists what "
            "you must report when the next follow-up opens."
        )
    return _(
        "You have nothing to report right now. The next follow-up, %(period)s, opens "
        "%(date)s; Follow-up in the menu then lists what you must report."
    ) % {"period": upcoming.label, "date": formatting.iso_date(upcoming.opens_on)}


MISSING_ID = "missing"  # the id of the box of what is missing (a failed send lands on it)
MISSING_PARAM = "saknas"  # in the URL a failed send leads to: the page marks missing fields


def _mark_done(request, sub, rights, here):
    """After the enhetschef's save: their parts are marked done, unless something of
    theirs is missing (then the page lists it, as after a refused send)."""
    try:
        service.mark_parts_done(sub, request.user, rights)
    except ValidationError as error:
        messages.error(
            request,
            _("Your part was saved but not marked done. Complete what is missing: %(gaps)s")
            % {"gaps": " ".join(error.messages)},
        )
        return redirect(f"{_with_missing(here)}#{MISSING_ID}")
    messages.success(
        request,
        _("Your part is saved and marked done: the administration's head sees it."),
    )
    return redirect(here)


def _enhet_parts(page, rights):
    """The enheter's parts with whether each is marked done (one query; none when the
    period asks no goals): for the förvaltningschef, who writes the summary on what was
    reported below, for the enhetschef, their own, and for the ekonomichef who reviews it
    (a trial could not see which enheter never marked theirs)."""
    if not ((rights.edit or rights.review) and page.period.asks_goals):
        return []  # decided, or read only: who marked what no longer steers anything
    units = service.enhet_parts(page)
    if not units:
        return []
    done = service.parts_done(page.submission)
    return [
        {
            "unit": unit,
            "done": done.get(unit.pk),
            "mine": not rights.edit_all and rights.may_edit_part(unit),
        }
        for unit in units
    ]


def _missing_items(page, rights, form, part, parts, sub, posted=None):
    """What is missing, as the user fills it in (an enhetschef: their own goals), each
    with a link to its field: on this page, or on the part of the form that has it.
    Given ``posted`` (a form that was not saved), a field of this form is missing when
    the post left it empty, whatever is stored."""
    if not rights.edit:
        return []
    items = []
    for gap, filled in service.requirements(page, rights):
        field = form.fields.get(gap.field)
        if posted is not None and field is not None and not field.disabled:
            filled = bool(posted.get(gap.field, "").strip())
        if filled:
            continue
        url = ""
        if gap.field in form.fields:
            url = f"#{form[gap.field].auto_id}"
        elif gap.field:
            there = next(
                (p for p in parts if (p.economy if gap.goal is None else gap.goal in _goals(p))),
                None,
            )
            if there is not None and there is not part:
                # That part marks its missing fields too.
                url = f"{_with_missing(_part_url(sub, there, parts))}#id_{gap.field}"
        items.append({"message": gap.message, "url": url, "field": gap.field})
    return items


def _own_part(page, rights, sub, parts):
    """For one who fills in parts only (an enhetschef): the names of their units and a
    link to the first goal they fill in (on the part of the form that has it)."""
    if not rights.edit or rights.edit_all:
        return None
    first = next((r.goal for r in page.goal_rows if rights.may_edit_part(r.goal.owner)), None)
    if first is None:
        return None
    there = next((p for p in parts if first in _goals(p)), parts[0])
    return {
        "units": ", ".join(unit.name for unit in rights.edit_units),
        # To the heading of their unit's goals (page.js moves the focus there too).
        "url": f"{_part_url(sub, there, parts)}#unit-{first.owner_id}",
    }


def _with_missing(url):
    """``url`` asking its page to mark the missing fields."""
    return f"{url}{'&' if '?' in url else '?'}{MISSING_PARAM}=1"


def _goals(part):
    return [row.goal for row in part.goal_rows]


def _part(request, parts):
    """The part of the form ``?del=N`` asks for (the first without it, or with a wrong N)."""
    asked = request.GET.get("del", "")
    return next((p for p in parts if str(p.number) == asked), parts[0])


HISTORY_SHOWN = 20  # entries of a submission's history on its page before "show all"


def _part_url(sub, part, parts) -> str:
    url = sub.get_absolute_url()
    return f"{url}?del={part.number}" if len(parts) > 1 and part.number > 1 else url


def _forecast_rows(page, form):
    """The forecast table: each group's budget, utfall and the field or the saved figure."""
    if page.basis is None or not page.period.asks_forecast:
        return []
    names = dict((row.group.pk, name) for row, name in form.forecast_fields)
    return [
        {
            "basis": row,
            "field": form[names[row.group.pk]] if row.group.pk in names else None,
        }
        for row in page.basis
    ]


@require_POST
@login_required
def submission_return(request, pk):
    """The ekonomichef returns a sent submission with a reason."""
    sub = get_for_user(request, _submissions(Municipality.objects.current()), pk)
    require_submission(request.user, sub, "review")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("%(unit)s: say why the follow-up is returned; it was not returned.")
            % {"unit": sub.unit.name},
        )
        return redirect(_back(request, sub))
    try:
        service.return_submission(sub, form.cleaned_data["return_reason"], request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The follow-up of %(unit)s was returned.") % {"unit": sub.unit.name}
        )
    return redirect(_back(request, sub))


@require_POST
@login_required
def submission_approve(request, pk):
    """The ekonomichef approves a sent submission."""
    sub = get_for_user(request, _submissions(Municipality.objects.current()), pk)
    require_submission(request.user, sub, "review")
    try:
        service.approve(sub, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The follow-up of %(unit)s was approved.") % {"unit": sub.unit.name}
        )
    return redirect(_back(request, sub))


def _back(request, sub):
    """Back to the review list when the action came from it, else to the submission."""
    if request.POST.get("next") == "mine":
        return reverse("followup:mine")
    return sub.get_absolute_url()


@require_POST
@login_required
def evidence_upload(request, pk):
    """Attach a file to the economic comment or to a goal's assessment."""
    sub = get_for_user(request, _submissions(Municipality.objects.current()), pk)
    rights = require_submission(request.user, sub, "edit")
    assessments = [
        a
        for a in sub.assessments.select_related("goal__owner")
        if rights.may_edit_part(a.goal.owner)
    ]
    form = EvidenceForm(
        request.POST, request.FILES, assessments=assessments, economy=rights.edit_all
    )
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(
            request, _("The file was not attached: %(errors)s") % {"errors": " ".join(errors)}
        )
        return redirect(sub)
    chosen = next((a for a in assessments if a.pk == form.cleaned_data["assessment"]), None)
    allowed = rights.may_edit_part(chosen.goal.owner) if chosen else rights.edit_all
    if not allowed:
        raise PermissionDenied
    try:
        service.attach(sub, form.cleaned_data["file"], request.user, chosen)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(sub)


@require_POST
@login_required
def evidence_delete(request, pk):
    """Remove an attached file: whoever may fill in the part it belongs to (the economic
    comment: the förvaltningschef or delegate), while the follow-up can change."""
    readable = Submission.objects.visible_to(request.user)
    item = get_object_or_404(
        Evidence.objects.filter(submission__in=readable).select_related(
            "submission", "assessment__goal__owner"
        ),
        pk=pk,
    )
    sub = item.submission
    rights = require_submission(request.user, sub, "edit")
    owner = item.assessment.goal.owner if item.assessment else None
    if not (rights.may_edit_part(owner) if owner else rights.edit_all):
        raise PermissionDenied
    try:
        service.remove_evidence(item, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The file “%(name)s” was removed.") % {"name": item.name})
    return redirect(sub)


@require_GET
@login_required
def evidence(request, pk):
    """Download an evidence file: only for those who may read its submission (else 404)."""
    readable = Submission.objects.visible_to(request.user)
    item = get_object_or_404(Evidence.objects.filter(submission__in=readable), pk=pk)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.name,
        content_type=item.content_type or "application/octet-stream",
    )
