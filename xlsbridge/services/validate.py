"""Check a ledger workbook: read it, run every rule, point each finding at its cell.

``validate_workbook(path, as_of=...)`` is what the ``validate`` command and the ribbon's 入力チェック
run.  The report renders as text grouped by sheet (for staff), JSON (for scripts; schema in
docs/validate-json.md) or CSV (for Excel), and ``annotate`` writes a COPY of the ledger with each
finding's cell coloured and commented plus a ``チェック結果`` sheet linking to the cells.

The ledger itself is never written: validation reads it into memory and closes it.  Values shown in
findings never include parents' or children's names, and the contacts sheet is never read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.findings import CATALOG, Finding
from ..domain.rules import fold, sort_key, validate_ledger
from ..errors import UserError
from ..i18n import get_lang, t
from ..domain.layout import CASES, CHILDREN, CONTACTS
from ..io.reader import CellResolver, LedgerRead, display, read_ledger

SCHEMA_VERSION = 1

# Fields whose values a report never repeats: people's names (contact details are never read at all).
PRIVATE_FIELDS = frozenset({(CASES.name, "father.name"), (CASES.name, "mother.name"), (CHILDREN.name, "name")}
                           | {(CONTACTS.name, c.key) for c in CONTACTS.columns})

@dataclass(frozen=True)
class ReportItem:
    code: str
    severity: str  # "error" | "warning"
    sheet: str  # the sheet's title in the workbook
    cell: str | None  # "F12"; None when the finding is about a whole row or sheet
    row: int | None
    field: str | None  # the layout's column key, e.g. "extension_minutes"
    header: str | None  # the column's header as found in the workbook
    value: str | None
    message: str
    record: str | None  # case or visit ID
    name: str  # the finding type's name, in the report's language
    source: str  # the rule-book section

    @property
    def address(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.row is not None:
            return f"{self.sheet}!{self.row}行" if get_lang() == "ja" else f"{self.sheet}!row {self.row}"
        return self.sheet

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "address": self.address,
            "row": self.row,
            "field": self.field,
            "header": self.header,
            "value": self.value,
            "message": self.message,
            "record": self.record,
            "name": self.name,
            "source": self.source,
        }


@dataclass(frozen=True)
class ValidationReport:
    file: str
    as_of: date
    items: tuple[ReportItem, ...]
    template_version: str | None = None
    # layout sheet name -> the tab's title in this workbook (CellResolver.titles), for the チェック結果 keys
    titles: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # The ledger's language (its 設定 row 台帳の言語), in which the annotated copy is written, and the
    # report built again in another language (messages are rendered when the report is built).
    language: str = field(default="ja", compare=False, repr=False)
    rebuild: Callable[[], "ValidationReport"] | None = field(default=None, compare=False, repr=False)

    def in_language(self, lang: str) -> "ValidationReport":
        """This report with its messages and names in ``lang`` (``ja``/``en``)."""
        from ..i18n import get_lang, using_lang

        if lang == get_lang() or self.rebuild is None:
            return self
        with using_lang(lang):
            return self.rebuild()

    @property
    def errors(self) -> int:
        return sum(1 for i in self.items if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.items if i.severity == "warning")

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    def counts(self) -> dict[str, int]:
        return {"error": self.errors, "warning": self.warnings, "total": len(self.items)}

    def by_code(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            out[item.code] = out.get(item.code, 0) + 1
        return dict(sorted(out.items()))


def check_read(read: LedgerRead, as_of: date) -> list[Finding]:
    """The reader's findings and the rules' findings, each with its cell, in sheet/row/column order.

    A rule's finding about a cell the reader could not read (unreadable, an error value, merged
    away) is left out: the reader's finding already says what to fix there.

    Python's cyclic garbage collector is paused meanwhile, as while reading (io/reader.py ``_read``):
    the rules allocate hundreds of thousands of small objects that form no cycles, and each
    collection they set off would walk the ledger's records again (on 50,000 visits ~0.08 s).
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        found = validate_ledger(read.ledger, as_of)
    finally:
        if enabled:
            gc.enable()
    rules = [f for f in found if (f.location.sheet, f.location.row, f.location.field) not in read.unread]
    cells = read.cells
    located = [Finding(f.code, cells.locate(f.location), f.value, f.params, f.record) for f in rules]
    return sorted([*read.findings, *located], key=lambda f: _order(f, cells))


