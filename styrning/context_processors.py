"""Navigation and the user's role label for the base layout."""

from styrning import request_rows
from styrning.permissions import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"municipality_name": _municipality_name()}
    scope = scope_for(user)
    return {"municipality_name": _municipality_name(), "nav_is_admin": scope.is_admin}


def _municipality_name():
    """The first municipality's name, read on every page (request_rows: no ORM compiling)."""
    return request_rows.municipality_name()
