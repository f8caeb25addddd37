"""The start page: each role lands where its work is."""

from django.shortcuts import redirect
from django.urls import reverse

from styrning.models import Membership
from styrning.permissions import scope_for


def home(request):
    """Send the user to their role's start page (anonymous visitors to the login)."""
    if not request.user.is_authenticated:
        return redirect("login")
    scope = scope_for(request.user)
    if scope.is_admin and not (scope.roles - {Membership.Role.ADMIN}):
        return redirect("admin:index")
    if Membership.Role.MANAGER in scope.roles and scope.manage_roots:
        unit = scope.draft_boards[0] if scope.draft_boards else scope.manage_roots[0]
        return redirect(f"{reverse('goals:tree')}?unit={unit.pk}")
    return redirect("goals:tree")
