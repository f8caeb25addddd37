"""Two people (or two tabs) save the same submission: the second is told what changed
and keeps what they typed; nothing of theirs is half-saved; saving again replaces."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from budget.models import Forecast
from followup.models import Assessment, AssignmentReport, PersonnelFigure
from goals.models import Measurement
from tests.factories import make_goal
from tests.followup.factories import make_assignment, submission_url
from tests.followup.formdata import form_data

HEADER = "efter att du öppnade formuläret"


def _tabs(w, sub, first_user, second_user=None, part=None):
    """Two browser tabs on the form, each with what its GET showed."""
    one, two = Client(), Client()
    one.force_login(first_user)
    two.force_login(second_user or first_user)
    first = form_data(one.get(submission_url(sub, part)).content.decode())
    second = form_data(two.get(submission_url(sub, part)).content.decode())
    return one, first, two, second


def _stored(w, sub, part, assignment):
    """What is stored of the part, as the form would show it."""
    sub.refresh_from_db()
    g, ind = w.plan_a.pk, w.indicator.pk
    if part in ("economic_comment", "action_plan"):
        return getattr(sub, part)
    if part == "status":
        return Assessment.objects.get(submission=sub, goal_id=g).status
    if part == "analysis":
        return Assessment.objects.get(submission=sub, goal_id=g).analysis
    if part == "indicator":
        return sub.reported_values.get(indicator_id=ind, gender="T").value
    if part == "forecast":
        group = w.groups["personal"]
        return Forecast.objects.get(unit=w.fA, year=2026, month=8, group=group).amount
    if part == "assignment":
        return AssignmentReport.objects.get(submission=sub, assignment=assignment).comment
    if part == "personnel":
        return PersonnelFigure.objects.get(period=w.period, unit=w.eA).employees
    raise AssertionError(part)


# part: (field, tab 1's value, tab 2's value, the line naming the change, stored after tab 1)
PARTS = {
    "economic_comment": (
        "economic_comment",
        "Kommentar från flik ett",
        "Kommentar från flik två",
        "Ekonomisk kommentar: du har ”Kommentar från flik två”, nu sparat "
        "”Kommentar från flik ett”.",
        "Kommentar från flik ett",
    ),
    "action_plan": (
        "action_plan",
        "Plan från flik ett",
        "Plan från flik två",
        "du har ”Plan från flik två”, nu sparat ”Plan från flik ett”",
        "Plan från flik ett",
    ),
    "status": (
        "a-{g}-status",
        "fulfilled",
        "partly",
        "Bedömning av ”Kontinuitet”: du har ”delvis uppfyllt”, nu sparat ”uppfyllt” "
        "(sparat av Karin Ek).",
        "fulfilled",
    ),
    "analysis": (
        "a-{g}-analysis",
        "Analys från flik ett",
        "Analys från flik två",
        "du har ”Analys från flik två”, nu sparat ”Analys från flik ett” (sparat av Karin Ek)",
        "Analys från flik ett",
    ),
    "indicator": ("m-{ind}-T", "61", "62", "du har ”62”, nu sparat ”61” (sparat av Karin Ek)", 61),
    "forecast": (
        "f-{grp}",
        "−150 000",
        "−160 000",
        "du har ”−160\xa0000”, nu sparat ”−150\xa0000” (sparat av Karin Ek)",
        150_000_000,
    ),
    "assignment": (
        "u-{a}-comment",
        "Pågår enligt plan",
        "Försenat",
        "du har ”Försenat”, nu sparat ”Pågår enligt plan” (sparat av Karin Ek)",
        "Pågår enligt plan",
    ),
    "personnel": (
        "p-{e}-employees",
        "41",
        "42",
        "du har ”42”, nu sparat ”41” (sparat av Karin Ek)",
        41,
    ),
}


@pytest.mark.parametrize("part", PARTS)
def test_the_second_save_keeps_its_text_and_is_told_what_changed(delar, part):
    w, sub = delar, delar.sub_a
    w.chef_a.first_name, w.chef_a.last_name = "Karin", "Ek"
    w.chef_a.save()
    assignment = make_assignment(w)
    sub.action_plan = "Ett utkast till plan"  # the field shows once there is a plan
    sub.save()
    name, one_value, two_value, line, stored = PARTS[part]
    name = name.format(
        g=w.plan_a.pk,
        ind=w.indicator.pk,
        grp=w.groups["personal"].pk,
        a=assignment.pk,
        e=w.eA.pk,
    )
    one, first, two, second = _tabs(w, sub, w.chef_a)
    assert name in first, sorted(first)
    first.update({name: one_value, "action": "save"})
    assert one.post(submission_url(sub), first).status_code == 302
    second.update({name: two_value, "action": "save"})
    with CaptureQueriesContext(connection) as queries:
        response = two.post(submission_url(sub), second)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Karin Ek sparade ändringar" in html and HEADER in html
    assert "Rätta värdena som står här" not in html  # nothing typed is wrong (a trial)
    assert line in html, re.findall(r"<li>[^<]*sparat[^<]*</li>", html)
    # What tab 2 typed is in the form again; what tab 1 saved is what is stored.
    assert form_data(html)[name] == two_value
    assert _stored(w, sub, part, assignment) == stored
    # Portable SQL: `make run` serves the demo from SQLite, which has no DISTINCT ON.
    assert not [q for q in queries if "DISTINCT ON" in q["sql"]]
    # Saving again, after reading the message, replaces what is stored deliberately.
    again = form_data(html)
    again["action"] = "save"
    assert two.post(submission_url(sub), again).status_code == 302
    assert _stored(w, sub, part, assignment) != stored


def test_a_conflict_saves_nothing_of_the_second_save(delar):
    w, sub = delar, delar.sub_a
    g = w.plan_a.pk
    one, first, two, second = _tabs(w, sub, w.chef_a)
    first.update({"economic_comment": "Ett", "action": "save"})
    assert one.post(submission_url(sub), first).status_code == 302
    second.update(
        {
            "economic_comment": "Två",
            f"a-{g}-analysis": "Bara i flik två",
            f"m-{w.indicator.pk}-T": "99",
            "action": "send",
        }
    )
    assert two.post(submission_url(sub), second).status_code == 200
    sub.refresh_from_db()
    assert sub.economic_comment == "Ett" and sub.state == "draft"
    assert not Assessment.objects.filter(submission=sub, goal_id=g, analysis="Bara i flik två")
    assert not sub.reported_values.filter(indicator=w.indicator, value=99).exists()
    assert not Measurement.objects.filter(indicator=w.indicator, value=99).exists()


def test_an_enhetschef_is_told_what_the_forvaltningschef_changed(delar):
    w, sub = delar, delar.sub_a
    goal = w.enhet_goal.pk
    one, first, two, second = _tabs(w, sub, w.chef_a, w.unit_chef_a)
    first.update(
        {
            "economic_comment": "Chefens kommentar",
            f"a-{goal}-analysis": "Chefens analys",
            f"a-{w.plan_a.pk}-analysis": "Förvaltningens analys",
            "action": "save",
        }
    )
    assert one.post(submission_url(sub), first).status_code == 302
    second.update({f"a-{goal}-analysis": "Enhetens analys", "action": "save"})
    response = two.post(submission_url(sub), second)
    assert response.status_code == 200
    html = response.content.decode()
    # The field they may not change: what is stored now; their own: theirs and the stored.
    assert "Ekonomisk kommentar: nu sparat ”Chefens kommentar”." in html
    assert "du har ”Enhetens analys”, nu sparat ”Chefens analys”" in html
    assert "Bedömningen av ”Kontinuitet” har ändrats av chef_a." in html
    assert form_data(html)[f"a-{goal}-analysis"] == "Enhetens analys"


def test_what_the_forvaltningschef_did_not_touch_takes_the_enhetschefs_work(delar):
    """The förvaltningschef opened the form; the enhetschef saved their analysis; the
    chef's save of another field is refused, and the form shows the enhetschef's text in
    the field the chef had not changed, so saving again keeps it."""
    w, sub = delar, delar.sub_a
    goal = w.enhet_goal.pk
    chef, first, unit_chef, second = _tabs(w, sub, w.chef_a, w.unit_chef_a)
    second.update({f"a-{goal}-analysis": "Enhetens analys", "action": "save"})
    assert unit_chef.post(submission_url(sub), second).status_code == 302
    first.update({"economic_comment": "Chefens kommentar", "action": "save"})
    response = chef.post(submission_url(sub), first)
    assert response.status_code == 200
    html = response.content.decode()
    assert "du hade inte ändrat det, så det visar nu det som sparades: ”Enhetens analys”" in html
    again = form_data(html)
    assert again[f"a-{goal}-analysis"] == "Enhetens analys"
    assert again["economic_comment"] == "Chefens kommentar"  # the chef's own change is kept
    again["action"] = "save"
    assert chef.post(submission_url(sub), again).status_code == 302
    stored = Assessment.objects.get(submission=sub, goal_id=goal)
    assert stored.analysis == "Enhetens analys"
    sub.refresh_from_db()
    assert sub.economic_comment == "Chefens kommentar"


def test_a_change_in_another_part_of_the_form_names_that_part(delar):
    w, sub = delar, delar.sub_a
    for i in range(50):
        make_goal(w.m, w.levels[4], w.fA, w.goal_a, adopted=True, title=f"Mål {i}")
    client = Client()
    client.force_login(w.chef_a)
    part_two = form_data(client.get(submission_url(sub, 2)).content.decode())
    part_three = form_data(client.get(submission_url(sub, 3)).content.decode())
    name = next(n for n in part_two if n.endswith("-analysis"))
    part_two.update({name: "I del två", "action": "save"})
    assert client.post(submission_url(sub, 2), part_two).status_code == 302
    mine = next(n for n in part_three if n.endswith("-analysis"))
    part_three.update({mine: "I del tre", "action": "save"})
    response = client.post(submission_url(sub, 3), part_three)
    assert response.status_code == 200
    html = response.content.decode()
    title = Assessment.objects.get(submission=sub, analysis="I del två").goal.title
    assert f"Bedömningen av ”{title}” har ändrats av chef_a." in html
    assert form_data(html)[mine] == "I del tre"
