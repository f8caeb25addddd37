"""SIE import into the database: totals per unit and month equal the file's, all or nothing,
a second import changes nothing, and the dry run agrees with the import."""

import json
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budget.imports.service import ImportFailed, import_sie
from budget.models import BalanceAmount, DetailBudget, Outcome
from tests.budget.sie_builder import Objects, build_sie, record, voucher


@pytest.fixture(autouse=True)
def _no_outcomes_yet(budget):
    """The budget fixture's outcomes out of the way: compare with exactly the file."""
    Outcome.objects.all().delete()


def _file(extra=(), psaldo=False):
    body = [
        record("#KONTO", 1930, "Bank"),
        record("#KONTO", 3011, "Försäljning av verksamhet"),
        record("#KONTO", 5011, "Löner månadsavlönade"),
        record("#KONTO", 6110, "Lokalhyror"),
        record("#KONTO", 8011, "Kommunalskatt"),
        record("#OBJEKT", 1, "400", "Socialförvaltningen"),
        record("#OBJEKT", 1, "510", "Gata och park"),
        "#IB 0 1930 5000000.00",
        "#UB 0 1930 4200000.00",
    ]
    if psaldo:
        body += [
            "#PSALDO 0 202603 5011 {} 900000.00",
            '#PSALDO 0 202603 5011 {1 "400"} 700000.00',
            "#PBUDGET 0 202603 5011 {} 800000.00",
            '#PBUDGET 0 202603 5011 {1 "400"} 800000.00',
        ]
    body += voucher(
        "A",
        1,
        "20260131",
        "Löner januari",
        [
            (5011, Objects((1, "400")), Decimal("650000.00")),
            (5011, Objects((1, "510")), Decimal("120000.00")),
            (1930, None, Decimal("-770000.00")),
        ],
    )
    body += voucher(
        "B",
        2,
        "20260215",
        "Avgifter februari",
        [
            (3011, Objects((1, "400")), Decimal("-84000.50")),
            (6110, None, Decimal("30000.00")),
            (1930, None, Decimal("54000.50")),
        ],
    )
    body += voucher(
        "C",
        3,
        "20260225",
        "Skatteintäkter",
        [
            (8011, None, Decimal("-9000000.00")),
            (1930, None, Decimal("9000000.00")),
        ],
    )
    return build_sie(body + list(extra))


def _stored(world):
    totals = defaultdict(Decimal)
    for o in Outcome.objects.filter(year=2026).select_related("unit", "group"):
        totals[(o.unit.ansvarskod if o.unit else None, o.month, o.group.code)] += o.amount
    return dict(totals)


def test_trans_route_stores_the_files_totals(world, budget):
    result = import_sie(world.m, _file())
    stored = _stored(world)
    assert stored[("400", 1, "personal")] == Decimal("650000.00")
    assert stored[("510", 1, "personal")] == Decimal("120000.00")
    assert stored[("400", 2, "intakter")] == Decimal("-84000.50")
    assert stored[(None, 2, "lokaler")] == Decimal("30000.00")  # ej fördelat på ansvar
    assert stored[(None, 2, "skatter")] == Decimal("-9000000.00")
    # Balance accounts never become outcomes; their IB/UB are kept at kommun level.
    assert not any(key[2] == "balans" for key in stored)
    assert BalanceAmount.objects.get(kind="UB", account="1930").amount == Decimal("4200000.00")
    assert result.outcomes_created == len(stored)
    summary = result.as_dict()
    assert "400 Socialförvaltningen" in [u["unit"] for u in summary["units"]]


def test_second_import_changes_nothing(world, budget):
    import_sie(world.m, _file())
    rows, history = Outcome.objects.count(), Outcome.history.count()
    again = import_sie(world.m, _file())
    assert (again.outcomes_created, again.outcomes_changed, again.outcomes_removed) == (0, 0, 0)
    assert Outcome.objects.count() == rows and Outcome.history.count() == history


def test_psaldo_route_gives_the_remainder_to_no_unit_and_pbudget_to_the_detail_budget(
    world, budget
):
    import_sie(world.m, _file(psaldo=True))
    stored = _stored(world)
    assert stored[("400", 3, "personal")] == Decimal("700000.00")
    assert stored[(None, 3, "personal")] == Decimal("200000.00")
    # #PSALDO for the year means the vouchers are not counted again.
    assert ("400", 1, "personal") not in stored
    detail = DetailBudget.objects.get(unit=world.fA, month=3)
    assert detail.amount == Decimal("800000.00")
    assert world.budget_year.frames.get(unit=world.nA, year=2026).amount == 120_000_000


