"""Reading the case ledger workbook into the domain model, with a cell address for every field.

``read_ledger(path)`` reads the record sheets (ケース, 子ども, 面会記録, 支援員) and the settings
sheets, and returns a :class:`LedgerRead`: the :class:`~xlsbridge.domain.ledger.Ledger`, a finding for
every cell it could not read (never an exception), and a :class:`CellResolver` that turns
(sheet, row, field) into ``面会記録!F12``.

How it reads
  * The file is read into memory once and closed: the ledger is never modified, and no handle stays
    open that could lock it while staff work in Excel.  A password-protected workbook is decrypted in
    memory (msoffcrypto-tool) when the password is given.
  * Values come from python-calamine (fast; tests/benchmarks/bench_reader.py measures it against openpyxl
    read-only on a 50,000-row 面会記録: 0.8 s vs 5.6 s).  openpyxl (read-only) is used only where
    needed: a file calamine cannot parse, or formula/error cells written without a cell reference.
  * calamine returns values, not formulas, and an empty string for an error cell.  Formulas and error
    values are found by scanning each sheet's XML for ``<f>`` elements and ``t="e"`` cells: a byte
    search that costs next to nothing when there are none, and visits only those cells when there are.
    A formula's cached result is read (and flagged ``cell-formula``); ``#N/A`` etc. are ``cell-error-value``.
  * Columns are found by header text in row 1 (NFKC-folded, spaces removed, layout aliases), so
    staff may reorder columns and add their own.  Fully blank rows are skipped.
  * The 連絡先 (contacts) sheet is never read: addresses, phones and e-mails do not enter the model.
"""

from __future__ import annotations

import difflib
import html
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..domain.findings import Finding, Location
from ..domain.ledger import Case, Child, Ledger, StaffMember, Visit
from ..domain.money import Ratio
from ..domain.rules import sort_key
from ..domain.text import clean, fold
from ..domain.settings import Settings
from ..errors import WorkbookUnusable
from .codecs import (
    BOOL_WORDS_JA,
    LEDGER_UNITS,
    Unreadable,
    read_bool,
    read_date,
    read_datetime,
    read_time,
    read_whole_number,
)
from .xlsx.cells import column_letter
from .xlsx.cells import column_offset as _column_index
from .xlsx.guard import _quote, clip_merges
from .xlsx.package import Package, load_workbook_bytes
from ..domain.layout import (
    AREAS_SHEET,
    CASES,
    CHILDREN,
    SETTINGS_SHEET,
    STAFF,
    TEMPLATE_VERSION_NAME,
    VISITS,
    Column,
    SheetLayout,
)
from .settings_sheet import read_settings_sheets
from .template_version import recorded_version

# The sheets the reader needs, in workbook order.  連絡先 is deliberately absent (privacy).
READ_SHEETS: tuple[SheetLayout, ...] = (CASES, CHILDREN, VISITS, STAFF)
_MODELS = {CASES.name: Case, CHILDREN.name: Child, VISITS.name: Visit, STAFF.name: StaffMember}
# Optional columns whose absence is normal (older ledgers do not record payments).
_MAY_BE_ABSENT = frozenset({(VISITS.name, "father_paid"), (VISITS.name, "mother_paid")})
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})



# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellResolver:
    """(sheet, row, field key) → the cell, in the workbook as staff arranged it.

    ``sheet`` is the layout's sheet name (``面会記録``); ``titles`` maps it to the tab's actual title
    when it was found under an alias or with stray spaces.  ``columns`` maps field keys to 0-based
    column indexes, ``headers`` to the header text found in row 1.
    """

    titles: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def title(self, sheet: str) -> str:
        return self.titles.get(sheet, sheet)

    def column(self, sheet: str, key: str | None) -> int | None:
        if key is None:
            return None
        return self.columns.get(sheet, {}).get(key)

    def header(self, sheet: str, key: str | None) -> str | None:
        return self.headers.get(sheet, {}).get(key or "")

    def cell(self, sheet: str, row: int | None, key: str | None) -> str | None:
        """``"F12"``, or None when the row or the column is not known."""
        col = self.column(sheet, key)
        if row is None or col is None:
            return None
        return f"{column_letter(col)}{row}"

    def address(self, sheet: str, row: int | None, key: str | None) -> str | None:
        """``"面会記録!F12"``."""
        cell = self.cell(sheet, row, key)
        return f"{self.title(sheet)}!{cell}" if cell else None

    def locate(self, loc: Location) -> Location:
        """The location with its cell filled in (kept when the reader already set it)."""
        if loc.cell:
            return loc
        return Location(loc.sheet, loc.row, loc.field, self.cell(loc.sheet, loc.row, loc.field))


