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
from tests.budget.sie_builder import Objects, build_sie, header, record, voucher


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


def _remainder_file():
    body = [
        record("#KONTO", 5011, "Löner månadsavlönade"),
        record("#KONTO", 6110, "Lokalhyror"),
        # January: total 1 000, units 700 + 100: 200 unallocated.
        "#PSALDO 0 202601 5011 {} 1000.00",
        '#PSALDO 0 202601 5011 {1 "400"} 700.00',
        '#PSALDO 0 202601 5011 {1 "510"} 100.00',
        # February: the total is 0 and written: minus the units' 300 is unallocated.
        "#PSALDO 0 202602 5011 {} 0.00",
        '#PSALDO 0 202602 5011 {1 "400"} 300.00',
        # March: the total is 0 and left out, as a zero balance may be: the same rule.
        '#PSALDO 0 202603 5011 {1 "400"} 450.00',
        '#PSALDO 0 202603 5011 {1 "510"} -50.00',
        # An account with no objects at all is wholly unallocated.
        "#PSALDO 0 202603 6110 {} 80.00",
    ]
    return build_sie(body)


def test_unallocated_remainder_is_kept_for_every_period_also_when_the_total_is_zero(world, budget):
    import_sie(world.m, _remainder_file())
    stored = _stored(world)
    assert stored[(None, 1, "personal")] == Decimal("200.00")
    assert stored[(None, 2, "personal")] == Decimal("-300.00")
    assert stored[(None, 3, "personal")] == Decimal("-400.00")
    assert stored[(None, 3, "lokaler")] == Decimal("80.00")
    assert stored[("400", 3, "personal")] == Decimal("450.00")
    # Per month and account the stored rows add up to the account's total in the file.
    per_month = defaultdict(Decimal)
    for (_code, month, group), amount in stored.items():
        if group == "personal":
            per_month[month] += amount
    assert dict(per_month) == {1: Decimal("1000.00"), 2: Decimal("0"), 3: Decimal("0")}


def _slipshod_file():
    """A file as ledgers write it: slips whose meaning is plain, records we do not use."""
    body = [
        '#KONTO 5011 "Löner månadsavlönade',  # quote left open
        '#KONTO 6110 "Lokalhyror "Gamla" skolan"',  # stray quotes inside the name
        "#KONTO 30x1 Okänt",  # an account nothing books on, not a number
        "#SRU 50x1 7214",
        "#KTYP 5011 X",
        '#ADRESS "Kommunhuset "Storgatan 1" 12345',
        "#PBUDGET -1 202503 5011 {} tusen",  # last year's budget: not imported
        '#VER A 1 20260131 "Löner januari"',
        '   #TRANS 5011 {1 "400"} 650000.00',  # the { is missing
        "   #TRANS 1930 {} -650000.00",
        "}",
    ]
    return build_sie(body)


def test_a_file_with_plain_slips_is_imported_with_warnings_naming_the_lines(world, budget):
    from django.utils import translation

    with translation.override("sv"):
        result = import_sie(world.m, _slipshod_file())
    assert _stored(world) == {("400", 1, "personal"): Decimal("650000.00")}
    lines = sorted(int(w.split(":")[0].split()[1]) for w in result.warnings if w.startswith("rad "))
    first = len(header()) + 1
    assert lines == [*range(first, first + 7), first + 8]
    assert result.as_dict()["warnings"] == result.warnings


def test_an_amount_that_would_be_imported_and_cannot_be_read_is_still_refused(world, budget):
    broken = build_sie(['#PSALDO 0 202603 5011 {1 "400} 700.00', "#PBUDGET 0 202603 5011 {} x"])
    with pytest.raises(ImportFailed) as info:
        import_sie(world.m, broken)
    first = len(header()) + 1
    assert [e.split(":")[0] for e in info.value.errors] == [f"rad {first}", f"rad {first + 1}"]
    assert not Outcome.objects.exists()


def _4i_file():
    body = voucher(
        "A",
        1,
        "20260310",
        "Hyra",
        [(6110, Objects((1, "400")), Decimal("30000.00")), (1930, None, Decimal("-30000.00"))],
    )
    return build_sie(body, years=())


def test_4i_file_is_imported_as_the_year_given_or_its_vouchers_year(world, budget):
    result = import_sie(world.m, _4i_file(), year=2026)
    assert result.year == 2026
    assert _stored(world) == {("400", 3, "lokaler"): Decimal("30000.00")}
    assert any("#RAR" in w for w in result.warnings)
    Outcome.objects.all().delete()
    result = import_sie(world.m, _4i_file())
    assert result.year == 2026
    assert _stored(world) == {("400", 3, "lokaler"): Decimal("30000.00")}


def test_4i_file_without_year_or_vouchers_is_refused_in_swedish(world, budget):
    from django.utils import translation

    with translation.override("sv"), pytest.raises(ImportFailed) as info:
        import_sie(world.m, build_sie([record("#KONTO", 5011, "Löner")], years=()))
    [message] = info.value.errors
    assert "#RAR" in message and "--year" in message and "verifikationer" in message


def test_dry_run_counts_what_the_import_then_does(world, budget):
    dry = import_sie(world.m, _file(psaldo=True), dry_run=True)
    assert not Outcome.objects.exists() and not DetailBudget.objects.filter(month=3).exists()
    real = import_sie(world.m, _file(psaldo=True))
    counts = ("outcomes_created", "outcomes_changed", "outcomes_removed", "budgets_written")
    assert [getattr(dry, c) for c in counts] == [getattr(real, c) for c in counts]
    assert dry.outcomes_created > 0 and dry.budgets_written == 1
    assert (dry.balances_written, dry.warnings) == (real.balances_written, real.warnings)
