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
    read-only on a 50,000-row 面会記録: 0.8 s vs 5.6 s), each sheet after its size check and on a
    worker thread, so that 面会記録 is parsed while the other sheets become records
    (sheet_values.SheetReads).  openpyxl (read-only) is used only where needed: a file calamine
    cannot parse, or formula/error cells written without a cell reference.
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
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..domain.findings import Finding, Location
from ..domain.ledger import Case, Child, Ledger, StaffMember, Visit
from ..domain.rules import sort_key
from ..domain.text import fold
from ..domain.settings import Settings
from ..errors import WorkbookUnusable
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

from .sheet_values import SheetReads, _Marks, _Values
from .reader_cells import _blank, _CellError, _reader, display

# The sheets the reader needs, in workbook order.  連絡先 is deliberately absent (privacy).
READ_SHEETS: tuple[SheetLayout, ...] = (CASES, CHILDREN, VISITS, STAFF)
# 面会記録 last: calamine parses it on a worker thread while the others become records (sheet_values.SheetReads)
_CONVERT_ORDER: tuple[SheetLayout, ...] = (CASES, CHILDREN, STAFF, VISITS)
_MODELS = {CASES.name: Case, CHILDREN.name: Child, VISITS.name: Visit, STAFF.name: StaffMember}
# Optional columns whose absence is normal (older ledgers do not record payments).
_MAY_BE_ABSENT = frozenset({(VISITS.name, "father_paid"), (VISITS.name, "mother_paid"),
                            (VISITS.name, "extra_adults"), (VISITS.name, "costs")})  # template 1.1: none
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
    # The records' values are what the column readers returned; when every one of them is of the exact
    # type its field declares, validation would hand each back unchanged: build the models directly.
    build = None if nested else _builder(model, keys, outcome_columns)
    make = build or (lambda record: validate(_nest(record) if nested else record))
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
        # A marked row's values were read cell by cell, not checked by _builder: validated.
        records.append(validate(_nest(record) if nested else record) if excel_row in marked_rows else make(record))
    return _SheetResult(records, findings, unread)


# Types whose exact instances pydantic's (lax) validation returns unchanged.
_KEPT_AS_IS = frozenset({str, int, bool, date, time, datetime})


def _field_accepts(annotation: Any) -> tuple[frozenset[type], frozenset[str]] | None:
    """The exact types and the literal strings a field keeps unchanged, or None when it is of
    another kind (a model, a container, a custom type: validated as usual)."""
    import types as _types
    from typing import Literal, Union, get_args, get_origin

    parts = get_args(annotation) if get_origin(annotation) in (Union, _types.UnionType) else (annotation,)
    classes: set[type] = set()
    literals: set[str] = set()
    for part in parts:
        if part is type(None):
            continue
        if get_origin(part) is Literal:
            if not all(type(a) is str for a in get_args(part)):
                return None
            literals.update(get_args(part))
        elif part in _KEPT_AS_IS:
            classes.add(part)
        else:
            return None
    return frozenset(classes), frozenset(literals)


def _builder(model: Any, keys: list[str], columns: list["_Outcomes"]) -> Callable[[dict[str, Any]], Any] | None:
    """A function making a ``model`` from a record of the column readers' values without validating
    it, when that is exactly what validation would make: the model has no validators, no private
    attributes, plain immutable defaults, and every value read in every column is an exact instance of
    a type its field keeps unchanged (or one of its literal strings).  Otherwise None."""
    fields = model.model_fields
    decorators = model.__pydantic_decorators__
    if (model.__pydantic_post_init__ or model.__pydantic_root_model__ or model.__private_attributes__
            or model.model_config.get("extra") == "allow" or decorators.validators or decorators.field_validators
            or decorators.model_validators or decorators.root_validators):
        return None
    if "row" not in fields or any(key not in fields for key in keys):
        return None
    defaults: dict[str, Any] = {}
    for name, info in fields.items():
        if info.default_factory is not None or info.alias is not None or info.validation_alias is not None:
            return None
        if info.default is not None and type(info.default) not in (int, bool, str):
            return None  # PydanticUndefined (required) or a default validation might copy
        defaults[name] = info.default
    if _field_accepts(fields["row"].annotation) != (frozenset({int}), frozenset()):
        return None
    for key, outcomes in zip(keys, columns):
        accepts = _field_accepts(fields[key].annotation)
        if accepts is None:
            return None
        classes, literals = accepts
        for value in outcomes.distinct:
            if value is _BLANK or value.__class__ is _Problem:
                continue
            if value.__class__ in classes or (value.__class__ is str and value in literals):
                continue
            return None

    new = model.__new__
    set_attribute = object.__setattr__

    def build(record: dict[str, Any]) -> Any:
        values = defaults.copy()
        values.update(record)
        made = new(model)
        set_attribute(made, "__dict__", values)
        # set(record.keys()) adds the keys one by one, as validation does: set(record) would presize a
        # table nearly twice as large (1,240 bytes instead of 728 a visit; 25 MB on 50,000 visits).
        set_attribute(made, "__pydantic_fields_set__", set(record.keys()))
        set_attribute(made, "__pydantic_extra__", None)
        set_attribute(made, "__pydantic_private__", None)
        return made

    return build


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
    """A column's cells as read; ``problems`` says whether any cell is a ``_Problem``, ``distinct``
    holds every different outcome (the reader's values are checked there, not cell by cell)."""

    problems = False
    distinct: Any = ()


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
        out.distinct = out
        return out
    out.problems = any(o.__class__ is _Problem for o in memo.values())
    out.distinct = memo.values()
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


@dataclass(frozen=True)
class _Source:
    """Where a ledger's cells come from: a file (read_ledger) or rows handed over (read_ledger_rows)."""

    titles: list[str]  # every sheet of the workbook, in order
    rows: Callable[[str], tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]]
    marks: Callable[[str], _Marks]  # formula and error cells of a sheet
    defined_version: Callable[[], str | None] = lambda: None  # the version in the defined name, if any
    prefetch: Callable[[list[str]], None] = lambda titles: None  # the sheets about to be read, to read ahead


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
    settings_titles = [title for title in source.titles if fold(title) in wanted]
    source.prefetch([*settings_titles, *titles.values()])
    settings_rows = {title: source.rows(title)[0] for title in settings_titles}
    settings = read_settings_sheets(settings_rows)
    findings: list[Finding] = []
    unread: set[tuple[str, int, str]] = set()
    records: dict[str, list[Any]] = {}
    columns: dict[str, dict[str, int]] = {}
    headers: dict[str, dict[str, str]] = {}
    for layout in _CONVERT_ORDER:
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
    sheets = SheetReads(package, values, path.name)

    def rows(title: str):
        try:
            return sheets.rows(title)  # the sheet's size checked before calamine allocates its rectangle
        except (SyntaxError, zipfile.BadZipFile, EOFError) as exc:  # XML neither calamine nor openpyxl can parse
            raise WorkbookUnusable(
                f"{path.name} のシート「{title}」は壊れていて読めません（{type(exc).__name__}）。Excel で開けるか確認し、開けたら保存し直してください",
                f"sheet '{title}' of {path.name} is damaged and cannot be read ({type(exc).__name__}); check that "
                "Excel opens it and save it again",
            ) from None

    checked = _CheckedValues(values.titles, rows)
    try:
        return _read(_Source(values.titles, rows, sheets.marks, lambda: _defined_version(package, checked),
                             sheets.prefetch))
    finally:
        sheets.close()  # before the workbook closes under a read still under way
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
