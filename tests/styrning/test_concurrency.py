"""Two people saving the same goal: the second save is refused, shows what changed, keeps input."""

import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from goals.models import Assignment
from styrning.concurrency import current_version
from tests.factories import make_indicator, make_user


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form_version(response):
    match = re.search(r'name="version" value="(\d*)"', response.content.decode())
    assert match, "the form carries its version"
    return match.group(1)


def _goal_data(world, version, title):
    return {
        "title": title,
        "description": "",
        "owner": world.fA.pk,
        "start_year": 2026,
        "end_year": 2026,
        "responsible": "",
        "version": version,
    }


def test_second_save_of_a_goal_is_refused_and_shows_what_changed(world):
    colleague = make_user("kollega_a", "manager", world.fA, first_name="Karin", last_name="Ek")
    url = reverse("goals:edit", args=[world.draft_a.pk])
    first, second = _client(colleague), _client(world.chef_a)
    # Both open the form, so both hold the same version.
    version = _form_version(first.get(url))
    assert _form_version(second.get(url)) == version

    assert first.post(url, _goal_data(world, version, "Karins rubrik")).status_code == 302
    response = second.post(url, _goal_data(world, version, "Min rubrik"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Karin Ek" in html  # who saved it, from the history
    assert "sparade ändringar" in html and "efter att du öppnade formuläret" in html
    assert "Rubrik: du har ”Min rubrik”, nu sparat ”Karins rubrik”" in html
    assert 'value="Min rubrik"' in html  # what they typed is kept
    world.draft_a.refresh_from_db()
    assert world.draft_a.title == "Karins rubrik"
    # Saving again after reading the message replaces what is stored, deliberately.
    newer = _form_version(response)
    assert newer == str(current_version(world.draft_a)) != version
    assert second.post(url, _goal_data(world, newer, "Min rubrik")).status_code == 302
    world.draft_a.refresh_from_db()
    assert world.draft_a.title == "Min rubrik"


def test_a_post_without_version_is_refused(client, world):
    client.force_login(world.chef_a)
    data = _goal_data(world, "", "Utan version")
    response = client.post(reverse("goals:edit", args=[world.draft_a.pk]), data)
    assert response.status_code == 200
    assert "kan ha ändrats sedan formuläret öppnades" in response.content.decode()
    world.draft_a.refresh_from_db()
    assert world.draft_a.title == "Utkast A"


def test_decision_on_a_goal_changed_meanwhile_is_refused(world):
    decide_url = reverse("goals:decide", args=[world.draft_a.pk])
    edit_url = reverse("goals:edit", args=[world.draft_a.pk])
    colleague = make_user("kollega_a", "manager", world.fA)
    deciding, editing = _client(world.chef_a), _client(colleague)
    version = _form_version(deciding.get(decide_url))
    editing_version = _form_version(editing.get(edit_url))
    assert (
        editing.post(edit_url, _goal_data(world, editing_version, "Ny rubrik")).status_code == 302
    )
    data = {"decided_on": "2026-01-15", "decision_reference": "Beslut 1", "version": version}
    response = deciding.post(decide_url, data)
    assert response.status_code == 200
    assert 'value="Beslut 1"' in response.content.decode()
    world.draft_a.refresh_from_db()
    assert not world.draft_a.is_adopted


def test_second_save_of_an_indicator_is_refused(world):
    indicator = make_indicator(world.draft_a, name="Kontinuitet")
    url = reverse("goals:indicator_edit", args=[indicator.pk])
    colleague = make_user("kollega_a", "manager", world.fA)
    first, second = _client(world.chef_a), _client(colleague)
    version = _form_version(first.get(url))
    data = {
        "name": "Kontinuitet",
        "direction": "higher",
        "baseline_value": "51",
        "baseline_year": "2022",
        "target_value": "60",
        "target_year": "2026",
        "version": version,
    }
    assert first.post(url, data).status_code == 302
    response = second.post(url, {**data, "target_value": "70"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Målvärde: du har ”70”, nu sparat ”60”" in html
    indicator.refresh_from_db()
    assert indicator.target_value == 60


def test_second_save_of_an_assignment_status_is_refused(world):
    assignment = Assignment.objects.create(
        municipality=world.m,
        title="Utred hemtjänstens tider",
        given_by=world.kf,
        decision_reference="KF 2025-11-24 § 130",
        decided_on=dt.date(2025, 11, 24),
        unit=world.fA,
        due_date=dt.date(2026, 6, 30),
    )
    colleague = make_user("kollega_a", "manager", world.fA)
    url = reverse("goals:assignment", args=[assignment.pk])
    first, second = _client(world.chef_a), _client(colleague)
    version = _form_version(first.get(url))
    assert (
        first.post(url, {"status": "done", "comment": "Klart.", "version": version}).status_code
        == 302
    )
    response = second.post(url, {"status": "in_progress", "comment": "Pågår.", "version": version})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status: du har ”pågår”, nu sparat ”genomfört”" in html
    assignment.refresh_from_db()
    assert assignment.status == "done"


@pytest.mark.django_db
def test_a_new_object_is_never_checked(world):
    client = _client(world.chef_a)
    url = reverse("goals:indicator_create", args=[world.draft_a.pk])
    data = {"name": "Ny", "direction": "higher", "version": ""}
    assert client.post(url, data).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_wait_for_the_row_lock_and_the_second_is_refused(world):
    """Both saves start from the same version; the second waits for the first's lock.

    Without ``select_for_update`` the second would read the version before the
    first commits, pass the check and overwrite the first.
    """
    from goals.forms import GoalForm
    from goals.models import Goal
    from styrning.concurrency import EditConflict
    from styrning.models import OrgUnit

    version = str(current_version(world.draft_a))
    first_saved, release = threading.Event(), threading.Event()
    results = {}

    def form(title):
        data = _goal_data(world, version, title)
        instance = Goal.objects.get(pk=world.draft_a.pk)
        edit = GoalForm(data, instance=instance, owners=OrgUnit.objects.filter(pk=world.fA.pk))
        assert edit.is_valid(), edit.errors
        return edit

    def first():
        try:
            edit = form("Först")
            with transaction.atomic():
                edit.save()
                first_saved.set()
                release.wait(10)
            results["first"] = "saved"
        finally:
            connection.close()

    def second():
        try:
            first_saved.wait(10)
            edit = form("Sedan")
            try:
                with transaction.atomic():
                    edit.save()
                results["second"] = "saved"
            except EditConflict:
                results["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_saved.wait(10)
    time.sleep(1)  # the second save is now waiting for the first's row lock
    release.set()
    for thread in threads:
        thread.join(20)
    assert results == {"first": "saved", "second": "refused"}
    assert Goal.objects.get(pk=world.draft_a.pk).title == "Först"
