"""Install ``xlsbridge.xlam`` for the current user, the way ``xlwings addin install`` does.

Windows
    The add-in goes to ``%APPDATA%\\Microsoft\\Excel\\XLSTART`` (Excel opens every file there at
    start, and the folder is a trusted location by default), and the add-in's own user
    configuration ``%USERPROFILE%\\.xlsbridge\\xlsbridge.conf`` gets the line
    ``"INTERPRETER_WIN","<python.exe>"`` so RunPython starts the Python that has xlsbridge installed.
    The VBA reads that file with the system code page ("ANSI"), so it is written in that code page.
    xlwings' own ``xlwings.conf`` is never read by the add-in and never touched here (the add-in is
    built from xlwings' custom-add-in module with ``PROJECT_NAME = "xlsbridge"``, see build.py).
macOS
    The add-in goes to Excel's user startup folder
    ``~/Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel`` (or the
    ``.localized`` variant if that exists), the configuration is
    ``~/Library/Containers/com.microsoft.Excel/Data/xlsbridge.conf`` with ``"INTERPRETER_MAC",...``,
    and xlwings' AppleScript (``xlwings-<version>.applescript``, which RunPython calls through
    ``AppleScriptTask``) is copied to ``~/Library/Application Scripts/com.microsoft.Excel`` — the
    same steps as ``xlwings addin install`` and ``xlwings runpython install``.
Elsewhere
    Excel does not run; :func:`plan_install` raises a :class:`UserError` explaining the manual copy.

Everything is decided by :func:`plan_install` from explicit inputs (platform, environment,
interpreter), so it is testable anywhere; :func:`install_addin` carries the plan out.  The
``check_*`` functions are pure and return warnings (in Japanese, English via ``t()``) about set-ups
known to break RunPython.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Callable, Mapping

from ..errors import UserError
from ..i18n import t

MAC_OFFICE_GROUP = "Library/Group Containers/UBF8T346G9.Office"
MAC_STARTUP_VARIANTS = (
    "User Content.localized/Startup.localized/Excel",
    "User Content/Startup/Excel",
)
CONFIG_FILE = "xlsbridge.conf"  # build.CONFIG_NAME + ".conf": what the add-in's GetConfigFilePath reads
MAC_CONFIG = "Library/Containers/com.microsoft.Excel/Data/" + CONFIG_FILE
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"

BLOCKED_ZONES = {3: "Internet", 4: "Restricted"}


@dataclass(frozen=True)
class InstallWarning:
    """A problem that is likely to stop the add-in from working; install still proceeds."""

    code: str
    ja: str
    en: str

    def message(self) -> str:
        return t(self.ja, self.en)


@dataclass
class InstallPlan:
    platform: str  # "windows" or "macos"
    addin_target: Path
    config_path: Path
    config_key: str
    interpreter: str
    extra_copies: list[tuple[Path, Path]] = field(default_factory=list)
    warnings: list[InstallWarning] = field(default_factory=list)

    def steps(self) -> list[str]:
        """What install does, one line each, in the user's language."""
        lines = [
            t(
                f"アドインを {self.addin_target} に置きます",
                f"put the add-in at {self.addin_target}",
            ),
            t(
                f"{self.config_path} に \"{self.config_key}\",\"{self.interpreter}\" を書きます",
                f"write \"{self.config_key}\",\"{self.interpreter}\" to {self.config_path}",
            ),
        ]
        for source, target in self.extra_copies:
            lines.append(
                t(f"{source.name} を {target} にコピーします", f"copy {source.name} to {target}")
            )
        return lines


# --- detection (pure) --------------------------------------------------------------------------


def _pure(path: str | PurePath, windows: bool) -> PurePath:
    return PureWindowsPath(str(path)) if windows else PurePosixPath(str(path))


