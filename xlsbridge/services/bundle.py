"""What an admin copies to the staff PCs (`xlsbridge bundle`): one folder, ready to hand over.

* ``xlsbridge.xlam`` — the add-in, built from this package (same version as the Python side);
* ``案件台帳テンプレート.xlsx`` — the organisation's ledger template (its settings in 設定 / 区域);
* ``団体設定.toml`` — the organisation file the template was built from (for the admin's records);
* ``xlwings.conf`` — xlwings' user configuration naming the staff PCs' Python (``INTERPRETER_WIN``);
* optionally the xlsbridge wheel, for PCs that install from the folder instead of from PyPI;
* ``インストール手順.txt`` — the Japanese install guide for whoever sets the PCs up;
* ``SHA256SUMS.txt`` — checksums of the files, to check a copy on a USB stick or a shared drive.

The folder is byte-reproducible for the same inputs (the add-in and the template are).  Writing goes
to a temporary folder beside the target, renamed into place at the end, so a half-written bundle
is never left where staff would pick it up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from .. import __version__
from ..domain.settings import Settings
from ..errors import UserError
from ..i18n import t

ADDIN = "xlsbridge.xlam"
TEMPLATE = "案件台帳テンプレート.xlsx"
SETTINGS = "団体設定.toml"
CONFIG = "xlwings.conf"
GUIDE = "インストール手順.txt"
SUMS = "SHA256SUMS.txt"
# Where the guide tells the set-up person to install Python: ASCII only, no spaces, outside OneDrive.
DEFAULT_PYTHON = r"C:\Python311\python.exe"


@dataclass
class Bundle:
    folder: Path
    files: list[tuple[str, int, str]] = field(default_factory=list)  # (name, bytes, sha256)
    python: str = DEFAULT_PYTHON
    organisation: str = ""

    def render(self) -> str:
        lines = [t(f"配布フォルダを作りました: {self.folder}（{self.organisation}）",
                   f"wrote the bundle: {self.folder} ({self.organisation})")]
        for name, size, _ in self.files:
            lines.append(f"  {name}  ({size:,} bytes)")
        lines.append(t(f"職員の PC の Python: {self.python}（違う場所に入れるときは --python で指定）",
                       f"staff PCs' Python: {self.python} (use --python for another location)"))
        lines.append(t(f"次に {GUIDE} を読み、職員の PC に配ってください", f"next: read {GUIDE} and hand the folder out"))
        return "\n".join(lines)


def check_python_path(python: str) -> None:
    """The Python named in xlwings.conf must be one Excel can start: a Windows path, ASCII, not the Store's."""
    from ..addin.install import check_non_ascii, check_store_python, is_onedrive_path

    path = PureWindowsPath(python)
    if not path.drive or path.suffix.lower() != ".exe":
        raise UserError(f"--python には職員の PC の python.exe の場所を書いてください（例 {DEFAULT_PYTHON}）: {python}",
                        f"--python takes the python.exe path on the staff PCs (e.g. {DEFAULT_PYTHON}): {python}")
    for warning in (check_store_python(python), check_non_ascii("Python", "Python", python)):
        if warning is not None:
            raise UserError(warning.ja, warning.en)
    if is_onedrive_path(python, {}, windows=True):
        raise UserError(f"Python を OneDrive のフォルダーに置かないでください: {python}",
                        f"do not put Python in a OneDrive folder: {python}")


