"""Every demo model loads into an empty database, twice, with the same counts."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fixtures import MODELS
from fixtures.builder import summary_for
from goals.models import Goal
from styrning.models import Membership, Municipality

EXPECTED_LEVELS = {
    "hedemora": ["Vision", "Inriktningsmål", "Nämndmål", "Verksamhetsplanmål", "Aktivitet"],
    "katrineholm": ["Vision", "Övergripande mål", "Resultatmål"],
    "karlskrona": ["Vision", "Övergripande mål", "Nämndmål"],
    "eskilstuna": ["Strategisk inriktning", "Processmål", "Åtagande"],
}


@pytest.mark.parametrize("model", MODELS)
def test_load_demo_twice_gives_the_same_counts(db, model):
    call_command("load_demo", model=model)
    municipality = Municipality.objects.get()
    first = summary_for(municipality)
    history_rows = Goal.history.count()
    call_command("load_demo", model=model)
    assert summary_for(municipality) == first
    assert Goal.history.count() == history_rows, "a second load must not rewrite goals"
    levels = list(municipality.goal_levels.values_list("name", flat=True))
    assert levels == EXPECTED_LEVELS[model]
    assert first["mål"] >= 25 and first["indikatorer"] >= 5 and first["uppdrag"] >= 3
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    for goal in Goal.objects.filter(municipality=municipality).select_related("level", "owner"):
        goal.full_clean()


def test_hedemora_has_the_seeds_figures(db):
    from goals.models import Indicator

    call_command("load_demo")
    livskvalitet = Indicator.objects.get(name="Livskvalitet")
    assert (livskvalitet.baseline_value, livskvalitet.baseline_year) == (51, 2022)
    assert (livskvalitet.target_value, livskvalitet.target_year) == (55, 2026)
    hme = Indicator.objects.get(name__startswith="Medarbetarengagemang")
    assert (hme.baseline_value, hme.target_value) == (80, 85)
    trygghet = Indicator.objects.get(name="Trygghet och säkerhet")
    assert (trygghet.baseline_value, trygghet.target_value) == (54, 60)
    inflytande = Indicator.objects.get(name="Nöjd inflytande")
    assert (inflytande.baseline_value, inflytande.baseline_year) == (34, 2020)
    assert inflytande.target_value == 40
    assert Indicator.objects.filter(name__startswith="Soliditet").count() == 2
    vision = Goal.objects.get(level__order=1)
    assert "växande, attraktiv och trygg kommun" in vision.description
    assert Goal.objects.filter(level__order=2).count() == 5


def test_another_model_into_a_loaded_database_is_refused(db):
    call_command("load_demo")
    with pytest.raises(CommandError, match="Hedemora"):
        call_command("load_demo", model="karlskrona")
