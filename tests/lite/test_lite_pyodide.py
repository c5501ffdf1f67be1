"""The xlwings Lite plugin (xlsbridge/lite) run in WebAssembly: Pyodide under Node, as Lite runs it.

``.ci/run`` fetches Pyodide (npm), the WebAssembly wheels of our dependencies and micropip (pip
download) with scripts/pyodide-setup.sh; this module takes what an admin ships
(``xlsbridge addin lite --out DIR --wheel``), boots Pyodide with those wheels unpacked into
site-packages, and runs tests/lite/driver.py there and under this CPython on the same jobs:

* main.py's one line, run as Lite runs a workbook's main.py, lists the six scripts;
* every script on the template and on the sample ledger, each given as xlwings Lite's Office.js
  client gives a workbook (the remote engine's JSON book, tests/xlwings_payload.py), the contacts
  sheet without values as the scripts' ``exclude`` asks;
* ``validate --format json`` and ``quote --json`` on the sample.

What each returns to Excel (``book.json()``: the actions) and what each command prints must be the
same in both.  A last test installs our wheel from a URL with micropip, as a ledger whose
requirements.txt names the admin's wheel URL would.  Without Node or the cached Pyodide the module
skips, saying why; with ``CI=true`` it fails instead, so CI cannot pass without having run it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cli_run import xlsbridge
from tests.lite.harness import (
    HERE,
    MICROPIP_WHEELS,
    PYODIDE_DIR,
    ROOT,
    WASM_WHEELS,
    missing_harness,
    run_cpython,
    run_pyodide,
    write_jobs,
)
from xlsbridge import __version__
from xlsbridge.io.lite_part import read_lite_part
from xlsbridge.lite import SCRIPTS
from xlsbridge.lite.distribution import wheel_name
from xlsbridge.samples.workbooks import SAMPLE_FILE, TEMPLATE_FILE

# Each workbook with the sheet and cell selected (a case row, for 計画書作成 (選択行のケース)).
WORKBOOKS = {"template": (ROOT / "workbooks" / TEMPLATE_FILE, "ケース", "A2"),
             "sample": (ROOT / "workbooks" / SAMPLE_FILE, "ケース", "A3")}


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


@pytest.fixture(scope="module")
def jobs(lite_files, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jobs")
    sample = WORKBOOKS["sample"][0]
    (folder / "sample.xlsx").write_bytes(sample.read_bytes())
    commands = [
        {"name": "validate", "args": ["validate", "{dir}/sample.xlsx", "--format", "json", "--as-of", "2026-03-01"]},
        {"name": "quote", "args": ["quote", "--type", "handover", "--date", "R7.6.14", "--municipality", "小松市",
                                   "--ratio", "60:40", "--json"]},
    ]
    write_jobs(folder, lite_files / "main.py", WORKBOOKS, list(SCRIPTS), commands)
    return folder


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


@pytest.mark.parametrize("name", [f"{k}:{f}" for k in WORKBOOKS for f in SCRIPTS])
def test_each_script_returns_the_same_actions_in_pyodide_as_in_cpython(results, name):
    mine, theirs = _run(results, name)
    assert mine["book"]["actions"], "the script did nothing"
    if name.endswith(":self_check"):  # the one line that must differ: which Python it is
        mine, theirs = _without_python_line(mine), _without_python_line(theirs)
    actions = mine["book"]["actions"]
    assert theirs["book"]["actions"] == actions
    alerts = [a for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1  # each button ends in one message, shown and printed to Lite's output pane
    assert theirs["printed"].strip() == alerts[0]["args"][0].strip()
    assert "予期しないエラー" not in alerts[0]["args"][0]


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


def test_the_sample_is_checked_in_webassembly_as_on_a_pc(results):
    _, theirs = _run(results, "sample:check_entries")
    assert "入力チェック: エラー" in theirs["printed"]
    _, fees = _run(results, "sample:compute_fees")
    assert "料金計算: 面会" in fees["printed"] and "計算しました" in fees["printed"]


def test_self_check_in_lite_names_pyodide_and_the_template(results):
    _, theirs = _run(results, "sample:self_check")
    text = theirs["printed"]
    assert "Pyodide 314.0.8" in text and "xlsbridge" in text and "xlwings: 0.37.8" in text
    assert "台帳 1.1 / 最新 1.1" in text
    assert "LibreOffice" not in text  # nothing a Lite user could act on


@pytest.mark.parametrize("command", ["validate", "quote"])
def test_cli_prints_the_same_in_pyodide_as_in_cpython(results, command):
    cpython, pyodide, _ = results
    mine = {c["name"]: c for c in cpython["commands"]}[command]
    theirs = {c["name"]: c for c in pyodide["commands"]}[command]
    assert mine["stdout"].strip(), mine["stderr"]
    assert (theirs["exit"], theirs["stdout"]) == (mine["exit"], mine["stdout"])
    json.loads(mine["stdout"])


def test_a_ledger_naming_the_admins_wheel_url_installs_xlsbridge_with_micropip(lite_files, tmp_path):
    """Until xlsbridge is on PyPI: requirements.txt holds the URL of the wheel the admin publishes.
    Lite installs requirements with Pyodide's micropip; here micropip fetches our wheel from a local
    server (plain http, with the CORS header) at the URL's path and installs it."""
    url = f"https://example.org/xlsbridge/dl/{wheel_name()}"
    code, _, err = xlsbridge("template", "new", str(tmp_path / "台帳.xlsx"), "--lite-package", url)
    assert code == 0, err
    line = read_lite_part((tmp_path / "台帳.xlsx").read_bytes())["requirements.txt"].strip()
    assert line == url
    path = urlsplit(line).path
    done = subprocess.run(["node", str(HERE / "install_from_url.mjs"), str(PYODIDE_DIR), str(WASM_WHEELS),
                           str(MICROPIP_WHEELS), str(lite_files / wheel_name()), path],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["installed"] == __version__
    assert found["module"] == "/lib/python3.14/site-packages/xlsbridge/lite/__init__.py"
    assert found["requested"] == [path]  # the dependencies were already there: nothing else fetched
