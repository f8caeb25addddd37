"""The Swedish translation is complete: no empty or fuzzy entries in the committed .po."""

from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = text.split("\n\n")[1:]  # the first block is the header
    empty = [e for e in entries if e.strip() and e.rstrip().endswith('msgstr ""')]
    empty += [e for e in entries if 'msgstr[0] ""\n' in e + "\n" and e.rstrip().endswith('""')]
    assert not empty, "untranslated:\n" + "\n".join(empty[:5])
    assert PO.with_suffix(".mo").exists()
