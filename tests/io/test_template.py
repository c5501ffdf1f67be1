"""The ledger template: the committed workbooks equal what the code builds (bytes), and what a fresh
template holds when read back with openpyxl (tables, drop-downs, frozen panes, formats, computed
columns, the confidential contacts sheet, the template version).  The `template new` command.
LibreOffice opens both workbooks (when installed).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from xlsbridge.samples.workbooks import SAMPLE_FILE, TEMPLATE_FILE, main as build_main, sample_workbook, template_workbook
from xlsbridge.domain.layout import (
    CONTACTS,
    FEE_COLUMNS,
    RECORD_SHEETS,
    TEMPLATE_VERSION,
    TEMPLATE_VERSION_NAME,
    VISITS,
)
from xlsbridge.io.settings_sheet import read_settings_sheets
from xlsbridge.io.settings_toml import default_settings
from xlsbridge.io.template import (
    COMPUTED_NOTE,
    CONFIDENTIAL,
    STAFF_LIST_NAME,
    build_template,
    save_workbook_deterministic,
    workbook_bytes,
)

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = ROOT / "workbooks"
ORDER = ["使い方", "ケース", "連絡先", "子ども", "面会記録", "支援員", "設定", "区域", "チェック結果"]


@pytest.fixture(scope="module")
def template_bytes() -> bytes:
    return workbook_bytes(template_workbook())


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    return workbook_bytes(sample_workbook())


@pytest.fixture(scope="module")
def template(template_bytes):
    return openpyxl.load_workbook(io.BytesIO(template_bytes))


@pytest.fixture(scope="module")
def sample(sample_bytes):
    return openpyxl.load_workbook(io.BytesIO(sample_bytes))


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


# ---- reproducible and committed ---------------------------------------------------------------


@pytest.mark.parametrize("name, fixture", [(TEMPLATE_FILE, "template_bytes"), (SAMPLE_FILE, "sample_bytes")])
def test_committed_workbook_is_what_the_code_builds(name, fixture, request):
    built = request.getfixturevalue(fixture)
    committed = (WORKBOOKS / name).read_bytes()
    # Content first (a clearer failure), then the bytes themselves.
    assert _entries(committed) == _entries(built), f"workbooks/{name} is stale: python -m xlsbridge.samples.workbooks"
    assert committed == built


def test_building_twice_gives_identical_bytes(template_bytes, sample_bytes):
    assert workbook_bytes(template_workbook()) == template_bytes
    assert workbook_bytes(sample_workbook()) == sample_bytes


def test_fixed_timestamps(template_bytes):
    core = _entries(template_bytes)["docProps/core.xml"].decode()
    assert core.count("2026-03-01T00:00:00Z") == 2
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 3, 1, 0, 0, 0)}


def test_build_workbooks_check(tmp_path):
    assert build_main(["--check", "--out-dir", str(WORKBOOKS)]) == 0
    assert build_main(["--check", "--out-dir", str(tmp_path)]) == 1
    assert build_main(["--out-dir", str(tmp_path)]) == 0
    assert (tmp_path / TEMPLATE_FILE).read_bytes() == (WORKBOOKS / TEMPLATE_FILE).read_bytes()


def test_save_is_deterministic_and_atomic(tmp_path):
    path = tmp_path / "a.xlsx"
    save_workbook_deterministic(build_template(default_settings()), path)
    first = path.read_bytes()
    save_workbook_deterministic(build_template(default_settings()), path)
    assert path.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]  # no temporary file left behind


# ---- what the template holds ------------------------------------------------------------------


def test_sheet_order(template, sample):
    assert template.sheetnames == ORDER
    assert sample.sheetnames == ORDER


def test_tables(template, sample):
    for layout in RECORD_SHEETS:
        ws = template[layout.name]
        table = ws.tables[layout.table]
        last = openpyxl.utils.get_column_letter(len(layout.columns))
        assert table.ref == f"A1:{last}2"  # header + one empty row
        assert table.tableStyleInfo.showRowStripes
        assert [ws.cell(1, c + 1).value for c in range(len(layout.columns))] == [c.header for c in layout.columns]
    for layout in RECORD_SHEETS:
        ws = sample[layout.name]
        last = openpyxl.utils.get_column_letter(len(layout.columns))
        assert ws.tables[layout.table].ref == f"A1:{last}{ws.max_row}"
    assert sample[VISITS.name].max_row == 483 + 1


def test_header_style_and_frozen_panes(template):
    freeze = {"ケース": "B2", "連絡先": "B2", "子ども": "B2", "面会記録": "C2", "支援員": "A2"}
    for layout in RECORD_SHEETS:
        ws = template[layout.name]
        assert ws.freeze_panes == freeze[layout.name]
        for c, col in enumerate(layout.columns, start=1):
            cell = ws.cell(1, c)
            assert cell.font.b and cell.fill.fgColor.rgb.endswith("595959" if col.computed else "1F4E78")
        assert ws.print_title_rows == "$1:$1"


def test_drop_downs(template):
    for layout in RECORD_SHEETS:
        ws = template[layout.name]
        by_column: dict[str, str] = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                by_column[openpyxl.utils.get_column_letter(rng.min_col)] = dv.formula1
                assert rng.min_row == 2 and rng.max_row == 1048576
        for c, col in enumerate(layout.columns):
            letter = openpyxl.utils.get_column_letter(c + 1)
            if col.computed:
                continue
            if col.key == "support_type":
                assert by_column[letter] == '"連絡調整型,受け渡し型,付き添い型"'
            elif col.kind == "bool":
                assert by_column[letter] == '"○,×"', col.header
            elif col.kind == "choice":
                assert by_column[letter] == '"' + ",".join(col.choices) + '"', col.header
            elif col.key == "staff":
                assert by_column[letter] == STAFF_LIST_NAME
    assert STAFF_LIST_NAME in template.defined_names


def test_support_types_come_from_the_settings():
    wb = build_template(default_settings("example-tokyo"))
    ws = wb["面会記録"]
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"連絡調整型,受け渡し型,付き添い型,オンライン型"' in formulas


def test_formats(template, sample):
    kinds = {"date": "yyyy/m/d", "time": "h:mm", "datetime": "yyyy/m/d h:mm", "yen": "#,##0"}
    for layout in RECORD_SHEETS:
        ws = template[layout.name]
        for c, col in enumerate(layout.columns, start=1):
            if col.kind in kinds:
                assert ws.cell(2, c).number_format == kinds[col.kind], (layout.name, col.header)
    visits = sample[VISITS.name]
    headers = [c.header for c in VISITS.columns]
    row = next(r for r in range(2, 400) if visits.cell(r, headers.index("中止連絡日時") + 1).value)
    assert isinstance(visits.cell(row, headers.index("中止連絡日時") + 1).value, datetime)
    assert visits.cell(row, headers.index("中止連絡日時") + 1).number_format == "yyyy/m/d h:mm"
    assert visits.cell(2, headers.index("実施日") + 1).number_format == "yyyy/m/d"
    assert isinstance(visits.cell(2, headers.index("開始時刻") + 1).value, time)
    assert visits.cell(2, headers.index("開始時刻") + 1).number_format == "h:mm"
    cases = sample["ケース"]
    ratio = [c.header for c in RECORD_SHEETS[0].columns].index("負担割合") + 1
    assert cases.cell(2, ratio).number_format == "@"


def test_computed_columns_are_grey_with_a_note(template, sample):
    ws = template[VISITS.name]
    headers = [c.header for c in VISITS.columns]
    for col in FEE_COLUMNS:
        c = headers.index(col.header) + 1
        assert ws.cell(1, c).comment.text == COMPUTED_NOTE
        assert ws.cell(2, c).fill.fgColor.rgb.endswith("D9D9D9")
        letter = openpyxl.utils.get_column_letter(c)
        assert ws.column_dimensions[letter].fill.fgColor.rgb.endswith("D9D9D9")
    input_col = headers.index("実施日") + 1
    assert ws.cell(1, input_col).comment is None
    assert not ws.cell(2, input_col).fill.fgColor.rgb.endswith("D9D9D9")


def test_contacts_sheet_is_marked_confidential(template):
    ws = template[CONTACTS.name]
    assert ws.sheet_properties.tabColor.rgb.endswith("C00000")
    banner = ws.cell(1, len(CONTACTS.columns) + 2)
    assert banner.value == CONFIDENTIAL
    assert ws.cell(1, len(CONTACTS.columns) + 1).value is None  # a gap between the table and the banner
    assert CONFIDENTIAL in ws.oddHeader.center.text


def test_template_version_recorded(template):
    name = template.defined_names[TEMPLATE_VERSION_NAME]
    assert name.attr_text == f'"{TEMPLATE_VERSION}"'
    props = {p.name: p.value for p in template.custom_doc_props.props}
    assert props[TEMPLATE_VERSION_NAME] == TEMPLATE_VERSION


def test_settings_sheets_read_back(template):
    rows = {n: [list(r) for r in template[n].iter_rows(values_only=True)] for n in ("設定", "区域")}
    assert read_settings_sheets(rows) == default_settings()


def test_sample_values_are_cell_text(sample):
    cases = sample["ケース"]
    headers = [c.value for c in cases[1]]
    first = {h: c.value for h, c in zip(headers, cases[2])}
    assert first["ケースID"] == "K-0001"
    assert first["状態"] in ("相談中", "契約中", "終了", "中止")
    assert first["援助内容"] in ("連絡調整型", "受け渡し型", "付き添い型")
    assert first["父賛助会員"] in ("○", "×")
    assert isinstance(first["申込日"], datetime)
    assert first["申込日"].date() >= date(2024, 2, 1)


def test_instructions_sheet(template):
    text = "\n".join(str(c.value) for c in template["使い方"]["A"] if c.value)
    assert "個人情報" in text and "灰色の列" in text and TEMPLATE_VERSION in text


# ---- the command ------------------------------------------------------------------------------


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd)


def test_template_new(tmp_path):
    path = tmp_path / "台帳.xlsx"
    p = run("template", "new", str(path))
    assert p.returncode == 0, p.stderr
    assert path.read_bytes() == (WORKBOOKS / TEMPLATE_FILE).read_bytes()
    p = run("template", "new", str(path))
    assert p.returncode == 2
    assert p.stderr.strip() == "xlsbridge: 台帳.xlsx はすでにあります。上書きするときは --force を付けてください"
    assert "Traceback" not in p.stderr
    tokyo = ROOT / "xlsbridge" / "data" / "settings" / "example-tokyo.toml"
    p = run("template", "new", str(path), "--settings", str(tokyo), "--force")
    assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(path)
    rows = {n: [list(r) for r in wb[n].iter_rows(values_only=True)] for n in ("設定", "区域")}
    assert read_settings_sheets(rows) == default_settings("example-tokyo")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["台帳.xlsx"]


def test_template_new_refuses_bad_paths(tmp_path):
    p = run("template", "new", str(tmp_path / "台帳.txt"))
    assert p.returncode == 2 and ".xlsx" in p.stderr
    p = run("--lang", "en", "template", "new", str(tmp_path / "missing" / "a.xlsx"))
    assert p.returncode == 2 and p.stderr.startswith("xlsbridge: output folder does not exist")
    (tmp_path / "open.xlsx").write_bytes(b"x")
    (tmp_path / "~$open.xlsx").write_bytes(b"x")
    p = run("template", "new", str(tmp_path / "open.xlsx"), "--force")
    assert p.returncode == 2 and "Excel で開かれています" in p.stderr


@pytest.mark.parametrize("args", [("template", "--help"), ("template", "new", "--help"), ("sample", "--help")])
def test_help_ends_with_an_example(args):
    p = run(*args)
    assert p.returncode == 0
    assert "例:" in p.stdout and p.stdout.rstrip().splitlines()[-1].strip().startswith("xlsbridge ")


def test_command_modules_import_only_click_at_top_level():
    code = ("import sys, xlsbridge.cli.template_cmd, xlsbridge.cli.sample_cmd; "
            "print(any(m in sys.modules for m in ('openpyxl', 'pydantic', 'xlsbridge.io.template')))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == "False", p.stderr


# ---- LibreOffice ------------------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_and_converts_to_pdf(tmp_path):
    for name in (TEMPLATE_FILE, SAMPLE_FILE):
        shutil.copy(WORKBOOKS / name, tmp_path / name)
    profile = (tmp_path / "profile").as_uri()
    p = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(tmp_path / TEMPLATE_FILE), str(tmp_path / SAMPLE_FILE)],
        capture_output=True, text=True, timeout=300,
    )
    assert p.returncode == 0, p.stderr
    for name in (TEMPLATE_FILE, SAMPLE_FILE):
        pdf = tmp_path / "pdf" / (Path(name).stem + ".pdf")
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), p.stdout + p.stderr
        assert pdf.stat().st_size > 10_000
