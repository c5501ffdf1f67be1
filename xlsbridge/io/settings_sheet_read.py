"""Reading the settings sheets (``設定`` and ``区域``) into :class:`Settings`.

Split out of :mod:`xlsbridge.io.settings_sheet` (which re-exports the public functions). Every invalid
value or contradiction becomes a :class:`UserError` that names the cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from ..domain.layout import AREAS_SHEET, SETTINGS_SHEET
from ..domain.settings import (
    PLAN_SOURCE_LABELS,
    Area,
    Cancellation,
    ChildAddon,
    ContractFees,
    Extension,
    FeeSchedule,
    MemberPricing,
    PlanProfile,
    Rules,
    Settings,
    SupportType,
    Transport,
    cancellation_as_written,
)
from ..errors import UserError
from .xlsx.cells import column_letter as _col_letter
from .codecs import explain_model_error
from .settings_sheet_cells import INT, TEXT, _Bad, _blank, _Codec, _norm, _shown, _text
from .settings_sheet_rows import (
    AREA_COLUMNS,
    FEE_COLUMNS,
    HOLIDAY_COLUMNS,
    PLAN_ROWS,
    RULE_ALIASES,
    RULE_ROWS,
    SCHEDULE_COLUMNS,
    SECTION_FEES,
    SECTION_HOLIDAYS,
    SECTION_PLAN,
    SECTION_RULES,
    SECTION_SCHEDULES,
    TEMPLATE_VERSION_KEY,
    _Col,
    _FREE_HEADERS,
)


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _cell_ref(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{_col_letter(col)}{row + 1}"


def _fail(where: str, ja: str, en: str) -> UserError:
    return UserError(f"{where}: {ja}", f"{where}: {en}")


def _cell(rows: Sequence[Sequence[Any]], r: int, c: int) -> Any:
    row = rows[r] if r < len(rows) else ()
    value = row[c] if c < len(row) else None
    return None if _blank(value) else value


def _row_blank(row: Sequence[Any]) -> bool:
    return all(_blank(v) for v in row)


def _labelled_rows(rows: Sequence[Sequence[Any]], header: int, end: int) -> Iterator[tuple[int, Any]]:
    """The rows of a 項目/値 block below its header, with their label (column A), blank ones skipped."""
    for r in range(header + 1, min(end, len(rows))):
        if not _row_blank(rows[r]) and (label := _cell(rows, r, 0)) is not None:
            yield r, label


@dataclass
class _Row:
    """One table row read into a nested dict, with the cell behind every field."""

    first_cell: str  # the row's first cell, for errors about the row as a whole
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # path -> "設定!E14（基本料金）"

    def group(self, prefix: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The values and cells under ``prefix.`` (e.g. "extension"), keyed by the leaf field."""
        values = {p.split(".", 1)[1]: v for p, v in self.values.items() if p.startswith(prefix + ".")}
        cells = {p.split(".", 1)[1]: c for p, c in self.cells.items() if p.startswith(prefix + ".")}
        return values, cells


def _header_map(sheet: str, rows: Sequence[Sequence[Any]], r: int, columns: Sequence[_Col],
                within: range | None = None) -> dict[int, _Col]:
    by_name: dict[str, _Col] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            by_name[_norm(name).lower()] = col
    found: dict[int, _Col] = {}
    row = rows[r]
    for c, value in enumerate(row):
        if _blank(value) or (within is not None and c not in within):
            continue
        name = _norm(value).lower()
        col = by_name.get(name)
        where = _cell_ref(sheet, r, c)
        if col is None:
            if name.startswith(_FREE_HEADERS):
                continue
            known = "、".join(x.header for x in columns)
            raise _fail(where, f"見出し「{_shown(value)}」はこの表の列ではありません。次の見出しを使ってください: {known}"
                        "（メモ用の列は見出しを「備考」で始めてください）",
                        f"'{_shown(value)}' is not a column of this table; use: {known}")
        if col in found.values():
            raise _fail(where, f"見出し「{col.header}」が2つあります。どちらかを消してください",
                        f"the header '{col.header}' appears twice")
        found[c] = col
    for col in columns:
        if col.required and col not in found.values():
            raise _fail(f"{sheet}!{r + 1}行目", f"見出し「{col.header}」の列がありません。見出し行に追加してください",
                        f"the header row has no '{col.header}' column; add it")
    return found


