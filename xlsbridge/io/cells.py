"""Writing values that came from users into cells and CSV without them turning into formulas.

openpyxl stores any string that starts with ``=`` as a formula; a name typed as ``=HYPERLINK(...)``
must stay text in every sheet and CSV we generate (formula injection).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def set_value(cell: Cell, value: Any) -> None:
    """Set a cell; text is always stored as text, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def csv_safe(value: Any) -> Any:
    """A CSV field a spreadsheet will not evaluate: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value
