"""The start page: each role lands where its work is."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from styrning.models import Membership, OrgUnit
from styrning.permissions import scope_for


@require_GET
def home(request):
    """Send the user to their role's start page (anonymous visitors to the login)."""
    if not request.user.is_authenticated:
        return redirect("login")
    scope = scope_for(request.user)
    if scope.is_admin and not (scope.roles - {Membership.Role.ADMIN}):
        return redirect("admin:index")
    if scope.is_finance:
        # The review list when a follow-up waits for review; that page sends the
        # ekonomichef on to /budget/ when none does (by URL name, as for the chefs).
        return redirect(f"{reverse('followup:mine')}?{START_PARAM}=1")
    if Membership.Role.MANAGER in scope.roles and scope.manage_roots:
        # "Min uppföljning" (by URL name: the core never imports followup); with nothing
        # due, that page sends the chef on to ``goals_start_url``.
        return redirect(f"{reverse('followup:mine')}?{START_PARAM}=1")
    if Membership.Role.HR in scope.roles:
        # HR's work here: the personnel figures and the personalberättelse.
        return redirect("personnel:index")
    if Membership.Role.POLITICIAN in scope.roles:
        # Overview first: how far the goals are met (by URL name: the core never
        # imports followup); from there down to the nämnder and the units' texts.
        return redirect("followup:fulfilment")
    return redirect(goals_start_url(request.user))


START_PARAM = "start"


def goals_start_url(user) -> str:
    """The goals page a user starts on: a chef sees the nämnd or styrelse of their unit.

    The filter on /mal/ offers those bodies (and KF), so an enhet is shown through
    its nämnd.
    """
    scope = scope_for(user)
    if Membership.Role.MANAGER in scope.roles and scope.manage_roots:
        unit = scope.draft_boards[0] if scope.draft_boards else scope.manage_roots[0]
        if unit.kind != OrgUnit.Kind.COUNCIL and not unit.is_governing_body:
            unit = unit.governing_body()
        if unit is not None:
            return f"{reverse('goals:tree')}?unit={unit.pk}"
    return reverse("goals:tree")


@require_GET
def accessibility(request):
    """Tillgänglighetsredogörelse, as the law (2018:1937) requires; public."""
    return render(request, "accessibility.html")
