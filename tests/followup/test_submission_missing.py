"""The box of what is missing on the submission form: what the user fills in (an
enhetschef: their own goals), each item a link to its field; a refused send lands on it."""

import re

from followup.models import AssignmentReport
from goals.models import Assignment
from tests.factories import make_goal
from tests.followup.factories import make_assignment, submission_url
from tests.followup.formdata import form_data


def _box(html):
    match = re.search(
        r'<section class="missing" id="missing" tabindex="-1".*?</section>', html, re.S
    )
    return match.group(0) if match else ""


def _links_resolve(html, box):
    hrefs = re.findall(r'href="#([^"]+)"', box)
    assert hrefs
    for target in hrefs:
        assert f'id="{target}"' in html, target
    return hrefs


def test_an_assignment_status_set_is_not_missing(client, delar):
    w, sub = delar, delar.sub_a
    assignment = make_assignment(w, status=Assignment.Status.IN_PROGRESS)
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert form_data(html)[f"u-{assignment.pk}-status"] == "in_progress"
    assert "Uppdrag ”Utred bemanningen”" not in _box(html)
    AssignmentReport.objects.create(submission=sub, assignment=assignment, status="done")
    html = client.get(submission_url(sub)).content.decode()
    assert "Uppdrag ”Utred bemanningen”" not in _box(html)


