"""The test suite, one package per layer (domain, io, services, cli, excel, addin) plus benchmarks.

Shared builders are importable helpers of this package (no ``sys.path`` edits; pytest's rootdir
import puts the repository root on the path because ``tests`` is a package):

* ``tests.ledger_builder``: ledgers built in code (``clean_spec``, ``write_ledger``, ``check``);
* ``tests.hostile``: hostile and broken files, ``cli`` / ``run_bounded`` (a capped child process);
* ``tests.cli_run``: the CLI run in this process exactly as the console script does;
* ``tests.xlwings_payload``: the JSON an Excel client sends to xlwings' remote engine.

``tests/conftest.py`` offers the same as fixtures, plus the shipped workbooks' paths.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
SAMPLE = WORKBOOKS / "案件台帳サンプル.xlsx"
TEMPLATE = WORKBOOKS / "案件台帳テンプレート.xlsx"
