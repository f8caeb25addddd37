"""No English and no "---------" on the goal pages and in the admin."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from goals.models import Goal
from styrning.models import OrgUnit

PO = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def _text(html):
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_goal_forms_have_no_dashes_in_selects(client, world):
    client.force_login(world.chef_a)
    for url in (
        reverse("goals:edit", args=[world.draft_a.pk]),
        reverse("goals:create", args=[world.goal_a.pk]),
        reverse("goals:decide", args=[world.draft_a.pk]),
        reverse("goals:indicator_create", args=[world.draft_a.pk]),
        reverse("goals:tree"),
    ):
        assert "-----" not in client.get(url).content.decode(), url


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:goals_goal_add",
        "admin:goals_goal_changelist",
        "admin:goals_assignment_add",
        "admin:goals_indicator_add",
        "admin:goals_measurement_add",
        "admin:styrning_orgunit_add",
        "admin:styrning_orgunit_changelist",
        "admin:styrning_membership_add",
    ],
)
def test_admin_selects_have_a_swedish_empty_label(client, world, url_name):
    client.force_login(world.admin)
    html = client.get(reverse(url_name)).content.decode()
    assert "---------" not in html


def test_admin_tree_buttons_are_swedish(client, world):
    client.force_login(world.admin)
    html = client.get(reverse("admin:goals_goal_changelist")).content.decode()
    context = json.loads(unescape(re.search(r'data-context="([^"]*)"', html).group(1)))
    assert context["messages"] == {
        "before": "flytta före",
        "child": "flytta in under",
        "after": "flytta efter",
        "collapseTree": "Fäll ihop trädet",
        "expandTree": "Fäll ut trädet",
    }


def test_admin_history_is_swedish(client, world):
    unit = OrgUnit.objects.get(pk=world.eA.pk)
    unit.ansvarskod = "411"
    unit.save()
    goal = Goal.objects.get(pk=world.draft_a.pk)
    goal.decided_by = world.fA
    goal.save()
    client.force_login(world.admin)
    for url in (
        reverse("admin:styrning_orgunit_history", args=[unit.pk]),
        reverse("admin:goals_goal_history", args=[goal.pk]),
    ):
        text = _text(client.get(url).content.decode())
        for english in (
            "Changed by",
            "Change reason",
            "Object",
            "None",
            "pk=",
            "Deleted",
            "Choose a date",
        ):
            assert english not in text, (url, english)
        assert "Ändrad av" in text


def test_admin_index_names_every_model_in_swedish(client, world):
    client.force_login(world.admin)
    text = _text(client.get(reverse("admin:index")).content.decode())
    for english in ("Access attempts", "Access failures", "Access logs"):
        assert english not in text


def _msgstrs():
    """Every Swedish text of the .po, continuation lines included."""
    texts, inside = [], False
    for line in PO.read_text().splitlines():
        if line.startswith("msgstr"):
            inside = True
            texts.append(line.partition(" ")[2].strip('"'))
        elif inside and line.startswith('"'):
            texts.append(line.strip('"'))
        else:
            inside = False
    return " ".join(texts)


def test_one_word_for_spreadsheet():
    msgstrs = _msgstrs().lower()
    assert "kalkylark" not in msgstrs
    assert "spreadsheet" not in msgstrs
    assert "excel" not in msgstrs


def test_every_accessible_form_offers_a_swedish_empty_choice(world):
    from django import forms

    from goals.models import Assignment
    from styrning.forms import AccessibleFormMixin

    class AssignmentForm(AccessibleFormMixin, forms.ModelForm):
        class Meta:
            model = Assignment
            fields = ["given_by", "goal"]

    html = str(AssignmentForm())
    assert "---------" not in html
    assert '<option value="" selected>(välj)</option>' in html  # given_by is required
    assert '<option value="" selected>(ingen)</option>' in html  # goal is optional
