"""Every link a user is shown leads to a page that user may read.

For each demo model and each demo login, start at ``/`` and follow every same-site
``<a href>`` (menus, breadcrumbs, tables) on every page reached, GET only, through
Django's test client. A link that answers 404 or 5xx fails, and so does a 403 or 405: the
rule "403 for what one may read but not change" is for addresses typed by hand; a link
the page itself offers must work for the user it is offered to (the view passes
``can_edit`` so the template only shows what the user may do). A logged-in user sent to
the login page fails too. Each failure is listed as "role: page → link (pattern) → status".
"""

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from fixtures import MODELS
from styrning.urls import urlpatterns as project_patterns
from tests.crawl import ROLES, crawl, crawl_role, login

# Distinct URLs fetched per URL pattern (and query keys) and role: all of Hedemora's kinds
# of page many times over, fewer of the other models' (their pages are the same views).
CAPS = {"hedemora": 15}
OTHER_CAP = 6


@pytest.mark.parametrize("model", MODELS)
def test_every_link_works_for_every_role(client, db, model):
    call_command("load_demo", model=model, verbosity=0)
    problems, reached = [], {}
    for role in ROLES:
        login(client, role)
        for result in crawl_role(client, role, CAPS.get(model, OTHER_CAP)):
            problems += result.problems(allow_login_redirect=role == "anonymous")
            reached.setdefault(role, set()).update(v.pattern for v in result.visits.values())
    # The crawl really walked the product: every role past the login reached its pages.
    for role in ROLES[1:]:
        assert {"goals:tree", "goals:detail", "budget:overview", "followup:calendar"} <= reached[
            role
        ], (
            role,
            reached[role],
        )
    assert "budget:imports" in reached["ekonomichef"]
    assert {"personnel:period", "personnel:report", "personnel:import"} <= reached["hr"]
    assert not problems, f"{len(problems)} broken links on {model}:\n" + "\n".join(problems)


# The crawler itself: a page with a missing, a forbidden and a working link.
def _page(request):
    return HttpResponse(
        '<html><body><a href="/prov/saknas/">x</a> <a href="/prov/forbjuden/">y</a>'
        '<a href="/prov/ok/">z</a> <a href="https://example.se/">ext</a></body></html>'
    )


urlpatterns = [
    *project_patterns,
    path("prov/", _page, name="start"),
    path("prov/forbjuden/", lambda request: HttpResponse(status=403), name="forbidden"),
    path("prov/ok/", lambda request: HttpResponse(OK_PAGE), name="ok"),
]
# A form whose button sits in a form of its own: the browser drops the inner <form>, its
# </form> closes the outer one, and the outer form's later fields go nowhere.
OK_PAGE = (
    '<html><form method="post"><input name="a"><form method="post" action="/x/">'
    "<button>Ta bort</button></form><button>Skicka</button></form></html>"
)


@override_settings(ROOT_URLCONF=__name__)
def test_the_crawl_reports_a_broken_and_a_forbidden_link_and_a_nested_form(client, db):
    result = crawl(client, "anonymous", start="/prov/")
    assert sorted(result.visits) == ["/prov/", "/prov/forbjuden/", "/prov/ok/", "/prov/saknas/"]
    assert result.problems(allow_login_redirect=True) == [
        'anonymous: /prov/ → "x" /prov/saknas/ (?) → 404',
        'anonymous: /prov/ → "y" /prov/forbjuden/ (forbidden) → 403',
        'anonymous: /prov/ → "z" /prov/ok/ (ok) → 200 (a form inside a form)',
    ]
