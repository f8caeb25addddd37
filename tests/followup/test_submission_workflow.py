"""The submission from draft to approved, with the right role at every step."""

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from budget.models import Forecast
from budget.overview import budget_overview
from followup import submissions as service
from followup.models import Assessment, ReportingPeriod, Submission
from goals.models import Indicator, Measurement
from tests.crawl import nested_forms
from tests.followup.factories import make_assignment, submission_url
from tests.followup.formdata import disabled_fields, form_data

State = Submission.State


def _fill_everything(data, world, sub):
    data["economic_comment"] = "Personalkostnaderna följer budget."
    for goal in (world.goal_a, world.plan_a, world.enhet_goal):
        data[f"a-{goal.pk}-status"] = "partly"
        data[f"a-{goal.pk}-prognosis"] = "fulfilled"
        data[f"a-{goal.pk}-analysis"] = f"Analys av {goal.title}."
    return data


def test_open_period_makes_a_draft_per_reporting_unit(delar):
    units = set(Submission.objects.filter(period=delar.period).values_list("unit__name", flat=True))
    assert units == {
        "Kommunstyrelseförvaltningen",
        "Socialförvaltningen",
        "Samhällsbyggnadsförvaltningen",
    }
    assert set(Submission.objects.filter(period=delar.period).values_list("state", flat=True)) == {
        "draft"
    }


