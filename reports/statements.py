"""The kommun's financial statements from the ledger: one function per statement.

Resultaträkning, balansräkning, kassaflödesanalys, noter, finansiella nyckeltal and the
balanskravsutredning, each with the previous year beside the year (LKBR 11 and 13 kap.,
specs/reports.md §3–5). They read what the ledger stores in Styrning: the outcome per
account group (``budget.totals``, the same readers as /budget/) and the balance
accounts' opening and closing balances (``BalanceAmount``, from the SIE file's #IB/#UB).

The account groups reach the resultaträkning through their Kommun-Bas prefixes
(``AccountMapping``: 79 avskrivningar, 80 skatteintäkter, 82–83 generella statsbidrag och
utjämning, 84 finansiella intäkter, 85 finansiella kostnader; the other revenue groups
are verksamhetens intäkter, the rest verksamhetens kostnader), the balance accounts reach
the balansräkning through their Kommun-Bas class (``BALANCE_LINES``). What the ledger
cannot give is listed in each statement's ``missing`` (a sentence naming it), never
invented.

Plain data out: amounts are Decimals in kronor in the statements' sign (intäkter and
tillgångar +, kostnader −; eget kapital, avsättningar and skulder +), ``None`` where there
is no figure. ``load_ledger`` reads everything in five queries, whatever the size;
the functions below run none.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget import totals
from budget.models import AccountGroup, AccountMapping, BalanceAmount
from styrning import formatting

ZERO = Decimal("0")
Kind = AccountGroup.Kind

# Resultaträkning: the lines account groups fall on by their Kommun-Bas prefixes.
RR_PREFIXES = (
    ("depreciation", ("79",)),
    ("taxes", ("80",)),
    ("grants", ("82", "83")),
    ("financial_income", ("84",)),
    ("financial_costs", ("85",)),
)
RR_LABELS = {
    "revenue": gettext_lazy("Operating revenue"),
    "costs": gettext_lazy("Operating costs"),
    "depreciation": gettext_lazy("Depreciation"),
    "net_costs": gettext_lazy("Net operating costs"),
    "taxes": gettext_lazy("Tax revenue"),
    "grants": gettext_lazy("General state grants and equalisation"),
    "operating_result": gettext_lazy("Operating result"),
    "financial_income": gettext_lazy("Financial income"),
    "financial_costs": gettext_lazy("Financial costs"),
    "after_financial": gettext_lazy("Result after financial items"),
    "result": gettext_lazy("The year's result"),
}
# (key, the lines it sums) in the order of the statement; a line without parts is a group line.
RR_ORDER = (
    ("revenue", ()),
    ("costs", ()),
    ("depreciation", ()),
    ("net_costs", ("revenue", "costs", "depreciation")),
    ("taxes", ()),
    ("grants", ()),
    ("operating_result", ("net_costs", "taxes", "grants")),
    ("financial_income", ()),
    ("financial_costs", ()),
    ("after_financial", ("operating_result", "financial_income", "financial_costs")),
    ("result", ("after_financial",)),
)

# Balansräkning: Kommun-Bas classes 1–2 (specs/reports.md §4), assets first.
ASSETS, CLAIMS = "assets", "claims"
BALANCE_LINES = (
    ("intangible", ASSETS, ("10",), gettext_lazy("Intangible fixed assets")),
    ("tangible", ASSETS, ("11", "12"), gettext_lazy("Tangible fixed assets")),
    ("financial_fixed", ASSETS, ("13",), gettext_lazy("Financial fixed assets")),
    ("inventories", ASSETS, ("14",), gettext_lazy("Inventories and development properties")),
    ("receivables", ASSETS, ("15", "16", "17"), gettext_lazy("Receivables")),
    ("placements", ASSETS, ("18",), gettext_lazy("Short-term investments")),
    ("cash", ASSETS, ("19",), gettext_lazy("Cash and bank")),
    ("equity", CLAIMS, ("20",), gettext_lazy("Equity")),
    ("provisions", CLAIMS, ("21", "22"), gettext_lazy("Provisions")),
    ("long_term", CLAIMS, ("23",), gettext_lazy("Long-term liabilities")),
    (
        "short_term",
        CLAIMS,
        ("24", "25", "26", "27", "28", "29"),
        gettext_lazy("Current liabilities"),
    ),
)
LIQUID = ("placements", "cash")
RESERVE_NAME = "resultatutjämning"  # the result equalisation reserve's account, by its name


@dataclass
class Ledger:
    """What the statements read, loaded once (``load_ledger``)."""

    year: int
    month: int
    groups: list  # AccountGroup rows, in their order
    rr_line: dict  # group id → resultaträkning line key
    outcome: dict  # year → {group id: outcome January–month, ledger sign}
    booked: dict  # year → whether the ledger has any outcome for the period
    balances: dict  # (year, "IB"/"UB") → {account: ledger amount}
    names: dict  # account → name
    missing: list = field(default_factory=list)

    @property
    def full_year(self) -> bool:
        return self.month == 12


def rr_line_of(group, prefixes) -> str | None:
    """The resultaträkning line of an account group from its account prefixes (None for
    the balance accounts)."""
    if group.kind == Kind.BALANCE:
        return None
    for key, heads in RR_PREFIXES:
        if prefixes and all(prefix.startswith(heads) for prefix in prefixes):
            return key
    return "revenue" if group.kind == Kind.REVENUE else "costs"


def load_ledger(municipality, year: int, month: int = 12) -> Ledger:
    """The outcome per account group January–``month`` of ``year`` and the year before,
    and both years' balances (five queries)."""
    groups = list(AccountGroup.objects.filter(municipality=municipality).order_by("order", "name"))
    prefixes = defaultdict(list)
    for prefix, group_id in (
        AccountMapping.objects.filter(municipality=municipality)
        .order_by()
        .values_list("prefix", "group_id")
    ):
        prefixes[group_id].append(prefix)
    rr_line = {}
    for group in groups:
        line = rr_line_of(group, prefixes[group.pk])
        if line is not None:
            rr_line[group.pk] = line
    outcome, booked = {}, {}
    for y in (year, year - 1):
        sums = totals.outcome_to_date_by_group(
            municipality.pk, y, month, totals.EVERYTHING, list(rr_line)
        )
        outcome[y] = {group_id: amount for group_id, (amount, _n) in sums.items()}
        booked[y] = any(n for _amount, n in sums.values())
    balances: dict = defaultdict(dict)
    names: dict = {}
    for y, kind, account, name, amount in (
        BalanceAmount.objects.filter(municipality=municipality, year__in=(year, year - 1))
        .order_by("account")
        .values_list("year", "kind", "account", "name", "amount")
    ):
        balances[(y, kind)][account] = amount
        if name:
            names.setdefault(account, name)
    return Ledger(year, month, groups, rr_line, outcome, booked, dict(balances), names)


