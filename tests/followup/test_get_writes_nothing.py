"""Reading a page never writes: no INSERT, UPDATE or DELETE on a GET.

Data a page needs is made where its owner is made (a municipality's account groups by
budget.signals when it is created, a period's drafts when it is opened), never on the
first page view. The session table is the login's business and is left out.
"""

import re

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.models import AccountGroup
from styrning.models import Municipality
from tests.crawl import crawl, login

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def writes(queries) -> list[str]:
    return [
        q["sql"][:160]
        for q in queries
        if WRITE.match(q["sql"]) and "django_session" not in q["sql"]
    ]


def test_a_new_municipality_gets_its_account_groups_when_it_is_created(db):
    m = Municipality.objects.create(name="Nyby kommun", code="9998")
    assert AccountGroup.objects.filter(municipality=m).count() > 0
    assert m.account_mappings.exists()


def test_the_follow_up_and_budget_pages_write_nothing_on_get(client, delar):
    w = delar
    pages = [
        reverse("followup:submission", args=[w.sub_a.pk]),
        reverse("followup:mine"),
        reverse("followup:calendar"),
        reverse("budget:forecast", args=[2026, w.fA.pk]),
        reverse("personnel:period", args=[w.period.pk]),
        reverse("personnel:index"),
    ]
    for user in (w.chef_a, w.finance):
        client.force_login(user)
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, url
            assert writes(ctx.captured_queries) == [], url


def test_no_page_of_the_demo_writes_on_get(client, db):
    call_command("load_demo", verbosity=0)
    found = {}
    for role in ("socialchef", "enhetschef", "ekonomichef", "hr"):
        login(client, role)
        with CaptureQueriesContext(connection) as ctx:
            result = crawl(client, role, cap=2)
        assert len(result.visits) > 20
        if wrote := writes(ctx.captured_queries):
            found[role] = wrote
    assert found == {}
