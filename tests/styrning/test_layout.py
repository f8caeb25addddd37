"""The page header and footer written in Python (styrning/templatetags/layout_tags.py) and the rows
every request reads without the ORM (styrning/request_rows.py): the same as before."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import resolve, reverse

from styrning.models import Membership
from styrning.permissions import scope_for
from tests.factories import make_user

# The header as base.html wrote it before it was a tag (a copy): the reference markup.
OLD_HEADER = (Path(__file__).parent / "old_header.html").read_text()
NEW_HEADER = "{% load layout_tags %}{% site_header %}"


def _both(context_factory):
    """Both renderings, the CSRF token (masked afresh on every use) set aside."""
    return tuple(
        re.sub(
            r'csrfmiddlewaretoken" value="\w+"', "TOKEN", Template(text).render(context_factory())
        )
        for text in (OLD_HEADER, NEW_HEADER)
    )


def _request(path, user):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    request.META["CSRF_COOKIE"] = "x" * 32
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        reverse("goals:tree"),
        reverse("goals:assignments"),
        reverse("budget:overview"),
        reverse("followup:mine"),
        reverse("followup:calendar"),
        reverse("followup:fulfilment"),
        reverse("reports:index"),
        reverse("accessibility"),
    ],
)
@pytest.mark.parametrize("admin", [False, True])
def test_header_is_the_old_templates_markup_for_a_user(path, admin):
    user = make_user("chef", first_name="Åsa <&>", last_name='"Ek"')

    def context():
        extra = {"municipality_name": "Hedemora & <Co>", "nav_is_admin": admin}
        return RequestContext(_request(path, user), extra)

    old, new = _both(context)
    assert 'aria-current="page"' in new or path == reverse("accessibility")
    assert new == old


@pytest.mark.django_db
@pytest.mark.parametrize("path", [reverse("login"), reverse("accessibility")])
def test_header_is_the_old_templates_markup_without_a_login(path):
    from django.contrib.auth.models import AnonymousUser

    old, new = _both(lambda: RequestContext(_request(path, AnonymousUser())))
    assert new == old
    assert ("Logga in" in new) == (path != reverse("login"))


def test_header_without_a_request_as_the_server_error_page_renders_it():
    old, new = _both(lambda: Context({}))
    assert new == old and "Logga in" in new


@pytest.mark.parametrize("language", ["sv", "en"])
def test_footer_is_the_old_templates_markup(language):
    from django.utils import translation

    old_footer = (Path(__file__).parent / "old_footer.html").read_text().rstrip("\n")
    with translation.override(language):
        old, new = (
            Template(text).render(Context({}))
            for text in (old_footer, "{% load layout_tags %}{% site_footer %}")
        )
    assert new == old
    assert ("Tillgänglighetsredogörelse" in new) == (language == "sv")


def test_header_words_follow_the_active_language():
    from django.utils import translation

    user = get_user_model()(username="x", first_name="Åsa")
    for language, log_out in (("sv", "Logga ut"), ("en", "Log out"), ("sv", "Logga ut")):
        with translation.override(language):
            header = Template(NEW_HEADER).render(Context({"user": user}))
        assert f"{log_out}</button>" in header


@pytest.mark.django_db
def test_the_rows_every_request_reads_are_the_orms(client, world):
    """Session, user and memberships read on a plain cursor equal what the ORM reads."""
    from styrning import request_rows

    client.force_login(world.chef_a)
    key = client.session.session_key
    from django.utils import timezone

    row = request_rows.session_row(Session, "default", key, timezone.now())
    assert row.session_data == Session.objects.get(session_key=key).session_data
    assert request_rows.session_row(Session, "default", "nope", timezone.now()) is None
    later = Session.objects.get(session_key=key).expire_date + timezone.timedelta(seconds=1)
    assert request_rows.session_row(Session, "default", key, later) is None  # expired
    user_model = get_user_model()
    fetched = request_rows.user_row(user_model, "default", world.chef_a.pk)
    orm = user_model.objects.get(pk=world.chef_a.pk)
    assert [getattr(fetched, f.attname) for f in user_model._meta.concrete_fields] == [
        getattr(orm, f.attname) for f in user_model._meta.concrete_fields
    ]
    assert request_rows.user_row(user_model, "default", 10**9) is None
    for user in (world.chef_a, world.politician, world.finance, world.hr):
        raw = sorted(request_rows.memberships(user), key=lambda m: m.pk)
        orm = sorted(
            Membership.objects.filter(user=user).select_related("unit__parent"), key=lambda m: m.pk
        )
        assert [(m.pk, m.role, m.unit_id) for m in raw] == [(m.pk, m.role, m.unit_id) for m in orm]
        for a, b in zip(raw, orm, strict=True):
            assert a.unit.__dict__.keys() >= {"tree_id", "lft", "rght", "kind", "name"}
            assert (a.unit.tree_id, a.unit.lft, a.unit.rght) == (
                b.unit.tree_id,
                b.unit.lft,
                b.unit.rght,
            )
            assert (a.unit.parent and a.unit.parent.pk) == (b.unit.parent and b.unit.parent.pk)


@pytest.mark.django_db
def test_a_request_reads_session_user_and_scope_in_three_queries(
    client, world, django_assert_num_queries
):
    client.force_login(world.chef_a)
    with django_assert_num_queries(3):  # session, user, memberships: the start page redirects
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.wsgi_request.user == world.chef_a
    assert scope_for(response.wsgi_request.user).manage_roots == [world.fA]


@pytest.mark.django_db
def test_the_current_municipality_is_the_first_by_key():
    from django.http import Http404

    from styrning.models import Municipality

    with pytest.raises(Http404):
        Municipality.objects.current()
    first = Municipality.objects.create(name="Första", code="9997")
    Municipality.objects.create(name="Senare", code="9998")
    current = Municipality.objects.current()
    assert current == first and current.name == "Första" and not current._state.adding