def check_store_python(executable: str) -> InstallWarning | None:
    """Python from the Microsoft Store lives under ...\\WindowsApps\\, which Excel cannot start."""
    parts = [p.lower() for p in PureWindowsPath(executable).parts]
    if "windowsapps" not in parts:
        return None
    return InstallWarning(
        "store-python",
        f"Microsoft Store 版の Python が使われています ({executable})。Excel からはこの Python を"
        "起動できないことがあります。python.org のインストーラーで Python を入れ、その Python に"
        "xlsbridge をインストールしてから、もう一度 `xlsbridge addin install` を実行してください。",
        f"This is the Microsoft Store Python ({executable}); Excel often cannot start it. Install "
        "Python from python.org, install xlsbridge into it and run `xlsbridge addin install` again.",
    )


PYTHON_FOLDER_ADVICE = (
    "うまく動かない場合は、C:\\Python のような英数字だけのフォルダーに Python を入れ直し、"
    "xlsbridge をインストールし直してください。",
    "If the buttons fail, reinstall Python in a folder with ASCII characters only, such as "
    "C:\\Python, and install xlsbridge into it again.",
)
ADDIN_FOLDER_ADVICE = (
    "うまく動かない場合は、アドインを英数字だけのフォルダー (例: C:\\xlsbridge) に置き、Excel の"
    "ファイル → オプション → アドイン → 設定 → 参照 から読み込んでください。",
    "If the buttons fail, put the add-in in a folder with ASCII characters only (for example "
    "C:\\xlsbridge) and load it in Excel under File → Options → Add-ins → Go → Browse.",
)


def check_non_ascii(
    label_ja: str,
    label_en: str,
    path: str | PurePath,
    advice: tuple[str, str] = PYTHON_FOLDER_ADVICE,
) -> InstallWarning | None:
    """Non-ASCII characters (a Japanese user name, say) can break paths passed through cmd.exe."""
    text = str(path)
    odd = sorted({ch for ch in text if ord(ch) > 127})
    if not odd:
        return None
    shown = "".join(odd[:5])
    return InstallWarning(
        "non-ascii-path",
        f"{label_ja}のパスに半角英数字以外の文字 ({shown}) が含まれています: {text}。"
        f"Excel から Python を呼び出せないことがあります。{advice[0]}",
        f"The {label_en} path contains non-ASCII characters ({shown}): {text}. Excel may fail to "
        f"start Python with it. {advice[1]}",
    )


def _onedrive_roots(env: Mapping[str, str], windows: bool) -> list[PurePath]:
    roots = []
    for key in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        value = env.get(key)
        if value:
            roots.append(_pure(value, windows))
    return roots


def is_onedrive_path(path: str | PurePath, env: Mapping[str, str], windows: bool = True) -> bool:
    pure = _pure(path, windows)
    folded = [part.casefold() for part in pure.parts]
    for root in _onedrive_roots(env, windows):
        root_parts = [part.casefold() for part in root.parts]
        if folded[: len(root_parts)] == root_parts:
            return True
    # "OneDrive", "OneDrive - 会社名", and macOS' ~/Library/CloudStorage/OneDrive-会社名
    return any(re.match(r"onedrive($|[ \-])", part) for part in folded)


def check_onedrive(
    label_ja: str, label_en: str, path: str | PurePath, env: Mapping[str, str], windows: bool = True
) -> InstallWarning | None:
    if not is_onedrive_path(path, env, windows):
        return None
    return InstallWarning(
        "onedrive",
        f"{label_ja}が OneDrive で同期されているフォルダーにあります: {path}。同期中はファイルが"
        "ロックされたり、オンラインのみのファイルになったりして、Excel から使えないことがあります。"
        "OneDrive の外 (例: C:\\xlsbridge) に置いてください。",
        f"The {label_en} is in a folder synchronised by OneDrive: {path}. Synchronisation can lock "
        "files or make them online-only so Excel cannot use them; keep it outside OneDrive "
        "(for example C:\\xlsbridge).",
    )


def parse_zone_identifier(text: str) -> int | None:
    """The ZoneId of a Zone.Identifier stream (``[ZoneTransfer]`` / ``ZoneId=3``), if any."""
    match = re.search(r"^\s*ZoneId\s*=\s*(\d+)\s*$", text, flags=re.MULTILINE | re.IGNORECASE)
    return int(match.group(1)) if match else None


