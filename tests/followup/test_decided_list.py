"""Min uppföljning for those who read rather than report: the approved follow-ups of a
period, for the user's own units and those below and above them."""

import re

from django.urls import reverse
from django.utils import timezone

from followup.models import Submission
from tests.factories import make_user
from tests.followup.factories import make_submission, make_year, set_state

URL = reverse("followup:mine")
Approved = Submission.State.APPROVED


def _listed(html) -> list[str]:
    if 'id="decided"' not in html:
        return []
    table = html[html.index('id="decided"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row"><a href="/uppfoljning/\d+/">([^<]+)</a>', table)


def test_a_politician_finds_the_approved_follow_ups_of_a_period(client, world):
    from styrning.models import Membership

    periods = make_year(world)
    march, april = set_state(periods[3], "closed"), set_state(periods[4], "closed")
    make_submission(march, world.fA, Approved, decided_at=timezone.now(), decided_by=world.finance)
    make_submission(march, world.fB, Approved, decided_at=timezone.now(), decided_by=world.finance)
    make_submission(april, world.fA, Approved, decided_at=timezone.now(), decided_by=world.finance)
    make_submission(april, world.fB, Submission.State.SENT)

    # KF's politician: every unit; the latest period first, the sent one not listed.
    client.force_login(world.politician)
    page = client.get(URL).content.decode()
    assert "Godkända uppföljningar" in page and "Inget att rapportera" not in page
    assert _listed(page) == ["Socialförvaltningen"]
    assert _listed(client.get(URL, {"godkanda": march.pk}).content.decode()) == [
        "Samhällsbyggnadsförvaltningen",  # in the organisation's order
        "Socialförvaltningen",
    ]
    # A nämnd's politician: its förvaltning only.
    member = make_user("ledamot_b", Membership.Role.POLITICIAN, world.nB)
    client.force_login(member)
    assert _listed(client.get(URL, {"godkanda": march.pk}).content.decode()) == [
        "Samhällsbyggnadsförvaltningen"
    ]
    # Its latest period with one of its own approved (April's is only sent), not the
    # municipality's latest.
    assert _listed(client.get(URL).content.decode()) == ["Samhällsbyggnadsförvaltningen"]
    assert f'<option value="{april.pk}"' not in client.get(URL).content.decode()
    # An enhetschef: the förvaltning above the enhet.
    client.force_login(world.unit_chef_a)
    assert _listed(client.get(URL, {"godkanda": march.pk}).content.decode()) == [
        "Socialförvaltningen"
    ]
    # The ekonomichef reviews every submission in the review list instead.
    client.force_login(world.finance)
    assert 'id="decided"' not in client.get(URL).content.decode()


def test_nothing_approved_yet_says_so(client, world):
    make_year(world)
    client.force_login(world.politician)
    page = client.get(URL).content.decode()
    assert "Ingen uppföljning har godkänts ännu." in page
