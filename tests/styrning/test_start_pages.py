"""Every demo role lands on a start page that answers 200 and shows no form error."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

DEMO_USERS = ["politiker", "socialchef", "byggchef", "enhetschef", "vd", "ekonomichef", "hr"]


def test_every_demo_role_lands_on_a_useful_page_without_errors(client, db):
    # One demo load for every role: loading it takes seconds.
    call_command("load_demo")
    users = get_user_model().objects.in_bulk([*DEMO_USERS, "admin"], field_name="username")
    landed = {}
    for username in [*DEMO_USERS, "admin"]:
        client.force_login(users[username])
        response = client.get("/", follow=True)
        assert response.status_code == 200, username
        assert response.redirect_chain, f"{username}: the start page sends each role to its work"
        html = response.content.decode()
        for error in ("field__errors", "error-summary", "errorlist"):
            assert error not in html, f"{username} lands on a form error"
        landed[username] = (response.redirect_chain[-1][0], html)
    # The enhetschef sees their enhet's part in Min uppföljning while a goal period is open
    # (the delårsrapport in September), else the goals of their nämnd with their own unit's.
    path, html = landed["enhetschef"]
    assert path.startswith("/mal/?unit=") or path == "/uppfoljning/?start=1"
    assert "Hemtjänst Hedemora" in html
