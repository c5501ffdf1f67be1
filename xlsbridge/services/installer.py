"""The offline installer of the bundle: one ``install.cmd`` for the staff PCs (Windows), written from
the same steps as ``install.sh`` (the tests run that one on Linux, in a clean venv, with no index).

The steps:

1. find Python 3.11–3.13 (python.org's; not the Microsoft Store's, which Excel cannot start);
2. check the install folder is ASCII only (default ``C:\\xlsbridge``: not under a Japanese user name),
   then create the venv ``<folder>\\venv`` there (reused when it exists);
3. install xlsbridge from the bundle's ``wheelhouse`` with ``--no-index`` (no internet, no pip
   configuration of the PC);
4. install the add-in (Windows only: ``xlsbridge addin install`` points it at this venv's Python);
5. run the self-check (``xlsbridge doctor``).

``install.cmd`` is UTF-8 without a BOM (cmd.exe would run the BOM as part of the first command) and
CRLF; its first lines are ASCII and switch the console to UTF-8 (``chcp 65001``) before any Japanese
line is echoed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from .. import __version__
from ..errors import UserError

WINDOWS_HOME = r"C:\xlsbridge"
INSTALL_CMD = "install.cmd"
INSTALL_SH = "install.sh"
WHEELHOUSE = "wheelhouse"


@dataclass(frozen=True)
class Step:
    """One step: what staff see (Japanese), and the commands for cmd.exe and for sh."""

    title: str
    cmd: tuple[str, ...]
    sh: tuple[str, ...]
    failure: str  # shown when the step fails; what to do


STEPS = (
    Step("Python 3.11〜3.13 を探しています",
         cmd=('set "PY="',
              'for %%V in (3.13 3.12 3.11) do if not defined PY py -%%V -c "import sys" >nul 2>&1 && set "PY=py -%%V"',
              'if not defined PY python -c "import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)"'
              ' >nul 2>&1 && set "PY=python"',
              'if not defined PY goto :fail',
              '%PY% -c "import sys; sys.exit(1 if \'WindowsApps\' in sys.executable else 0)" || goto :fail',
              '%PY% -c "import sys; print(sys.version.split()[0], sys.executable)"'),
         sh=('PY="${PYTHON:-python3}"',
             '"$PY" -c "import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)" || fail',
             '"$PY" -c "import sys; print(sys.version.split()[0], sys.executable)"'),
         failure="python.org の Python 3.11〜3.13（Windows installer 64-bit）が見つかりません。"
                 "Microsoft Store 版ではなく python.org の Python を入れてから、もう一度 install.cmd を実行してください。"),
    Step("インストール先のフォルダーを用意しています",
         cmd=('%PY% -c "import sys; sys.exit(0 if sys.argv[1].isascii() else 1)" "%XB_HOME%" || goto :fail',
              'if not exist "%VENV%\\Scripts\\python.exe" %PY% -m venv "%VENV%" || goto :fail',
              'echo %VENV%'),
         sh=('"$PY" -c "import sys; sys.exit(0 if sys.argv[1].isascii() else 1)" "$XB_HOME" || fail',
             '[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV" || fail',
             'echo "$VENV"'),
         failure="インストール先のフォルダーを作れません。フォルダー名は英数字だけにしてください"
                 "（例: install.cmd D:\\xlsbridge）。"),
    Step("xlsbridge をこのフォルダーの wheelhouse から入れています（インターネットは使いません）",
         cmd=('"%VENV%\\Scripts\\python.exe" -m pip install --no-index --find-links "%BUNDLE%wheelhouse"'
              ' --upgrade xlsbridge==' + __version__ + ' || goto :fail',),
         sh=('"$VENV/bin/python" -m pip install --no-index --find-links "$BUNDLE/wheelhouse"'
             ' --upgrade xlsbridge==' + __version__ + ' || fail',),
         failure="xlsbridge を入れられませんでした。配布フォルダーの wheelhouse が欠けていないか確かめてください"
                 "（SHA256SUMS.txt）。Python の版が 3.11〜3.13 か確かめてください。"),
    Step("Excel のアドインを入れています",
         cmd=('"%VENV%\\Scripts\\xlsbridge.exe" addin install || goto :fail',),
         sh=('echo "（Excel は Windows と macOS だけなので、ここではアドインを入れません）"',),
         failure="アドインを入れられませんでした。Excel をすべて閉じてから、もう一度 install.cmd を実行してください。"),
    Step("自己診断をしています",
         cmd=('"%VENV%\\Scripts\\xlsbridge.exe" doctor || goto :fail',),
         sh=('"$VENV/bin/xlsbridge" doctor || fail',),
         failure="自己診断で問題（✗）が見つかりました。表示された → の内容に従ってください。"),
)


def check_home(home: str) -> None:
    """The Windows install folder: an absolute path of ASCII characters, outside OneDrive."""
    from ..addin.install import is_onedrive_path

    path = PureWindowsPath(home)
    if not path.drive or not path.is_absolute():
        raise UserError(f"--install-dir には職員の PC の絶対パスを書いてください（例 {WINDOWS_HOME}）: {home}",
                        f"--install-dir takes an absolute path on the staff PCs (e.g. {WINDOWS_HOME}): {home}")
    if not home.isascii() or " " in home:
        raise UserError(f"--install-dir には英数字だけのフォルダー（空白なし）を指定してください: {home}",
                        f"--install-dir must be ASCII without spaces: {home}")
    if is_onedrive_path(home, {}, windows=True):
        raise UserError(f"OneDrive のフォルダーには入れないでください: {home}", f"not in a OneDrive folder: {home}")


def install_cmd(home: str = WINDOWS_HOME) -> bytes:
    """install.cmd: UTF-8 without BOM, CRLF, ASCII until ``chcp 65001``."""
    check_home(home)
    lines = [
        "@echo off",
        "rem xlsbridge offline installer. UTF-8 without BOM, CRLF; chcp 65001 comes before any non-ASCII line.",
        "chcp 65001 >nul",
        "setlocal EnableExtensions",
        'set "PIP_CONFIG_FILE=NUL"',
        'set "PIP_DISABLE_PIP_VERSION_CHECK=1"',
        'set "BUNDLE=%~dp0"',
        f'set "XB_HOME={home}"',
        'if not "%~1"=="" set "XB_HOME=%~1"',
        'set "VENV=%XB_HOME%\\venv"',
        'set "STEP=0"',
        "echo ============================================================",
        f"echo  xlsbridge {__version__} のインストール（インターネット不要）",
        "echo  インストール先: %XB_HOME%",
        "echo ============================================================",
        "echo Excel をすべて閉じてから、何かキーを押してください。",
        "pause >nul",
    ]
    for number, step in enumerate(STEPS, start=1):
        lines += ["", f'set "STEP={number}"', f"echo.", f"echo [{number}/{len(STEPS)}] {step.title}"]
        lines += list(step.cmd)
    lines += ["", "echo.", "echo インストールが終わりました。Excel を起動すると「xlsbridge」タブが表示されます。",
              "echo 「自己診断」ボタンで、Excel からも確かめられます。", "pause", "exit /b 0", "", ":fail", "echo."]
    for number, step in enumerate(STEPS, start=1):
        lines.append(f"if %STEP%=={number} echo [{number}/{len(STEPS)}] うまくいきませんでした。{step.failure}")
    lines += ["echo この画面を管理者に見せてください（台帳の中身は表示されていません）。", "pause", "exit /b 1", ""]
    return "\r\n".join(lines).encode("utf-8")


def install_sh() -> str:
    """The same steps for a POSIX shell (Linux, macOS): the venv goes to ${1:-$HOME/xlsbridge}."""
    lines = [
        "#!/bin/sh",
        "# xlsbridge offline installer: the steps of install.cmd for a POSIX shell.",
        "export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1",
        "unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL",
        'BUNDLE=$(cd "$(dirname "$0")" && pwd)',
        'XB_HOME="${1:-$HOME/xlsbridge}"',
        'VENV="$XB_HOME/venv"',
        "STEP=0",
        "fail() {",
        '  case "$STEP" in',
    ]
    for number, step in enumerate(STEPS, start=1):
        lines.append(f'    {number}) echo "[{number}/{len(STEPS)}] うまくいきませんでした。{step.failure}" >&2 ;;')
    lines += ["  esac", "  exit 1", "}", f'echo "xlsbridge {__version__} のインストール（インターネット不要）: $XB_HOME"']
    for number, step in enumerate(STEPS, start=1):
        lines += [f"STEP={number}", f'echo "[{number}/{len(STEPS)}] {step.title}"', *step.sh]
    lines += ['echo "インストールが終わりました。"', ""]
    return "\n".join(lines)
