"""The one place where signs are converted.

Amounts are stored as the ledger has them: debit +, credit −. So a cost is
positive and a revenue negative, and a nämnd's net cost (its frame, "ram
450 000 tkr") is a positive ledger amount.

Tables follow Swedish practice (RKR R14): intäkter +, kostnader −, and
avvikelse = utfall (or prognos) − budget in those terms, so a positive
avvikelse is always better than budget. Every page, export and report goes
through these functions.

A nämnd's frame (its ram, kommunbidrag) is money it receives to spend: in the
frame columns of a table it is positive, and so is a budget change that gives
it more (``frame_to_table``). Its net cost stays negative beside it, and
ram + nettokostnad is the avvikelse.

Forms speak the tables' language: amounts are entered in tkr and table sign and
converted back with ``from_table`` / ``from_tkr``.
"""

from decimal import Decimal

ZERO = Decimal("0")


def to_table(ledger_amount):
    """Ledger sign → table sign (intäkter +, kostnader −)."""
    if ledger_amount is None:
        return None
    return -Decimal(ledger_amount)


def from_table(table_amount):
    """Table sign → ledger sign (the inverse of ``to_table``)."""
    if table_amount is None:
        return None
    return -Decimal(table_amount)


def frame_to_table(ledger_amount):
    """A frame or a change of it, ledger sign → the frame columns: more to spend is +."""
    if ledger_amount is None:
        return None
    return Decimal(ledger_amount)


THOUSAND = Decimal(1000)


def to_tkr(kronor):
    """Kronor → tkr, unrounded (forms show what they save)."""
    if kronor is None:
        return None
    return Decimal(kronor) / THOUSAND


def from_tkr(tkr):
    """tkr → kronor, to the öre."""
    if tkr is None:
        return None
    return (Decimal(tkr) * THOUSAND).quantize(Decimal("0.01"))


def table_tkr(ledger_amount):
    """Ledger sign in kronor → what a form field shows: table sign in tkr."""
    return to_tkr(to_table(ledger_amount))


def ledger_from_table_tkr(table_tkr_amount):
    """What a form field holds (table sign, tkr) → ledger sign in kronor."""
    return from_table(from_tkr(table_tkr_amount))


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
