"""Units come in Swedish order (… Y, Z, Å, Ä, Ö) on PostgreSQL, whatever locale the
database was made with: a trial at scale 10 read "Ymsen, Älvsby, Ängby, Åkarp, Öster" in
every list of nämnder (the C locale orders Ä before Å; en_US puts Ä among the A's)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from styrning.models import OrgUnit
from tests.factories import make_municipality, make_unit

pytestmark = pytest.mark.django_db

SWEDISH = ["Ymsen", "Zinkgruva", "Åkarp", "Älvsby", "Ängby", "Öster"]
ADDED = ["Öster", "Älvsby", "Åkarp", "Ymsen", "Ängby", "Zinkgruva"]


@pytest.fixture
def council():
    m = make_municipality()
    return make_unit(m, "Kommunfullmäktige", OrgUnit.Kind.COUNCIL)


def _siblings(parent):
    return list(
        OrgUnit.objects.filter(parent=parent).order_by("lft").values_list("name", flat=True)
    )


def test_the_tree_keeps_siblings_in_swedish_order(council):
    """On PostgreSQL in Swedish; SQLite (make run) compares bytes, which puts Ä before Å."""
    for name in ADDED:
        make_unit(council.municipality, name, OrgUnit.Kind.COMMITTEE, parent=council)
    expected = SWEDISH if connection.vendor == "postgresql" else sorted(SWEDISH)
    assert _siblings(council) == expected
    by_name = OrgUnit.objects.filter(parent=council).order_by("name")
    assert list(by_name.values_list("name", flat=True)) == expected


def test_the_migration_puts_an_existing_tree_in_order(council):
    """0004 renumbers the stored trees by name, as django-mptt's rebuild would."""
    for name in ADDED:
        make_unit(council.municipality, name, OrgUnit.Kind.COMMITTEE, parent=council)
    ymsen = OrgUnit.objects.get(name="Ymsen")
    make_unit(council.municipality, "Ymsens förvaltning", OrgUnit.Kind.ADMINISTRATION, ymsen)
    # Scrambled: the siblings numbered in the order they were added.
    tree = council.tree_id
    OrgUnit.objects.filter(tree_id=tree).update(lft=0, rght=0)
    migration = importlib.import_module("styrning.migrations.0004_swedish_unit_order")
    migration.renumber(apps, connection.schema_editor())
    expected = SWEDISH if connection.vendor == "postgresql" else sorted(SWEDISH)
    assert _siblings(council) == expected
    numbered = _numbers(tree)
    OrgUnit.objects.partial_rebuild(tree)  # django-mptt's own numbering: the same
    assert _numbers(tree) == numbered
    council.refresh_from_db()
    assert (council.lft, council.rght) == (1, 2 * OrgUnit.objects.filter(tree_id=tree).count())
    assert [u.name for u in ymsen.get_children()] == ["Ymsens förvaltning"]


def _numbers(tree):
    return set(OrgUnit.objects.filter(tree_id=tree).values_list("pk", "lft", "rght", "mptt_level"))
