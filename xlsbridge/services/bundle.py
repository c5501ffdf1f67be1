"""What an admin copies to the staff PCs (`xlsbridge bundle`): one folder, ready to hand over.

* ``install.cmd`` — the offline installer (services/installer.py): a venv in ``C:\\xlsbridge``,
  xlsbridge from ``wheelhouse`` with ``--no-index``, the add-in, the self-check; Japanese messages;
* ``wheelhouse/`` — xlsbridge and every dependency as wheels for Windows (win_amd64) and CPython
  3.11, 3.12 and 3.13 (services/wheelhouse.py); checked complete before the bundle is written;
* ``xlsbridge.xlam`` — the add-in, built from this package (the one install.cmd installs is the same);
* ``案件台帳テンプレート.xlsx`` — the organisation's ledger template (its settings in 設定 / 区域);
* ``団体設定.toml`` — the organisation file the template was built from (for the admin's records);
* ``インストール手順.txt`` — the Japanese install guide for whoever sets the PCs up;
* ``SHA256SUMS.txt`` — checksums of every file (the wheels too), to check a copy.

The folder is byte-reproducible for the same inputs and wheelhouse.  Writing goes to a temporary
folder beside the target, renamed into place at the end, so a half-written bundle is never left where
staff would pick it up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..domain.settings import Settings
from ..errors import UserError
from ..i18n import t
from .installer import INSTALL_CMD, WHEELHOUSE, WINDOWS_HOME, check_home, install_cmd

ADDIN = "xlsbridge.xlam"
TEMPLATE = "案件台帳テンプレート.xlsx"
SETTINGS = "団体設定.toml"
GUIDE = "インストール手順.txt"
SUMS = "SHA256SUMS.txt"


@dataclass
class Bundle:
    folder: Path
    files: list[tuple[str, int, str]] = field(default_factory=list)  # (name, bytes, sha256); wheels as wheelhouse/<name>
    install_dir: str = WINDOWS_HOME
    organisation: str = ""

    def render(self) -> str:
        lines = [t(f"配布フォルダーを作りました: {self.folder}（{self.organisation}）",
                   f"wrote the bundle: {self.folder} ({self.organisation})")]
        wheels = [f for f in self.files if f[0].startswith(WHEELHOUSE + "/")]
        for name, size, _ in self.files:
            if not name.startswith(WHEELHOUSE + "/"):
                lines.append(f"  {name}  ({size:,} bytes)")
        lines.append(f"  {WHEELHOUSE}/  ({len(wheels)} wheels, {sum(f[1] for f in wheels):,} bytes)")
        lines.append(t(f"職員の PC のインストール先: {self.install_dir}（変えるときは --install-dir）",
                       f"install folder on the staff PCs: {self.install_dir} (change it with --install-dir)"))
        lines.append(t(f"次に {GUIDE} を読み、職員の PC に配ってください", f"next: read {GUIDE} and hand the folder out"))
        return "\n".join(lines)


def check_wheelhouse(folder: Path) -> list[Path]:
    """The wheelhouse must hold this xlsbridge and everything it needs on each Windows Python."""
    from .wheelhouse import missing, windows_targets

    folder = Path(folder)
    if not folder.is_dir() or not list(folder.glob(f"xlsbridge-{__version__}-*.whl")):
        raise UserError(f"wheelhouse {folder} に xlsbridge {__version__} の wheel がありません",
                        f"the wheelhouse {folder} has no wheel of xlsbridge {__version__}")
    for target in windows_targets():
        lacking = missing(folder, [f"xlsbridge=={__version__}"], target)
        if lacking:
            raise UserError(f"wheelhouse に {target.label()} 用のパッケージが足りません: {', '.join(lacking)}",
                            f"the wheelhouse lacks packages for {target.label()}: {', '.join(lacking)}")
    return sorted(folder.glob("*.whl"))


def make_bundle(out: Path, settings: Settings, *, wheelhouse: Path, settings_text: str | None = None,
                install_dir: str = WINDOWS_HOME, force: bool = False) -> Bundle:
    """Write the bundle folder ``out`` (new, or replaced with ``force``) and return what is in it.

    ``wheelhouse``: a folder of wheels (services/wheelhouse.py builds one), complete for each Windows
    Python.  ``settings_text``: the organisation file as the admin wrote it (kept with its comments);
    when None it is written from ``settings`` (`xlsbridge settings export`).
    """
    from ..addin.build import build_addin
    from ..io.settings_toml import settings_to_toml
    from ..io.template import build_template, save_workbook_deterministic

    out = Path(out)
    check_home(install_dir)
    wheels = check_wheelhouse(wheelhouse)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} はファイルです。配布用のフォルダー名を指定してください", f"{out} is a file; give a folder name")
    if out.exists() and any(out.iterdir()) and not force:
        raise UserError(f"フォルダー {out} は空ではありません。作り直すときは --force を付けてください",
                        f"the folder {out} is not empty; add --force to replace it")
    if not out.parent.exists():
        raise UserError(f"出力先のフォルダーがありません: {out.parent}", f"output folder does not exist: {out.parent}")

    stage = Path(tempfile.mkdtemp(prefix=".xlsbridge-bundle-", dir=out.parent))
    try:
        build_addin(stage)
        save_workbook_deterministic(build_template(settings), stage / TEMPLATE)
        (stage / SETTINGS).write_text(settings_text if settings_text is not None else settings_to_toml(settings),
                                      encoding="utf-8", newline="\n")
        (stage / WHEELHOUSE).mkdir()
        for wheel in wheels:
            shutil.copyfile(wheel, stage / WHEELHOUSE / wheel.name)
        (stage / INSTALL_CMD).write_bytes(install_cmd(install_dir))
        guide = install_guide(settings.organisation, install_dir, len(wheels))
        (stage / GUIDE).write_bytes("\ufeff".encode("utf-8") + guide.replace("\n", "\r\n").encode("utf-8"))
        names = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
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
    return Bundle(out, files, install_dir, settings.organisation)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_guide(organisation: str, install_dir: str = WINDOWS_HOME, wheel_count: int = 0) -> str:
    """The Japanese install guide (plain text: Notepad opens it on any PC).  Every step is one that
    works as written: unblocking comes before anything is run, and install.cmd does the rest."""
    from .wheelhouse import WINDOWS_PYTHONS

    versions = "・".join(WINDOWS_PYTHONS)
    return f"""xlsbridge インストール手順（{organisation}）