def _order(f: Finding, cells: CellResolver) -> tuple:
    column = cells.column(f.location.sheet, f.location.field)
    base = sort_key(f)
    return (base[0], base[1], f.location.row or 0, column if column is not None else -1, f.code)


def validate_workbook(path: Any, *, as_of: date, password: str | None = None) -> ValidationReport:
    """Read the ledger at ``path`` (a path, or an io/ledger_file.LedgerFile read once for the command)
    and check it; raises WorkbookUnusable when it cannot be read at all."""
    if hasattr(path, "read") and hasattr(path, "data"):
        read, name = path.read(), path.name
    else:
        read, name = read_ledger(path, password=password), Path(path).name
    return build_report(name, read, check_read(read, as_of), as_of)


def build_report(file: str, read: LedgerRead, findings: list[Finding], as_of: date) -> ValidationReport:
    items = tuple(_item(f, read.cells) for f in findings)
    return ValidationReport(file, as_of, items, read.ledger.template_version, dict(read.cells.titles),
                            language=read.ledger.settings.rules.language,
                            rebuild=lambda: build_report(file, read, findings, as_of))


def _item(f: Finding, cells: CellResolver) -> ReportItem:
    loc = f.location
    private = (loc.sheet, loc.field) in PRIVATE_FIELDS
    value = None if private or f.value is None else display(f.value)
    params = dict(f.params)
    if private:
        params.pop("value", None)
    message = f.type.render({"value": "…" if private else value, **params})
    return ReportItem(
        code=f.code,
        severity=f.severity,
        sheet=cells.title(loc.sheet),
        cell=loc.cell,
        row=loc.row,
        field=loc.field,
        header=cells.header(loc.sheet, loc.field),
        value=value,
        message=message,
        record=f.record,
        name=t(f.type.name_ja, f.type.name_en),
        source=f.type.source,
    )


# ------------------------------------------------------------------------------------------------
# Renderers
# ------------------------------------------------------------------------------------------------

def _severity(severity: str) -> str:
    return t("エラー", "error") if severity == "error" else t("警告", "warning")


def summary_line(report: ValidationReport) -> str:
    if not report.items:
        return t("問題は見つかりませんでした（エラー 0 件、警告 0 件）", "no problems found (0 errors, 0 warnings)")
    return t(f"エラー {report.errors} 件、警告 {report.warnings} 件",
             f"{report.errors} error(s), {report.warnings} warning(s)")


def _message_shows_value(code: str) -> bool:
    """The finding's message already quotes the value (no second 「（値: …）」)."""
    ft = CATALOG.get(code)
    return ft is not None and "{value}" in t(ft.template_ja, ft.template_en)


def render_text(report: ValidationReport) -> str:
    """Grouped by sheet; one line per finding: cell, severity, message, value."""
    from ..textfmt import ljust

    lines = [t(f"{report.file} の入力チェック（基準日 {report.as_of.isoformat()}）",
               f"{report.file}: entry check (as of {report.as_of.isoformat()})")]
    groups: dict[str, list[ReportItem]] = {}
    for item in report.items:
        groups.setdefault(item.sheet, []).append(item)
    for sheet, items in groups.items():
        lines.append("")
        lines.append(t(f"■ {sheet}（{len(items)} 件）", f"■ {sheet} ({len(items)})"))
        for item in items:
            where = item.cell or (t(f"{item.row}行", f"row {item.row}") if item.row is not None else "-")
            text = f"  {ljust(where, 7)} {ljust(_severity(item.severity), 6)} {item.message}"
            if item.value is not None and item.value != "" and not _message_shows_value(item.code):
                text += t(f"（値: {item.value}）", f" (value: {item.value})")
            if item.record:
                text += f" [{item.record}]"
            lines.append(text)
    lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """The stable JSON document described in docs/validate-json.md."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": "xlsbridge",
        "tool_version": __version__,
        "file": report.file,
        "as_of": report.as_of.isoformat(),
        "lang": get_lang(),
        "template_version": report.template_version,
        "summary": {**report.counts(), "by_code": report.by_code()},
        "findings": [item.as_json() for item in report.items],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


CSV_FIELDS = ("sheet", "cell", "severity", "code", "message", "value", "record")


def render_csv(report: ValidationReport) -> str:
    """UTF-8 with BOM (Excel opens it as UTF-8); text that looks like a formula starts with '."""
    from ..io.cells import csv_safe

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t("シート", "sheet"), t("セル", "cell"), t("重大度", "severity"), t("コード", "code"),
                     t("内容", "message"), t("値", "value"), t("ID", "record")])
    for item in report.items:
        row = [item.sheet, item.cell or (str(item.row) if item.row is not None else ""), _severity(item.severity),
               item.code, item.message, item.value or "", item.record or ""]
        writer.writerow([csv_safe(v) for v in row])
    return "\ufeff" + out.getvalue()


