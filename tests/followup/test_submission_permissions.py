"""Who may read, edit, send and review a submission, in every state (one permission path)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import ReportingPeriod, Submission

ROLES = ["politician", "chef_a", "unit_chef_a", "chef_b", "finance", "hr", "admin"]
IN_PROGRESS = {"politician": 404, "chef_b": 404, "hr": 404}

# state → role → (GET the page, POST a save, POST approve)
EXPECTED = {
    "draft": {
        **{r: (404, 404, 404) for r in IN_PROGRESS},
        "chef_a": (200, 302, 403),
        "unit_chef_a": (200, 302, 403),
        "finance": (200, 403, 403),
        "admin": (200, 302, 403),
    },
    "returned": {
        **{r: (404, 404, 404) for r in IN_PROGRESS},
        "chef_a": (200, 302, 403),
        "unit_chef_a": (200, 302, 403),
        "finance": (200, 403, 403),
        "admin": (200, 302, 403),
    },
    "sent": {
        **{r: (404, 404, 404) for r in IN_PROGRESS},
        "chef_a": (200, 403, 403),
        "unit_chef_a": (200, 403, 403),
        "finance": (200, 403, 302),
        "admin": (200, 403, 302),
    },
    # Decided: a public document, read by every logged-in user, changed by nobody.
    "approved": {r: (200, 403, 403) for r in ROLES},
    "locked": {r: (200, 403, 403) for r in ROLES},
}


def _put(submission, period, state):
    values = {"state": state, "sent_at": None, "return_reason": ""}
    if state != "draft" and state != "returned":
        values["sent_at"] = timezone.now()
    if state == "returned":
        values["return_reason"] = "Komplettera."
    Submission.objects.filter(pk=submission.pk).update(**values)
    if state == "locked":
        ReportingPeriod.objects.filter(pk=period.pk).update(
            state="locked", decision_reference="KF 2026-11-24 § 140", locked_at=timezone.now()
        )


@pytest.mark.parametrize("state", EXPECTED)
def test_rights_follow_the_state(client, delar, state):
    w, sub = delar, delar.sub_a
    _put(sub, w.period, state)
    url = reverse("followup:submission", args=[sub.pk])
    approve = reverse("followup:submission_approve", args=[sub.pk])
    failures = []
    for role in ROLES:
        client.force_login(getattr(w, role))
        get = client.get(url).status_code
        # A save with the data the page itself holds (an invalid form would answer 200).
        data = {"action": "save"}
        if get == 200 and state in ("draft", "returned"):
            from tests.followup.formdata import form_data

            data.update(form_data(client.get(url).content.decode()))
        save = client.post(url, data).status_code
        decided = client.post(approve).status_code
        if state == "sent" and decided == 302:
            _put(sub, w.period, "sent")  # approved by this role: back for the next
        if (get, save, decided) != EXPECTED[state][role]:
            failures.append(f"{state} {role}: {(get, save, decided)} != {EXPECTED[state][role]}")
    assert not failures, "\n".join(failures)


def test_a_chef_cannot_reach_another_units_submission(client, delar):
    client.force_login(delar.chef_b)
    assert client.get(reverse("followup:submission", args=[delar.sub_a.pk])).status_code == 404
    assert client.get(reverse("followup:submission", args=[delar.sub_b.pk])).status_code == 200


def test_my_follow_up_lists_what_each_chef_reports(client, delar):
    client.force_login(delar.chef_a)
    html = client.get(reverse("followup:mine")).content.decode()
    assert "Socialförvaltningen" in html and "Samhällsbyggnadsförvaltningen" not in html
    client.force_login(delar.unit_chef_a)
    html = client.get(reverse("followup:mine")).content.decode()
    assert "Målen för Hemtjänst Norr" in html
    client.force_login(delar.finance)
    html = client.get(reverse("followup:mine")).content.decode()
    for unit in (
        "Socialförvaltningen",
        "Samhällsbyggnadsförvaltningen",
        "Kommunstyrelseförvaltningen",
    ):
        assert unit in html


def test_the_chefs_start_page_is_my_follow_up_when_something_is_due(client, delar):
    client.force_login(delar.chef_a)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/uppfoljning/?start=1"
    assert response.status_code == 200


def test_with_nothing_due_the_start_page_goes_on_to_the_goals(client, world):
    client.force_login(world.chef_a)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/mal/?unit=")
    # Not a silent jump: the goals page says why (no periods at all in this world).
    assert "Du har inget att rapportera just nu. Uppföljning i menyn" in response.content.decode()
    # The menu's link still shows the (empty) page.
    assert client.get(reverse("followup:mine")).status_code == 200


def test_with_nothing_due_the_chef_is_told_when_the_next_follow_up_opens(client, world):
    from tests.followup.factories import make_year

    periods = make_year(world, 2027)  # all planned, after the test day (2026-12-07)
    first = min(periods.values(), key=lambda p: p.opens_on)
    client.force_login(world.chef_a)
    html = client.get("/", follow=True).content.decode()
    assert f"Nästa uppföljning, {first.label}, öppnar {first.opens_on.isoformat()}" in html
    # An enhet's chef reports only where goals are asked for: she is told of the next
    # delår, not of a månadsrapport that asks nothing of her (a trial's finding).
    goals = min((p for p in periods.values() if p.asks_goals), key=lambda p: p.opens_on)
    assert not first.asks_goals and goals != first
    client.force_login(world.unit_chef_a)
    html = client.get("/", follow=True).content.decode()
    assert f"Nästa uppföljning, {goals.label}, öppnar {goals.opens_on.isoformat()}" in html


def test_the_ekonomichef_starts_on_the_review_list_when_a_follow_up_waits(client, delar):
    """The trial: the ekonomichef landed on /budget/ with two follow-ups waiting."""
    client.force_login(delar.finance)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/budget/"  # nothing sent yet
    Submission.objects.filter(pk=delar.sub_a.pk).update(state="sent", sent_at=timezone.now())
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/uppfoljning/?start=1"
    assert "Godkänn" in response.content.decode()
