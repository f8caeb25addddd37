"""/arshjul/: the year's reporting calendar, and the ekonomichef's actions on its periods.

Views parse and redirect; followup.calendar changes the periods.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from followup import calendar as service
from followup.forms import LockForm, MakePeriodsForm, YearForm
from followup.models import ReportingPeriod
from followup.overview import calendar_page, years_offered
from styrning.models import Municipality
from styrning.permissions import can_manage_periods, get_for_user, require_period_manager


def _calendar_url(year) -> str:
    return f"{reverse('followup:calendar')}?ar={year}"


def _asked_year(request, municipality, today):
    """The year of ``?ar=`` (this year without it, or with a year not offered) and its form."""
    years = years_offered(municipality, today, today.year)
    asked = YearForm(request.GET, years=years)
    year = asked.cleaned_data["ar"] if asked.is_valid() else today.year
    if "ar" in request.GET and not asked.is_valid():
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
    result = service.make_periods(Municipality.objects.current(), year, request.user)
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
    return _apply(request, _period(request, pk), service.open_period, _("%(period)s is open."))


@require_POST
@login_required
def period_close(request, pk):
    return _apply(request, _period(request, pk), service.close_period, _("%(period)s is closed."))


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
        service.lock_period,
        _("%(period)s is locked."),
        form.cleaned_data["decision_reference"],
    )
