"""Benchmark: the commands staff and clerks run, on ledgers of 500, 5,000 and 50,000 visits, beside the
floor (a bare python-calamine read), openpyxl's read-only reader and a peer (frictionless).

    .venv/bin/python -m tests.benchmarks.run                      # everything, about 7 minutes on 2 cores
    .venv/bin/python -m tests.benchmarks.run --sizes 500,5000     # quicker
    .venv/bin/python -m tests.benchmarks.run --no-addin --runs 3
    .venv/bin/python -m tests.benchmarks.run --sizes 50000 --only validate,"in place" --runs 7   # the ratios

Every measurement is a whole fresh process (start-up and imports included, as staff wait for them),
run several times, in rounds (one run of every command per round, so that a spell of load on a noisy
machine weighs on all alike): min / median / max seconds and the peak resident memory of the process
(``os.wait4``'s rusage).  xlsbridge's bytecode is written first, as installing the wheel does.
Measured on each ledger, in the same run:

* ``xlsbridge validate``, ``fees --out``, ``fees`` in place (a fresh copy each run), ``flags --no-write``,
  ``plan --all --out``; ``xlsbridge --help``;
* the floor: python-calamine reading every sheet (the least any reader of the file can do);
* openpyxl ``load_workbook(read_only=True)`` reading every sheet;
* the peer: ``frictionless validate`` of 面会記録 with a Table Schema holding the same per-cell checks
  (types date/time/datetime/integer/string, required columns, the choice lists as enums), built from
  domain/layout.py; frictionless reads .xlsx through openpyxl (``pip install -e '.[bench]'``).

The ledgers are ``xlsbridge sample`` workbooks (fictional records with the shipped sample's mix and
its 8 deliberate mistakes), cached under the system temp folder by seed, number of cases and template
version; the empty template is the fixed start-up.  The add-in part counts, for every ribbon action,
the calls xlsbridge makes to Excel (the actions in xlwings' remote-engine response, a write xlwings
splits into chunks of 100,000 cells counted once) on 500 and 50,000 visits.

The table and the budgets (see BUDGETS) are printed; everything is written to
bench-results/bench-<time>.json (git-ignored).  Exit status 0 even when a budget is missed: the
figures are the result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEED = 7
AS_OF = "2026-03-01"  # the samples' "today" (xlsbridge.samples.generate.SAMPLE_TODAY)
# nominal size -> cases given to `xlsbridge sample` (about 10 visits a case)
CASES = {500: 42, 5000: 480, 50000: 4800}
RUNS = {0: 3, 500: 5, 5000: 3, 50000: 3}
# A run longer than this many seconds makes the next runs of the same measurement fewer.
SLOW, VERY_SLOW = 30.0, 90.0
VISITS_SHEET = "面会記録"

BUDGETS = """\
budgets (this 2-core machine):
  validate at 50,000 visits: at most 2x the calamine floor, and at least 5x faster than frictionless
  fees in place at 50,000 visits: at most 5x the calamine floor (every command reads the file once:
  tests/cli/test_read_once.py)
  10x the visits costs at most 11x the time above the fixed start-up (the empty template)
  peak memory under 400 MB at 50,000 visits
  xlsbridge --help under 0.3 s
  every ribbon action writes each output block in one call (as many calls at 50,000 visits as at 500)"""


# ------------------------------------------------------------------------------------------------
# Fresh processes
# ------------------------------------------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int


@dataclass
class Measurement:
    name: str
    size: int  # nominal visits; 0 = the empty template
    runs: list[Run] = field(default_factory=list)
    error: str | None = None

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.runs else None

    @property
    def peak_mb(self) -> float | None:
        return max(r.peak_mb for r in self.runs) if self.runs else None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "size": self.size, "runs": [asdict(r) for r in self.runs],
            "min_s": min(self.times) if self.runs else None, "median_s": self.median,
            "max_s": max(self.times) if self.runs else None, "peak_mb": self.peak_mb, "error": self.error,
        }


# Children are started by this small launcher, itself started before anything heavy is imported: a
# process's peak memory (ru_maxrss) counts the parent's pages it had between fork and exec, so a
# child forked from this script after it read a 50,000-visit ledger would show that script's size.
LAUNCHER = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    os.chdir(job["cwd"])
    start = time.perf_counter()
    pid = os.posix_spawnp(job["argv"][0], job["argv"], job["env"], file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "maxrss_kb": usage.ru_maxrss,
                      "returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""
_launcher: subprocess.Popen | None = None


def start_launcher() -> None:
    global _launcher
    if _launcher is None:
        _launcher = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")


def stop_launcher() -> None:
    global _launcher
    if _launcher is not None:
        _launcher.stdin.close()
        _launcher.wait()
        _launcher = None


def run_once(argv: list[str], *, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None,
             cwd: Path | None = None, refused: str | None = None) -> tuple[Run, str]:
    """One fresh process: wall time, peak resident memory (ru_maxrss, kB on Linux), exit status."""
    start_launcher()
    with tempfile.NamedTemporaryFile(prefix="xlsbridge-bench-", suffix=".log", delete=False) as fh:
        log = Path(fh.name)
    try:
        job = {"argv": argv, "out": str(log), "env": dict(env if env is not None else os.environ),
               "cwd": str(cwd or Path.cwd())}
        _launcher.stdin.write(json.dumps(job, ensure_ascii=False) + "\n")
        _launcher.stdin.flush()
        done = json.loads(_launcher.stdout.readline())
        text = log.read_text(encoding="utf-8", errors="replace")
    finally:
        log.unlink(missing_ok=True)
    rss = done["maxrss_kb"]
    peak = rss / 1024 if sys.platform != "darwin" else rss / (1 << 20)
    run = Run(round(done["seconds"], 4), round(peak, 1), done["returncode"])
    if run.returncode in ok and refused is not None and refused in text:
        run.returncode = -1  # the tool refused the job (e.g. frictionless's "not safe" path): not a measurement
    return run, ("" if run.returncode in ok else text[-2000:])


@dataclass
class Spec:
    """One measurement to make: a command line and how to prepare and judge each run."""

    name: str
    size: int
    argv: list[str]
    runs: int
    ok: tuple[int, ...] = (0,)
    cleanup: Path | None = None
    env: dict[str, str] | None = None
    cwd: Path | None = None
    refused: str | None = None
    before: Any = None


def measure(name: str, size: int, argv: list[str], runs: int, **options: Any) -> Spec:
    return Spec(name, size, argv, runs, **options)


def run_rounds(specs: list[Spec]) -> list[Measurement]:
    """Every spec's runs, in rounds: one run of each spec per round, so that a spell of load on the
    machine weighs on all of them alike and the ratios of one run stay fair.  A spec that fails stops;
    one whose first run is slow gets fewer runs."""
    found = [Measurement(spec.name, spec.size) for spec in specs]
    planned = [spec.runs for spec in specs]
    for round_ in range(max(planned, default=0)):
        for i, (spec, m) in enumerate(zip(specs, found)):
            if m.error or len(m.runs) >= planned[i]:
                continue
            if spec.cleanup is not None and spec.cleanup.exists():
                spec.cleanup.unlink()
            if spec.before is not None:
                spec.before()  # e.g. a fresh copy of the ledger for a command that writes it in place
            run, failure = run_once(spec.argv, ok=spec.ok, env=spec.env, cwd=spec.cwd, refused=spec.refused)
            m.runs.append(run)
            if failure:
                m.error = (f"exit {run.returncode}: " + failure.strip().splitlines()[-1][:300] if failure.strip()
                           else f"exit {run.returncode}")
            elif len(m.runs) == 1 and run.seconds > VERY_SLOW:
                planned[i] = 1
            elif len(m.runs) == 1 and run.seconds > SLOW:
                planned[i] = min(planned[i], 2)
            if spec.cleanup is not None and spec.cleanup.exists():
                spec.cleanup.unlink()
        print(f"  round {round_ + 1} of {max(planned)} done", flush=True)
    for m in found:
        _progress(m)
    return found


def _progress(m: Measurement) -> None:
    if m.runs:
        print(f"  {m.name:<26} {_size_label(m.size):>8}  median {m.median:7.2f} s  peak {m.peak_mb:6.0f} MB"
              f"  ({len(m.runs)} runs){'  ' + m.error if m.error else ''}", flush=True)


def _size_label(size: int) -> str:
    return "empty" if size == 0 else f"{size:,}"


# ------------------------------------------------------------------------------------------------
# Ledgers
# ------------------------------------------------------------------------------------------------

def xlsbridge_cmd() -> list[str]:
    script = Path(sys.executable).with_name("xlsbridge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "xlsbridge.cli.main"]


def scratch_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "xlsbridge-bench"
    folder.mkdir(exist_ok=True)
    return folder


def ledger(size: int, seed: int, folder: Path) -> Path:
    """The cached ledger of ``size`` nominal visits (0: the empty template), made when missing."""
    from xlsbridge.domain.layout import TEMPLATE_VERSION

    if size == 0:
        path = folder / f"empty-t{TEMPLATE_VERSION}.xlsx"
        argv = [*xlsbridge_cmd(), "template", "new", str(path), "--force"]
    else:
        path = folder / f"sample-seed{seed}-cases{CASES[size]}-t{TEMPLATE_VERSION}.xlsx"
        argv = [*xlsbridge_cmd(), "sample", "--cases", str(CASES[size]), "--seed", str(seed), "--out", str(path),
                "--force"]
    if not path.exists():
        print(f"  building {path.name} …", flush=True)
        tmp = path.with_suffix(".part.xlsx")
        argv[argv.index(str(path))] = str(tmp)
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tmp.replace(path)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def visit_count(path: Path) -> int:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows = wb.get_sheet_by_name(VISITS_SHEET).to_python(skip_empty_area=False)
    finally:
        wb.close()
    return sum(1 for row in rows[1:] if any(v not in (None, "") for v in row))


def frictionless_schema(path: Path) -> Path:
    """A Table Schema for 面会記録 with the checks xlsbridge's reader does cell by cell."""
    from xlsbridge.domain.layout import VISITS
    from xlsbridge.io.settings_toml import default_settings
    from xlsbridge.io.template import support_type_labels

    types = {"date": "date", "time": "time", "datetime": "datetime", "int": "integer", "yen": "integer"}
    labels = list(support_type_labels(default_settings()).values())
    fields = []
    for col in VISITS.columns:
        spec: dict[str, Any] = {"name": col.header, "type": types.get(col.kind, "string")}
        constraints: dict[str, Any] = {}
        if col.required:
            constraints["required"] = True
        if col.kind == "choice":
            constraints["enum"] = labels if col.key == "support_type" else list(col.choices)
        elif col.kind == "bool":
            constraints["enum"] = ["○", "×"]
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    path.write_text(json.dumps({"fields": fields}, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


CALAMINE_READ = """\
import sys, python_calamine
wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
print(sum(len(wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in wb.sheet_names))
"""

OPENPYXL_READ = """\
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
print(sum(sum(1 for _ in ws.iter_rows(values_only=True)) for ws in wb.worksheets))
wb.close()
"""


def compile_bytecode() -> None:
    """Write xlsbridge's bytecode (__pycache__), as installing the wheel does: without it, and with
    PYTHONDONTWRITEBYTECODE set (as on CI machines), every process of an editable install would compile
    every module again, which no installed copy does."""
    import compileall

    import xlsbridge

    compileall.compile_dir(str(Path(xlsbridge.__file__).parent), quiet=1)


def frictionless_cmd() -> list[str] | None:
    script = Path(sys.executable).with_name("frictionless")
    if script.exists():
        return [str(script)]
    found = shutil.which("frictionless")
    return [found] if found else None


# ------------------------------------------------------------------------------------------------
# The add-in: calls that reach Excel
# ------------------------------------------------------------------------------------------------

ACTIONS = ("check_entries", "compute_fees", "check_deadlines", "make_plan", "make_all_plans")


def writes(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calls xlsbridge made: xlwings splits a write of more than 100,000 cells into chunks of rows
    (``Range.options(chunksize=…)``, automatic since 0.28 to keep each request within what Excel and the
    remote engines accept), one action each; a setValues that carries on where the one before it ended
    (same sheet and column, the next row, as wide) is a chunk of the same write."""
    out: list[dict[str, Any]] = []
    for action in actions:
        last = out[-1] if out else None
        if (last is not None and action["func"] == "setValues" == last["func"] and last.get("values")
                and action.get("values")
                and action.get("sheet_position") == last.get("sheet_position")
                and action.get("start_column") == last.get("start_column")
                and action.get("start_row") == last["start_row"] + last["rows"]
                and len(action["values"][0]) == len(last["values"][0])):
            last["rows"] += len(action["values"])
            continue
        out.append({**action, "rows": len(action.get("values") or [])})
    return out


def addin_child(path: Path) -> None:
    """(In a fresh process) run every ribbon action on the remote engine; print the calls as JSON."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings as xw

    from xlsbridge.excel import entrypoints

    payload_text = json.dumps(_payload(path), ensure_ascii=False)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="xlsbridge-bench-plans-") as plans:
        for name in ACTIONS:
            book = xw.Book(json=json.loads(payload_text))
            kwargs: dict[str, Any] = {"as_of": date.fromisoformat(AS_OF)}
            if name in ("make_plan", "make_all_plans"):
                kwargs["out_dir"] = Path(plans)
            started = time.perf_counter()
            getattr(entrypoints, name)(book, **kwargs)
            elapsed = time.perf_counter() - started
            actions = book.json()["actions"]
            kinds: dict[str, int] = {}
            for action in actions:
                kinds[action["func"]] = kinds.get(action["func"], 0) + 1
            alert = next((a["args"] for a in actions if a["func"] == "alert"), None)
            out[name] = {"calls": len(writes(actions)), "actions": len(actions), "by_kind": kinds,
                         "seconds": round(elapsed, 3), "alert": alert[0][:120] if alert else None}
    print(json.dumps(out, ensure_ascii=False))


def _payload(path: Path) -> dict[str, Any]:
    """The Office Scripts client's payload: tests/xlwings_payload.py when present, else a minimal one."""
    try:
        from tests import xlwings_payload
    except ImportError:
        return _minimal_payload(path)
    wb = xlwings_payload.load(path)
    return xlwings_payload.build_payload(wb, name=path.name, active="ケース", selection="A2")


def _minimal_payload(path: Path) -> dict[str, Any]:
    import openpyxl
    import xlwings as xw

    day_zero = datetime(1899, 12, 30)

    def value(v: Any) -> Any:
        if v is None:
            return ""
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if isinstance(v, date):
            return value(datetime(v.year, v.month, v.day))
        if hasattr(v, "hour") and not isinstance(v, datetime):  # time of day
            return value(datetime.combine(day_zero.date(), v))
        return v

    wb = openpyxl.load_workbook(path, read_only=True)
    sheets = [{"name": ws.title, "values": [[value(v) for v in row] for row in ws.iter_rows(values_only=True)] or [[""]],
               "pictures": [], "tables": []} for ws in wb.worksheets]
    titles = [s["name"] for s in sheets]
    return {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": titles.index("ケース"), "selection": "A2"},
            "names": [], "sheets": sheets}


def addin_calls(path: Path) -> tuple[dict[str, Any] | None, str | None, Run]:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial")}
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result = Path(fh.name)
    try:
        argv = [sys.executable, "-m", "tests.benchmarks.run", "--addin-child", str(path), "--child-out", str(result)]
        run, failure = run_once(argv, env=env, cwd=ROOT)
        if failure:
            return None, failure.strip().splitlines()[-1][:300], run
        return json.loads(result.read_text(encoding="utf-8")), None, run
    finally:
        result.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,5000,50000", help="nominal visits (of 500, 5000, 50000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--runs", type=int, help="runs of each measurement (default: 5 / 3 / 3 by size)")
    parser.add_argument("--no-addin", action="store_true", help="skip counting the add-in's Excel calls")
    parser.add_argument("--out", type=Path, help="JSON results (default bench-results/bench-<time>.json)")
    parser.add_argument("--only", help="the measurements to make, comma-separated parts of their names "
                                       "(e.g. 'floor,validate,in place'); the floor is always made")
    parser.add_argument("--addin-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.addin_child is None:
        start_launcher()  # while this process is still small
    if args.addin_child is not None:
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            addin_child(args.addin_child)
        args.child_out.write_text(buffer.getvalue().strip().splitlines()[-1], encoding="utf-8")
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in CASES]
    if unknown:
        parser.error(f"sizes must be among {', '.join(map(str, CASES))}")
    started = time.perf_counter()
    folder = scratch_dir()
    work = Path(tempfile.mkdtemp(prefix="xlsbridge-bench-run-"))
    try:
        return _run(args, sizes, folder, work, started)
    finally:
        stop_launcher()
        shutil.rmtree(work, ignore_errors=True)


def _run(args, sizes: list[int], folder: Path, work: Path, started: float) -> int:
    import xlsbridge

    print(f"xlsbridge {xlsbridge.__version__} benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} CPUs; ledgers cached in {folder}", flush=True)
    x = xlsbridge_cmd()
    peer = frictionless_cmd()
    schema = frictionless_schema(folder / "面会記録.schema.json")
    ledgers = {size: ledger(size, args.seed, folder) for size in [0, *sizes]}
    visits = {size: visit_count(path) for size, path in ledgers.items()}
    compile_bytecode()

    def runs_for(size: int) -> int:
        return args.runs or RUNS[size]

    specs: list[Spec] = [measure("xlsbridge --help", 0, [*x, "--help"], max(5, args.runs or 5))]
    for size in [0, *sizes]:
        path = str(ledgers[size])
        n = runs_for(size)
        fees_out, plan_out = work / f"fees-{size}.xlsx", work / f"plans-{size}.xlsx"
        in_place = work / f"in-place-{size}" / "台帳.xlsx"
        specs += [
            measure("floor: calamine", size, [sys.executable, "-c", CALAMINE_READ, path], n),
            measure("openpyxl read-only", size, [sys.executable, "-c", OPENPYXL_READ, path], n),
            measure("validate", size, [*x, "validate", path, "--as-of", AS_OF], n, ok=(0, 1)),
            measure("fees --out", size, [*x, "fees", path, "--as-of", AS_OF, "--out", str(fees_out)], n,
                    cleanup=fees_out),
            # In place, as staff run it: read once, patch, backup, temp file + rename (a fresh copy each run).
            measure("fees (in place)", size, [*x, "fees", str(in_place), "--as-of", AS_OF], n,
                    before=lambda path=path, in_place=in_place: _fresh_copy(Path(path), in_place)),
            measure("flags --no-write", size, [*x, "flags", path, "--as-of", AS_OF, "--no-write"], n),
            # The empty template has no active case: plan says so (exit 2) after the same start-up.
            measure("plan --all --out", size, [*x, "plan", path, "--as-of", AS_OF, "--all", "--out", str(plan_out)],
                    n, ok=(0, 2) if size == 0 else (0,), cleanup=plan_out),
        ]
        if peer is not None:
            # frictionless reads only paths below the working folder ("not safe" otherwise): run it there.
            specs.append(measure("peer: frictionless", size,
                                        [*peer, "validate", ledgers[size].name, "--sheet", VISITS_SHEET,
                                         "--schema", schema.name, "--limit-errors", "1000000000"], n, ok=(0, 1),
                                        cwd=folder, refused="not safe"))

    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        specs = [s for s in specs if s.name.startswith("floor") or any(w in s.name.lower() for w in wanted)]
    print(f"measuring {len(specs)} commands in rounds (each run a fresh process):", flush=True)
    measurements = run_rounds(specs)

    addin: dict[str, Any] = {}
    if not args.no_addin and not args.only:
        for size in [s for s in (500, 50000) if s in sizes]:
            print(f"  add-in actions on {size:,} visits (remote engine) …", flush=True)
            calls, failure, run = addin_calls(ledgers[size])
            addin[str(size)] = {"actions": calls, "error": failure, "process": asdict(run)}
            if failure:
                print(f"    failed: {failure}", flush=True)

    report = _report(measurements, visits, sizes, addin, peer is not None)
    out = args.out or ROOT / "bench-results" / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "tool": "xlsbridge benchmark", "when": datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "seed": args.seed, "as_of": AS_OF, "visits": {str(k): v for k, v in visits.items()},
        "measurements": [m.as_json() for m in measurements], "addin": addin, **report,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {out} (whole benchmark {doc['seconds']:.0f} s)")
    return 0


def _fresh_copy(source: Path, target: Path) -> None:
    if target.parent.exists():
        shutil.rmtree(target.parent)  # the ledger and its xlsbridge_backup folder
    target.parent.mkdir(parents=True)
    shutil.copy2(source, target)


def _find(measurements: list[Measurement], name: str, size: int) -> Measurement | None:
    return next((m for m in measurements if m.name == name and m.size == size and m.runs), None)


def _report(measurements: list[Measurement], visits: dict[int, int], sizes: list[int], addin: dict[str, Any],
            has_peer: bool) -> dict[str, Any]:
    print()
    head = (f"{'command':<22} {'visits':>7} {'min s':>7} {'median':>7} {'max s':>7} {'peak MB':>8} "
            f"{'x floor':>8} {'peer/this':>9}")
    print(head)
    print("-" * len(head))
    ratios: list[dict[str, Any]] = []
    for size in [0, *sizes]:
        floor = _find(measurements, "floor: calamine", size)
        peer = _find(measurements, "peer: frictionless", size)
        for m in measurements:
            if m.size != size or not m.runs:
                continue
            x_floor = m.median / floor.median if floor and floor.median else None
            vs_peer = peer.median / m.median if peer and m.median else None
            ratios.append({"name": m.name, "size": size, "x_floor": _r(x_floor), "peer_over_this": _r(vs_peer)})
            label = "empty" if size == 0 else f"{visits[size]:,}"
            if m.name == "xlsbridge --help":
                label = "-"
            print(f"{m.name:<22} {label:>7} {min(m.times):7.2f} {m.median:7.2f} {max(m.times):7.2f} {m.peak_mb:8.0f} "
                  f"{_fmt(x_floor):>8} {_fmt(vs_peer):>9}" + (f"  ({len(m.runs)} run{'s' if len(m.runs) > 1 else ''})")
                  + (f"  {m.error}" if m.error else ""))
        print()

    if addin:
        print("ribbon actions: calls to Excel (remote engine actions; a write xlwings chunks counted once), by ledger size")
        names = [str(s) for s in (500, 50000) if str(s) in addin]
        print(f"{'action':<18}" + "".join(f" {int(n):>10,} visits" for n in names) + "   kinds (at the largest)")
        for action in ACTIONS:
            counts = []
            for n in names:
                got = (addin[n]["actions"] or {}).get(action)
                counts.append(f"{got['calls']:>6} ({got['seconds']:5.1f} s)" if got else f"{'-':>16}")
            largest = (addin[names[-1]]["actions"] or {}).get(action) if names else None
            kinds = (f"{largest.get('actions', largest['calls'])} actions: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(largest["by_kind"].items()))) if largest else ""
            print(f"{action:<18}" + "".join(f" {c:>17}" for c in counts) + f"   {kinds}")
        print()

    budgets = _budgets(measurements, visits, sizes, addin, has_peer)
    print(BUDGETS)
    for b in budgets:
        mark = {True: "ok  ", False: "MISS", None: "n/a "}[b["ok"]]
        print(f"  [{mark}] {b['budget']}: {b['measured']}")
    return {"ratios": ratios, "budgets": budgets}


def _budgets(measurements: list[Measurement], visits: dict[int, int], sizes: list[int], addin: dict[str, Any],
             has_peer: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(budget: str, ok: bool | None, measured: str) -> None:
        out.append({"budget": budget, "ok": ok, "measured": measured})

    big = 50000 if 50000 in sizes else max(sizes)
    validate, floor = _find(measurements, "validate", big), _find(measurements, "floor: calamine", big)
    if validate and floor:
        ratio = validate.median / floor.median
        add(f"validate <= 2x floor at {visits[big]:,} visits", ratio <= 2 if big == 50000 else None,
            f"{validate.median:.2f} s / {floor.median:.2f} s = {ratio:.2f}x")
    in_place = _find(measurements, "fees (in place)", big)
    if in_place and floor:
        ratio = in_place.median / floor.median
        add(f"fees in place <= 5x floor at {visits[big]:,} visits", ratio <= 5 if big == 50000 else None,
            f"{in_place.median:.2f} s / {floor.median:.2f} s = {ratio:.2f}x")
    peer = _find(measurements, "peer: frictionless", big)
    if validate and peer:
        ratio = peer.median / validate.median
        add(f"validate >= 5x faster than frictionless at {visits[big]:,} visits", ratio >= 5 if big == 50000 else None,
            f"{peer.median:.2f} s / {validate.median:.2f} s = {ratio:.1f}x")
    elif not has_peer:
        add("validate >= 5x faster than frictionless", None, "frictionless not installed (pip install -e '.[bench]')")

    if 5000 in sizes and 50000 in sizes:
        allowed = 1.1 * visits[50000] / visits[5000]  # "10x the visits at most 11x the time", for the real counts
        for name in ("validate", "fees --out", "fees (in place)", "flags --no-write", "plan --all --out"):
            base, mid, top = (_find(measurements, name, s) for s in (0, 5000, 50000))
            if not (base and mid and top) or mid.median <= base.median:
                continue
            growth = (top.median - base.median) / (mid.median - base.median)
            add(f"{name}: linear (50k vs 5k above start-up <= {allowed:.1f}x)", growth <= allowed,
                f"({top.median:.2f} - {base.median:.2f}) / ({mid.median:.2f} - {base.median:.2f}) = {growth:.2f}x")

    for m in measurements:
        if m.size == big and m.runs and m.name in ("validate", "fees --out", "fees (in place)", "flags --no-write",
                                                    "plan --all --out"):
            add(f"{m.name}: peak memory < 400 MB at {visits[big]:,} visits", m.peak_mb < 400 if big == 50000 else None,
                f"{m.peak_mb:.0f} MB")

    help_ = _find(measurements, "xlsbridge --help", 0)
    if help_:
        add("xlsbridge --help < 0.3 s", help_.median < 0.3, f"{help_.median:.3f} s")

    names = [n for n in ("500", "50000") if n in addin and addin[n]["actions"]]
    if len(names) == 2:
        for action in ACTIONS:
            small, large = (addin[n]["actions"].get(action) for n in names)
            if small and large:
                add(f"{action}: as many Excel calls at 50,000 visits as at 500", small["calls"] == large["calls"],
                    f"{small['calls']} vs {large['calls']}")
    return out


def _r(x: float | None) -> float | None:
    return round(x, 3) if x is not None else None


def _fmt(x: float | None) -> str:
    return f"{x:.2f}x" if x is not None else "-"


if __name__ == "__main__":
    sys.exit(main())
