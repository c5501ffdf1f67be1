"""Generated documentation pages are up to date with the code they describe."""

from __future__ import annotations

from pathlib import Path

from xlsbridge.domain.layout_doc import render

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_ledger_layout_page_is_generated_from_the_layout():
    assert (DOCS / "ledger-layout.md").read_text(encoding="utf-8") == render(), (
        "run: python -m xlsbridge.domain.layout_doc > docs/ledger-layout.md")
