"""Navigation and the user's role label for the base layout."""

from styrning.models import Municipality
from styrning.permissions import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"municipality_name": _municipality_name()}
    scope = scope_for(user)
    return {"municipality_name": _municipality_name(), "nav_is_admin": scope.is_admin}


def _municipality_name():
    """One row's name; values_list spares building a model instance on every page."""
    return Municipality.objects.values_list("name", flat=True).first() or ""