# ------------------------------------------------------------------------------------------------
# Annotated copy
# ------------------------------------------------------------------------------------------------

def annotate(path: Path | str, out: Path | str, report: ValidationReport, *, password: str | None = None,
             data: bytes | None = None) -> Path:
    """Write a copy of the ledger with the findings marked; the ledger itself is not touched.

    Each finding's cell gets a fill (red for errors, yellow for warnings) and a comment with the
    message; a ``チェック結果`` sheet lists every finding with a link to its cell.  A workbook read
    with a password is written with the same password.  Refuses to write over the input.

    The copy leaves out the 連絡先 sheet, recognised by its name or its headers (io/contacts.py): it is
    made to be handed around while entries are fixed, and no finding is ever about a contact cell.
    Like everything written into a ledger, the comments and the チェック結果 sheet are in the ledger's
    language (its 設定 row 台帳の言語), whatever language the command line speaks.
    """
    from ..i18n import using_lang

    from ..io.safe_write import save_copy
    from ..io.workbook_io import open_for_update, workbook_bytes

    path, out = Path(path), Path(out)
    if out.resolve() == path.resolve() or (out.exists() and path.exists() and out.samefile(path)):
        raise UserError(
            "--annotate には元の台帳と別のファイル名を指定してください（台帳そのものには書き込みません）",
            "--annotate needs a file name other than the ledger's (the ledger itself is never written)",
        )
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UserError(f"--annotate のファイル名は .xlsx にしてください: {out.name}",
                        f"the --annotate file must end in .xlsx: {out.name}")
    from ..io.contacts import first_row, is_contacts_sheet
    from ..io.reader import READ_SHEETS

    wb = open_for_update(path, password, data=data)  # data: the bytes validate read (read once)
    records = {fold(title) for layout in READ_SHEETS for title in (layout.name, *layout.aliases)}
    for ws in list(wb.worksheets):  # 連絡先 however it is named: by its name or its headers
        if fold(ws.title) not in records and is_contacts_sheet(ws.title, first_row(ws)):
            del wb[ws.title]
    marked = report.in_language(report.language)
    with using_lang(report.language):
        _mark(wb, marked)
    save_copy(path, out, lambda tmp: tmp.write_bytes(workbook_bytes(wb, password)))
    return out


def _mark(wb, report: ValidationReport) -> None:
    """Each finding's cell filled (red for errors, yellow for warnings) with a comment giving the
    message, and the チェック結果 sheet drawn as the ribbon draws it (services/outputs.py)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from ..io.cells import xml_text
    from ..io.sinks import FINDING_FILLS, OpenpyxlSink
    from .outputs import write_findings

    by_cell: dict[tuple[str, str], list[ReportItem]] = {}
    for item in report.items:
        if item.cell and item.sheet in wb.sheetnames:
            by_cell.setdefault((item.sheet, item.cell), []).append(item)
    for (sheet, ref), items in by_cell.items():
        cell = wb[sheet][ref]
        worst = "error" if any(i.severity == "error" for i in items) else "warning"
        cell.fill = PatternFill("solid", fgColor=FINDING_FILLS[worst])
        text = "\n".join(f"[{_severity(i.severity)}] {i.message}" for i in items)
        if cell.comment is not None and cell.comment.text:
            text = f"{text}\n---\n{cell.comment.text}"
        comment = Comment(xml_text(text), "xlsbridge")  # a value with a control character must not stop the save
        comment.width, comment.height = 320, 40 + 60 * len(items)
        cell.comment = comment
    write_findings(OpenpyxlSink(wb, findings_first=True), report, report.titles)