def test_bad_file_leaves_the_database_unchanged_and_names_the_line(world, budget):
    import_sie(world.m, _file())
    before = _stored(world)
    broken = _file(
        extra=voucher(
            "D",
            4,
            "20260231",
            "Felaktigt datum",
            [
                (5011, None, Decimal("10.00")),
                (1930, None, Decimal("-10.00")),
            ],
        )
    )
    with pytest.raises(ImportFailed) as info:
        import_sie(world.m, broken)
    message = info.value.errors[0]
    assert message.startswith("rad ")
    assert _stored(world) == before


def test_unbalanced_voucher_is_refused(world, budget):
    broken = _file(
        extra=voucher(
            "D",
            4,
            "20260310",
            "Obalans",
            [
                (5011, None, Decimal("10.00")),
                (1930, None, Decimal("-9.00")),
            ],
        )
    )
    before = _stored(world)
    with pytest.raises(ImportFailed) as info:
        import_sie(world.m, broken)
    assert "D 4" in info.value.errors[0]
    assert _stored(world) == before


def test_unknown_ansvarskod_is_a_warning_in_the_dry_run_and_refused_on_import(world, budget):
    data = _file(
        extra=voucher(
            "D",
            4,
            "20260310",
            "Okänt ansvar",
            [
                (5011, Objects((1, "999")), Decimal("10.00")),
                (1930, None, Decimal("-10.00")),
            ],
        )
    )
    result = import_sie(world.m, data, dry_run=True)
    before = _stored(world)
    assert any("999" in w for w in result.warnings)
    with pytest.raises(ImportFailed) as info:
        import_sie(world.m, data)
    assert any("999" in e and e.startswith("rad ") for e in info.value.errors)
    assert _stored(world) == before


def test_unknown_account_is_refused(world, budget):
    data = _file(
        extra=voucher(
            "D",
            4,
            "20260310",
            "Konto 9",
            [
                (9999, None, Decimal("10.00")),
                (1930, None, Decimal("-10.00")),
            ],
        )
    )
    with pytest.raises(ImportFailed) as info:
        import_sie(world.m, data)
    assert any("9999" in e for e in info.value.errors)


def test_a_year_that_does_not_exist_is_refused(world, budget):
    data = build_sie(
        [
            record("#KONTO", 5011, "Löner"),
            *voucher(
                "A",
                1,
                "20300115",
                "Löner",
                [(5011, None, Decimal("1.00")), (1930, None, Decimal("-1.00"))],
            ),
        ],
        years=((0, "20300101", "20301231"),),
    )
    with pytest.raises(ImportFailed) as info:
        import_sie(world.m, data)
    assert any("2030" in e for e in info.value.errors)


def test_dry_run_json_and_import_agree(world, budget, tmp_path, capsys):
    path = tmp_path / "bok.se"
    path.write_bytes(_file())
    call_command("import_sie", str(path), "--dry-run", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["encoding"] == "cp437" and printed["years"]["0"] == ["2026-01-01", "2026-12-31"]
    assert {
        "object": "400",
        "period": "2026-01",
        "account": "5011",
        "amount": "650000.00",
    } in printed["rows"]
    assert not Outcome.objects.exists()
    call_command("import_sie", str(path), "--year", "2026")
    by_key = defaultdict(Decimal)
    for row in printed["rows"]:
        if row["account"][0] not in "12":
            by_key[(row["object"], int(row["period"][5:]))] += Decimal(row["amount"])
    stored = defaultdict(Decimal)
    for (code, month, _group), amount in _stored(world).items():
        stored[(code, month)] += amount
    assert dict(stored) == dict(by_key)


def test_command_refuses_a_bad_file_with_the_line(world, budget, tmp_path):
    path = tmp_path / "bok.se"
    path.write_bytes(_file(extra=["#TRANS 5011 {} tio"]))
    with pytest.raises(CommandError, match="rad"):
        call_command("import_sie", str(path))


def test_dry_run_warns_of_a_missing_budget_year_instead_of_refusing(world, budget):
    data = build_sie(
        [
            record("#KONTO", 5011, "Löner"),
            *voucher(
                "A",
                1,
                "20300115",
                "Löner",
                [(5011, None, Decimal("1.00")), (1930, None, Decimal("-1.00"))],
            ),
        ],
        years=((0, "20300101", "20301231"),),
    )
    result = import_sie(world.m, data, dry_run=True)
    assert any("2030" in w for w in result.warnings)
