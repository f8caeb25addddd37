"""The personnel table's unbound rows (a GET) are written without a form a row
(followup.personnel_forms.UnboundFigureRows): each is what an unbound FigureRowForm
writes, for every kind of value."""

from decimal import Decimal
from types import SimpleNamespace

from followup import rows
from followup.personnel_forms import FigureRowForm, UnboundFigureRows, UnboundRow


def test_an_unbound_row_is_the_forms_row():
    fast = UnboundFigureRows()
    values = [
        {},
        {"sick_leave": None, "employees": None},
        {
            "sick_leave": Decimal("4.50"),
            "sick_leave_women": Decimal("0"),
            "sick_leave_men": Decimal("12.25"),
            "employees": 1234,
            "full_time_equivalents": Decimal("1001.5"),
        },
        {"full_time_equivalents": Decimal("123456.75"), "employees": 0},
    ]
    for pk, initial in enumerate(values, start=7):
        unit = SimpleNamespace(pk=pk, name=f"Enhet <{pk}> & 'x'", mptt_level=2)
        form = FigureRowForm(None, unit=unit, initial=initial)
        mine = UnboundRow(fast.row(unit, initial))
        assert [str(f.html) for f in mine] == [str(b) for b in form]
        assert [(f.auto_id, str(f.label)) for f in mine] == [
            (b.auto_id, str(b.label)) for b in form
        ]
        table = [{"unit": unit, "figure": None, "form": form}]
        assert rows.personnel_table_rows(
            [{"unit": unit, "figure": None, "form": mine}]
        ) == rows.personnel_table_rows(table)
    assert 'value="1 234"' in fast.row(unit, values[2])[3].html.replace("\xa0", " ")