def _period_words(ledger, year) -> str:
    if ledger.full_year:
        return str(year)
    return _("January–%(month)s %(year)s") % {
        "month": formatting.month_name(ledger.month).lower(),
        "year": year,
    }


# --- resultaträkning ----------------------------------------------------------------------


def income_statement(ledger: Ledger) -> dict:
    """Resultaträkning for January–month of the year and of the year before.

    {"columns": [year, previous], "lines": [{key, label, current, previous, sum}],
    "groups": {line key: [(group name, current, previous)]}, "missing": [...]}.
    """
    values = {}
    groups = defaultdict(list)
    for y in (ledger.year, ledger.year - 1):
        booked = ledger.booked.get(y)
        sums = {key: ZERO for key, _parts in RR_ORDER} if booked else {}
        for group_id, amount in ledger.outcome.get(y, {}).items():
            if booked:
                sums[ledger.rr_line[group_id]] -= amount  # ledger sign → statement sign
        for key, parts in RR_ORDER:
            if parts and booked:
                sums[key] = sum((sums[part] for part in parts), ZERO)
        values[y] = sums
    for group in ledger.groups:
        key = ledger.rr_line.get(group.pk)
        if key is None:
            continue
        current = ledger.outcome[ledger.year].get(group.pk)
        previous = ledger.outcome[ledger.year - 1].get(group.pk)
        if current is None and previous is None:
            continue
        groups[key].append(
            (
                group.name,
                -current if current is not None and ledger.booked[ledger.year] else None,
                -previous if previous is not None and ledger.booked[ledger.year - 1] else None,
            )
        )
    missing = []
    for y in (ledger.year, ledger.year - 1):
        if not ledger.booked.get(y):
            missing.append(
                _(
                    "The resultaträkning for %(period)s cannot be computed from the ledger: "
                    "it has no outcome for the period."
                )
                % {"period": _period_words(ledger, y)}
            )
    return {
        "columns": [_period_words(ledger, ledger.year), _period_words(ledger, ledger.year - 1)],
        "lines": [
            {
                "key": key,
                "label": str(RR_LABELS[key]),
                "current": values[ledger.year].get(key),
                "previous": values[ledger.year - 1].get(key),
                "sum": bool(parts),
            }
            for key, parts in RR_ORDER
        ],
        "groups": dict(groups),
        "missing": missing,
    }


