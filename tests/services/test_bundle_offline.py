"""The offline installer of `xlsbridge bundle`: a wheelhouse complete for each Windows Python, one
install.cmd with Japanese messages in the right encoding, and the same steps installing and passing
`xlsbridge doctor` on this machine in a clean venv with no package index.

pip evaluates environment markers for the machine it runs on even with ``--platform``, so the dry
run below cannot see Windows-only dependencies (xlwings' ``pywin32; platform_system == "Windows"``);
:func:`xlsbridge.services.wheelhouse.missing` reads the markers for Windows and is checked too,
including that it notices a wheel taken away.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xlsbridge import __version__
from xlsbridge.errors import UserError
from xlsbridge.io.settings_toml import default_settings
from xlsbridge.services.bundle import GUIDE, make_bundle
from xlsbridge.services.installer import STEPS, check_home, install_cmd, install_sh
from xlsbridge.services.wheelhouse import WINDOWS_PYTHONS, Target, missing

CLEAN_PIP_ENV = {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any pip setting (index URLs, find-links) or virtualenv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**env, **CLEAN_PIP_ENV, **extra}


@pytest.mark.parametrize("python", WINDOWS_PYTHONS)
def test_the_wheelhouse_resolves_completely_for_each_windows_python(windows_wheelhouse, python, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(windows_wheelhouse),
         "--only-binary", ":all:", "--platform", "win_amd64", "--python-version", python, "--implementation", "cp",
         "--target", str(tmp_path / "target"), f"xlsbridge=={__version__}"],
        capture_output=True, text=True, env=clean_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"Would install" in done.stdout and f"xlsbridge-{__version__}" in done.stdout
    # what pip cannot see from Linux: the Windows-only dependencies, with Windows' markers
    assert missing(windows_wheelhouse, [f"xlsbridge=={__version__}"], Target(python)) == []
    tag = "cp" + python.replace(".", "")
    names = {p.name for p in windows_wheelhouse.glob("*.whl")}
    assert any(n.startswith("pywin32-") and f"-{tag}-" in n and n.endswith("win_amd64.whl") for n in names)
    assert any(n.startswith("xlwings-0.37.8-") and f"-{tag}-" in n for n in names)


def test_missing_notices_a_wheel_taken_away(windows_wheelhouse, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(windows_wheelhouse, partial)
    for wheel in partial.glob("pywin32-*.whl"):
        wheel.unlink()
    assert missing(partial, [f"xlsbridge=={__version__}"], Target("3.12")) == ["pywin32>=224"]
    # on Linux the same wheelhouse misses nothing of that kind: the marker is Windows-only
    linux = Target("3.12", None)
    assert "pywin32>=224" not in missing(partial, [f"xlsbridge=={__version__}"], linux)
    with pytest.raises(UserError, match="pywin32"):
        make_bundle(tmp_path / "配布", default_settings(), wheelhouse=partial)


def test_install_cmd_is_utf8_without_bom_crlf_and_switches_the_code_page_first():
    data = install_cmd()
    assert not data.startswith(b"\xef\xbb\xbf")  # cmd.exe would run the BOM as part of "@echo off"
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    lines = data.decode("utf-8").split("\r\n")
    chcp = lines.index("chcp 65001 >nul")
    assert all(line.isascii() for line in lines[:chcp + 1])
    assert any(not line.isascii() for line in lines[chcp:])
    text = "\r\n".join(lines)
    for needle in ('set "XB_HOME=C:\\xlsbridge"', '-m venv "%VENV%"', "--no-index",
                   '--find-links "%BUNDLE%wheelhouse"', f"xlsbridge=={__version__}",
                   '"%VENV%\\Scripts\\xlsbridge.exe" addin install', '"%VENV%\\Scripts\\xlsbridge.exe" doctor',
                   "isascii()", "WindowsApps", 'set "PIP_CONFIG_FILE=NUL"'):
        assert needle in text, needle
    # every Japanese line is an echo with nothing cmd.exe would read as an operator
    for line in lines:
        if not line.isascii():
            assert re.match(r"(if %STEP%==\d )?echo ", line), line
            assert not re.search(r"[&|<>^()]", line.split("echo ", 1)[1]), line
    # one message per step, and one for its failure
    for number, step in enumerate(STEPS, start=1):
        assert f"echo [{number}/{len(STEPS)}] {step.title}" in lines
        assert f"if %STEP%=={number} echo [{number}/{len(STEPS)}] うまくいきませんでした。{step.failure}" in lines


@pytest.mark.parametrize("home", [r"C:\ユーザー\xlsbridge", r"C:\Program Files\xlsbridge", "xlsbridge",
                                  r"C:\Users\y\OneDrive\xlsbridge"])
def test_the_install_folder_must_be_an_ascii_path_excel_can_start_python_from(home):
    with pytest.raises(UserError):
        check_home(home)
    with pytest.raises(UserError):
        install_cmd(home)


def test_install_sh_has_the_same_steps_in_the_same_order():
    sh, cmd = install_sh(), install_cmd().decode("utf-8")
    positions_sh = [sh.index(f"[{n}/{len(STEPS)}] {s.title}") for n, s in enumerate(STEPS, start=1)]
    positions_cmd = [cmd.index(f"[{n}/{len(STEPS)}] {s.title}") for n, s in enumerate(STEPS, start=1)]
    assert positions_sh == sorted(positions_sh) and positions_cmd == sorted(positions_cmd)
    assert "--no-index" in sh and '--find-links "$BUNDLE/wheelhouse"' in sh


def test_the_same_steps_install_from_the_wheelhouse_and_pass_doctor_in_a_clean_venv(linux_wheelhouse, tmp_path):
    bundle = tmp_path / "配布"
    shutil.copytree(linux_wheelhouse, bundle / "wheelhouse")
    (bundle / "install.sh").write_text(install_sh(), encoding="utf-8")
    home = tmp_path / "xb"
    done = subprocess.run(["sh", str(bundle / "install.sh"), str(home)], capture_output=True, text=True,
                          env=clean_env(PYTHON=sys.executable, PIP_INDEX_URL="http://127.0.0.1:9/unreachable"),
                          timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for number, step in enumerate(STEPS, start=1):
        assert f"[{number}/{len(STEPS)}] {step.title}" in out
    assert "うまくいきませんでした" not in out
    assert f"Successfully installed" in out and "Looking in indexes" not in out
    assert "問題 0 件" in out  # xlsbridge doctor in the new venv
    python = home / "venv" / "bin" / "python"
    version = subprocess.run([str(python), "-c", "import xlsbridge, xlwings; print(xlsbridge.__version__, xlwings.__version__)"],
                             capture_output=True, text=True, env=clean_env(), timeout=60)
    assert version.stdout.split() == [__version__, "0.37.8"]
    # nothing came from outside the wheelhouse: every installed distribution has its wheel there
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze", "--exclude", "pip",
                             "--exclude", "setuptools"], capture_output=True, text=True, env=clean_env(), timeout=60)
    wheels = {p.name.split("-")[0].lower().replace("_", "-") for p in linux_wheelhouse.glob("*.whl")}
    for line in listed.stdout.split():
        assert line.split("==")[0].lower().replace("_", "-") in wheels, line


def test_a_step_that_fails_says_which_and_what_to_do(tmp_path):
    bundle = tmp_path / "配布"
    (bundle / "wheelhouse").mkdir(parents=True)
    (bundle / "install.sh").write_text(install_sh(), encoding="utf-8")
    done = subprocess.run(["sh", str(bundle / "install.sh"), str(tmp_path / "xb")], capture_output=True, text=True,
                          env=clean_env(PYTHON="false"), timeout=300)  # a "Python" that fails: step 1 stops
    assert done.returncode == 1
    assert done.stderr.strip() == f"[1/{len(STEPS)}] うまくいきませんでした。{STEPS[0].failure}"
    assert not (tmp_path / "xb").exists()  # nothing was created


def test_the_bundle_ships_the_wheelhouse_the_installer_and_a_guide_that_unblocks_first(windows_wheelhouse, tmp_path):
    bundle = make_bundle(tmp_path / "配布", default_settings(), wheelhouse=windows_wheelhouse)
    folder = bundle.folder
    shipped = sorted(p.name for p in (folder / "wheelhouse").iterdir())
    assert shipped == sorted(p.name for p in windows_wheelhouse.glob("*.whl"))
    assert (folder / "install.cmd").read_bytes() == install_cmd()
    assert not (folder / "xlwings.conf").exists()  # install.cmd writes the add-in's own xlsbridge.conf
    guide = (folder / GUIDE).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    unblock, install = guide.index("ブロックを解除する"), guide.index("install.cmd を実行する")
    assert unblock < install
    assert f"{len(shipped)} 個の .whl" in guide
    # the guide names no command that does not exist: no `--file` for addin install, no pip from PyPI
    assert "--file" not in guide and "pip install xlsbridge" not in guide
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS.txt").read_text().splitlines())
    assert {f"wheelhouse/{n}" for n in shipped} <= set(sums)
