"""An enhetschef marks their part of a follow-up done; the förvaltningschef, who sends
the whole, sees which enheter have reported (the trial: a part copied forward is
filled in from the start, so the förvaltningschef could send before any enhet looked)."""

import re

from followup.models import PartDone
from tests.followup.factories import set_state, submission_url
from tests.followup.formdata import form_data


def _filled(w, data):
    data.update(
        {
            f"a-{w.enhet_goal.pk}-status": "partly",
            f"a-{w.enhet_goal.pk}-prognosis": "fulfilled",
            f"a-{w.enhet_goal.pk}-analysis": "Nästan alla brukare har fast kontakt.",
        }
    )
    return data


def test_the_enhetschef_marks_the_part_done_and_the_chef_sees_it(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert "Enheternas delar" in html
    assert re.search(r"Hemtjänst Norr: <span[^>]*>.*?inte markerad som klar än", html)
    assert 'value="done"' not in html  # the förvaltningschef sends; marking is the enhet's
    send = re.search(r'<button[^>]*value="send"[^>]*>', html).group(0)
    assert "1 enhet har inte markerat sin del som klar." in send

    client.force_login(w.unit_chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert 'value="done"' in html
    # Something of hers missing: saved, not marked, and told what.
    data = form_data(html)
    data.update({f"a-{w.enhet_goal.pk}-status": "partly", "action": "done"})
    response = client.post(submission_url(sub), data)
    assert response.status_code == 302 and "saknas=1" in response["Location"]
    assert not PartDone.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Din del sparades men markerades inte som klar" in html
    # Filled in: saved and marked, with its history.
    data = _filled(w, form_data(html))
    data["action"] = "done"
    assert client.post(submission_url(sub), data).status_code == 302
    part = PartDone.objects.get(submission=sub)
    assert (part.unit, part.done_by) == (w.enhet_goal.owner, w.unit_chef_a)
    assert part.history.get().history_user == w.unit_chef_a
    html = client.get(submission_url(sub)).content.decode()
    assert "Din del är sparad och markerad som klar" in html
    # The history says so, by whom (a trial found only "Utkast sparat" there).
    assert "Delen för Hemtjänst Norr markerad som klar" in html
    assert 'value="done"' not in html  # marked: no button to mark it again
    # Min uppföljning says her part is done; it is no longer what she must report.
    from django.urls import reverse

    from followup.worklist import chef_rows, has_due

    mine = client.get(reverse("followup:mine")).content.decode()
    assert "din del är klar" in mine
    rows = [r for r in chef_rows(w.unit_chef_a, w.period.deadline) if r.submission == sub]
    assert rows and all(r.part_done for r in rows) and not has_due(rows)

    client.force_login(w.chef_a)
    html = client.get(submission_url(sub)).content.decode()
    assert re.search(r"Hemtjänst Norr: <span[^>]*>.*?klar</span> markerad av", html)
    send = re.search(r'<button[^>]*value="send"[^>]*>', html).group(0)
    assert "inte markerat" not in send


def test_only_an_enhetschef_marks_and_not_in_a_locked_period(client, delar):
    w, sub = delar, delar.sub_a
    client.force_login(w.chef_a)
    data = _filled(w, form_data(client.get(submission_url(sub)).content.decode()))
    data["action"] = "done"
    assert client.post(submission_url(sub), data).status_code == 403
    client.force_login(w.chef_b)  # another förvaltning's chef does not even read it
    assert client.post(submission_url(sub), data).status_code == 404
    set_state(w.period, "locked", "KF 2026-11-20 § 1")
    client.force_login(w.unit_chef_a)
    assert client.post(submission_url(sub), data).status_code == 403
    assert not PartDone.objects.exists()


def test_a_part_is_not_marked_once_the_follow_up_was_sent_meanwhile(delar):
    """The check and the mark are one locked transaction: the enhetschef's page was
    drawn while the follow-up was a draft, the förvaltningschef sent it before her mark
    arrived, and nothing is marked."""
    import pytest
    from django.core.exceptions import ValidationError

    from followup import submissions as service
    from followup.models import Submission
    from styrning.permissions import submission_rights

    w, sub = delar, delar.sub_a
    page = service.content(Submission.objects.for_page().get(pk=sub.pk))
    owners = [row.goal.owner for row in page.goal_rows]
    rights = submission_rights(w.unit_chef_a, sub, owners)
    assert rights.edit and not rights.edit_all
    with pytest.raises(ValidationError, match="saknas"):
        service.mark_parts_done(sub, w.unit_chef_a, rights)  # her assessment is missing
    assert not PartDone.objects.exists()
    from django.utils import timezone

    Submission.objects.filter(pk=sub.pk).update(state=Submission.State.SENT, sent_at=timezone.now())
    with pytest.raises(ValidationError, match="inskickad"):
        service.mark_parts_done(sub, w.unit_chef_a, rights)
    assert not PartDone.objects.exists()


def test_the_ekonomichef_reviewing_a_sent_follow_up_sees_the_parts(client, delar):
    """The reviewer sees which enheter never marked their part (a trial: the list was
    gone once the follow-up was sent; only the chef's confirm had said so)."""
    from django.utils import timezone

    from followup.models import Submission

    w, sub = delar, delar.sub_a
    Submission.objects.filter(pk=sub.pk).update(state="sent", sent_at=timezone.now())
    client.force_login(w.finance)
    html = client.get(submission_url(sub)).content.decode()
    assert "Enheternas delar" in html
    assert re.search(r"Hemtjänst Norr: <span[^>]*>.*?inte markerad som klar än", html)
    # Told it waits for her review, not that she may only read it (a trial's finding).
    assert "Uppföljningen väntar på din granskning" in html
    assert "men inte ändra den" not in html
