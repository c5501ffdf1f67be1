"""The xlwings Lite plugin (xlsbridge/lite) run in WebAssembly: Pyodide under Node, as Lite runs it.

``.ci/run`` fetches Pyodide (npm) and the WebAssembly wheels of our dependencies (pip download) with
scripts/pyodide-setup.sh; this module builds our own wheel, boots Pyodide with everything unpacked
into site-packages, and runs tests/lite/driver.py there and under this CPython on the same jobs:

* every plugin script on the template and on the sample ledger, each given as xlwings Lite's Office.js
  client gives a workbook (the remote engine's JSON book, tests/xlwings_payload.py), the contacts
  sheet without values as the scripts' ``exclude`` asks;
* ``validate --format json`` and ``quote --json`` on the sample.

What each returns to Excel (``book.json()``: the actions) and what each command prints must be the
same in both.  Without Node or the cached Pyodide the module skips, saying why; with ``CI=true`` it
fails instead, so CI cannot pass without having run it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import xlwings_payload as xp
from tests.cli_run import xlsbridge
from xlsbridge import __version__
from xlsbridge.samples.workbooks import SAMPLE_FILE, TEMPLATE_FILE
from xlsbridge.lite import SCRIPTS
from xlsbridge.lite.distribution import wheel_name

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_VERSION = "314.0.8"
WASM_ABI = "pyemscripten_2026_0_wasm32"
CACHE = Path(os.environ.get("XLSBRIDGE_CACHE") or Path.home() / ".cache" / "xlsbridge")
PYODIDE_DIR = CACHE / f"pyodide-{PYODIDE_VERSION}" / "node_modules" / "pyodide"
WASM_WHEELS = CACHE / f"wasm-wheels-{WASM_ABI}"
EXCLUDED = ("連絡先",)
WORKBOOKS = {"template": TEMPLATE_FILE, "sample": SAMPLE_FILE}
# Where each workbook's selection is for 計画書作成 (選択行のケース): a case row of ケース.
SELECTION = {"template": ("ケース", "A2"), "sample": ("ケース", "A3")}


def missing_harness() -> str | None:
    node = shutil.which("node")
    if node is None:
        return "node is not installed (bash scripts/pyodide-setup.sh installs it)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 18:
        return f"node {version} is older than 18"
    if not (PYODIDE_DIR / "pyodide.mjs").is_file():
        return f"pyodide {PYODIDE_VERSION} is not in {PYODIDE_DIR.parent} (run bash scripts/pyodide-setup.sh)"
    if not (WASM_WHEELS / ".complete").is_file():
        return f"the WebAssembly wheels are not in {WASM_WHEELS} (run bash scripts/pyodide-setup.sh)"
    return None


@pytest.fixture(scope="module")
def harness() -> None:
    reason = missing_harness()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Pyodide harness must run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def lite_files(harness, tmp_path_factory) -> Path:
    """What an admin ships: `xlsbridge addin lite --out DIR --wheel` (requirements.txt, main.py, our
    wheel); the harness installs that wheel and runs that main.py, so it can be repeated by hand."""
    out = tmp_path_factory.mktemp("lite")
    code, stdout, stderr = xlsbridge("addin", "lite", "--out", str(out), "--wheel")
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["main.py", "requirements.txt", wheel_name()]
    assert (out / "requirements.txt").read_text(encoding="utf-8") == f"xlsbridge=={__version__}\n"
    return out


def write_jobs(folder: Path, lite: Path) -> None:
    shutil.copy(lite / "main.py", folder / "main.py")
    scripts, commands = [], []
    for key, file in WORKBOOKS.items():
        wb = xp.load(ROOT / "workbooks" / file)
        sheet, cell = SELECTION[key]
        payload = xp.build_payload(wb, name=file, active=sheet, selection=cell, client=xp.LITE_CLIENT,
                                   exclude=EXCLUDED)
        (folder / f"{key}.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        for function in SCRIPTS:
            scripts.append({"name": f"{key}:{function}", "script": function, "payload": f"{key}.json"})
    shutil.copy(ROOT / "workbooks" / SAMPLE_FILE, folder / "sample.xlsx")
    commands.append({"name": "validate", "args": ["validate", "{dir}/sample.xlsx", "--format", "json",
                                                  "--as-of", "2026-03-01"]})
    commands.append({"name": "quote", "args": ["quote", "--type", "handover", "--date", "R7.6.14",
                                               "--municipality", "小松市", "--ratio", "60:40", "--json"]})
    (folder / "jobs.json").write_text(json.dumps({"main_py": "main.py", "scripts": scripts, "commands": commands},
                                                 ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def jobs(lite_files, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jobs")
    write_jobs(folder, lite_files)
    return folder


def run_cpython(jobs: Path, dest: Path) -> dict:
    shutil.copytree(jobs, dest)
    subprocess.run([sys.executable, str(ROOT / "tests" / "lite" / "driver.py"), str(dest)], check=True,
                   cwd=dest, env={**os.environ, "XLSBRIDGE_LANG": "ja"}, timeout=600)
    return json.loads((dest / "results.json").read_text(encoding="utf-8"))


def run_pyodide(jobs: Path, dest: Path, wheel: Path) -> tuple[dict, dict]:
    shutil.copytree(jobs, dest)
    wheel_dir = dest.parent / "our-wheel"
    wheel_dir.mkdir(exist_ok=True)
    shutil.copy(wheel, wheel_dir)
    done = subprocess.run(["node", str(ROOT / "tests" / "lite" / "run_pyodide.mjs"), str(PYODIDE_DIR),
                           str(WASM_WHEELS), str(wheel_dir), "--", str(dest)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    return json.loads((dest / "results.json").read_text(encoding="utf-8")), timing


@pytest.fixture(scope="module")
def results(jobs, lite_files, tmp_path_factory) -> tuple[dict, dict, dict]:
    base = tmp_path_factory.mktemp("runs")
    cpython = run_cpython(jobs, base / "cpython")
    pyodide, timing = run_pyodide(jobs, base / "pyodide", lite_files / wheel_name())
    return cpython, pyodide, timing


def test_it_really_ran_in_webassembly(results):
    cpython, pyodide, timing = results
    assert pyodide["platform"] == "emscripten" and pyodide["python"].startswith("3.14")
    # xlsbridge came from the shipped wheel, unpacked into Pyodide's site-packages
    assert pyodide["xlsbridge_file"] == "/lib/python3.14/site-packages/xlsbridge/__init__.py"
    assert cpython["platform"] != "emscripten"
    assert timing["boot_seconds"] > 0


def test_lite_lists_the_six_buttons_by_their_ribbon_names(results):
    cpython, pyodide, _ = results
    for found in (cpython["scripts"], pyodide["scripts"]):
        names = {s["function_name"]: s["name"] for s in found}
        assert names == {"check_entries": "入力チェック", "compute_fees": "料金計算",
                         "check_deadlines": "期限・年齢チェック", "make_plan": "計画書作成 (選択行のケース)",
                         "make_all_plans": "計画書作成 (全ケース)", "self_check": "自己診断"}
        assert all(s["exclude"] == "連絡先" for s in found)  # the contacts sheet is never loaded


@pytest.mark.parametrize("name", [f"{k}:{f}" for k in WORKBOOKS for f in SCRIPTS])
def test_each_script_returns_the_same_actions_in_pyodide_as_in_cpython(results, name):
    cpython, pyodide, _ = results
    mine = {r["name"]: r for r in cpython["runs"]}[name]
    theirs = {r["name"]: r for r in pyodide["runs"]}[name]
    actions = mine["book"]["actions"]
    assert actions, "the script did nothing"
    if name.endswith(":self_check"):  # the one line that must differ: which Python it is
        mine, theirs = _without_python_line(mine), _without_python_line(theirs)
        actions = mine["book"]["actions"]
    assert theirs["book"]["actions"] == actions
    alerts = [a for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1  # each button ends in one message, shown and printed to Lite's output pane
    assert theirs["printed"].strip() == alerts[0]["args"][0].strip()
    assert "予期しないエラー" not in alerts[0]["args"][0]


def _without_python_line(run: dict) -> dict:
    run = json.loads(json.dumps(run))
    for action in run["book"]["actions"]:
        if action["func"] == "alert":
            lines = action["args"][0].split("\n")
            assert lines[0].startswith("✓ Python: ")
            action["args"][0] = "\n".join(lines[1:])
    run["printed"] = "\n".join(run["printed"].split("\n")[1:])
    return run


def _run(results, name):
    cpython, pyodide, _ = results
    return ({r["name"]: r for r in cpython["runs"]}[name], {r["name"]: r for r in pyodide["runs"]}[name])


def test_plans_become_sheets_of_the_workbook_not_files(results):
    mine, _ = _run(results, "sample:make_all_plans")
    actions = mine["book"]["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added and all(name.startswith("計画書_K-") for name in added)
    assert len(added) == len(set(added))
    assert any(a["func"] == "setPrintArea" for a in actions)
    assert any(a["func"] == "rangeMerge" for a in actions)
    message = [a for a in actions if a["func"] == "alert"][0]["args"][0]
    assert f"計画書 {len(added)} 件をこのブックのシートに作成しました" in message
    one, _ = _run(results, "sample:make_plan")
    added_one = [a["args"][1] for a in one["book"]["actions"] if a["func"] == "addSheet"]
    assert len(added_one) == 1 and added_one[0].startswith("計画書_K-")


def test_self_check_in_lite_names_pyodide_and_the_template(results):
    _, theirs = _run(results, "sample:self_check")
    text = theirs["printed"]
    assert "Pyodide 314.0.8" in text and "xlsbridge" in text and "xlwings: 0.37.8" in text
    assert "台帳 1.0 / 最新 1.0" in text
    assert "LibreOffice" not in text  # nothing a Lite user could act on


@pytest.mark.parametrize("command", ["validate", "quote"])
def test_cli_prints_the_same_in_pyodide_as_in_cpython(results, command):
    cpython, pyodide, _ = results
    mine = {c["name"]: c for c in cpython["commands"]}[command]
    theirs = {c["name"]: c for c in pyodide["commands"]}[command]
    assert mine["stdout"].strip(), mine["stderr"]
    assert (theirs["exit"], theirs["stdout"]) == (mine["exit"], mine["stdout"])
    json.loads(mine["stdout"])