def test_the_whole_workflow_with_the_right_role_at_every_step(client, delar):
    w, sub = delar, delar.sub_a
    # The politician may not read a submission in progress; chef B neither.
    for outsider in (w.politician, w.chef_b, w.hr):
        client.force_login(outsider)
        assert client.get(submission_url(sub)).status_code == 404
    # The enhetschef reads it and may fill in only their enhet's goal, told so at the top
    # with a link to it (the trial: "no text says why" the rest is greyed).
    client.force_login(w.unit_chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert "Du fyller i målen för Hemtjänst Norr." in html
    assert (
        f'<a href="{submission_url(sub)}#unit-{w.enhet_goal.owner_id}">Gå till din del</a>' in html
    )
    assert f'<h3 id="unit-{w.enhet_goal.owner_id}" tabindex="-1">' in html
    assert f'id="goal-{w.enhet_goal.pk}"' in html
    assert f"a-{w.enhet_goal.pk}-status" not in disabled_fields(html)
    assert f"a-{w.plan_a.pk}-status" in disabled_fields(html)
    assert "economic_comment" in disabled_fields(html)
    data = form_data(html)
    data.update(
        {
            f"a-{w.enhet_goal.pk}-status": "fulfilled",
            f"a-{w.enhet_goal.pk}-prognosis": "fulfilled",
            f"a-{w.enhet_goal.pk}-analysis": "Alla brukare har fast kontakt.",
            "action": "save",
        }
    )
    assert client.post(submission_url(sub), data).status_code == 302
    # Sending is the förvaltningschef's.
    assert client.post(submission_url(sub), {**data, "action": "send"}).status_code == 403
    assert Assessment.objects.get(submission=sub, goal=w.enhet_goal).status == "fulfilled"
    # The förvaltningschef is stopped while something is missing…
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data["action"] = "send"
    response = client.post(submission_url(sub), data, follow=True)
    sub.refresh_from_db()
    assert sub.state == State.DRAFT
    text = response.content.decode()
    assert "sparades men skickades inte" in text
    assert "”Trygg äldreomsorg”: bedömning saknas." in text
    # …and sends once everything is there.
    data = _fill_everything(form_data(client.get(submission_url(sub)).content.decode()), w, sub)
    data["action"] = "send"
    response = client.post(submission_url(sub), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    sub.refresh_from_db()
    assert sub.state == State.SENT and sub.sent_by == w.chef_a
    # Sent: the chef may read it, no longer change it; the ekonomichef returns it.
    assert client.post(submission_url(sub), {**data, "action": "save"}).status_code == 403
    assert (
        client.post(
            reverse("followup:submission_return", args=[sub.pk]), {"return_reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(w.finance)
    assert (
        client.post(
            reverse("followup:submission_return", args=[sub.pk]), {"return_reason": " "}
        ).status_code
        == 302
    )
    sub.refresh_from_db()
    assert sub.state == State.SENT  # no reason, not returned
    client.post(
        reverse("followup:submission_return", args=[sub.pk]),
        {"return_reason": "Förklara avvikelsen."},
    )
    sub.refresh_from_db()
    assert sub.state == State.RETURNED and sub.return_reason == "Förklara avvikelsen."
    assert client.post(reverse("followup:submission_approve", args=[sub.pk])).status_code == 403
    # Corrected and sent again; approved.
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update({"economic_comment": "Avvikelsen beror på vikarier.", "action": "send"})
    assert client.post(submission_url(sub), data).status_code == 302
    client.force_login(w.finance)
    assert client.post(reverse("followup:submission_approve", args=[sub.pk])).status_code == 302
    sub.refresh_from_db()
    assert sub.state == State.APPROVED and sub.decided_by == w.finance
    # Approved is decided: the politician reads it now, and may change nothing.
    client.force_login(w.politician)
    assert client.get(submission_url(sub)).status_code == 200
    assert client.post(submission_url(sub), data).status_code == 403


def test_missing_names_the_goal_and_the_field(delar):
    sub = Submission.objects.for_page().get(pk=delar.sub_a.pk)
    gaps = service.missing(service.content(sub))
    assert "Den ekonomiska kommentaren saknas." in gaps
    assert "Helårsprognosen har inte sparats." in gaps
    assert "”Kontinuitet”: bedömning saknas." in gaps
    assert "”Kontinuitet”: prognos för årets slut saknas." in gaps
    assert "”Fler fasta kontakter”: analys saknas." in gaps
    with pytest.raises(ValidationError):
        service.send(sub, delar.chef_a)


def test_sent_after_the_deadline_is_allowed_and_marked_late(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = _fill_everything(form_data(client.get(submission_url(sub)).content.decode()), w, sub)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReportingPeriod.objects.filter(pk=w.period.pk).update(
        opens_on=yesterday, unit_deadline=yesterday, deadline=yesterday
    )
    data["action"] = "send"
    assert client.post(submission_url(sub), data).status_code == 302
    sub.refresh_from_db()
    assert sub.state == State.SENT and sub.late


def test_sent_in_time_and_resent_after_a_return_is_not_late(client, delar):
    """Lateness is the first send's: the chef sent in time; the correction the
    ekonomichef asked for after the deadline is not late (a trial saw it marked so)."""
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = _fill_everything(form_data(client.get(submission_url(sub)).content.decode()), w, sub)
    data["action"] = "send"
    assert client.post(submission_url(sub), data).status_code == 302
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    Submission.objects.filter(pk=sub.pk).update(sent_at=two_days_ago, first_sent_at=two_days_ago)
    service.return_submission(sub, "Komplettera prognosen.", w.finance)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReportingPeriod.objects.filter(pk=w.period.pk).update(
        unit_deadline=yesterday, deadline=yesterday
    )
    data = form_data(client.get(submission_url(sub)).content.decode())
    data["action"] = "send"
    assert client.post(submission_url(sub), data).status_code == 302
    sub.refresh_from_db()
    assert sub.state == State.SENT and sub.sent_at > sub.first_sent_at
    assert not sub.late
    counts = Submission.objects.counts_for([w.period])[w.period.pk]
    assert counts.late == 0 and counts.sent == 1
    # Sent first after the deadline: late, however often it comes back.
    Submission.objects.filter(pk=sub.pk).update(first_sent_at=sub.sent_at)
    sub.refresh_from_db()
    assert sub.late
    assert Submission.objects.counts_for([w.period])[w.period.pk].late == 1


def test_prefill_never_overwrites_what_was_written(delar):
    w = delar
    previous = Submission.objects.get(period=w.periods[8], unit=w.fA)
    # A later period of the same unit (the årsbokslut) opened by hand.
    service.save_draft(
        previous,
        service.Parts(
            fields={"economic_comment": "Tidigare kommentar"},
            assessments={
                w.plan_a.pk: {"status": "partly", "prognosis": "fulfilled", "analysis": "Förra"},
                w.goal_a.pk: {"status": "fulfilled", "prognosis": "", "analysis": "Gammal"},
            },
        ),
        w.chef_a,
    )
    later = Submission.objects.create(period=w.periods[12], unit=w.fA)
    Assessment.objects.create(submission=later, goal=w.goal_a, analysis="Redan skrivet")
    service.prefill(later)
    later.refresh_from_db()
    assert later.economic_comment == "Tidigare kommentar"
    plan = Assessment.objects.get(submission=later, goal=w.plan_a)
    # The årsbokslut assesses the year: the delår's prognosis for its end is not copied.
    assert (plan.status, plan.prognosis, plan.analysis) == ("partly", "", "Förra")
    goal = Assessment.objects.get(submission=later, goal=w.goal_a)
    assert goal.analysis == "Redan skrivet" and goal.status == "fulfilled"
    later.economic_comment = "Ny text"
    later.save()
    service.prefill(later)
    later.refresh_from_db()
    assert later.economic_comment == "Ny text"


def test_forecast_written_is_what_the_budget_overview_reads(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    personal = f"f-{w.groups['personal'].pk}"
    assert data[personal] == "−132\xa0000"  # utfall to date extrapolated, table sign, tkr
    data.update({personal: "−140 000", "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    row = Forecast.objects.get(unit=w.fA, year=2026, month=8, group=w.groups["personal"])
    assert row.amount == 140_000_000  # ledger sign, kronor
    overview = budget_overview(w.budget_year, 8)
    social = next(r for r in overview.rows if r.unit == w.nA)
    assert social.forecast == 128_000_000  # 140 mnkr costs − 12 mnkr revenue
    # 8 mnkr worse than budget: an action plan is now required.
    sub = Submission.objects.for_page().get(pk=sub.pk)
    page = service.content(sub)
    assert page.action_plan_required
    # The table ends in a total row with the saved forecast's sum (the trial added up the
    # rows by hand); a note says why rounded rows may differ from it.
    html = client.get(submission_url(sub)).content.decode()
    total = re.search(r"<tfoot><tr><th scope=\"row\">Totalt</th>(.*?)</tr></tfoot>", html).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', total)
    assert cells[2] == "−128\xa0000"
    assert "avrundas för sig till hela tkr" in html
    assert any("åtgärdsplan" in gap.lower() for gap in service.missing(page))


def test_the_forecast_comment_is_the_budgets_in_both_directions(client, delar):
    """The month's forecast comment is one text: written in the follow-up it is on every
    forecast row of the month and in /budget/'s forecast form; written there, the
    follow-up shows it (the trial found it in the history and nowhere to read or edit)."""
    from django.urls import reverse

    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    assert data["forecast_comment"] == ""
    data.update({"forecast_comment": "Vakanser ger ett överskott.", "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    rows = Forecast.objects.filter(unit=w.fA, year=2026, month=8)
    assert rows.count() > 1 and set(rows.values_list("comment", flat=True)) == {
        "Vakanser ger ett överskott."
    }
    budget_form = reverse("budget:forecast", args=[2026, w.fA.pk])
    html = client.get(budget_form, {"manad": 8}).content.decode()
    assert re.search(
        r'<textarea name="comment"[^>]*>\s*Vakanser ger ett överskott\.</textarea>', html
    )
    rows.update(comment="Ändrad i budgeten.")
    html = client.get(submission_url(sub)).content.decode()
    assert form_data(html)["forecast_comment"] == "Ändrad i budgeten."
    client.force_login(w.unit_chef_a)  # reads it, without the field
    html = client.get(submission_url(sub)).content.decode()
    assert "Kommentar till prognosen:</strong> Ändrad i budgeten." in html


def test_indicator_values_become_measurements_when_approved(client, delar):
    """The values a submission reports are the submission's until it is approved: the
    form shows them (with the trend), nobody else sees them; approval makes them the
    indicator's measurements, with the history."""
    w, sub = delar, delar.sub_a
    Measurement.objects.create(indicator=w.indicator, year=2025, value=50)
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert "51 (2022)" in html and "55 (2026)" in html and "2025: 50" in html
    data = form_data(html)
    ind = w.indicator.pk
    data.update({f"m-{ind}-T": "53", f"m-{ind}-K": "55", f"m-{ind}-M": "50,5", "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    slot = Measurement.objects.filter(indicator=w.indicator, year=2026, month=8)
    assert not slot.exists()
    reported = dict(sub.reported_values.values_list("gender", "value"))
    assert reported == {"T": 53, "K": 55, "M": Decimal("50.5")}
    html = client.get(submission_url(sub)).content.decode()
    assert "bättre sedan förra mätningen" in html
    assert form_data(html)[f"m-{ind}-T"] == "53"
    # The politician's goal page shows the approved values only.
    client.force_login(w.politician)
    page = client.get(w.indicator.goal.get_absolute_url()).content.decode()
    assert "2026-08" not in page
    # Sent and approved: the values are the period's measurements.
    Submission.objects.filter(pk=sub.pk).update(state=State.SENT, sent_at=timezone.now())
    client.force_login(w.finance)
    assert client.post(reverse("followup:submission_approve", args=[sub.pk])).status_code == 302
    assert dict(slot.values_list("gender", "value")) == {"T": 53, "K": 55, "M": Decimal("50.5")}
    history = Measurement.history.filter(indicator_id=ind, year=2026, month=8)
    assert {h.history_user for h in history} == {w.finance}


def test_assignment_follow_up_moves_the_assignment_by_its_own_rules(client, delar):
    w, sub = delar, delar.sub_a
    assignment = make_assignment(
        w,
    )
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update(
        {f"u-{assignment.pk}-status": "done", f"u-{assignment.pk}-comment": "", "action": "save"}
    )
    response = client.post(submission_url(sub), data)
    assert response.status_code == 200
    assert "Beskriv hur uppdraget genomfördes" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "not_started"
    data[f"u-{assignment.pk}-comment"] = "Utredningen klar i juni."
    assert client.post(submission_url(sub), data).status_code == 302
    assert sub.assignment_reports.get().status == "done"
    # The uppdrag itself moves when the submission is approved.
    assignment.refresh_from_db()
    assert assignment.status == "not_started"
    Submission.objects.filter(pk=sub.pk).update(state=State.SENT, sent_at=timezone.now())
    service.approve(sub, w.finance)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.comment) == ("done", "Utredningen klar i juni.")


def test_concurrent_edit_keeps_the_second_persons_text(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    first = form_data(client.get(submission_url(sub)).content.decode())
    second = dict(first)
    first.update(
        {
            "economic_comment": "Först sparat",
            f"a-{w.plan_a.pk}-analysis": "Förstas analys",
            "action": "save",
        }
    )
    assert client.post(submission_url(sub), first).status_code == 302
    second.update({"economic_comment": "Min egen text", "action": "save"})
    response = client.post(submission_url(sub), second)
    assert response.status_code == 200
    html = response.content.decode()
    assert "efter att du öppnade formuläret" in html
    assert "Min egen text" in html  # kept on the page
    # The analysis this tab had not touched now shows the first tab's text.
    assert (
        "Analys av ”Kontinuitet”: du hade inte ändrat det, så det visar nu det som "
        "sparades: ”Förstas analys”" in html
    )
    sub.refresh_from_db()
    assert sub.economic_comment == "Först sparat"
    # Saving again after reading the message replaces what is stored, and keeps the
    # first tab's analysis.
    again = form_data(html)
    again["action"] = "save"
    assert client.post(submission_url(sub), again).status_code == 302
    sub.refresh_from_db()
    assert sub.economic_comment == "Min egen text"
    assert Assessment.objects.get(submission=sub, goal=w.plan_a).analysis == "Förstas analys"


def test_a_forecast_comment_saved_first_is_not_put_back_by_the_second_save(client, delar):
    """A trial: tab A saved the forecast's comment, tab B another field; B was refused
    without a word on the comment, its form kept the old one, and B's second save put
    it back over A's. The comment is kept on every account group's row."""
    from followup.history import submission_log

    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    first = form_data(client.get(submission_url(sub)).content.decode())
    second = dict(first)
    first.update({"forecast_comment": "Vakanser ger ett överskott.", "action": "save"})
    assert client.post(submission_url(sub), first).status_code == 302
    second.update({"economic_comment": "B:s kommentar", "action": "save"})
    html = client.post(submission_url(sub), second).content.decode()
    assert (
        "Kommentar till prognosen: du hade inte ändrat det, så det visar nu det som "
        "sparades: ”Vakanser ger ett överskott.”" in html
    )
    again = form_data(html)
    assert again["forecast_comment"] == "Vakanser ger ett överskott."
    again["action"] = "save"
    assert client.post(submission_url(sub), again).status_code == 302
    comments = set(
        Forecast.objects.filter(unit=w.fA, year=2026, month=8).values_list("comment", flat=True)
    )
    assert comments == {"Vakanser ger ett överskott."}
    sub.refresh_from_db()
    assert sub.economic_comment == "B:s kommentar"
    # The history lists the comment once, not once an account group.
    entries, _more = submission_log(sub)
    about = [e for e in entries if any(c.label == "Kommentar" for c in e.changes)]
    assert [e.subject for e in about] == ["Kommentar till prognosen"]


def test_nothing_changes_in_a_locked_period(client, delar):
    from followup.calendar import close_period, lock_period

    w, sub = delar, delar.sub_a
    service.save_draft(sub, service.Parts(fields={"economic_comment": "Text"}), w.chef_a)
    close_period(w.period)
    lock_period(w.period, "KF 2026-11-24 § 140")
    for user in (w.chef_a, w.finance, w.admin):
        client.force_login(user)
        data = form_data(client.get(submission_url(sub)).content.decode())
        data.update({"economic_comment": "Ändrat", "action": "save"})
        assert client.post(submission_url(sub), data).status_code == 403
        assert client.post(reverse("followup:submission_approve", args=[sub.pk])).status_code == 403
    with pytest.raises(ValidationError, match="låst"):
        service.save_draft(sub, service.Parts(fields={"economic_comment": "x"}), w.admin)
    with pytest.raises(ValidationError, match="låst"):
        Assessment.objects.create(submission=sub, goal=w.goal_a)
    sub.refresh_from_db()
    assert sub.economic_comment == "Text"


def test_delegate_fills_in_and_sends(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.hr)
    assert client.get(submission_url(sub)).status_code == 404
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update({"delegate": str(w.hr.pk), "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    client.force_login(w.hr)
    html = client.get(submission_url(sub)).content.decode()
    assert "delegate" in disabled_fields(html)
    data = _fill_everything(form_data(html), w, sub)
    data["action"] = "send"
    assert client.post(submission_url(sub), data).status_code == 302
    sub.refresh_from_db()
    assert sub.state == State.SENT and sub.sent_by == w.hr


def test_the_delegate_is_chosen_among_the_units_own_chefs_and_hr(client, delar):
    """A stand-in of the förvaltning or one of its enhetschefer, or HR: not another
    förvaltning's chef, not the ekonomichef who reviews it, not a politician."""
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    select = html[html.index('<select name="delegate"') :]
    select = select[: select.index("</select>")]
    offered = set(re.findall(r'<option value="(\d+)"', select))
    assert str(w.hr.pk) in offered
    for outsider in (w.chef_b, w.finance, w.politician, w.chef_a):
        assert str(outsider.pk) not in offered
    # A förvaltningschef of the other förvaltning cannot be named by a crafted POST either.
    data = form_data(html)
    data.update({"delegate": str(w.chef_b.pk), "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 200
    sub.refresh_from_db()
    assert sub.delegate_id is None


def test_naming_a_delegate_is_in_the_history_and_a_bolag_is_offered_no_hr(client, delar):
    from styrning.models import OrgUnit

    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update({"delegate": str(w.hr.pk), "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    html = client.get(submission_url(sub)).content.decode()
    history = html[html.index('id="history-heading"') :]
    name = w.hr.get_full_name() or w.hr.username
    assert f"<ins>{name}</ins>" in history
    # The same förvaltning as a bolag: the municipality's HR is no delegate for it.
    OrgUnit.objects.filter(pk=sub.unit_id).update(kind=OrgUnit.Kind.COMPANY)
    type(sub).objects.filter(pk=sub.pk).update(delegate=None)  # the one named stays listed
    sub.refresh_from_db()
    from followup.views import _delegates

    assert w.hr not in _delegates(sub, w.chef_a)


def test_a_forecast_below_the_outcome_so_far_is_saved_with_a_warning(client, delar):
    from html import unescape

    from budget.models import AccountGroup

    w, sub = delar, delar.sub_a
    personal = AccountGroup.objects.get(municipality=w.m, code="personal")
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data.update({f"f-{personal.pk}": "-1", "action": "save"})
    html = unescape(client.post(submission_url(sub), data, follow=True).content.decode())
    assert "Personalkostnader: helårsprognosen (−1 tkr) är mindre än utfallet hittills" in html
    assert "Utkastet sparades." in html


def test_evidence_is_stored_under_a_random_name_and_downloaded_with_permission(
    client, delar, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    url = reverse("followup:evidence_upload", args=[sub.pk])
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/pdf")
    client.post(url, {"file": bad})
    assert not sub.evidence.exists()
    # A program renamed to .pdf is refused by its content, naming the kind.
    renamed = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(url, {"file": renamed}, follow=True)
    assert "inte en PDF-fil" in response.content.decode()
    assert not sub.evidence.exists()
    pdf = SimpleUploadedFile("Bilaga 1.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(url, {"file": pdf}).status_code == 302
    item = sub.evidence.get()
    assert item.name == "Bilaga 1.pdf" and "Bilaga" not in item.file.name
    download = reverse("followup:evidence", args=[item.pk])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    client.force_login(w.chef_b)
    assert client.get(download).status_code == 404
    assert client.post(url, {"file": pdf}).status_code == 404
    client.force_login(w.politician)
    assert client.get(download).status_code == 404
    # A wrong file is removed by the chef (the form offers it), the history keeps it; not
    # by another chef; not once the follow-up is sent.
    remove = reverse("followup:evidence_delete", args=[item.pk])
    client.force_login(w.chef_b)
    assert client.post(remove).status_code == 404
    client.force_login(w.chef_a)
    page = client.get(submission_url(sub)).content.decode()
    # The Remove button submits the follow-up's own form to the removal: a form of its
    # own inside that form would close it early (nothing after it could be sent).
    assert f'formaction="{remove}"' in page and not nested_forms(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', page).group(1)
    stored = item.file.path
    # With CSRF checked as in production: the form's own token lets the removal through.
    client.handler.enforce_csrf_checks = True
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        assert client.post(remove, {"csrfmiddlewaretoken": token}).status_code == 302
    client.handler.enforce_csrf_checks = False
    assert not sub.evidence.exists()
    assert not os.path.exists(stored)
    assert item.history.filter(history_type="-").get().history_user == w.chef_a
    client.post(url, {"file": SimpleUploadedFile("B.pdf", b"%PDF-1.4", "application/pdf")})
    again = sub.evidence.get()
    Submission.objects.filter(pk=sub.pk).update(state="sent", sent_at=timezone.now())
    client.post(reverse("followup:evidence_delete", args=[again.pk]))
    assert sub.evidence.filter(pk=again.pk).exists()


def test_opening_the_next_period_prefills_its_drafts(delar):
    from followup.calendar import open_period

    w = delar
    service.save_draft(
        w.sub_a,
        service.Parts(
            fields={"economic_comment": "Kommentar i augusti"},
            assessments={w.plan_a.pk: {"status": "partly", "prognosis": "", "analysis": "A"}},
        ),
        w.chef_a,
    )
    december = open_period(w.periods[12], user=w.finance)
    draft = Submission.objects.get(period=december, unit=w.fA)
    assert draft.economic_comment == "Kommentar i augusti"
    assert Assessment.objects.get(submission=draft, goal=w.plan_a).status == "partly"
    assert Submission.objects.filter(period=december).count() == 3


def test_the_review_list_puts_overdue_and_sent_first(client, delar):
    w = delar
    Submission.objects.filter(pk=w.sub_b.pk).update(state="sent", sent_at=timezone.now())
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReportingPeriod.objects.filter(pk=w.period.pk).update(
        opens_on=yesterday, unit_deadline=yesterday, deadline=yesterday
    )
    client.force_login(w.finance)
    html = client.get(reverse("followup:mine")).content.decode()
    review = html[html.index('id="review"') :]
    # Overdue drafts (Kommunstyrelse-, Social-) before the sent one, then nothing else.
    assert review.index("Socialförvaltningen") < review.index("Samhällsbyggnadsförvaltningen")
    assert "försenad" in review


def test_the_months_the_ledger_lacks_are_named():
    """An årsbokslut read in December with the ledger booked through October lacks
    November too, not just December (the trial read "inga bokningar för december")."""
    from types import SimpleNamespace

    from followup.submissions import Content

    def unbooked(period_month, booked):
        page = SimpleNamespace(period=SimpleNamespace(month=period_month), outcome_month=booked)
        return Content.unbooked_months.fget(page)

    assert unbooked(12, 10) == "november–december"
    assert unbooked(8, 7) == "augusti"
    assert unbooked(8, 8) == ""
    assert unbooked(3, None) == "januari–mars"


def test_a_value_in_per_cent_beyond_100_is_refused_on_its_field(client, delar):
    """545 for 54,5: the form says so on the field and saves nothing of the post."""
    w, sub = delar, delar.sub_a
    Indicator.objects.filter(pk=w.indicator.pk).update(unit="%")
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    ind = w.indicator.pk
    data.update({f"m-{ind}-T": "545", "economic_comment": "Ny text", "action": "save"})
    response = client.post(submission_url(sub), data)
    assert response.status_code == 200
    assert "Ett värde i procent ligger mellan −100 och 100, inte 545." in response.content.decode()
    assert not sub.reported_values.exists()
    sub.refresh_from_db()
    assert sub.economic_comment != "Ny text"


def test_a_unit_chef_with_nothing_in_the_period_reads_the_follow_up(client, delar):
    """A månadsrapport asks no goals: the enhetschef's part is empty, so the förvaltning's
    follow-up is read, not offered as a form with nothing to fill in (trial finding)."""
    from followup.calendar import open_period

    w = delar
    month = next(p for p in w.periods.values() if not p.asks_goals and p.month > 8)
    open_period(month, user=w.finance)
    sub = Submission.objects.get(period=month, unit=w.fA)
    client.force_login(w.unit_chef_a)
    page = client.get(submission_url(sub))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="form submission-form" novalidate' not in html
    assert "Bifoga en fil" not in html
    assert client.post(submission_url(sub), {"action": "save"}).status_code == 403
    client.force_login(w.chef_a)  # the förvaltningschef still fills it in
    html = client.get(submission_url(sub)).content.decode()
    assert 'class="form submission-form" novalidate' in html


def test_the_permission_path_narrows_a_unit_chef_with_no_part_to_reading(delar):
    """The one permission path decides it (the page, the save and the file upload ask it):
    with the follow-up's owners the enhetschef's rights are read-only when none is hers,
    and unchanged when one is; the förvaltningschef's never narrow."""
    from styrning.models import OrgUnit
    from styrning.permissions import submission_rights

    w, sub = delar, delar.sub_a
    theirs = submission_rights(w.unit_chef_a, sub)
    assert theirs.edit and not theirs.edit_all
    # As the page reads them (the world's instances hold tree fields from before later units).
    enhet, office = (OrgUnit.objects.get(pk=g.owner_id) for g in (w.enhet_goal, w.plan_a))
    assert submission_rights(w.unit_chef_a, sub, [enhet]) == theirs
    assert not submission_rights(w.unit_chef_a, sub, [office]).edit
    assert not submission_rights(w.unit_chef_a, sub, []).edit
    assert submission_rights(w.chef_a, sub, []).edit_all


def test_a_long_return_reason_is_kept_whole_and_the_history_row_fits(delar):
    """The history's change reason is 100 characters; a longer return reason made
    PostgreSQL refuse the save (value too long) and nothing was returned."""
    from django.utils import timezone

    from followup import submissions as service

    w, sub = delar, delar.sub_a
    Submission.objects.filter(pk=sub.pk).update(state="sent", sent_at=timezone.now())
    reason = "Förklara avvikelsen inom personalkostnaderna och ange åtgärder. " * 4
    service.return_submission(sub, reason, w.finance)
    sub.refresh_from_db()
    assert sub.state == "returned" and sub.return_reason == reason.strip()
    row = sub.history.order_by("-history_date", "-history_id").first()
    assert row.history_user == w.finance
    assert len(row.history_change_reason) == 100 and row.history_change_reason.endswith("…")


def test_indicators_without_a_value_are_named_before_sending(client, delar):
    """Not required, but said: the trial sent a year's report with every indicator
    empty and read only that everything required was filled in."""
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert "1 indikator saknar värde för perioden." in html
    send = re.search(r'<button[^>]*value="send"[^>]*>', html).group(0)
    assert 'data-indicators-empty="1"' in send
    data = form_data(html)
    data.update({f"m-{w.indicator.pk}-T": "53", "action": "save"})
    assert client.post(submission_url(sub), data).status_code == 302
    html = client.get(submission_url(sub)).content.decode()
    assert 'data-indicators-empty="0"' in html
    assert html.count("saknar värde för perioden") == 2  # the send question's words only


def test_an_uppdrag_past_its_due_date_and_not_done_is_marked(client, delar):
    """A trial met "klart senast 2026-10-31" still "pågår" with nothing said: an uppdrag
    not done past its due date is marked, in words (a done one is not asked about)."""
    import datetime as dt

    from django.utils import timezone

    w, sub = delar, delar.sub_a
    past = timezone.localdate() - dt.timedelta(days=3)
    late = make_assignment(w, title="Sen utredning", due_date=past, status="in_progress")
    make_assignment(w, title="Klar utredning", due_date=past, status="done", comment="Klar.")
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert html.count("Slutdatumet har passerat") == 1
    section = html.split(f'id="assignment-{late.pk}-title"', 1)[1].split("</p>", 1)[0]
    assert "Slutdatumet har passerat" in section


def test_a_follow_up_cannot_be_sent_before_its_period_has_ended(client, delar):
    """An årsbokslut opened early, on 7 December: drafts are saved, sending waits for the
    new year (a trial sent and approved one before the year's last month had passed)."""
    from followup.calendar import open_period

    w = delar
    bokslut = open_period(w.periods[12], user=w.finance)
    sub = Submission.objects.get(period=bokslut, unit=w.fA)
    client.force_login(w.chef_a)
    url = submission_url(sub)
    html = client.get(url).content.decode()
    note = (
        "Perioden pågår till och med 2026-12-31: uppföljningen kan skickas från 2027-01-01. "
        "Till dess kan du spara utkast."
    )
    assert note in html
    assert 'value="send"' not in html
    data = form_data(html)
    data["action"] = "send"
    response = client.post(url, data, follow=True)
    assert "Utkastet sparades men skickades inte. " + note in response.content.decode()
    sub.refresh_from_db()
    assert sub.state == State.DRAFT
    with pytest.raises(ValidationError, match="2027-01-01"):
        service.send(sub, w.chef_a)