def line(statement: dict, key: str, column: str = "current"):
    """One figure of a statement by its line key (None when it has none)."""
    return next((row[column] for row in statement["lines"] if row["key"] == key), None)


# --- balansräkning ------------------------------------------------------------------------


def _balance_of(ledger, account_line):
    for key, side, heads, _label in BALANCE_LINES:
        if account_line.startswith(heads):
            return key, side
    return None, None


def closing_balances(ledger: Ledger, year: int) -> dict | None:
    """{account: ledger amount} at the end of ``year`` (its #UB), or None."""
    return ledger.balances.get((year, "UB"))


def opening_balances(ledger: Ledger, year: int) -> dict | None:
    """{account: ledger amount} at the start of ``year``: its #IB, else the year before's #UB."""
    return ledger.balances.get((year, "IB")) or ledger.balances.get((year - 1, "UB"))


def _sheet(ledger, amounts):
    """Per balance line: the sum in the statement's sign, with the result not yet closed to
    equity added to it (so the sheet balances), and the accounts behind each line."""
    sums = {key: ZERO for key, *_rest in BALANCE_LINES}
    accounts = defaultdict(list)
    unclosed = ZERO
    for account, amount in sorted(amounts.items()):
        key, side = _balance_of(ledger, account)
        unclosed += amount  # assets are debit, claims credit: the sum is what is not closed
        if key is None:
            continue
        shown = amount if side == ASSETS else -amount
        sums[key] += shown
        accounts[key].append((account, ledger.names.get(account, ""), shown))
    sums["equity"] += unclosed
    return sums, accounts, unclosed


