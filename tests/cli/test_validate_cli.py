"""`xlsbridge validate` and `xlsbridge rules` end to end: exit codes, formats, the annotated copy,
damaged workbooks, the shipped sample and template."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from datetime import time
from pathlib import Path

import openpyxl
import pytest
from tests.ledger_builder import AS_OF, WEK, Text, address, clean_spec, write_ledger

from tests.cli_run import xlsbridge
from xlsbridge.i18n import set_lang
from xlsbridge.domain.layout import FINDINGS_SHEET, VISITS

ROOT = Path(__file__).resolve().parents[2]
V = VISITS.name


@pytest.fixture(autouse=True)
def _japanese():
    yield
    set_lang("ja")  # --lang en must not leak into other tests




def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsbridge.cli.main", *args], capture_output=True, text=True,
                          encoding="utf-8")


def _broken(tmp_path) -> Path:
    """Two errors and a warning, and a formula-looking value."""
    spec = clean_spec()
    spec.visits[0].update(extension_minutes=45, extension_agreed=True, end=time(12, 45), staff=Text("=鈴木"))
    spec.visits[1]["case_id"] = "C-999"
    return write_ledger(tmp_path / "台帳.xlsx", spec)


def _warnings_only(tmp_path) -> Path:
    spec = clean_spec()
    spec.visits[0]["staff"] = "鈴木"
    return write_ledger(tmp_path / "warn.xlsx", spec)


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_clean_ledger_exit_0(tmp_path):
    code, out, err = xlsbridge("validate", str(write_ledger(tmp_path / "l.xlsx")), "--as-of", "2025-06-30")
    assert code == 0, err
    assert "問題は見つかりませんでした" in out.decode()


def test_warnings_only_exit_0(tmp_path):
    code, out, _ = xlsbridge("validate", str(_warnings_only(tmp_path)), "--as-of", "R7.6.30")
    assert code == 0
    assert "警告 1 件" in out.decode()


def test_errors_exit_1_text_grouped_by_sheet(tmp_path):
    code, out, _ = xlsbridge("validate", str(_broken(tmp_path)), "--as-of", "2025-06-30")
    text = out.decode()
    assert code == 1
    assert "■ 面会記録（3 件）" in text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("H2"))
    # The message quotes the value itself ("延長 45 分は…"), so it is not repeated as 「（値: 45）」.
    assert "エラー" in line and "30 分単位" in line and "延長 45 分" in line and "（値:" not in line
    assert "エラー 2 件、警告 1 件" in text.splitlines()[-1]


def test_json_output_parses_with_the_documented_schema(tmp_path):
    code, out, _ = xlsbridge("validate", str(_broken(tmp_path)), "--as-of", "2025-06-30", "--format", "json")
    doc = json.loads(out.decode())
    assert code == 1
    assert doc["schema_version"] == 1 and doc["as_of"] == "2025-06-30" and doc["file"] == "台帳.xlsx"
    assert doc["summary"] == {"error": 2, "warning": 1, "total": 3,
                              "by_code": {"extension-unit": 1, "staff-unknown": 1, "unknown-case-id": 1}}
    first = doc["findings"][0]
    assert set(first) == {"code", "severity", "sheet", "cell", "address", "row", "field", "header", "value",
                          "message", "record", "name", "source"}
    assert (first["code"], first["address"], first["field"], first["value"], first["record"]) == (
        "extension-unit", "面会記録!H2", "extension_minutes", "45", "V-001")
    documented = (ROOT / "docs" / "validate-json.md").read_text(encoding="utf-8")
    for key in first:
        assert f"`{key}`" in documented


def test_csv_output_has_bom_and_defuses_formulas(tmp_path):
    code, out, _ = xlsbridge("validate", str(_broken(tmp_path)), "--as-of", "2025-06-30", "--format", "csv")
    assert code == 1 and out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[0] == ["シート", "セル", "重大度", "コード", "内容", "値", "ID"]
    by_code = {r[3]: r for r in rows[1:]}
    assert by_code["extension-unit"][:3] == ["面会記録", "H2", "エラー"]
    assert by_code["staff-unknown"][5] == "'=鈴木"  # never a formula in Excel
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_lang_en(tmp_path):
    code, out, _ = xlsbridge("--lang", "en", "validate", str(_broken(tmp_path)), "--as-of", "2025-06-30")
    text = out.decode()
    assert code == 1
    assert "is not in 30-minute units" in text and "2 error(s), 1 warning(s)" in text
    assert "エラー" not in text


def test_input_file_is_never_changed(tmp_path):
    path = _broken(tmp_path)
    before = _fingerprint(path)
    for fmt in ("text", "json", "csv"):
        xlsbridge("validate", str(path), "--format", fmt)
    xlsbridge("validate", str(path), "--annotate", str(tmp_path / "marked.xlsx"))
    assert _fingerprint(path) == before


def test_annotated_copy(tmp_path):
    path = _broken(tmp_path)
    out = tmp_path / "marked.xlsx"
    before = _fingerprint(path)
    code, _, err = xlsbridge("validate", str(path), "--as-of", "2025-06-30", "--annotate", str(out))
    assert code == 1 and "marked.xlsx" in err
    assert _fingerprint(path) == before
    wb = openpyxl.load_workbook(out)
    h2 = wb[V]["H2"]
    assert h2.fill.fgColor.rgb.endswith("FFC7CE") and "30 分単位" in h2.comment.text
    p2 = wb[V]["P2"]
    assert p2.fill.fgColor.rgb.endswith("FFEB9C") and "支援員シート" in p2.comment.text
    assert wb.sheetnames[0] == FINDINGS_SHEET
    ws = wb[FINDINGS_SHEET]
    links = {c.value: c.hyperlink.location for c in ws["B"] if c.hyperlink is not None}
    assert links["面会記録!H2"] == "'面会記録'!H2" and links["面会記録!B3"] == "'面会記録'!B3"
    # the one チェック結果 layout: the ribbon's (the template's headers, highlight keys in I and J)
    assert [c.value for c in ws[1]][:7] == ["重大度", "セル", "内容", "入力値", "ケース/記録ID", "コード", "シート"]
    typed = [c for c in ws["D"] if c.value == "=鈴木"]
    assert typed and all(c.data_type == "s" for c in typed)  # text, not a formula
    assert ws["I2"].value == "面会記録!H2"  # the key the template's conditional formats look up
    assert wb[V]["A2"].value == "V-001"  # the data is the ledger's


def test_annotate_refuses_to_write_over_the_input(tmp_path):
    path = _broken(tmp_path)
    before = _fingerprint(path)
    code, _, err = xlsbridge("validate", str(path), "--annotate", str(path))
    assert code == 2 and "元の台帳と別のファイル名" in err
    assert _fingerprint(path) == before


def test_annotate_keeps_an_encrypted_ledger_encrypted(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _broken(tmp_path)
    locked = tmp_path / "locked.xlsx"
    buf = io.BytesIO()
    OOXMLFile(io.BytesIO(plain.read_bytes())).encrypt("pw-2025", buf)
    locked.write_bytes(buf.getvalue())
    out = tmp_path / "marked.xlsx"
    code, stdout, err = xlsbridge("validate", str(locked), "--password-env", "LEDGER_PW", "--annotate", str(out),
                                  env={"LEDGER_PW": "pw-2025"})
    assert code == 1, err
    assert out.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # an encrypted package, like the input
    code, _, err = xlsbridge("validate", str(out), "--password-env", "LEDGER_PW", env={"LEDGER_PW": "pw-2025"})
    assert code == 1  # readable with the same password, findings as before


@pytest.mark.parametrize("make,expected", [
    (lambda p: write_ledger(p / "l.xlsx", sheet_titles={V: "面会記録(旧)"}), "シート「面会記録」がありません"),
    (lambda p: write_ledger(p / "l.xlsx", headers={(V, "status"): "状 況"}), "必須の列「状態」"),
    (lambda p: (p / "e.xlsx").write_bytes(b"") or p / "e.xlsx", "空のファイル"),
    (lambda p: (p / "c.xlsx").write_text("a,b\n1,2\n", encoding="utf-8") and p / "c.xlsx", "CSV"),
    (lambda p: p / "none.xlsx", "ありません"),
])
def test_unusable_workbooks_exit_2_with_one_line(tmp_path, make, expected):
    code, out, err = xlsbridge("validate", str(make(tmp_path)))
    assert code == 2 and out == b""
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_password_env_without_the_variable(tmp_path):
    code, _, err = xlsbridge("validate", str(_broken(tmp_path)), "--password-env", "NO_SUCH_VAR_XB",
                             env={"NO_SUCH_VAR_XB": None})
    assert code == 2 and "NO_SUCH_VAR_XB" in err


def test_damaged_cells_in_a_real_subprocess(tmp_path):
    """Text in a number cell, a merged cell and a formula: findings and exit 1, no traceback."""
    spec = clean_spec()
    spec.visits[0]["children"] = "二人"
    spec.visits[1]["visit_date"] = "=TODAY()"
    path = write_ledger(tmp_path / "l.xlsx", spec, merge={V: ["B2:B3"]})
    p = run("validate", str(path), "--as-of", "2025-06-30", "--format", "json")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    got = {(f["code"], f["address"]) for f in json.loads(p.stdout)["findings"]}
    assert got == {("cell-not-a-number", "面会記録!G2"), ("merged-cell", "面会記録!B2"),
                   ("cell-formula", "面会記録!C3")}
    # openpyxl saves no result for =TODAY(): one finding, which says the cell was taken as empty (before,
    # it said "the displayed result was read" and required-missing said "the date is empty" as well).
    message = next(f["message"] for f in json.loads(p.stdout)["findings"] if f["code"] == "cell-formula")
    assert "保存された結果がないため空として扱いました" in message and "表示されている結果" not in message


def test_unusable_in_a_real_subprocess(tmp_path):
    p = run("validate", str(write_ledger(tmp_path / "l.xlsx", sheet_titles={V: "visits"})))
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("xlsbridge: シート「面会記録」がありません") and "Traceback" not in p.stderr


def test_names_are_never_echoed(tmp_path):
    spec = clean_spec()
    spec.cases[0]["father.name"] = "=北陸 太郎"  # a formula: reported, but the name is not shown
    spec.children[0]["name"] = "#N/A"
    path = write_ledger(tmp_path / "l.xlsx", spec)
    for fmt in ("text", "json", "csv"):
        _, out, _ = xlsbridge("validate", str(path), "--as-of", "2025-06-30", "--format", fmt)
        assert "北陸" not in out.decode("utf-8-sig")
        assert address("ケース", "father.name", 2).split("!")[1] in out.decode("utf-8-sig")


def test_help_ends_with_an_example():
    for command, lang, word in (("validate", "ja", "例:"), ("rules", "ja", "例:"), ("validate", "en", "Example:")):
        code, out, _ = xlsbridge(command, "--help", "--lang", lang)
        assert code == 0
        text = out.decode()
        assert word in text and text.rstrip().splitlines()[-1].strip().startswith("xlsbridge")


def test_rules_lists_the_catalogue():
    code, out, _ = xlsbridge("rules")
    text = out.decode()
    assert code == 0
    for code_name in ("visit-before-contract", "extension-unit", "cell-unreadable-date", "terminated-person-new-case"):
        assert code_name in text


def test_committed_rules_page_matches_the_catalogue():
    code, out, _ = xlsbridge("rules", "--markdown")
    assert code == 0
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert out.decode() == committed, "docs/rules.md is stale: run `xlsbridge rules --markdown > docs/rules.md`"


# ------------------------------------------------------------------------------------------------
# The shipped workbooks
# ------------------------------------------------------------------------------------------------

SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"


def _template_files() -> list[Path]:
    return sorted(p for p in (ROOT / "workbooks").glob("*.xlsx") if "テンプレート" in p.name or "template" in p.name)


def test_shipped_sample_has_exactly_the_deliberate_mistakes():
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE.relative_to(ROOT)} has not been generated yet")
    sample_data = pytest.importorskip("xlsbridge.samples.generate", reason="xlsbridge/samples/generate.py not written yet")
    mistakes = getattr(sample_data, "DELIBERATE_MISTAKES", None)
    if mistakes is None:
        pytest.skip("sample_data.DELIBERATE_MISTAKES not defined yet")
    code, out, _ = xlsbridge("validate", str(SAMPLE), "--as-of", sample_data.SAMPLE_TODAY.isoformat(),
                             "--format", "json")
    got = sorted((f["code"], f["address"]) for f in json.loads(out.decode())["findings"])
    assert got == sorted((m.code, m.cell) for m in mistakes)
    assert code == 1


def test_shipped_template_validates_clean():
    files = _template_files()
    if not files:
        pytest.skip("no template workbook in workbooks/ yet")
    for path in files:
        code, out, _ = xlsbridge("validate", str(path), "--as-of", "2026-03-01", "--format", "json")
        assert json.loads(out.decode())["findings"] == [] and code == 0, path.name


def test_template_built_now_validates_clean(tmp_path):
    from xlsbridge.io.template import build_template

    path = tmp_path / "template.xlsx"
    build_template(WEK).save(path)
    code, out, _ = xlsbridge("validate", str(path), "--as-of", AS_OF.isoformat())
    assert code == 0 and "問題は見つかりませんでした" in out.decode()


def test_rules_in_japanese_name_the_rule_book_section_in_japanese():
    # Before: 「…（規則: Fees: extension）」 — an English section in the Japanese listing.
    code, out, _ = xlsbridge("rules")
    sections = re.findall(r"（規則: ([^）]*)）", out.decode())
    assert code == 0 and len(sections) >= 50
    assert all(not re.search(r"[A-Za-z]", s) for s in sections), [s for s in sections if re.search(r"[A-Za-z]", s)]
    assert "料金: 延長" in sections
    code, out, _ = xlsbridge("--lang", "en", "rules")
    assert "(rule book: Fees: extension)" in out.decode()


def test_finding_types_are_declared_with_keywords():
    from xlsbridge.domain.findings import FindingType

    with pytest.raises(TypeError):
        FindingType("x", "error", "x", "x", "", "", "", "", "test")  # type: ignore[misc]


def test_a_message_that_quotes_its_value_is_not_followed_by_the_value_again(tmp_path):
    spec = clean_spec()
    spec.visits[0].update(support_type="handover", extension_minutes=30, extension_agreed=True)
    spec.visits[1]["support_type"] = "handover"
    spec.cases[0]["support_type"] = "handover"
    code, out, _ = xlsbridge("validate", str(write_ledger(tmp_path / "l.xlsx", spec)), "--as-of", "2025-06-30")
    line = next(ln for ln in out.decode().splitlines() if "延長がありません" in ln)
    # Before: 「受け渡し型 には延長がありません…（入力: 30 分）（値: 30）」.
    assert "受け渡し型には延長がありません" in line and "（入力: 30 分）" in line and "（値:" not in line
