"""Self-diagnosis: is everything in place for xlsbridge to work on this PC?

Shared by `xlsbridge doctor` and the ribbon's 自己診断.  The most common xlwings failure is the
add-in and the Python package drifting apart, so that comes first.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
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
             check_template: bool = False) -> list[Check]:
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
            "" if same else t("管理者から最新のアドイン (xlsbridge.xlam) をもらい入れ替えるか、"
                              f"pip install xlsbridge=={addin_version} で版を合わせてください",
                              "replace the add-in with the one built for this package (xlsbridge addin build), "
                              f"or install the matching package: pip install xlsbridge=={addin_version}")))
    checks += _interpreter_traps()
    if check_template:
        from ..io.layout import TEMPLATE_VERSION

        if template_version is None:
            checks.append(Check(t("台帳のテンプレート版", "ledger template version"), "warning",
                                t("記録がありません（古い台帳か、別のブック）", "not recorded (an old ledger, or another workbook)"),
                                t("xlsbridge template upgrade で最新のテンプレートに移してください",
                                  "move it to the current template with xlsbridge template upgrade")))
        else:
            current = template_version == TEMPLATE_VERSION
            checks.append(Check(t("台帳のテンプレート版", "ledger template version"), "ok" if current else "warning",
                                t(f"台帳 {template_version} / 最新 {TEMPLATE_VERSION}", f"ledger {template_version} / current {TEMPLATE_VERSION}"),
                                "" if current else t("xlsbridge template upgrade で最新のテンプレートに移してください",
                                                     "upgrade with xlsbridge template upgrade")))
    checks.append(_libreoffice())
    return checks


def _xlwings() -> Check:
    try:
        import xlwings

        return Check("xlwings", "ok", xlwings.__version__)
    except ImportError:
        return Check("xlwings", "problem", t("入っていません", "not installed"),
                     t("pip install xlwings を実行してください", "run pip install xlwings"))


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
