"""The Pyodide harness shared by tests/lite/test_lite_pyodide.py and tests/benchmarks/lite.py.

scripts/pyodide-setup.sh puts Pyodide (npm) and the WebAssembly wheels of our dependencies (pip
download) in a cache; :func:`run_pyodide` boots Pyodide under Node with those wheels and ours
unpacked into site-packages and runs tests/lite/driver.py on a folder of jobs, :func:`run_cpython`
runs the same driver on the same jobs under this Python.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests import xlwings_payload as xp

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYODIDE_VERSION = "314.0.8"
WASM_ABI = "pyemscripten_2026_0_wasm32"
CACHE = Path(os.environ.get("XLSBRIDGE_CACHE") or Path.home() / ".cache" / "xlsbridge")
PYODIDE_DIR = CACHE / f"pyodide-{PYODIDE_VERSION}" / "node_modules" / "pyodide"
WASM_WHEELS = CACHE / f"wasm-wheels-{WASM_ABI}"
MICROPIP_WHEELS = CACHE / "micropip"
EXCLUDED = ("連絡先",)  # what the plugin's scripts ask Lite not to load (@script(exclude=...))


def missing_harness() -> str | None:
    """Why the harness cannot run here, or None."""
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
    if not list(MICROPIP_WHEELS.glob("micropip-*.whl")):
        return f"micropip is not in {MICROPIP_WHEELS} (run bash scripts/pyodide-setup.sh)"
    return None


def lite_payload(path: Path, *, active: str, selection: str) -> dict:
    """The workbook as xlwings Lite's Office.js client sends it to a script of the plugin."""
    return xp.build_payload(xp.load(path), name=path.name, active=active, selection=selection,
                            client=xp.LITE_CLIENT, exclude=EXCLUDED)


def write_jobs(folder: Path, main_py: Path, workbooks: dict[str, tuple[Path, str, str]], scripts: list[str],
               commands: list[dict] | None = None, warmup: int = 0) -> None:
    """jobs.json for the driver: every script on every workbook (key -> path, active sheet, selection)."""
    shutil.copy(main_py, folder / "main.py")
    jobs = []
    for key, (path, active, selection) in workbooks.items():
        (folder / f"{key}.json").write_text(json.dumps(lite_payload(path, active=active, selection=selection),
                                                       ensure_ascii=False), encoding="utf-8")
        jobs += [{"name": f"{key}:{s}", "script": s, "payload": f"{key}.json", "warmup": warmup} for s in scripts]
    (folder / "jobs.json").write_text(json.dumps({"main_py": "main.py", "scripts": jobs, "commands": commands or []},
                                                 ensure_ascii=False), encoding="utf-8")


def run_cpython(jobs: Path, dest: Path) -> dict:
    shutil.copytree(jobs, dest)
    subprocess.run([sys.executable, str(HERE / "driver.py"), str(dest)], check=True, cwd=dest,
                   env={**os.environ, "XLSBRIDGE_LANG": "ja"}, timeout=1800)
    return json.loads((dest / "results.json").read_text(encoding="utf-8"))


def run_pyodide(jobs: Path, dest: Path, wheel: Path) -> tuple[dict, dict]:
    """Results of the driver in Pyodide, and the timings of Node's side (boot, install, run)."""
    shutil.copytree(jobs, dest)
    wheel_dir = dest.parent / f"{dest.name}-wheel"
    wheel_dir.mkdir(exist_ok=True)
    shutil.copy(wheel, wheel_dir)
    done = subprocess.run(["node", str(HERE / "run_pyodide.mjs"), str(PYODIDE_DIR), str(WASM_WHEELS), str(wheel_dir),
                           "--", str(dest)], capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr[-3000:]
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    return json.loads((dest / "results.json").read_text(encoding="utf-8")), timing
