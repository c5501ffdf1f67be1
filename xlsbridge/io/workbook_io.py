"""Opening a ledger for an update and serialising it again (encrypted again when it was).

This is the one place a whole ledger goes through openpyxl (plan into the ledger, report --sheet,
--annotate, template upgrade), so its guards live here:

* before loading, the reader's limits over every sheet (連絡先 too) and the parts only openpyxl reads
  (io/xlsx/guard.check_whole_workbook): openpyxl would otherwise take gigabytes;
* before loading for a rewrite, a refusal when the ledger holds parts openpyxl would drop on saving
  (shapes and text boxes, rich text, threaded comments, form controls, embedded objects, slicers,
  extension-list validations): never exit 0 after losing staff content;
* saving happens in memory: openpyxl's own save writes every sheet (連絡先 included, decrypted) to a
  temporary file first, which a kill would leave behind; ``workbook_bytes`` never touches the disk.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from ..errors import UserError, WorkbookUnusable
from ..i18n import t
from .xlsx.guard import check_whole_workbook
from .xlsx.package import load_workbook_bytes


def open_for_update(path: Path, password: str | None = None, *, data: bytes | None = None) -> Workbook:
    """The ledger as an editable openpyxl workbook (macros kept for .xlsm); ``data``: its bytes,
    already read (io/ledger_file.LedgerFile), so the file is not read again."""
    path = Path(path)
    if data is None:
        data = load_workbook_bytes(path, password)
    return load_for_rewrite(data, path.name, keep_vba=path.suffix.lower() == ".xlsm")


def load_for_rewrite(data: bytes, name: str, *, keep_vba: bool = False, read_only: bool = False,
                     data_only: bool = False) -> Workbook:
    """``data`` (an .xlsx package already past the reader's package checks) loaded by openpyxl, after
    the limits for a whole-workbook load and, unless ``read_only``, the check that nothing would be
    dropped by saving it again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_whole_workbook(zf, name)
            if not read_only:
                refuse_lossy_round_trip(zf, name)
    except zipfile.BadZipFile:
        raise WorkbookUnusable(f"{name} は壊れていて読めません。Excel で開けるか確認してください",
                               f"{name} is damaged and cannot be read; check that Excel opens it") from None
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only, keep_vba=keep_vba)
    except MemoryError:
        raise WorkbookUnusable(f"{name} は大きすぎてメモリが足りません", f"{name} is too large for the memory available") from None
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds on a damaged package
        raise UserError(f"{name} を開けません（{type(exc).__name__}）。Excel で開けるか確認してください",
                        f"cannot open {name} ({type(exc).__name__}); check that Excel opens it") from None


# What openpyxl does not model, so a load-and-save loses it: (test on the package, Japanese, English).
_SHAPE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:sp|grpSp|cxnSp)[\s>]")
_RUN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?r[\s>]")
_EXTENSION_RULES = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:dataValidations|conditionalFormattings|sparklineGroups)[\s>]")
_LOST_FOLDERS = (
    ("xl/threadedComments/", "スレッド形式のコメント", "threaded comments"),
    ("xl/ctrlProps/", "フォームコントロール", "form controls"),
    ("xl/activeX/", "ActiveX コントロール", "ActiveX controls"),
    ("xl/embeddings/", "埋め込みオブジェクト", "embedded objects"),
    ("xl/slicers/", "スライサー", "slicers"),
    ("xl/timelines/", "タイムライン", "timelines"),
)


def lost_on_round_trip(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """What of this package openpyxl would drop on load-and-save, as (Japanese, English) names."""
    names = zf.namelist()
    lost: list[tuple[str, str]] = []
    for prefix, ja, en in _LOST_FOLDERS:
        if any(n.startswith(prefix) and not n.endswith("/") for n in names):
            lost.append((ja, en))
    drawings = [n for n in names if n.startswith("xl/drawings/") and n.endswith(".xml") and "/_rels/" not in n]
    if any(_SHAPE.search(zf.read(n)) for n in drawings):
        lost.append(("図形・テキストボックス", "shapes and text boxes"))
    if any(n.startswith("xl/media/") for n in names) and not _pillow():
        lost.append(("画像", "pictures"))
    texts = [n for n in names if n == "xl/sharedStrings.xml" or (n.startswith("xl/worksheets/") and n.endswith(".xml"))]
    if any(_RUN.search(zf.read(n)) for n in texts):
        lost.append(("文字ごとの書式（色・太字などを一部の文字だけに付けたもの）", "rich text (formatting on part of a cell's text)"))
    sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if any(b"<extLst" in (xml := zf.read(n)) and _EXTENSION_RULES.search(xml, xml.find(b"<extLst")) for n in sheets):
        lost.append(("新しい形式の入力規則・条件付き書式", "extension-list data validations or conditional formats"))
    return lost


def _pillow() -> bool:
    import importlib.util

    return importlib.util.find_spec("PIL") is not None


def refuse_lossy_round_trip(zf: zipfile.ZipFile, name: str) -> None:
    lost = lost_on_round_trip(zf)
    if lost:
        ja = "・".join(j for j, _ in lost)
        en = ", ".join(e for _, e in lost)
        raise UserError(
            f"{name} には、この操作で保存し直すと失われる内容があります（{ja}）。何も書き込んでいません。"
            "これらを別のブックに移してから実行してください（計画書・実績報告は --out で別のブックに作れます）",
            f"{name} holds content this operation would lose on saving ({en}); nothing was written. Move it to "
            "another workbook first (plans and the report can go to another workbook with --out)",
        )


def workbook_bytes(wb: Workbook, password: str | None = None) -> bytes:
    """``wb`` as .xlsx bytes, written in memory only (encrypted with ``password`` when given)."""
    payload = save_in_memory(wb)
    return encrypt(payload, password) if password is not None else payload


def save_in_memory(wb: Workbook) -> bytes:
    """openpyxl's save, with each sheet serialised into memory instead of a temporary file."""
    import datetime

    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class _InMemory(ExcelWriter):
        def write_worksheet(self, ws) -> None:  # openpyxl 3.1's, with out=BytesIO and no cleanup
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            if self.workbook.write_only:
                raise ValueError("write-only workbooks are saved with plan_sheet.plans_package")
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.out.getvalue())
            self.manifest.append(ws)

    out = io.BytesIO()
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
    _InMemory(wb, archive).save()
    return out.getvalue()


def encrypt(payload: bytes, password: str) -> bytes:
    """Excel's "Encrypt with Password" (agile encryption), so a protected ledger stays protected."""
    from .encryption import msoffcrypto

    msoffcrypto(t("台帳", "the ledger"))
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(payload)).encrypt(password, encrypted)
    return encrypted.getvalue()
