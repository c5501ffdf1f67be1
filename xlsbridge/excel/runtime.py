"""Where the entry points run: classic xlwings (a PC with Python and files) or xlwings Lite.

xlwings Lite runs Python through Pyodide inside Excel's add-in web view.  Its Python has a virtual
file system only, so an entry point that would write a file (the plan workbook beside the ledger)
draws into the open workbook instead, and the self-check reports Pyodide rather than the PC's Python.

The Lite plugin (xlsbridge/lite) sets this for the length of each script, so the same script gives
the same result wherever it runs (the tests run it under CPython and under Pyodide and compare);
Python compiled for WebAssembly counts as Lite on its own.
"""

from __future__ import annotations

import contextlib
import sys
from contextvars import ContextVar
from typing import Iterator

_LITE: ContextVar[bool] = ContextVar("xlsbridge_lite", default=False)


def in_lite() -> bool:
    """True inside xlwings Lite (or a script of the Lite plugin): no files, only the workbook."""
    return _LITE.get() or sys.platform == "emscripten"


@contextlib.contextmanager
def lite_runtime() -> Iterator[None]:
    token = _LITE.set(True)
    try:
        yield
    finally:
        _LITE.reset(token)


def pyodide_version() -> str | None:
    """Pyodide's version inside Pyodide, else None."""
    if sys.platform != "emscripten":
        return None
    try:
        import pyodide

        return str(getattr(pyodide, "__version__", "")) or None
    except ImportError:  # pragma: no cover - every Pyodide has the module
        return None
