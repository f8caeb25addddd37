"""The financial statements from the ledger: the resultaträkning's result is the outcome
rows' sum, the balansräkning balances, the kassaflödesanalys closes on the liquid funds,
what the ledger lacks is named; a fixed number of queries whatever the size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from budget.models import AccountGroup, BalanceAmount, Outcome
from budget.totals import refresh_totals
from reports import statements

pytestmark = pytest.mark.django_db

# Closing balances 2025 and 2026 (ledger sign): assets debit, equity and liabilities credit.
UB_2025 = {
    "1110": 500_000_000,
    "1310": 20_000_000,
    "1510": 30_000_000,
    "1930": 40_000_000,
    "2010": -300_000_000,
    "2050": -10_000_000,
    "2210": -60_000_000,
    "2310": -150_000_000,
    "2440": -70_000_000,
}
NAMES = {"2010": "Eget kapital", "2050": "Resultatutjämningsreserv", "1930": "Bank"}


def _outcomes(world, year, months, taxes):
    groups = world.groups
    rows = []
    for month in range(1, months + 1):
        for unit, code, amount in (
            (world.fA, "personal", 11_000_000),
            (world.fA, "intakter", -1_000_000),
            (world.eB, "kapital", 1_500_000),
            (world.ks, "skatter", -taxes),
            (world.ks, "statsbidrag", -4_000_000),
            (world.ks, "finansiella-kostnader", 200_000),
        ):
            rows.append(
                Outcome(
                    municipality=world.m,
                    unit=unit,
                    year=year,
                    month=month,
                    group=groups[code],
                    amount=Decimal(amount),
                )
            )
    Outcome.objects.filter(municipality=world.m, year=year).delete()
    Outcome.objects.bulk_create(rows)
    refresh_totals(world.m.pk, [year])


def _balances(world, year, kind, amounts):
    BalanceAmount.objects.bulk_create(
        BalanceAmount(
            municipality=world.m,
            year=year,
            kind=kind,
            account=account,
            name=NAMES.get(account, ""),
            amount=Decimal(amount),
        )
        for account, amount in amounts.items()
    )


@pytest.fixture
def ledger_world(world, budget):
    _outcomes(world, 2026, 12, 13_000_000)
    _outcomes(world, 2025, 12, 12_500_000)
    result_2026 = -sum(
        Outcome.objects.filter(municipality=world.m, year=2026).values_list("amount", flat=True)
    )
    # 2026: the result goes to equity (2010), 5 mnkr to the reserve, the rest moves cash
    # against depreciation and a new loan.
    ub_2026 = dict(UB_2025)
    ub_2026["1110"] += 30_000_000 - 18_000_000  # invested 30, depreciated 18
    ub_2026["2310"] -= 10_000_000  # new loan
    ub_2026["2010"] -= int(result_2026) - 5_000_000
    ub_2026["2050"] -= 5_000_000
    ub_2026["1930"] = -sum(v for k, v in ub_2026.items() if k != "1930")
    _balances(world, 2025, "UB", UB_2025)
    _balances(world, 2026, "IB", UB_2025)
    _balances(world, 2026, "UB", ub_2026)
    return world


def test_the_statements_follow_the_ledger(ledger_world):
    world = ledger_world
    ledger = statements.load_ledger(world.m, 2026, 12)
    rr = statements.income_statement(ledger)
    booked = Outcome.objects.filter(municipality=world.m, year=2026).exclude(
        group__kind=AccountGroup.Kind.BALANCE
    )
    assert statements.line(rr, "result") == -booked.aggregate(s=Sum("amount"))["s"]
    assert statements.line(rr, "depreciation") == Decimal(-18_000_000)
    assert statements.line(rr, "taxes") == Decimal(156_000_000)
    assert statements.line(rr, "result", "previous") == Decimal(57_600_000)  # 12 × 4,8 mnkr
    br = statements.balance_sheet(ledger, statements.line(rr, "result"))
    assert br["balanced"]
    assert statements.line(br, "assets") == statements.line(br, "claims")
    assert statements.line(br, "assets", "previous") == Decimal(590_000_000)
    assert statements.line(br, "assets", "previous") == statements.line(br, "claims", "previous")
    cf = statements.cash_flow(ledger, rr)
    assert cf["closes"], cf
    assert statements.line(cf, "fixed_assets") == Decimal(-30_000_000)
    assert statements.line(cf, "long_term") == Decimal(10_000_000)
    assert statements.line(cf, "result", "previous") is None  # no balances for 2024
    assert any("2025" in m for m in cf["missing"])
    balance = statements.balance_requirement(ledger, rr)
    result = statements.line(rr, "result")
    assert statements.line(balance, "reserve_in") == Decimal(-5_000_000)
    assert statements.line(balance, "outcome") == result - 5_000_000
    assert balance["warnings"] == []  # 5 mnkr is within the part above 1 % of the taxes
    assert any(
        "realisationsvinster" in m.lower() or "realised" in m.lower() for m in balance["missing"]
    )
    figures = statements.key_figures(rr, br, cf)["figures"]
    solidity = next(f for f in figures if f["key"] == "solidity")
    assert solidity["previous"] == Decimal("52.5")  # (300 + 10) / 590


def test_an_interim_balance_sheet_is_named_missing(ledger_world):
    ledger = statements.load_ledger(ledger_world.m, 2026, 8)
    rr = statements.income_statement(ledger)
    assert statements.line(rr, "taxes") == Decimal(8 * 13_000_000)
    assert statements.line(rr, "taxes", "previous") == Decimal(8 * 12_500_000)
    br = statements.balance_sheet(ledger)
    assert statements.line(br, "assets") is None
    assert statements.line(br, "assets", "previous") == Decimal(590_000_000)
    assert any("2026-08-31" in m for m in br["missing"])


def _queries(m):
    with CaptureQueriesContext(connection) as queries:
        ledger = statements.load_ledger(m, 2026, 12)
        rr = statements.income_statement(ledger)
        br = statements.balance_sheet(ledger, statements.line(rr, "result"))
        cf = statements.cash_flow(ledger, rr)
        statements.key_figures(rr, br, cf)
        statements.balance_requirement(ledger, rr)
    return len(queries)


def test_a_fixed_number_of_queries(ledger_world):
    small = _queries(ledger_world.m)
    _balances(ledger_world, 2025, "IB", {f"1{n:03d}": 1 for n in range(300, 700)})
    assert _queries(ledger_world.m) == small == 5


def test_the_interim_report_holds_the_statements(ledger_world):
    import io

    import pypdf

    from reports import context
    from reports.pdf import render_pdf
    from reports.services import as_snapshot
    from tests.followup.factories import make_year, set_state

    period = set_state(make_year(ledger_world, 2026)[8], "closed")
    ctx = as_snapshot(context.build(period))
    titles = [t["title"] for t in ctx["statements"]["tables"]]
    assert titles == ["Resultaträkning", "Balansräkning"]
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(ctx).data))
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")
    # Skatteintäkter January–August 2026 and 2025, in tkr.
    assert "Skatteintäkter 104 000 100 000" in text
    assert "Summa tillgångar – 590 000" in text
    assert "Balansräkningen per 2026-08-31 kan inte beräknas ur huvudboken" in text


def test_a_reserve_beyond_what_the_law_allows_is_pointed_out(ledger_world):
    """Only the part of the result above 1 % of skatteintäkter and generella statsbidrag
    may be reserved (KL 11 kap. 14 §): 70 mnkr of a 63,6 mnkr result is named."""
    world = ledger_world
    BalanceAmount.objects.filter(municipality=world.m, year=2026, kind="UB", account="2050").update(
        amount=Decimal(-80_000_000)
    )
    ledger = statements.load_ledger(world.m, 2026, 12)
    balance = statements.balance_requirement(ledger, statements.income_statement(ledger))
    assert statements.line(balance, "reserve_in") == Decimal(-70_000_000)
    (warning,) = balance["warnings"]
    assert "70,0 mnkr" in warning and "61,6 mnkr" in warning  # 63,6 − 1 % of 204


def test_counts_by_assessment_agree_with_their_number():
    """The sammanfattning and the förvaltningsberättelse word the counts alike: "5 delvis
    uppfyllda", never "5 delvis uppfyllt"."""
    from django.utils import translation

    from reports.annual import counted_finals

    goals = {"finals": [{"n": 1}, {"n": 5}, {"n": 0}, {"n": 2}]}
    with translation.override("sv"):
        assert counted_finals(goals) == "1 uppfyllt, 5 delvis uppfyllda, 2 ej bedömda"