def make_bundle(out: Path, settings: Settings, *, settings_text: str | None = None, python: str = DEFAULT_PYTHON,
                wheel: Path | None = None, force: bool = False) -> Bundle:
    """Write the bundle folder ``out`` (new, or replaced with ``force``) and return what is in it.

    ``settings_text``: the organisation file as the admin wrote it (kept with its comments); when None
    it is written from ``settings`` (`xlsbridge settings export`).
    """
    from ..addin.build import build_addin
    from ..addin.install import config_line
    from ..io.settings_toml import settings_to_toml
    from ..io.template import build_template, save_workbook_deterministic

    out = Path(out)
    check_python_path(python)
    if wheel is not None and (not wheel.is_file() or wheel.suffix != ".whl"):
        raise UserError(f"--wheel には xlsbridge の .whl ファイルを指定してください: {wheel.name}",
                        f"--wheel takes the xlsbridge .whl file: {wheel.name}")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} はファイルです。配布用のフォルダ名を指定してください", f"{out} is a file; give a folder name")
    if out.exists() and any(out.iterdir()) and not force:
        raise UserError(f"フォルダ {out} は空ではありません。作り直すときは --force を付けてください",
                        f"the folder {out} is not empty; add --force to replace it")
    if not out.parent.exists():
        raise UserError(f"出力先のフォルダがありません: {out.parent}", f"output folder does not exist: {out.parent}")

    stage = Path(tempfile.mkdtemp(prefix=".xlsbridge-bundle-", dir=out.parent))
    try:
        build_addin(stage)
        save_workbook_deterministic(build_template(settings), stage / TEMPLATE)
        (stage / SETTINGS).write_text(settings_text if settings_text is not None else settings_to_toml(settings),
                                      encoding="utf-8", newline="\n")
        # VBA reads xlwings.conf in the system code page; the path is ASCII (checked), CRLF for Notepad.
        (stage / CONFIG).write_bytes((config_line("INTERPRETER_WIN", python) + "\r\n").encode("ascii"))
        if wheel is not None:
            shutil.copyfile(wheel, stage / wheel.name)
        guide = install_guide(settings.organisation, python, wheel.name if wheel is not None else None)
        (stage / GUIDE).write_bytes("\ufeff".encode("utf-8") + guide.replace("\n", "\r\n").encode("utf-8"))
        names = sorted(p.name for p in stage.iterdir())
        files = [(name, (stage / name).stat().st_size, _sha256(stage / name)) for name in names]
        sums = "".join(f"{digest}  {name}\n" for name, _, digest in files)
        (stage / SUMS).write_text(sums, encoding="utf-8", newline="\n")
        files.append((SUMS, (stage / SUMS).stat().st_size, _sha256(stage / SUMS)))
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(out, 0o777 & ~umask)  # mkdtemp made it private; a folder to hand out gets the usual rights
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return Bundle(out, files, python, settings.organisation)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_guide(organisation: str, python: str, wheel: str | None) -> str:
    """The Japanese install guide (plain text: Notepad opens it on any PC)."""
    folder = str(PureWindowsPath(python).parent)
    pip = f"\"{python}\" -m pip install {wheel}" if wheel else f"\"{python}\" -m pip install xlsbridge=={__version__}"
    xlsbridge_exe = str(PureWindowsPath(folder) / "Scripts" / "xlsbridge.exe")
    where_wheel = (f"  このフォルダにある {wheel} から入れます（インターネットにつながらない PC でも入ります）。\n"
                   "  エクスプローラーでこのフォルダを開き、アドレス欄に cmd と入力して Enter を押し、次を実行します:\n"
                   if wheel else
                   "  コマンドプロンプト（スタート → cmd）を開き、次を実行します（インターネットにつながっている必要があります）:\n")
    return f"""xlsbridge インストール手順（{organisation}）
xlsbridge {__version__} / この手順は職員の PC（Windows）を準備する人のためのものです。

■ このフォルダの中身
  xlsbridge.xlam            Excel のアドイン（リボンに「xlsbridge」タブが出ます）
  案件台帳テンプレート.xlsx   団体の設定（料金表・区域）が入った案件台帳のひな形
  団体設定.toml              テンプレートの元になった団体設定（管理者の控え。職員の PC には不要）
  xlwings.conf              Excel が使う Python の場所を書いた設定ファイル
{f"  {wheel}  xlsbridge 本体（インターネットなしで入れるとき）" + chr(10) if wheel else ""}  SHA256SUMS.txt            ファイルが壊れずにコピーされたかを確かめるためのチェックサム
  インストール手順.txt        この手順書

■ 1. Python を入れる（python.org から。Microsoft Store 版は使わない）
  1) https://www.python.org/downloads/windows/ から Python 3.11 以上の「Windows installer (64-bit)」を
     ダウンロードします。Microsoft Store の Python は Excel から起動できないことがあるので使いません。
  2) インストーラーの最初の画面で「Add python.exe to PATH」にチェックを入れ、
     「Customize installation」→ 次へ →「Install Python for all users」にチェックを入れ、
     インストール先を {folder} にします（英数字だけの、OneDrive の外のフォルダー）。
  3) コマンドプロンプトで "{python}" --version と入力し、版が表示されれば完了です。

■ 2. xlsbridge を入れる
{where_wheel}    {pip}
  確認: "{xlsbridge_exe}" --version で xlsbridge {__version__} と表示されます。

■ 3. アドインを入れる（どちらか一方）
  A) 自動（おすすめ）: Excel をすべて閉じ、このフォルダでコマンドプロンプトを開いて次を実行します。
       "{xlsbridge_exe}" addin install --file xlsbridge.xlam
     アドインが %APPDATA%\\Microsoft\\Excel\\XLSTART に入り、%USERPROFILE%\\.xlwings\\xlwings.conf に
     この PC の Python の場所が書き込まれます。注意が表示されたら、その内容に従ってください。
  B) 手作業: Excel をすべて閉じてから
       - xlsbridge.xlam を %APPDATA%\\Microsoft\\Excel\\XLSTART にコピーします
         （エクスプローラーのアドレス欄に %APPDATA%\\Microsoft\\Excel\\XLSTART と入力すると開きます）。
       - xlwings.conf を %USERPROFILE%\\.xlwings\\ にコピーします（.xlwings フォルダーがなければ作ります）。
         Python を {folder} 以外に入れたときは、xlwings.conf をメモ帳で開き、python.exe の場所を直します。
  Excel を起動すると、リボンに「xlsbridge」タブが出ます。

■ 4. ブロックを解除する（ダウンロードやメールで受け取ったとき）
  インターネットやメールから来たファイルは Windows がブロックし、アドインのマクロが動きません。
  xlsbridge.xlam を右クリック → プロパティ → 全般タブの下の「セキュリティ」で「許可する」にチェック →
  OK を押してから、手順 3 を行います（案件台帳テンプレート.xlsx も同じようにします）。

■ 5. 信頼できる場所
  XLSTART フォルダーは最初から「信頼できる場所」です。アドインを別のフォルダー（例 C:\\xlsbridge）に
  置くときは、Excel の ファイル → オプション → トラスト センター → トラスト センターの設定 →
  信頼できる場所 → 新しい場所の追加 で、そのフォルダーを追加してください。

■ 6. 案件台帳を用意する
  案件台帳テンプレート.xlsx を共有フォルダーなどにコピーし、分かりやすい名前（「案件台帳」など）に変えて使います。
  料金表や区域を変えるときは管理者が団体設定を直し、xlsbridge bundle で配布物を作り直します。

■ 7. 確かめる
  このフォルダでコマンドプロンプトを開いて次を実行し、✗ がなければ準備完了です（△ は確認だけでかまいません）。
    "{xlsbridge_exe}" doctor 案件台帳テンプレート.xlsx
  台帳を作った後は、テンプレートの代わりにその台帳のファイルを指定して確かめられます。
  Excel では「xlsbridge」タブの「自己診断」でも同じ確認ができます。

■ うまく動かないとき（よくある原因）
  - Microsoft Store 版の Python: Excel から起動できません。アンインストールして手順 1 で入れ直します。
  - 日本語などを含むフォルダー名: ユーザー名が日本語だと、ユーザーフォルダーの下の Python やアドインが
    動かないことがあります。Python は {folder} のような英数字だけのフォルダーに入れます。
  - OneDrive で同期されたフォルダー: 「ドキュメント」や「デスクトップ」が OneDrive に同期されていると、
    ファイルがロックされたりオンラインのみになったりします。アドインと Python は OneDrive の外に置きます。
  - ブロックされたファイル: 手順 4 を行います。「このファイルのマクロは無効です」と表示されるときもこれです。
  - 組織の設定でマクロが禁止されている: 情報システム担当に、アドインのフォルダーを信頼できる場所に
    してもらいます（手順 5）。
  - アドインと xlsbridge の版が違う: 自己診断に表示されます。この配布物の手順 2 と 3 をもう一度行います。
  - それでも動かないとき: doctor の表示をそのまま管理者に送ってください（台帳の中身は表示されません）。
"""