def balance_sheet(ledger: Ledger, result: Decimal | None = None) -> dict:
    """Balansräkning at the end of the period beside the end of the year before.

    At year-end the closing balances (#UB) of the year; a delårsrapport's balance at the
    end of its month cannot be computed from the ledger Styrning holds (balances per year
    only), and says so. ``result`` (the resultaträkning's) is shown as the part of equity
    it is. {"columns", "lines": [{key, label, current, previous, sum, side}], "accounts":
    {line: [(account, name, current, previous)]}, "missing"}.
    """
    missing = []
    current_amounts = closing_balances(ledger, ledger.year) if ledger.full_year else None
    previous_amounts = closing_balances(ledger, ledger.year - 1) or ledger.balances.get(
        (ledger.year, "IB")
    )
    if not ledger.full_year:
        missing.append(
            _(
                "The balansräkning per %(date)s cannot be computed from the ledger: Styrning "
                "holds the balance accounts' opening and closing balances per year, not their "
                "movements during the year."
            )
            % {"date": _month_end(ledger.year, ledger.month)}
        )
    elif current_amounts is None:
        missing.append(
            _(
                "The balansräkning per 31 December %(year)s cannot be computed from the "
                "ledger: it has no closing balances (#UB) for %(year)s."
            )
            % {"year": ledger.year}
        )
    if previous_amounts is None:
        missing.append(
            _(
                "The balansräkning per 31 December %(year)s cannot be computed from the "
                "ledger: it has no closing balances (#UB) for %(year)s."
            )
            % {"year": ledger.year - 1}
        )
    current = _sheet(ledger, current_amounts) if current_amounts is not None else None
    previous = _sheet(ledger, previous_amounts) if previous_amounts is not None else None

    def value(sheet, key):
        return sheet[0][key] if sheet else None

    def side_total(sheet, side):
        if not sheet:
            return None
        return sum((sheet[0][key] for key, s, *_r in BALANCE_LINES if s == side), ZERO)

    lines = [{"key": "assets_heading", "label": _("Assets"), "heading": True}]
    for key, side, _heads, label in BALANCE_LINES:
        if side == CLAIMS and lines[-1].get("key") == "cash":
            lines.append(
                {
                    "key": "assets",
                    "label": _("Total assets"),
                    "current": side_total(current, ASSETS),
                    "previous": side_total(previous, ASSETS),
                    "sum": True,
                }
            )
            lines.append(
                {
                    "key": "claims_heading",
                    "label": _("Equity, provisions and liabilities"),
                    "heading": True,
                }
            )
        lines.append(
            {
                "key": key,
                "label": str(label),
                "current": value(current, key),
                "previous": value(previous, key),
                "sum": False,
            }
        )
        if key == "equity":
            lines.append(
                {
                    "key": "equity_result",
                    "label": _("of which the year's result"),
                    "current": result if current else None,
                    "previous": None,
                    "sum": False,
                    "sub": True,
                }
            )
    lines.append(
        {
            "key": "claims",
            "label": _("Total equity, provisions and liabilities"),
            "current": side_total(current, CLAIMS),
            "previous": side_total(previous, CLAIMS),
            "sum": True,
        }
    )
    accounts = defaultdict(list)
    keys = sorted(
        set((current[1] if current else {}).keys()) | set((previous[1] if previous else {}).keys())
    )
    for key in keys:
        now = {a: (n, v) for a, n, v in (current[1].get(key, []) if current else [])}
        before = {a: (n, v) for a, n, v in (previous[1].get(key, []) if previous else [])}
        for account in sorted(set(now) | set(before)):
            name = (now.get(account) or before.get(account))[0]
            accounts[key].append(
                (
                    account,
                    name,
                    now[account][1] if account in now else (ZERO if current else None),
                    before[account][1] if account in before else (ZERO if previous else None),
                )
            )
    if current and result is not None and current[2] != -result and current[2] != 0:
        missing.append(
            _(
                "The closing balances hold a result not closed to equity of %(unclosed)s, "
                "not the resultaträkning's %(result)s: the difference is shown in equity."
            )
            % {
                "unclosed": formatting.mnkr(-current[2]),
                "result": formatting.mnkr(result),
            }
        )
    return {
        "columns": [_month_end(ledger.year, ledger.month), _month_end(ledger.year - 1, 12)],
        "lines": lines,
        "accounts": dict(accounts),
        "missing": missing,
        "balanced": bool(current) and side_total(current, ASSETS) == side_total(current, CLAIMS),
    }


def _month_end(year, month) -> str:
    return formatting.iso_date(dt.date(year, month, calendar.monthrange(year, month)[1]))


# --- kassaflödesanalys ----------------------------------------------------------------------


def _changes(ledger, year):
    """Per balance line, closing − opening in the statement's sign for ``year``, or None."""
    closing, opening = closing_balances(ledger, year), opening_balances(ledger, year)
    if closing is None or opening is None:
        return None
    after, _a, _u = _sheet(ledger, closing)
    before, _b, _v = _sheet(ledger, opening)
    return {key: after[key] - before[key] for key in after}, before, after


