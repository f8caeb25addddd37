"""The Python-rendered widgets give the HTML of Django's own widget templates."""

import re

import pytest
from django import forms

from styrning import widgets


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


CHOICES = [
    ("", "(välj)"),
    (1, "Kommunfullmäktige"),
    ("2", 'Nämnd "A" & <B>'),
    ("Grupp", [(3, "Åkarp"), (4, "Älvsby")]),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", 3, "x"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"required": True, "disabled": False, "aria-describedby": 'a "b"', "data-n": 5}],
)
def test_select_renders_as_djangos(value, attrs):
    django_widget = forms.Select(choices=CHOICES)
    ours = forms.Select(choices=CHOICES)
    widgets.speed_up(ours)
    assert type(ours) is widgets.Select
    expected = django_widget.render("unit", value, attrs=attrs)
    assert _same(ours.render("unit", value, attrs=attrs)) == _same(expected)


@pytest.mark.parametrize("cls", [forms.TextInput, forms.NumberInput])
@pytest.mark.parametrize("value", [None, "", 0, 1234.5, '"<&>"'])
@pytest.mark.parametrize("attrs", [None, {"id": "id_x", "required": True, "readonly": False}])
def test_inputs_render_as_djangos(cls, value, attrs):
    ours = cls(attrs={"inputmode": "decimal"})
    widgets.speed_up(ours)
    assert type(ours) is not cls
    expected = cls(attrs={"inputmode": "decimal"}).render("amount", value, attrs=attrs)
    assert _same(ours.render("amount", value, attrs=attrs)) == _same(expected)


def test_only_plain_widgets_are_swapped():
    class Special(forms.Select):
        pass

    widget = Special()
    widgets.speed_up(widget)
    assert type(widget) is Special
