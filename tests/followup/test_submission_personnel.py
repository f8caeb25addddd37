"""Personnel figures are entered in the submission of a goal period (issue 10: "entered in
the submission"): the same rows as /uppfoljning/personal/, saved with the rest."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from followup import personnel
from followup.calendar import open_period
from followup.models import PersonnelFigure, Submission
from followup.submissions import approve, send
from styrning.models import OrgUnit
from tests.followup.factories import submission_url
from tests.followup.formdata import disabled_fields, form_data


def test_the_chef_enters_the_units_figures_with_the_rest_in_one_save(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    data = form_data(html)
    # The förvaltning and its enhet, not the other förvaltning.
    assert f"p-{w.fA.pk}-sick_leave" in data and f"p-{w.eA.pk}-employees" in data
    assert not any(name.startswith(f"p-{w.fB.pk}-") for name in data)
    data.update(
        {
            "economic_comment": "Följer budget.",
            f"p-{w.fA.pk}-sick_leave": "7,5",
            f"p-{w.fA.pk}-sick_leave_women": "8,1",
            f"p-{w.fA.pk}-sick_leave_men": "5,2",
            f"p-{w.fA.pk}-employees": "412",
            f"p-{w.fA.pk}-full_time_equivalents": "380,5",
            f"p-{w.eA.pk}-employees": "57",
            "action": "save",
        }
    )
    assert client.post(submission_url(sub), data).status_code == 302
    own = PersonnelFigure.objects.get(period=w.period, unit=w.fA)
    assert (own.sick_leave, own.sick_leave_women, own.employees) == (
        Decimal("7.50"),
        Decimal("8.10"),
        412,
    )
    assert own.full_time_equivalents == Decimal("380.50")
    assert own.history.first().history_user == w.chef_a
    assert PersonnelFigure.objects.get(period=w.period, unit=w.eA).employees == 57
    sub.refresh_from_db()
    assert sub.economic_comment == "Följer budget."
    # The personnel page shows what the submission saved, and the form shows it back.
    client.force_login(w.hr)
    page = client.get(reverse("personnel:period", args=[w.period.pk])).content.decode()
    assert "7,5" in page  # as people write it (not "7,50")
    client.force_login(w.chef_a)
    again = form_data(client.get(submission_url(sub)).content.decode())
    assert again[f"p-{w.fA.pk}-sick_leave"] in ("7,50", "7,5")
    assert again[f"p-{w.eA.pk}-employees"] == "57"


def test_a_refused_figure_keeps_nothing_of_the_save(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update(
        {
            "economic_comment": "Ny kommentar.",
            f"p-{w.fA.pk}-employees": "412",
            f"p-{w.eA.pk}-sick_leave": "140",  # over 100 %
            "action": "save",
        }
    )
    response = client.post(submission_url(sub), data)
    assert response.status_code == 200
    assert "Hemtjänst Norr" in response.content.decode()
    assert not PersonnelFigure.objects.filter(period=w.period).exists()
    sub.refresh_from_db()
    assert sub.economic_comment == ""


def test_the_enhetschef_enters_only_their_enhets_figures(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.unit_chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert f"p-{w.eA.pk}-employees" not in disabled_fields(html)
    data = form_data(html)
    assert f"p-{w.fA.pk}-employees" not in data  # shown as text, not as a field
    data.update({f"p-{w.eA.pk}-employees": "31", f"p-{w.fA.pk}-employees": "999"})
    data["action"] = "save"
    assert client.post(submission_url(sub), data).status_code == 302
    assert PersonnelFigure.objects.get(period=w.period, unit=w.eA).employees == 31
    assert not PersonnelFigure.objects.filter(period=w.period, unit=w.fA).exists()


def test_a_period_without_goals_asks_no_personnel_figures(client, delar):
    w = delar
    october = open_period(w.periods[10], user=w.finance)
    sub = Submission.objects.get(period=october, unit=w.fA)
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert not any(name.startswith("p-") for name in form_data(html))
    assert "personnel-heading" not in html


def test_an_approved_follow_up_keeps_its_figures_and_the_history_shows_them(client, delar):
    """HR cannot change the figures an approved follow-up holds (its unit's message says
    why); the follow-up's history lists the personnel figures and the forecast it saved."""

    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update({f"p-{w.eA.pk}-employees": "57", "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    html = client.get(submission_url(sub)).content.decode()
    assert f"Personaldata, {w.eA.name}" in html
    sub.refresh_from_db()
    Submission.objects.filter(pk=sub.pk).update(economic_comment="Klart.")
    try:
        send(Submission.objects.get(pk=sub.pk), w.chef_a)
    except Exception:  # noqa: BLE001 - this test is not about what must be filled in
        Submission.objects.filter(pk=sub.pk).update(state="sent", sent_at=timezone.now())
    approve(Submission.objects.get(pk=sub.pk), w.finance)

    unit = OrgUnit.objects.get(pk=w.eA.pk)
    assert Submission.objects.get(pk=sub.pk).state == "approved", sub.unit
    with pytest.raises(ValidationError) as refused:
        personnel.save_figures(w.period, {unit: {"employees": 58}}, w.hr)
    assert "återsänds" in refused.value.messages[0]
    assert PersonnelFigure.objects.get(period=w.period, unit=w.eA).employees == 57
    # Another förvaltning's figures are still open to HR.
    personnel.save_figures(w.period, {w.fB: {"employees": 12}}, w.hr)
    assert PersonnelFigure.objects.get(period=w.period, unit=w.fB).employees == 12