def test_no_all_filled_in_beside_a_save_error(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    data["economic_comment"] = "Kommentar"
    for goal in (w.goal_a, w.plan_a, w.enhet_goal):
        data.update(
            {
                f"a-{goal.pk}-status": "partly",
                f"a-{goal.pk}-prognosis": "partly",
                f"a-{goal.pk}-analysis": "Analys.",
            }
        )
    data["action"] = "save"
    assert client.post(submission_url(sub), data).status_code == 302
    html = client.get(submission_url(sub)).content.decode()
    assert "Allt som krävs är ifyllt" in html  # everything is there
    data[f"f-{w.groups['personal'].pk}"] = "tio kronor"
    response = client.post(submission_url(sub), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "Allt som krävs är ifyllt" not in html


def test_an_enhetschef_sees_only_their_own_goals_missing(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.unit_chef_a)
    html = client.get(submission_url(sub)).content.decode()
    box = _box(html)
    assert "”Fler fasta kontakter”: bedömning saknas." in box
    assert "Kontinuitet" not in box and "Trygg äldreomsorg" not in box
    assert "ekonomiska kommentaren" not in box and "Helårsprognosen" not in box
    _links_resolve(html, box)
    # The förvaltningschef sees the whole.
    client.force_login(w.chef_a)
    box = _box(client.get(submission_url(sub)).content.decode())
    assert "”Kontinuitet”: bedömning saknas." in box and "ekonomiska kommentaren" in box


def test_every_missing_item_links_to_its_field_and_a_refused_send_lands_on_the_box(client, delar):
    w, sub = delar, delar.sub_a
    assignment = make_assignment(w)
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    box = _box(html)
    hrefs = _links_resolve(html, box)
    assert f"id_a-{w.plan_a.pk}-analysis" in hrefs and "id_economic_comment" in hrefs
    assert f"id_f-{w.groups['personal'].pk}" in hrefs or f"id_f-{w.groups['intakter'].pk}" in hrefs
    # An uppdrag always has a status (it has one from the start): no blank to leave.
    status = html.split(f'id="id_u-{assignment.pk}-status"')[1].split("</select>")[0]
    assert 'value=""' not in status and "selected" in status
    assert box.count("<li>") == box.count("<a href")
    data = form_data(html)
    data["action"] = "send"
    response = client.post(submission_url(sub), data)
    assert response.status_code == 302 and response["Location"].endswith("#missing")
    # There each missing field says so on itself, not only in the box (trial finding):
    # aria-invalid, tied to its message beside it; a filled-in field is not marked.
    html = client.get(response["Location"]).content.decode()
    field = f"id_a-{w.plan_a.pk}-analysis"
    textarea = re.search(rf'<textarea[^>]*id="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in textarea and f"{field}_errors" in textarea
    errors = html.split(f'id="{field}_errors">')[1].split("</div>")[0]
    assert "analys saknas" in errors
    assert html.count('aria-invalid="true"') == len(_links_resolve(html, _box(html)))
    # Opened as usual, the form is not marked.
    assert 'aria-invalid="true"' not in client.get(submission_url(sub)).content.decode()


def test_missing_items_of_another_part_link_to_that_part(client, delar):
    w, sub = delar, delar.sub_a
    for i in range(50):
        make_goal(w.m, w.levels[4], w.fA, w.goal_a, adopted=True, title=f"Mål {i}")
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub, 2)).content.decode()
    box = _box(html)
    _links_resolve(html, box)  # this part's own fields
    # ... each asking that part to mark its missing fields.
    assert f'href="{submission_url(sub)}?saknas=1#id_economic_comment"' in box
    assert f'href="{submission_url(sub, 3)}&amp;saknas=1#id_a-' in box


def test_an_assignment_given_to_the_nämnd_is_reported_by_its_förvaltning(client, delar):
    """KF's uppdrag to Socialnämnden is reported in Socialförvaltningen's follow-up (as the
    nämnd's goals are), not in Samhällsbyggnadsförvaltningen's; it was in nobody's."""
    w = delar
    assignment = make_assignment(w, unit=w.nA, title="Utred LOV i hemtjänsten")
    client.force_login(w.chef_a)
    html = client.get(submission_url(w.sub_a)).content.decode()
    assert f"u-{assignment.pk}-status" in form_data(html)
    other = w.sub_a.__class__.objects.get(period=w.period, unit=w.fB)
    client.force_login(w.chef_b)
    assert "Utred LOV i hemtjänsten" not in client.get(submission_url(other)).content.decode()


def test_a_send_refused_for_a_bad_value_marks_what_is_missing_too(client, delar):
    """Skicka with a forecast that is not a number and the comment emptied: nothing is
    saved; the bad value and the missing comment are both marked at their fields (the
    trial saw only the bad value marked), a field the post filled in is not."""
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    forecast = f"f-{w.groups['personal'].pk}"
    analysis = f"a-{w.plan_a.pk}-analysis"
    data.update({forecast: "tio kronor", "economic_comment": "", analysis: "Skriven nu."})
    data["action"] = "send"
    html = client.post(submission_url(sub), data).content.decode()
    for name in (forecast, "economic_comment"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag, name
    tag = re.search(rf'<textarea[^>]*name="{analysis}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' not in tag  # posted: not missing, though not yet saved
    assert "ekonomiska kommentaren saknas" in html.split('id="id_economic_comment_errors"')[1]


def test_a_refused_send_names_what_the_post_left_empty_in_the_same_round(client, delar):
    """The trial cleared a stored assessment and its analysis, typed a bad forecast and
    pressed Skicka: told only of the bad value, the missing assessment came a round later,
    and the missing items were listed twice (the box and the error summary). Now the
    box lists what the post left empty, whatever is stored, and the error summary only
    the value in error, saying nothing was saved; nothing is saved."""
    from followup.models import Assessment

    w, sub = delar, delar.sub_a
    Assessment.objects.create(
        submission=sub, goal=w.plan_a, status="fulfilled", prognosis="fulfilled", analysis="Bra."
    )
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    assert "Planmålet" not in _box(client.get(submission_url(sub)).content.decode())
    forecast = f"f-{w.groups['personal'].pk}"
    data.update(
        {forecast: "tio kronor", f"a-{w.plan_a.pk}-status": "", f"a-{w.plan_a.pk}-analysis": ""}
    )
    data["action"] = "send"
    html = client.post(submission_url(sub), data).content.decode()
    box = _box(html)
    assert f"”{w.plan_a.title}”: bedömning saknas." in box
    assert box.count(w.plan_a.title) >= 2  # the assessment and the analysis
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "Ingenting sparades" in summary
    assert w.plan_a.title not in summary  # listed once, in the box
    assert summary.count("<li>") == 1  # the forecast that is not a number
    stored = Assessment.objects.get(submission=sub, goal=w.plan_a)
    assert stored.status == "fulfilled" and stored.analysis == "Bra."


def test_a_refused_draft_lists_what_its_post_left_empty(client, delar):
    """The trial filled in the economic comment, typed "abc" as a value and saved a
    draft: the box still said the comment was missing (what is stored), while the
    assessment it had cleared was not listed. A refused draft is listed as posted."""
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    forecast = f"f-{w.groups['personal'].pk}"
    data.update({forecast: "abc", "economic_comment": "Enligt budget.", "action": "save"})
    html = client.post(submission_url(sub), data).content.decode()
    box = _box(html)
    assert "Den ekonomiska kommentaren saknas." not in box
    assert f"”{w.goal_a.title}”: bedömning saknas." in box
    assert "Ingenting sparades" in html
    sub.refresh_from_db()
    assert sub.economic_comment == ""