CASH_FLOW_ORDER = (
    ("operating_heading", None),
    ("result", False),
    ("depreciation", False),
    ("provisions", False),
    ("other_equity", False),
    ("inventories", False),
    ("receivables", False),
    ("short_term", False),
    ("operating", True),
    ("investing_heading", None),
    ("fixed_assets", False),
    ("financial_fixed", False),
    ("investing", True),
    ("financing_heading", None),
    ("long_term", False),
    ("financing", True),
    ("cash_flow", True),
    ("liquid_start", False),
    ("liquid_end", True),
)


def _cash_flow_labels():
    return {
        "operating_heading": _("Operating activities"),
        "result": _("The year's result"),
        "depreciation": _("Adjustment for depreciation"),
        "provisions": _("Adjustment for change in provisions"),
        "other_equity": _("Other changes in equity"),
        "inventories": _("Decrease (+) / increase (−) in inventories"),
        "receivables": _("Decrease (+) / increase (−) in receivables"),
        "short_term": _("Increase (+) / decrease (−) in current liabilities"),
        "operating": _("Cash flow from operating activities"),
        "investing_heading": _("Investing activities"),
        "fixed_assets": _("Net investment in intangible and tangible fixed assets"),
        "financial_fixed": _("Net investment in financial fixed assets"),
        "investing": _("Cash flow from investing activities"),
        "financing_heading": _("Financing activities"),
        "long_term": _("Change in long-term liabilities"),
        "financing": _("Cash flow from financing activities"),
        "cash_flow": _("The year's cash flow"),
        "liquid_start": _("Liquid funds at the start of the year"),
        "liquid_end": _("Liquid funds at the end of the year"),
    }


def _flow(ledger, year, rr_result, rr_depreciation):
    found = _changes(ledger, year)
    if found is None or rr_result is None:
        return None
    delta, before, after = found
    depreciation = -(rr_depreciation or ZERO)
    flow = {
        "result": rr_result,
        "depreciation": depreciation,
        "provisions": delta["provisions"],
        "other_equity": delta["equity"] - rr_result,
        "inventories": -delta["inventories"],
        "receivables": -delta["receivables"],
        "short_term": delta["short_term"],
        "fixed_assets": -(delta["intangible"] + delta["tangible"] + depreciation),
        "financial_fixed": -delta["financial_fixed"],
        "long_term": delta["long_term"],
        "liquid_start": sum((before[key] for key in LIQUID), ZERO),
        "liquid_end": sum((after[key] for key in LIQUID), ZERO),
    }
    flow["operating"] = sum(
        (
            flow[k]
            for k in (
                "result",
                "depreciation",
                "provisions",
                "other_equity",
                "inventories",
                "receivables",
                "short_term",
            )
        ),
        ZERO,
    )
    flow["investing"] = flow["fixed_assets"] + flow["financial_fixed"]
    flow["financing"] = flow["long_term"]
    flow["cash_flow"] = flow["operating"] + flow["investing"] + flow["financing"]
    return flow


def cash_flow(ledger: Ledger, rr: dict) -> dict:
    """Kassaflödesanalys (indirect method) for the year and the year before, from the
    resultaträkning and the change of each balance line between opening and closing
    balances. {"columns", "lines": [{key, label, current, previous, sum, heading}],
    "missing", "closes": whether the cash flow equals the change in liquid funds}."""
    labels = _cash_flow_labels()
    flows = {
        "current": _flow(ledger, ledger.year, line(rr, "result"), line(rr, "depreciation")),
        "previous": _flow(
            ledger,
            ledger.year - 1,
            line(rr, "result", "previous"),
            line(rr, "depreciation", "previous"),
        ),
    }
    missing = []
    for column, year in (("current", ledger.year), ("previous", ledger.year - 1)):
        if flows[column] is None:
            missing.append(
                _(
                    "The kassaflödesanalys for %(year)s cannot be computed from the ledger: it "
                    "needs the year's outcome and its opening and closing balances."
                )
                % {"year": year}
            )
    lines = []
    for key, total in CASH_FLOW_ORDER:
        if total is None:
            lines.append({"key": key, "label": labels[key], "heading": True})
            continue
        lines.append(
            {
                "key": key,
                "label": labels[key],
                "current": flows["current"][key] if flows["current"] else None,
                "previous": flows["previous"][key] if flows["previous"] else None,
                "sum": total,
            }
        )
    current = flows["current"]
    return {
        "columns": [str(ledger.year), str(ledger.year - 1)],
        "lines": lines,
        "missing": missing,
        "closes": bool(current)
        and current["liquid_start"] + current["cash_flow"] == current["liquid_end"],
    }