def check_zone_identifier(path: str | PurePath, zone_text: str | None) -> InstallWarning | None:
    """A file downloaded from the internet (mark of the web): Excel blocks its macros."""
    if zone_text is None:
        return None
    zone = parse_zone_identifier(zone_text)
    if zone not in BLOCKED_ZONES:
        return None
    name = PureWindowsPath(str(path)).name
    return InstallWarning(
        "blocked-download",
        f"{name} はインターネットからダウンロードしたファイルとしてブロックされています"
        f"(マクロが無効になります)。エクスプローラーで {name} を右クリック → プロパティ → "
        "全般タブ下の「セキュリティ」で「許可する」にチェック → OK を押してから、"
        "もう一度実行してください。",
        f"{name} is blocked as downloaded from the internet (its macros are disabled). In "
        f"Explorer right-click {name} → Properties → General, tick \"Unblock\" under Security, "
        "press OK and run this again.",
    )


def read_zone_identifier(path: Path) -> str | None:
    """The Zone.Identifier alternate data stream of a file on NTFS; None elsewhere or if absent."""
    if not sys.platform.startswith("win"):
        return None
    try:
        with open(f"{path}:Zone.Identifier", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


# --- planning ----------------------------------------------------------------------------------


def _platform_kind(platform: str) -> str:
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    raise UserError(
        "Excel は Windows と macOS でしか動かないため、ここではアドインをインストールできません。"
        "`xlsbridge addin build` で作った dist/xlsbridge.xlam を Excel のある Windows PC の "
        "%APPDATA%\\Microsoft\\Excel\\XLSTART フォルダーに手でコピーし、その PC で "
        "`xlsbridge addin install` を実行してください。",
        "Excel runs only on Windows and macOS, so the add-in cannot be installed here. Copy "
        "dist/xlsbridge.xlam (from `xlsbridge addin build`) by hand to the "
        "%APPDATA%\\Microsoft\\Excel\\XLSTART folder of the Windows PC with Excel and run "
        "`xlsbridge addin install` there.",
    )


def _windows_locations(env: Mapping[str, str], home: Path) -> tuple[Path, Path]:
    appdata = env.get("APPDATA")
    if not appdata:
        raise UserError(
            "環境変数 APPDATA が設定されていないため、Excel の XLSTART フォルダーが分かりません。",
            "The APPDATA environment variable is not set, so Excel's XLSTART folder is unknown.",
        )
    profile = env.get("USERPROFILE") or str(home)
    xlstart = Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    config = Path(profile) / ".xlsbridge" / CONFIG_FILE
    return xlstart, config


def mac_startup_dir(home: Path, exists: Callable[[Path], bool] = Path.is_dir) -> Path:
    group = home / MAC_OFFICE_GROUP
    for variant in MAC_STARTUP_VARIANTS:
        if exists(group / variant):
            return group / variant
    return group / MAC_STARTUP_VARIANTS[-1]


def plan_install(
    *,
    platform: str = sys.platform,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    executable: str = sys.executable,
    source: Path | None = None,
    zone_reader: Callable[[Path], str | None] = read_zone_identifier,
    dir_exists: Callable[[Path], bool] = Path.is_dir,
) -> InstallPlan:
    """Where everything goes and what could go wrong; changes nothing."""
    from .build import ADDIN_FILENAME

    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    kind = _platform_kind(platform)
    windows = kind == "windows"

    if windows:
        target_dir, config_path = _windows_locations(env, home)
        config_key = "INTERPRETER_WIN"
        extra: list[tuple[Path, Path]] = []
    else:
        target_dir = mac_startup_dir(home, dir_exists)
        config_path = home / MAC_CONFIG
        config_key = "INTERPRETER_MAC"
        script = xlwings_applescript()
        extra = [(script, home / MAC_SCRIPTS / script.name)]

    plan = InstallPlan(
        platform=kind,
        addin_target=target_dir / ADDIN_FILENAME,
        config_path=config_path,
        config_key=config_key,
        interpreter=executable,
        extra_copies=extra,
    )

    checks = [
        check_store_python(executable) if windows else None,
        check_non_ascii("Python ", "Python", executable),
        check_onedrive("Python ", "Python", executable, env, windows),
        check_non_ascii("アドインの置き場所", "add-in folder", plan.addin_target, ADDIN_FOLDER_ADVICE),
        check_onedrive("アドインの置き場所", "add-in folder", plan.addin_target, env, windows),
    ]
    if source is not None:
        checks += [
            check_onedrive("アドインのファイル", "add-in file", source, env, windows),
            check_zone_identifier(source, zone_reader(source)),
        ]
    plan.warnings = [w for w in checks if w is not None]
    return plan


def xlwings_applescript() -> Path:
    """The AppleScript RunPython needs on macOS, from the installed xlwings package."""
    import xlwings

    return Path(xlwings.__file__).resolve().parent / f"xlwings-{xlwings.__version__}.applescript"


# --- carrying out ------------------------------------------------------------------------------


def config_line(key: str, value: str) -> str:
    return f'"{key}","{value}"'


def updated_config(existing: str, key: str, value: str) -> str:
    """A configuration file's text with ``key`` set to ``value``, other settings kept (as xlwings' CLI does)."""
    kept = []
    for line in existing.splitlines():
        if not line.strip():
            continue
        first = line.split(",", 1)[0].strip()
        if first.strip('"').upper() == key.upper():
            continue
        kept.append(line)
    kept.append(config_line(key, value))
    return "\n".join(kept) + "\n"


def config_encoding() -> str:
    """VBA's ``Open ... For Input`` reads the system code page on Windows ("mbcs" in Python)."""
    return "mbcs" if sys.platform.startswith("win") else "utf-8"


def write_config(
    path: Path, key: str, value: str, *, encoding: str | None = None, crlf: bool = False
) -> None:
    """Set ``key`` in the add-in's configuration file (xlsbridge.conf), keeping its other settings."""
    encoding = encoding or config_encoding()
    existing = ""
    if path.is_file():
        existing = path.read_bytes().decode(encoding, errors="replace")
    text = updated_config(existing, key, value)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        raise UserError(
            f"Python のパス {value} に、この PC の文字コードで書けない文字があります。"
            "英数字だけのフォルダーに Python を入れ直してください。",
            f"The Python path {value} has characters this PC's code page cannot write; reinstall "
            "Python in a folder with ASCII characters only.",
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    path.write_bytes(data)


def install_addin(
    *,
    dry_run: bool = False,
    source: Path | None = None,
    platform: str = sys.platform,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    executable: str = sys.executable,
) -> InstallPlan:
    """Build (or take ``source``) and install the add-in; return the plan that was carried out.

    With ``dry_run`` nothing is written.  Fails with a :class:`UserError` if Excel holds the add-in
    open or a folder cannot be written.
    """
    plan = plan_install(
        platform=platform, env=env, home=home, executable=executable, source=source
    )
    if dry_run:
        return plan

    from .build import build_addin

    target = plan.addin_target
    try:
        if source is None:
            build_addin(target.parent)
        else:
            if not source.is_file():
                raise UserError(
                    f"アドインのファイル {source} が見つかりません。",
                    f"The add-in file {source} does not exist.",
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(target.name + ".tmp")
            shutil.copyfile(source, temp)  # copies the content only, not the Zone.Identifier
            temp.replace(target)
        write_config(
            plan.config_path, plan.config_key, plan.interpreter, crlf=plan.platform == "windows"
        )
        for src, dst in plan.extra_copies:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    except PermissionError:
        raise UserError(
            f"{target} に書き込めません。Excel を終了してから、もう一度実行してください。",
            f"Cannot write {target}; quit Excel and run this again.",
        ) from None
    except OSError as exc:
        raise UserError(
            f"アドインをインストールできません ({exc.strerror}: {exc.filename})。",
            f"Cannot install the add-in ({exc.strerror}: {exc.filename}).",
        ) from None
    return plan