@dataclass(frozen=True)
class LedgerRead:
    ledger: Ledger
    findings: tuple[Finding, ...]
    cells: CellResolver
    # (sheet, row, field) of cells whose value could not be used (unreadable, error, merged away):
    # what a rule says about such a cell being empty is the reader's finding already.
    unread: frozenset[tuple[str, int, str]] = frozenset()
    sheet_names: tuple[str, ...] = ()


_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?=[\s>/])")
_FORMULA_TEXT = re.compile(rb"[^>]*?(?:/>|>([^<]*)<)")  # used with .match at the <f tag's end
_ERROR_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s")
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")


@dataclass
class _Marks:
    """Formula and error cells of one sheet, by (excel row, 0-based column)."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    complete: bool = True  # False: a formula or error cell had no r="…"; openpyxl places them instead


def _scan_marks(xml: bytes) -> _Marks:
    """Find formula and error cells with byte searches (nothing to do in a sheet that has none)."""
    marks = _Marks()
    for m in _FORMULA.finditer(xml):
        ref = _cell_ref_before(xml, m.start())
        if ref is None:
            marks.complete = False
            continue
        text = _FORMULA_TEXT.match(xml, m.end())
        formula = html.unescape(text.group(1).decode("utf-8", "replace")) if text and text.group(1) else ""
        marks.formulas[ref] = f"={formula}" if formula else "=…"
    pos = xml.find(b't="e"')
    while pos != -1:
        start = xml.rfind(b"<", 0, pos)
        if _CELL_TAG.match(xml, start):
            ref_match = _REF.search(xml, start, pos)
            if ref_match is None:
                marks.complete = False
            else:
                ref = (int(ref_match.group(2)), _column_index(ref_match.group(1).decode()))
                marks.errors[ref] = _error_text(xml, pos)
        pos = xml.find(b't="e"', pos + 5)
    return marks


def _error_text(xml: bytes, pos: int) -> str:
    """The cached error (``#N/A``…) of the <c t="e"> whose start tag contains ``pos``."""
    tag_end = xml.find(b">", pos)
    if tag_end == -1 or xml[tag_end - 1:tag_end] == b"/":
        return "#N/A"  # an error cell without its cached text
    close = _CELL_END.search(xml, tag_end)
    value = _ERROR_VALUE.search(xml, tag_end, close.start() if close else len(xml))
    return value.group(1).decode("utf-8", "replace") if value else "#N/A"


def _cell_ref_before(xml: bytes, pos: int) -> tuple[int, int] | None:
    """The r="B7" of the <c> element an <f> at ``pos`` belongs to."""
    start = xml.rfind(b"<", 0, pos)
    while start != -1 and not _CELL_TAG.match(xml, start):
        start = xml.rfind(b"<", 0, start)
        if pos - start > 4096:
            return None
    if start == -1:
        return None
    end = xml.find(b">", start)
    m = _REF.search(xml, start, end + 1)
    if m is None:
        return None
    return int(m.group(2)), _column_index(m.group(1).decode())


# --------------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------------

class _CellError(Exception):
    def __init__(self, code: str, value: Any, **params: Any):
        self.code = code
        self.value = value
        self.params = params


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Any) -> str:
    """A cell value as text for a finding: 45 not 45.0, dates as ISO, times as 14:00."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if value.second == 0 else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value).strip()


def _identifier(value: Any) -> str:
    # "Ｃ－００１ " and "C-001" are the same ID.
    text = value.strip() if value.__class__ is str else display(value)  # display(str) is str.strip()
    return clean(text)


def _shown(value: Any) -> str:
    """A cell's value as a finding shows it, cut short (a 32,000-character cell is not repeated)."""
    text = display(value) if not isinstance(value, int) or abs(value) < 10**30 else f"{str(value)[:20]}…"
    return text if len(text) <= 60 else text[:59] + "…"


def _integer(example: str, kinds: tuple[str, ...]) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        try:
            return read_whole_number(value, kinds)
        except Unreadable:
            raise _CellError("cell-not-a-number", display(value) if isinstance(value, bool) else _shown(value),
                             example=example) from None

    return read