# --- nyckeltal, god ekonomisk hushållning, balanskrav ---------------------------------------


def _share(part, whole):
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1"))


def key_figures(rr: dict, br: dict | None = None, cf: dict | None = None) -> dict:
    """The financial key figures of specs/reports.md §5 for the year and the year before
    (per cent, one decimal), and what cannot be computed."""
    figures = []
    missing = []

    def taxes_and_grants(column):
        taxes, grants = line(rr, "taxes", column), line(rr, "grants", column)
        return None if taxes is None else taxes + (grants or ZERO)

    def result_share(column):
        return _share(line(rr, "result", column), taxes_and_grants(column))

    def cost_share(column):
        net, income = line(rr, "net_costs", column), line(rr, "financial_income", column)
        costs = line(rr, "financial_costs", column)
        if net is None:
            return None
        return _share(-(net + (income or ZERO) + (costs or ZERO)), taxes_and_grants(column))

    figures.append(
        {
            "key": "result_share",
            "label": _("The year's result as a share of taxes and general state grants"),
            "current": result_share("current"),
            "previous": result_share("previous"),
        }
    )
    figures.append(
        {
            "key": "cost_share",
            "label": _(
                "Net operating costs and net financial items as a share of taxes and grants"
            ),
            "current": cost_share("current"),
            "previous": cost_share("previous"),
        }
    )
    net_now, net_before = line(rr, "net_costs"), line(rr, "net_costs", "previous")
    taxes_now, taxes_before = taxes_and_grants("current"), taxes_and_grants("previous")
    figures.append(
        {
            "key": "net_cost_growth",
            "label": _("Change in net operating costs"),
            "current": _share(net_now - net_before, -net_before)
            if net_now is not None and net_before
            else None,
            "previous": None,
        }
    )
    figures.append(
        {
            "key": "tax_growth",
            "label": _("Change in taxes and general state grants"),
            "current": _share(taxes_now - taxes_before, taxes_before)
            if taxes_now is not None and taxes_before
            else None,
            "previous": None,
        }
    )
    if br is not None:
        equity = {c: line(br, "equity", c) for c in ("current", "previous")}
        assets = {c: line(br, "assets", c) for c in ("current", "previous")}
        figures.append(
            {
                "key": "solidity",
                "label": _("Equity ratio (equity as a share of total assets)"),
                "current": _share(equity["current"], assets["current"]),
                "previous": _share(equity["previous"], assets["previous"]),
            }
        )
        missing.append(
            _(
                "The equity ratio including pension commitments cannot be computed from the "
                "ledger: the pension commitments reported as a contingent liability are not "
                "in it."
            )
        )
    if cf is not None:

        def self_financing(column):
            flows = {row["key"]: row.get(column) for row in cf["lines"] if "current" in row}
            invested = flows.get("fixed_assets")
            if invested is None or flows.get("result") is None or not invested:
                return None
            return _share(flows["result"] + flows["depreciation"], -invested)

        figures.append(
            {
                "key": "self_financing",
                "label": _(
                    "Self-financing of investments ((result + depreciation) / net investments)"
                ),
                "current": self_financing("current"),
                "previous": self_financing("previous"),
            }
        )
    return {"figures": figures, "missing": missing}


def reserve_accounts(ledger: Ledger) -> list[str]:
    """The result equalisation reserve's accounts (RUR), found by their names."""
    return sorted(
        account
        for account, name in ledger.names.items()
        if account.startswith("20") and RESERVE_NAME in name.lower()
    )


