"""The financial statements as a report shows them: ``reports.statements``' figures as
Swedish text in tkr, in one table shape (``reports/_statement.html`` draws every one).

A table is {"id", "title", "caption", "columns", "rows": [{label, cells, sum, heading,
sub, note}], "notes": bool}; its figures come only from ``reports.statements``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports import statements
from styrning import formatting


def _amount(value) -> str:
    return formatting.in_tkr(value)


def _percent(value) -> str:
    return formatting.percent(value) if value is not None else formatting.EMPTY


def table(statement: dict, *, id: str, title: str, caption: str, fmt=_amount, notes=None):
    """A statement's lines as a table; ``notes`` maps line keys to note numbers."""
    notes = notes or {}
    rows = []
    for line in statement["lines"]:
        if line.get("heading"):
            rows.append({"label": str(line["label"]), "heading": True})
            continue
        rows.append(
            {
                "label": str(line["label"]),
                "cells": [fmt(line.get("current")), fmt(line.get("previous"))],
                "sum": bool(line.get("sum")),
                "sub": bool(line.get("sub")),
                "note": notes.get(line["key"], ""),
            }
        )
    return {
        "id": id,
        "title": title,
        "caption": caption,
        "columns": [str(c) for c in statement["columns"]],
        "rows": rows,
        "notes": bool(notes),
    }


def statements_part(municipality, year: int, month: int, *, annual: bool) -> dict:
    """The resultaträkning and balansräkning (with the kassaflödesanalys, the notes, the key
    figures and the balanskravsutredning in an årsredovisning) for January–``month`` of
    ``year``. Five queries (``statements.load_ledger``).

    Returns {"tables": [...], "missing": [...], "figures": {...}}: ``figures`` holds the
    raw results other parts of the report quote (the year's result, its share of taxes and
    grants, the balanskravsresultat).
    """
    ledger = statements.load_ledger(municipality, year, month)
    rr = statements.income_statement(ledger)
    result = statements.line(rr, "result")
    br = statements.balance_sheet(ledger, result if ledger.full_year else None)
    missing = [*rr["missing"], *br["missing"]]
    rr_notes, br_notes, note_tables = {}, {}, []
    if annual:
        number = 0
        for line in rr["lines"]:
            groups = rr["groups"].get(line["key"])
            if groups:
                number += 1
                rr_notes[line["key"]] = number
                note_tables.append(
                    {
                        "number": number,
                        "title": str(line["label"]),
                        "columns": rr["columns"],
                        "rows": [
                            {"label": name, "cells": [_amount(now), _amount(before)]}
                            for name, now, before in groups
                        ],
                    }
                )
        for line in br["lines"]:
            accounts = br["accounts"].get(line["key"])
            if accounts:
                number += 1
                br_notes[line["key"]] = number
                note_tables.append(
                    {
                        "number": number,
                        "title": str(line["label"]),
                        "columns": br["columns"],
                        "rows": [
                            {
                                "label": f"{account} {name}".strip(),
                                "cells": [_amount(now), _amount(before)],
                            }
                            for account, name, now, before in accounts
                        ],
                    }
                )
    unit = _("tkr")
    tables = [
        table(
            rr,
            id="resultatrakning",
            title=_("Income statement"),
            caption=_("Income statement of the municipality (%(unit)s)") % {"unit": unit},
            notes=rr_notes,
        ),
        table(
            br,
            id="balansrakning",
            title=_("Balance sheet"),
            caption=_("Balance sheet of the municipality (%(unit)s)") % {"unit": unit},
            notes=br_notes,
        ),
    ]
    figures = {
        "result": result,
        "result_previous": statements.line(rr, "result", "previous"),
        "balanced": br["balanced"],
    }
    extra = {}
    if annual:
        cf = statements.cash_flow(ledger, rr)
        missing += cf["missing"]
        tables.append(
            table(
                cf,
                id="kassaflodesanalys",
                title=_("Cash flow statement"),
                caption=_("Cash flow statement of the municipality (%(unit)s)") % {"unit": unit},
            )
        )
        keys = statements.key_figures(rr, br, cf)
        balance = statements.balance_requirement(ledger, rr)
        extra["key_figures"] = table(
            {"columns": rr["columns"], "lines": keys["figures"]},
            id="nyckeltal",
            title=_("Financial key figures"),
            caption=_("Financial key figures (per cent)"),
            fmt=_percent,
        )
        extra["key_figures_missing"] = keys["missing"]
        extra["balance_requirement"] = table(
            balance,
            id="balanskravsutredning",
            title=_("Balance requirement"),
            caption=_("Balance requirement reconciliation (%(unit)s)") % {"unit": unit},
        )
        # What the ledger shows against the rules first, then what it cannot give.
        extra["balance_requirement_missing"] = balance["warnings"] + balance["missing"]
        extra["notes"] = note_tables
        figures["share"] = next(f["current"] for f in keys["figures"] if f["key"] == "result_share")
        figures["balance_outcome"] = statements.line(balance, "outcome")
        figures["balance_positive"] = balance["positive"]
        figures["reserve"] = balance["reserve"]
        figures["solidity"] = next(
            (f["current"] for f in keys["figures"] if f["key"] == "solidity"), None
        )
        figures["cash_flow_closes"] = cf["closes"]
    return {"tables": tables, "missing": missing, "figures": figures, **extra}
