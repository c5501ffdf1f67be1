"""Shared fixtures: the builders of tests/ledger_builder.py, tests/hostile.py, tests/cli_run.py and
tests/xlwings_payload.py, and the shipped workbooks.  Modules may import the helpers directly
(``from tests.ledger_builder import clean_spec, write_ledger``) or take them as fixtures here."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import SAMPLE, TEMPLATE
from tests import cli_run
from tests import hostile as hostile_module
from tests import ledger_builder


@pytest.fixture
def sample_ledger(tmp_path: Path) -> Path:
    """A private copy of the shipped sample ledger (40 cases, 483 visits, 8 deliberate mistakes)."""
    return Path(shutil.copy2(SAMPLE, tmp_path / SAMPLE.name))


@pytest.fixture
def template_ledger(tmp_path: Path) -> Path:
    """A private copy of the shipped empty template."""
    return Path(shutil.copy2(TEMPLATE, tmp_path / TEMPLATE.name))


@pytest.fixture
def make_ledger(tmp_path: Path) -> Callable[..., Path]:
    """``make_ledger(spec=None, name="ledger.xlsx", **damage)``: write a ledger built in code
    (tests/ledger_builder.py; the clean one-case spec by default) into this test's folder."""

    def make(spec: ledger_builder.LedgerSpec | None = None, name: str = "ledger.xlsx", **options: Any) -> Path:
        return ledger_builder.write_ledger(tmp_path / name, spec or ledger_builder.clean_spec(), **options)

    return make


@pytest.fixture
def cli() -> Callable[..., tuple[int, bytes, str]]:
    """The CLI run in this process: ``code, stdout_bytes, stderr_text = cli("validate", path)``."""
    return cli_run.xlsbridge


@pytest.fixture
def hostile() -> ModuleType:
    """The hostile-file builders and the bounded child-process runner (tests/hostile.py)."""
    return hostile_module


@pytest.fixture
def xlwings_payload() -> ModuleType:
    """The xlwings remote-engine payload builder (tests/xlwings_payload.py); imports xlwings."""
    from tests import xlwings_payload as payload

    return payload