xlsbridge {__version__} / この手順は職員の PC（Windows）を準備する人のためのものです。
インターネットにつながっていない PC でも、この手順どおりに入ります。

■ このフォルダーの中身
  install.cmd               インストーラー（ダブルクリックで実行します）
  wheelhouse                xlsbridge と必要なパッケージ一式（{wheel_count} 個の .whl。インターネット不要）
  xlsbridge.xlam            Excel のアドイン（install.cmd が入れるものと同じ。控え）
  案件台帳テンプレート.xlsx   団体の設定（料金表・区域）が入った案件台帳のひな形
  団体設定.toml              テンプレートの元になった団体設定（管理者の控え。職員の PC には不要）
  SHA256SUMS.txt            ファイルが壊れずにコピーされたかを確かめるためのチェックサム
  インストール手順.txt        この手順書

■ 1. ブロックを解除する（最初に。ダウンロードやメールで受け取ったとき）
  インターネットやメールから来たファイルは Windows がブロックし、アドインのマクロや install.cmd が
  止められます。受け取った zip ファイルを右クリック → プロパティ → 全般タブの下の「セキュリティ」で
  「許可する」にチェック → OK を押してから、zip を展開します（展開したファイルはすべて許可された状態に
  なります）。共有フォルダーや USB メモリーからコピーしたときは、この手順は要りません。

■ 2. Python を入れる（python.org から。Microsoft Store 版は使わない）
  1) https://www.python.org/downloads/windows/ から Python {versions} のどれかの
     「Windows installer (64-bit)」をダウンロードして実行します（インターネットにつながる PC で
     ダウンロードし、USB メモリーなどで持ってきてもかまいません）。
  2) 最初の画面のまま「Install Now」を押します。Python ランチャー（py）も一緒に入ります。
  Microsoft Store の Python は Excel から起動できないため、install.cmd が使いません。

■ 3. install.cmd を実行する
  Excel をすべて閉じ、このフォルダーの install.cmd をダブルクリックします。次のことを順に行い、
  それぞれ日本語で表示します（数分かかります。インターネットは使いません）。
    [1/5] Python {versions} を探します
    [2/5] {install_dir} に xlsbridge 専用の Python 環境（venv）を作ります
          （英数字だけのフォルダーです。ユーザー名が日本語でも問題ありません）
    [3/5] wheelhouse から xlsbridge を入れます
    [4/5] Excel のアドインを入れます（%APPDATA%\\Microsoft\\Excel\\XLSTART に入り、
          アドイン専用の設定 %USERPROFILE%\\.xlsbridge\\xlsbridge.conf にこの環境の Python が書かれます。
          xlwings の設定 xlwings.conf には触れません）
    [5/5] 自己診断をします（✗ がなければ準備完了です。△ は確認だけでかまいません）
  うまくいかなかったときは、その段階と、どうすればよいかが表示されます。
  別のフォルダーに入れるときは、コマンドプロンプトで install.cmd D:\\xlsbridge のように指定します。
  同じ手順をもう一度行うと、入れ直し（版の更新）になります。

■ 4. 確かめる
  Excel を起動すると、リボンに「xlsbridge」タブが出ます。「自己診断」ボタンを押し、✗ がないことを
  確かめます。

■ 5. 案件台帳を用意する
  案件台帳テンプレート.xlsx を共有フォルダーなどにコピーし、分かりやすい名前（「案件台帳」など）に変えて使います。
  ボタンは書き込む前に、台帳と同じフォルダーの xlsbridge_backup に台帳の控えを残します。
  料金表や区域を変えるときは管理者が団体設定を直し、xlsbridge bundle で配布物を作り直します。

■ うまく動かないとき（よくある原因）
  - 「このファイルのマクロは無効です」「保護ビュー」: 手順 1 のブロック解除をしてから展開し直します。
    台帳が保護ビューで開いたときは、黄色いバーの「編集を有効にする」を押します。
  - [1/5] で止まる: python.org の Python（{versions}、64-bit）を入れます（手順 2）。
  - [4/5] で止まる: Excel がまだ開いています。Excel をすべて閉じて install.cmd をもう一度実行します。
  - 組織の設定でマクロが禁止されている: 情報システム担当に、XLSTART フォルダー（最初から「信頼できる場所」）の
    アドインを許可してもらいます。
  - 台帳が OneDrive や SharePoint の上にある: ボタンは動きますが、台帳の控えは作られず、計画書は
    「ドキュメント」フォルダーに保存されます。控えが要るときは、台帳を PC か共有フォルダーに置きます。
  - アドインと xlsbridge の版が違う: ボタンを押すとその旨が表示されます。新しい配布物の install.cmd を
    実行します。
  - それでも動かないとき: install.cmd と自己診断の表示をそのまま管理者に送ってください
    （台帳の中身は表示されません）。
"""
