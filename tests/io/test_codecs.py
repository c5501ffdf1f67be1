"""io/codecs: one reading of each kind of cell for the ledger reader, the settings sheets and the template.

The true/false words are one set: ●/◎/済/✓ (once the ledger's) and する/対象 (once the settings
sheets') now read the same in both, and the template's drop-downs offer only words both read.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from xlsbridge.domain.layout import RECORD_SHEETS
from xlsbridge.domain.text import clean, fold
from xlsbridge.io import codecs
from xlsbridge.io.reader_cells import _bool as ledger_bool
from xlsbridge.io.reader_cells import _CellError
from xlsbridge.io.settings_sheet_cells import BOOL, _Bad, _int
from xlsbridge.io.settings_toml import check_settings_text
from xlsbridge.io.workbook_io import workbook_bytes
from xlsbridge.samples.workbooks import template_workbook


@pytest.mark.parametrize("typed", ["○", "●", "◎", "済", "✓", "する", "対象", "はい", "ＴＲＵＥ", " yes ", "1", "有り"])
def test_true_words_read_alike_in_the_ledger_and_the_settings_sheets(typed):
    assert ledger_bool(typed) is True
    assert BOOL.read(typed) is True


@pytest.mark.parametrize("typed", ["×", "✕", "いいえ", "false", "0", "無し", "しない", "対象外", "ー", "-", "Ｎ"])
def test_false_words_read_alike_in_the_ledger_and_the_settings_sheets(typed):
    assert ledger_bool(typed) is False
    assert BOOL.read(typed) is False


def test_an_unknown_word_is_refused_by_both():
    with pytest.raises(_CellError):
        ledger_bool("たぶん")
    with pytest.raises(_Bad):
        BOOL.read("たぶん")


def test_the_template_drop_downs_offer_only_words_the_codecs_read():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(template_workbook())))
    bool_columns = 0
    for layout in RECORD_SHEETS:
        ws = book[layout.name]
        formulas = {openpyxl.utils.get_column_letter(r.min_col): dv.formula1
                    for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
        for c, col in enumerate(layout.columns):
            if col.kind == "bool" and not col.computed:
                words = formulas[openpyxl.utils.get_column_letter(c + 1)].strip('"').split(",")
                assert tuple(words) == codecs.BOOL_CHOICES
                assert [codecs.read_bool(w) for w in words] == [True, False]
                bool_columns += 1
    assert bool_columns >= 5  # 父/母賛助会員, 国の事業, 児童扶養手当, 延長事前相談, 在籍
    assert [BOOL.write(v) for v in (True, False)] == list(codecs.BOOL_CHOICES)


@pytest.mark.parametrize("typed, expected", [
    ("1,000円", 1000), ("１０００円", 1000), ("¥500", 500), ("30分間", 30), ("2人", 2), ("−5", -5), (12.0, 12),
])
def test_whole_numbers_read_alike_in_the_ledger_and_the_settings_sheets(typed, expected):
    assert codecs.read_whole_number(typed, codecs.LEDGER_UNITS) == expected
    assert _int(typed) == expected


def test_units_belong_to_their_kind():
    assert codecs.read_whole_number("3日前", ("days",)) == 3
    with pytest.raises(codecs.Unreadable):
        codecs.read_whole_number("3日前", codecs.LEDGER_UNITS)  # a ledger number column has no days
    with pytest.raises(codecs.Unreadable) as err:
        codecs.read_whole_number(2.5)
    assert err.value.reason == "fraction"
    with pytest.raises(codecs.Unreadable):
        codecs.read_whole_number(10**13)  # a typing slip, not an amount


def test_dates_outside_the_years_a_ledger_holds_are_refused():
    assert codecs.read_date("令和7年4月1日") == date(2025, 4, 1)
    with pytest.raises(codecs.Unreadable):
        codecs.read_date("2999/1/1")
    with pytest.raises(codecs.Unreadable) as err:
        codecs.read_date(True)
    assert err.value.reason == "not-a-date"


def test_model_errors_translated_once_with_each_mediums_wording():
    err = {"type": "greater_than_equal", "msg": "x", "ctx": {"ge": 0}, "loc": ("a",)}
    assert codecs.explain_model_error(err) == ("0 以上にしてください", "must be at least 0")
    missing = {"type": "missing", "msg": "Field required", "loc": ("a",)}
    assert codecs.explain_model_error(missing, {"missing": ("入力してください", "fill it in")})[0] == "入力してください"
    # the settings file words it its own way, through the same function
    _, problems = check_settings_text('schema_version = "x"\n', "org.toml")
    assert problems and all(p.ja for p in problems)


def test_text_folding():
    assert fold("　Ｃ－００１ ") == "C-001" and fold(None) == ""
    assert clean(" 山田　花子 ") == "山田 花子"