def _reserve(ledger, year):
    """The reserve at the start and end of ``year`` (positive, as equity), or None."""
    accounts = reserve_accounts(ledger)
    closing, opening = closing_balances(ledger, year), opening_balances(ledger, year)
    if not accounts or closing is None or opening is None:
        return None
    return (
        -sum((opening.get(a, ZERO) for a in accounts), ZERO),
        -sum((closing.get(a, ZERO) for a in accounts), ZERO),
    )


def balance_requirement(ledger: Ledger, rr: dict) -> dict:
    """Balanskravsutredning for the year and the year before: the year's result, the
    adjustments the ledger can give, the result equalisation reserve (RUR) when an equity
    account named for it has balances, and the balanskravsresultat.

    Realised gains and unrealised gains and losses on securities are booked on accounts
    inside the account groups Styrning keeps outcome for, so they cannot be separated:
    they are named as missing and the result after adjustments assumes none."""
    rows = {"current": {}, "previous": {}}
    missing = [
        _(
            "Realised gains and unrealised gains and losses on securities cannot be computed "
            "from the ledger: Styrning keeps the outcome per account group, not per account. "
            "The result after adjustments assumes none."
        )
    ]
    reserve_found = False
    for column, year in (("current", ledger.year), ("previous", ledger.year - 1)):
        result = line(rr, "result", column)
        row = rows[column]
        row["result"] = result
        row["realised"] = None
        row["securities"] = None
        row["adjusted"] = result
        reserve = _reserve(ledger, year) if ledger.full_year else None
        if reserve is not None:
            reserve_found = True
            opening, closing = reserve
            row["reserve_in"] = -(closing - opening) if closing > opening else ZERO
            row["reserve_out"] = opening - closing if closing < opening else ZERO
            row["reserve"] = closing
        else:
            row["reserve_in"] = row["reserve_out"] = row["reserve"] = None
        row["outcome"] = (
            None
            if result is None
            else result + (row["reserve_in"] or ZERO) + (row["reserve_out"] or ZERO)
        )
    warnings = []
    allocated = -(rows["current"].get("reserve_in") or ZERO)
    taxes, grants = line(rr, "taxes", "current"), line(rr, "grants", "current")
    if allocated > 0 and taxes is not None and rows["current"]["adjusted"] is not None:
        # KL 11 kap. 14 §: only the part of the result above 1 % of skatteintäkter and
        # generella statsbidrag may be reserved (2 % with negative equity; not known here).
        allowed = max(rows["current"]["adjusted"] - (taxes + (grants or ZERO)) / 100, ZERO)
        if allocated > allowed:
            warnings.append(
                _(
                    "The allocation to the result equalisation reserve (%(allocated)s) is "
                    "larger than the part of the result above 1 %% of tax revenue and general "
                    "state grants (%(allowed)s), which is what may be reserved."
                )
                % {
                    "allocated": formatting.mnkr(allocated),
                    "allowed": formatting.mnkr(allowed),
                }
            )
    if not reserve_found:
        missing.append(
            _(
                "Allocations to and from the result equalisation reserve (RUR) cannot be "
                "computed from the ledger: no equity account named for the reserve has "
                "balances. The balance requirement result assumes none."
            )
        )
    missing.append(
        _("Deficits from earlier years still to be restored cannot be computed from the ledger.")
    )
    labels = {
        "result": _("The year's result"),
        "realised": _("Less all realised gains"),
        "securities": _("Unrealised gains and losses on securities"),
        "adjusted": _("The year's result after balance requirement adjustments"),
        "reserve_in": _("Less allocation to the result equalisation reserve"),
        "reserve_out": _("Plus use of the result equalisation reserve"),
        "outcome": _("Balance requirement result"),
    }
    return {
        "columns": [str(ledger.year), str(ledger.year - 1)],
        "lines": [
            {
                "key": key,
                "label": labels[key],
                "current": rows["current"][key],
                "previous": rows["previous"][key],
                "sum": key in ("adjusted", "outcome"),
            }
            for key in labels
        ],
        "reserve": rows["current"]["reserve"],
        "positive": rows["current"]["outcome"] is not None and rows["current"]["outcome"] >= 0,
        "warnings": warnings,
        "missing": missing,
    }
