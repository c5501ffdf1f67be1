"""The JSON an Excel client sends to xlwings' remote engine, built from a workbook file, for tests.

xlwings' remote engine (``xw.Book(json=payload)``, xlwings/pro/_xlremote.py) runs the same Python
code as desktop Excel without Excel: reads come from the payload, every write becomes an entry of
``book.json()["actions"]``.  This builds the payload the way xlwings' Office Scripts client
(xlwings/js/xlwings.ts, ``runPython``) does, so the entry points see what they would see in Excel:

* ``book``: the workbook's name, the active sheet's index and the selection's address (``B5``);
* ``names``: the workbook's defined names that refer to a range (the client skips constants and
  formulas such as ``xlsbridge_template_version`` or the OFFSET of ``支援員一覧``), address without
  the sheet (``$I:$I``);
* ``sheets``: for every sheet, in order, its values from A1 to the last used cell (the contacts
  sheet too: the client sends every sheet), its tables, no pictures.

Values are what Office.js' ``Range.values`` gives: an empty cell is ``""``, numbers and booleans stay,
and a cell whose number format is a date or time — Office.js returns the serial number — is turned by
the client into an ISO string, ``new Date(Math.round((serial - 25569) * 86400000)).toISOString()``:
2025-06-14 is ``"2025-06-14T00:00:00.000Z"``, 14:00 is ``"1899-12-30T14:00:00.000Z"`` (serial 0.583…),
a 60:40 duration is ``"1900-01-01T12:40:00.000Z"``.  The remote engine turns such strings back into
datetimes (``_xlremote.datetime_regex``).  The payload goes through ``json.dumps``/``json.loads`` like
a real request.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw
from openpyxl.utils import get_column_letter

EXCEL_DAY_ZERO = datetime(1899, 12, 30)
CLIENT = "Microsoft Office Scripts"


def client_value(value: Any) -> Any:
    """One cell's value as the Office Scripts client puts it in the payload."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return client_value(datetime(value.year, value.month, value.day))
    if isinstance(value, time):
        return client_value(datetime.combine(EXCEL_DAY_ZERO.date(), value))
    if isinstance(value, timedelta):
        return client_value(EXCEL_DAY_ZERO + value)
    return value


def _used_values(ws) -> list[list[Any]]:
    rows = [[client_value(v) for v in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row,
                                                                       max_col=ws.max_column, values_only=True)]
    return rows or [[""]]


def _tables(ws) -> list[dict[str, Any]]:
    out = []
    for table in ws.tables.values():
        first, last = table.ref.split(":")
        head_row = int(re.sub(r"\D", "", first))
        col_first, col_last = re.sub(r"\d", "", first), re.sub(r"\d", "", last)
        last_row = int(re.sub(r"\D", "", last))
        out.append({
            "name": table.displayName,
            "range_address": table.ref,
            "header_row_range_address": f"{col_first}{head_row}:{col_last}{head_row}",
            "data_body_range_address": f"{col_first}{head_row + 1}:{col_last}{last_row}",
            "total_row_range_address": None,
            "show_headers": True,
            "show_totals": False,
            "table_style": table.tableStyleInfo.name if table.tableStyleInfo else None,
            "show_autofilter": True,
        })
    return out


_RANGE_NAME = re.compile(r"'?(?P<sheet>(?:[^']|'')+?)'?!(?P<address>\$?[A-Z]{1,3}(?:\$?\d+)?(?::\$?[A-Z]{1,3}(?:\$?\d+)?)?)")


def _names(wb) -> list[dict[str, Any]]:
    out = []
    for name, defined in wb.defined_names.items():
        m = _RANGE_NAME.fullmatch(defined.attr_text or "")
        if m is None:  # a constant or a formula: the client sends range names only
            continue
        sheet = m.group("sheet").replace("''", "'")
        if sheet not in wb.sheetnames:
            continue
        out.append({"name": name, "sheet_index": wb.sheetnames.index(sheet), "address": m.group("address"),
                    "scope_sheet_name": None, "scope_sheet_index": None, "book_scope": True})
    return out


LITE_CLIENT = "Office.js"


def build_payload(wb, *, name: str = "案件台帳.xlsx", active: str | None = None, selection: str | None = "A1",
                  rename: dict[str, str] | None = None, drop: tuple[str, ...] = (), client: str = CLIENT,
                  exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The payload for an openpyxl workbook; ``rename`` renames tabs (e.g. a stray space), ``drop``
    leaves sheets out (as if staff deleted them).

    ``client=LITE_CLIENT`` builds what xlwings Lite's Office.js client sends: each sheet also says
    whether it shows gridlines and lists its pivot tables, and the sheets a script excludes
    (``@script(exclude=...)``) come without their values."""
    rename = rename or {}
    sheets = []
    for ws in wb.worksheets:
        if ws.title in drop:
            continue
        sheet = {"name": rename.get(ws.title, ws.title), "values": [[""]] if ws.title in exclude else _used_values(ws),
                 "pictures": [], "tables": [] if ws.title in exclude else _tables(ws)}
        if client == LITE_CLIENT:
            sheet.update({"show_gridlines": ws.sheet_view.showGridLines is not False, "pivot_tables": [],
                          "print_area": None})
        sheets.append(sheet)
    titles = [s["name"] for s in sheets]
    active_title = rename.get(active, active) if active else titles[0]
    names = [n for n in _names(wb) if wb.sheetnames[n["sheet_index"]] not in drop]
    for n in names:
        n["sheet_index"] = titles.index(rename.get(wb.sheetnames[n["sheet_index"]], wb.sheetnames[n["sheet_index"]]))
    payload = {
        "client": client,
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": titles.index(active_title), "selection": selection},
        "names": names,
        "sheets": sheets,
    }
    return json.loads(json.dumps(payload, ensure_ascii=False))


def load(path_or_bytes: Path | bytes):
    """The workbook as a file reader sees it (number formats decide which cells are dates)."""
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else Path(path_or_bytes)
    return openpyxl.load_workbook(source)


def remote_book(wb, **kwargs) -> xw.Book:
    """``xw.Book(json=...)`` for the workbook (needs XLWINGS_LICENSE_KEY, e.g. ``noncommercial``)."""
    return xw.Book(json=build_payload(wb, **kwargs))


def actions(book) -> list[dict[str, Any]]:
    return book.json()["actions"]


def cell_address(row: int, column: int) -> str:
    """(1-based row, 1-based column) → ``B5``."""
    return f"{get_column_letter(column)}{row}"
