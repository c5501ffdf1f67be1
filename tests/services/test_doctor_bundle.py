"""`xlsbridge bundle` (what an admin copies to staff PCs) and `xlsbridge doctor` (is this PC ready?).

The bundle: every file its install guide names is in the folder; the add-in is this package's
version; the template carries the organisation's settings; the checksums match (the offline
installer and its wheelhouse: test_bundle_offline.py).  The doctor: exit 0 without a problem, 1 with one (a mismatched add-in, a ledger
of an old or newer template, a ledger that cannot be read), each with what to do.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import openpyxl
import pytest

from tests.ledger_builder import WEK
from tests.cli_run import xlsbridge as run_in_process
from xlsbridge import __version__
from xlsbridge.addin.build import build_addin, read_addin_version
from xlsbridge.errors import UserError
from xlsbridge.domain.layout import TEMPLATE_VERSION
from xlsbridge.io.reader import read_ledger
from xlsbridge.io.settings_sheet import write_settings_sheets
from xlsbridge.io.settings_toml import default_settings, shipped_text
from xlsbridge.services.bundle import GUIDE, install_guide, make_bundle
from xlsbridge.services.doctor import doctor_checks, interpreter_in_config, xlwings_config_check

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "workbooks" / "案件台帳サンプル.xlsx"
# What the guide may name as a file: anything with the extension of a file the bundle holds.
FILE_NAME = re.compile(r"[\w\-.一-龥ぁ-んァ-ヶー]+\.(?:xlam|xlsx|toml|cmd|txt)\b")


def xlsbridge(*args: str) -> tuple[int, str, str]:
    code, out, err = run_in_process(*args)
    return code, out.decode("utf-8"), err


@pytest.fixture(scope="module")
def tokyo_bundle(tmp_path_factory, windows_wheelhouse) -> Path:
    root = tmp_path_factory.mktemp("bundle")
    org = root / "団体設定.toml"
    org.write_text(shipped_text("example-tokyo"), encoding="utf-8")
    out = root / "配布"
    code, stdout, stderr = xlsbridge("bundle", "--out", str(out), "--settings", str(org),
                                     "--wheelhouse", str(windows_wheelhouse))
    assert code == 0, stderr
    return out


def guide_text(folder: Path) -> str:
    data = (folder / GUIDE).read_bytes()
    assert data.startswith("\ufeff".encode("utf-8"))  # Notepad on any Windows reads it as UTF-8
    return data.decode("utf-8-sig").replace("\r\n", "\n")


# ---- bundle --------------------------------------------------------------------------------------


def test_every_file_the_guide_names_is_in_the_bundle(tokyo_bundle):
    named = set(FILE_NAME.findall(guide_text(tokyo_bundle)))
    present = {p.name for p in tokyo_bundle.iterdir() if p.is_file()}
    assert (tokyo_bundle / "wheelhouse").is_dir() and "wheelhouse" in guide_text(tokyo_bundle)
    assert named, "the guide names no file?"
    assert named <= present, f"named in the guide but missing: {named - present}"
    # And the other way round: the guide lists everything handed over.
    assert present <= named


def test_the_guide_covers_the_set_up_traps(tokyo_bundle):
    text = guide_text(tokyo_bundle)
    for needed in ("python.org", "Microsoft Store", "install.cmd", r"%APPDATA%\Microsoft\Excel\XLSTART",
                   r"%USERPROFILE%\.xlsbridge\xlsbridge.conf", "信頼できる場所", "プロパティ", "許可する", "OneDrive",
                   "ユーザー名が日本語", "保護ビュー", "自己診断", r"C:\xlsbridge", "xlsbridge_backup"):
        assert needed in text, needed
    assert "NPO法人みなと親子交流ネット（架空の例）" in text.splitlines()[0]


def test_addin_is_this_packages_version(tokyo_bundle):
    assert read_addin_version(tokyo_bundle / "xlsbridge.xlam") == __version__


def test_template_carries_the_organisations_settings(tokyo_bundle):
    read = read_ledger(tokyo_bundle / "案件台帳テンプレート.xlsx")
    assert read.ledger.settings == default_settings("example-tokyo")
    assert read.ledger.template_version == TEMPLATE_VERSION
    # The organisation file is the admin's own text, comments and all.
    assert (tokyo_bundle / "団体設定.toml").read_text(encoding="utf-8") == shipped_text("example-tokyo")


def test_checksums_match(tokyo_bundle):
    lines = (tokyo_bundle / "SHA256SUMS.txt").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(tokyo_bundle).as_posix() for p in tokyo_bundle.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS.txt"} and any(n.startswith("wheelhouse/") for n in listed)
    for name, digest in listed.items():
        assert hashlib.sha256((tokyo_bundle / name).read_bytes()).hexdigest() == digest


def test_bundle_is_reproducible(tmp_path, windows_wheelhouse):
    a = make_bundle(tmp_path / "a", WEK, wheelhouse=windows_wheelhouse)
    b = make_bundle(tmp_path / "b", WEK, wheelhouse=windows_wheelhouse)
    assert a.files == b.files  # names, sizes and sha256 of every file


def test_bundle_refuses_a_non_empty_folder_without_force(tmp_path, windows_wheelhouse):
    out = tmp_path / "配布"
    out.mkdir()
    (out / "前の.txt").write_text("x")
    code, _, err = xlsbridge("bundle", "--out", str(out), "--wheelhouse", str(windows_wheelhouse))
    assert code == 2 and "--force" in err and err.count("\n") == 1
    code, _, err = xlsbridge("bundle", "--out", str(out), "--force", "--wheelhouse", str(windows_wheelhouse))
    assert code == 0, err
    assert not (out / "前の.txt").exists() and (out / "xlsbridge.xlam").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".xlsbridge-bundle-")]  # no staging left


def test_bundle_refuses_an_install_folder_excel_cannot_start_python_from(tmp_path, windows_wheelhouse):
    code, _, err = xlsbridge("bundle", "--out", str(tmp_path / "配布"), "--install-dir", r"C:\ユーザー\xlsbridge",
                             "--wheelhouse", str(windows_wheelhouse))
    assert code == 2 and "英数字" in err and err.count("\n") == 1
    assert not (tmp_path / "配布").exists()


def test_guide_follows_the_install_folder():
    text = install_guide("団体", r"D:\xlsbridge", 30)
    assert r"[2/5] D:\xlsbridge に xlsbridge 専用の Python 環境（venv）を作ります" in text
    assert "30 個の .whl" in text


# ---- doctor --------------------------------------------------------------------------------------


def test_doctor_on_the_sample_has_no_problem():
    code, out, _ = xlsbridge("doctor", str(SAMPLE))
    assert code == 0, out
    assert f"✓ 台帳のテンプレート版: 台帳 {TEMPLATE_VERSION} / 最新 {TEMPLATE_VERSION}" in out or "△ 台帳のテンプレート版" in out
    assert "✓ 台帳 案件台帳サンプル.xlsx: 読めます（ケース 40 件、面会 483 件）" in out
    assert out.splitlines()[-1].startswith("問題 0 件")


def test_doctor_finds_a_mismatched_addin(tmp_path):
    old = build_addin(tmp_path, addin_version="0.0.9")
    code, out, _ = xlsbridge("doctor", "--addin", str(old))
    assert code == 1
    assert f"✗ アドインと Python パッケージの版: アドイン 0.0.9 / パッケージ {__version__}" in out
    assert "xlsbridge addin install" in out and "install.cmd" in out  # what to do
    same = build_addin(tmp_path / "ok")
    code, out, _ = xlsbridge("doctor", "--addin", str(same))
    assert code == 0 and f"✓ アドインと Python パッケージの版: アドイン {__version__}" in out


def test_doctor_on_a_file_that_is_not_an_addin(tmp_path):
    bogus = tmp_path / "xlsbridge.xlam"
    bogus.write_bytes(b"not a zip")
    code, out, _ = xlsbridge("doctor", "--addin", str(bogus))
    assert code == 1 and "✗ アドイン (xlsbridge.xlam)" in out and "Traceback" not in out


def test_doctor_on_an_old_ledger_says_to_upgrade(tmp_path):
    from tests.io.test_upgrade import write_past_ledger
    from xlsbridge.io.template_history import past_version

    old = write_past_ledger(tmp_path / "old.xlsx", past_version("0.9"))
    code, out, _ = xlsbridge("doctor", str(old))
    assert code == 1  # the ribbon cannot read it (no 支援員 sheet)
    assert "△ 台帳のテンプレート版: 台帳 0.9 / 最新" in out
    assert "xlsbridge template upgrade" in out
    assert "✗ 台帳 old.xlsx: シート「支援員」がありません" in out


def test_doctor_on_a_newer_ledger_says_to_update_xlsbridge(tmp_path):
    wb = openpyxl.load_workbook(SAMPLE)
    write_settings_sheets(wb, WEK, template_version="99.0")
    path = tmp_path / "newer.xlsx"
    wb.save(path)
    code, out, _ = xlsbridge("doctor", str(path))
    assert code == 1
    assert "✗ 台帳のテンプレート版: 台帳 99.0" in out and "pip install -U xlsbridge" in out


def test_doctor_on_a_missing_ledger_is_a_problem_not_a_traceback(tmp_path):
    code, out, err = xlsbridge("doctor", str(tmp_path / "ない.xlsx"))
    assert code == 1 and "✗ 台帳 ない.xlsx" in out and err == ""


def test_doctor_reads_the_addins_own_conf_on_windows(tmp_path):
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path / "home")}
    python = r"C:\Python311\python.exe"
    check = xlwings_config_check("win32", env, tmp_path, python)
    assert check.status == "warning" and "addin install" in check.fix  # no xlsbridge.conf yet
    xlwings_conf = tmp_path / "home" / ".xlwings" / "xlwings.conf"  # xlwings' own settings: never read
    xlwings_conf.parent.mkdir(parents=True)
    xlwings_conf.write_bytes(b'"INTERPRETER_WIN","C:\\Python311\\python.exe"\r\n')
    assert xlwings_config_check("win32", env, tmp_path, python).status == "warning"
    conf = tmp_path / "home" / ".xlsbridge" / "xlsbridge.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(b'"INTERPRETER_WIN","c:\\python311\\PYTHON.exe"\r\n"CONDA_PATH",""\r\n')
    assert xlwings_config_check("win32", env, tmp_path, python).status == "ok"  # Windows paths ignore case
    conf.write_bytes(b'"INTERPRETER_WIN","C:\\Other\\python.exe"\r\n')
    check = xlwings_config_check("win32", env, tmp_path, python)
    assert check.status == "warning" and r"C:\Other\python.exe" in check.detail


def test_doctor_checks_the_installed_addin_on_windows(tmp_path):
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path / "home")}
    checks = doctor_checks(None, platform_name="win32", env=env, home=tmp_path)
    addin = next(c for c in checks if c.name.startswith("アドイン (xlsbridge.xlam)"))
    assert addin.status == "warning" and "addin install" in addin.fix  # not installed yet
    build_addin(tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART", addin_version="0.0.1")
    checks = doctor_checks(None, platform_name="win32", env=env, home=tmp_path)
    versions = next(c for c in checks if c.name == "アドインと Python パッケージの版")
    assert versions.status == "problem" and "0.0.1" in versions.detail


def test_doctor_compares_the_addins_xlwings_with_the_package(tmp_path):
    """The add-in carries the VBA of the xlwings it was built with (docProps/custom.xml records which):
    a different xlwings package under it is a problem with the pip command that fixes it."""
    import zipfile

    import xlwings

    from xlsbridge.addin.build import XLWINGS_VERSION_PROPERTY, read_custom_properties

    addin = build_addin(tmp_path / "built")
    assert read_custom_properties(addin)[XLWINGS_VERSION_PROPERTY] == xlwings.__version__
    name = "アドインの xlwings と Python の xlwings の版"
    same = next(c for c in doctor_checks(None, addin_file=addin, platform_name="linux") if c.name == name)
    assert same.status == "ok"

    other = tmp_path / "other.xlam"  # the same add-in, recorded as built with xlwings 0.30.0
    with zipfile.ZipFile(addin) as src, zipfile.ZipFile(other, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/custom.xml":
                data = data.replace(xlwings.__version__.encode(), b"0.30.0")
            dst.writestr(item, data)
    check = next(c for c in doctor_checks(None, addin_file=other, platform_name="linux") if c.name == name)
    assert check.status == "problem"
    assert f"0.30.0 / パッケージ {xlwings.__version__}" in check.detail
    assert "pip install xlwings==0.30.0" in check.fix