def _read_table(sheet: str, rows: Sequence[Sequence[Any]], header: int, end: int,
                columns: Sequence[_Col], within: range | None = None) -> list[_Row]:
    """Rows ``header+1 .. end-1`` of a table whose header row is ``header``; blank rows are skipped.

    ``within``: the columns of the table (notes may sit to its right).
    """
    cols = _header_map(sheet, rows, header, columns, within)
    first = min(cols, default=0)
    out: list[_Row] = []
    for r in range(header + 1, end):
        if r >= len(rows) or all(_blank(_cell(rows, r, c)) for c in cols):
            continue
        item = _Row(_cell_ref(sheet, r, first))
        for c, col in cols.items():
            where = f"{_cell_ref(sheet, r, c)}（{col.header}）"
            prefix = col.path.rsplit(".", 1)[0]
            paths = [f"{prefix}.{name}" for name in col.fills] if col.fills else [col.path]
            for path in paths:
                item.cells[path] = where
            value = _cell(rows, r, c)
            if value is None:
                if col.required:
                    raise _fail(where, "空欄です。入力してください", "empty; fill it in")
                continue
            try:
                parsed = col.codec.read(value)
            except _Bad as bad:
                raise _fail(where, bad.ja, bad.en) from None
            item.values.update(zip(paths, parsed) if col.fills else [(col.path, parsed)])
        out.append(item)
    return out


# How a sheet words pydantic's errors where it differs from the settings file (io/codecs.py has the rest).
_SHEET_WORDING: dict[str, tuple[str, str]] = {
    "missing": ("入力してください", "required; fill it in"),
    "string_too_short": ("空欄にできません", "must not be empty"),
}


def _explain(err: Mapping[str, Any]) -> tuple[str, str]:
    return explain_model_error(err, _SHEET_WORDING)


