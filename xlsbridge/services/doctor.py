"""Self-diagnosis: is everything in place for xlsbridge to work on this PC?

Shared by `xlsbridge doctor` and the ribbon's 自己診断.  The most common xlwings failure is the
add-in and the Python package drifting apart, so that comes first.  :func:`doctor_checks` adds what
the command line can see and the ribbon cannot: the add-in file, xlsbridge.conf, and a ledger of any
template version (read whether or not the ribbon could).
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .. import __version__
from ..i18n import t

Status = Literal["ok", "warning", "problem"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def diagnose(*, addin_version: str | None = None, template_version: str | None = None,
             check_template: bool = False, xlwings_vba_version: str | None = None,
             lite: bool = False) -> list[Check]:
    """The checks for the ribbon's 自己診断 (and `doctor`).  ``lite``: inside xlwings Lite, where
    Python is Pyodide's, packages come from the workbook's requirements.txt and there are no
    interpreter paths, add-in files or LibreOffice to check."""
    if lite:
        return _lite_checks(template_version)
    checks = [
        Check(t("Python", "Python"), "ok" if sys.version_info >= (3, 11) else "problem",
              f"{platform.python_version()} ({sys.executable})",
              "" if sys.version_info >= (3, 11) else t("Python 3.11 以上を入れてください", "install Python 3.11 or newer")),
        Check("xlsbridge", "ok", __version__),
        _xlwings(),
    ]
    if addin_version is not None:
        same = addin_version == __version__
        checks.append(Check(
            t("アドインと Python パッケージの版", "add-in vs package version"), "ok" if same else "problem",
            t(f"アドイン {addin_version} / パッケージ {__version__}", f"add-in {addin_version} / package {__version__}"),
            "" if same else t("Excel をすべて閉じ、この Python で xlsbridge addin install を実行して、この版のアドインを"
                              "入れ直してください（管理者は配布フォルダーの install.cmd をもう一度実行しても直せます）",
                              "quit Excel and run xlsbridge addin install with this Python to install the add-in of "
                              "this version (or run install.cmd of the bundle again)")))
    if xlwings_vba_version is not None:
        checks.append(_xlwings_vba(xlwings_vba_version))
    checks += _interpreter_traps()
    if check_template:
        checks.append(_template_check(template_version))
    checks.append(_libreoffice())
    return checks


def _template_check(template_version: str | None, *, lite: bool = False) -> Check:
    """The ledger's template version against this xlsbridge's, with what to do."""
    from ..domain.layout import TEMPLATE_VERSION

    name = t("台帳のテンプレート版", "ledger template version")
    if template_version is None:
        return Check(name, "warning",
                     t("記録がありません（古い台帳か、別のブック）", "not recorded (an old ledger, or another workbook)"),
                     t("xlsbridge template upgrade で最新のテンプレートに移してください",
                       "move it to the current template with xlsbridge template upgrade"))
    from ..io.template_history import version_key

    current = template_version == TEMPLATE_VERSION
    mine, ours = version_key(template_version), version_key(TEMPLATE_VERSION)
    newer = mine is not None and ours is not None and mine > ours
    if current:
        fix = ""
    elif newer and lite:
        fix = t(f"この台帳はより新しい xlsbridge で作られています。xlwings Lite の requirements.txt の xlsbridge の版を"
                f"管理者に上げてもらい（いまは {__version__}）、☰ → Restart で再起動してください",
                f"the ledger was made by a newer xlsbridge; ask your admin to raise xlsbridge's version in xlwings "
                f"Lite's requirements.txt (now {__version__}), then restart Lite (☰ > Restart)")
    elif newer:
        fix = t("この台帳はより新しい xlsbridge で作られています。pip install -U xlsbridge で更新してください",
                "the ledger was made by a newer xlsbridge; update with pip install -U xlsbridge")
    else:
        fix = t("管理者が xlsbridge template upgrade 台帳.xlsx --out 新しい台帳.xlsx で最新のテンプレートに移してください",
                "an admin moves it to the current template: xlsbridge template upgrade LEDGER --out NEW.xlsx")
    return Check(name, "ok" if current else "problem" if newer else "warning",
                 t(f"台帳 {template_version} / 最新 {TEMPLATE_VERSION}", f"ledger {template_version} / current {TEMPLATE_VERSION}"),
                 fix)


# What xlsbridge imports inside xlwings Lite (msoffcrypto-tool is not among them: the workbook is
# already open in Excel, so its encryption is Excel's business).
LITE_MODULES = (("openpyxl", "openpyxl"), ("python_calamine", "python-calamine"), ("pydantic", "pydantic"),
                ("click", "click"), ("jpholiday", "jpholiday"))
MIN_XLWINGS = (0, 33)


def _lite_checks(template_version: str | None) -> list[Check]:
    """自己診断 inside xlwings Lite: Python/Pyodide, xlsbridge, xlwings, the packages, the template."""
    import importlib

    from ..excel.runtime import pyodide_version

    restart = t("☰ → Restart で xlwings Lite を再起動してください。直らなければ、requirements.txt に "
                "xlsbridge の行があるか確かめ、管理者に伝えてください",
                "restart xlwings Lite (☰ > Restart); if that does not help, check that requirements.txt has "
                "the xlsbridge line and tell your admin")
    pyodide = pyodide_version()
    checks = [
        Check("Python", "ok" if sys.version_info >= (3, 11) else "problem",
              f"{platform.python_version()}" + (f"（Pyodide {pyodide}）" if pyodide else ""),
              "" if sys.version_info >= (3, 11) else restart),
        Check("xlsbridge", "ok", __version__),
    ]
    xlwings_check = _xlwings()
    if xlwings_check.status == "ok":
        parts = tuple(int(p) for p in xlwings_check.detail.split(".")[:2] if p.isdigit())
        if parts < MIN_XLWINGS:
            xlwings_check = Check("xlwings", "problem", xlwings_check.detail,
                                  t(f"requirements.txt の xlwings を {'.'.join(map(str, MIN_XLWINGS))} 以上にしてください（"
                                    "xlwings の行を消すと xlsbridge に合った版が入ります）。" + restart,
                                    f"xlwings must be {'.'.join(map(str, MIN_XLWINGS))} or newer in requirements.txt "
                                    "(remove the xlwings line to get the version xlsbridge asks for); " + restart))
    else:
        xlwings_check = Check("xlwings", "problem", xlwings_check.detail, restart)
    checks.append(xlwings_check)
    missing = []
    for module, package in LITE_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    name = t("必要なパッケージ", "required packages")
    checks.append(Check(name, "problem", t("入っていません: ", "missing: ") + ", ".join(missing), restart) if missing
                  else Check(name, "ok", ", ".join(p for _, p in LITE_MODULES)))
    checks.append(_template_check(template_version, lite=True))
    return checks


def doctor_checks(ledger: Path | None = None, *, addin_file: Path | None = None, password: str | None = None,
                  platform_name: str = sys.platform, env: Mapping[str, str] | None = None,
                  home: Path | None = None, executable: str = sys.executable) -> list[Check]:
    """Everything `xlsbridge doctor` looks at on this PC, and in LEDGER when one is given.

    The add-in's version is read from ``addin_file``, else from the installed add-in (Windows and
    macOS: where `xlsbridge addin install` puts it).  On those systems xlsbridge.conf must point at
    this Python.  A ledger's template version is read whatever its version, then the ledger is read
    as the ribbon reads it.
    """
    env = os.environ if env is None else env
    extra: list[Check] = []
    addin_version = None
    addin_xlwings: str | None = None
    addin_name = t("アドイン (xlsbridge.xlam)", "add-in (xlsbridge.xlam)")
    if addin_file is None:
        addin_file = installed_addin(platform_name, env, home)
        if addin_file is None and platform_name.startswith(("win", "darwin")):
            extra.append(Check(addin_name, "warning", t("インストールされていません", "not installed"),
                               t("xlsbridge addin install を実行するか、管理者の配布物の インストール手順.txt に従ってください",
                                 "run xlsbridge addin install, or follow インストール手順.txt of your admin's bundle")))
    if addin_file is not None:
        from ..addin.build import XLWINGS_VERSION_PROPERTY, read_addin_version, read_custom_properties
        from ..errors import UserError

        try:
            addin_version = read_addin_version(addin_file)
            addin_xlwings = read_custom_properties(addin_file).get(XLWINGS_VERSION_PROPERTY) or None
            extra.append(Check(addin_name, "ok", str(addin_file)))
        except UserError as exc:
            extra.append(Check(addin_name, "problem", exc.message(),
                               t("xlsbridge addin build で作り直すか、管理者から xlsbridge.xlam をもらい直してください",
                                 "rebuild it with xlsbridge addin build, or get xlsbridge.xlam from your admin again")))
    if platform_name.startswith(("win", "darwin")):
        extra.append(xlwings_config_check(platform_name, env, home, executable))
    template_version, check_template = None, False
    if ledger is not None:
        check_template = True
        ledger_check, template_version = _ledger(ledger, password)
        extra.append(ledger_check)
    checks = diagnose(addin_version=addin_version, template_version=template_version, check_template=check_template,
                      xlwings_vba_version=addin_xlwings)
    return checks[:3] + extra + checks[3:]


def installed_addin(platform_name: str, env: Mapping[str, str], home: Path | None) -> Path | None:
    """The add-in where `xlsbridge addin install` puts it, if it is there."""
    from ..addin.install import plan_install
    from ..errors import UserError

    try:
        plan = plan_install(platform=platform_name, env=env, home=home or Path.home(), source=None,
                            zone_reader=lambda _: None, dir_exists=lambda p: Path(p).is_dir())
    except (UserError, ImportError, OSError):
        return None
    return plan.addin_target if plan.addin_target.is_file() else None


def interpreter_in_config(text: str, key: str) -> str | None:
    """The value of ``"KEY","value"`` in a configuration text (xlsbridge.conf, xlwings' format)."""
    for line in text.splitlines():
        parts = [p.strip().strip('"') for p in line.split(",", 1)]
        if len(parts) == 2 and parts[0].upper() == key.upper():
            return parts[1]
    return None


def xlwings_config_check(platform_name: str, env: Mapping[str, str], home: Path | None, executable: str) -> Check:
    """xlsbridge.conf names the Python the ribbon starts: it must be this one (which has xlsbridge)."""
    from ..addin.install import config_encoding, plan_install
    from ..errors import UserError

    name = t("アドインの設定 (xlsbridge.conf)", "add-in configuration (xlsbridge.conf)")
    try:
        plan = plan_install(platform=platform_name, env=env, home=home or Path.home(), executable=executable,
                            zone_reader=lambda _: None, dir_exists=lambda p: Path(p).is_dir())
    except (UserError, ImportError, OSError) as exc:
        return Check(name, "warning", str(exc))
    path = plan.config_path
    try:
        text = path.read_bytes().decode(config_encoding(), errors="replace")
    except OSError:
        return Check(name, "warning", t(f"{path} がありません", f"{path} does not exist"),
                     t("xlsbridge addin install を実行してください（Python の場所を書き込みます）",
                       "run xlsbridge addin install (it writes the Python location)"))
    found = interpreter_in_config(text, plan.config_key)
    if found is None:
        return Check(name, "warning", t(f"{path} に {plan.config_key} がありません", f"{path} has no {plan.config_key}"),
                     t("xlsbridge addin install を実行してください", "run xlsbridge addin install"))
    if platform_name.startswith("win"):  # Windows paths ignore case and slash direction
        import ntpath

        same = ntpath.normcase(found) == ntpath.normcase(executable)
    else:
        same = found == executable
    if same:
        return Check(name, "ok", f"{plan.config_key} = {found}")
    return Check(name, "warning", t(f"リボンは別の Python を使います: {found}（この Python: {executable}）",
                                    f"the ribbon runs another Python: {found} (this one: {executable})"),
                 t("リボンのボタンが動かないときは、この Python で xlsbridge addin install を実行し直してください",
                   "if the ribbon buttons fail, run xlsbridge addin install again with this Python"))


def _ledger(path: Path, password: str | None) -> tuple[Check, str | None]:
    """Can the ribbon read this ledger?  And its template version, whatever it is."""
    from ..errors import UserError
    from ..io.reader import read_ledger
    from ..io.upgrade import ledger_version

    name = t(f"台帳 {Path(path).name}", f"ledger {Path(path).name}")
    try:
        info = ledger_version(path, password)
    except UserError as exc:
        return Check(name, "problem", exc.message(), t("ファイルの場所と名前を確かめてください", "check the file's folder and name")), None
    try:
        read = read_ledger(path, password=password)
    except UserError as exc:
        fix = t("管理者が xlsbridge template upgrade で最新のテンプレートに移してください",
                "an admin moves it to the current template with xlsbridge template upgrade") \
            if not info.current else t("表示された場所を直してください", "fix what the message points at")
        return Check(name, "problem", exc.message(), fix), info.version
    ledger = read.ledger
    return Check(name, "ok", t(f"読めます（ケース {len(ledger.cases)} 件、面会 {len(ledger.visits)} 件）",
                               f"readable ({len(ledger.cases)} cases, {len(ledger.visits)} visits)")), info.version


def _xlwings() -> Check:
    try:
        import xlwings

        return Check("xlwings", "ok", xlwings.__version__)
    except ImportError:
        return Check("xlwings", "problem", t("入っていません", "not installed"),
                     t("pip install xlwings を実行してください", "run pip install xlwings"))


def _xlwings_vba(vba_version: str) -> Check:
    """The xlwings VBA inside the add-in against the xlwings package RunPython starts."""
    try:
        import xlwings

        package = xlwings.__version__
    except ImportError:
        package = t("なし", "none")
    same = vba_version == package
    return Check(t("アドインの xlwings と Python の xlwings の版", "add-in's xlwings VBA vs xlwings package"),
                 "ok" if same else "problem",
                 t(f"アドイン {vba_version} / パッケージ {package}", f"add-in {vba_version} / package {package}"),
                 "" if same else t(f"python -m pip install xlwings=={vba_version} で版を合わせるか、"
                                   "管理者に配布フォルダーの install.cmd をもう一度実行してもらってください",
                                   f"run python -m pip install xlwings=={vba_version}, or run install.cmd of the "
                                   "bundle again"))


def _interpreter_traps() -> list[Check]:
    """The interpreter traps the add-in installer also warns about (Store Python, non-ASCII paths)."""
    from ..addin.install import check_non_ascii, check_store_python

    found = [w for w in (check_store_python(sys.executable),
                         check_non_ascii("Python", "Python", sys.executable)) if w is not None]
    name = t("Python の場所", "interpreter location")
    if not found:
        return [Check(name, "ok", sys.executable)]
    return [Check(name, "warning", sys.executable, w.message()) for w in found]


def _libreoffice() -> Check:
    from ..io.pdf import INSTALL_HINT_EN, INSTALL_HINT_JA, find_libreoffice

    found = find_libreoffice()
    if found:
        return Check(t("LibreOffice（PDF 作成用）", "LibreOffice (for PDFs)"), "ok", found)
    return Check(t("LibreOffice（PDF 作成用）", "LibreOffice (for PDFs)"), "warning", t("見つかりません", "not found"),
                 t(INSTALL_HINT_JA, INSTALL_HINT_EN))


def render(checks: list[Check]) -> str:
    marks = {"ok": "✓", "warning": "△", "problem": "✗"}
    lines = []
    for c in checks:
        lines.append(f"{marks[c.status]} {c.name}: {c.detail}")
        if c.fix:
            lines.append(f"    → {c.fix}")
    problems = sum(c.status == "problem" for c in checks)
    warnings = sum(c.status == "warning" for c in checks)
    lines.append(t(f"問題 {problems} 件、注意 {warnings} 件", f"{problems} problems, {warnings} warnings"))
    return "\n".join(lines)