def _date(value: Any) -> date:
    try:
        return read_date(value)
    except Unreadable as exc:
        if exc.reason == "no-such-day":  # 2025-02-30: say the day does not exist, not how to write dates
            raise _CellError("cell-impossible-date", _shown(value)) from None
        raise _CellError("cell-unreadable-date", display(value) if exc.reason == "not-a-date" else _shown(value)) from None


def _time(value: Any) -> time:
    try:
        return read_time(value)
    except Unreadable:
        raise _CellError("cell-unreadable-time", display(value)) from None


def _datetime(value: Any) -> datetime:
    try:
        return read_datetime(value)
    except Unreadable as exc:
        if exc.reason == "no-such-day":
            raise _CellError("cell-impossible-date", _shown(value)) from None
        raise _CellError("cell-unreadable-datetime",
                         display(value) if exc.reason == "not-a-datetime" else _shown(value)) from None


def _bool(value: Any) -> bool:
    try:
        return read_bool(value)
    except Unreadable:
        raise _CellError("cell-unknown-choice", display(value), known=BOOL_WORDS_JA) from None


def _ratio(value: Any) -> Ratio:
    # Excel turns "1:1" or "2:1" typed into a cell not formatted as text into the time 1:01 / 2:01,
    # and "60:40" into a duration: read them back as the ratio that was typed.
    if isinstance(value, time) and value.second == 0 and not isinstance(value, datetime):
        value = f"{value.hour}:{value.minute}"
    elif isinstance(value, timedelta) and value.total_seconds() % 60 == 0 and value >= timedelta(0):
        minutes = int(value.total_seconds() // 60)
        value = f"{minutes // 60}:{minutes % 60}"
    try:
        return Ratio.parse(value)
    except ValueError:  # RatioError, or the model refusing 0:0
        raise _CellError("ratio-invalid", display(value)) from None


def _choice(column: Column, extra: Mapping[str, str] = {}, passthrough: bool = False) -> Callable[[Any], str]:
    table = {fold(label): value for label, value in column.choices.items()}
    table.update({fold(value): value for value in column.choices.values()})
    table.update({fold(label): value for label, value in extra.items()})
    known = "、".join(column.choices)

    def read(value: Any) -> str:
        text = display(value)
        hit = table.get(fold(text)) or table.get(fold(text).lower())
        if hit is not None:
            return hit
        if passthrough:
            return clean(text)
        raise _CellError("cell-unknown-choice", text, header=column.header, known=known)

    return read


def _support_type_labels(settings: Settings) -> dict[str, str]:
    """Every way a support type may be written: label, label without 型, key, English label."""
    labels: dict[str, str] = {}
    for schedule in settings.schedules:
        for st in schedule.support_types:
            for label in (st.label_ja, st.label_ja.removesuffix("型"), st.key, st.label_en, st.label_en.lower()):
                labels.setdefault(label, st.key)
    return labels


def _support_type_reader(column: Column, settings: Settings) -> Callable[[Any], str]:
    """A support type as written (付き添い型, 付添い, accompanied …) read as the settings' key; an
    unknown one goes through, the fee rules name the schedule's types."""
    from ..domain.support_types import resolve_support_type

    labels = _choice(column, _support_type_labels(settings), passthrough=True)

    def read(value: Any) -> str:
        text = labels(value)
        return resolve_support_type(text, settings) or text

    return read


def _reader(column: Column, settings: Settings) -> Callable[[Any], Any]:
    kind = column.kind
    if kind == "date":
        return _date
    if kind == "time":
        return _time
    if kind == "datetime":
        return _datetime
    if kind == "int":
        return _integer("2" if column.key == "children" else "30" if "minutes" in column.key else "1", LEDGER_UNITS)
    if kind == "yen":
        return _integer("1000", LEDGER_UNITS)
    if kind == "bool":
        return _bool
    if kind == "ratio":
        return _ratio
    if kind == "choice":
        if column.key == "support_type":
            # Types are settings data: an unknown one goes through, the fee rules name the schedule's types.
            return _support_type_reader(column, settings)
        return _choice(column)
    if column.key.endswith("_id"):
        return _identifier
    return display


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------

def _check_is_ledger(titles: list[str]) -> None:
    """A workbook holding none of the ledger's sheets is not a ledger: say so, rather than ask for
    one missing sheet back."""
    ledger_names = {fold(n) for layout in READ_SHEETS for n in (layout.name, *layout.aliases)}
    if not any(fold(title) in ledger_names for title in titles):
        names = "、".join(layout.name for layout in READ_SHEETS)
        raise WorkbookUnusable(
            f"このブックは案件台帳ではありません（{names} のシートがひとつもありません）。台帳のファイルを指定してください",
            f"this workbook is not a case ledger (it has none of the sheets {', '.join(l.name for l in READ_SHEETS)}); "
            "give the ledger file",
        )


def _find_sheet(layout: SheetLayout, titles: list[str]) -> str:
    wanted = {fold(n) for n in (layout.name, *layout.aliases)}
    if layout.name in titles:
        return layout.name
    for title in titles:
        if fold(title) in wanted:
            return title
    others = [t for t in titles if fold(t) not in {fold(s.name) for s in READ_SHEETS}]
    guess = difflib.get_close_matches(layout.name, others, n=1, cutoff=0.3)
    shown = [_quote(t) for t in titles[:20]] + (["…"] if len(titles) > 20 else [])
    found = "、".join(f"「{t}」" if t != "…" else t for t in shown) or "（なし）"
    found_en = ", ".join(f"'{t}'" if t != "…" else t for t in shown) or "(none)"
    guess = [_quote(g) for g in guess]
    hint_ja = f"「{guess[0]}」の名前を「{layout.name}」に戻してください" if guess else f"「{layout.name}」シートを元に戻してください"
    hint_en = f"rename '{guess[0]}' back to '{layout.name}'" if guess else f"restore the '{layout.name}' sheet"
    raise WorkbookUnusable(
        f"シート「{layout.name}」がありません（あるシート: {found}）。{hint_ja}",
        f"sheet '{layout.name}' is missing (sheets found: {found_en}); {hint_en}",
    )


@dataclass
class _SheetMap:
    columns: dict[str, int]  # field key -> 0-based column
    headers: dict[str, str]  # field key -> header text as found
    findings: list[Finding]


def _map_headers(layout: SheetLayout, header_row: list[Any]) -> _SheetMap:
    found: dict[str, int] = {}
    texts: dict[int, str] = {}
    duplicates: list[tuple[str, int]] = []
    for j, value in enumerate(header_row):
        if _blank(value):
            continue
        text = display(value)
        texts[j] = text
        key = fold(text)
        if key in found:
            duplicates.append((key, j))
        else:
            found[key] = j
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    findings: list[Finding] = []
    for col in layout.columns:
        j = next((found[fold(h)] for h in (col.header, *col.aliases) if fold(h) in found), None)
        if j is not None:
            columns[col.key] = j
            headers[col.key] = texts[j]
            continue
        if col.computed or (layout.name, col.key) in _MAY_BE_ABSENT:
            continue
        if col.required:
            used = set(columns.values())
            close = _header_hint(col, [(j, texts[j]) for j in sorted(texts)[:_HINT_CANDIDATES] if j not in used])
            if close is not None:
                hint_ja = f"いちばん近い見出し: 「{close[1]}」（{column_letter(close[0])}1）"
                hint_en = f"closest header: '{close[1]}' ({column_letter(close[0])}1)"
            elif texts:
                hint_ja = "1行目に近い見出しがありません。見出しの行を消していないか確認してください"
                hint_en = "no header in row 1 comes close; check that the header row was not deleted"
            else:
                hint_ja, hint_en = "1行目に見出しがありません", "row 1 has no headers"
            raise WorkbookUnusable(
                f"シート「{layout.name}」に必須の列「{col.header}」がありません（{hint_ja}）。1行目の見出しを「{col.header}」にしてください",
                f"sheet '{layout.name}' has no required column '{col.header}' ({hint_en}); "
                f"head the column '{col.header}' in row 1",
            )
        findings.append(Finding("column-missing", Location(layout.name, 1, None), None, {"header": col.header}))
    by_index = {j: key for key, j in columns.items()}
    for key, j in duplicates:
        first = found[key]
        if first in by_index:
            findings.append(Finding("header-duplicate", Location(layout.name, 1, by_index[first], f"{column_letter(j)}1"),
                                    column_letter(j), {"header": texts[j], "first": column_letter(first)}))
    return _SheetMap(columns, headers, findings)


_HINT_CANDIDATES = 200  # header cells compared for the hint (a sheet may have 16,384)
_HINT_LENGTH = 24  # characters of a header a hint may quote


def _header_hint(col: Column, candidates: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The row-1 text that looks like a misspelling of ``col``'s header: only a close match is
    quoted (ratio 0.6 or more to the header or an alias, and short), so a person's name left in row 1
    after the header row was deleted never appears in the message."""
    best: tuple[float, int, str] | None = None
    for j, text in candidates:
        if len(text) > _HINT_LENGTH:
            continue
        for word in (col.header, *col.aliases):
            ratio = difflib.SequenceMatcher(None, fold(word), fold(text)).ratio()
            if ratio >= 0.6 and (best is None or ratio > best[0]):
                best = (ratio, j, text)
    return (best[1], best[2]) if best else None


@dataclass
class _SheetResult:
    records: list[Any]
    findings: list[Finding]
    unread: set[tuple[str, int, str]]


def _read_records(layout: SheetLayout, rows: list[list[Any]], mapping: _SheetMap, marks: _Marks,
                  merged: list[tuple[tuple[int, int], tuple[int, int]]], settings: Settings) -> _SheetResult:
    sheet = layout.name
    model = _MODELS[sheet]
    findings: list[Finding] = list(mapping.findings)
    unread: set[tuple[str, int, str]] = set()
    plan = [(mapping.columns[c.key], c.key, _reader(c, settings)) for c in layout.input_columns
            if c.key in mapping.columns]
    key_of = {j: key for j, key, _ in plan}

    # Merged ranges touching an input column: report once, at the top-left; the rest is unread.
    # Cut to the rows that hold data first: a range down to row 1,048,576 covers no more than those.
    for (r0, c0), (r1, c1) in clip_merges(merged, len(rows), "", sheet):
        cols = [j for j in range(c0, c1 + 1) if j in key_of]
        if not cols:
            continue
        ref = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        findings.append(Finding("merged-cell", Location(sheet, r0 + 1, key_of.get(c0, key_of[cols[0]]),
                                                        f"{column_letter(c0)}{r0 + 1}"), ref))
        for r in range(r0, r1 + 1):
            for j in cols:
                unread.add((sheet, r + 1, key_of[j]))

    errors = {(r, j): v for (r, j), v in marks.errors.items() if j in key_of and r >= 2}
    formulas = {(r, j): v for (r, j), v in marks.formulas.items() if j in key_of and r >= 2}
    marked_rows = {r for r, _ in errors} | {r for r, _ in formulas}

    id_key = "visit_id" if sheet == VISITS.name else "case_id" if "case_id" in key_of.values() else None
    nested = any("." in key for _, key, _ in plan)
    validate = model.model_validate
    keys = [key for _, key, _ in plan]
    # Column by column, each distinct value is converted once (_column_outcomes): a ledger repeats the
    # same dates, types, places and ○/× in thousands of rows.  Then row by row: a record of the
    # values read, the problems in column order.
    from itertools import compress, repeat, zip_longest
    from operator import is_not

    body = rows[1:]
    transposed = list(zip_longest(*body)) if body else []
    outcome_columns = []
    problem_rows: set[int] = set()  # 0-based indexes into body
    for j, _, read in plan:
        outcomes = _column_outcomes(transposed[j] if j < len(transposed) else (None,) * len(body), read)
        outcome_columns.append(outcomes)
        if outcomes.problems:
            problem_rows.update(i for i, o in enumerate(outcomes) if o.__class__ is _Problem)
    records: list[Any] = []
    for i, outcomes in enumerate(zip(*outcome_columns)):
        excel_row = i + 2
        problems: list[tuple[str, str, Any, dict[str, Any]]] = []  # (code, key, value, params)
        if excel_row in marked_rows:
            record, problems = _marked_row(body[i], excel_row, plan, formulas, errors, mapping)
        elif i in problem_rows:
            record = {"row": excel_row}
            for key, outcome in zip(keys, outcomes):
                if outcome.__class__ is _Problem:
                    params = {} if outcome.code == "cell-error-value" else {"header": mapping.headers[key], **outcome.params}
                    problems.append((outcome.code, key, outcome.value, params))
                elif outcome is not _BLANK:
                    record[key] = outcome
        else:  # the cells that are not blank (compress/map/is_not: the loop runs in C)
            record = dict(compress(zip(keys, outcomes), map(is_not, outcomes, repeat(_BLANK))))
            if not record:
                continue  # a fully blank row
            record["row"] = excel_row
        record_id = record.get(id_key) if id_key else None
        for code, key, value, params in problems:
            findings.append(Finding(code, Location(sheet, excel_row, key), value, params, record_id))
            if code != "cell-formula" or params == _FORMULA_EMPTY:
                unread.add((sheet, excel_row, key))  # one finding says what is wrong with the cell
        records.append(validate(_nest(record) if nested else record))
    return _SheetResult(records, findings, unread)


# A formula's saved result is read; without one the cell is empty, and only the formula is reported.
_FORMULA_READ = {"result_ja": "表示されている結果を読みました", "result_en": "the displayed result was read"}
_FORMULA_EMPTY = {"result_ja": "保存された結果がないため空として扱いました",
                  "result_en": "it has no saved result, so the cell was taken as empty"}


class _Blank:
    def __repr__(self) -> str:
        return "<blank>"


_BLANK = _Blank()  # what a blank cell reads as


@dataclass(frozen=True)
class _Problem:
    """What a cell that cannot be read reads as: the finding's code, the value shown, its params."""

    code: str
    value: Any
    params: Mapping[str, Any]


def _convert(read: Callable[[Any], Any], value: Any) -> Any:
    """What a cell holding ``value`` reads as: ``_BLANK``, a ``_Problem``, or the value read."""
    if _blank(value):
        return _BLANK
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return _Problem("cell-error-value", value.strip(), {})
    try:
        return read(value)
    except _CellError as exc:
        return _Problem(exc.code, exc.value, exc.params)


class _Outcomes(list):
    """A column's cells as read; ``problems`` says whether any cell is a ``_Problem``."""

    problems = False


class _ByValue(dict):
    """value -> what it reads as, converting each distinct value once (the readers are pure)."""

    def __init__(self, read: Callable[[Any], Any]):
        super().__init__()
        self.read = read

    def __missing__(self, value: Any) -> Any:
        found = self[value] = _convert(self.read, value)
        return found


class _ByTypeAndValue(_ByValue):
    """(type, value) -> what it reads as: for a column mixing True, 1 and 1.0, which are equal keys."""

    def __missing__(self, key: tuple[type, Any]) -> Any:
        found = self[key] = _convert(self.read, key[1])
        return found


_NUMBER_TYPES = frozenset({bool, int, float})


def _column_outcomes(values: tuple[Any, ...], read: Callable[[Any], Any]) -> _Outcomes:
    """Every cell of a column as read (the dict lookups run in C; a value is converted on first sight)."""
    types = set(map(type, values))
    out = _Outcomes()
    try:
        if len(types & _NUMBER_TYPES) > 1:
            memo: _ByValue = _ByTypeAndValue(read)
            out.extend(map(memo.__getitem__, zip(map(type, values), values)))
        else:
            memo = _ByValue(read)
            out.extend(map(memo.__getitem__, values))
    except TypeError:  # an unhashable value (rows handed over by a caller): convert cell by cell
        out = _Outcomes(_convert(read, v) for v in values)
        out.problems = any(o.__class__ is _Problem for o in out)
        return out
    out.problems = any(o.__class__ is _Problem for o in memo.values())
    return out


def _marked_row(row: list[Any], excel_row: int, plan: list[tuple[int, str, Callable[[Any], Any]]],
                formulas: dict[tuple[int, int], str], errors: dict[tuple[int, int], str],
                mapping: _SheetMap) -> tuple[dict[str, Any], list[tuple[str, str, Any, dict[str, Any]]]]:
    """A row with formula or error cells (kept even when its values are blank): the record's data and
    its problems, in column order."""
    width = len(row)
    data: dict[str, Any] = {"row": excel_row}
    problems: list[tuple[str, str, Any, dict[str, Any]]] = []  # (code, key, value, params)
    for j, key, read in plan:
        value = row[j] if j < width else None
        if (excel_row, j) in formulas:
            problems.append(("cell-formula", key, formulas[(excel_row, j)],
                             dict(_FORMULA_EMPTY if value is None or value == "" else _FORMULA_READ)))
        if (excel_row, j) in errors:
            problems.append(("cell-error-value", key, errors[(excel_row, j)], {}))
            continue
        outcome = _convert(read, value)
        if outcome is _BLANK:
            continue
        if outcome.__class__ is _Problem:
            params = {} if outcome.code == "cell-error-value" else {"header": mapping.headers[key], **outcome.params}
            problems.append((outcome.code, key, outcome.value, params))
        else:
            data[key] = outcome
    return data, problems


def _nest(data: dict[str, Any]) -> dict[str, Any]:
    """{"father.name": x} → {"father": {"name": x}}."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if "." in key:
            head, tail = key.split(".", 1)
            out.setdefault(head, {})[tail] = value
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------

class _Values:
    """Rows of a sheet as lists of values: python-calamine, or openpyxl when calamine cannot read the file."""

    def __init__(self, data: bytes, name: str):
        import python_calamine

        self._data = data
        self._name = name
        self._openpyxl = None
        try:
            self._calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.titles = list(self._calamine.sheet_names)
        except Exception:  # calamine refuses some packages other writers produce; openpyxl may read them
            self._calamine = None
            self._openpyxl = self._open_openpyxl()
            self.titles = list(self._openpyxl.sheetnames)

    def _open_openpyxl(self):
        import openpyxl

        try:
            return openpyxl.load_workbook(io.BytesIO(self._data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged package
            raise WorkbookUnusable(
                f"{self._name} は壊れていて読めません（{type(exc).__name__}）。Excel で開けるか確認し、開けたら保存し直してください",
                f"{self._name} is damaged and cannot be read ({type(exc).__name__}); check that Excel opens it "
                "and save it again",
            ) from None

    def rows(self, title: str) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
        """All rows from A1, and the merged ranges (0-based, inclusive)."""
        if self._calamine is not None:
            try:
                sheet = self._calamine.get_sheet_by_name(title)
                return sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or [])
            except Exception:  # a sheet calamine cannot parse: read it with openpyxl instead
                self._openpyxl = self._openpyxl or self._open_openpyxl()
        ws = self._openpyxl[title]
        ws.reset_dimensions()
        rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        return rows, []  # read-only openpyxl does not expose merged ranges

    def marks(self, title: str) -> _Marks:
        """Formula and error cells found by openpyxl, for a sheet the byte scan could not place."""
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(self._data), read_only=True, data_only=False)
        try:
            ws = wb[title]
            ws.reset_dimensions()
            marks = _Marks()
            for row in ws.iter_rows(min_row=1, min_col=1):
                for cell in row:
                    if cell.data_type == "f":
                        marks.formulas[(cell.row, cell.column - 1)] = str(cell.value)
                    elif cell.data_type == "e":
                        marks.errors[(cell.row, cell.column - 1)] = str(cell.value)
            return marks
        finally:
            wb.close()

    def close(self) -> None:
        if self._calamine is not None:
            self._calamine.close()
        if self._openpyxl is not None:
            self._openpyxl.close()


@dataclass(frozen=True)
class _Source:
    """Where a ledger's cells come from: a file (read_ledger) or rows handed over (read_ledger_rows)."""

    titles: list[str]  # every sheet of the workbook, in order
    rows: Callable[[str], tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]]
    marks: Callable[[str], _Marks]  # formula and error cells of a sheet
    defined_version: Callable[[], str | None] = lambda: None  # the version in the defined name, if any


def _read(source: _Source) -> LedgerRead:
    """The ledger from ``source``, with Python's cyclic garbage collector paused meanwhile.

    Reading allocates millions of small objects (cell values, records) that form no reference
    cycles; every burst of allocations would start a collection walking all of them, a tenth of the
    reading time on 50,000 visits.  Reference counting still frees everything as usual.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_sheets(source)
    finally:
        if enabled:
            gc.enable()


def _read_sheets(source: _Source) -> LedgerRead:
    _check_is_ledger(source.titles)
    titles = {layout.name: _find_sheet(layout, source.titles) for layout in READ_SHEETS}
    # The 設定 and 区域 sheets as row lists; the settings reader names what is missing.
    wanted = {fold(SETTINGS_SHEET), fold(AREAS_SHEET)}
    settings_rows = {title: source.rows(title)[0] for title in source.titles if fold(title) in wanted}
    settings = read_settings_sheets(settings_rows)
    findings: list[Finding] = []
    unread: set[tuple[str, int, str]] = set()
    records: dict[str, list[Any]] = {}
    columns: dict[str, dict[str, int]] = {}
    headers: dict[str, dict[str, str]] = {}
    for layout in READ_SHEETS:
        title = titles[layout.name]
        rows, merged = source.rows(title)
        mapping = _map_headers(layout, rows[0] if rows else [])
        result = _read_records(layout, rows, mapping, source.marks(title), merged, settings)
        records[layout.name] = result.records
        findings += result.findings
        unread |= result.unread
        columns[layout.name] = mapping.columns
        headers[layout.name] = mapping.headers
    ledger = Ledger(
        settings=settings,
        cases=tuple(records[CASES.name]),
        children=tuple(records[CHILDREN.name]),
        visits=tuple(records[VISITS.name]),
        staff=tuple(records[STAFF.name]),
        # The version on the 設定 sheet, else the workbook's defined name (io/template_version.py).
        template_version=recorded_version(settings_rows, source.defined_version),
        records_payments={"father_paid", "mother_paid"} <= columns[VISITS.name].keys(),
    )
    cells = CellResolver(titles, columns, headers)
    located = sorted((Finding(f.code, cells.locate(f.location), f.value, f.params, f.record) for f in findings),
                     key=sort_key)
    return LedgerRead(ledger, tuple(located), cells, frozenset(unread), tuple(source.titles))


def _defined_version(package: Package, values: Any) -> str | None:
    """``xlsbridge_template_version``: a quoted constant, or a reference to the cell holding it."""
    from .template_version import defined_name_version

    def cell(sheet: str, row: int, letters: str) -> Any:
        if sheet not in values.titles:
            return None
        rows, _ = values.rows(sheet)
        r, c = row - 1, _column_index(letters)
        return rows[r][c] if r < len(rows) and c < len(rows[r]) else None

    return defined_name_version(package.defined_names.get(TEMPLATE_VERSION_NAME), cell)


@dataclass(frozen=True)
class _CheckedValues:
    """What ``_defined_version`` needs of _Values, with the sheet-size check in front of ``rows``."""

    titles: list[str]
    rows: Callable[[str], Any]


def read_ledger(path: Path | str, *, password: str | None = None) -> LedgerRead:
    """Read the ledger at ``path``; raises WorkbookUnusable when it cannot be used at all.  A command
    that also writes the ledger reads it through io/ledger_file.LedgerFile (the file read once)."""
    path = Path(path)
    return read_ledger_bytes(load_workbook_bytes(path, password), path.name)


def read_ledger_bytes(data: bytes, name: str) -> LedgerRead:
    """Read a ledger from its (decrypted) file bytes; ``name`` is the file's name, for messages."""
    path = Path(name)
    package = Package.open(data, path.name)
    try:
        package.check_strings(path.name)
    except BaseException:
        package.zf.close()
        raise
    values = _Values(data, path.name)

    def rows(title: str):
        package.check_extent(title, path.name)  # before calamine allocates the sheet's rectangle
        try:
            return values.rows(title)
        except (SyntaxError, zipfile.BadZipFile, EOFError) as exc:  # XML neither calamine nor openpyxl can parse
            raise WorkbookUnusable(
                f"{path.name} のシート「{title}」は壊れていて読めません（{type(exc).__name__}）。Excel で開けるか確認し、開けたら保存し直してください",
                f"sheet '{title}' of {path.name} is damaged and cannot be read ({type(exc).__name__}); check that "
                "Excel opens it and save it again",
            ) from None

    def marks(title: str) -> _Marks:
        xml = package.sheet_xml(title)
        found = _scan_marks(xml) if xml is not None else _Marks()
        return found if found.complete else values.marks(title)

    checked = _CheckedValues(values.titles, rows)
    try:
        return _read(_Source(values.titles, rows, marks, lambda: _defined_version(package, checked)))
    finally:
        values.close()
        package.zf.close()


def read_ledger_rows(sheets: Mapping[str, list[list[Any]]], titles: list[str] | None = None) -> LedgerRead:
    """Read a ledger from row lists (row 1 = headers), e.g. the live workbook's values via xlwings.

    ``sheets`` maps sheet titles to rows from A1 (the record sheets and 設定/区域); ``titles`` lists
    every sheet of the workbook, for the message when one is missing.  Values only: there are no
    formulas, error cells or merged ranges to find (a "#N/A" text is still reported).
    """
    def rows(title: str) -> tuple[list[list[Any]], list]:
        if title not in sheets:  # listed in ``titles`` but its rows were not handed over
            raise WorkbookUnusable(
                f"シート「{title}」を読めませんでした。シート名の前後の空白を消してください",
                f"could not read the sheet '{title}'; remove spaces around the sheet name",
            )
        return [list(r) for r in sheets[title]], []

    return _read(_Source(list(titles if titles is not None else sheets), rows, lambda title: _Marks()))


__all__ = ["CellResolver", "LedgerRead", "READ_SHEETS", "column_letter", "display",
           "read_ledger", "read_ledger_bytes", "read_ledger_rows"]