def _build(model: type[BaseModel], data: Mapping[str, Any], cells: Mapping[str, str], fallback: str) -> Any:
    """Validate one model; an error names the cell of the field it is about (else ``fallback``)."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        where = cells.get(str(loc[0]), fallback) if loc else fallback
        ja, en = _explain(err)
        raise _fail(where, ja, en) from None


def _build_growing(model: type[BaseModel], data: Mapping[str, Any], key: str,
                   items: Sequence[Any], item_cells: Sequence[str], cells: Mapping[str, str], fallback: str) -> Any:
    """Validate ``model`` whose ``key`` holds ``items``; a rule between items names the item that breaks it.

    When the whole fails on a rule across items (overlapping dates, a repeated key), the items are added
    one at a time: the first whose addition fails is the one to fix (the first item: ``fallback``).
    """
    full = {**data, key: tuple(items)}
    try:
        return model.model_validate(full)
    except ValidationError as exc:
        err = exc.errors()[0]
    if err["loc"]:
        _build(model, full, cells, fallback)  # a field's own error: raises naming that field's cell
    for n in range(1, len(items) + 1):
        try:
            model.model_validate({**data, key: tuple(items[:n])})
        except ValidationError as exc:
            ja, en = _explain(exc.errors()[0])
            raise _fail(fallback if n == 1 else item_cells[n - 1], ja, en) from None
    ja, en = _explain(err)
    raise _fail(fallback, ja, en)


def _sections(sheet: str, rows: Sequence[Sequence[Any]]) -> dict[str, tuple[int | None, int]]:
    """Block title -> (its header row or None when the block is empty, the row where the block ends)."""
    titles = {_norm(t).lstrip("■□◆"): t
              for t in (SECTION_RULES, SECTION_SCHEDULES, SECTION_FEES, SECTION_HOLIDAYS, SECTION_PLAN)}
    starts: list[tuple[str, int]] = []
    for r, row in enumerate(rows):
        if not row or _blank(row[0]) or not isinstance(row[0], str):
            continue
        title = titles.get(_norm(row[0]).lstrip("■□◆"))
        if title is None:
            continue
        if any(t == title for t, _ in starts):
            raise _fail(_cell_ref(sheet, r, 0), f"「{title}」が2つあります。1つにまとめてください",
                        f"the block '{title}' appears twice")
        starts.append((title, r))
    out: dict[str, tuple[int | None, int]] = {}
    for i, (title, r) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(rows)
        header = next((h for h in range(r + 1, end) if not _row_blank(rows[h])), None)
        if header is None and title in (SECTION_SCHEDULES, SECTION_FEES):
            raise _fail(_cell_ref(sheet, r, 0), f"「{title}」の下に見出し行がありません",
                        f"the block '{title}' has no header row")
        out[title] = (header, end)
    for title in (SECTION_SCHEDULES, SECTION_FEES):
        if title not in out:
            raise UserError(f"{sheet}シートに「{title}」の表がありません（A列に「{title}」と書き、その下に表を置きます）",
                            f"the {sheet} sheet has no '{title}' block")
    return out


def _read_rules(sheet: str, rows: Sequence[Sequence[Any]], span: tuple[int | None, int] | None
                ) -> tuple[dict[str, Any], dict[str, str], str]:
    known = {_norm(label): (label, path, codec) for label, path, codec, _ in RULE_ROWS}
    known.update({_norm(alias): known[_norm(target)] for alias, target in RULE_ALIASES.items()})
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    block = f"{sheet}!A1"
    if span is None or span[0] is None:
        return values, cells, block
    header, end = span
    block = _cell_ref(sheet, header, 1)
    seen: set[str] = set()
    for r, label in _labelled_rows(rows, header, end):
        name = _norm(label)
        if name == _norm(TEMPLATE_VERSION_KEY):
            continue
        if name not in known:
            options = "、".join(x[0] for x in RULE_ROWS)
            raise _fail(_cell_ref(sheet, r, 0), f"項目「{_shown(label)}」はありません。次のどれかにしてください: {options}",
                        f"unknown setting '{_shown(label)}'; use one of: {options}")
        title, path, codec = known[name]
        where = f"{_cell_ref(sheet, r, 1)}（{title}）"
        if path in seen:
            raise _fail(_cell_ref(sheet, r, 0), f"項目「{title}」が2回あります。1つにしてください",
                        f"the setting '{title}' appears twice")
        seen.add(path)
        cells[path] = where
        value = _cell(rows, r, 1)
        if value is None:
            continue
        try:
            values[path] = codec.read(value)
        except _Bad as bad:
            raise _fail(where, bad.ja, bad.en) from None
    return values, cells, block


def _read_schedule(item: _Row, types: list[SupportType], type_cells: list[str]) -> FeeSchedule:
    parts: dict[str, Any] = {}
    for prefix, model, fallback_field in (
        ("member", MemberPricing, "discount_per_use"),
        ("cancellation", Cancellation, "tiers"),
        ("transport", Transport, "kind"),
        ("contract", ContractFees, "contract_fee"),
    ):
        values, cells = item.group(prefix)
        if prefix == "cancellation":  # an empty キャンセル cell is no cut-off, not WEK's rule
            values = cancellation_as_written(values)
        parts[prefix] = _build(model, values, cells, cells.get(fallback_field, item.first_cell))
    data = {k: v for k, v in item.values.items() if "." not in k}
    data.update(parts)
    fallback = item.cells.get("effective_to", item.cells.get("effective_from", item.first_cell))
    return _build_growing(FeeSchedule, data, "support_types", types, type_cells, item.cells, fallback)


def _read_support_type(item: _Row) -> SupportType:
    data = {k: v for k, v in item.values.items() if "." not in k and k != "schedule"}
    data.setdefault("label_en", data.get("key", ""))
    addon, addon_cells = item.group("child_addon")
    data["child_addon"] = _build(ChildAddon, addon, addon_cells, addon_cells.get("kind", item.first_cell))
    ext, ext_cells = item.group("extension")
    data["extension"] = _build(Extension, ext, ext_cells, ext_cells.get("max_minutes", item.first_cell)) if ext else None
    return _build(SupportType, data, item.cells, item.cells.get("base_bands", item.first_cell))


def read_settings_sheets(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Settings:
    """Settings from the ``設定`` and ``区域`` sheets, given as row lists (values only).

    Raises :class:`UserError` naming the cell (``設定!E14``) for anything an admin must fix.
    """
    rows = _sheet(sheets, SETTINGS_SHEET)
    area_rows = _sheet(sheets, AREAS_SHEET)
    sheet = SETTINGS_SHEET
    spans = _sections(sheet, rows)

    rule_values, rule_cells, rules_cell = _read_rules(sheet, rows, spans.get(SECTION_RULES))
    organisation = rule_values.pop("organisation", None)
    rules = _build(Rules, rule_values, rule_cells, rules_cell)

    schedule_rows = _read_table(sheet, rows, *spans[SECTION_SCHEDULES], SCHEDULE_COLUMNS)  # type: ignore[arg-type]
    fee_rows = _read_table(sheet, rows, *spans[SECTION_FEES], FEE_COLUMNS)  # type: ignore[arg-type]
    if not schedule_rows:
        header = spans[SECTION_SCHEDULES][0]
        raise _fail(f"{sheet}!{(header or 0) + 2}行目", "料金表が1つもありません。料金表の行を入力してください",
                    "there is no fee schedule; add a row")
    names: dict[str, _Row] = {}
    for item in schedule_rows:
        name = _norm(item.values["name"])
        if name in names:
            raise _fail(item.cells["name"], f"料金表名「{item.values['name']}」が2つあります。別の名前にしてください",
                        f"the schedule name '{item.values['name']}' is used twice")
        names[name] = item
    by_schedule: dict[str, list[_Row]] = {name: [] for name in names}
    for item in fee_rows:
        name = _norm(item.values["schedule"])
        if name not in by_schedule:
            raise _fail(item.cells["schedule"],
                        f"料金表「{item.values['schedule']}」が「{SECTION_SCHEDULES}」にありません。同じ名前にしてください",
                        f"the schedule '{item.values['schedule']}' is not in '{SECTION_SCHEDULES}'")
        by_schedule[name].append(item)
    schedules: list[FeeSchedule] = []
    schedule_cells: list[str] = []
    for name, item in names.items():
        fees = by_schedule[name]
        if not fees:
            raise _fail(item.cells["name"],
                        f"料金表「{item.values['name']}」の支援類型別料金がありません。「{SECTION_FEES}」に行を追加してください",
                        f"the schedule '{item.values['name']}' has no support type rows in '{SECTION_FEES}'")
        types = [_read_support_type(f) for f in fees]
        schedules.append(_read_schedule(item, types, [f.cells["key"] for f in fees]))
        schedule_cells.append(item.cells["effective_from"])

    holidays: list[date] = []
    header, end = spans.get(SECTION_HOLIDAYS, (None, 0))
    if header is not None:
        holidays = [h.values["date"] for h in _read_table(sheet, rows, header, end, HOLIDAY_COLUMNS)]

    areas, area_cells = _read_areas(area_rows)

    base = {"schedules": tuple(schedules), "rules": rules, "office_holidays": tuple(holidays)}
    if organisation is not None:
        base["organisation"] = organisation
    plan_profile = read_plan_block(sheet, rows, spans.get(SECTION_PLAN))
    if plan_profile is not None:
        base["plan"] = plan_profile
    top_cells = {"organisation": rule_cells.get("organisation", rules_cell)}
    # Rules across schedules (dates) first, then across areas (a municipality listed twice).
    _build_growing(Settings, {**base, "areas": ()}, "schedules", schedules, schedule_cells, top_cells,
                   schedule_cells[0])
    return _build_growing(Settings, base, "areas", areas, area_cells, top_cells, f"{AREAS_SHEET}!A1")


def _sheet(sheets: Mapping[str, Sequence[Sequence[Any]]], name: str) -> Sequence[Sequence[Any]]:
    for key, rows in sheets.items():
        if _norm(key) == _norm(name):
            return rows
    raise UserError(f"「{name}」シートがありません。テンプレートの「{name}」シートを台帳に戻してください",
                    f"the workbook has no '{name}' sheet; restore it from the template")


def _read_areas(rows: Sequence[Sequence[Any]]) -> tuple[list[Area], list[str]]:
    sheet = AREAS_SHEET
    target = _norm(AREA_COLUMNS[0].header)
    header = next((r for r, row in enumerate(rows[:10]) if any(not _blank(v) and _norm(v) == target for v in row)),
                  None)
    if header is None:
        raise UserError(f"{sheet}シートに見出し「{AREA_COLUMNS[0].header}」の行がありません",
                        f"the {sheet} sheet has no header row with '{AREA_COLUMNS[0].header}'")
    # Notes may sit to the right of the table, past a blank column: the table ends at that gap.
    row = rows[header]
    first = next(c for c, v in enumerate(row) if not _blank(v) and _norm(v) == target)
    last = first
    while last + 1 < len(row) and not _blank(row[last + 1]):
        last += 1
    items = _read_table(sheet, rows, header, len(rows), AREA_COLUMNS, range(first, last + 1))
    areas = [_build(Area, item.values, item.cells, item.cells["municipality"]) for item in items]
    return areas, [item.cells["municipality"] for item in items]


def _read_plan_items(value: Any) -> list[dict[str, str]]:
    sources = {_norm(label): key for key, label in PLAN_SOURCE_LABELS.items()}
    sources.update({_norm(key): key for key in PLAN_SOURCE_LABELS})
    text = str(value).strip()
    if _norm(text) in ("なし", "無し", "-", "ー"):
        return []
    items = []
    for part in (p.strip() for p in text.replace("／", "/").split("/") if p.strip()):
        label, sep, source = part.replace("＝", "=").partition("=")
        key = sources.get(_norm(source))
        if not sep or not label.strip() or key is None:
            known = "、".join(PLAN_SOURCE_LABELS.values())
            raise _Bad(f"追加項目「{_shown(part)}」を読めません。「見直し予定日=見直し予定日」のように 見出し=出どころ と書き、"
                       f"出どころは次のどれかにしてください: {known}",
                       f"cannot read the plan item '{_shown(part)}'; write label=source, the source one of: {known}")
        items.append({"label": label.strip(), "source": key})
    return items


def read_plan_block(sheet: str, rows: Sequence[Sequence[Any]], span: tuple[int | None, int] | None
                    ) -> PlanProfile | None:
    """The plan-sheet profile of the ``■ 計画書の様式`` block, or None when the sheet has none."""
    if span is None or span[0] is None:
        return None
    header, end = span
    known = {_norm(label): (label, path) for label, path, _ in PLAN_ROWS}
    codecs = {"name": TEXT, "min_child_rows": INT, "min_progress_rows": INT,
              "extra_items": _Codec(_read_plan_items)}
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for r, label in _labelled_rows(rows, header, end):
        if _norm(label) not in known:
            options = "、".join(x[0] for x in PLAN_ROWS)
            raise _fail(_cell_ref(sheet, r, 0), f"項目「{_shown(label)}」はありません。次のどれかにしてください: {options}",
                        f"unknown plan setting '{_shown(label)}'; use one of: {options}")
        title, path = known[_norm(label)]
        where = f"{_cell_ref(sheet, r, 1)}（{title}）"
        cells[path] = where
        value = _cell(rows, r, 1)
        if value is None:
            continue
        try:
            values[path] = codecs[path].read(value)
        except _Bad as bad:
            raise _fail(where, bad.ja, bad.en) from None
    return _build(PlanProfile, values, cells, _cell_ref(sheet, header, 0))


def read_template_version(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> str | None:
    """The template version recorded in the 設定 sheet's 基本設定 block, if any."""
    try:
        rows = _sheet(sheets, SETTINGS_SHEET)
    except UserError:
        return None
    for row in rows:
        if row and not _blank(row[0]) and _norm(row[0]) == _norm(TEMPLATE_VERSION_KEY):
            value = row[1] if len(row) > 1 else None
            return None if _blank(value) else _text(value)
    return None
