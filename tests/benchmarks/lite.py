"""Benchmark: xlsbridge in xlwings Lite's Python (Pyodide 314.0.8 under Node) against CPython.

    .venv/bin/python -m tests.benchmarks.lite                  # 500 and 5,000 visits
    .venv/bin/python -m tests.benchmarks.lite --sizes 500      # quicker

Needs what scripts/pyodide-setup.sh caches (Node >= 18, Pyodide from npm, the WebAssembly wheels).
Measures, in one Pyodide process and one CPython process:

* Pyodide's boot (loadPyodide) and the install (unpacking the wheels), from Node;
* the import: running the ledger's main.py (``from xlsbridge.lite import *``: xlwings, the entry
  points and the six scripts), as Lite does when the workbook opens;
* each of the six scripts on the ``xlsbridge sample`` ledgers of the main benchmark
  (tests/benchmarks/run.py) at 500 and 5,000 visits, given as Lite's Office.js client gives them:
  ``xw.Book(json=…)`` built, the script run through ``xlwings.server.custom_scripts_call``, the actions
  returned.  Each after one warm-up run; the median of ``--runs`` runs.

Pyodide's time here is Node's V8 running the WebAssembly; Excel's web view (Edge WebView2, Safari)
runs the same WebAssembly, not the same engine, so these are indications, not Excel's figures.
Budgets: the import under 2 s; each action within 3x CPython.  Exit status 0 even when a budget is
missed: the figures are the result (printed, and written to bench-results/lite-<time>.json).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.run import CASES, SEED, ledger, scratch_dir
from tests.cli_run import xlsbridge
from tests.lite.harness import ROOT, missing_harness, run_cpython, run_pyodide, write_jobs
from xlsbridge.lite import SCRIPTS
from xlsbridge.lite.distribution import wheel_name

IMPORT_BUDGET = 2.0
RATIO_BUDGET = 3.0


def _medians(results: dict, runs: int) -> dict[str, float]:
    by_name: dict[str, list[float]] = {}
    for run in results["runs"]:
        by_name.setdefault(run["name"], []).append(run["seconds"])
    return {name: statistics.median(times) for name, times in by_name.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.lite", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    reason = missing_harness()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = scratch_dir()
    with tempfile.TemporaryDirectory(prefix="xlsbridge-lite-bench-") as tmp:
        work = Path(tmp)
        code, _, err = xlsbridge("addin", "lite", "--out", str(work / "lite"), "--wheel")
        assert code == 0, err
        books = {str(size): (ledger(size, SEED, folder), "ケース", "A2") for size in sizes}
        jobs = work / "jobs"
        jobs.mkdir()
        write_jobs(jobs, work / "lite" / "main.py", books, list(SCRIPTS), warmup=1)
        spec = json.loads((jobs / "jobs.json").read_text(encoding="utf-8"))
        spec["scripts"] = [dict(job, warmup=1 if i == 0 else 0) for job in spec["scripts"] for i in range(args.runs)]
        (jobs / "jobs.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        cpython = run_cpython(jobs, work / "cpython")
        pyodide, node = run_pyodide(jobs, work / "pyodide", work / "lite" / wheel_name())
        elapsed = time.perf_counter() - started
    mine, theirs = _medians(cpython, args.runs), _medians(pyodide, args.runs)
    imported = pyodide["import_seconds"] + pyodide["services_import_seconds"]
    lines = [f"Pyodide {pyodide['python']} under Node: boot {node['boot_seconds']:.2f} s, install "
             f"{node['install_seconds']:.2f} s; import: main.py {pyodide['import_seconds']:.2f} s + services "
             f"{pyodide['services_import_seconds']:.2f} s = {imported:.2f} s (CPython "
             f"{cpython['import_seconds'] + cpython['services_import_seconds']:.2f} s); budget: import < "
             f"{IMPORT_BUDGET:.0f} s: {'met' if imported < IMPORT_BUDGET else 'MISSED'}",
             "", "| action | visits | CPython s | Pyodide s | ratio |", "|---|---|---|---|---|"]
    missed = []
    for size in sizes:
        for function, label in SCRIPTS.items():
            name = f"{size}:{function}"
            ratio = theirs[name] / mine[name] if mine[name] else float("nan")
            if ratio > RATIO_BUDGET:
                missed.append(f"{label} at {size}")
            lines.append(f"| {label} | {size:,} | {mine[name]:.3f} | {theirs[name]:.3f} | {ratio:.2f}× |")
    lines += ["", f"budget: each action within {RATIO_BUDGET:.0f}× CPython: "
              + ("met" if not missed else "MISSED for " + ", ".join(missed)),
              f"(median of {args.runs} runs after a warm-up; whole run {elapsed:.0f} s)"]
    print("\n".join(lines))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"lite-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(
        {"node": node, "cpython": mine, "pyodide": theirs,
         "import_cpython": [cpython["import_seconds"], cpython["services_import_seconds"]],
         "import_pyodide": [pyodide["import_seconds"], pyodide["services_import_seconds"]],
         "cases": {s: CASES[s] for s in sizes}}, indent=1),
        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
