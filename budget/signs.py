"""The one place where signs are converted.

Amounts are stored as the ledger has them: debit +, credit −. So a cost is
positive and a revenue negative, and a nämnd's net cost (its frame, "ram
450 000 tkr") is a positive ledger amount.

Tables follow Swedish practice (RKR R14): intäkter +, kostnader −, and
avvikelse = utfall (or prognos) − budget in those terms, so a positive
avvikelse is always better than budget. Every page, export and report goes
through these functions.
"""

from decimal import Decimal

ZERO = Decimal("0")


def to_table(ledger_amount):
    """Ledger sign → table sign (intäkter +, kostnader −)."""
    if ledger_amount is None:
        return None
    return -Decimal(ledger_amount)


def net_cost(ledger_amount):
    """Ledger sign → net cost as people say it (positive = it costs)."""
    if ledger_amount is None:
        return None
    return Decimal(ledger_amount)


def deviation(actual_ledger, budget_ledger):
    """Avvikelse in table sign: utfall − budget with intäkter +, kostnader −.

    Positive is better than budget: spending less, or earning more.
    """
    if actual_ledger is None or budget_ledger is None:
        return None
    return to_table(actual_ledger) - to_table(budget_ledger)


def percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1"))
