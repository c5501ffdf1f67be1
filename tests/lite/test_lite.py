"""xlsbridge for xlwings Lite, under CPython: the ledger's Lite part, the plan drawn into the workbook,
the Lite self-check, `addin lite`, the optional encryption extra and the reproducible release build.

(The same scripts run in WebAssembly in tests/test_lite_pyodide.py.)
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

from tests import hostile as H
from tests import xlwings_payload as xp
from tests.cli_run import xlsbridge
from xlsbridge import __version__
from xlsbridge.excel import entrypoints as ep
from xlsbridge.excel.drawn_sheet import put_drawn_sheet, rectangles
from xlsbridge.excel.runtime import in_lite, lite_runtime
from xlsbridge.samples.workbooks import SAMPLE_FILE, TEMPLATE_FILE
from xlsbridge.io.lite_part import MAIN_PY, PARTS, read_lite_part
from xlsbridge.io.plan_sheet import draw_plan
from xlsbridge.io.reader import read_ledger
from xlsbridge.lite.distribution import build_wheel, wheel_name
from xlsbridge.services.doctor import diagnose, render
from xlsbridge.services.plan import plans_for, select_cases

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / SAMPLE_FILE
TEMPLATE = ROOT / "workbooks" / TEMPLATE_FILE
AS_OF = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [e.name for e in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.Engine(impl=_xlremote.engine))


def lite_book(path: Path, **kwargs) -> xw.Book:
    kwargs.setdefault("client", xp.LITE_CLIENT)
    kwargs.setdefault("exclude", ("連絡先",))
    return xw.Book(json=xp.build_payload(xp.load(path), **kwargs))


def actions(book) -> list[dict]:
    return book.json()["actions"]


# --------------------------------------------------------------------------------------------------
# The ledger's Lite part (requirements.txt, main.py)
# --------------------------------------------------------------------------------------------------


def test_the_shipped_ledgers_name_xlsbridge_for_lite():
    for path in (SAMPLE, TEMPLATE):
        part = read_lite_part(path.read_bytes())
        assert part == {"requirements.txt": f"xlsbridge=={__version__}\n", "main.py": MAIN_PY}
        assert "from xlsbridge.lite import *" in part["main.py"]


def test_template_new_writes_the_part_with_the_admins_wheel_url(tmp_path):
    url = f"https://example.org/dl/xlsbridge-{__version__}-py3-none-any.whl"
    code, _, err = xlsbridge("template", "new", str(tmp_path / "台帳.xlsx"), "--lite-package", url)
    assert code == 0, err
    data = (tmp_path / "台帳.xlsx").read_bytes()
    assert read_lite_part(data)["requirements.txt"] == url + "\n"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("_rels/.rels").decode()
        taskpanes = z.read("xl/webextensions/taskpanes.xml").decode()
    assert 'PartName="/xl/webextensions/webextension1.xml"' in types and "webextensiontaskpanes" in rels
    assert 'visibility="1"' in taskpanes  # the Lite pane opens with the ledger
    openpyxl.load_workbook(io.BytesIO(data))  # still an ordinary workbook


@pytest.mark.parametrize("spec", ["requests", "xlsbridge\nmalware", "http://example.org/xlsbridge-0.1.0-py3-none-any.whl"])
def test_template_new_refuses_another_package_in_one_line(tmp_path, spec):
    code, _, err = xlsbridge("template", "new", str(tmp_path / "台帳.xlsx"), "--lite-package", spec)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--lite-package" in err
    assert not (tmp_path / "台帳.xlsx").exists()


def test_fees_keeps_the_part(tmp_path):
    ledger = tmp_path / "台帳.xlsx"
    ledger.write_bytes(SAMPLE.read_bytes())
    code, _, err = xlsbridge("fees", str(ledger), "--as-of", AS_OF.isoformat())
    assert code == 0, err
    assert read_lite_part(ledger.read_bytes())["requirements.txt"] == f"xlsbridge=={__version__}\n"


def test_a_write_through_openpyxl_carries_the_part_over(tmp_path):
    """`plan` into the ledger saves the whole workbook with openpyxl, which drops unknown parts."""
    ledger = tmp_path / "台帳.xlsx"
    ledger.write_bytes(SAMPLE.read_bytes())
    before = {n: zipfile.ZipFile(ledger).read(n) for n in PARTS}
    code, _, err = xlsbridge("plan", str(ledger), "--case", "K-0001", "--as-of", AS_OF.isoformat())
    assert code == 0, err
    with zipfile.ZipFile(ledger) as z:
        assert "計画書_K-0001" in openpyxl.load_workbook(ledger).sheetnames
        assert {n: z.read(n) for n in PARTS} == before


def _without_part(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name not in PARTS:
                dst.writestr(name, src.read(name))
    return out.getvalue()


def test_template_upgrade_gives_an_older_ledger_the_part(tmp_path):
    old = tmp_path / "古い台帳.xlsx"
    old.write_bytes(_without_part(SAMPLE.read_bytes()))
    assert read_lite_part(old.read_bytes()) is None
    code, _, err = xlsbridge("template", "upgrade", str(old), "--out", str(tmp_path / "新.xlsx"),
                             "--as-of", AS_OF.isoformat())
    assert code == 0, err
    assert read_lite_part((tmp_path / "新.xlsx").read_bytes())["main.py"] == MAIN_PY


# --------------------------------------------------------------------------------------------------
# The plan drawn into the workbook (Lite has no files)
# --------------------------------------------------------------------------------------------------


def test_rectangles_join_runs_of_equal_values():
    grid = ["AAB.",
            "AAB.",
            "..BB"]
    found = rectangles(4, 3, lambda r, c: None if grid[r - 1][c - 1] == "." else grid[r - 1][c - 1])
    assert found == [((1, 1, 2, 2), "A"), ((1, 3, 2, 3), "B"), ((3, 3, 3, 4), "B")]


def _plans():
    read = read_ledger(SAMPLE)
    return plans_for(read, select_cases(read, None, True), AS_OF)


def test_a_plan_sheet_in_the_workbook_holds_what_the_plan_file_holds():
    plan = max(_plans(), key=lambda p: len(p.progress))
    ws = openpyxl.Workbook().active
    draw_plan(ws, plan)
    book = lite_book(SAMPLE)
    sheet, skipped = put_drawn_sheet(book, ws, "計画書_X")
    assert skipped == []  # the Office.js client takes every kind of formatting used
    done = actions(book)
    values = next(a for a in done if a["func"] == "setValues")
    expected = [[ep_text(c.value) for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row)]
    assert values["values"] == expected
    assert values["start_row"] == 0 and values["start_column"] == 0
    area = next(a for a in done if a["func"] == "setPrintArea")
    assert area["args"] == [f"A1:H{ws.max_row}"]
    assert ["setShowGridlines"] == [a["func"] for a in done if a["func"] == "setShowGridlines"]
    assert any(a["func"] == "rangeMerge" for a in done)
    # The form's one font, vertical alignment and wrapping go to the whole area in one action each;
    # the covered cells of merges do not split them into pieces.
    fonts = [a["args"] for a in done if a["func"] == "setFontProperty" and a["args"][0] == "name"]
    assert fonts == [["name", "游ゴシック"]]
    assert len([a for a in done if a["func"] in ("setVerticalAlignment", "setWrapText")]) == 2
    # Borders: one line style per side of each framed block (the weight stays Excel's thin).
    sides = [a["args"] for a in done if a["func"] == "setBorderProperty"]
    assert sides and all(args[1] == "line_style" and args[2] == "continuous" for args in sides)


def ep_text(value):
    from xlsbridge.excel.book import as_excel_text

    value = as_excel_text(value)
    return "" if value is None else value


def test_drawing_a_plan_costs_the_same_actions_for_2_or_40_visits():
    plans = sorted(_plans(), key=lambda p: len(p.progress))
    few, many = plans[0], plans[-1]
    assert len(many.progress) > len(few.progress) + 10
    counts = []
    for plan in (few, many):
        ws = openpyxl.Workbook().active
        draw_plan(ws, plan)
        book = lite_book(SAMPLE)
        put_drawn_sheet(book, ws, "計画書_X")
        counts.append(len(actions(book)))
    assert counts[0] == counts[1]


def test_make_all_plans_in_lite_draws_sheets_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XLSBRIDGE_OUTPUT_DIR", str(tmp_path))
    book = lite_book(SAMPLE)
    with lite_runtime():
        assert in_lite()
        assert ep.make_all_plans(book, as_of=AS_OF) is None
    assert not in_lite()
    assert list(tmp_path.iterdir()) == []
    added = [a["args"][1] for a in actions(book) if a["func"] == "addSheet"]
    assert len(added) == len(_plans()) and added[0].startswith("計画書_K-")


def test_make_plan_in_lite_replaces_the_older_sheet_of_the_case(tmp_path):
    wb = xp.load(SAMPLE)
    wb.create_sheet("計画書_K-0001")
    book = xw.Book(json=xp.build_payload(wb, active="ケース", selection="A2", client=xp.LITE_CLIENT))
    with lite_runtime():
        ep.make_plan(book, as_of=AS_OF)
    funcs = [(a["func"], a["args"]) for a in actions(book) if a["func"] in ("sheetDelete", "addSheet")]
    assert funcs[0][0] == "sheetDelete" and funcs[1] == ("addSheet", [len(wb.sheetnames) - 1, "計画書_K-0001"])
    assert "このブックのシートに作成しました" in [a for a in actions(book) if a["func"] == "alert"][0]["args"][0]


# --------------------------------------------------------------------------------------------------
# 自己診断 in Lite
# --------------------------------------------------------------------------------------------------


def test_self_check_in_lite_says_what_lite_users_can_act_on():
    text = render(diagnose(template_version="1.0", check_template=True, lite=True))
    assert "xlsbridge: " + __version__ in text and "xlwings: " in text and "必要なパッケージ" in text
    assert "LibreOffice" not in text and "Python の場所" not in text
    newer = render(diagnose(template_version="99.0", check_template=True, lite=True))
    assert "requirements.txt" in newer and "pip install" not in newer


def test_self_check_in_lite_names_a_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "jpholiday", None)  # an import of it now fails
    text = render(diagnose(lite=True))
    assert "✗ 必要なパッケージ: 入っていません: jpholiday" in text and "Restart" in text


# --------------------------------------------------------------------------------------------------
# addin lite, the wheel, the release build
# --------------------------------------------------------------------------------------------------


def test_addin_lite_writes_what_the_admin_pastes(tmp_path):
    code, out, err = xlsbridge("addin", "lite", "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8") == f"xlsbridge=={__version__}\n"
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == MAIN_PY
    assert not (tmp_path / wheel_name()).exists()
    compile(MAIN_PY, "main.py", "exec")


def test_the_lite_wheel_is_this_package_and_the_same_every_time():
    first, second = build_wheel(), build_wheel()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        names = set(z.namelist())
        record = z.read(f"xlsbridge-{__version__}.dist-info/RECORD").decode()
        metadata = z.read(f"xlsbridge-{__version__}.dist-info/METADATA").decode()
    package = ROOT / "xlsbridge"
    modules = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    assert modules <= names and "xlsbridge/lite/__init__.py" in names
    assert any(n.startswith("xlsbridge/macros/") for n in names) and any(n.startswith("xlsbridge/data/") for n in names)
    assert all(line.split(",")[0] in names for line in record.splitlines())
    assert "Name: xlsbridge" in metadata and "Requires-Dist: xlwings" in metadata


def test_release_build_is_reproducible_and_encryption_is_an_extra(tmp_path):
    """scripts/build_dist.py twice: the same sdist and wheel bytes (SOURCE_DATE_EPOCH, normalised tar)."""
    digests = []
    for run in ("a", "b"):
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_dist.py"), "--outdir", str(tmp_path / run)],
                       check=True, capture_output=True, timeout=600)
        files = sorted((tmp_path / run).iterdir())
        assert [f.name for f in files] == [wheel_name(), f"xlsbridge-{__version__}.tar.gz"]
        digests.append([hashlib.sha256(f.read_bytes()).hexdigest() for f in files])
    assert digests[0] == digests[1]
    with zipfile.ZipFile(tmp_path / "a" / wheel_name()) as z:
        metadata = z.read(f"xlsbridge-{__version__}.dist-info/METADATA").decode()
        assert "xlsbridge/lite/__init__.py" in z.namelist()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    crypto = [line for line in requires if "msoffcrypto" in line]
    assert crypto and all("extra ==" in line for line in crypto)  # only with [encryption] (and [test])
    assert "Provides-Extra: encryption" in metadata and "License-Expression: MIT" in metadata


def test_an_encrypted_ledger_without_the_extra_says_how_to_get_it(tmp_path, monkeypatch):
    path = tmp_path / "台帳.xlsx"
    path.write_bytes(H.encrypt(SAMPLE.read_bytes(), "pw"))
    monkeypatch.setitem(sys.modules, "msoffcrypto", None)
    code, out, err = xlsbridge("validate", str(path), "--password-env", "PW", env={"PW": "pw"})
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert 'pip install "xlsbridge[encryption]"' in err and "パスワード付き" in err
