"""Issue 14 item 2: the contacts sheet is recognised by its content, not only its name.

Before: only a sheet named exactly 連絡先 was left out of the annotated copy, so Excel's copy name
「連絡先 (2)」, a renamed 「連絡先（非公開）」 or 「Contacts」 went into the copy meant to be handed around;
``template upgrade`` crashed on a renamed one ("Table with name 連絡先表 already exists").
"""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from tests import hostile as H
from tests.ledger_builder import AS_OF, clean_spec, write_ledger

ADDRESS = "金沢市広坂1-1-1"
PHONE = "076-000-0000"
DAY = ("--as-of", AS_OF.isoformat())


def _with_contacts_named(tmp_path, title: str, *, second: str | None = None):
    ledger = write_ledger(tmp_path / "台帳.xlsx", clean_spec())
    wb = openpyxl.load_workbook(ledger)
    if second is not None:  # Excel's "move or copy": a second sheet holding the same addresses
        copy = wb.copy_worksheet(wb["連絡先"])
        copy.title = second
        for table in list(copy.tables):
            del copy.tables[table]
    wb["連絡先"].title = title
    wb.save(ledger)
    return ledger


def _text_of(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml"))


@pytest.mark.parametrize("title, second", [
    ("連絡先", "連絡先 (2)"),
    ("連絡先（非公開）", None),
    ("Contacts", None),
    ("名簿", None),  # any name: the 住所/電話/メール headers tell
])
def test_the_annotated_copy_leaves_out_the_contacts_however_named(title, second, tmp_path):
    ledger = _with_contacts_named(tmp_path, title, second=second)
    out = tmp_path / "チェック済み.xlsx"
    run = H.cli("validate", str(ledger), "--annotate", str(out), *DAY)
    assert run.code in (0, 1), run.stderr
    text = _text_of(out)
    assert ADDRESS not in text and PHONE not in text
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert title not in names and (second is None or second not in names)
    assert {"ケース", "面会記録", "チェック結果"} <= set(names)  # the record sheets stay


@pytest.mark.parametrize("title", ["連絡先（非公開）", "Contacts"])
def test_upgrade_carries_a_renamed_contacts_sheet_as_the_contacts(title, tmp_path):
    ledger = _with_contacts_named(tmp_path, title)
    out = tmp_path / "新台帳.xlsx"
    run = H.cli("template", "upgrade", str(ledger), "--out", str(out), *DAY)
    assert run.code == 0, run.stderr
    wb = openpyxl.load_workbook(out)
    assert title not in wb.sheetnames
    found = [ws.title for ws in wb.worksheets for row in ws.iter_rows(values_only=True) if ADDRESS in row]
    assert found == ["連絡先"]  # carried once, into the template's contacts sheet
