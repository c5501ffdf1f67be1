"""Run the Lite plugin's scripts the way xlwings Lite runs them, in CPython or in Pyodide.

The same file runs in both, so the two results can be compared (tests/test_lite_pyodide.py).  Lite's
runtime (as xlwings-server's wasm/wasm_runtime.py shows it) sets ``XLWINGS_ON_SERVER=true`` before
xlwings is imported, builds ``xw.Book(json=payload)`` from what the Office.js client sent, calls
``xlwings.server.custom_scripts_call(module, script_name, typehint_to_value={xw.Book: book})`` and
sends ``book.json()`` back to Excel.  This does the same for every job in ``jobs.json`` and also runs
CLI commands in-process, then writes everything to ``results.json``.

Usage: python driver.py DIR   (DIR holds jobs.json and the payloads and files it names)
"""

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def finish(coroutine):
    """Run a coroutine that never waits (a sync script's call) to its end, with or without a running
    event loop (Pyodide's runPythonAsync has one, so asyncio.run cannot be used there)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the script waited for something: run it on an event loop")


def create_module_from_string(text: str, name: str):
    import importlib.util

    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    exec(text, module.__dict__)
    sys.modules[name] = module
    return module


def main(folder: Path) -> None:
    started = time.perf_counter()
    import xlwings as xw
    import xlwings.server

    jobs = json.loads((folder / "jobs.json").read_text(encoding="utf-8"))
    # Lite's way with the workbook's main.py tab: run its text as the module "main" and list the
    # @script functions found there (xlwings-server's wasm_runtime.create_module_from_string).
    plugin = create_module_from_string((folder / jobs["main_py"]).read_text(encoding="utf-8"), "main")
    imported = time.perf_counter() - started
    # What the first button press imports on top (the entry points import their services lazily).
    started = time.perf_counter()
    import xlsbridge.io.reader  # noqa: F401
    import xlsbridge.services.fees  # noqa: F401
    import xlsbridge.services.flags  # noqa: F401
    import xlsbridge.services.plan  # noqa: F401
    import xlsbridge.services.validate  # noqa: F401
    services_imported = time.perf_counter() - started
    import xlsbridge

    results = {"import_seconds": imported, "services_import_seconds": services_imported, "platform": sys.platform, "python": sys.version.split()[0],
               "xlsbridge_file": xlsbridge.__file__,
               "scripts": xlwings.server.custom_scripts_meta(plugin), "runs": [], "commands": []}
    for job in jobs.get("scripts", []):
        payload = json.loads((folder / job["payload"]).read_text(encoding="utf-8"))
        for _ in range(job.get("warmup", 0)):
            with contextlib.redirect_stdout(io.StringIO()):
                finish(xlwings.server.custom_scripts_call(
                    module=plugin, script_name=job["script"], typehint_to_value={xw.Book: xw.Book(json=payload)}))
        t0 = time.perf_counter()
        book = xw.Book(json=payload)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            book = finish(xlwings.server.custom_scripts_call(
                module=plugin, script_name=job["script"], typehint_to_value={xw.Book: book}))
        seconds = time.perf_counter() - t0
        results["runs"].append({"name": job["name"], "script": job["script"], "seconds": seconds,
                                "printed": out.getvalue(), "book": book.json()})
    for job in jobs.get("commands", []):
        from click.testing import CliRunner

        from xlsbridge.cli.common import run_cli
        from xlsbridge.cli.main import cli

        runner = CliRunner()
        with runner.isolation() as (out, err, _):
            argv, sys.argv = sys.argv, ["xlsbridge", *(a.replace("{dir}", str(folder)) for a in job["args"])]
            try:
                code = run_cli(cli)
            finally:
                sys.argv = argv
            results["commands"].append({"name": job["name"], "exit": code,
                                        "stdout": out.getvalue().decode("utf-8"),
                                        "stderr": err.getvalue().decode("utf-8")})
    (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
